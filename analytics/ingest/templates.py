"""Excel templates for agencies: one per kind (相談記録・就職等実績・目標), built from the data contract.

Each template has Japanese headers the ingest maps exactly, one example row, drop-down lists for the coded
columns (対象者区分, 機関種別, 就職等区分, 都道府県, 6か月定着 …), date and text formats on whole columns, and a
second sheet 「説明」 that explains every column. The example row's first cell starts with ※, which the ingest
treats as a note row, so a template sent back with the example still in place loads only the real rows.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from analytics import contract
from analytics.ingest import normalise as nz
from analytics.text import ui_text

NOTES_SHEET = "説明"
EXAMPLE_MARK = "※記入例: "  # the ingest excludes rows whose first cell starts with ※ (note rows)
VALIDATED_ROWS = 5000  # drop-downs and formats cover this many data rows
DATE_FORMAT = "yyyy/mm/dd"
TEXT_FORMAT = "@"  # IDs and codes stay text in Excel: 01-01000 and 02201 keep their leading zeros
HEADER_FILL = PatternFill("solid", start_color="1F5FA8", end_color="1F5FA8")
EXAMPLE_FONT = Font(color="7F7F7F", italic=True)

# Headers written in the template when the contract's Japanese name reads oddly for what is typed
# (the drop-down offers prefecture names, so the header says 都道府県, not 都道府県コード).
HEADER_OVERRIDES: dict[str, str] = {"prefecture_code": "都道府県"}
# Code lists that accept free text (unknown names become その他): the drop-down only warns.
LENIENT = set(contract.LENIENT_CODE_LISTS)

TYPE_LABELS: dict[str, str] = {
    "person_id": "文字列（ID）",
    "date": "日付",
    "municipality": "市区町村コード（5桁・6桁）または市区町村名",
    "prefecture": "一覧から選択（名前）",
    "code": "一覧から選択",
    "text": "文字列",
    "int": "整数",
    "bool": "一覧から選択",
    "float": "数値",
    "fiscal_year": "西暦または和暦（2023、令和5年度）",
}


def header_for(column: contract.Column) -> str:
    """The header written in the template for ``column`` (the ingest maps it back exactly)."""
    return HEADER_OVERRIDES.get(column.name, column.ja)


def choices_for(kind: str, column: contract.Column) -> list[str] | None:
    """The drop-down values (Japanese labels) of a coded column, or None for a free column."""
    if column.codes:
        return [c.ja for c in contract.CODE_LISTS[column.codes]]
    if column.type == "prefecture":
        names = [ui_text.prefecture_label(code) for code in ui_text.prefecture_codes()]
        return ["全国", *names] if kind == "targets" else names
    if column.name == "indicator":
        return [c.ja for c in contract.TARGET_INDICATORS]
    return None


def template_file_name(kind: str) -> str:
    """``取込テンプレート_相談記録.xlsx`` for consultations."""
    return f"取込テンプレート_{contract.TABLES[kind].ja}.xlsx"


def _example_value(column: contract.Column) -> object:
    """The contract's example as Excel would hold it: a date cell for dates, a number for numbers."""
    text = column.example
    if not text:
        return None
    if column.type == "date":
        parsed, _ = nz.parse_date(text)
        return parsed or text
    if column.type == "int":
        return int(text)
    if column.type == "float":
        number = float(text)
        return int(number) if number.is_integer() else number
    return text


