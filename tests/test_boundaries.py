"""The architecture's boundaries: analytics/ works without a screen; pages hold no SQL and no database code."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent

ANALYTICS_FILES = sorted((PROJECT_ROOT / "analytics").rglob("*.py"))
UI_FILES = [PROJECT_ROOT / "app.py", *sorted((PROJECT_ROOT / "pages").rglob("*.py"))]

# SQL in a Python string: a select ... from, a DML/DDL statement, or a call that runs SQL.
SQL_PATTERNS = [
    re.compile(r"\bselect\b[\s\S]{1,400}?\bfrom\b", re.IGNORECASE),
    re.compile(r"\b(insert\s+into|delete\s+from|update\s+\w+\s+set|create\s+(or\s+replace\s+)?(table|view))\b", re.I),
    re.compile(r"\.(execute|sql|query|fetchall|fetchone|fetchdf)\s*\("),
    re.compile(r"\brun_sql\s*\("),
]


def imported_modules(path: Path) -> set[str]:
    """Top-level names of every module the file imports (``import a.b`` and ``from a.b import c`` -> a)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def string_literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def rel(path: Path) -> str:
    return str(path.relative_to(PROJECT_ROOT))


@pytest.mark.parametrize("path", ANALYTICS_FILES, ids=rel)
def test_analytics_never_imports_streamlit(path):
    assert "streamlit" not in imported_modules(path), f"{rel(path)} imports streamlit: move screen code to pages/"


@pytest.mark.parametrize("path", UI_FILES, ids=rel)
def test_pages_never_import_duckdb(path):
    assert "duckdb" not in imported_modules(path), f"{rel(path)} imports duckdb: call an analytics function instead"


@pytest.mark.parametrize("path", UI_FILES, ids=rel)
def test_pages_hold_no_sql(path):
    source = path.read_text(encoding="utf-8")
    for text in [source, *string_literals(path)]:
        for pattern in SQL_PATTERNS:
            match = pattern.search(text)
            assert match is None, (
                f"{rel(path)} holds SQL or runs a query ({match.group(0)[:60]!r}): move it to analytics/"
            )


def test_the_sql_detector_catches_sql_and_spares_widgets():
    catches = ['con.execute("select 1")', "q = 'SELECT n\n  FROM consultations'", "run_sql(con, 'x')"]
    spares = ['st.selectbox("都道府県", options)', "# pick what to show from the list", 'st.multiselect("from")']
    for text in catches:
        assert any(p.search(text) for p in SQL_PATTERNS), text
    for text in spares:
        assert not any(p.search(text) for p in SQL_PATTERNS), text


def test_analytics_imports_without_streamlit_installed():
    """The library, CLI and report writers must work on a machine without the UI stack."""
    code = (
        "import sys, importlib, pkgutil, analytics\n"
        "sys.modules['streamlit'] = None\n"  # any `import streamlit` now raises ImportError
        "for m in pkgutil.walk_packages(analytics.__path__, 'analytics.'):\n"
        "    if m.name != 'analytics.__main__':\n"
        "        importlib.import_module(m.name)\n"
    )
    result = subprocess.run(
        [__import__("sys").executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]


# ---------------------------------------------------------------------------------------------
# The page registry in app.py
# ---------------------------------------------------------------------------------------------


def test_every_page_file_is_registered_in_app_py(registered_pages):
    registered = {p.file for p in registered_pages}
    on_disk = {rel(p) for p in (PROJECT_ROOT / "pages").glob("*.py") if not p.name.startswith("_")}
    assert on_disk <= registered, f"pages not in app.py's PAGES: {sorted(on_disk - registered)}"
    assert all((PROJECT_ROOT / f).is_file() for f in registered), "PAGES names a file that does not exist"


def test_page_urls_differ_from_their_file_names(registered_pages):
    """A shared link must start at app.py even on a freshly started server.

    Streamlit treats a folder named ``pages/`` as an old-style multipage app until ``st.navigation``
    has run once in the process; a first request for ``/progress`` would then run ``pages/progress.py``
    alone (no sidebar, no seeding). When no URL equals a file name, that lookup misses and Streamlit
    runs app.py, whose ``st.navigation`` then opens the right page.
    """
    from streamlit.source_util import page_icon_and_name  # how Streamlit names a file in pages/

    stems = {page_icon_and_name(Path(p.file))[1] for p in registered_pages}
    urls = [p.route for p in registered_pages]
    assert len(set(urls)) == len(urls), "two pages share a URL"
    clash = sorted(stems & set(urls))
    assert not clash, f"URL equals a file name in pages/: {clash} (name files like pages/<url>_page.py)"
