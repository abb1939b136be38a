"""The Excel report: sheets, values equal to the indicator engine's, formats, charts, print setup, safe text."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from analytics import db
from analytics.metrics import indicators
from analytics.metrics.disclosure import COUNT_FORMAT, MARK
from analytics.reports import build_report, render
from analytics.reports.content import KEY_INDICATORS, TABLE_COUNTS
from analytics.text.safe_text import FORMULA_PREFIXES, neutralise, write_text

SHEETS = ["概要", "進捗", "地域別", "対象者別", "プラットフォーム", "定義", "注記"]  # プラットフォーム: issue 18


@pytest.fixture(scope="module")
def national(seeded_db_path):
    con = db.connect(seeded_db_path, read_only=True)
    try:
        report = build_report(con, fiscal_year=2023)
        engine = indicators.compute(con, filters={"fiscal_year": [2023]})
        by_pref = indicators.compute(con, by=["prefecture_code"], filters={"fiscal_year": [2023]})
    finally:
        con.close()
    wb = openpyxl.load_workbook(io.BytesIO(render(report, "xlsx")))
    return report, wb, engine, by_pref


def find_row(ws, text, column=1):
    for row in ws.iter_rows(min_col=column, max_col=column):
        if row[0].value == text:
            return row[0].row
    raise AssertionError(f"{text!r} not in column {column} of {ws.title}")


def header_map(ws, row):
    return {c.value: c.column for c in ws[row] if c.value is not None}


def test_the_workbook_has_the_six_sheets_in_order(national):
    _, wb, _, _ = national
    assert wb.sheetnames == SHEETS


def test_key_indicators_equal_the_indicator_engine(national):
    _report, wb, engine, _ = national
    ws = wb["概要"]
    for ind_id in KEY_INDICATORS:
        ind = indicators.REGISTRY_BY_ID[ind_id]
        row = find_row(ws, ind.ja)
        value = ws.cell(row, 3).value
        expected = engine[ind_id].iloc[0]
        if ind.kind == "count":
            assert value == int(expected), ind_id
            assert isinstance(value, int) and ws.cell(row, 3).number_format == COUNT_FORMAT
        elif ind.kind == "rate":
            assert value == pytest.approx(float(expected)), ind_id
            assert ws.cell(row, 3).number_format == "0.0%"
        else:
            assert value == pytest.approx(float(expected))


def test_regional_table_equals_the_engine_or_is_suppressed(national):
    _, wb, _, by_pref = national
    ws = wb["地域別"]
    head = find_row(ws, "都道府県")
    cols = header_map(ws, head)
    tokyo = find_row(ws, "東京都")
    expected = by_pref.set_index("prefecture_code").loc["13"]
    checked = hidden = 0
    for ind_id in TABLE_COUNTS:
        ja = indicators.REGISTRY_BY_ID[ind_id].ja
        for r in range(head + 1, head + 49):
            v = ws.cell(r, cols[ja]).value
            assert not (isinstance(v, (int, float)) and 0 < v < 10), f"small count shown: {ws.title}!{r} {ja}={v}"
            hidden += v == MARK
        assert ws.cell(tokyo, cols[ja]).value == int(expected[ind_id])
        checked += 1
    assert checked == len(TABLE_COUNTS) and hidden > 0
    total = find_row(ws, "全国")
    assert ws.cell(total, cols["実支援者数"]).value == int(national[2]["persons"].iloc[0])
    assert ws.cell(tokyo, cols["6か月以内正社員就職率"]).number_format == "0.0%"


def test_no_numbers_stored_as_text_and_suppressed_cells_hold_x(national):
    _, wb, _, _ = national
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    text = cell.value.replace(",", "").replace("%", "").strip()
                    try:
                        float(text)
                    except ValueError:
                        continue
                    raise AssertionError(f"number stored as text: {ws.title}!{cell.coordinate} = {cell.value!r}")


def test_native_charts_read_the_sheets_own_cells(national):
    _, wb, _, _ = national
    line = wb["概要"]._charts
    bar = wb["進捗"]._charts
    assert [type(c).__name__ for c in line] == ["LineChart"]
    assert [type(c).__name__ for c in bar] == ["BarChart"]
    refs = [s.val.numRef.f for s in line[0].series]
    assert all(ref.startswith("'概要'!") for ref in refs) and len(refs) == 5
    assert bar[0].series[0].val.numRef.f.startswith("'進捗'!")


def test_print_setup_freeze_panes_font_and_widths(national):
    report, wb, _, _ = national
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows, ws.title
        assert ws.freeze_panes, ws.title
        assert "&P" in ws.oddFooter.center.text
        assert report.as_of_label in ws.oddFooter.right.text
    ws = wb["地域別"]
    assert ws["A1"].font.name == "Meiryo"
    head = find_row(ws, "都道府県")
    assert ws.freeze_panes == f"B{head + 1}"
    assert ws.print_title_rows == f"${head}:${head}"
    # the widest Japanese header fits: wide characters count double
    assert ws.column_dimensions["A"].width >= 8


def test_progress_sheet_matches_compute_progress(national, seeded_db_path):
    from analytics.metrics import progress

    _, wb, _, _ = national
    con = db.connect(seeded_db_path, read_only=True)
    try:
        p = progress.compute_progress(con, stage="第2ステージ", by=[])
    finally:
        con.close()
    ws = wb["進捗"]
    head = find_row(ws, "指標")
    cols = header_map(ws, head)
    fy = p[p["fiscal_year"] == 2023].iloc[0]
    for r in range(head + 1, ws.max_row + 1):
        if ws.cell(r, 1).value == fy["indicator_ja"] and ws.cell(r, cols["目標の期間"]).value == "令和5年度 (FY2023)":
            assert ws.cell(r, cols["実績"]).value == int(fy["actual"])
            assert ws.cell(r, cols["目標"]).value == fy["target"]
            assert ws.cell(r, cols["達成率"]).value == pytest.approx(fy["achievement"])
            assert ws.cell(r, cols["達成率"]).number_format == "0.0%"
            break
    else:
        raise AssertionError("FY2023 target row missing")


def test_definitions_cover_every_indicator_used(national):
    report, wb, _, _ = national
    ws = wb["定義"]
    ids = {c.value for c in ws["A"] if c.value in indicators.REGISTRY_BY_ID}
    assert set(report.indicator_ids) <= ids


def test_notes_name_unlinked_placements_and_the_rule(national):
    _, wb, _, _ = national
    text = "\n".join(str(c.value) for c in wb["注記"]["B"] if c.value)
    assert "突合できない就職等" in text and "秘匿処理" in text


def test_text_that_looks_like_a_formula_is_kept_inert(national):
    report, _, _, _ = national
    report.regions.rows.loc[0, "label"] = '=HYPERLINK("http://example.invalid","x")'
    report.batches.rows.loc[0, "file"] = "+cmd|' /C calc'!A0.csv"
    wb = openpyxl.load_workbook(io.BytesIO(render(report, "xlsx")))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_PREFIXES):
                    assert cell.data_type == "s" and cell.quotePrefix, f"{ws.title}!{cell.coordinate}"


@pytest.mark.parametrize("text", ["=1+1", "+81", "-5", "@SUM(A1)", "\tx", "\rx"])
def test_neutralise_prefixes_formula_like_text(text):
    assert neutralise(text) == "'" + text
    cell = openpyxl.Workbook().active["A1"]
    write_text(cell, text)
    assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)


@pytest.mark.parametrize("value", ["東京都", "x", 5, 0.25, None])
def test_neutralise_leaves_ordinary_values(value):
    assert neutralise(value) == value


def test_prefecture_report_lists_municipalities_in_english(seeded_db_path):
    con = db.connect(seeded_db_path, read_only=True)
    try:
        report = build_report(con, prefecture="13", stage="第2ステージ", lang="en")
    finally:
        con.close()
    wb = openpyxl.load_workbook(io.BytesIO(render(report, "xlsx")))
    assert wb.sheetnames == ["Summary", "Progress", "By region", "By group", "Platforms", "Definitions", "Notes"]
    labels = [c.value for c in wb["By region"]["A"]]
    assert "千代田区" in labels and "Tokyo Total" in labels
    shown = pd.Series([c.value for row in wb["By region"].iter_rows() for c in row])
    assert (shown == MARK).any()


def test_a_running_year_is_compared_with_the_same_months_of_the_year_before(midyear_db_path):
    """Data to 2024-09-30: the key table's previous column is April–September 2023, and its header says so."""
    con = db.connect(midyear_db_path, read_only=True)
    try:
        report = build_report(con, fiscal_year=2024)
        months = [f"2023-{m:02d}" for m in range(4, 10)]
        same = indicators.compute(con, filters={"month": months}, indicators=KEY_INDICATORS)
        report_en = build_report(con, fiscal_year=2024, lang="en")
    finally:
        con.close()
    rows = report.key.rows.set_index("id")
    for ind_id in ("consultations", "persons", "regular_placed_persons"):
        assert rows.loc[ind_id, "previous"] == same[ind_id].iloc[0], ind_id
    header = report.key.column("previous").header
    assert header == "前年同期 令和5年度 (FY2023) 4〜9月"
    assert report_en.key.column("previous").header == "Same period last year FY2023 Apr–Sep"
    assert any("前年同期比" in n and "4〜9月" in n for n in report.notes)
    ws = openpyxl.load_workbook(io.BytesIO(render(report, "xlsx")))["概要"]
    row = find_row(ws, indicators.REGISTRY_BY_ID["consultations"].ja)
    column = next(c.column for r in ws.iter_rows() for c in r if c.value == header)
    assert ws.cell(row, column).value == same["consultations"].iloc[0]