def template_workbook(kind: str) -> bytes:
    """The .xlsx template for ``kind`` (consultations | placements | targets) as bytes.

    Sheet 1 (named for the kind, e.g. 相談記録): row 1 headers, row 2 the example (grey, first cell ※記入例),
    data from row 3. Sheet 2 「説明」: one row per column. Raises ``KeyError`` for an unknown kind.
    """
    table = contract.TABLES[kind]
    wb = Workbook()
    ws = wb.active
    ws.title = table.ja
    for j, column in enumerate(table.columns, start=1):
        letter = get_column_letter(j)
        head = ws.cell(row=1, column=j, value=header_for(column))
        head.font = Font(bold=True, color="FFFFFF")
        head.fill = HEADER_FILL
        head.alignment = Alignment(horizontal="center")
        example = _example_value(column)
        if j == 1:
            example = f"{EXAMPLE_MARK}{example}"
        cell = ws.cell(row=2, column=j, value=example)
        cell.font = EXAMPLE_FONT
        dimension = ws.column_dimensions[letter]
        dimension.width = max(12, len(header_for(column)) * 2 + 4, len(str(example or "")) * 2 if j > 1 else 20)
        if column.type == "date":
            dimension.number_format = DATE_FORMAT
            cell.number_format = DATE_FORMAT
        elif column.type in ("person_id", "municipality"):
            dimension.number_format = TEXT_FORMAT
            cell.number_format = TEXT_FORMAT
        choices = choices_for(kind, column)
        if choices:
            ws.add_data_validation(_drop_down(column, choices, f"{letter}2:{letter}{VALIDATED_ROWS + 2}"))
    ws.freeze_panes = "A2"
    _write_notes(wb.create_sheet(NOTES_SHEET), kind)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _drop_down(column: contract.Column, choices: list[str], cells: str) -> DataValidation:
    lenient = column.codes in LENIENT
    # Excel limits an inline list to 255 characters; the longest list (47 prefectures and 全国) is ~195.
    formula = '"' + ",".join(choices) + '"'
    assert len(formula) <= 257, f"{column.name}: drop-down list too long for an inline list"
    validation = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showDropDown=False,  # (sic) False shows the arrow
        showErrorMessage=True,
        errorStyle="warning" if lenient else "stop",
        errorTitle=header_for(column),
        error=(
            "一覧にない名称は「その他」として取り込まれます。"
            if lenient
            else f"「{header_for(column)}」は一覧から選んでください。"
        ),
        showInputMessage=True,
        promptTitle=header_for(column),
        prompt=column.description_ja[:255],
    )
    validation.add(cells)
    return validation


def _write_notes(ws, kind: str) -> None:
    table = contract.TABLES[kind]
    required = "、".join(header_for(c) for c in table.columns if c.required)
    lines = [
        f"{table.ja}（{table.en}）取込用テンプレートの説明",
        f"1枚目のシート「{table.ja}」の3行目から、1行に1件ずつ記入してください。2行目の記入例（※で始まる行）は取り込まれません。",
        f"必須の列: {required}。"
        + ("市区町村コードと都道府県は少なくとも一方を記入してください。" if table.one_of else ""),
        "灰色の矢印が出る列は一覧から選んでください。日付は 2021/4/5 のように入力します（和暦も可）。",
        "氏名・住所・電話番号などの個人情報の列は追加しないでください（追加されても保存前に削除されます）。",
        "詳しい仕様: docs/data_contract.md（データ仕様）",
    ]
    for i, line in enumerate(lines, start=1):
        ws.cell(row=i, column=1, value=line)
    ws["A1"].font = Font(bold=True, size=12)
    start = len(lines) + 2
    # No English names here: two rows of header words would look like a two-row header to the ingest.
    headers = ["見出し", "必須", "書き方", "選べる値", "記入例", "説明"]
    for j, header in enumerate(headers, start=1):
        cell = ws.cell(row=start, column=j, value=header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
    for i, column in enumerate(table.columns, start=start + 1):
        choices = choices_for(kind, column)
        values = [
            f"【{header_for(column)}】",  # bracketed: the ingest must not take this table for a header
            "○" if column.required else "",
            TYPE_LABELS.get(column.type, column.type),
            "、".join(choices) if choices else "",
            column.example,
            column.description_ja,
        ]
        for j, value in enumerate(values, start=1):
            cell = ws.cell(row=i, column=j, value=value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEF", (18, 6, 22, 40, 22, 60), strict=True):
        ws.column_dimensions[letter].width = width
