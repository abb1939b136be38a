"""docs/deploy.md on this machine: two app processes behind nginx (WebSockets, a sticky route cookie), both reading
the published read-only copy; a load from the command line publishes a new copy and both processes serve it, with
no error in either process during the swap. Skipped without nginx locally (apt-get install nginx-light)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from analytics import db
from analytics.text import ui_text
from analytics.views import status
from tests.browser.conftest import PROJECT_ROOT, Server, free_port, in_ci

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CONF = PROJECT_ROOT / "deploy" / "nginx-hyogaki.conf"
MESSY = PROJECT_ROOT / "sample_data" / "messy"


def nginx_conf(listen: int, app_ports: list[int], prefix: Path) -> str:
    """The shipped config with this test's ports, wrapped in a minimal main config (own pid, logs and temp dirs)."""
    site = CONF.read_text(encoding="utf-8")
    site = re.sub(r"    server 127\.0\.0\.1:\d+;.*\n", "", site)
    site = site.replace("    hash $hyogaki_route consistent;\n", "    hash $hyogaki_route consistent;\n"
                        + "".join(f"    server 127.0.0.1:{p};\n" for p in app_ports))  # fmt: skip
    site = re.sub(r"listen \d+;", f"listen 127.0.0.1:{listen};", site)
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    temp = "".join(f"    {kind}_temp_path {prefix}/{kind};\n" for kind in kinds)
    return (f"user root;\nworker_processes 1;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log;\n"
            f"events {{ worker_connections 256; }}\nhttp {{\n    access_log {prefix}/access.log;\n{temp}{site}}}\n")


@pytest.fixture
def published_servers(seeded_db_path, tmp_path, chromium_path, monkeypatch):
    if not os.access(NGINX, os.X_OK):
        if in_ci():
            pytest.fail("CI=true and nginx is missing (apt-get install nginx-light)")
        pytest.skip("nginx not installed (apt-get install nginx-light)")
    data = tmp_path / "data"
    shutil.copytree(seeded_db_path.parent, data)
    monkeypatch.setenv(db.PUBLISH_ENV, "1")
    db.publish(data / seeded_db_path.name)
    servers = [Server(f"app{i}", data, seeding=False).start() for i in range(2)]
    listen = free_port()
    (tmp_path / "nginx").mkdir()
    conf = tmp_path / "nginx" / "nginx.conf"
    conf.write_text(nginx_conf(listen, [s.port for s in servers], tmp_path / "nginx"))
    proxy = subprocess.Popen([NGINX, "-c", str(conf), "-g", "daemon off;"], stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{listen}/_stcore/health", timeout=2)
            break
        except OSError:
            time.sleep(0.1)
    yield data / seeded_db_path.name, servers, f"http://127.0.0.1:{listen}"
    proxy.terminate()
    proxy.wait(timeout=10)
    for s in servers:
        s.stop()


def _consultations(path: Path) -> int:
    with status.read_connection(path) as con:
        return con.execute("select count(*) from consultations").fetchone()[0]


def _overview_text(browser, url: str) -> tuple[str, list[dict]]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.goto(url, wait_until="domcontentloaded")
    tab.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)
    tab.wait_for_function("() => document.querySelector('[data-testid=\"stApp\"]')"
                          "?.getAttribute('data-test-script-state') === 'notRunning'", timeout=60_000)  # fmt: skip
    text = tab.locator('[data-testid="stMain"]').inner_text()
    cookies = context.cookies()
    context.close()
    return text, cookies


def test_two_processes_behind_nginx_serve_a_load_published_by_the_command_line(browser, published_servers):
    path, servers, proxy = published_servers
    before = _consultations(path)
    text, cookies = _overview_text(browser, f"{proxy}/overview")  # through nginx: WebSocket and all
    assert ui_text.format_count(before) in text
    assert any(c["name"] == "hyogaki_route" for c in cookies)  # the sticky route
    for s in servers:
        assert ui_text.format_count(before) in _overview_text(browser, f"{s.url}/overview")[0]

    load = subprocess.run(
        [sys.executable, "-m", "analytics", "ingest", str(MESSY / "a_cp932_consultations.csv"), "--db", str(path)],
        cwd=PROJECT_ROOT, env={**os.environ}, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert load.returncode == 0, load.stderr
    after = _consultations(path)
    assert after > before
    for s in servers:  # each process noticed the new copy by itself
        assert ui_text.format_count(after) in _overview_text(browser, f"{s.url}/overview")[0]
    assert ui_text.format_count(after) in _overview_text(browser, f"{proxy}/overview")[0]
    for s in servers:
        assert "Traceback" not in s.log() and "Error" not in s.log(), s.log()
