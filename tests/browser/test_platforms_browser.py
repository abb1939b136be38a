"""市町村プラットフォーム in headless Chromium: the nation and a prefecture, in Japanese and English, with screenshots
(artifacts/screenshots/platforms_*.png)."""

from __future__ import annotations

import pytest

from tests.browser.test_browser import (  # noqa: F401 (the page fixture)
    RENDER_TIMEOUT_MS,
    SCREENSHOT_DIR,
    assert_healthy,
    page,
    shoot,
    wait_until_idle,
)

pytestmark = pytest.mark.browser
URL = "municipal-platforms"


def open_url(tab, server, query: str) -> None:
    tab.goto(f"{server.url}/{URL}?{query}", wait_until="domcontentloaded")
    tab.wait_for_selector('[data-testid="stMain"] h1', timeout=RENDER_TIMEOUT_MS)
    wait_until_idle(tab)


@pytest.mark.parametrize(("lang", "title", "words"), [
    ("ja", "市町村プラットフォーム", ["青森県の市町村", "関連を示すだけで、効果を示すものではありません", "事務局（担当課）の記載がない市町村"]),
    ("en", "Municipal platforms", ["Municipalities of Aomori", "association, not effect", "Partner types most often missing"]),
])  # fmt: skip
def test_prefecture_view_renders(page, seeded_server, lang, title, words):  # noqa: F811
    open_url(page, seeded_server, f"pref=02&fy=2024&lang={lang}")
    assert_healthy(page, seeded_server)
    main = page.locator('[data-testid="stMain"]')
    assert main.locator("h1").first.inner_text().strip() == title
    text = main.inner_text()
    for word in words:
        assert word in text, word
    assert page.locator('[data-testid="stMetric"]').count() >= 7
    page.locator('[data-testid="stPlotlyChart"]').nth(4).wait_for(timeout=RENDER_TIMEOUT_MS)  # Plotly loads late
    assert page.locator('[data-testid="stPlotlyChart"]').count() >= 5  # map, ranking, trend, grid, missing, comparison
    assert page.locator('[data-testid="stDataFrame"]').count() >= 2
    assert page.get_by_text("Page not found").count() == 0
    shoot(page, f"platforms_prefecture_{lang}")
    for i, name in ((3, "grid"), (5, "comparison")):  # the partner grid and the with/without comparison
        chart = page.locator('[data-testid="stPlotlyChart"]').nth(i)
        chart.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        chart.screenshot(path=str(SCREENSHOT_DIR / f"platforms_{name}_{lang}.png"))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_national_view_renders_map_and_tiles(page, seeded_server, lang):  # noqa: F811
    open_url(page, seeded_server, f"lang={lang}")
    assert_healthy(page, seeded_server)
    page.locator('[data-testid="stPlotlyChart"]').nth(1).wait_for(timeout=RENDER_TIMEOUT_MS)  # Plotly loads late
    assert page.locator('[data-testid="stPlotlyChart"]').count() >= 2
    shoot(page, f"platforms_national_{lang}")
    page.locator('[data-testid="stMain"] button', has_text="タイル" if lang == "ja" else "Tile grid").first.click()
    wait_until_idle(page)
    assert_healthy(page, seeded_server)
    shoot(page, f"platforms_tiles_{lang}")
