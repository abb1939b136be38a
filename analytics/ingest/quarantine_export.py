"""Quarantine → Excel workbook: the rejected rows as the sender wrote them, offending cells marked, reasons in Japanese.

The sender fixes the marked cells and sends the sheet back as it is: the extra columns (元の行番号, 保留の理由)
are not contract headers, so the ingest ignores them, and only the fixed rows are new, so nothing is counted
twice. Rows are rebuilt from the quarantine's ``raw_row`` JSON (the row's contract columns as sent, with the
sender's headers). Personal-data columns were dropped before the quarantine was written, so they are not here;
the person ID is the pseudonym unless the caller passes the original cells (the upload page still has the file).

Text cells that begin with ``= + - @``, a tab or a carriage return are stored as text with Excel's quote prefix
(the value is unchanged: 「-5」 stays 「-5」), so a crafted cell cannot run as a formula when the workbook is opened
(CSV/formula injection).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

ROW_NUMBER_HEADER = "元の行番号"
REASON_HEADER = "保留の理由"
NOTES_SHEET = "説明"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
OFFENDING_FILL = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")  # Excel's "bad" red
OFFENDING_FONT = Font(color="9C0006", bold=True)
HEADER_FILL = PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")
_SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")

# (sheet, row number) -> {header as written: original cell text}: cells that replace the stored ones
Originals = Mapping[tuple[str, int], Mapping[str, str | None]]


def write_text(cell: Cell, value: object) -> None:
    """Put ``value`` in ``cell``; text that Excel would read as a formula is kept as inert text.

    >>> from openpyxl import Workbook
    >>> c = Workbook().active["A1"]; write_text(c, "=HYPERLINK(\\"x\\")"); (c.data_type, c.quotePrefix)
    ('s', True)
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        cell.value = None
        return
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        cell.value = value
        cell.data_type = "s"  # openpyxl marks text starting with "=" as a formula; keep it a string
        cell.quotePrefix = True  # and Excel keeps it text even when the cell is edited
        return
    cell.value = value


def _sheet_title(name: str, taken: set[str]) -> str:
    base = _SHEET_TITLE_BAD.sub("_", name or "Sheet").strip("'")[:31] or "Sheet"
    title, n = base, 2
    while title.lower() in taken or title == NOTES_SHEET:
        suffix = f"_{n}"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def _headers_of(rows: list[dict[str, object]], order: list[str] | None) -> list[str]:
    seen: list[str] = list(order or [])
    for row in rows:
        for header in row:
            if header not in seen:
                seen.append(header)
    present = {h for row in rows for h in row}
    return [h for h in seen if h in present]


