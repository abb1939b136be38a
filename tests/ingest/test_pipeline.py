"""The whole ingest on the committed messy files: one quirk per file, expected rows and counts."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

import pytest
from hypothesis import given, settings, strategies as st

from analytics.ingest import pseudonym
from analytics.ingest.errors import REASONS, IngestError, Issue
from analytics.ingest.load import QUARANTINE_COLUMNS

from .conftest import MESSY, load, table_counts

SINGLE_FILES = [
    "a_cp932_consultations.csv",
    "b_utf8_bom_tab_consultations.csv",
    "d_legacy_placements.xls",
    "e_date_formats.xlsx",
    "f_municipality_codes.xlsx",
    "g1_label_variants_consultations.csv",
    "g2_english_headers_placements.csv",
    "h_personal_data.csv",
    "i_fullwidth_ids.csv",
    "j1_resent_placements_a.csv",
    "j2_cumulative_R4_1_kamiki.csv",
    "k_bad_rows_consultations.csv",
    "k2_bad_rows_placements.csv",
    "l_targets_platform.xlsx",
]


def _assert_accounts(report) -> None:
    for sheet in report.sheets:
        if sheet.status == "skipped":
            continue
        assert sheet.rows_read == sheet.loaded + sheet.quarantined + sheet.duplicates + sheet.rows_excluded, sheet.sheet


@pytest.mark.parametrize("name", SINGLE_FILES)
def test_each_messy_file_loads_with_the_expected_counts(con, expected, name):
    spec = expected[name]
    report = load(con, MESSY / name)
    assert report.status == "loaded"
    assert report.kinds == [spec["kind"]]
    _assert_accounts(report)
    want = spec["expected"]
    assert report.total("loaded") == want["loaded"]
    assert report.total("quarantined") == want["quarantined"]
    assert report.total("duplicates") == want["duplicate"]
    if want["excluded"] is not None:
        assert report.total("rows_excluded") == want["excluded"]
    data_rows = report.total("loaded") + report.total("quarantined") + report.total("duplicates")
    assert data_rows == spec["data_rows"]
    assert con.execute(f"select count(*) from {spec['kind']}").fetchone()[0] == want["loaded"]


def test_titled_workbook_with_merged_two_row_headers_loads_records_and_skips_the_pivot_sheet(con, expected):
    spec = expected["c_aomori_R3_titled_merged.xlsx"]
    report = load(con, MESSY / "c_aomori_R3_titled_merged.xlsx")
    sheets = {s.sheet: s for s in report.sheets}
    assert sheets["集計"].status == "skipped" and sheets["集計"].skip_reason
    for name in ("相談記録", "就職実績"):
        sheet, want = sheets[name], spec["sheets"][name]
        assert sheet.kind == want["kind"]
        assert sheet.header_row == want["header_rows"][-1] and sheet.header_rows == 2
        assert sheet.loaded == want["expected"]["loaded"]
        assert sheet.excluded["title"] == want["header_rows"][0] - 1
        assert sheet.excluded["total"] == 1 and sheet.excluded["note"] >= 1
    _assert_accounts(report)
    mapped = {m.header: m.column for m in sheets["就職実績"].matches if m.column}
    assert mapped["就職区分"] == "outcome_type" and mapped["対象者区分"] == "target_group"
    assert mapped["対象者ID"] == "person_id" and mapped["就職年月日"] == "placement_date"
    rows = con.execute("select source_sheet, min(source_row) from placements group by all").fetchall()
    assert rows == [("就職実績", spec["sheets"]["就職実績"]["first_data_row"])]


def test_every_date_spelling_lands_as_the_same_date(con, expected):
    load(con, MESSY / "e_date_formats.xlsx")
    stored = dict(con.execute("select source_row, consultation_date from consultations").fetchall())
    for case in expected["e_date_formats.xlsx"]["dates"]:
        assert stored[case["row"]] == dt.date.fromisoformat(case["expected_date"]), case


def test_every_code_spelling_lands_as_a_five_digit_code(con, expected):
    load(con, MESSY / "f_municipality_codes.xlsx")
    stored = {
        r[0]: r[1:]
        for r in con.execute("select source_row, municipality_code, prefecture_code from consultations").fetchall()
    }
    for case in expected["f_municipality_codes.xlsx"]["municipalities"]:
        assert stored[case["row"]] == (case["expected_municipality_code"], case["expected_prefecture_code"]), case


def test_cp932_text_survives(con):
    load(con, MESSY / "a_cp932_consultations.csv")
    names = " ".join(r[0] or "" for r in con.execute("select agency_name from consultations").fetchall())
    for ch in "髙①㈱Ⅲ":
        assert ch in names
    assert "~" in names  # ～ (FULLWIDTH TILDE) is normalised to ASCII like every full-width ASCII character


def test_bad_rows_are_quarantined_with_reason_row_column_and_value(con, expected):
    report = load(con, MESSY / "k_bad_rows_consultations.csv")
    q = con.execute("select row_number, column_name, value, reason_code, message_ja from quarantine").df()
    for case in expected["k_bad_rows_consultations.csv"]["bad_rows"]:
        rows = q[q.row_number == case["row"]]
        assert len(rows) >= 1, case
        if "does not match" in case["reason_hint"]:  # reported on the 都道府県 cell that disagrees
            assert set(rows.reason_code) == {"prefecture_mismatch"}, case
        elif case["column"] != "相談者ID":
            assert case["column"] in set(rows.column_name), case
    reasons = set(q.reason_code)
    assert {
        "invalid_date",
        "missing_required",
        "unknown_code",
        "unknown_municipality",
        "invalid_check_digit",
        "date_out_of_range",
        "out_of_range",
        "prefecture_mismatch",
    } <= reasons
    assert q.message_ja.str.len().min() > 5
    assert report.sheets[0].quarantined_by_reason["date_out_of_range"] == 2  # 2099 and 1985


def test_quarantine_rows_have_the_pinned_issue_shape(con):
    load(con, MESSY / "k_bad_rows_consultations.csv")
    columns = [r[0] for r in con.execute("describe quarantine").fetchall()]
    assert tuple(columns) == QUARANTINE_COLUMNS
    issue_fields = set(Issue.__dataclass_fields__)
    assert issue_fields <= set(QUARANTINE_COLUMNS)
    raw = json.loads(con.execute("select raw_row from quarantine limit 1").fetchone()[0])
    assert "相談日" in raw or "相談年月日" in raw or len(raw) >= 3
    codes = {r[0] for r in con.execute("select distinct reason_code from quarantine").fetchall()}
    assert codes <= set(REASONS)


def test_personal_data_never_reaches_the_database_file(db_path, con, expected):
    spec = expected["h_personal_data.csv"]
    report = load(con, MESSY / "h_personal_data.csv")
    assert set(report.dropped_personal) == set(spec["dropped_columns"])
    load(con, MESSY / "k_bad_rows_consultations.csv")  # quarantine too
    con.execute("checkpoint")
    con.close()
    blob = db_path.read_bytes()
    for secret in spec["must_not_appear_in_db"]:
        assert secret.encode("utf-8") not in blob, secret
    source = (MESSY / "h_personal_data.csv").read_bytes()
    assert spec["must_not_appear_in_db"][0].encode("utf-8") in source  # the test would see it if it leaked


def test_person_ids_are_pseudonymised_after_normalisation(db_path, con, expected):
    load(con, MESSY / "i_fullwidth_ids.csv")
    key = pseudonym.load_key(db_path)
    stored = {r[0] for r in con.execute("select person_id from consultations").fetchall()}
    for person in expected["i_fullwidth_ids.csv"]["person_ids_normalised"]:
        assert hmac.new(key, person.encode(), hashlib.sha256).hexdigest()[:32] in stored
    raw_ids = (MESSY / "i_fullwidth_ids.csv").read_text(encoding="utf-8")
    assert not any(pid in raw_ids for pid in stored)


@settings(deadline=None, max_examples=60)
@given(key=st.binary(min_size=32, max_size=80), person_id=st.text(min_size=1, max_size=20))
def test_sql_hmac_matches_the_reference_implementation(key, person_id):
    import duckdb

    got = (
        duckdb.connect()
        .execute(f"select {pseudonym.hmac_sql('$pid')}", {**pseudonym.hmac_params(key), "pid": person_id})
        .fetchone()[0]
    )
    assert got == pseudonym.pseudonymise(person_id, key)


def test_same_content_twice_is_recognised_and_skipped(con):
    first = load(con, MESSY / "j1_resent_placements_a.csv")
    before = table_counts(con)
    second = load(con, MESSY / "j1_resent_placements_b.csv")
    assert second.status == "already_loaded" and second.existing_batch_id == first.batch_id
    assert table_counts(con) == before


def test_cumulative_export_loads_only_the_new_rows(con, expected):
    load(con, MESSY / "j2_cumulative_R4_1_kamiki.csv")
    report = load(con, MESSY / "j2_cumulative_R4_2_tsuki_ruikei.csv")
    want = expected["j2_cumulative_R4_2_tsuki_ruikei.csv"]["expected"]
    assert (report.total("loaded"), report.total("duplicates")) == (want["loaded"], want["duplicate"])
    _assert_accounts(report)
    assert con.execute("select count(*) from consultations").fetchone()[0] == 60


def test_rollback_removes_exactly_that_batch(con):
    from analytics.ingest.load import RollbackError, rollback_batch

    load(con, MESSY / "j2_cumulative_R4_1_kamiki.csv")
    before = table_counts(con)
    report = load(con, MESSY / "k_bad_rows_consultations.csv")
    removed = rollback_batch(con, report.batch_id)
    assert removed["consultations"] == 30 and removed["quarantine"] >= 10
    after = table_counts(con)
    assert {k: v for k, v in after.items() if k != "batches"} == {k: v for k, v in before.items() if k != "batches"}
    assert (
        con.execute("select status from batches where batch_id = ?", [report.batch_id]).fetchone()[0] == "rolled_back"
    )
    with pytest.raises(RollbackError):
        rollback_batch(con, report.batch_id)
    # Rolled back content may be loaded again.
    again = load(con, MESSY / "k_bad_rows_consultations.csv")
    assert again.status == "loaded" and again.total("loaded") == 30


@pytest.mark.parametrize(
    "content, name, code",
    [
        (b"\x00\x01\x02garbage\xff\xfe" * 50, "garbage.csv", "unreadable"),
        (b"\x82\xa0\xff\xfe\x81" * 50, "undecodable.csv", "encoding"),
        (b"PK\x03\x04 not really a zip", "broken.xlsx", "unreadable"),
        (b"", "empty.csv", "empty"),
        ("題名だけ\n何もない\n".encode(), "notitle.csv", "no_header"),
        ("個人ID,都道府県,氏名\n1,青森,山田\n".encode(), "nodate.csv", "missing_columns"),
        (b"%PDF-1.4", "report.pdf", "unsupported_type"),
    ],
)
def test_unreadable_files_fail_clearly_and_leave_the_database_unchanged(con, tmp_path, content, name, code):
    load(con, MESSY / "i_fullwidth_ids.csv")
    before = table_counts(con)
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IngestError) as info:
        load(con, path)
    assert info.value.code == code
    assert info.value.message("ja") and info.value.message("en")
    assert table_counts(con) == before


def test_a_failure_inside_the_transaction_leaves_the_database_as_it_was(con, monkeypatch):
    from analytics.ingest import load as load_module

    load(con, MESSY / "i_fullwidth_ids.csv")
    before = table_counts(con)

    def boom(_con):
        raise RuntimeError("disk full")

    monkeypatch.setattr(load_module, "_refresh_facts", boom)
    with pytest.raises(RuntimeError):
        load(con, MESSY / "a_cp932_consultations.csv")
    assert table_counts(con) == before


def test_unknown_headers_can_be_mapped_explicitly_and_saved_as_a_profile(con, tmp_path):
    from analytics.ingest.profiles import save_profile_from_mapping

    path = tmp_path / "odd.csv"
    path.write_text(
        "整理番号,面接実施日,区分コード,県\nA-1,2021-05-06,長期無業,青森\nA-2,2021-06-07,不安定就労,青森\n",
        encoding="utf-8",
    )
    with pytest.raises(IngestError):
        load(con, path)
    mapping = {"整理番号": "person_id", "面接実施日": "consultation_date", "区分コード": "target_group"}
    save_profile_from_mapping(con, "〇〇県サポステ 月次", path, mapping)
    second = tmp_path / "odd2.csv"
    second.write_text("整理番号,面接実施日,区分コード,県\nA-3,2021-07-08,社会参加支援,青森\n", encoding="utf-8")
    report = load(con, second)  # no mapping given: the saved profile applies
    assert report.total("loaded") == 1
    report = load(con, path, mapping=mapping)
    assert report.total("loaded") == 2


def test_bad_explicit_mapping_is_a_clear_error(con, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(IngestError) as info:
        load(con, path, mapping={"a": "no_such_column"})
    assert info.value.code == "bad_mapping"


def test_total_and_note_rows_are_excluded_not_quarantined(con, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "令和3年度 相談実績\n\n個人ID,相談日,都道府県,対象者区分\n1,2021-05-06,青森,長期無業\n"
        "2,2021-05-07,青森,長期無業\n\n合計,,,2\n※ 個人情報は削除済み\n注）件数は速報値\n",
        encoding="utf-8",
    )
    report = load(con, path)
    sheet = report.sheets[0]
    assert (sheet.loaded, sheet.quarantined) == (2, 0)
    assert sheet.excluded == {"title": 2, "blank": 1, "total": 1, "note": 2}
    _assert_accounts(report)


def test_csv_row_numbers_are_the_lines_the_sender_sees(con, tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text(
        "個人ID,相談日,都道府県,対象者区分\n\n1,2021-05-06,青森,長期無業\n2,bad,青森,長期無業\n", encoding="utf-8"
    )
    load(con, path)
    assert con.execute("select source_row from consultations").fetchall() == [(3,)]
    assert con.execute("select row_number from quarantine").fetchall() == [(4,)]


def test_preview_counts_database_duplicates_without_writing(db_path, con):
    from analytics.ingest import profiles
    from analytics.ingest.load import preview_duplicates
    from analytics.ingest.pipeline import prepare_file

    load(con, MESSY / "j2_cumulative_R4_1_kamiki.csv")
    before = table_counts(con)
    data = (MESSY / "j2_cumulative_R4_2_tsuki_ruikei.csv").read_bytes()
    report = prepare_file(data, "j2.csv", key=pseudonym.load_key(db_path), profiles=profiles.list_profiles(con))
    preview_duplicates(con, report)
    sheet = report.sheets[0]
    assert (sheet.rows_loaded_or_expected, sheet.duplicates) == (27, 33)
    assert sheet.accounts()
    assert table_counts(con) == before
    assert report.to_dict()["loaded"] == 27


C = "個人ID,相談日,市区町村,都道府県,対象者区分,年齢\n"
P = "個人ID,就職日,就職等区分,都道府県\n"
T = "指標,年度,ステージ,都道府県,目標値\n"
REASON_CASES = {
    "missing_required": C + ",2021-04-05,,青森,長期無業,40\n",
    "missing_region": C + "1,2021-04-05,,,長期無業,40\n",
    "invalid_date": C + "1,2021-02-30,,青森,長期無業,40\n",
    "date_out_of_range": C + "1,2099-04-05,,青森,長期無業,40\n",
    "invalid_fiscal_year": T + "正社員就職者数,昔,,青森,100\n",
    "unknown_code": C + "1,2021-04-05,,青森,謎,40\n",
    "unknown_indicator": T + "満足度,2023,,青森,100\n",
    "unknown_prefecture": C + "1,2021-04-05,,架空県,長期無業,40\n",
    "unknown_municipality": C + "1,2021-04-05,どこか市,青森,長期無業,40\n",
    "invalid_check_digit": C + "1,2021-04-05,022013,青森,長期無業,40\n",
    "ambiguous_municipality": C + "1,2021-04-05,府中市,,長期無業,40\n",
    "prefecture_mismatch": C + "1,2021-04-05,01100,青森,長期無業,40\n",
    "invalid_number": T + "正社員就職者数,2023,,青森,たくさん\n",
    "out_of_range": C + "1,2021-04-05,,青森,長期無業,-1\n",
    "missing_period": T + "正社員就職者数,,,青森,100\n",
}


def test_every_reason_code_has_a_case():
    assert set(REASON_CASES) == set(REASONS)


@pytest.mark.parametrize("reason", sorted(REASON_CASES))
def test_each_rejection_reason_quarantines_the_row(con, tmp_path, reason):
    path = tmp_path / f"{reason}.csv"
    path.write_text(REASON_CASES[reason], encoding="utf-8")
    report = load(con, path)
    assert report.total("quarantined") == 1 and report.total("loaded") == 0
    row = con.execute("select reason_code, row_number, message_ja, message_en from quarantine").fetchall()
    assert reason in {r[0] for r in row}
    assert all(r[1] == 2 and r[2] and r[3] for r in row)


def test_the_pseudonym_key_is_created_once_under_concurrency(tmp_path):
    import threading

    keys = []
    threads = [
        threading.Thread(target=lambda: keys.append(pseudonym.load_key(tmp_path / "x.duckdb"))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(keys) == 8 and len(set(keys)) == 1 and len(keys[0]) == 32
    assert (tmp_path / "pseudonym.key").stat().st_mode & 0o777 == 0o600
    assert not list(tmp_path.glob(".pseudonym-*"))


def test_a_consultation_placed_in_the_whole_nation_has_no_region(con, tmp_path):
    # 「全国」 is a valid prefecture cell for a national target, but a consultation needs a real region:
    # quarantined as missing_region, never a row without a prefecture (which the table refuses).
    path = tmp_path / "national.csv"
    path.write_text(C + "1,2021-04-05,,全国,長期無業,40\n2,2021-04-05,,青森,長期無業,40\n", encoding="utf-8")
    report = load(con, path)
    assert (report.total("loaded"), report.total("quarantined")) == (1, 1)
    assert con.execute("select reason_code, row_number from quarantine").fetchall() == [("missing_region", 2)]


def test_rows_repeated_within_one_file_are_loaded_once(con, tmp_path):
    # same person, date and agency (an empty agency included) → one record; another agency is another record
    path = tmp_path / "repeats.csv"
    header = "個人ID,相談日,都道府県,対象者区分,機関名\n"
    rows = [
        "A1,2021-04-05,青森,長期無業,サポステ青森",
        "A1,2021-04-05,青森,長期無業,サポステ青森",  # duplicate of row 2
        "a1,2021/4/5,青森県,長期にわたり無業の状態にある方,サポステ青森",  # same after normalisation
        "A1,2021-04-05,青森,長期無業,ハローワーク青森",
        "B2,2021-04-06,青森,長期無業,",
        "B2,2021-04-06,青森,長期無業,",  # duplicate with an empty agency
    ]
    path.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    report = load(con, path)
    sheet = report.sheets[0]
    assert (sheet.loaded, sheet.duplicates_in_file) == (3, 3)
    assert con.execute("select list(source_row order by source_row) from consultations").fetchone()[0] == [2, 5, 6]


def test_the_cyclic_collector_is_paused_while_a_file_is_prepared_and_resumed_after(monkeypatch):
    import gc

    from analytics.ingest import pipeline

    seen = []
    real_read = pipeline.read_file

    def read_and_look(*args, **kwargs):
        seen.append(gc.isenabled())
        return real_read(*args, **kwargs)

    monkeypatch.setattr(pipeline, "read_file", read_and_look)
    assert gc.isenabled()
    pipeline.prepare_file((MESSY / "i_fullwidth_ids.csv").read_bytes(), "i.csv", key=b"k" * 32)
    with pytest.raises(IngestError):
        pipeline.prepare_file(b"\x00binary", "x.csv", key=b"k" * 32)
    assert seen == [False, False]
    assert gc.isenabled()
