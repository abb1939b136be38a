"""analytics/views/upload.py: previews of many files, overrides and saved mappings, limits, loading, history,
rollback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analytics import db
from analytics.ingest import load
from analytics.text import ui_text
from analytics.views import status, upload

MESSY = Path(__file__).resolve().parents[2] / "sample_data" / "messy"
EXPECTED = json.loads((MESSY / "EXPECTED.json").read_text(encoding="utf-8"))["files"]
MESSY_FILES = sorted(n for n in EXPECTED if not EXPECTED[n].get("after"))  # each loads alone into an empty db


def messy(*names: str) -> list[tuple[str, bytes]]:
    return [(n, (MESSY / n).read_bytes()) for n in names]


def table_counts(db_path: Path) -> dict[str, int]:
    with status.read_connection(db_path) as con:
        return {
            t: con.execute(f"select count(*) from {t}").fetchone()[0]
            for t in ("batches", "consultations", "placements", "targets", "quarantine", "mapping_profiles")
        }


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "u.duckdb"


@pytest.fixture(scope="module")
def messy_previews(tmp_path_factory) -> tuple[Path, list[upload.FilePreview]]:
    path = tmp_path_factory.mktemp("previews") / "p.duckdb"
    return path, upload.prepare_uploads(messy(*MESSY_FILES), db_path=path)


# ---------------------------------------------------------------------------------------------
# Previews
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", MESSY_FILES)
def test_preview_of_each_messy_file_shows_the_expected_kind_and_counts(messy_previews, name):
    _, previews = messy_previews
    preview = next(p for p in previews if p.name == name)
    spec = EXPECTED[name]
    assert preview.status == "ready", preview.message()
    report = preview.report
    if spec["kind"]:
        assert report.kinds == [spec["kind"]]
    want = spec["expected"]
    assert report.total("rows_loaded_or_expected") == want["loaded"]
    assert report.total("quarantined") == want["quarantined"]
    assert report.total("duplicates") == want["duplicate"]
    if want["excluded"] is not None:
        assert report.total("rows_excluded") == want["excluded"]
    for sheet in report.sheets:  # the preview's counts add up to the rows read
        if sheet.status == "ready":
            counts = upload.sheet_counts(sheet)
            assert counts["rows_read"] == sum(v for k, v in counts.items() if k != "rows_read")


def test_preview_shows_the_mapping_and_header_rows_of_a_titled_two_row_workbook(messy_previews):
    _, previews = messy_previews
    preview = next(p for p in previews if p.name == "c_aomori_R3_titled_merged.xlsx")
    spec = EXPECTED[preview.name]["sheets"]
    sheets = {s.sheet: s for s in preview.sheets}
    assert sheets["集計"].status == "skipped"
    for name in ("就職実績", "相談記録"):
        sheet = sheets[name]
        assert sheet.header_row == spec[name]["header_rows"][-1] and sheet.header_rows == 2
        table = upload.mapping_table(sheet)
        assert list(table["見出し"]) == spec[name]["headers_combined"]
        assert all(table["取込先"] != upload.tr("upload.not_loaded"))
    table = upload.mapping_table(sheets["就職実績"])
    mapped = dict(zip(table["見出し"], table["取込先"], strict=True))
    assert mapped["就職区分"] == "就職等区分（outcome_type）"
    assert mapped["対象者ID"] == "個人ID（person_id）"


def test_preview_lists_personal_data_columns_as_dropped(messy_previews):
    _, previews = messy_previews
    preview = next(p for p in previews if p.name == "h_personal_data.csv")
    assert preview.report.dropped_personal == sorted(EXPECTED[preview.name]["dropped_columns"])
    notes = upload.mapping_table(preview.sheets[0]).set_index("見出し")["扱い"]
    assert all(notes[h] == upload.tr("upload.note_personal") for h in EXPECTED[preview.name]["dropped_columns"])


def test_nothing_is_written_before_loading(messy_previews):
    path, _ = messy_previews
    assert table_counts(path) == dict.fromkeys(
        ("batches", "consultations", "placements", "targets", "quarantine", "mapping_profiles"), 0
    )


def test_summary_table_has_one_row_per_sheet_with_counts(messy_previews):
    _, previews = messy_previews
    table = upload.summary_table(previews)
    assert len(table) == sum(max(1, len(p.sheets)) for p in previews)
    k = table[table["ファイル名"] == "k_bad_rows_consultations.csv"].iloc[0]
    assert (k["読込行"], k["取込予定"], k["保留"]) == (40, 30, 10)
    assert upload.summary_table(previews, "en").columns[0] == "File"


def test_reasons_table_counts_rows_per_reason(messy_previews):
    _, previews = messy_previews
    sheet = next(p for p in previews if p.name == "k_bad_rows_consultations.csv").sheets[0]
    table = upload.reasons_table(sheet)
    assert dict(zip(table["理由コード"], table["行数"], strict=True)) == sheet.quarantined_by_reason
    assert "{" not in "".join(table["理由"])


def test_preview_counts_rows_the_database_already_holds(db_path):
    upload.load_previews(
        upload.prepare_uploads(messy("j2_cumulative_R4_1_kamiki.csv"), db_path=db_path), db_path=db_path
    )
    [second] = upload.prepare_uploads(messy("j2_cumulative_R4_2_tsuki_ruikei.csv"), db_path=db_path)
    assert second.report.total("duplicates") == 33
    assert second.report.total("rows_loaded_or_expected") == 27


def test_same_content_already_loaded_is_marked_and_not_loaded_again(db_path):
    upload.load_previews(upload.prepare_uploads(messy("j1_resent_placements_a.csv"), db_path=db_path), db_path=db_path)
    [again] = upload.prepare_uploads(messy("j1_resent_placements_b.csv"), db_path=db_path)
    assert again.status == "already_loaded" and again.existing_batch_id == 1
    assert "バッチ 1" in again.message()
    results = upload.load_previews([again], db_path=db_path)
    assert [r.status for r in results] == ["already_loaded"]
    assert table_counts(db_path)["batches"] == 1


def test_an_unreadable_file_is_reported_in_japanese_and_others_still_load(db_path):
    files = [("broken.xlsx", b"PK\x03\x04 not really a workbook"), *messy("a_cp932_consultations.csv")]
    previews = upload.prepare_uploads(files, db_path=db_path)
    assert previews[0].status == "error"
    assert "broken.xlsx" in previews[0].message("ja")
    results = upload.load_previews(previews, db_path=db_path)
    assert [r.status for r in results] == ["loaded"]


def test_the_cache_skips_files_already_checked_with_the_same_options(db_path):
    cache: dict = {}
    calls = []
    files = messy("a_cp932_consultations.csv", "e_date_formats.xlsx")
    upload.prepare_uploads(files, db_path=db_path, cache=cache, progress=lambda i, n, f: calls.append((i, n, f)))
    assert calls == [(1, 2, "a_cp932_consultations.csv"), (2, 2, "e_date_formats.xlsx")]
    calls.clear()
    fid = upload.file_id(*files[0])
    changed = {fid: upload.FileOptions(kind="consultations")}
    upload.prepare_uploads(files, changed, db_path=db_path, cache=cache, progress=lambda i, n, f: calls.append(f))
    assert calls == ["a_cp932_consultations.csv"]


# ---------------------------------------------------------------------------------------------
# Overrides and saved mappings
# ---------------------------------------------------------------------------------------------

UNKNOWN_ID_HEADER = "整理記号"


def renamed_csv(first_row: int, rows: int) -> bytes:
    """The clean CP932 sample with its ID column under a header no alias knows (a sender's own layout)."""
    lines = (MESSY / "a_cp932_consultations.csv").read_bytes().decode("cp932").splitlines()
    header = lines[0].split(",")
    header[0] = UNKNOWN_ID_HEADER
    return "\n".join([",".join(header), *lines[first_row : first_row + rows]]).encode("cp932")


def test_a_corrected_and_saved_mapping_is_applied_to_the_next_file_with_the_same_headers(db_path):
    first = ("サポステ月次_4月.csv", renamed_csv(1, 20))
    [preview] = upload.prepare_uploads([first], db_path=db_path)
    assert preview.status == "error"  # no person ID column: cannot load as it is
    sheet = preview.sheets[0]
    unknown = next(m for m in sheet.matches if m.header == UNKNOWN_ID_HEADER)
    assert unknown.column is None
    assert "" in upload.column_options(sheet.kind) and "person_id" in upload.column_options(sheet.kind)

    options = {preview.file_id: upload.FileOptions().with_mapping(UNKNOWN_ID_HEADER, "person_id")}
    [fixed] = upload.prepare_uploads([first], options, db_path=db_path)
    assert fixed.status == "ready"
    assert fixed.report.total("rows_loaded_or_expected") == 20
    assert table_counts(db_path)["mapping_profiles"] == 0

    upload.save_mapping("〇〇県サポステ 月次", fixed.sheets[0], db_path=db_path)
    second = ("サポステ月次_5月.csv", renamed_csv(21, 20))
    [auto] = upload.prepare_uploads([second], db_path=db_path)
    assert auto.status == "ready", auto.message()
    assert auto.profiles == {"サポステ月次_5月.csv": "〇〇県サポステ 月次"}
    match = next(m for m in auto.sheets[0].matches if m.header == UNKNOWN_ID_HEADER)
    assert match.column == "person_id"
    assert upload.match_note(match, "〇〇県サポステ 月次") == "保存した対応「〇〇県サポステ 月次」"
    [result] = upload.load_previews([auto], db_path=db_path)
    assert result.status == "loaded" and result.counts["loaded"] == 20


def test_a_saved_mapping_never_keeps_personal_data_columns(db_path):
    [preview] = upload.prepare_uploads(messy("h_personal_data.csv"), db_path=db_path)
    saved = upload.current_mapping(preview.sheets[0])
    assert not set(saved) & set(EXPECTED["h_personal_data.csv"]["dropped_columns"])
    upload.save_mapping("個人情報あり様式", preview.sheets[0], db_path=db_path)
    [again] = upload.prepare_uploads(
        [("h2.csv", (MESSY / "h_personal_data.csv").read_bytes() + b"\n")], db_path=db_path
    )
    assert again.report.dropped_personal == preview.report.dropped_personal


def test_a_column_can_be_switched_off(db_path):
    [preview] = upload.prepare_uploads(messy("a_cp932_consultations.csv"), db_path=db_path)
    header = next(m.header for m in preview.sheets[0].matches if m.column == "agency_name")
    options = {preview.file_id: upload.FileOptions().with_mapping(header, "")}
    [off] = upload.prepare_uploads(messy("a_cp932_consultations.csv"), options, db_path=db_path)
    assert off.sheets[0].preview["agency_name"].isna().all()
    assert header in off.sheets[0].ignored_columns


def test_header_row_and_sheet_can_be_chosen(db_path):
    name = "c_aomori_R3_titled_merged.xlsx"
    [one] = upload.prepare_uploads(messy(name), {upload.file_id(*messy(name)[0]): upload.FileOptions(sheet="相談記録")},
                                   db_path=db_path)  # fmt: skip
    assert one.sheet_names == ["相談記録"]
    name = "l_targets_platform.xlsx"
    [wrong] = upload.prepare_uploads(messy(name), {upload.file_id(*messy(name)[0]): upload.FileOptions(header_row=1)},
                                     db_path=db_path)  # fmt: skip
    assert wrong.status == "error" and wrong.sheets  # the analyst still sees what row 1 holds


# ---------------------------------------------------------------------------------------------
# Limits
# ---------------------------------------------------------------------------------------------


def test_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv(upload.MAX_MB_ENV, "0.5")
    monkeypatch.setenv(upload.MAX_ROWS_ENV, "1000")
    monkeypatch.setenv(upload.MAX_FILES_ENV, "nonsense")
    limits = upload.UploadLimits.from_env()
    assert (limits.max_file_mb, limits.max_rows, limits.max_files) == (0.5, 1000, upload.UploadLimits().max_files)


def test_a_file_over_the_size_limit_gets_a_clear_japanese_message(db_path):
    limits = upload.UploadLimits(max_file_mb=0.001)
    [preview] = upload.prepare_uploads(messy("a_cp932_consultations.csv"), db_path=db_path, limits=limits)
    assert preview.status == "error"
    message = preview.message("ja")
    assert "a_cp932_consultations.csv" in message and "MB" in message and upload.MAX_MB_ENV in message
    assert "上限" in message
    assert "limit" in preview.message("en")


def test_a_file_over_the_row_limit_gets_a_clear_japanese_message(db_path):
    limits = upload.UploadLimits(max_rows=10)
    [preview] = upload.prepare_uploads(messy("a_cp932_consultations.csv"), db_path=db_path, limits=limits)
    assert preview.status == "error"
    assert "50 行が上限 10 行を超えています" in preview.message("ja")
    assert not upload.loadable([preview])


def test_only_the_first_files_up_to_the_limit_are_checked(db_path):
    files = messy("a_cp932_consultations.csv", "e_date_formats.xlsx", "i_fullwidth_ids.csv")
    previews = upload.prepare_uploads(files, db_path=db_path, limits=upload.UploadLimits(max_files=2))
    assert [p.name for p in previews] == ["a_cp932_consultations.csv", "e_date_formats.xlsx"]


# ---------------------------------------------------------------------------------------------
# Loading, history and rollback
# ---------------------------------------------------------------------------------------------


def test_each_file_loads_as_its_own_batch_and_a_failing_file_changes_nothing(db_path, monkeypatch):
    previews = upload.prepare_uploads(
        messy("a_cp932_consultations.csv", "k_bad_rows_consultations.csv", "d_legacy_placements.xls"), db_path=db_path
    )
    real = load._insert_batch

    def fail_for_k(con, report, loaded_by):
        if report.file.startswith("k_"):  # the rows are written by now: the transaction must undo them
            raise RuntimeError("disk full")
        return real(con, report, loaded_by)

    monkeypatch.setattr(load, "_insert_batch", fail_for_k)
    seen = []
    results = upload.load_previews(previews, db_path=db_path, progress=lambda i, n, f: seen.append((i, n)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert [r.status for r in results] == ["loaded", "error", "loaded"]
    assert "disk full" in results[1].message()
    counts = table_counts(db_path)
    assert counts["consultations"] == 50 and counts["placements"] == 42 and counts["quarantine"] == 0
    assert counts["batches"] == 2


def test_loaded_results_say_the_batch_and_counts(db_path):
    results = upload.load_previews(upload.prepare_uploads(messy("k_bad_rows_consultations.csv"), db_path=db_path),
                                   db_path=db_path, loaded_by="analyst@example.invalid")  # fmt: skip
    [result] = results
    assert result.counts == {"loaded": 30, "quarantined": 10, "duplicates": 0, "excluded": 0}
    assert (
        result.message()
        == "k_bad_rows_consultations.csv: バッチ 1 として取り込みました（登録 30・保留 10・重複 0・除外 0）"
    )
    assert result.message("en").startswith("k_bad_rows_consultations.csv: loaded as batch 1")
    with status.read_connection(db_path) as con:
        assert upload.history(con)["loaded_by"].tolist() == ["analyst@example.invalid"]


@pytest.fixture
def loaded_three(db_path) -> Path:
    names = ("a_cp932_consultations.csv", "k_bad_rows_consultations.csv", "c_aomori_R3_titled_merged.xlsx",
             "l_targets_platform.xlsx")  # fmt: skip
    results = upload.load_previews(upload.prepare_uploads(messy(*names), db_path=db_path), db_path=db_path)
    assert [r.batch_id for r in results] == [1, 2, 3, 4]
    return db_path


def per_batch(db_path: Path) -> dict[tuple[str, int], int]:
    with status.read_connection(db_path) as con:
        return {
            (t, b): n
            for t in ("consultations", "placements", "targets", "quarantine")
            for b, n in con.execute(f"select batch_id, count(*) from {t} group by all").fetchall()
        }


def test_rollback_impact_states_rows_years_regions_and_indicators(loaded_three):
    with status.read_connection(loaded_three) as con:
        impact = upload.rollback_impact(con, 3)
        targets = upload.rollback_impact(con, 4)
    assert impact.rows == {"consultations": 31, "placements": 11, "targets": 0, "platforms": 0, "reported_figures": 0}
    lines = impact.lines()
    assert "相談記録: 31 行を削除" in lines and "就職等実績: 11 行を削除" in lines
    assert any(line.startswith("変わる年度: 令和3年度") for line in lines)
    assert any("青森県" in line for line in lines if line.startswith("変わる都道府県"))
    indicators = next(line for line in lines if line.startswith("値が変わる指標"))
    assert "相談件数" in indicators and "正社員就職者数" in indicators
    assert targets.rows["targets"] == 28 and targets.indicators == []
    assert any(line.startswith("削除される目標の指標") for line in targets.lines())
    assert "Consultations: 31 rows removed" in impact.lines("en")


def test_rollback_removes_exactly_that_batch(loaded_three):
    before = per_batch(loaded_three)
    with status.read_connection(loaded_three) as con:
        impact = upload.rollback_impact(con, 2)
    assert impact.quarantine_rows == 10
    removed = upload.rollback(2, db_path=loaded_three)
    assert removed == {
        "consultations": 30, "placements": 0, "targets": 0, "platforms": 0, "reported_figures": 0, "quarantine": 10,
        "reported_checks": 0,
    }
    after = per_batch(loaded_three)
    assert after == {k: v for k, v in before.items() if k[1] != 2}
    with status.read_connection(loaded_three) as con:
        frame = upload.history(con)
        again = upload.rollback_impact(con, 2)
    assert frame.set_index("batch_id").loc[2, "status"] == "rolled_back"
    assert again.status == "rolled_back" and again.total_rows == 0
    with pytest.raises(load.RollbackError):
        upload.rollback(2, db_path=loaded_three)
    assert upload.removed_text(removed) == "相談記録 30"


J2 = ("j2_cumulative_R4_1_kamiki.csv", "j2_cumulative_R4_2_tsuki_ruikei.csv")  # 上期 (33), 通期累計 (the 33 + 27)


def test_rollback_impact_counts_only_rows_that_disappear_and_says_which_stay(db_path):
    upload.load_previews(upload.prepare_uploads(messy(*J2), db_path=db_path), db_path=db_path)
    with status.read_connection(db_path) as con:
        first, cumulative = upload.rollback_impact(con, 1), upload.rollback_impact(con, 2)
    assert first.rows == {"consultations": 0, "placements": 0, "targets": 0, "platforms": 0, "reported_figures": 0}
    assert first.total_rows == 0
    assert first.kept == {"consultations": 33, "placements": 0, "targets": 0, "platforms": 0, "reported_figures": 0}
    assert first.kept_by == [2]
    assert first.fiscal_years == [] and first.prefectures == [] and first.indicators == []  # same rows: no change
    assert first.lines() == ["相談記録: 33 行はバッチ 2 にも含まれるため削除せず、そのバッチの行として残します"]
    assert first.lines("en") == ["Consultations: 33 rows stay as rows of batch 2, which also holds them"]
    assert cumulative.rows["consultations"] == 27 and cumulative.kept["consultations"] == 0
    assert cumulative.lines()[0] == "相談記録: 27 行を削除"
    # the preview is exact: the rollback removes and keeps what it said
    removed = upload.rollback(1, db_path=db_path)
    assert {t: removed[t] for t in first.rows} == first.rows and removed.kept == first.kept
    assert upload.removed_text(removed) == "0。他のバッチにも含まれるため残した行: 相談記録 33"
    assert table_counts(db_path)["consultations"] == 60
    with status.read_connection(db_path) as con:
        assert upload.rollback_impact(con, 2).rows["consultations"] == 60


def test_rollback_impact_names_years_and_regions_when_the_kept_version_differs(db_path):
    lines = (MESSY / J2[1]).read_text(encoding="utf-8").splitlines()
    assert lines[1] == "04-000432,2022-04-11,04100,不安定就労,ハローワーク,ハローワーク仙台,来所"
    lines[1] = "04-000432,2022-04-11,04100,不安定就労,ハローワーク,ハローワーク仙台,電話"  # same key, other channel
    files = [(J2[0], (MESSY / J2[0]).read_bytes()), ("changed.csv", "\n".join(lines).encode())]
    upload.load_previews(upload.prepare_uploads(files, db_path=db_path), db_path=db_path)
    with status.read_connection(db_path) as con:
        impact = upload.rollback_impact(con, 1)
    assert impact.total_rows == 0 and impact.kept["consultations"] == 33
    assert impact.fiscal_years == [2022] and impact.prefectures == ["04"]
    assert "相談件数" in [ja for _, ja, _ in impact.indicators]


def test_rollback_impact_warns_about_later_batches_loaded_before_repeats_were_recorded(db_path):
    upload.load_previews(upload.prepare_uploads(messy(*J2), db_path=db_path), db_path=db_path)
    con = db.connect(db_path)
    try:  # as a database migrated after both loads: nothing recorded
        con.execute("delete from consultations_repeats; update repeats_recorded_from set batch_id = 3")
    finally:
        con.close()
    with status.read_connection(db_path) as con:
        impact = upload.rollback_impact(con, 1)
    assert impact.rows["consultations"] == 33 and impact.kept["consultations"] == 0 and impact.unrecorded_by == [2]
    assert any(line.startswith("バッチ 2 は重複行の記録を始める前に取り込まれた") for line in impact.lines())


def test_history_filters_by_kind_status_and_file_name(loaded_three):
    upload.rollback(1, db_path=loaded_three)
    with status.read_connection(loaded_three) as con:
        frame = upload.history(con)
    assert len(upload.filter_history(frame)) == 4
    assert upload.filter_history(frame, kinds=["placements"])["batch_id"].tolist() == [3]
    assert upload.filter_history(frame, statuses=["rolled_back"])["batch_id"].tolist() == [1]
    assert upload.filter_history(frame, text="AOMORI")["batch_id"].tolist() == [3]
    assert upload.filter_history(frame, kinds=["consultations"], statuses=["loaded"])["batch_id"].tolist() == [3, 2]
    table = upload.history_table(frame)
    assert {"取込者", "取消日時", "ファイル名"} <= set(table.columns)
    # nothing to show is a dash, never Python's "None"; a rollback shows when, in Japanese
    assert "None" not in table.astype(str).to_numpy().ravel().tolist()
    assert set(table["取込者"]) == {"–"}
    assert table["取消日時"].tolist()[-1].startswith("20") and "年" in table["取消日時"].tolist()[-1]
    assert table["取消日時"].tolist()[0] == "–"
    assert upload.batch_label(frame.iloc[-1]).startswith("バッチ 1: a_cp932_consultations.csv（")


def test_batch_details_sheets_quarantine_and_dropped_columns(db_path):
    upload.load_previews(upload.prepare_uploads(messy("c_aomori_R3_titled_merged.xlsx", "h_personal_data.csv"),
                                                db_path=db_path), db_path=db_path)  # fmt: skip
    with status.read_connection(db_path) as con:
        sheets = upload.batch_sheets_table(con, 1)
        frame = upload.history(con)
    assert sheets["シート"].tolist() == ["就職実績", "相談記録", "集計"]
    assert sheets.set_index("シート").loc["集計", "スキップの理由"] not in ("", "–")
    assert sheets.set_index("シート").loc["相談記録", "スキップの理由"] == "–"
    dropped = upload.dropped_columns(frame.set_index("batch_id").loc[2])
    assert sorted(dropped) == sorted(EXPECTED["h_personal_data.csv"]["dropped_columns"])


def test_a_busy_database_is_reported_per_file(db_path, monkeypatch):
    previews = upload.prepare_uploads(messy("a_cp932_consultations.csv"), db_path=db_path)

    def busy(*args, **kwargs):
        raise db.DatabaseBusyError("busy")

    monkeypatch.setattr(db, "connect", busy)
    [result] = upload.load_previews(previews, db_path=db_path)
    assert result.status == "busy"
    assert "使用中" in result.message()


# ---------------------------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------------------------


def test_the_pages_words_are_the_shared_table():
    # both languages and matching placeholders are checked for every key in tests/text/test_ui_text.py
    assert upload.tr is ui_text.t
    assert {"upload.title", "history.title"} <= set(ui_text.TEXT)
    assert upload.tr("kind.placements") == ui_text.t("kind.placements")
    assert upload.column_label("consultation_date") == "相談日（consultation_date）"
    assert upload.column_label("") == "（取り込まない）"
    assert upload.column_label("consultation_date", "en") == "Consultation date (consultation_date)"
    assert [upload.column_letter(i) for i in (0, 25, 26, 27)] == ["A", "Z", "AA", "AB"]
