"""benchmarks/bench_pages.py keeps working: the whole script at a tiny scale (build, serve, Chromium, concurrent
users, the table). Times are printed, never asserted: the figures belong in docs/performance.md."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.browser.conftest import PROJECT_ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_bench_pages_runs_end_to_end_at_a_tiny_scale(tmp_path, chromium_path):
    # In a child process, as a user runs it: the script drives its own Playwright (a second sync Playwright in this
    # process would meet the browser tests' running event loop) and sets HYOGAKI_* variables for its loads, which
    # must not leak into the tests that follow.
    db_path = tmp_path / "data" / "dashboard.duckdb"
    env = {**os.environ, "HYOGAKI_CHROMIUM": str(chromium_path)}
    done = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "benchmarks" / "bench_pages.py"), "--consultations", "20000",
         "--db", str(db_path), "--publish", "--no-warmup", "--pages", "overview", "progress", "--users", "2"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "| 概要 (overview), national: first visit after the change / second visit" in out
    assert "| 進捗 (progress), pref 10:" in out
    assert "| 2 planners open 概要 for 2 prefectures at once: p50 / p95 / max" in out
    assert "app process 1 memory" in out
    assert "Database:" in out and "persons; processes 1, publish True, warm-up False" in out
