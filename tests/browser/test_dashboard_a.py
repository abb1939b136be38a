"""The overview, progress and definitions pages in headless Chromium: cards and charts render without an error
box, a shared link with filters opens the same view, and screenshots go to ``artifacts/screenshots/``."""

from __future__ import annotations

import pytest

from analytics.metrics import indicators
from analytics.views import status
from tests.browser.test_browser import SCREENSHOT_DIR, assert_healthy, page  # noqa: F401  (page is a fixture)

pytestmark = pytest.mark.browser

SLOW_RENDER_MS = 120_000  # the progress page computes every target of a stage on its first, uncached view
MAIN = '[data-testid="stMain"]'


def wait_idle(tab, timeout_ms: int = SLOW_RENDER_MS) -> None:
    """Wait until Streamlit has stopped running the script (no status widget, no skeleton) for a moment."""
    quiet = 0
    for _ in range(timeout_ms // 250):
        busy = tab.locator('[data-testid="stStatusWidget"], [data-testid="stSkeleton"]').count() > 0
        quiet = 0 if busy else quiet + 1
        if quiet >= 4:
            return
        tab.wait_for_timeout(250)
    raise AssertionError(f"the page kept running for {timeout_ms // 1000} s")


_warmed: set[str] = set()


def open_view(tab, server, path: str, query: str = "") -> None:
    if server.url not in _warmed:
        # Streamlit shows "Page not found" when a server's very first request is a deep link (reported to the
        # app shell's owner); open the home page once so the screenshots show the pages as users see them.
        tab.goto(server.url, wait_until="domcontentloaded")
        tab.wait_for_selector(f"{MAIN} h1", timeout=SLOW_RENDER_MS)
        wait_idle(tab)
        _warmed.add(server.url)
    tab.goto(f"{server.url}/{path}{'?' + query if query else ''}", wait_until="domcontentloaded")
    tab.wait_for_selector(f"{MAIN} h1", timeout=SLOW_RENDER_MS)
    wait_idle(tab)
    tab.wait_for_timeout(500)  # plotly draws after the script run ends


def shoot(tab, name: str) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), full_page=True)


def count(tab, selector: str) -> int:
    return tab.locator(f"{MAIN} {selector}").count()


def test_overview_shows_cards_summary_and_charts(page, seeded_server):  # noqa: F811
    open_view(page, seeded_server, "")
    assert_healthy(page, seeded_server)
    assert count(page, '[data-testid="stMetric"]') >= 6
    # 概要's two charts are Vega-Lite (analytics/charts/vega.py), drawn as SVG, and no Plotly is loaded
    assert count(page, '[data-testid="stVegaLiteChart"]') >= 2  # the KPI sparklines are stMetricChart
    page.wait_for_function("() => document.querySelectorAll('[data-testid=\"stVegaLiteChart\"] svg.marks').length >= 2")
    assert count(page, '[data-testid="stPlotlyChart"]') == 0
    assert "正社員就職者数は" in page.locator(MAIN).inner_text()
    assert "fy=" in page.url  # the chosen period is in the link
    shoot(page, "dashboard_overview_ja")


def test_progress_shows_targets_burnups_headline_and_prefecture_table(page, seeded_server):  # noqa: F811
    open_view(page, seeded_server, "progress")
    page.wait_for_selector(f'{MAIN} [data-testid="stDataFrame"]', timeout=SLOW_RENDER_MS)
    wait_idle(page)
    page.wait_for_timeout(500)
    assert_healthy(page, seeded_server)
    assert count(page, '[data-testid="stMetric"]') >= 2
    page.locator(f'{MAIN} [data-testid="stPlotlyChart"]').nth(2).wait_for(timeout=SLOW_RENDER_MS)  # Plotly loads late
    assert count(page, '[data-testid="stPlotlyChart"]') >= 3  # two burn-ups and the headline
    assert count(page, '[data-testid="stDataFrame"]') >= 1
    text = page.locator(MAIN).inner_text()
    assert "労働力調査" in text and "順調" in text
    shoot(page, "dashboard_progress_ja")


def test_definitions_lists_the_registry_and_opens_at_a_linked_indicator(page, seeded_server):  # noqa: F811
    open_view(page, seeded_server, "definitions", "indicator=retention_6m_rate")
    assert_healthy(page, seeded_server)
    text = page.locator(MAIN).inner_text()
    assert indicators.REGISTRY_BY_ID["retention_6m_rate"].definition_ja in text
    shoot(page, "dashboard_definitions_ja")


def test_a_card_link_leads_to_the_definitions_page(page, seeded_server):  # noqa: F811
    open_view(page, seeded_server, "")
    page.locator(f'{MAIN} a[href*="definitions"]').first.click()
    page.wait_for_function("() => location.pathname.endsWith('/definitions')", timeout=SLOW_RENDER_MS)
    wait_idle(page)
    assert_healthy(page, seeded_server)
    assert "indicator=" in page.url


def test_a_shared_link_with_filters_opens_the_same_view(page, seeded_server, seeded_db_path):  # noqa: F811
    open_view(page, seeded_server, "", "fy=2022&pref=13&tg=long_term_jobless&lang=en")
    assert_healthy(page, seeded_server)
    shoot(page, "dashboard_overview_shared_link_en")
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "Long-term jobless" in sidebar  # the chosen group shows as a tag in the sidebar
    summary = page.locator(MAIN).inner_text()
    assert "In FY2022, regular placed persons (Tokyo (Long-term jobless))" in summary
    with status.read_connection(seeded_db_path) as con:
        df = indicators.compute(
            con,
            filters={"fiscal_year": [2022], "prefecture_code": "13", "target_group": "long_term_jobless"},
            indicators=["consultations"],
        )
    card = page.locator(f'{MAIN} [data-testid="stMetric"]').first.inner_text()
    assert f"{int(df['consultations'].iloc[0]):,}" in card
    for part in ("fy=2022", "pref=13", "tg=long_term_jobless", "lang=en"):
        assert part in page.url


def test_empty_database_pages_say_what_to_do(page, empty_server):  # noqa: F811
    for path in ("", "progress", "definitions"):
        open_view(page, empty_server, path)
        assert_healthy(page, empty_server)
        if path != "definitions":
            assert count(page, '[data-testid="stAlert"]') >= 1
    open_view(page, empty_server, "progress")
    shoot(page, "dashboard_progress_empty")
