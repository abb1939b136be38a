"""The summary report as an Excel workbook (openpyxl): sheets 概要, 進捗, 地域別, 対象者別, 定義, 注記.

Cells hold numbers (never numbers stored as text) with number formats (#,##0 with 0 shown as 「-」, 0.0%);
suppressed cells hold the text 「x」; every text cell is written through :func:`analytics.text.safe_text.write_text`
so nothing a sender typed can run as a formula. Charts are native Excel charts (LineChart, BarChart) that
read the sheet's own cells, so a manager can restyle them. Each sheet has a frozen header, column widths
sized for Japanese text, a Japanese font, and print setup: A4 landscape, fit to width, header rows repeated
on every page, a footer with the page number and the data's as-of date.
"""

from __future__ import annotations

import io
import math
import unicodedata

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from analytics.metrics import disclosure
from analytics.reports.content import Report, Table
from analytics.text.safe_text import write_text

FONT_NAME = "Meiryo"  # メイリオ: on every Windows since Vista; Excel elsewhere substitutes a Japanese font
FONT = Font(name=FONT_NAME, size=10)
BOLD = Font(name=FONT_NAME, size=10, bold=True)
TITLE = Font(name=FONT_NAME, size=16, bold=True)
HEADING = Font(name=FONT_NAME, size=12, bold=True)
NOTE = Font(name=FONT_NAME, size=9, color="555555")
HEADER_FILL = PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")
TOTAL_FILL = PatternFill("solid", start_color="F2F2F2", end_color="F2F2F2")
THIN = Side(style="thin", color="BFBFBF")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)

# number format per cell kind (see content.Kind)
FORMATS: dict[str, str] = {
    "count": disclosure.COUNT_FORMAT,  # 1,234 and 0 shown as 「-」
    "rate": disclosure.RATE_FORMAT,  # 25.4%
    "ratio": "0.0%",
    "change": "+#,##0;-#,##0;0",
    "points": '+0.0"pt";-0.0"pt";0.0"pt"',
    "days": "#,##0",
    "number": "#,##0",
}
MAX_WIDTH = 60


def workbook_bytes(report: Report) -> bytes:
    """The report as .xlsx bytes."""
    buffer = io.BytesIO()
    build_workbook(report).save(buffer)
    return buffer.getvalue()


def build_workbook(report: Report) -> Workbook:
    """The report as an openpyxl Workbook (sheets in the order a reader needs them)."""
    wb = Workbook()
    wb._named_styles["Normal"].font = FONT  # default font of every cell, empty ones included
    ws = wb.active
    ws.title = report.text("sheet.summary")
    _summary_sheet(ws, report)
    _table_sheet(wb.create_sheet(report.text("sheet.progress")), report, [report.progress], chart="progress")
    _table_sheet(wb.create_sheet(report.text("sheet.regions")), report, [report.regions])
    _table_sheet(wb.create_sheet(report.text("sheet.groups")), report, [report.groups, report.agencies])
    if report.platforms is not None:
        _platforms_sheet(wb.create_sheet(report.text("sheet.platforms")), report)
    _table_sheet(wb.create_sheet(report.text("sheet.definitions")), report, [report.definitions], wrap=True)
    _notes_sheet(wb.create_sheet(report.text("sheet.notes")), report)
    wb.properties.title = f"{report.title} {report.scope_label} {report.period_label}"
    wb.properties.creator = "hyogaki-dashboard"
    return wb


# ---------------------------------------------------------------------------------------------
# Sheets
# ---------------------------------------------------------------------------------------------


def _summary_sheet(ws: Worksheet, report: Report) -> None:
    """概要: title, cover lines, batches used, key indicators, the trend table and its line chart."""
    _title(ws, report)
    row = 3
    for label, value in report.cover():
        _text(ws.cell(row, 1), label, BOLD)
        ws.cell(row, 1).alignment = Alignment(vertical="top")
        cell = ws.cell(row, 2)
        _text(cell, value)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=7)
        if len(value) > 60:
            ws.row_dimensions[row].height = 15 * math.ceil(len(value) / 60)
        row += 1
    row += 1
    key_header = _header_row(report.key, row)
    row = _write_table(ws, report.key, row) + 1
    trend_header = _header_row(report.trend, row)
    row = _write_table(ws, report.trend, row)
    row = _write_table(ws, report.batches, row + 1)
    _line_chart(ws, report, trend_header, f"I{key_header}")
    _widths(ws, {1: 26})
    ws.freeze_panes = "A3"
    _print_setup(ws, report, f"{key_header}:{key_header}")


