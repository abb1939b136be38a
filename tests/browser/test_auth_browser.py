"""Sign-in in the real browser, against the running server with a secrets file of test accounts.

An unauthenticated session sees only the sign-in form — at the home URL and at every page's URL, the first request
on a fresh server included (Streamlit runs the page file itself, whose first call is the frame with the gate) —
and signing in opens the page the link named, limited to the account's scope.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import PLANNER_PASSWORD, Server, start_with_accounts
from tests.browser.test_browser import ERROR_SELECTORS, RENDER_TIMEOUT_MS, page, wait_until_idle  # noqa: F401

pytestmark = pytest.mark.browser

PASSWORD = PLANNER_PASSWORD
DATA_SELECTORS = ('[data-testid="stMetric"]', '[data-testid="stDataFrame"]', '[data-testid="stPlotlyChart"]',
                  '[data-testid="stDownloadButton"]', '[data-testid="stSelectbox"]')  # fmt: skip


@pytest.fixture(scope="module")
def secured_server(seeded_db_path: Path, tmp_path_factory: pytest.TempPathFactory, chromium_path: Path
                   ) -> Iterator[Server]:  # fmt: skip
    """A fresh server on a copy of the seeded data, with accounts in a secrets file of its own."""
    server = start_with_accounts("auth", seeded_db_path, tmp_path_factory.mktemp("server_auth"))
    yield server
    server.stop()


def open_url(tab, url: str) -> None:
    tab.goto(url, wait_until="domcontentloaded")
    tab.wait_for_selector('[data-testid="stMain"] h1', timeout=RENDER_TIMEOUT_MS)
    wait_until_idle(tab)


def assert_no_data(tab, server: Server, *, menu: bool = False, errors: bool = False) -> None:
    """No numbers, tables, charts, downloads or filters (no page menu unless ``menu``, no error unless ``errors``)."""
    selectors = [
        *DATA_SELECTORS,
        *([] if errors else ERROR_SELECTORS),
        *([] if menu else ['[data-testid="stSidebarNav"]', '[data-testid="stPageLink-NavLink"]']),
    ]
    for selector in selectors:
        assert tab.locator(selector).count() == 0, f"{selector} shown while signed out\n{server.log()}"


def test_signed_out_sessions_see_only_the_sign_in_page_and_sign_in_works(secured_server, page):  # noqa: F811
    server = secured_server
    # 1. A crafted deep link is the first request the fresh server sees: the sign-in form, no dialog, no data.
    open_url(page, f"{server.url}/regions?pref=13&muni=13101")
    assert page.locator('[data-testid="stMain"] h1').first.inner_text() == "サインイン"
    assert page.get_by_text("Page not found").count() == 0
    assert_no_data(page, server)
    # 2. Home and the other pages' URLs: only the sign-in form.
    for path in ("", "upload", "audit", "regions?pref=13&muni=13101"):
        open_url(page, f"{server.url}/{path}")
        assert page.locator('[data-testid="stMain"] h1').first.inner_text() == "サインイン", path
        assert_no_data(page, server)
        assert page.get_by_label("ユーザー名").count() == 1 and page.get_by_label("パスワード").count() == 1
    page.screenshot(path=str(Path(__file__).resolve().parents[2] / "artifacts" / "screenshots" / "signin.png"))

    # 3. A wrong password is refused.
    page.get_by_label("ユーザー名").fill("aomori")
    page.get_by_label("パスワード").fill("wrong-password")
    page.get_by_role("button", name="サインイン").click()
    page.get_by_text("ユーザー名またはパスワードが違います。").wait_for(timeout=RENDER_TIMEOUT_MS)
    assert_no_data(page, server, errors=True)

    # 4. The right one opens the page the link named (regions, with the link's prefecture: the aggregates only),
    #    with the account in the sidebar and only its pages in the menu.
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="サインイン").click()
    page.get_by_text(re.compile("サインイン中: 青森県 企画担当")).wait_for(timeout=RENDER_TIMEOUT_MS)
    wait_until_idle(page)
    assert page.locator('[data-testid="stMain"] h1').first.inner_text() == "地域"
    nav = page.locator('[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]')
    menu = " ".join(nav.all_inner_texts())
    assert "概要" in menu and "地域" in menu
    assert "データ取込" not in menu and "監査ログ" not in menu
    for selector in ERROR_SELECTORS:
        assert page.locator(selector).count() == 0, server.log()

    # 5. Signing out returns to the sign-in page.
    page.get_by_role("button", name="サインアウト").click()
    page.get_by_label("パスワード").wait_for(timeout=RENDER_TIMEOUT_MS)
    assert_no_data(page, server)
