"""Reported figures (集計値, issue 16): each shape from CP932 CSV and from .xlsx, with hand-written expectations.

Shapes: long (one figure per row), wide by month (47 prefectures × 4月…3月 + 累計, 合計 row), wide by year with a
two-row merged header (令和2年度 over 目標 | 実績 | 進捗率, 3か年計), KPI blocks (「KPI | 実績値」 under a heading
naming the project and unit), cumulative spans (「令和2年4月〜令和4年1月」) restated by a later vintage. For each:
figures loaded / warned / quarantined / duplicate / excluded, values, periods, statuses, units, the context read
around the table and where from, overrides (``--map measure=…``), and the accounting identity.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest

from analytics import contract
from analytics.cli import main
from analytics.ingest import reported
from analytics.ingest.errors import IngestError
from analytics.ingest.load import rollback_batch
from analytics.ingest.pipeline import prepare_file

from .conftest import CLEAN, load

KEY = b"k" * 32


# ---------------------------------------------------------------------------------------------
# Writing test files
# ---------------------------------------------------------------------------------------------


def cp932_csv(path: Path, lines: list[list[object]]) -> Path:
    import csv

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([["" if c is None else c for c in line] for line in lines])
    path.write_bytes(buffer.getvalue().encode("cp932"))
    return path


def xlsx(path: Path, lines: list[list[object]], merges: tuple[str, ...] = (), title: str = "Sheet1") -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title
    for line in lines:
        ws.append(line)
    for merge in merges:
        ws.merge_cells(merge)
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def write(tmp_path: Path, name: str, lines, merges=(), title="Sheet1") -> Path:
    if name.endswith(".csv"):
        return cp932_csv(tmp_path / name, lines)
    return xlsx(tmp_path / name, lines, merges, title)


def figures(con, batch_id: int) -> list[dict]:
    frame = con.execute(
        "select * exclude (batch_id) from reported_figures where batch_id = ? order by source_row, source_column",
        [batch_id],
    ).df()
    return frame.to_dict("records")


def accounts(report) -> None:
    for s in report.sheets:
        if s.status == "skipped":
            continue
        assert s.rows_read == s.loaded + s.quarantined + s.duplicates + s.rows_excluded, s.to_dict()
        assert 0 <= s.warned <= s.loaded


# ---------------------------------------------------------------------------------------------
# Wide by month
# ---------------------------------------------------------------------------------------------

MONTHLY = [
    ["令和3年度 就職氷河期世代 正社員就職件数（件）"],
    [],
    ["都道府県", "4月", "5月", "6月", "累計"],
    ["青森県", "10", "12", "-", "22"],
    ["岩手県", "5", "x", "3", "9"],
    ["秋田県", "1,200", "…", None, "1,200"],
    ["合計", "1,215", "13", "3", "1,231"],
    ["※ 令和4年4月末現在"],
    ["※ 出典：青森労働局ほか"],
]


@pytest.mark.parametrize("name", ["monthly.csv", "monthly.xlsx"])
def test_wide_by_month_reads_title_months_statuses_and_checks_totals(con, tmp_path, name):
    report = load(con, write(tmp_path, name, MONTHLY))
    s = report.sheets[0]
    assert s.kind == "reported_figures" and s.figures.layout == "wide" and s.header_row == 3
    # 4 rows × 4 columns = 16 cells: 9 months of prefectures load, the 累計 column (3) and the 合計 row (4) are
    # totals over parts present in the table: checked and excluded, never loaded as a second figure.
    assert (s.rows_read, s.loaded, s.quarantined, s.duplicates, s.rows_excluded) == (16, 9, 0, 0, 7)
    accounts(report)
    rows = figures(con, report.batch_id)
    by = {(r["prefecture_code"], r["source_column"]): r for r in rows}
    assert by[("02", "4月")]["value"] == 10 and by[("02", "4月")]["value_status"] == "value"
    assert by[("02", "4月")]["measure"] == "regular_placements" and by[("02", "4月")]["unit"] == "件"
    assert by[("02", "4月")]["period_start"].date() == dt.date(2021, 4, 1)
    assert by[("02", "4月")]["period_end"].date() == dt.date(2021, 4, 30)
    assert by[("02", "4月")]["period_kind"] == "month" and by[("02", "4月")]["fiscal_year"] == 2021
    assert by[("02", "6月")]["value_status"] == "none" and by[("02", "6月")]["value"] != by[("02", "6月")]["value"]
    assert by[("03", "5月")]["value_status"] == "suppressed"
    assert by[("05", "5月")]["value_status"] == "not_available"
    assert by[("05", "6月")]["value_status"] == "blank"
    assert by[("05", "4月")]["value"] == 1200
    assert {r["vintage"].date() for r in rows} == {dt.date(2022, 4, 30)}
    assert {r["source"] for r in rows} == {"青森労働局ほか"}
    context = reported.context_dict(s.figures.context)
    assert context["measure"] == {
        "value": "regular_placements",
        "source": "title",
        "text": "令和3年度 就職氷河期世代 正社員就職件数(件)",
    }
    assert context["fiscal_year"]["value"] == "2021" and context["fiscal_year"]["source"] == "title"
    assert context["vintage"]["source"] == "note" and context["unit"]["value"] == "件"
    # 合計 4月 1,215 = 10 + 5 + 1,200 and 青森 累計 22 = 10 + 12 + 0 add up; the others have x / … parts
    assert con.execute("select count(*) from reported_checks").fetchone()[0] == 0


def test_totals_that_do_not_add_up_are_warnings_with_both_numbers(con, tmp_path):
    lines = [list(r) for r in MONTHLY]
    lines[3] = ["青森県", "10", "12", "-", "25"]  # 累計 25 ≠ 10 + 12 + 0
    lines[6] = ["合計", "1,216", "13", "3", "1,231"]  # 4月 1,216 ≠ 1,215
    report = load(con, write(tmp_path, "bad_totals.csv", lines))
    s = report.sheets[0]
    assert (s.loaded, s.rows_excluded) == (9, 7)  # the wrong totals are still not loaded
    assert s.warned == 5  # 青森's three months and the three prefectures' April, 青森 4月 counted once
    accounts(report)
    checks = con.execute(
        "select source_row, source_column, check_code, stated, computed, message_ja from reported_checks order by all"
    ).fetchall()
    assert [(c[0], c[1], c[2], c[3], c[4]) for c in checks] == [
        (4, "累計", "total_mismatch", 25.0, 22.0),
        (7, "4月", "total_mismatch", 1216.0, 1215.0),
        (7, "累計", "total_mismatch", 1231.0, 1234.0),  # the grand total against the 累計 column (25 + 9 + 1,200)
    ]
    assert "合計「青森県 × 累計」（25）が内訳の和（22）と一致しません" in checks[0][5]
    assert con.execute("select rows_warned from batches").fetchone()[0] == 5


# ---------------------------------------------------------------------------------------------
# Wide by year: two-row merged header, 目標 | 実績 | 進捗率, 3か年計
# ---------------------------------------------------------------------------------------------

BY_YEAR = [
    ["福島県 就職氷河期世代の支援実績"],
    ["※ 令和5年5月末現在"],
    ["指標", "令和2年度", None, None, "令和3年度", None, None, "3か年計", None, None],
    [None, "目標", "実績", "進捗率", "目標", "実績", "進捗率", "目標", "実績", "進捗率"],
    ["正社員就職者数（人）", "100", "80", "80.0%", "100", "95", "90.0%", "200", "175", "87.5%"],
    ["新規相談件数（千件）", "2", "1.5", "75%", "2", "2.1", "105%", "4", "3.6", "90%"],
]
BY_YEAR_MERGES = ("A3:A4", "B3:D3", "E3:G3", "H3:J3")


@pytest.mark.parametrize("name", ["by_year.csv", "by_year.xlsx"])
def test_wide_by_year_loads_results_and_targets_and_checks_rates(con, tmp_path, name):
    report = load(con, write(tmp_path, name, BY_YEAR, BY_YEAR_MERGES))
    s = report.sheets[0]
    assert s.figures.layout == "wide" and s.header_rows == 2 and s.header_row == 4
    # 2 rows × 9 cells: 4 results + 6 targets (2 annual + the 3か年計 period target per row) load,
    # 2 3か年計 results (totals) and 6 rates are excluded
    assert (s.rows_read, s.loaded, s.rows_excluded, s.quarantined) == (18, 10, 8, 0)
    assert s.excluded == {"total": 2, "rate": 6, "no_target": 0}
    accounts(report)
    rows = figures(con, report.batch_id)
    assert [(r["measure"], r["unit"], r["fiscal_year"], r["value"], r["prefecture_code"]) for r in rows] == [
        ("regular_placed_persons", "人", 2020, 80.0, "07"),
        ("regular_placed_persons", "人", 2021, 95.0, "07"),
        ("new_consultations", "件", 2020, 1500.0, "07"),  # 千件 scaled
        ("new_consultations", "件", 2021, 2100.0, "07"),
    ]
    targets = con.execute(
        "select indicator, fiscal_year, period_start, period_end, target_kind, value, unit, prefecture_code, vintage "
        "from targets order by indicator, period_end, target_kind"
    ).fetchall()
    assert targets == [
        (
            "new_consultations",
            2020,
            dt.date(2020, 4, 1),
            dt.date(2021, 3, 31),
            "annual",
            2000.0,
            "件",
            "07",
            "2023-05-31",
        ),
        (
            "new_consultations",
            2021,
            dt.date(2021, 4, 1),
            dt.date(2022, 3, 31),
            "annual",
            2000.0,
            "件",
            "07",
            "2023-05-31",
        ),
        (
            "new_consultations",
            None,
            dt.date(2020, 4, 1),
            dt.date(2022, 3, 31),
            "period",
            4000.0,
            "件",
            "07",
            "2023-05-31",
        ),
        (
            "regular_placed_persons",
            2020,
            dt.date(2020, 4, 1),
            dt.date(2021, 3, 31),
            "annual",
            100.0,
            "人",
            "07",
            "2023-05-31",
        ),
        (
            "regular_placed_persons",
            2021,
            dt.date(2021, 4, 1),
            dt.date(2022, 3, 31),
            "annual",
            100.0,
            "人",
            "07",
            "2023-05-31",
        ),
        (
            "regular_placed_persons",
            None,
            dt.date(2020, 4, 1),
            dt.date(2022, 3, 31),
            "period",
            200.0,
            "人",
            "07",
            "2023-05-31",
        ),
    ]
    # published 進捗率 95 ÷ 100 = 95% but 90.0% is printed: a warning; 2.1 ÷ 2 = 105% agrees
    checks = con.execute("select check_code, stated, computed, source_column from reported_checks").fetchall()
    assert checks == [("rate_mismatch", 90.0, 95.0, "令和3年度 進捗率")]
    assert s.warned == 1


# ---------------------------------------------------------------------------------------------
# KPI blocks: heading per project, 「KPI | 実績値」, 「目標 | 実績」; context from sheet and file names
# ---------------------------------------------------------------------------------------------

KPI = [
    ["長崎県 就職氷河期世代活躍支援プラットフォーム 事業実施計画"],
    [],
    ["地域若者サポートステーション 就職氷河期世代向け事業（人）"],
    ["目標は令和2〜4年度の3年間"],
    ["KPI", "実績値"],
    ["150", "41"],
    [],
    ["自立相談支援機関 新規相談件数（件）"],
    ["目標", "実績"],
    ["400", "352※1"],
    [],
    ["※1 4月は窓口休止"],
    ["※ 令和3年3月末現在"],
]


@pytest.mark.parametrize("name", ["長崎県_KPI_R2.csv", "長崎県_KPI_R2.xlsx"])
def test_kpi_blocks_load_result_and_target_with_the_project_and_target_span(con, tmp_path, name):
    report = load(con, write(tmp_path, name, KPI, title="令和2年度 実績"))
    s = report.sheets[0]
    assert s.figures.layout == "blocks"
    assert (s.rows_read, s.loaded, s.rows_excluded, s.quarantined, s.warned) == (4, 4, 0, 0, 0)
    accounts(report)
    rows = figures(con, report.batch_id)
    assert [(r["measure"], r["project"], r["unit"], r["fiscal_year"], r["value"], r["prefecture_code"])
            for r in rows] == [
        ("地域若者サポートステーション 就職氷河期世代向け事業", "地域若者サポートステーション 就職氷河期世代向け事業",
         "人", 2020, 41.0, "42"),
        ("new_consultations", "自立相談支援機関", "件", 2020, 352.0, "42"),
    ]  # fmt: skip
    assert rows[1]["note"] == "※1 4月は窓口休止"  # the ※1 note stays with the figure that carries the mark
    assert rows[0]["vintage"].date() == dt.date(2021, 3, 31)
    targets = con.execute(
        "select indicator, period_start, period_end, target_kind, fiscal_year, value, project from targets "
        "order by value"
    ).fetchall()
    assert targets == [
        ("地域若者サポートステーション 就職氷河期世代向け事業", dt.date(2020, 4, 1), dt.date(2023, 3, 31), "period", None,
         150.0, "地域若者サポートステーション 就職氷河期世代向け事業"),
        ("new_consultations", dt.date(2020, 4, 1), dt.date(2021, 3, 31), "annual", 2020, 400.0,
         "自立相談支援機関"),
    ]  # fmt: skip
    context = reported.context_dict(s.figures.context)
    assert context["prefecture_code"]["value"] == "42"
    assert context["prefecture_code"]["source"] == ("title")
    assert context["fiscal_year"] == {"value": "2020", "source": "sheet", "text": "令和2年度 実績"} or (
        name.endswith(".csv") and context["fiscal_year"]["source"] == "file"
    )


# ---------------------------------------------------------------------------------------------
# Long form (CP932 CSV and .xlsx)
# ---------------------------------------------------------------------------------------------

LONG = [
    ["年度", "年月", "都道府県", "対象者区分", "機関種別", "指標", "値", "単位", "備考"],
    ["令和3年度", "", "青森県", "計", "", "正社員就職件数", "1,234", "件", ""],
    ["令和3年度", "令和3年4月", "青森県", "長期無業", "地域若者サポートステーション", "進路決定者数", "-", "人", ""],
    ["令和3年度", "", "全国", "", "", "正社員就職者数", "1.2", "万人", "概数"],
    ["令和3年度", "", "青森県", "", "", "ひきこもり相談延べ件数", "35", "件", ""],
    ["令和3年度", "", "青森県", "", "", "正社員就職件数", "1,234", "件", ""],  # the same figure again
    ["令和3年度", "", "架空県", "", "", "正社員就職件数", "5", "件", ""],
    ["令和3年度", "", "岩手県", "", "", "正社員就職件数", "abc", "件", ""],
    ["※ 令和4年5月31日現在"],
]


@pytest.mark.parametrize("name", ["long.csv", "long.xlsx"])
def test_long_form_reads_codes_units_statuses_unknown_measures_and_quarantines_bad_cells(con, tmp_path, name):
    report = load(con, write(tmp_path, name, LONG))
    s = report.sheets[0]
    assert s.figures.layout == "long"
    assert (s.rows_read, s.loaded, s.duplicates, s.quarantined, s.rows_excluded) == (7, 4, 1, 2, 0)
    assert s.quarantined_by_reason == {"invalid_number": 1, "unknown_prefecture": 1}
    accounts(report)
    rows = figures(con, report.batch_id)
    got = [
        (
            r["measure"],
            r["measure_name"],
            r["unit"],
            r["period_kind"],
            r["prefecture_code"],
            r["target_group"],
            r["agency_type"],
            r["value"] if r["value_status"] == "value" else r["value_status"],
        )
        for r in rows
    ]
    assert got == [
        ("regular_placements", "正社員就職件数", "件", "fiscal_year", "02", None, None, 1234.0),
        ("career_decisions", "進路決定者数", "人", "month", "02", "long_term_jobless", "support_station", "none"),
        ("regular_placed_persons", "正社員就職者数", "人", "fiscal_year", None, None, None, 12000.0),
        # a measure the registry does not know: loaded under its own name, never merged with a known one
        ("ひきこもり相談延べ件数", "ひきこもり相談延べ件数", "件", "fiscal_year", "02", None, None, 35.0),
    ]  # fmt: skip
    assert rows[2]["note"] == "概数"
    quarantine = con.execute("select row_number, column_name, value, reason_code from quarantine order by 1").fetchall()
    assert quarantine == [(7, "値", "5", "unknown_prefecture"), (8, "値", "abc", "invalid_number")]


def test_units_of_persons_and_events_are_never_the_same_measure(con, tmp_path):
    lines = [["年度", "都道府県", "指標", "値", "単位"], ["令和3年度", "青森県", "正社員就職件数", "10", "人"]]
    report = load(con, write(tmp_path, "unit.csv", lines))
    row = figures(con, report.batch_id)[0]
    assert (row["measure"], row["unit"]) == ("正社員就職件数", "人")  # not regular_placements (件)


# ---------------------------------------------------------------------------------------------
# Cumulative spans restated by a later vintage; duplicates; rollback
# ---------------------------------------------------------------------------------------------


def council(vintage: str, values: tuple[int, int]) -> list[list[object]]:
    return [
        ["東北ブロック協議会 資料", None],
        ["正社員就職者数の累計（人）", None],
        ["都道府県", "累計（令和2年4月〜令和4年1月）"],
        ["青森県", values[0]],
        ["岩手県", values[1]],
        [f"※ {vintage}現在", None],
    ]


def test_a_later_vintage_restating_a_cumulative_span_is_kept_beside_the_earlier(con, tmp_path):
    first = load(con, write(tmp_path, "council_1.xlsx", council("令和4年2月15日", (70, 80))))
    later = load(con, write(tmp_path, "council_2.csv", council("令和4年4月20日", (72, 80))))
    accounts(first)
    accounts(later)
    rows = con.execute(
        "select prefecture_code, value, vintage, period_start, period_end, period_kind, is_cumulative, fiscal_year "
        "from reported_figures order by prefecture_code, vintage"
    ).fetchall()
    assert rows == [
        ("02", 70.0, dt.date(2022, 2, 15), dt.date(2020, 4, 1), dt.date(2022, 1, 31), "span", True, None),
        ("02", 72.0, dt.date(2022, 4, 20), dt.date(2020, 4, 1), dt.date(2022, 1, 31), "span", True, None),
        ("03", 80.0, dt.date(2022, 2, 15), dt.date(2020, 4, 1), dt.date(2022, 1, 31), "span", True, None),
        ("03", 80.0, dt.date(2022, 4, 20), dt.date(2020, 4, 1), dt.date(2022, 1, 31), "span", True, None),
    ]


def test_a_figure_already_loaded_is_a_duplicate_and_rollback_hands_it_over(con, tmp_path):
    a = load(con, write(tmp_path, "by_year_a.xlsx", BY_YEAR, BY_YEAR_MERGES))
    lines = [list(r) for r in BY_YEAR] + [["就職者数（人）", "10", "9", "90%", "10", "10", "100%", "20", "19", "95%"]]
    b = load(con, write(tmp_path, "by_year_b.csv", lines))
    assert (b.total("loaded"), b.total("duplicates")) == (5, 10)  # the first file's 4 figures and 6 targets
    accounts(b)
    assert con.execute("select count(*) from reported_figures_repeats").fetchone()[0] == 4
    assert con.execute("select count(*) from targets_repeats").fetchone()[0] == 6
    removed = rollback_batch(con, a.batch_id)
    assert removed["reported_figures"] == 0 and removed.kept["reported_figures"] == 4
    assert removed["targets"] == 0 and removed.kept["targets"] == 6
    assert removed["reported_checks"] == 1
    assert con.execute("select distinct batch_id from reported_figures").fetchall() == [(b.batch_id,)]
    assert con.execute("select count(*) from reported_figures").fetchone()[0] == 6
    removed = rollback_batch(con, b.batch_id)
    assert removed["reported_figures"] == 6 and removed["targets"] == 9
    for table in ("reported_figures", "targets", "reported_checks", "reported_figures_repeats", "targets_repeats"):
        assert con.execute(f"select count(*) from {table}").fetchone()[0] == 0, table


def test_a_failed_load_leaves_the_database_unchanged(con, tmp_path, monkeypatch):
    from analytics.ingest import load as loader

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(loader, "_insert_batch", broken)
    with pytest.raises(RuntimeError):
        load(con, write(tmp_path, "by_year.xlsx", BY_YEAR, BY_YEAR_MERGES))
    for table in ("reported_figures", "targets", "reported_checks", "batches"):
        assert con.execute(f"select count(*) from {table}").fetchone()[0] == 0, table


# ---------------------------------------------------------------------------------------------
# Overrides (--map) and the CLI
# ---------------------------------------------------------------------------------------------

BARE = [["都道府県", "4月", "5月"], ["青森県", "3", "4"], ["岩手県", "5", "6"]]


def test_a_table_without_context_is_quarantined_until_the_measure_and_year_are_given(tmp_path):
    path = write(tmp_path, "bare.csv", BARE)
    report = prepare_file(path.read_bytes(), path.name, key=KEY)
    s = report.sheets[0]
    assert (s.rows_read, s.loaded, s.quarantined) == (4, 0, 4)
    assert s.quarantined_by_reason == {"missing_measure": 4}
    mapping = {"measure": "正社員就職件数", "fiscal_year": "令和3年度", "vintage": "2022-04-30", "source": "労働局"}
    report = prepare_file(path.read_bytes(), path.name, key=KEY, mapping=mapping)
    s = report.sheets[0]
    assert (s.rows_read, s.rows_to_load, s.quarantined) == (4, 4, 0)
    frame = s.figures.figures
    assert set(frame["measure"]) == {"regular_placements"} and set(frame["unit"]) == {"件"}
    assert list(frame["period_start"]) == [dt.date(2021, 4, 1), dt.date(2021, 5, 1)] * 2
    assert set(frame["vintage"]) == {dt.date(2022, 4, 30)} and set(frame["source"]) == {"労働局"}
    context = reported.context_dict(s.figures.context)
    assert context["measure"]["source"] == "override" and context["fiscal_year"]["value"] == "2021"


def test_an_override_beats_what_the_title_says(tmp_path):
    path = write(tmp_path, "monthly.csv", MONTHLY)
    report = prepare_file(
        path.read_bytes(), path.name, key=KEY, mapping={"prefecture": "全国", "unit": "人", "measure": "正社員就職者数"}
    )
    frame = report.sheets[0].figures.figures
    assert set(frame["measure"]) == {"regular_placed_persons"} and set(frame["unit"]) == {"人"}


def test_cli_ingest_takes_the_files_and_the_map_overrides(tmp_path, capsys):
    db_path = tmp_path / "cli.duckdb"
    bare = write(tmp_path, "bare.csv", BARE)
    monthly = write(tmp_path, "monthly.xlsx", MONTHLY)
    code = main(["ingest", "--db", str(db_path), "--format", "json", "--map", "measure=新規登録者数",
                 "--map", "fiscal_year=2022", "--map", "unit=人", str(bare), str(monthly)])  # fmt: skip
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert [r["status"] for r in out] == ["loaded", "loaded"]
    bare_sheet = out[0]["sheets"][0]
    assert bare_sheet["kind"] == "reported_figures" and bare_sheet["loaded"] == 4
    assert bare_sheet["context"]["measure"]["value"] == "new_registrations"
    assert bare_sheet["context"]["measure"]["source"] == "override"
    # the second file's title names its measure, but --map applies to every file of the command
    assert out[1]["sheets"][0]["context"]["fiscal_year"]["value"] == "2022"
    code = main(["ingest", "--db", str(db_path), str(write(tmp_path, "by_year.csv", BY_YEAR))])
    text = capsys.readouterr().out
    assert code == 0 and "種別 集計値（wide）" in text and "⚠" in text and "都道府県: 福島県（表題行）" in text


def test_a_records_workbook_does_not_load_its_summary_sheet_as_figures(tmp_path):
    """A 集計 sheet beside 相談記録 summarises those records: loading it too would count them twice."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "相談記録"
    ws.append(["個人ID", "相談日", "都道府県", "対象者区分"])
    ws.append(["A1", "2021-04-05", "青森県", "長期無業"])
    summary = wb.create_sheet("集計")
    for line in MONTHLY:
        summary.append(line)
    buffer = io.BytesIO()
    wb.save(buffer)
    report = prepare_file(buffer.getvalue(), "records.xlsx", key=KEY)
    assert [(s.sheet, s.kind, s.status) for s in report.sheets] == [
        ("相談記録", "consultations", "ready"),
        ("集計", None, "skipped"),
    ]


