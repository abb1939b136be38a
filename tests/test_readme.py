"""The README keeps its promises: two commands that work on a fresh clone, the one CI runs, live links."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def quick_start() -> str:
    start = README.index("## はじめかた")
    return README[start : README.index("\n## ", start + 1)]


def test_quick_start_has_exactly_two_commands_install_and_run_app_and_tests():
    blocks = re.findall(r"```bash\n(.*?)```", quick_start(), flags=re.S)
    assert len(blocks) == 2, blocks
    app, tests = (b.strip() for b in blocks)
    assert "\n" not in app
    assert "\n" not in tests
    assert "pip install -r requirements.txt" in app
    assert app.endswith("streamlit run app.py")
    assert "pip install -r requirements-dev.txt" in tests
    assert tests.endswith("python -m pytest")


def test_ci_runs_exactly_the_readme_test_command():
    script = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    awk = re.search(r"test_command=\$\(awk '(.*?)' README.md\)", script, flags=re.S)
    assert awk, "could not find how .ci/run reads the README"
    extracted = subprocess.run(
        ["awk", awk.group(1), "README.md"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    blocks = re.findall(r"```bash\n(.*?)```", quick_start(), flags=re.S)
    assert extracted == blocks[1].strip()
    assert "set -euo pipefail" in script


def test_local_links_and_images_exist():
    targets = re.findall(r"\]\(((?!https?://)[^)#]+)\)", README)
    assert "docs/screenshots/overview.png" in targets
    missing = [t for t in targets if not (PROJECT_ROOT / t).exists()]
    assert not missing, f"README links to missing files: {missing}"


def test_documented_cli_commands_exist():
    from analytics.cli import build_parser

    commands = set(build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    documented = set(re.findall(r"python -m analytics ([\w-]+)", README))
    assert documented <= commands, documented - commands
    assert {"ingest", "batches", "rollback", "quarantine", "sample", "indicators", "progress"} <= documented


def test_the_folder_map_matches_the_tree():
    """Every folder the README's map names exists, and every package of analytics/ and folder of tests/ is named."""
    section = README.split("## フォルダ構成 / Folder map", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"^\| `([^`]+)` \|", section, re.M))
    missing = sorted(p for p in named if not (PROJECT_ROOT / p.rstrip("/")).exists())
    assert not missing, f"the folder map names paths that do not exist: {missing}"
    packages = {f"analytics/{p.parent.name}/" for p in (PROJECT_ROOT / "analytics").glob("*/__init__.py")}
    data_dirs = {"analytics/sql/", "analytics/reference/"}
    unnamed = sorted((packages | data_dirs) - named)
    assert not unnamed, f"analytics/ folders missing from the README's folder map: {unnamed}"
    for test_dir in (PROJECT_ROOT / "tests").iterdir():
        if test_dir.is_dir() and test_dir.name not in {"browser", "pages", "__pycache__"}:
            assert (PROJECT_ROOT / "analytics" / test_dir.name).is_dir(), f"tests/{test_dir.name}/ mirrors nothing"
