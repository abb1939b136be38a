"""The データ取込 and 取込履歴 pages in AppTest: upload, preview, override, save a mapping, load, history, rollback."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.views import status, upload

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MESSY = PROJECT_ROOT / "sample_data" / "messy"
UPLOAD, HISTORY = "pages/upload.py", "pages/history.py"
TIMEOUT = 60


def run_page(page: str, *, lang: str | None = None) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=TIMEOUT)
    if lang:
        at.query_params["lang"] = lang
    at.run()
    at.switch_page(page).run()
    assert_ok(at)
    return at


def assert_ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def files(*names: str) -> list[tuple[str, bytes, str]]:
    return [(n, (MESSY / n).read_bytes(), "application/octet-stream") for n in names]


def counts(db_path: Path) -> dict[str, int]:
    with status.read_connection(db_path) as con:
        return {
            t: con.execute(f"select count(*) from {t}").fetchone()[0]
            for t in ("batches", "consultations", "placements", "quarantine")
        }


def metrics(at: AppTest) -> list[tuple[str, str]]:
    return [(m.label, m.value) for m in at.main.metric]


# ---------------------------------------------------------------------------------------------
# Upload page
# ---------------------------------------------------------------------------------------------


def test_upload_page_before_any_file_offers_the_templates(empty_db):
    at = run_page(UPLOAD)
    assert at.title[0].value == "データ取込"
    assert [b.label for b in at.download_button] == [
        "相談記録のテンプレート",
        "就職等実績のテンプレート",
        "目標のテンプレート",
        "市町村プラットフォーム調査のテンプレート",
        "集計値（縦持ち）のテンプレート",
        "事業別KPIのテンプレート",
    ]
    assert [i.value for i in at.info] == [upload.tr("upload.empty")]
    assert all(b.key != "upload.load" for b in at.button)


def test_upload_page_in_english(empty_db):
    at = run_page(UPLOAD, lang="en")
    assert at.title[0].value == "Upload data"
    assert at.download_button[0].label == "Consultations template"


def test_uploading_the_messy_samples_shows_mapping_and_counts_and_writes_nothing(empty_db):
    at = run_page(UPLOAD)
    names = ("k_bad_rows_consultations.csv", "c_aomori_R3_titled_merged.xlsx", "h_personal_data.csv")
    at.file_uploader[0].set_value(files(*names)).run()
    assert_ok(at)
    summary = at.dataframe[0].value
    k = summary[summary["ファイル名"] == "k_bad_rows_consultations.csv"].iloc[0]
    # the 集計 sheet is skipped: its counts read "–", so the count columns are shown as right-aligned text
    assert (k["読込行"], k["取込予定"], k["保留"]) == ("40", "30", "10")
    c = summary[summary["ファイル名"] == "c_aomori_R3_titled_merged.xlsx"].set_index("シート")
    assert c.loc["相談記録", "取込予定"] == "31" and c.loc["就職実績", "取込予定"] == "11"
    assert c.loc["集計", "読込行"] == "–" and "None" not in summary.to_string()
    shown = metrics(at)
    assert ("保留", "10") in shown and ("取込予定", "30") in shown
    headings = [m.value for m in at.markdown]
    assert any("シート「相談記録」: 相談記録・見出し 4〜5 行目（2段）" in h for h in headings)
    # the mapping: one select box per column, showing the stored column it maps to
    boxes = {b.label: b.value for b in at.selectbox if b.key and b.key.startswith("map|")}
    assert boxes["対象者ID"] == "person_id" and boxes["就職区分"] == "outcome_type"
    assert any("氏名" in c.value and "削除" in c.value for c in at.caption)
    assert at.button(key="upload.load").label == "取り込む（3 ファイル）"
    assert counts(empty_db) == {"batches": 0, "consultations": 0, "placements": 0, "quarantine": 0}


def test_loading_writes_one_batch_per_file_and_shows_the_results(empty_db):
    at = run_page(UPLOAD)
    at.file_uploader[0].set_value(files("k_bad_rows_consultations.csv", "d_legacy_placements.xls")).run()
    at.button(key="upload.load").click().run()
    assert_ok(at)
    messages = [s.value for s in at.success]
    assert "k_bad_rows_consultations.csv: バッチ 1 として取り込みました（登録 30・保留 10・重複 0・除外 0）" in messages
    assert any(m.startswith("d_legacy_placements.xls: バッチ 2") for m in messages)
    assert counts(empty_db) == {"batches": 2, "consultations": 30, "placements": 42, "quarantine": 10}
    labels = [b.label for b in at.download_button]
    assert upload.tr("upload.quarantine_download") in labels  # the kept-aside rows of k, as Excel
    assert not at.file_uploader[0].value  # the uploader is empty again: nothing is loaded twice
    at.button(key="upload.clear").click().run()
    assert not at.success


def _renamed(first_row: int, rows: int) -> bytes:
    """The CP932 sample with its ID column under a header no alias knows (a sender's own layout)."""
    lines = (MESSY / "a_cp932_consultations.csv").read_bytes().decode("cp932").splitlines()
    header = lines[0].split(",")
    header[0] = "整理記号"
    return "\n".join([",".join(header), *lines[first_row : first_row + rows]]).encode("cp932")


def test_the_analyst_corrects_a_mapping_saves_it_and_the_next_file_uses_it(empty_db):
    at = run_page(UPLOAD)
    at.file_uploader[0].set_value([("4月.csv", _renamed(1, 20), "text/csv")]).run()
    assert not at.exception  # the file cannot load yet: its error box is expected
    assert any("必須の列がありません" in e.value for e in at.error)
    box = next(b for b in at.selectbox if b.label == "整理記号")
    assert box.value == ""
    box.set_value("person_id").run()
    assert_ok(at)
    assert at.button(key="upload.load").label == "取り込む（1 ファイル）"
    name_box = next(t for t in at.text_input if t.key and t.key.startswith("profile|"))
    name_box.set_value("〇〇県サポステ 月次").run()
    next(b for b in at.button if b.key and b.key.startswith("save|")).click().run()
    assert_ok(at)
    assert any("〇〇県サポステ 月次" in s.value for s in at.success)
    assert counts(empty_db)["batches"] == 0  # saving a mapping loads nothing

    at.file_uploader[0].set_value([("5月.csv", _renamed(21, 20), "text/csv")]).run()
    assert_ok(at)
    assert any("保存した対応「〇〇県サポステ 月次」を自動で適用しました" in c.value for c in at.caption)
    assert next(b for b in at.selectbox if b.label == "整理記号").value == "person_id"
    at.button(key="upload.load").click().run()
    assert_ok(at)
    assert counts(empty_db)["consultations"] == 20


def test_a_file_that_was_loaded_before_is_marked_and_not_offered(empty_db):
    at = run_page(UPLOAD)
    at.file_uploader[0].set_value(files("j1_resent_placements_a.csv")).run()
    at.button(key="upload.load").click().run()
    at.file_uploader[0].set_value(files("j1_resent_placements_b.csv")).run()
    assert_ok(at)
    assert any("バッチ 1 で取込済み" in i.value for i in at.info)
    assert at.button(key="upload.load").disabled


def test_a_file_over_the_limit_is_refused_with_a_japanese_message(empty_db, monkeypatch):
    monkeypatch.setenv(upload.MAX_ROWS_ENV, "10")
    at = run_page(UPLOAD)
    at.file_uploader[0].set_value(files("a_cp932_consultations.csv")).run()
    assert any("上限 10 行を超えています" in e.value for e in at.error)
    assert at.button(key="upload.load").disabled


# ---------------------------------------------------------------------------------------------
# History page
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def loaded_db(empty_db) -> Path:
    names = ("a_cp932_consultations.csv", "k_bad_rows_consultations.csv", "d_legacy_placements.xls")
    previews = upload.prepare_uploads([(n, (MESSY / n).read_bytes()) for n in names], db_path=empty_db)
    upload.load_previews(previews, db_path=empty_db)
    return empty_db


def test_history_with_no_batches_says_how_to_load(empty_db):
    at = run_page(HISTORY)
    assert at.title[0].value == "取込履歴"
    assert [i.value for i in at.info] == [upload.tr("history.empty")]


def test_history_lists_filters_and_searches_batches(loaded_db):
    at = run_page(HISTORY)
    assert len(at.dataframe[0].value) == 3
    at.text_input(key="history.search").set_value("bad").run()
    assert at.dataframe[0].value["ファイル名"].tolist() == ["k_bad_rows_consultations.csv"]
    at.text_input(key="history.search").set_value("").run()
    at.multiselect(key="history.kinds").set_value(["placements"]).run()
    assert at.dataframe[0].value["ファイル名"].tolist() == ["d_legacy_placements.xls"]
    at.multiselect(key="history.statuses").set_value(["rolled_back"]).run()
    assert [i.value for i in at.info] == [upload.tr("history.none_match")]


def test_history_offers_the_quarantine_of_a_past_batch(loaded_db):
    at = run_page(HISTORY)
    at.selectbox(key="history.batch").set_value(2).run()
    assert_ok(at)
    assert at.download_button(key="history.quarantine.2").label == "保留の行を Excel でダウンロード（10 行）"


def test_rollback_asks_for_confirmation_stating_rows_and_indicators_then_removes_exactly_that_batch(loaded_db):
    at = run_page(HISTORY)
    at.selectbox(key="history.batch").set_value(2).run()
    at.button(key="history.rollback").click().run()
    assert_ok(at)
    confirmation = at.warning[0].value
    assert "相談記録: 30 行を削除" in confirmation
    assert "保留の記録: 10 行を削除" in confirmation
    assert "値が変わる指標:" in confirmation and "相談件数" in confirmation
    assert counts(loaded_db)["consultations"] == 80  # nothing removed before confirming
    at.button(key="history.rollback_confirm").click().run()
    assert_ok(at)
    assert at.success[0].value == "バッチ 2 を取り消しました（相談記録 30）。"
    assert counts(loaded_db) == {"batches": 3, "consultations": 50, "placements": 42, "quarantine": 0}
    at.selectbox(key="history.batch").set_value(2).run()
    assert any("取り消し済み" in i.value for i in at.info)


def test_rollback_can_be_cancelled(loaded_db):
    at = run_page(HISTORY)
    at.selectbox(key="history.batch").set_value(1).run()
    at.button(key="history.rollback").click().run()
    at.button(key="history.rollback_cancel").click().run()
    assert_ok(at)
    assert not at.warning
    assert counts(loaded_db)["consultations"] == 80


def test_history_in_english(loaded_db):
    at = run_page(HISTORY, lang="en")
    assert at.title[0].value == "Upload history"
    assert "File" in at.dataframe[0].value.columns


# ---------------------------------------------------------------------------------------------
# Reported figures (集計値, issue 16)
# ---------------------------------------------------------------------------------------------

CLEAN = PROJECT_ROOT / "sample_data" / "clean"
BARE_MONTHLY = "都道府県,4月,5月\r\n青森県,3,4\r\n岩手県,5,-\r\n".encode("cp932")


def test_a_kpi_sheet_shows_what_was_inferred_and_from_where_then_loads_figures_and_targets(empty_db):
    at = run_page(UPLOAD)
    name = "reported_42_nagasaki_KPI_R2.xlsx"
    at.file_uploader[0].set_value([(name, (CLEAN / name).read_bytes(), "application/octet-stream")]).run()
    assert_ok(at)
    headings = [m.value for m in at.markdown]
    assert "##### シート「令和2年度 実績」: 集計値（事業別ブロック）・見出し 6 行目" in headings
    # counts are figure cells: 7 read, 6 to load (3 results + 3 targets), 1 published rate excluded
    assert metrics(at)[:5] == [("読込セル", "7"), ("取込予定", "6"), ("保留", "0"), ("重複（取込済み）", "0"),
                               ("除外（内訳のある合計・率）", "1")]
    context = next(d.value for d in at.dataframe if "読み取り元" in d.value.columns)
    row = context[context["項目"] == "都道府県"].iloc[0]
    assert (row["値"], row["読み取り元"]) == ("長崎県", "表題行")
    row = context[context["項目"] == "時点（版）"].iloc[0]
    assert (row["値"], row["読み取り元"], row["元の文字列"]) == ("2021-03-31", "注記（※）", "※ 令和3年3月末現在")
    checks = next(d.value for d in at.dataframe if "照合" in d.value.columns)
    assert list(checks["照合"]) == ["rate_mismatch"]
    at.button(key="upload.load").click().run()
    assert_ok(at)
    with status.read_connection(empty_db) as con:
        assert con.execute("select count(*) from reported_figures").fetchone()[0] == 3
        assert con.execute("select count(*) from targets where prefecture_code = '42'").fetchone()[0] == 3
        assert con.execute("select count(*) from reported_checks").fetchone()[0] == 1


def test_the_analyst_sets_the_measure_and_year_of_a_bare_table_and_saves_them_for_the_next_file(empty_db):
    at = run_page(UPLOAD)
    at.file_uploader[0].set_value([("労働局_月次.csv", BARE_MONTHLY, "text/csv")]).run()
    assert_ok(at)
    assert metrics(at)[:3] == [("読込セル", "4"), ("取込予定", "0"), ("保留", "4")]  # no measure, no year yet
    measure = next(t for t in at.text_input if t.key and t.key.endswith("|measure"))
    measure.set_value("正社員就職件数").run()
    next(t for t in at.text_input if t.key and t.key.endswith("|fiscal_year")).set_value("令和4年度").run()
    assert_ok(at)
    assert metrics(at)[:3] == [("読込セル", "4"), ("取込予定", "4"), ("保留", "0")]
    context = next(d.value for d in at.dataframe if "読み取り元" in d.value.columns)
    row = context[context["項目"] == "指標"].iloc[0]
    assert (row["値"], row["読み取り元"]) == ("正社員就職件数（regular_placements）", "指定（--map / 画面）")
    name_box = next(t for t in at.text_input if t.key and t.key.startswith("profile|"))
    name_box.set_value("青森労働局 月次").run()
    next(b for b in at.button if b.key and b.key.startswith("save|")).click().run()
    assert_ok(at)
    at.button(key="upload.load").click().run()
    assert_ok(at)

    again = "都道府県,4月,5月\r\n青森県,6,7\r\n岩手県,8,9\r\n".encode("cp932")
    at.file_uploader[0].set_value([("労働局_月次_2.csv", again, "text/csv")]).run()
    assert_ok(at)
    assert any("保存した対応「青森労働局 月次」を自動で適用しました" in c.value for c in at.caption)
    assert metrics(at)[:3] == [("読込セル", "4"), ("取込予定", "4"), ("保留", "0")]
    at.button(key="upload.load").click().run()
    with status.read_connection(empty_db) as con:
        assert con.execute(
            "select count(*), min(fiscal_year), max(fiscal_year) from reported_figures where measure = 'regular_placements'"
        ).fetchone() == (8, 2022, 2022)