def test_unreadable_figure_file_is_still_one_fatal_error(tmp_path):
    path = write(tmp_path, "nothing.csv", [["メモ"], ["なにもありません"]])
    with pytest.raises(IngestError):
        prepare_file(path.read_bytes(), path.name, key=KEY)


# ---------------------------------------------------------------------------------------------
# The committed sample files
# ---------------------------------------------------------------------------------------------

SAMPLES = {
    # file: (cells read, loaded, warned, quarantined, excluded, checks)
    "reported_hw_monthly_R5.xlsx": (624, 564, 0, 0, 60, 0),
    "reported_42_nagasaki_KPI_R2.xlsx": (7, 6, 1, 0, 1, 1),
    "reported_council_R4-01.xlsx": (6, 6, 0, 0, 0, 0),
    "reported_council_R4-03.csv": (12, 12, 0, 0, 0, 0),
    "reported_07_fukushima_3years.xlsx": (36, 21, 1, 0, 15, 1),
    "reported_tohoku_totals_mismatch_R4.csv": (91, 72, 22, 0, 19, 4),
    "reported_long_cp932.csv": (22, 22, 0, 0, 0, 0),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_each_committed_sample_loads_and_accounts(con, name):
    report = load(con, CLEAN / name)
    s = [s for s in report.sheets if s.status == "loaded"]
    assert len(s) == 1 and s[0].kind == "reported_figures"
    s = s[0]
    assert (s.rows_read, s.loaded, s.warned, s.quarantined, s.rows_excluded, len(s.figures.checks)) == SAMPLES[name]
    accounts(report)
    batch = con.execute(
        "select rows_read, rows_loaded, rows_quarantined, rows_duplicate, rows_excluded, rows_warned, kinds "
        "from batches where batch_id = ?",
        [report.batch_id],
    ).fetchone()
    assert batch == (*SAMPLES[name][:2], 0, 0, SAMPLES[name][4], SAMPLES[name][2], "reported_figures")


def test_the_sample_generator_is_deterministic(tmp_path):
    from analytics.sample import reported as sample

    paths = sample.write_reported_files(tmp_path)
    assert [p.name for p in paths] == list(sample.FILES)
    for p in paths:
        assert p.read_bytes() == (CLEAN / p.name).read_bytes(), p.name


def test_the_sample_includes_a_prefecture_with_only_reported_figures_for_its_targets(con):
    for name in SAMPLES:
        load(con, CLEAN / name)
    # Nagasaki's KPI measures (進路決定者数, 新規相談件数 …) have no records counterpart: reported figures and
    # targets only
    measures = con.execute(
        "select distinct measure from reported_figures where prefecture_code = '42' and project is not null"
    ).fetchall()
    indicators = {m for (m,) in measures}
    assert indicators == {"career_decisions", "new_consultations", "training_persons"}
    assert con.execute("select count(*) from targets where prefecture_code = '42'").fetchone()[0] == 3
    assert contract.REPORTED_FIGURES.duplicate_key == reported.FIGURE_KEY


# ---------------------------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------------------------


def test_the_long_template_filled_in_loads_and_its_example_row_does_not(con, tmp_path):
    from openpyxl import load_workbook

    from analytics.ingest import templates

    wb = load_workbook(io.BytesIO(templates.figure_template_workbook("reported_long")))
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == list(templates.LONG_HEADERS)
    ws.append(["令和6年度", "令和6年5月", "岩手県", "長期無業", "地域若者サポートステーション", "進路決定者数", 7, "人", None,
               "サポステ", "2024/06/30"])  # fmt: skip
    ws.append(["令和6年度", None, "全国", "計", None, "正社員就職件数", "x", "件", "秘匿", None, None])
    path = tmp_path / "filled.xlsx"
    wb.save(path)
    report = load(con, path)
    s = [s for s in report.sheets if s.status == "loaded"][0]
    assert (s.rows_read, s.loaded) == (2, 2)
    rows = figures(con, report.batch_id)
    assert [(r["measure"], r["prefecture_code"], r["value_status"], r["source"]) for r in rows] == [
        ("career_decisions", "03", "value", "サポステ"),
        ("regular_placements", None, "suppressed", None),
    ]
    assert rows[0]["vintage"].date() == dt.date(2024, 6, 30) and rows[0]["period_kind"] == "month"


def test_the_kpi_template_filled_in_loads_results_and_targets(con, tmp_path):
    from openpyxl import load_workbook

    from analytics.ingest import templates

    wb = load_workbook(io.BytesIO(templates.figure_template_workbook("reported_kpi")))
    ws = wb.worksheets[0]
    ws["A1"] = "秋田県 就職氷河期世代活躍支援プラットフォーム 事業実施計画 KPI 実績報告"
    ws["A7"], ws["B7"], ws["A11"], ws["B11"] = 90, 31, 200, 188
    path = tmp_path / "kpi.xlsx"
    wb.save(path)
    report = load(con, path)
    accounts(report)
    rows = figures(con, report.batch_id)
    assert [(r["measure"], r["fiscal_year"], r["value"], r["prefecture_code"]) for r in rows] == [
        ("career_decisions", 2024, 31.0, "05"),
        ("new_consultations", 2024, 188.0, "05"),
    ]
    targets = con.execute("select indicator, target_kind, period_start, period_end, value from targets order by 5").fetchall()
    assert targets == [
        ("career_decisions", "period", dt.date(2024, 4, 1), dt.date(2027, 3, 31), 90.0),
        ("new_consultations", "annual", dt.date(2024, 4, 1), dt.date(2025, 3, 31), 200.0),
    ]


def test_a_national_row_beside_a_few_prefectures_is_a_figure_not_their_total(con, tmp_path):
    lines = [["年度", "都道府県", "指標", "値", "単位"], ["令和3年度", "青森県", "正社員就職件数", "10", "件"],
             ["令和3年度", "岩手県", "正社員就職件数", "12", "件"], ["令和3年度", "全国", "正社員就職件数", "9,000", "件"]]  # fmt: skip
    report = load(con, write(tmp_path, "three.csv", lines))
    s = report.sheets[0]
    assert (s.rows_read, s.loaded, s.rows_excluded) == (3, 3, 0)
    assert con.execute("select value from reported_figures where prefecture_code is null").fetchall() == [(9000.0,)]
    assert con.execute("select count(*) from reported_checks").fetchone()[0] == 0


def test_a_national_row_under_all_47_prefectures_is_their_total(con, tmp_path):
    from analytics.ingest import normalise as nz

    names = list(nz.region_reference().prefectures.values())
    lines = [["令和3年度 正社員就職件数（件）"], ["都道府県", "4月", "5月"]]
    lines += [[name, "1", "2"] for name in names] + [["全国", "47", "95"]]  # 5月: 94 ≠ 95
    report = load(con, write(tmp_path, "all.csv", lines))
    s = report.sheets[0]
    assert (s.rows_read, s.loaded, s.rows_excluded, s.warned) == (96, 94, 2, 47)
    checks = con.execute("select source_column, stated, computed from reported_checks").fetchall()
    assert checks == [("5月", 95.0, 94.0)]


def test_cli_saves_the_context_as_a_profile_that_the_next_file_with_the_same_headers_uses(tmp_path, capsys):
    db_path = tmp_path / "cli.duckdb"
    first = write(tmp_path, "hw_4.csv", BARE)
    args = ["--map", "measure=正社員就職件数", "--map", "fiscal_year=2021", "--save-profile", "青森労働局 月次"]
    assert main(["ingest", "--db", str(db_path), *args, str(first)]) == 0
    capsys.readouterr()
    second = write(tmp_path, "hw_5.csv", [BARE[0], ["青森県", "7", "8"], ["岩手県", "9", "10"]])
    assert main(["ingest", "--db", str(db_path), "--kind", "reported_figures", "--format", "json", str(second)]) == 0
    second_sheet = json.loads(capsys.readouterr().out)[0]["sheets"][0]
    assert second_sheet["context"]["measure"]["source"] == "override"  # from the saved profile
    from analytics import db

    con = db.connect(db_path, read_only=True)
    try:
        rows = con.execute(
            "select b.file_name, count(*), min(f.measure), min(f.fiscal_year) from reported_figures f "
            "join batches b using (batch_id) group by 1 order by 1"
        ).fetchall()
    finally:
        con.close()
    assert rows == [("hw_4.csv", 4, "regular_placements", 2021), ("hw_5.csv", 4, "regular_placements", 2021)]
