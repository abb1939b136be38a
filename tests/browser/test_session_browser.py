"""A password sign-in survives a reload and a new tab (issue 19), in Chromium against a real server.

The browser keeps only a random session id in a cookie (SameSite=Strict, no password, nothing signed); the
server's ``signin_sessions`` table decides. Sign-out ends the session for every tab: the old id no longer opens
anything, even presented again by hand.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from analytics import config, db
from analytics.access import sessions
from tests.browser.conftest import PLANNER_PASSWORD, Server, start_with_accounts
from tests.browser.test_auth_browser import open_url
from tests.browser.test_browser import ERROR_SELECTORS, RENDER_TIMEOUT_MS, wait_until_idle

pytestmark = pytest.mark.browser
PASSWORD = PLANNER_PASSWORD


@pytest.fixture(scope="module")
def session_server(seeded_db_path: Path, tmp_path_factory, chromium_path) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("server_sessions")
    server = start_with_accounts("sessions", seeded_db_path, root, env={sessions.IDLE_ENV: None})
    yield server
    server.stop()


def heading(tab) -> str:
    return tab.locator('[data-testid="stMain"] h1').first.inner_text().strip()


def session_cookie(context) -> dict | None:
    return next((c for c in context.cookies() if c["name"] == sessions.COOKIE_NAME), None)


def wait_for_cookie(context, present: bool) -> dict | None:
    deadline = time.monotonic() + RENDER_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        cookie = session_cookie(context)
        if bool(cookie and cookie["value"]) == present:
            return cookie
        time.sleep(0.2)
    raise AssertionError(f"session cookie {'never set' if present else 'still there'}: {context.cookies()}")


def test_a_sign_in_survives_a_reload_and_a_new_tab_until_sign_out(browser, session_server):
    server = session_server
    context = browser.new_context(locale="ja-JP")
    try:
        tab = context.new_page()
        open_url(tab, f"{server.url}/regions?pref=02")
        assert heading(tab) == "サインイン"
        assert "時間続きます" in tab.locator('[data-testid="stMain"]').inner_text()  # the sign-in page says so
        tab.get_by_label("ユーザー名").fill("aomori")
        tab.get_by_label("パスワード").fill(PASSWORD)
        tab.get_by_role("button", name="サインイン").click()
        tab.get_by_text(re.compile("サインイン中: 青森県 企画担当")).wait_for(timeout=RENDER_TIMEOUT_MS)
        cookie = wait_for_cookie(context, present=True)
        # only a random id: not the password, not the account, SameSite=Strict, for the idle time
        assert len(cookie["value"]) >= 43 and PASSWORD not in cookie["value"] and "aomori" not in cookie["value"]
        assert cookie["sameSite"] == "Strict" and cookie["path"] == "/"
        assert 7.9 * 3600 < cookie["expires"] - time.time() <= 8 * 3600 + 60
        con = db.connect(server.data_dir / config.DB_FILE_NAME, read_only=True)
        try:
            stored = con.execute("select session_hash, username, ended_at from signin_sessions").fetchall()
        finally:
            con.close()
        assert stored == [(sessions.digest(cookie["value"]), "aomori", None)]  # the database has the hash only

        # 1. A reload keeps the sign-in (and the page and its link).
        tab.reload(wait_until="domcontentloaded")
        tab.get_by_text(re.compile("サインイン中: 青森県 企画担当")).wait_for(timeout=RENDER_TIMEOUT_MS)
        wait_until_idle(tab)
        assert heading(tab) == "地域"
        # 2. A new tab with another page's link, as from an e-mail.
        other = context.new_page()
        open_url(other, f"{server.url}/progress")
        assert heading(other) == "進捗"
        assert "サインイン中" in other.locator('[data-testid="stSidebar"]').inner_text()
        for selector in ERROR_SELECTORS:
            assert other.locator(selector).count() == 0, server.log()
        other.close()

        # 3. Sign-out ends the session: the cookie goes, a reload asks for the password again.
        tab.get_by_role("button", name="サインアウト").click()
        tab.get_by_label("パスワード").wait_for(timeout=RENDER_TIMEOUT_MS)
        wait_for_cookie(context, present=False)
        open_url(tab, f"{server.url}/regions")
        assert heading(tab) == "サインイン"
    finally:
        context.close()

    # 4. The old id presented again by hand (a copied cookie) opens nothing: the server ended it.
    replay = browser.new_context(locale="ja-JP")
    try:
        replay.add_cookies([{**{k: cookie[k] for k in ("name", "value", "path", "sameSite")}, "domain": "127.0.0.1"}])
        tab = replay.new_page()
        open_url(tab, f"{server.url}/regions")
        assert heading(tab) == "サインイン"
        assert tab.locator('[data-testid="stDataFrame"]').count() == 0
    finally:
        replay.close()
