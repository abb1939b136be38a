"""The upload itself in a real browser: Playwright puts the committed messy samples into the file uploader.

Runs against the harness's ``empty_server`` (a fresh server per module, seeding off): upload three messy files,
see the detected mapping and the counts, press 取り込む, see one batch per file, then find them in 取込履歴.
Screenshots go to ``artifacts/screenshots/upload_*.png`` (the README's copies live in ``docs/screenshots/``).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MESSY = PROJECT_ROOT / "sample_data" / "messy"
SCREENSHOT_DIR = PROJECT_ROOT / "artifacts" / "screenshots"
TIMEOUT_MS = 60_000
FILES = ("k_bad_rows_consultations.csv", "c_aomori_R3_titled_merged.xlsx", "h_personal_data.csv")


@pytest.fixture
def tab(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="ja-JP")
    page = context.new_page()
    outside: list[str] = []

    def guard(route):
        host = urlparse(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in {"127.0.0.1", "localhost"}:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.outside_requests = outside  # type: ignore[attr-defined]
    yield page
    context.close()


def wait_until_idle(page) -> None:
    quiet = 0
    for _ in range(TIMEOUT_MS // 250):
        busy = page.locator('[data-testid="stStatusWidget"], [data-testid="stSkeleton"]').count() > 0
        quiet = 0 if busy else quiet + 1
        if quiet >= 4:
            return
        page.wait_for_timeout(250)
    raise AssertionError("the page kept running")


def assert_no_error_box(page, server) -> None:
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, f"{boxes.first.inner_text()[:500]}\n{server.log()}"
    assert not page.outside_requests, page.outside_requests  # type: ignore[attr-defined]


def shoot(page, name: str) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"))


def open_upload_page(tab, server) -> None:
    tab.goto(f"{server.url}/upload", wait_until="domcontentloaded")
    tab.wait_for_selector('[data-testid="stMain"] h1', timeout=TIMEOUT_MS)
    wait_until_idle(tab)


def test_upload_messy_samples_preview_load_and_history(tab, empty_server):
    open_upload_page(tab, empty_server)
    assert tab.locator('[data-testid="stMain"] h1').first.inner_text().strip() == "データ取込"

    tab.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files([str(MESSY / n) for n in FILES])
    tab.get_by_text("確認結果（まだ保存していません）").wait_for(timeout=TIMEOUT_MS)
    wait_until_idle(tab)
    assert_no_error_box(tab, empty_server)
    main = tab.locator('[data-testid="stMain"]')
    text = main.inner_text()
    # the header rows and the mapping the ingest found, before anything is saved
    assert "シート「相談記録」: 相談記録・見出し 4〜5 行目（2段）" in text
    # the column each header was mapped to is the value of its select box (labelled with the header)
    mapped = {
        box.locator("input").first.get_attribute("aria-label"): box.locator("input").first.input_value()
        for box in main.locator('[data-testid="stSelectbox"]').all()
    }
    assert "個人ID（person_id）" in mapped.values() and "就職等区分（outcome_type）" in mapped.values(), mapped
    assert "個人情報の列は保存前に削除します: 氏名" in text
    metrics = [
        [t for t in m.inner_text().split("\n") if t.strip()] for m in main.locator('[data-testid="stMetric"]').all()
    ]
    assert ["取込予定", "30"] in metrics and ["保留", "10"] in metrics
    load = tab.get_by_role("button", name="取り込む（3 ファイル）")
    assert load.is_enabled()
    # Streamlit scrolls inside its own container, so a taller window, not full_page, shows more of the preview.
    tab.set_viewport_size({"width": 1440, "height": 2000})
    wait_until_idle(tab)
    shoot(tab, "upload_preview")
    tab.set_viewport_size({"width": 1440, "height": 1000})

    load.click()
    tab.get_by_text("取込結果").wait_for(timeout=TIMEOUT_MS)
    wait_until_idle(tab)
    assert_no_error_box(tab, empty_server)
    text = main.inner_text()
    assert "k_bad_rows_consultations.csv: バッチ 1 として取り込みました（登録 30・保留 10・重複 0・除外 0）" in text
    assert "c_aomori_R3_titled_merged.xlsx: バッチ 2 として取り込みました（登録 42" in text
    assert "h_personal_data.csv: バッチ 3 として取り込みました（登録 24" in text
    assert tab.get_by_role("button", name="保留の行を Excel でダウンロード").count() == 1
    with tab.expect_download() as download:
        tab.get_by_role("button", name="保留の行を Excel でダウンロード").click()
    assert download.value.suggested_filename == "保留_バッチ1_k_bad_rows_consultations.xlsx"
    shoot(tab, "upload_result")

    tab.goto(f"{empty_server.url}/history", wait_until="domcontentloaded")
    tab.wait_for_selector('[data-testid="stMain"] h1', timeout=TIMEOUT_MS)
    wait_until_idle(tab)
    assert_no_error_box(tab, empty_server)
    assert "3 / 3 件のバッチ" in tab.locator('[data-testid="stMain"]').inner_text()
    tab.get_by_role("button", name="このバッチを取り消す").click()
    tab.get_by_text("取り消す（元に戻せません）").wait_for(timeout=TIMEOUT_MS)
    wait_until_idle(tab)
    assert "値が変わる指標" in tab.locator('[data-testid="stMain"]').inner_text()
    shoot(tab, "history_rollback_confirmation")
