"""benchmarks/bench_pages.py keeps working: the whole script at a tiny scale (build, serve, Chromium, concurrent
users, the table). Times are printed, never asserted: the figures belong in docs/performance.md."""

from __future__ import annotations

import sys

import pytest

from tests.browser.conftest import PROJECT_ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_bench_pages_runs_end_to_end_at_a_tiny_scale(tmp_path, chromium_path, capsys, monkeypatch):
    monkeypatch.setenv("HYOGAKI_CHROMIUM", str(chromium_path))
    sys.path.insert(0, str(PROJECT_ROOT / "benchmarks"))
    try:
        import bench_pages
    finally:
        sys.path.remove(str(PROJECT_ROOT / "benchmarks"))
    db_path = tmp_path / "data" / "dashboard.duckdb"
    assert bench_pages.main(["--consultations", "20000", "--db", str(db_path), "--publish", "--no-warmup",
                             "--pages", "overview", "progress", "--users", "2"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "| 概要 (overview), national: first visit after the change / second visit" in out
    assert "| 進捗 (progress), pref 10:" in out
    assert "| 2 planners open 概要 for 2 prefectures at once: p50 / p95 / max" in out
    assert "app process 1 memory" in out
    assert "Database:" in out and "persons; processes 1, publish True, warm-up False" in out