def test_a_finished_year_is_compared_with_the_whole_previous_year(national, seeded_db_path):
    report, _, _, _ = national
    con = db.connect(seeded_db_path, read_only=True)
    try:
        whole = indicators.compute(con, filters={"fiscal_year": [2022]}, indicators=["consultations"])
    finally:
        con.close()
    assert report.key.rows.set_index("id").loc["consultations", "previous"] == whole["consultations"].iloc[0]
    assert report.key.column("previous").header == "前年度 令和4年度 (FY2022)"
    assert not any("前年同期比" in n for n in report.notes)


def test_a_running_stage_is_compared_with_the_same_span_of_the_previous_one(midyear_db_path):
    con = db.connect(midyear_db_path, read_only=True)
    try:
        report = build_report(con, stage="第2ステージ")  # FY2023–FY2024, data to 2024-09-30
        span = [str(p) for p in pd.period_range("2021-04", "2022-09", freq="M")]
        same = indicators.compute(con, filters={"month": span}, indicators=["consultations"])
    finally:
        con.close()
    assert report.key.rows.set_index("id").loc["consultations", "previous"] == same["consultations"].iloc[0]
    assert report.key.column("previous").header == "前期間の同期間 FY2021 4月〜FY2022 9月"
    assert any("前期間の同期間" in n and "FY2021 4月〜FY2022 9月" in n for n in report.notes)
