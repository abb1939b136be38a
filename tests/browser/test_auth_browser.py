"""Sign-in in the real browser, against the running server with a secrets file of test accounts.

An unauthenticated session sees only the sign-in page — at the home URL, at a crafted deep link, and at the
old-style ``/<page file>`` URL that Streamlit serves from the pages/ folder before ``st.navigation`` has run —
and signing in opens the dashboard, limited to the account's scope.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from analytics.access import auth
from tests.browser.conftest import Server
from tests.browser.test_browser import ERROR_SELECTORS, RENDER_TIMEOUT_MS, page, wait_until_idle  # noqa: F401

pytestmark = pytest.mark.browser

PASSWORD = "planner-pass-1234"
DATA_SELECTORS = ('[data-testid="stMetric"]', '[data-testid="stDataFrame"]', '[data-testid="stPlotlyChart"]',
                  '[data-testid="stDownloadButton"]', '[data-testid="stSelectbox"]')  # fmt: skip


@pytest.fixture(scope="module")
def secured_server(seeded_db_path: Path, tmp_path_factory: pytest.TempPathFactory, chromium_path: Path
                   ) -> Iterator[Server]:  # fmt: skip
    """A fresh server on a copy of the seeded data, with accounts in a secrets file of its own."""
    root = tmp_path_factory.mktemp("server_auth")
    data_dir = root / "data"
    shutil.copytree(seeded_db_path.parent, data_dir)
    secrets = root / "secrets.toml"
    secrets.write_text(
        "[auth.users.aomori]\n"
        f'password_hash = "{auth.hash_password(PASSWORD, n=2**12)}"\n'
        'role = "planner"\nprefecture_code = "02"\ndisplay_name = "青森県 企画担当"\n',
        encoding="utf-8",
    )
    mp = pytest.MonkeyPatch()
    mp.setenv("STREAMLIT_SECRETS_FILES", str(secrets))  # read by the server process Server.start launches
    server = Server("auth", data_dir, seeding=False).start()
    mp.undo()
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
        *([] if menu else ['[data-testid="stSidebarNav"]']),
    ]
    for selector in selectors:
        assert tab.locator(selector).count() == 0, f"{selector} shown while signed out\n{server.log()}"


def test_signed_out_sessions_see_only_the_sign_in_page_and_sign_in_works(secured_server, page):  # noqa: F811
    server = secured_server
    # 1. The old-style URL of a page file, first request on a fresh server: Streamlit runs the file alone (with
    #    its automatic menu of page files); the page's own gate stops it before anything is read.
    open_url(page, f"{server.url}/regions_page?pref=13&muni=13101")
    assert page.locator('[data-testid="stMain"] h1').first.inner_text() == "サインイン"
    assert "サインインが必要です" in page.locator('[data-testid="stMain"]').inner_text()
    assert_no_data(page, server, menu=True)
    # 2. Home and a crafted deep link: only the sign-in form.
    for path in ("", "regions?pref=13&muni=13101", "upload", "audit"):
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

    # 4. The right one opens the dashboard, with the account in the sidebar and only its pages in the menu.
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="サインイン").click()
    page.get_by_text(re.compile("サインイン中: 青森県 企画担当")).wait_for(timeout=RENDER_TIMEOUT_MS)
    wait_until_idle(page)
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "概要" in nav and "地域" in nav
    assert "データ取込" not in nav and "監査ログ" not in nav
    for selector in ERROR_SELECTORS:
        assert page.locator(selector).count() == 0, server.log()

    # 5. Signing out returns to the sign-in page.
    page.get_by_role("button", name="サインアウト").click()
    page.get_by_label("パスワード").wait_for(timeout=RENDER_TIMEOUT_MS)
    assert_no_data(page, server)
