"""Reported figures (集計値, issue 16) on the upload page in a real browser: a KPI sheet and a monthly table whose
totals do not add up are previewed with what was inferred and from where, and the warnings, then loaded.

Runs against the harness's ``empty_server`` (a fresh server per module, seeding off). Screenshot:
``artifacts/screenshots/upload_reported_preview.png``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_upload_browser import (  # noqa: F401  (tab is the fixture)
    TIMEOUT_MS,
    assert_no_error_box,
    open_upload_page,
    shoot,
    tab,
    wait_until_idle,
)

pytestmark = pytest.mark.browser

CLEAN_DIR = Path(__file__).resolve().parents[2] / "sample_data" / "clean"
FILES = ("reported_42_nagasaki_KPI_R2.xlsx", "reported_tohoku_totals_mismatch_R4.csv")


def test_reported_figures_preview_shows_context_and_warnings_then_loads(tab, empty_server):  # noqa: F811
    open_upload_page(tab, empty_server)
    uploader = tab.locator('[data-testid="stFileUploader"] input[type="file"]')
    uploader.set_input_files([str(CLEAN_DIR / n) for n in FILES])
    tab.get_by_text("確認結果（まだ保存していません）").wait_for(timeout=TIMEOUT_MS)
    wait_until_idle(tab)
    assert_no_error_box(tab, empty_server)
    main = tab.locator('[data-testid="stMain"]')
    # every file's expander is open enough to read its first sheet; open both to be sure
    for name in FILES:
        header = main.get_by_text(name, exact=False).first
        if "集計値" not in main.inner_text():
            header.click()
            wait_until_idle(tab)
    text = main.inner_text()
    assert "シート「令和2年度 実績」: 集計値（事業別ブロック）・見出し 6 行目" in text
    assert "都道府県: 長崎県（表題行）" in text and "時点（版）: 2021-03-31（注記（※））" in text
    metrics = [
        [t for t in m.inner_text().split("\n") if t.strip()] for m in main.locator('[data-testid="stMetric"]').all()
    ]
    assert ["読込セル", "7"] in metrics and ["取込予定", "6"] in metrics
    tab.set_viewport_size({"width": 1440, "height": 2000})
    wait_until_idle(tab)
    shoot(tab, "upload_reported_preview")
    tab.set_viewport_size({"width": 1440, "height": 1000})

    tab.get_by_role("button", name="取り込む（2 ファイル）").click()
    tab.get_by_text("取込結果").wait_for(timeout=TIMEOUT_MS)
    wait_until_idle(tab)
    assert_no_error_box(tab, empty_server)
    text = main.inner_text()
    assert "reported_42_nagasaki_KPI_R2.xlsx: バッチ 1 として取り込みました（登録 6・保留 0・重複 0・除外 1）" in text
    assert "reported_tohoku_totals_mismatch_R4.csv: バッチ 2 として取り込みました（登録 72・保留 0・重複 0・除外 19）" in text