def quarantine_workbook(
    issues: pd.DataFrame,
    *,
    header_order: Mapping[str, list[str]] | None = None,
    originals: Originals | None = None,
    lang: str = "ja",
) -> bytes:
    """Build the .xlsx for quarantined rows; one worksheet per source sheet, one row per rejected row.

    ``issues`` has the quarantine columns (``load.QUARANTINE_COLUMNS``: sheet, row_number, column_name,
    message_ja/en, raw_row …), one row per problem; a row with three problems is written once, with its
    three cells marked and three reasons. ``header_order`` (sheet → headers in file order) puts the columns in
    the sender's order; ``originals`` replaces stored cells, e.g. the pseudonymised ID by the ID as sent.
    An empty frame gives a workbook with only the notes sheet. Example::

        quarantine_workbook(load.list_quarantine(con, batch_id))  # -> bytes of an .xlsx
    """
    wb = Workbook()
    wb.remove(wb.active)
    message_col = "message_en" if lang == "en" else "message_ja"
    taken: set[str] = set()
    pseudonymised = originals is None
    frame = issues if issues is not None else pd.DataFrame()
    if len(frame):
        frame = frame.assign(sheet=frame["sheet"].fillna(frame.get("file_name", "")))
        for sheet_name, group in frame.groupby("sheet", sort=False):
            ws = wb.create_sheet(_sheet_title(str(sheet_name), taken))
            by_row: dict[int, dict] = {}
            for rec in group.sort_values("row_number").itertuples(index=False):
                row_number = int(rec.row_number)
                entry = by_row.setdefault(row_number, {"raw": _parse_raw(rec.raw_row), "bad": set(), "reasons": []})
                if isinstance(rec.column_name, str) and rec.column_name:
                    entry["bad"].add(rec.column_name)
                message = getattr(rec, message_col)
                if isinstance(message, str) and message not in entry["reasons"]:
                    entry["reasons"].append(message)
                fixes = (originals or {}).get((str(sheet_name), row_number))
                if fixes:
                    entry["raw"].update({k: v for k, v in fixes.items() if k in entry["raw"]})
            headers = _headers_of([e["raw"] for e in by_row.values()], (header_order or {}).get(str(sheet_name)))
            _write_sheet(ws, headers, by_row)
    _write_notes(wb.create_sheet(NOTES_SHEET), pseudonymised=pseudonymised, lang=lang)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _parse_raw(raw: object) -> dict[str, object]:
    if not isinstance(raw, str) or not raw:
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _write_sheet(ws, headers: list[str], by_row: dict[int, dict]) -> None:
    columns = [ROW_NUMBER_HEADER, *headers, REASON_HEADER]
    for j, header in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=j)
        write_text(cell, header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for i, (row_number, entry) in enumerate(sorted(by_row.items()), start=2):
        ws.cell(row=i, column=1, value=row_number)
        for j, header in enumerate(headers, start=2):
            cell = ws.cell(row=i, column=j)
            write_text(cell, entry["raw"].get(header))
            if header in entry["bad"]:
                cell.fill, cell.font = OFFENDING_FILL, OFFENDING_FONT
        reason = ws.cell(row=i, column=len(columns))
        write_text(reason, "\n".join(entry["reasons"]))
        reason.alignment = Alignment(wrap_text=True, vertical="top")
        if not entry["bad"]:  # a row-level problem (e.g. no region at all): mark the reason itself
            reason.fill = OFFENDING_FILL
    ws.freeze_panes = "B2"
    for j, header in enumerate(columns, start=1):
        width = max([len(str(header))] + [len(str(e["raw"].get(header) or "")) for e in by_row.values()])
        ws.column_dimensions[get_column_letter(j)].width = min(60, max(10, width * 2 + 2))
    ws.column_dimensions[get_column_letter(len(columns))].width = 60


def _write_notes(ws, *, pseudonymised: bool, lang: str) -> None:
    if lang == "en":
        lines = [
            "Rows that were not loaded (quarantine)",
            "Red cells caused the row to be kept aside; the last column gives the reason.",
            f"Fix the red cells and send the sheet back as it is; '{ROW_NUMBER_HEADER}' and '{REASON_HEADER}' "
            "are ignored when it is loaded, and rows already loaded are not counted twice.",
        ]
        if pseudonymised:
            lines.append(
                "The person ID column shows the stored pseudonym: replace it with the original ID before "
                "sending the rows again."
            )
    else:
        lines = [
            "取り込まれなかった行（保留）の一覧",
            "赤いセルが保留の原因です。最後の列「保留の理由」に理由があります。",
            f"赤いセルを直し、このシートのまま送り直してください。「{ROW_NUMBER_HEADER}」「{REASON_HEADER}」の列は"
            "取込時に無視されます。取込済みの行は重複として数えられ、二重に登録されることはありません。",
            "氏名・住所・電話番号などの個人情報の列は保存していないため、この表にもありません。",
        ]
        if pseudonymised:
            lines.append(
                "個人IDの列は保存されている仮名（ハッシュ値）です。送り直す前に元の個人IDに置き換えてください。"
            )
    for i, line in enumerate(lines, start=1):
        write_text(ws.cell(row=i, column=1), line)
    ws["A1"].font = Font(bold=True, size=12)
    ws.column_dimensions["A"].width = 120
