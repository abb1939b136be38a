"""Reported figures in headless Chromium (issue 16): 進捗 shows a prefecture measured by reported figures with their
source and vintage and the 事業別 KPI table; データ品質 shows records against reported figures and the checks.

The first two tests run on the sample's records plus the hand-computed rows of tests/reported_rows.py; the last two
on the seeded sample itself, as a first start loads it (records and the reported-figure files of sample_data/clean).
Screenshots: artifacts/screenshots/reported_*.png.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import Server, seeded_server  # noqa: F401 (the seeded sample's server)
from tests.browser.test_browser import (  # noqa: F401 (the page fixture)
    RENDER_TIMEOUT_MS,
    assert_healthy,
    page,
    shoot,
    wait_until_idle,
)
from tests.reported_rows import seeded_copy_with_reported

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def reported_server(seeded_db_path, tmp_path_factory, chromium_path) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("server_reported") / "data"
    seeded_copy_with_reported(seeded_db_path, data_dir)
    server = Server("reported", data_dir, seeding=False).start()
    yield server
    server.stop()


def open_url(tab, server, path: str) -> None:
    if not getattr(server, "warmed", False):  # the first deep link of a fresh server: start at home (test_browser)
        tab.goto(server.url, wait_until="domcontentloaded")
        tab.wait_for_selector('[data-testid="stMain"] h1', timeout=RENDER_TIMEOUT_MS)
        wait_until_idle(tab)
        server.warmed = True
    tab.goto(f"{server.url}/{path}", wait_until="domcontentloaded")
    tab.wait_for_selector('[data-testid="stMain"] h1', timeout=RENDER_TIMEOUT_MS)
    wait_until_idle(tab)


def test_progress_shows_reported_figures_with_their_source(page, reported_server):  # noqa: F811
    open_url(page, reported_server, "progress?pref=42&stage=第1ステージ")
    assert_healthy(page, reported_server)
    main = page.locator('[data-testid="stMain"]')
    page.get_by_text("事業別 KPI").first.wait_for(timeout=RENDER_TIMEOUT_MS)
    text = main.inner_text()
    for words in ("270 / 360", "155 / 300", "出所: 報告値（労働局）・2022年10月5日時点",
                  "出所: 報告値（サポステ）・2022年3月10日時点", "報告値", "事業別 KPI"):
        assert words in text, words
    # burn-ups from reported figures (Plotly's bundle loads when the first chart mounts: 概要 no longer loads it)
    page.locator('[data-testid="stPlotlyChart"]').nth(1).wait_for(timeout=RENDER_TIMEOUT_MS)
    # the grids draw on a canvas: the place's targets with their source, the 事業別 KPI table, every prefecture
    page.locator('[data-testid="stDataFrame"]').nth(2).wait_for(timeout=RENDER_TIMEOUT_MS)
    shoot(page, "reported_progress_nagasaki")


def test_data_quality_shows_the_reconciliation_and_checks(page, reported_server):  # noqa: F811
    open_url(page, reported_server, "quality?fy=2023")
    assert_healthy(page, reported_server)
    page.get_by_text("記録と報告値の突合").first.wait_for(timeout=RENDER_TIMEOUT_MS)
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "記録と報告値の突合（都道府県×月）" in text
    assert "報告された表の点検（合計の不一致・率の不一致）" in text
    page.locator('[data-testid="stDataFrame"]').nth(1).wait_for(timeout=RENDER_TIMEOUT_MS)
    shoot(page, "reported_quality")


def test_the_seeded_samples_reported_figures_appear_on_progress_with_their_source(page, seeded_server):  # noqa: F811
    """長崎県's KPI sheet (reported_42_nagasaki_KPI_R2.xlsx): 進路決定者数 41 of 150 reported by サポステ as of
    令和3年3月31日, on the card and in the 事業別 KPI table (values from analytics/sample/reported.py)."""
    open_url(page, seeded_server, "progress?pref=42&stage=第1ステージ")
    assert_healthy(page, seeded_server)
    page.get_by_text("事業別 KPI").first.wait_for(timeout=RENDER_TIMEOUT_MS)
    text = page.locator('[data-testid="stMain"]').inner_text()
    for words in ("41 / 150", "出所: 報告値（サポステ）・2021年3月31日時点", "報告値", "事業別 KPI"):
        assert words in text, words
    shoot(page, "reported_progress_sample_nagasaki")


def test_the_seeded_samples_reconciliation_appears_on_data_quality(page, seeded_server):  # noqa: F811
    """The labour bureau's monthly table (reported_hw_monthly_R5.xlsx, FY2023) beside the records, and the Tohoku
    table whose totals do not add up (reported_tohoku_totals_mismatch_R4.csv) among the checks."""
    open_url(page, seeded_server, "quality?fy=2023")
    assert_healthy(page, seeded_server)
    page.get_by_text("記録と報告値の突合").first.wait_for(timeout=RENDER_TIMEOUT_MS)
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "記録と報告値の突合（都道府県×月）" in text
    assert "報告された表の点検（合計の不一致・率の不一致）" in text
    page.locator('[data-testid="stDataFrame"]').nth(1).wait_for(timeout=RENDER_TIMEOUT_MS)
    shoot(page, "reported_quality_sample")
