"""The client's address a real server records behind a reverse proxy (issue 19): a forwarded header counts only
when the direct peer is a trusted proxy (``HYOGAKI_TRUSTED_PROXIES``); a forged one from anyone else is ignored.

Chromium connects from 127.0.0.1 and sends ``X-Forwarded-For`` on every request (the WebSocket's included), as a
proxy on the same machine would, or as someone forging it would. The server records the address in the audit log
of a failed sign-in. Uvicorn's own rewriting (``FORWARDED_ALLOW_IPS``, which trusts the machine itself by default)
is switched off so the product's setting is the only rule, as docs/security.md asks for deployments.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from analytics import config, db
from analytics.access import audit, client
from tests.browser.conftest import Server, start_with_accounts
from tests.browser.test_browser import RENDER_TIMEOUT_MS, wait_until_idle

pytestmark = pytest.mark.browser
FORGED = "203.0.113.7"


def start_server(seeded_db_path: Path, root: Path, trusted: str | None) -> Server:
    # FORWARDED_ALLOW_IPS="": uvicorn believes no forwarded header itself
    env = {"FORWARDED_ALLOW_IPS": "", client.TRUSTED_PROXIES_ENV: trusted}
    return start_with_accounts(f"proxy_{trusted or 'none'}", seeded_db_path, root, env=env)


@pytest.fixture(scope="module")
def untrusting_server(seeded_db_path, tmp_path_factory, chromium_path) -> Iterator[Server]:
    server = start_server(seeded_db_path, tmp_path_factory.mktemp("proxy_none"), None)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def proxied_server(seeded_db_path, tmp_path_factory, chromium_path) -> Iterator[Server]:
    server = start_server(seeded_db_path, tmp_path_factory.mktemp("proxy_trusted"), "127.0.0.1, ::1")
    yield server
    server.stop()


def failed_sign_in_from(browser, server: Server, headers: dict[str, str]) -> str | None:
    """Sign in with a wrong password in a fresh tab sending ``headers``; the client address the server recorded."""
    context = browser.new_context(extra_http_headers=headers, locale="ja-JP")
    try:
        tab = context.new_page()
        tab.goto(server.url, wait_until="domcontentloaded")
        tab.get_by_label("ユーザー名").wait_for(timeout=RENDER_TIMEOUT_MS)
        wait_until_idle(tab)
        tab.get_by_label("ユーザー名").fill("aomori")
        tab.get_by_label("パスワード").fill("wrong-password")
        tab.get_by_role("button", name="サインイン").click()
        tab.get_by_text("ユーザー名またはパスワードが違います。").wait_for(timeout=RENDER_TIMEOUT_MS)
    finally:
        context.close()
    con = db.connect(server.data_dir / config.DB_FILE_NAME, read_only=True)
    try:
        events = audit.list_events(con, action=["sign_in_failed"])
    finally:
        con.close()
    return events.sort_values("event_id").iloc[-1]["client"]


def test_a_direct_request_is_recorded_with_its_own_address(browser, untrusting_server):
    assert failed_sign_in_from(browser, untrusting_server, {}) == "127.0.0.1"


def test_a_forged_header_from_an_untrusted_peer_is_ignored(browser, untrusting_server):
    assert failed_sign_in_from(browser, untrusting_server, {"X-Forwarded-For": FORGED}) == "127.0.0.1"
    assert failed_sign_in_from(browser, untrusting_server, {"Forwarded": f"for={FORGED}"}) == "127.0.0.1"


def test_a_request_through_a_trusted_proxy_is_recorded_with_the_client_it_names(browser, proxied_server):
    assert failed_sign_in_from(browser, proxied_server, {"X-Forwarded-For": f"198.51.100.1, {FORGED}"}) == FORGED
    assert failed_sign_in_from(browser, proxied_server, {"Forwarded": 'for="[2001:db8::7]"'}) == "2001:db8::7"
    assert failed_sign_in_from(browser, proxied_server, {}) == "127.0.0.1"  # no header: the proxy itself
