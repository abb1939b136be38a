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
# (事業 alone is the placements' program column: the targets' project column is written 対象事業.)
HEADER_OVERRIDES: dict[str, str] = {"prefecture_code": "都道府県", "project": "対象事業"}
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


# --------------------------------------------------------------------------------------------
# Reported figures (集計値): the long form and the KPI form
# --------------------------------------------------------------------------------------------

FIGURE_FORMS = ("reported_long", "reported_kpi")
FIGURE_FORM_NAMES = {"reported_long": ("集計値（縦持ち）", "Reported figures (long)"),
                     "reported_kpi": ("事業別KPI", "Project KPIs")}  # fmt: skip
LONG_HEADERS = ("年度", "年月", "都道府県", "対象者区分", "機関種別", "指標", "値", "単位", "備考", "出典", "時点")
LONG_EXAMPLE = ("令和6年度", "令和6年4月", "青森県", "計", "ハローワーク", "正社員就職件数", 25, "件", "", "青森労働局",
                "2024/05/31")  # fmt: skip
UNITS = ("件", "人", "千件", "千人", "万件", "万人")


def figure_template_file_name(form: str) -> str:
    """``取込テンプレート_集計値（縦持ち）.xlsx``."""
    return f"取込テンプレート_{FIGURE_FORM_NAMES[form][0]}.xlsx"


def figure_template_workbook(form: str) -> bytes:
    """The .xlsx template for reported figures: ``reported_long`` (one figure per row, drop-downs for 都道府県,
    対象者区分, 機関種別, 指標, 単位) or ``reported_kpi`` (a KPI sheet: a block per project under a heading naming the
    project, measure and unit, 「KPI | 実績値」 and 「目標 | 実績」). Both with a 「説明」 sheet."""
    from analytics.metrics import measures

    wb = Workbook()
    ws = wb.active
    if form == "reported_long":
        ws.title = "集計値"
        for j, header in enumerate(LONG_HEADERS, start=1):
            head = ws.cell(row=1, column=j, value=header)
            head.font, head.fill = Font(bold=True, color="FFFFFF"), HEADER_FILL
            cell = ws.cell(row=2, column=j, value=(EXAMPLE_MARK + str(LONG_EXAMPLE[0])) if j == 1 else LONG_EXAMPLE[j - 1])
            cell.font = EXAMPLE_FONT
            ws.column_dimensions[get_column_letter(j)].width = 16 if header != "指標" else 22
        lists = {
            "都道府県": ["全国", *(ui_text.prefecture_label(c) for c in ui_text.prefecture_codes())],
            "対象者区分": ["計", *(c.ja for c in contract.TARGET_GROUPS)],
            "機関種別": [c.ja for c in contract.AGENCY_TYPES],
            "単位": list(UNITS),
        }
        for header, choices in lists.items():
            letter = get_column_letter(LONG_HEADERS.index(header) + 1)
            formula = '"' + ",".join(choices) + '"'
            validation = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                                        errorStyle="warning", error=f"「{header}」は一覧から選んでください。")  # fmt: skip
            validation.add(f"{letter}2:{letter}{VALIDATED_ROWS + 2}")
            ws.add_data_validation(validation)
        ws.freeze_panes = "A2"
        notes = [
            "集計値（縦持ち）取込用テンプレートの説明",
            "1枚目のシートの3行目から、1行に1つの数値を記入してください。2行目の記入例（※で始まる行）は取り込まれません。",
            "年度または年月のどちらかは必須です。都道府県が空欄または「全国」なら全国の数値、対象者区分「計」や空欄は全体です。",
            f"指標は登録済みの名前（{'、'.join(m.ja for m in measures.MEASURES)}）を選ぶと記録の指標と並べて比べられます。"
            "登録にない指標も、その名前のまま取り込みます。",
            "値が「-」は該当なし、「x」は秘匿、「…」は未集計として、0 とは区別して保存します。万人・千人は人に換算します。",
            "詳しい仕様: docs/data_contract.md（集計値）",
        ]
    elif form == "reported_kpi":
        ws.title = "令和6年度 実績"
        rows = [
            ["○○県 就職氷河期世代活躍支援プラットフォーム 事業実施計画 KPI 実績報告"],
            ["令和6年度 実績"],
            [],
            ["1. 地域若者サポートステーション 就職氷河期世代向け事業 進路決定者数（人）"],
            ["目標は令和6〜8年度の3年間"],
            ["KPI", "実績値"],
            [None, None],
            [],
            ["2. 自立相談支援機関 新規相談件数（件）"],
            ["目標", "実績"],
            [None, None],
            [],
            ["※ 令和7年3月末現在"],
            ["※ 出典：○○県"],
        ]
        for row in rows:
            ws.append(row)
        ws["A1"].font = Font(bold=True, size=12)
        for r in (6, 10):
            for c in (1, 2):
                ws.cell(row=r, column=c).font, ws.cell(row=r, column=c).fill = Font(bold=True, color="FFFFFF"), HEADER_FILL
        ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 24, 16
        notes = [
            "事業別KPI 取込用テンプレートの説明",
            "1行目の「○○県」を都道府県名に、2行目を実績の年度に書き換えてください（シート名でも構いません）。",
            "事業ごとに、見出し（事業名・指標・単位）、目標の期間（複数年度の目標なら「目標は令和6〜8年度の3年間」）、"
            "「KPI | 実績値」または「目標 | 実績」の表を書きます。ブロックはいくつでも並べられます。",
            "目標は目標（targets）として、実績は集計値として取り込みます。注記（※）の時点が版になります。",
            "詳しい仕様: docs/data_contract.md（集計値）",
        ]
    else:
        raise KeyError(form)
    notes_sheet = wb.create_sheet(NOTES_SHEET)
    for i, line in enumerate(notes, start=1):
        notes_sheet.cell(row=i, column=1, value=line)
    notes_sheet["A1"].font = Font(bold=True, size=12)
    notes_sheet.column_dimensions["A"].width = 120
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
