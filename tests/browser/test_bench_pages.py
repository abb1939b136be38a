"""benchmarks/bench_pages.py keeps working: the whole script at a tiny scale (build, serve, Chromium, the Streamlit
floor, menu clicks, concurrent users, sessions held open, the table). Times are printed, never asserted: the figures belong in docs/performance.md."""

from __future__ import annotations

import os
import re
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
         "--db", str(db_path), "--publish", "--no-warmup", "--pages", "overview", "progress", "--users", "2", "--sessions", "3"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "| 概要 (overview), national: first visit after the change / second visit" in out
    assert "| 進捗 (progress), pref 10:" in out
    assert "| 2 planners open 概要 for 2 prefectures at once: p50 / p95 / max" in out
    assert "app process 1 memory" in out
    # The Streamlit floor (on by default): a one-line app served and timed the same ways.
    assert "| Streamlit floor: one-line app, new browser / same browser again" in out
    assert "| Streamlit floor: 2 users at once on a one-line app: p50 / p95 / max" in out
    assert "| Streamlit floor: app process memory with 3 sessions open: now / peak" in out
    # Moving through the sidebar menu in one tab, two rounds: two times per page.
    for label, path in (("概要", "overview"), ("進捗", "progress")):
        row = next(line for line in out.splitlines() if line.startswith(f"| {label} ({path}), pref 10: menu click, "))
        assert "first round / second round" in row
        assert re.search(r"\| [0-9.]+ / [0-9.]+ s \|$", row), row
    assert "| app process memory with 3 sessions open: now / peak | " in out
    assert "Database:" in out and "persons; processes 1, publish True, warm-up False" in out
