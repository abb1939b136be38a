"""The municipal platform survey loads in the shapes prefectures keep (issue 18).

Merged two-row headers under 「連携している機関」, ○/◯/✓/×/blank marks, title rows with the vintage, a 合計
row, ※ notes, contact-person columns (dropped), unknown municipalities (quarantined with a reason), a later
vintage superseding an earlier one (both kept), and rollback.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from openpyxl import Workbook

from analytics import contract, db
from analytics.ingest import load, survey
from analytics.ingest.pipeline import ingest_file
from analytics.sample import platforms as sample_platforms
from analytics.sample.platforms import SurveyRow

ALL = {p.code: True for p in contract.PARTNER_TYPES}
NONE = {p.code: False for p in contract.PARTNER_TYPES}


def row(code: str, name: str, status: str = "established", **partners: bool) -> SurveyRow:
    chosen = {**NONE, **partners} if partners else dict(ALL)
    return SurveyRow(code, name, status, dt.date(2022, 10, 1) if status == "established" else None,
                     "福祉課" if status == "established" else None, "support_meeting", None, "single", None,
                     chosen if status == "established" else dict(NONE), None, 3, None)  # fmt: skip


@pytest.fixture
def con(tmp_path):
    connection = db.connect(tmp_path / "t.duckdb")
    yield connection
    connection.close()


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_sample_shape_loads_every_row_accounted_for_and_personal_columns_dropped(con, tmp_path):
    rows = [row("02201", "青森市"), row("02202", "弘前市", hello_work=True, self_reliance=True),
            row("02203", "八戸市", "considering"), row("02204", "黒石市", "undecided")]  # fmt: skip
    path = write(tmp_path, "survey.xlsx", sample_platforms.survey_workbook("青森県", dt.date(2023, 4, 1), rows))
    report = ingest_file(con, path)
    (sheet,) = report.sheets
    assert sheet.kind == "platforms" and sheet.header_rows == 2
    assert sheet.loaded == 4 and sheet.quarantined == 0
    assert sheet.excluded == {"title": 3, "blank": 0, "total": 1, "note": 2}
    assert sheet.accounts()
    assert sheet.dropped_personal == ["担当者名", "電話番号"]
    assert (sheet.as_of, sheet.as_of_source) == ("2023-04-01", "title")
    mapped = {m.column for m in sheet.matches if m.column}
    assert set(contract.PARTNER_COLUMNS) <= mapped
    columns = [r[0] for r in con.execute("describe platforms").fetchall()]
    assert not any(("担当者" in c) or ("電話" in c) for c in columns)
    stored = json.dumps(con.execute("select * from platforms").df().astype(str).to_dict("records"), ensure_ascii=False)
    assert "佐藤" not in stored and "017-" not in stored
    got = con.execute(
        "select municipality_code, status, coalesce(partner_hello_work, false), coalesce(partner_business, false), "
        "secretariat from platforms order by 1"
    ).fetchall()
    assert got == [
        ("02201", "established", True, True, "福祉課"),
        ("02202", "established", True, False, "福祉課"),
        ("02203", "considering", False, False, None),
        ("02204", "undecided", False, False, None),
    ]


def _hand_sheet(rows: list[list], *, title: str | None = "令和5年4月1日現在", extra_header=()) -> bytes:
    """A hand-made sheet: a one-row header, optional title."""
    wb = Workbook()
    ws = wb.active
    ws.title = "調査票"
    if title:
        ws.append([title])
    ws.append(["市町村名", "都道府県", "設置状況", "設置時期", "事務局", "母体", "単独・広域", "ハローワーク",
               "サポステ", "社会福祉協議会", "民生委員", "開催回数", *extra_header])  # fmt: skip
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_spelling_variants_marks_dates_and_unknown_municipality(con, tmp_path):
    data = _hand_sheet([
        ["青森市", "青森県", "設置済み", "令和4年度", "福祉部 生活福祉課", "その他（要対協）", "広域（平内町）", "✓", "1", "あり", "", "4回"],
        ["弘前市", "青森県", "設置予定", "R7.4", None, None, None, "×", "なし", "", "", None],
        ["八戸市", "青森県", "検討中", None, None, None, None, None, None, None, None, None],
        ["存在しない市", "青森県", "未定", None, None, None, None, None, None, None, None, None],
        ["合計", None, None, None, None, None, None, "1", "1", "1", "0", None],
        ["※ 令和5年4月1日現在の状況"],
    ])  # fmt: skip
    report = ingest_file(con, write(tmp_path, "hand.xlsx", data))
    (sheet,) = report.sheets
    assert sheet.quarantined_by_reason == {"unknown_municipality": 1}
    assert sheet.loaded == 3 and sheet.excluded["total"] == 1 and sheet.excluded["note"] == 1 and sheet.accounts()
    got = con.execute(
        "select municipality_code, status, set_up_on, base_body, area, partner_hello_work, partner_support_station, "
        "partner_social_welfare_council, partner_welfare_commissioners, meetings from platforms order by 1"
    ).fetchall()
    assert got == [
        ("02201", "established", dt.date(2022, 4, 1), "other", "joint", True, True, True, None, 4),
        ("02202", "planned", dt.date(2025, 4, 1), None, None, False, False, None, None, None),
        ("02203", "considering", None, None, None, None, None, None, None, None),
    ]
    issue = con.execute("select reason_code, value, message_ja from quarantine").fetchone()
    assert issue[:2] == ("unknown_municipality", "存在しない市") and "存在しない市" in issue[2]


def test_an_unknown_mark_is_quarantined_with_its_cell(con, tmp_path):
    data = _hand_sheet([["青森市", "青森県", "設置済", None, None, None, None, "△", None, None, None, None]])
    (sheet,) = ingest_file(con, write(tmp_path, "mark.xlsx", data)).sheets
    assert sheet.quarantined_by_reason == {"unknown_code": 1} and sheet.loaded == 0 and sheet.accounts()


def test_later_vintage_supersedes_and_both_are_kept_then_rollback(con, tmp_path):
    first = [row("02201", "青森市", "planned"), row("02202", "弘前市", hello_work=True)]
    later = [row("02201", "青森市"), row("02202", "弘前市", hello_work=True, business=True)]
    r1 = ingest_file(con, write(tmp_path, "r5.xlsx", sample_platforms.survey_workbook("青森県", dt.date(2023, 4, 1), first)))
    r2 = ingest_file(con, write(tmp_path, "r6.xlsx", sample_platforms.survey_workbook("青森県", dt.date(2024, 4, 1), later)))
    assert r1.batch_id != r2.batch_id
    assert con.execute("select count(*), count(distinct as_of) from platforms").fetchone() == (4, 2)
    latest = con.execute("""
        select municipality_code, status, partner_business from platforms
        qualify row_number() over (partition by municipality_code order by as_of desc) = 1 order by 1
    """).fetchall()
    assert latest == [("02201", "established", True), ("02202", "established", True)]
    # the same vintage re-sent unchanged: every row a duplicate, nothing new
    again = sample_platforms.survey_workbook("青森県", dt.date(2024, 4, 1), later, with_personal=False)
    r3 = ingest_file(con, write(tmp_path, "r6_again.xlsx", again))
    assert r3.sheets[0].duplicates == 2 and r3.sheets[0].loaded == 0
    # rolling back the later vintage keeps its rows: the re-sent file holds them too (issue 15: hand-over)
    removed = load.rollback_batch(con, r2.batch_id)
    assert removed["platforms"] == 0 and removed.kept["platforms"] == 2 and removed.kept_by == [r3.batch_id]
    assert con.execute("select count(*), max(as_of) from platforms").fetchone() == (4, dt.date(2024, 4, 1))
    # once no loaded file holds the later vintage, the earlier one is what remains
    removed = load.rollback_batch(con, r3.batch_id)
    assert removed["platforms"] == 2
    assert con.execute("select count(*), max(as_of) from platforms").fetchone() == (2, dt.date(2023, 4, 1))


def test_vintage_from_column_sheet_name_or_file_name():
    assert survey.vintage_in_text("（令和5年4月1日現在）") == dt.date(2023, 4, 1)
    assert survey.vintage_in_text("2024年7月1日時点") == dt.date(2024, 7, 1)
    assert survey.vintage_in_text("作成日 令和5年6月2日") is None  # a printed date is not the as-of date
    assert survey.find_vintage([["市町村プラットフォーム"]], "R6.4.1", "x.xlsx")[1] == "sheet"
    assert survey.find_vintage([], "Sheet1", "platforms_20240401.xlsx") == (dt.date(2024, 4, 1), "file")
    assert survey.find_vintage([], "Sheet1", "調査_令和5年度.xlsx") == (dt.date(2023, 4, 1), "file")
    assert survey.find_vintage([], "Sheet1", "survey.xlsx", today=dt.date(2025, 1, 2)) == (dt.date(2025, 1, 2), "loaded")


def test_vintage_column_wins_over_the_title(con, tmp_path):
    data = _hand_sheet(
        [["青森市", "青森県", "設置済", None, None, None, None, "○", None, None, None, None, "2022-04-01"],
         ["弘前市", "青森県", "設置済", None, None, None, None, "○", None, None, None, None, None]],
        extra_header=("調査時点",),
    )  # fmt: skip
    ingest_file(con, write(tmp_path, "col.xlsx", data))
    got = con.execute("select municipality_code, as_of from platforms order by 1").fetchall()
    assert got == [("02201", dt.date(2022, 4, 1)), ("02202", dt.date(2023, 4, 1))]


def test_set_up_dates_in_every_form():
    assert survey.parse_set_up_date("令和4年10月1日") == (dt.date(2022, 10, 1), None)
    assert survey.parse_set_up_date("2022/10/1") == (dt.date(2022, 10, 1), None)
    assert survey.parse_set_up_date("R4.10") == (dt.date(2022, 10, 1), None)
    assert survey.parse_set_up_date("令和4年度") == (dt.date(2022, 4, 1), None)
    assert survey.parse_set_up_date("2022年度") == (dt.date(2022, 4, 1), None)
    assert survey.parse_set_up_date("そのうち") == (None, "invalid_date")


def test_records_ingest_is_unchanged_by_the_new_kind(con):
    from tests.ingest.conftest import MESSY

    report = ingest_file(con, MESSY / "c_aomori_R3_titled_merged.xlsx")
    assert {s.kind for s in report.sheets if s.status == "loaded"} <= {"consultations", "placements"}
