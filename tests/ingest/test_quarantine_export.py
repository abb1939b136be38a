"""The quarantine workbook: rejected rows with the sender's headers, offending cells marked, reasons, safe text."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analytics import db
from analytics.ingest import load, pseudonym
from analytics.ingest.pipeline import ingest_file, prepare_file
from analytics.ingest.quarantine_export import (
    NOTES_SHEET,
    OFFENDING_FILL,
    REASON_HEADER,
    ROW_NUMBER_HEADER,
    quarantine_workbook,
)
from analytics.views import upload

MESSY = Path(__file__).resolve().parents[2] / "sample_data" / "messy"
BAD = "k_bad_rows_consultations.csv"


@pytest.fixture(scope="module")
def expected_bad_rows() -> list[dict]:
    spec = json.loads((MESSY / "EXPECTED.json").read_text(encoding="utf-8"))["files"][BAD]
    return spec["bad_rows"]


@pytest.fixture
def con(tmp_path):
    connection = db.connect(tmp_path / "q.duckdb")
    yield connection
    connection.close()


def open_book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def rows_of(ws) -> list[dict]:
    header = [c.value for c in ws[1]]
    return [dict(zip(header, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=2)]


def is_marked(cell) -> bool:
    return cell.fill is not None and cell.fill.fgColor.rgb.endswith(OFFENDING_FILL.fgColor.rgb[-6:])


def test_stored_quarantine_opens_with_every_rejected_row_its_reasons_and_marked_cells(con, expected_bad_rows):
    report = ingest_file(con, MESSY / BAD)
    book = open_book(upload.batch_quarantine_workbook(con, report.batch_id))
    assert book.sheetnames == [BAD, NOTES_SHEET]
    ws = book[BAD]
    header = [c.value for c in ws[1]]
    assert header[0] == ROW_NUMBER_HEADER and header[-1] == REASON_HEADER
    assert {"相談者ID", "相談日", "対象者区分", "市町村コード", "年齢"} <= set(header)
    rows = rows_of(ws)
    assert [r[ROW_NUMBER_HEADER] for r in rows] == [b["row"] for b in expected_bad_rows]
    for i, (row, bad) in enumerate(zip(rows, expected_bad_rows, strict=True), start=2):
        assert row[REASON_HEADER], f"row {bad['row']} has no reason"
        assert any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in row[REASON_HEADER])
        cell = ws.cell(row=i, column=header.index(bad["column"]) + 1)
        assert (cell.value or "") == bad["value"], bad
        marked = {h for j, h in enumerate(header, start=1) if is_marked(ws.cell(row=i, column=j))}
        # a municipality in another prefecture is reported (and marked) on the prefecture it contradicts
        assert marked == {bad["column"]} or (bad["row"] == 24 and marked == {"都道府県"}), (bad, marked)
    # cells that are fine are not marked
    unmarked = ws.cell(row=2, column=header.index("機関名") + 1)
    assert not is_marked(unmarked)


def test_stored_quarantine_says_the_ids_are_pseudonyms(con):
    report = ingest_file(con, MESSY / BAD)
    book = open_book(upload.batch_quarantine_workbook(con, report.batch_id))
    notes = " ".join(str(c.value) for c in book[NOTES_SHEET]["A"] if c.value)
    assert "仮名" in notes
    ids = [r["相談者ID"] for r in rows_of(book[BAD]) if r["相談者ID"]]
    assert all(len(i) == pseudonym.PSEUDONYM_HEX_CHARS for i in ids)


def test_preview_workbook_carries_the_ids_as_sent_so_fixed_rows_load_without_duplicates(tmp_path):
    db_path = tmp_path / "r.duckdb"
    data = (MESSY / BAD).read_bytes()
    con = db.connect(db_path)
    try:
        first = ingest_file(con, MESSY / BAD, db_path=db_path)
    finally:
        con.close()
    assert first.total("loaded") == 30
    preview = upload.FilePreview(upload.file_id(BAD, data), BAD, data, upload.FileOptions())
    preview.report = prepare_file(data, BAD, key=pseudonym.load_key(db_path))
    book = open_book(upload.preview_quarantine_workbook(preview))
    ws = book[BAD]
    header = [c.value for c in ws[1]]
    assert "02-000151" in [r["相談者ID"] for r in rows_of(ws)]  # the ID as sent, not its pseudonym
    fixes = {
        "相談日": {3: "令和3年12月15日", 18: "2023-04-01", 27: "2015-04-01"},
        "相談者ID": {6: "02-009999"},
        "対象者区分": {9: "長期無業", 30: "長期無業"},
        "市町村コード": {12: "02201", 15: "022012", 24: "02201"},
        "年齢": {21: "41"},
    }
    for i, row in enumerate(ws.iter_rows(min_row=2), start=2):
        number = row[0].value
        for column, by_row in fixes.items():
            if number in by_row:
                ws.cell(row=i, column=header.index(column) + 1, value=by_row[number])
    out = io.BytesIO()
    book.save(out)
    (tmp_path / "fixed.xlsx").write_bytes(out.getvalue())
    con = db.connect(db_path)
    try:
        resent = ingest_file(con, tmp_path / "fixed.xlsx", db_path=db_path)
        stored = con.execute("select count(*) from consultations").fetchone()[0]
    finally:
        con.close()
    assert resent.total("quarantined") == 0
    assert resent.total("loaded") == 10
    assert resent.total("duplicates") == 0
    assert stored == 40
    sheets = {s.sheet: s for s in resent.sheets}
    assert sheets[NOTES_SHEET].status == "skipped"
    assert set(sheets[BAD].ignored_columns) == {ROW_NUMBER_HEADER, REASON_HEADER}


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","y")', "+1+1", "-5", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_text_that_excel_would_run_is_stored_as_inert_text(text):
    issues = pd.DataFrame(
        [
            {
                "kind": "consultations", "file_name": "f.csv", "sheet": "f.csv", "row_number": 2,
                "column_name": "機関名", "value": text, "reason_code": "unknown_code",
                "message_ja": f"理由 {text}", "message_en": "reason",
                "raw_row": json.dumps({"個人ID": "01-1", "機関名": text}, ensure_ascii=False),
            }
        ]
    )  # fmt: skip
    data = quarantine_workbook(issues)
    ws = open_book(data)["f.csv"]
    cell = ws.cell(row=2, column=3)
    assert cell.value == text.replace("\r", "\n")  # XML stores a carriage return as a line feed
    assert cell.data_type == "s"
    assert cell.quotePrefix
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet_xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml


def test_row_level_problem_without_a_column_marks_the_reason():
    issues = pd.DataFrame(
        [
            {
                "kind": "consultations", "file_name": "f.csv", "sheet": "f.csv", "row_number": 7,
                "column_name": None, "value": None, "reason_code": "missing_region",
                "message_ja": "市区町村と都道府県のどちらも入っていません。", "message_en": "no region",
                "raw_row": json.dumps({"個人ID": "01-1", "相談日": "2021-04-01"}),
            }
        ]
    )  # fmt: skip
    ws = open_book(quarantine_workbook(issues))["f.csv"]
    assert [c.value for c in ws[1]] == [ROW_NUMBER_HEADER, "個人ID", "相談日", REASON_HEADER]
    assert is_marked(ws.cell(row=2, column=4))


def test_empty_quarantine_gives_a_workbook_with_only_the_notes(con):
    book = open_book(quarantine_workbook(load.list_quarantine(con, 999)))
    assert book.sheetnames == [NOTES_SHEET]


def test_long_and_odd_sheet_names_become_valid_unique_titles():
    frames = [
        {
            "kind": "consultations", "file_name": "f.xlsx", "sheet": name, "row_number": 2, "column_name": "a",
            "value": "x", "reason_code": "invalid_date", "message_ja": "m", "message_en": "m",
            "raw_row": json.dumps({"a": "x"}),
        }
        for name in ("相談/記録[2024]:*?" + "長" * 40, "相談/記録[2024]:*?" + "長" * 41)
    ]  # fmt: skip
    book = open_book(quarantine_workbook(pd.DataFrame(frames)))
    titles = book.sheetnames[:-1]
    assert len(titles) == 2 and len(set(titles)) == 2
    assert all(len(t) <= 31 and not set(t) & set("[]:*?/\\") for t in titles)