def _table_sheet(
    ws: Worksheet, report: Report, tables: list[Table], *, chart: str | None = None, wrap: bool = False
) -> None:
    _title(ws, report)
    row = 3
    first_header = None
    for table in tables:
        first_header = first_header or _header_row(table, row)
        row = _write_table(ws, table, row, wrap=wrap) + 1
    if chart == "progress" and not report.progress.rows.empty:
        _progress_chart(ws, report, first_header)
    _widths(ws, {}, wrap=wrap)
    ws.freeze_panes = ws.cell(first_header + 1, 2 if not wrap else 1).coordinate
    _print_setup(ws, report, f"{first_header}:{first_header}")


def _platforms_sheet(ws: Worksheet, report: Report) -> None:
    """市町村プラットフォーム: the coverage table under its title, the counts in words below it."""
    table = report.platforms
    if table.rows.empty:
        _title(ws, report)
        _text(ws.cell(3, 1), table.title, Font(bold=True))
        _text(ws.cell(4, 1), table.note)
        return
    _table_sheet(ws, report, [table])
    _text(ws.cell(ws.max_row + 2, 1), table.note)


def _notes_sheet(ws: Worksheet, report: Report) -> None:
    _title(ws, report)
    _text(ws.cell(3, 1), report.text("notes"), HEADING)
    row = 4
    lines = [*report.notes, report.rule, report.text("symbols_text")]
    for n, note in enumerate(lines, start=1):
        ws.cell(row, 1).value = n
        cell = ws.cell(row, 2)
        _text(cell, note)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = 15 * max(1, math.ceil(_display_width(note) / 110))
        row += 1
    ws.column_dimensions["A"].width = 5
    ws.column_dimensions["B"].width = 120
    ws.freeze_panes = "A4"
    _print_setup(ws, report, "3:3")


# ---------------------------------------------------------------------------------------------
# Tables and cells
# ---------------------------------------------------------------------------------------------


def _title(ws: Worksheet, report: Report) -> None:
    _text(ws.cell(1, 1), f"{report.title}　{report.scope_label}　{report.period_label}", TITLE)
    ws.row_dimensions[1].height = 24


def _header_row(table: Table, row: int) -> int:
    """The row of the table's header when :func:`_write_table` starts it at ``row`` (title, note, header)."""
    return row + 1 + (1 if table.note else 0)


def _write_table(ws: Worksheet, table: Table, row: int, *, wrap: bool = False) -> int:
    """Write the table's title (and note) at ``row``, then header and rows; return the next free row."""
    _text(ws.cell(row, 1), table.title, HEADING)
    row += 1
    if table.note:
        _text(ws.cell(row, 1), table.note, NOTE)
        row += 1
    for j, column in enumerate(table.columns, start=1):
        cell = ws.cell(row, j)
        _text(cell, column.header, BOLD)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[row].height = 30
    row += 1
    for i in range(len(table.rows)):
        is_total = table.total_row == i
        for j, column in enumerate(table.columns, start=1):
            cell = ws.cell(row, j)
            value = table.rows[column.key].iloc[i]
            kind = table.kind_of(i, column)
            if column.key == "change" and "_change_kind" in table.rows:
                kind = "points" if table.rows["_change_kind"].iloc[i] == "points" else kind
            _value(cell, value, kind)
            cell.border = BORDER
            if is_total:
                cell.font = BOLD
                cell.fill = TOTAL_FILL
            if wrap and kind == "text":
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
    return row


