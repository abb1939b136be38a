"""The real server in headless Chromium: every page renders without an error box, in both languages.

Each page is opened with the sample data and with an empty database; a screenshot of each goes to
``artifacts/screenshots/`` (look at them: Japanese must render as text, not as boxes). Pages added to
app.py are picked up automatically; add what a page must show to ``EXPECTED``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

from analytics.text import ui_text
from tests.browser.conftest import Server
from ui.shell import PAGES

pytestmark = pytest.mark.browser

# What each page must show, by URL path ("" = home) and state. Selectors are Streamlit's test ids.
EXPECTED: dict[str, dict[str, dict[str, int]]] = {
    "": {
        # the data-behind tables show one at a time (a segmented control); 概要's charts are Vega-Lite
        "seeded": {'[data-testid="stMetric"]': 4, '[data-testid="stDataFrame"]': 1,
                   '[data-testid="stVegaLiteChart"]': 2},
        "empty": {'[data-testid="stAlert"]': 1},
    },
}
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
ERROR_SELECTORS = ('[data-testid="stException"]', '[data-testid="stAlertContentError"]')
RENDER_TIMEOUT_MS = 30_000
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.fixture
def page(browser):
    """A fresh browser tab that refuses, and records, any request leaving this machine."""
    context = browser.new_context(viewport={"width": 1440, "height": 1200}, locale="ja-JP")
    tab = context.new_page()
    tab.outside_requests = []  # type: ignore[attr-defined]
    tab.page_errors = []  # type: ignore[attr-defined]

    def guard(route):
        host = urlparse(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            tab.outside_requests.append(route.request.url)  # type: ignore[attr-defined]
            route.abort()

    tab.route("**/*", guard)
    tab.on("pageerror", lambda exc: tab.page_errors.append(str(exc)))  # type: ignore[attr-defined]
    yield tab
    context.close()


def open_page(tab, server, url_path: str, *, lang: str | None = None, timeout_ms: int = RENDER_TIMEOUT_MS) -> None:
    """Load a page and wait until Streamlit has finished running the script."""
    query = f"?lang={lang}" if lang else ""
    tab.goto(f"{server.url}/{url_path}{query}", wait_until="domcontentloaded")
    tab.wait_for_selector('[data-testid="stMain"] h1', timeout=timeout_ms)
    wait_until_idle(tab)


def wait_until_idle(tab) -> None:
    """Streamlit shows a status widget while the script runs; wait until it has been gone for a moment."""
    deadline_checks = RENDER_TIMEOUT_MS // 250
    quiet = 0
    for _ in range(deadline_checks):
        running = tab.locator('[data-testid="stStatusWidget"]').count() > 0
        skeleton = tab.locator('[data-testid="stSkeleton"]').count() > 0
        quiet = 0 if (running or skeleton) else quiet + 1
        if quiet >= 3:
            return
        tab.wait_for_timeout(250)
    raise AssertionError("the page kept running for 30 s")


def assert_healthy(tab, server) -> None:
    for selector in ERROR_SELECTORS:
        boxes = tab.locator(selector)
        assert boxes.count() == 0, f"{selector}: {boxes.first.inner_text()[:500]}\n--- server log ---\n{server.log()}"
    assert not tab.outside_requests, f"requests to the internet: {tab.outside_requests}"
    assert not tab.page_errors, f"JavaScript errors: {tab.page_errors}"


def shoot(tab, name: str) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), full_page=True)


def page_name(app_page) -> str:
    return app_page.route


def check_expected(tab, app_page, state: str) -> None:
    for selector, minimum in EXPECTED.get(app_page.url_path, {}).get(state, {}).items():
        count = tab.locator(selector).count()
        assert count >= minimum, f"{page_name(app_page)} ({state}) shows {count} × {selector}, expected ≥ {minimum}"


# ---------------------------------------------------------------------------------------------
# Every page
# ---------------------------------------------------------------------------------------------


def test_every_page_renders_with_the_sample_data(page, seeded_server, app_page):
    open_page(page, seeded_server, app_page.url_path)
    assert_healthy(page, seeded_server)
    assert page.locator('[data-testid="stMain"] h1').first.inner_text().strip() != ""
    check_expected(page, app_page, "seeded")
    shoot(page, f"{page_name(app_page)}_ja")


def test_every_page_renders_in_english(page, seeded_server, app_page):
    open_page(page, seeded_server, app_page.url_path, lang="en")
    assert_healthy(page, seeded_server)
    assert page.title() and re.search(app_page.title_en, page.title()), page.title()
    check_expected(page, app_page, "seeded")
    shoot(page, f"{page_name(app_page)}_en")


def test_every_page_renders_with_an_empty_database(page, empty_server, app_page):
    open_page(page, empty_server, app_page.url_path)
    assert_healthy(page, empty_server)
    check_expected(page, app_page, "empty")
    shoot(page, f"{page_name(app_page)}_empty")


# ---------------------------------------------------------------------------------------------
# The shell
# ---------------------------------------------------------------------------------------------


def test_a_shared_link_opens_the_page_in_its_language_on_a_fresh_server(page, fresh_server, registered_pages):
    """The first request a new server sees is a deep link: app.py must still run (sidebar, seeding)."""
    target = registered_pages[-1].url_path  # the last registered page, reached by its own URL
    # the first request seeds the sample (tens of seconds on a busy machine) before the page's title appears
    open_page(page, fresh_server, target, lang="en", timeout_ms=3 * RENDER_TIMEOUT_MS)
    assert_healthy(page, fresh_server)
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.get_by_text("English", exact=True).count() == 1, "the sidebar from app.py is missing"
    assert "Data as of" in sidebar.inner_text(), "the first start did not seed the sample data"
    shoot(page, "first_start_deep_link")


def sidebar_choice(tab, label: str) -> str:
    """What the sidebar's select box named ``label`` shows."""
    box = tab.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text=label).first
    return box.locator("input").first.input_value()


