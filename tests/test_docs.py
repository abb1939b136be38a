"""Boundaries checked against the registry: SQL, catalogue entry and test for every indicator;
docs/indicators.md up to date; analytics/ never imports streamlit."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from analytics import db
from analytics.metrics import indicators

ROOT = Path(__file__).resolve().parent.parent
TEST_FILE = Path(__file__).resolve().parent / "metrics" / "test_indicators.py"


def _test_functions() -> dict[str, str]:
    tree = ast.parse(TEST_FILE.read_text(encoding="utf-8"))
    source = TEST_FILE.read_text(encoding="utf-8")
    return {n.name: ast.get_source_segment(source, n) or "" for n in tree.body if isinstance(n, ast.FunctionDef)}


@pytest.mark.parametrize("ind", indicators.REGISTRY, ids=lambda i: i.id)
def test_every_indicator_has_sql_unit_definition_doc_and_test(ind):
    sql = db.sql_text(ind.sql)
    assert re.search(rf"\bas {ind.id}(_numerator)?\b", sql), f"{ind.sql}.sql does not compute {ind.id}"
    assert sql.lstrip().startswith("--"), "SQL files open with a header comment"
    assert ind.unit and ind.definition and ind.definition_ja and ind.ja and ind.en
    if ind.kind == "rate":
        assert ind.numerator and ind.denominator
    assert f"### `{ind.id}`" in (ROOT / "docs" / "indicators.md").read_text(encoding="utf-8")
    tests = _test_functions()
    assert ind.tests, "every indicator names its hand-computed tests"
    for name in ind.tests:
        assert name in tests, f"{name} not in tests/metrics/test_indicators.py"
    assert any(ind.id in tests[name] for name in ind.tests), f"no listed test mentions {ind.id}"


def test_indicator_ids_are_unique_and_cli_minimum_present():
    ids = [i.id for i in indicators.REGISTRY]
    assert len(ids) == len(set(ids))
    required = ["consultations", "persons", "new_persons", "outreach_consultations", "placed_persons",
                "regular_placed_persons", "regular_placements", "training_persons", "social_participation_persons",
                "regular_within_6m_rate", "placed_within_12m_rate", "retention_6m_rate", "median_days_to_placement"]
    assert [i for i in ids if i in required] == required


def test_catalogue_is_up_to_date():
    committed = (ROOT / "docs" / "indicators.md").read_text(encoding="utf-8")
    assert committed == indicators.catalogue_markdown(), "run: python -m analytics.metrics.indicators"


def test_analytics_never_imports_streamlit():
    offenders = []
    for path in (ROOT / "analytics").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n == "streamlit" or n.startswith("streamlit.") for n in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