def _value(cell, value: object, kind: str) -> None:
    """A number with its format, 「x」/「…」 right-aligned, or neutralised text."""
    if isinstance(value, str):
        _text(cell, value)
        if kind not in ("label", "text"):
            cell.alignment = Alignment(horizontal="right")
        return
    if value is None or (isinstance(value, float) and math.isnan(value)):
        cell.value = None
        return
    try:
        number = float(value)  # numpy and pandas scalars become plain Python numbers
    except (TypeError, ValueError):
        _text(cell, str(value))
        return
    if math.isnan(number):
        cell.value = None
        return
    cell.value = int(number) if kind in ("count", "change", "number") and number.is_integer() else number
    cell.number_format = FORMATS.get(kind, "General")


def _text(cell, value: object, font: Font | None = None) -> None:
    write_text(cell, value)
    if font is not None:
        cell.font = font


def _display_width(text: str) -> int:
    """Columns a text needs: East Asian wide and full-width characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else 1 for ch in str(text))


def _widths(ws: Worksheet, fixed: dict[int, float], *, wrap: bool = False) -> None:
    """Widths that fit the widest cell of each column (titles and notes in column A excepted)."""
    widths: dict[int, int] = {}
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            if cell.value is None or cell.coordinate in ws.merged_cells:
                continue
            if cell.font is not None and cell.font.sz and cell.font.sz >= 12:
                continue  # headings run over empty cells to their right
            if cell.font is not None and cell.font.color is not None and cell.font.color.rgb == NOTE.color.rgb:
                continue  # table notes, likewise
            if isinstance(cell.value, (int, float)):
                width = len(f"{cell.value:,.1f}") + 2
            else:
                width = _display_width(str(cell.value))
                if cell.alignment is not None and cell.alignment.wrap_text and width > 20:
                    width = min(width, 24 if cell.font.b else MAX_WIDTH)
            widths[cell.column] = max(widths.get(cell.column, 0), width)
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = fixed.get(col, min(max(width + 2, 8), MAX_WIDTH))
    for col, width in fixed.items():
        ws.column_dimensions[get_column_letter(col)].width = width


def _print_setup(ws: Worksheet, report: Report, title_rows: str) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = title_rows
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddHeader.left.text = _header_text(f"{report.title} {report.scope_label} {report.period_label}")
    ws.oddHeader.left.size = 9
    ws.oddFooter.center.text = "&P / &N"
    ws.oddFooter.right.text = _header_text(report.text("footer", as_of=report.as_of_label))
    ws.oddFooter.right.size = 9


def _header_text(text: str) -> str:
    return text.replace("&", "&&")  # & starts a header code (&P page, &D date)


# ---------------------------------------------------------------------------------------------
# Charts: read the sheet's own cells
# ---------------------------------------------------------------------------------------------


def _line_chart(ws: Worksheet, report: Report, header_row: int, anchor: str) -> None:
    """Persons by fiscal year: one line per count column of the trend table."""
    n = len(report.trend.rows)
    if n == 0:
        return
    counts = [j for j, c in enumerate(report.trend.columns, start=1) if c.kind == "count"]
    chart = LineChart()
    chart.title = report.text("chart.trend")
    chart.y_axis.title = "人" if report.lang != "en" else "persons"
    chart.y_axis.numFmt = "#,##0"
    chart.height, chart.width = 9, 18
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    data = Reference(ws, min_col=counts[0], max_col=counts[-1], min_row=header_row, max_row=header_row + n)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=header_row + n))
    for series in chart.series:
        series.marker.symbol = "circle"
        series.smooth = False
    ws.add_chart(chart, anchor)


def _progress_chart(ws: Worksheet, report: Report, header_row: int) -> None:
    """Achievement (actual ÷ target) per target, as horizontal bars."""
    table = report.progress
    n = len(table.rows)
    keys = [c.key for c in table.columns]
    ach = keys.index("achievement") + 1
    label = keys.index("chart_label") + 1
    chart = BarChart()
    chart.type = "bar"
    chart.title = report.text("chart.progress")
    chart.y_axis.numFmt = "0%"
    chart.y_axis.scaling.min = 0
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    chart.legend = None
    chart.height, chart.width = max(6, 1.0 * n + 3), 18
    chart.add_data(Reference(ws, min_col=ach, min_row=header_row, max_row=header_row + n), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=label, min_row=header_row + 1, max_row=header_row + n))
    ws.add_chart(chart, ws.cell(header_row + n + 3, 1).coordinate)
