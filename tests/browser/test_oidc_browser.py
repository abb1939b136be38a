"""Identity-provider sign-in (st.login) against a real OpenID Connect provider, end to end in Chromium (issue 19).

The provider is ``oidc-provider-mock`` (PyPI, pinned in requirements-dev.txt): a maintained OpenID Connect provider
made for tests, built on Authlib, with discovery, JWKS-signed ID tokens, the authorization-code flow and
end-session. It runs in this test process on localhost; its sign-in form asks for the subject, whose ``email``
claim is the subject. The dashboard server runs as in production: Streamlit's ``st.login`` with Authlib, the
redirect to the provider and back to ``/oauth2callback``, Streamlit's signed identity cookie, and the role and
prefecture taken from ``[auth.users]`` by e-mail.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import Server, in_ci, start_with_accounts
from tests.browser.test_browser import ERROR_SELECTORS, RENDER_TIMEOUT_MS, wait_until_idle

pytestmark = pytest.mark.browser
KNOWN = "kacho@pref.aomori.example.lg.jp"  # a manager of Aomori in [auth.users]
UNKNOWN = "someone@other.example.org"  # the provider knows them, the dashboard does not


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    try:
        import oidc_provider_mock
    except ImportError:
        message = "oidc-provider-mock is not installed: pip install -r requirements-dev.txt"
        if in_ci():
            pytest.fail(f"CI=true and {message}")
        pytest.skip(message)
    with oidc_provider_mock.run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def oidc_server(seeded_db_path: Path, tmp_path_factory, chromium_path, provider) -> Iterator[Server]:
    secrets = (
        "\n[auth]\n"
        'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        'cookie_secret = "test-cookie-secret-0123456789-0123456789-abcdef"\n'
        'client_id = "hyogaki-dashboard"\nclient_secret = "test-client-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
        f'[auth.users."{KNOWN}"]\nrole = "manager"\nprefecture_code = "02"\ndisplay_name = "青森県 課長"\n'
    )
    server = start_with_accounts("oidc", seeded_db_path, tmp_path_factory.mktemp("server_oidc"), extra_secrets=secrets)
    yield server
    server.stop()


def local(server: Server) -> str:
    return f"http://localhost:{server.port}"  # the redirect_uri's host: Streamlit's identity cookie is set for it


def wait_for_heading(tab, text: str) -> None:
    tab.wait_for_function(
        "(t) => document.querySelector('[data-testid=\"stMain\"] h1')?.innerText.trim() === t",
        arg=text,
        timeout=RENDER_TIMEOUT_MS,
    )
    wait_until_idle(tab)


def sign_in_at_provider(tab, server: Server, email: str) -> None:
    tab.goto(f"{local(server)}/regions", wait_until="domcontentloaded")
    wait_for_heading(tab, "サインイン")
    tab.get_by_role("button", name=re.compile("組織のアカウントでサインイン")).click()
    tab.wait_for_url(re.compile(r"/oauth2/authorize|/authorize"), timeout=RENDER_TIMEOUT_MS)  # the provider's page
    tab.locator('input[name="sub"]').fill(email)
    tab.get_by_role("button", name="Authorize").click()


def test_a_known_user_signs_in_at_the_provider_keeps_the_session_on_reload_and_signs_out(browser, oidc_server):
    context = browser.new_context(locale="ja-JP")
    try:
        tab = context.new_page()
        sign_in_at_provider(tab, oidc_server, KNOWN)
        # back at the dashboard, as the manager of Aomori from [auth.users]
        tab.get_by_text(re.compile("サインイン中: 青森県 課長")).wait_for(timeout=RENDER_TIMEOUT_MS)
        wait_until_idle(tab)
        assert tab.url.startswith(local(oidc_server))
        sidebar = tab.locator('[data-testid="stSidebar"]')
        menu = " ".join(sidebar.locator('[data-testid="stPageLink-NavLink"]').all_inner_texts())
        assert "レポート" in menu and "データ取込" not in menu  # a manager's pages
        assert any(c["name"] == "_streamlit_user" and c["httpOnly"] for c in context.cookies())

        # the role's scope: a municipality of another prefecture is refused from the link
        tab.goto(f"{local(oidc_server)}/regions?pref=13&muni=13101", wait_until="domcontentloaded")
        wait_for_heading(tab, "地域")
        assert "担当の都道府県の外" in sidebar.inner_text()
        for selector in ERROR_SELECTORS:
            assert tab.locator(selector).count() == 0, oidc_server.log()

        # a reload (and a new tab) keeps the provider session
        tab.reload(wait_until="domcontentloaded")
        tab.get_by_text(re.compile("サインイン中: 青森県 課長")).wait_for(timeout=RENDER_TIMEOUT_MS)
        other = context.new_page()
        other.goto(f"{local(oidc_server)}/progress", wait_until="domcontentloaded")
        wait_for_heading(other, "進捗")
        other.close()

        # sign-out: Streamlit sends the browser to the provider's end-session page (RP-initiated logout), which
        # returns it to the dashboard; the identity cookie is gone and the sign-in page is back
        tab.get_by_role("button", name="サインアウト").click()
        tab.wait_for_url(re.compile(r"/oauth2/end_session"), timeout=RENDER_TIMEOUT_MS)
        tab.get_by_role("button", name="End session").click()
        tab.wait_for_url(re.compile(re.escape(local(oidc_server))), timeout=RENDER_TIMEOUT_MS)
        tab.goto(f"{local(oidc_server)}/regions", wait_until="domcontentloaded")
        wait_for_heading(tab, "サインイン")
        assert not any(c["name"] == "_streamlit_user" and c["value"] for c in context.cookies())
    finally:
        context.close()


def test_a_user_the_provider_knows_but_the_dashboard_does_not_is_refused_with_a_clear_message(browser, oidc_server):
    context = browser.new_context(locale="ja-JP")
    try:
        tab = context.new_page()
        sign_in_at_provider(tab, oidc_server, UNKNOWN)
        tab.get_by_text(re.compile("権限が割り当てられていません")).wait_for(timeout=RENDER_TIMEOUT_MS)
        wait_until_idle(tab)
        text = tab.locator('[data-testid="stMain"]').inner_text()
        assert UNKNOWN in text and "管理者に連絡してください" in text
        assert tab.locator('[data-testid="stMain"] h1').first.inner_text().strip() == "サインイン"
        for selector in ('[data-testid="stMetric"]', '[data-testid="stDataFrame"]', '[data-testid="stPlotlyChart"]',
                         '[data-testid="stPageLink-NavLink"]'):  # fmt: skip
            assert tab.locator(selector).count() == 0, selector
    finally:
        context.close()
