"""The architecture's boundaries: analytics/ works without a screen; its layers import only downwards and
no module imports one that imports it back; pages hold no SQL and no database code."""

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
# The layers of analytics/: imports go down the flow, never up (analytics/__init__.py draws the map)
# ---------------------------------------------------------------------------------------------

# Each layer with the layers it may import (besides itself). Every import counts: module level, inside a
# function, and under TYPE_CHECKING — a type-only import still says which way the knowledge flows.
LAYERS: dict[str, set[str]] = {
    "config": set(),
    "contract": set(),
    "text": {"config"},
    "db": {"config"},
    # who acts and what they may see: every layer above asks it, so it knows nothing of them
    "access": {"config", "contract", "text", "db"},
    # facts, indicators, stages, progress, disclosure: scoped by access, never aware of files or pages
    "metrics": {"config", "contract", "text", "db", "access"},
    # a load refreshes metrics.facts inside its own transaction, so ingest sits above metrics
    "ingest": {"config", "contract", "text", "db", "access", "metrics"},
    "views": {"config", "contract", "text", "db", "access", "metrics", "ingest"},
    "charts": {"config", "contract", "text", "metrics", "views"},
    "reports": {"config", "contract", "text", "db", "access", "metrics", "ingest", "views", "charts"},
    "sample": {"config", "contract", "text", "db", "ingest"},
    # the command line is the top: it imports the library, the library never imports it
    "cli": {"config", "contract", "text", "db", "access", "metrics", "ingest", "views", "reports", "sample"},
    "__main__": {"cli"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_in(source: str, own: str, package: str) -> set[str]:
    """Every analytics module ``source`` (the text of module ``own`` in ``package``) imports, anywhere in it:
    ``from analytics.x import y`` names ``analytics.x.y`` when that is a module, else ``analytics.x``."""
    modules = {module_name(p) for p in ANALYTICS_FILES}
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "analytics")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target.split(".")[0] != "analytics":
                continue
            for alias in node.names:
                full = f"{target}.{alias.name}"
                found.add(full if full in modules else target)
    return found - {"analytics", own}


def analytics_imports(path: Path) -> set[str]:
    own = module_name(path)
    package = own if path.name == "__init__.py" else own.rpartition(".")[0]
    return imports_in(path.read_text(encoding="utf-8"), own, package)


def upward_imports(own_layer: str, imported: set[str]) -> list[str]:
    return sorted(m for m in imported if layer_of(m) != own_layer and layer_of(m) not in LAYERS[own_layer])


def layer_of(module: str) -> str:
    parts = module.split(".")
    assert parts[0] == "analytics" and len(parts) > 1, module
    layer = parts[1]
    assert layer in LAYERS, f"{module}: put it in one of the layers {sorted(LAYERS)} (and in LAYERS here)"
    return layer


@pytest.mark.parametrize("path", [p for p in ANALYTICS_FILES if module_name(p) != "analytics"], ids=rel)
def test_analytics_imports_only_go_down_the_layers(path):
    own = layer_of(module_name(path))
    upward = upward_imports(own, analytics_imports(path))
    assert not upward, (
        f"{rel(path)} (layer {own!r}) imports {upward}: {own!r} may import only {sorted(LAYERS[own])} "
        "(see analytics/__init__.py); move the code down, or pass what it needs in"
    )


def test_every_package_says_what_it_owns_and_may_import():
    for init in sorted((PROJECT_ROOT / "analytics").glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc, f"{rel(init)} has no docstring saying what the package owns"


def import_loops(graph: dict[str, set[str]]) -> list[list[str]]:
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str], done: set[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt in stack:
                cycles.append([*stack[stack.index(nxt):], nxt])
            elif nxt not in done:
                visit(nxt, [*stack, nxt], done)
        done.add(node)

    done: set[str] = set()
    for start in sorted(graph):
        if start not in done:
            visit(start, [start], done)
    return cycles


def test_no_module_imports_one_that_imports_it_back():
    graph = {module_name(p): analytics_imports(p) for p in ANALYTICS_FILES}
    cycles = import_loops(graph)
    assert not cycles, "import loops: " + "; ".join(" -> ".join(c) for c in cycles)
    # the finder finds the two loops this layout removed
    old = {"audit": {"cli"}, "cli": {"audit"}, "indicators": {"scope"}, "scope": {"indicators", "stats"}}
    assert sorted(map(tuple, import_loops(old))) == [("audit", "cli", "audit"), ("indicators", "scope", "indicators")]


def test_the_layer_checks_catch_an_upward_import_and_a_loop():
    """The rules are not vacuous: metrics importing a view (even lazily, or for types only) is reported."""
    source = (
        "from typing import TYPE_CHECKING\nfrom analytics.access.scope import ScopeError\n"
        "if TYPE_CHECKING:\n    from analytics.views.filters import Filters\n"
        "def f():\n    from analytics.ingest import load\n"
    )
    found = imports_in(source, "analytics.metrics.probe", "analytics.metrics")
    assert found == {"analytics.access.scope", "analytics.views.filters", "analytics.ingest.load"}
    assert upward_imports("metrics", found) == ["analytics.ingest.load", "analytics.views.filters"]
    assert upward_imports("views", found) == []


# ---------------------------------------------------------------------------------------------
# The page registry (ui/shell.py PAGES)
# ---------------------------------------------------------------------------------------------


def test_every_page_file_is_in_the_menu(registered_pages):
    registered = {p.file for p in registered_pages}
    on_disk = {rel(p) for p in (PROJECT_ROOT / "pages").glob("*.py") if not p.name.startswith("_")}
    assert on_disk <= registered, f"pages not in the menu (ui/shell.py PAGES): {sorted(on_disk - registered)}"
    assert all((PROJECT_ROOT / f).is_file() for f in registered), "PAGES names a file that does not exist"


def test_page_urls_are_their_file_names(registered_pages):
    """Streamlit serves ``pages/<name>.py`` at ``/<name>`` from the first request on (classic multipage mode, issue
    19): the menu's URL for a page must be the one Streamlit gives its file, or a shared link would miss it."""
    from streamlit.source_util import page_icon_and_name  # how Streamlit names a file in pages/

    for p in registered_pages:
        assert page_icon_and_name(Path(p.file))[1] == p.route, p
    urls = [p.route for p in registered_pages]
    assert len(set(urls)) == len(urls), "two pages share a URL"


def test_every_page_file_runs_the_frame_first():
    """A page file is run alone by Streamlit; its first call (ui.auth.require_viewer/require) must be the frame
    with the sign-in gate, so no page can show data without it however it is reached."""
    for path in sorted((PROJECT_ROOT / "pages").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert re.search(r"^viewer = (ui_auth\.)?require(_viewer)?\(", text, flags=re.M), path.name
