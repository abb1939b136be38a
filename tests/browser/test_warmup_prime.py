"""`python -m ui.warmup URL` (docs/deploy.md): a process that has just started, and that no planner has opened
yet, is primed by one WebSocket session — the sample is seeded and the warm-up runs before anyone visits."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest

from tests.browser.conftest import PROJECT_ROOT, Server, free_port
from ui import warmup

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_priming_a_started_process_seeds_it_and_runs_its_warm_up_before_any_visit(tmp_path, monkeypatch):
    monkeypatch.setenv(warmup.ENABLE_ENV, "1")  # the suite switches the warm-up off for its other servers
    server = Server("prime", tmp_path / "data", seeding=True).start()
    try:
        assert "warm-up of data version" not in server.log()  # started, but nothing runs before a session
        done = subprocess.run([sys.executable, "-m", "ui.warmup", server.url], cwd=PROJECT_ROOT,
                              capture_output=True, text=True, timeout=300)  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        assert re.search(r"first run finished in [0-9.]+ s; warm-up started", done.stdout)
        ready = r"warm-up of data version .*: 概要 and 進捗 of the nation and every prefecture ready in"
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and not re.search(ready, server.log()):
            time.sleep(1)
        log = server.log()
        assert re.search(ready, log), log
        assert "Traceback" not in log
    finally:
        server.stop()


def test_a_process_that_cannot_be_reached_is_reported_and_fails():
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with pytest.raises(ConnectionError):
        warmup.prime(url, timeout=5)
    assert warmup.main([url, "--retry", "0"]) == 1