@pytest.fixture
def just_started_server(seeded_db_path, tmp_path_factory, chromium_path):
    """A server process that has served nothing yet, on a copy of the seeded data (no seeding: a quick start)."""
    data_dir = tmp_path_factory.mktemp("server_just_started") / "data"
    shutil.copytree(seeded_db_path.parent, data_dir)
    server = Server("just_started", data_dir, seeding=False).start()
    yield server
    server.stop()


@pytest.mark.parametrize("route", [url for _f, url, *_ in PAGES])
def test_a_shared_link_on_a_fresh_server_opens_its_page_without_a_dialog(page, just_started_server, route):
    """Issue 19: the first request after a restart is a shared link with parameters. Streamlit serves the page file
    itself (classic pages/ mode), so there is no "Page not found" dialog, and the page opens with its filters."""
    title_en = next(en for _f, url, _ja, en, _icon in PAGES if url == route)
    page.goto(f"{just_started_server.url}/{route}?pref=02&fy=2023&lang=en", wait_until="domcontentloaded")
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=RENDER_TIMEOUT_MS)
    wait_until_idle(page)
    assert page.get_by_text("Page not found").count() == 0
    assert page.locator('[role="dialog"]').count() == 0, page.locator('[role="dialog"]').first.inner_text()
    assert_healthy(page, just_started_server)
    assert page.title().startswith(title_en), page.title()
    assert urlparse(page.url).path == f"/{route}"
    assert "pref=02" in page.url and "fy=2023" in page.url and "lang=en" in page.url, page.url
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar_choice(page, "Prefecture") == "Aomori", "the link's prefecture is not in the sidebar filters"
    assert sidebar.locator('[data-testid="stPageLink-NavLink"]').count() == len(PAGES), "the menu is missing"


def test_the_menu_keeps_the_language_and_filters_from_page_to_page(page, seeded_server):
    open_page(page, seeded_server, "regions?pref=02&lang=en")
    menu = page.locator('[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]')
    assert menu.first.inner_text().strip().endswith("Overview")  # after the icon's ligature name
    menu.filter(has_text="Progress").click()
    page.wait_for_function("() => location.pathname === '/progress'", timeout=RENDER_TIMEOUT_MS)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stMain\"] h1')?.innerText.trim() === 'Progress'",
        timeout=RENDER_TIMEOUT_MS,
    )
    wait_until_idle(page)
    assert_healthy(page, seeded_server)
    assert "pref=02" in page.url and "lang=en" in page.url, page.url
    assert sidebar_choice(page, "Prefecture") == "Aomori"


def test_a_shared_link_opens_without_a_dialog_once_the_server_has_started(page, seeded_server, registered_pages):
    open_page(page, seeded_server, "")
    for app_page in registered_pages:
        open_page(page, seeded_server, app_page.url_path, lang="en")
        assert_healthy(page, seeded_server)
        assert page.get_by_text("Page not found").count() == 0, app_page.url_path
        assert page.title().startswith(app_page.title_en), page.title()


def test_switching_language_updates_the_page_and_the_link(page, seeded_server):
    open_page(page, seeded_server, "")
    assert page.locator("h1").first.inner_text().strip() == ui_text.t("overview.title", "ja")
    page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
    page.wait_for_function("() => location.search.includes('lang=en')", timeout=RENDER_TIMEOUT_MS)
    page.wait_for_function(
        "(t) => document.querySelector('[data-testid=\"stMain\"] h1')?.innerText.trim() === t",
        arg=ui_text.t("overview.title", "en"),
        timeout=RENDER_TIMEOUT_MS,
    )
    wait_until_idle(page)
    assert_healthy(page, seeded_server)
    assert "Data as of" in page.locator('[data-testid="stSidebar"]').inner_text()


def test_the_sidebar_says_when_the_data_is_from(page, seeded_server):
    open_page(page, seeded_server, "")
    text = page.locator('[data-testid="stSidebar"]').inner_text()
    assert re.search(r"データ時点: \d{4}年\d{1,2}月\d{1,2}日", text), text
