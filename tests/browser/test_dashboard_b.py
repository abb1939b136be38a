"""The regions, target-groups and data-quality pages in headless Chromium: charts drawn, no error box, nothing
fetched from the internet (the map uses our GeoJSON only), and clicking a bar selects a prefecture.

Screenshots go to ``artifacts/screenshots/`` (dashboard_b_*.png); look at them.
"""

from __future__ import annotations

import pytest

from tests.browser.test_browser import RENDER_TIMEOUT_MS, assert_healthy, open_page, page, shoot, wait_until_idle

pytestmark = pytest.mark.browser
__all__ = ["page"]  # the fixture, shared with test_browser.py

PLOT = '[data-testid="stPlotlyChart"]'


def open_b(tab, server, url_path: str, **kwargs) -> None:
    """Open the home page first: a fresh server's first deep link shows Streamlit's 'Page not found' dialog
    (pages/ folder, see test_browser.py's xfail), which would cover the screenshot."""
    open_page(tab, server, "")
    open_page(tab, server, url_path, **kwargs)


def test_regions_page_draws_the_map_ranking_and_funnel_offline(page, seeded_server):
    open_b(page, seeded_server, "regions")
    assert_healthy(page, seeded_server)  # includes: no request left 127.0.0.1 (no CDN base map)
    page.wait_for_selector(f"{PLOT} .choroplethlayer path", timeout=RENDER_TIMEOUT_MS)
    assert page.locator(f"{PLOT} .choroplethlayer path").count() >= 47
    assert page.locator(PLOT).count() >= 3  # map, ranking, funnel plot
    assert page.locator('[data-testid="stDataFrame"]').count() >= 1
    shoot(page, "dashboard_b_regions_ja")


def test_regions_tile_grid_view(page, seeded_server):
    open_b(page, seeded_server, "regions")
    page.locator('[data-testid="stMain"]').get_by_text("タイル地図", exact=True).click()
    page.wait_for_selector(f"{PLOT} .choroplethlayer path", state="detached", timeout=RENDER_TIMEOUT_MS)
    wait_until_idle(page)
    assert_healthy(page, seeded_server)
    assert page.locator(f"{PLOT} .choroplethlayer path").count() == 0
    shoot(page, "dashboard_b_regions_tiles")
    assert page.get_by_text("北海道").count() >= 1


def test_clicking_a_bar_selects_the_prefecture_and_drills_down(page, seeded_server):
    open_b(page, seeded_server, "regions")
    bar_chart = page.locator(PLOT).nth(1)
    bar = bar_chart.locator(".bars .point path").first
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    # Plotly's drag layer lies over the bars: click where the bar is, as a person would.
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("() => location.search.includes('pref=')", timeout=RENDER_TIMEOUT_MS)
    wait_until_idle(page)
    assert_healthy(page, seeded_server)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "の市区町村" in main
    shoot(page, "dashboard_b_regions_drilldown")


def test_a_shared_link_opens_the_drilldown_in_english(page, seeded_server):
    open_page(page, seeded_server, "")
    page.goto(f"{seeded_server.url}/regions?lang=en&fy=2023&pref=13&indicator=regular_within_6m_rate")
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=RENDER_TIMEOUT_MS)
    wait_until_idle(page)
    assert_healthy(page, seeded_server)
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "Municipalities of Tokyo" in text
    assert "FY2023" in text
    shoot(page, "dashboard_b_regions_en_link")


def test_target_groups_page_draws_every_chart(page, seeded_server):
    open_b(page, seeded_server, "groups")
    assert_healthy(page, seeded_server)
    assert page.locator(PLOT).count() >= 5  # indicators, path, curves, breakdown, referrals
    page.wait_for_selector(f"{PLOT} .sankey", timeout=RENDER_TIMEOUT_MS)
    shoot(page, "dashboard_b_target_groups_ja")


def test_data_quality_page_shows_gaps_and_batches(page, seeded_server):
    open_b(page, seeded_server, "quality")
    assert_healthy(page, seeded_server)
    assert page.locator(PLOT).count() >= 1
    assert page.locator('[data-testid="stDataFrame"]').count() >= 1
    shoot(page, "dashboard_b_data_quality_ja")


@pytest.mark.parametrize("url_path", ["regions", "groups", "quality"])
def test_pages_say_what_to_do_on_an_empty_database(page, empty_server, url_path):
    open_b(page, empty_server, url_path)
    assert_healthy(page, empty_server)
    assert page.locator('[data-testid="stAlert"]').count() >= 1
