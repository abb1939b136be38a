"""Readers: encodings, delimiters, row numbers and Excel cell types become text without interpretation."""

from __future__ import annotations

import datetime as dt
import io

import duckdb
import openpyxl
import pytest
from hypothesis import given, settings, strategies as st

from analytics.ingest.errors import IngestError
from analytics.ingest.readers import read_file

from .conftest import MESSY


def _rows(stage, sheet):
    return stage.execute(f"select rowid + 1, * from {sheet.table} order by rowid").fetchall()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_reads_each_encoding_offices_use(encoding):
    stage = duckdb.connect()
    text = "個人ID,機関名\n01,㈱髙橋①Ⅲ\n"
    sheet = read_file(stage, text.encode(encoding), "a.csv")[0]
    assert _rows(stage, sheet)[1][1:] == ("01", "㈱髙橋①Ⅲ")


def test_tab_separated_named_csv():
    stage = duckdb.connect()
    sheet = read_file(stage, (MESSY / "b_utf8_bom_tab_consultations.csv").read_bytes(), "b.csv")[0]
    assert sheet.width > 5


def test_codes_keep_leading_zeros_and_blank_lines_keep_row_numbers():
    stage = duckdb.connect()
    sheet = read_file(stage, b'a,b\n\n01100,007\n\n\n"x\ny",2\n', "a.csv")[0]
    rows = _rows(stage, sheet)
    assert rows[2] == (3, "01100", "007")
    assert rows[5][1] == "x\ny"
    assert [r[1] for r in rows[3:5]] == [None, None]


def test_excel_cells_become_text_as_shown():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["コード", "日付", "日時", "数"])
    ws.append([22012, dt.date(2021, 4, 5), dt.datetime(2021, 4, 5, 10, 30), 1.5])
    buf = io.BytesIO()
    wb.save(buf)
    stage = duckdb.connect()
    sheet = read_file(stage, buf.getvalue(), "x.xlsx")[0]
    assert _rows(stage, sheet)[1] == (2, "22012", "2021-04-05", "2021-04-05 10:30:00", "1.5")


def test_legacy_xls_reads():
    stage = duckdb.connect()
    sheets = read_file(stage, (MESSY / "d_legacy_placements.xls").read_bytes(), "d.xls")
    assert sheets[0].rows > 40


def test_garbage_is_an_ingest_error():
    with pytest.raises(IngestError):
        read_file(duckdb.connect(), b"PK\x03\x04garbage", "x.xlsx")


def _xlsx(*sheets: tuple[str, list[list[object]]], merged: dict[str, list[str]] | None = None) -> bytes:
    """A workbook with the given sheets (rows written from A1; None leaves a cell empty)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(r, c, value)
        for cells in (merged or {}).get(name, []):
            ws.merge_cells(cells)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_equal_but_different_cells_keep_their_own_text():
    """True, 1.0 and 1 are equal in Python but are different cells; an empty string is no cell."""
    stage = duckdb.connect()
    sheet = read_file(stage, _xlsx(("s", [["値"], [True], [1.0], [1], [None], [""], [False]])), "x.xlsx")[0]
    assert [r[1] for r in _rows(stage, sheet)] == ["値", "true", "1", "1", None, None, "false"]


@settings(deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.text(alphabet=st.sampled_from([*list("ab1 \t\n"), "\u3000", "\xa0", "\u2028", "髙"])),
            st.sampled_from(["2021-04-05 00:00:00", "2021-04-05 10:30:00", "x 00:00:00", "2021-04-05 00:00:00 "]),
        ),
        max_size=30,
    )
)
def test_excel_text_columns_blank_cells_are_empty_and_midnight_dates_are_dates(column):
    import pyarrow as pa

    from analytics.ingest.readers import _excel_text

    def expected(v):
        if v is None or not v.strip():
            return None
        return v.removesuffix(" 00:00:00") if v.endswith(" 00:00:00") and v[:4].isdigit() else v

    assert _excel_text(pa.array(column, type=pa.string())).to_pylist() == [expected(v) for v in column]


def test_mixed_excel_columns_and_ragged_rows_become_text():
    stage = duckdb.connect()
    rows = [["ID", "日付", "数"], ["01", dt.date(2021, 4, 5), 3.0, "余分"], ["02", "R3.4.5"], [True, None, 1.5]]
    sheet = read_file(stage, _xlsx(("s", rows)), "x.xlsx")[0]
    assert sheet.width == 4
    assert _rows(stage, sheet) == [
        (1, "ID", "日付", "数", None),
        (2, "01", "2021-04-05", "3", "余分"),
        (3, "02", "R3.4.5", None, None),
        (4, "true", None, "1.5", None),
    ]


def test_a_sheet_starting_below_and_right_of_a1_keeps_excel_row_and_column_numbers():
    """Row n of the raw table is Excel row n and column c0 is column A, so merged ranges (read from the sheet
    XML) line up with the cells even when the first filled cell is C3."""
    rows = [[], [], [None, None, "相談者", None, "相談日"], [None, None, "ID", "区分", None], [None, None, "01", "長期無業", "R3.4.5"]]
    data = _xlsx(("記録 & <一覧>", rows), ("空", []), merged={"記録 & <一覧>": ["C3:D3", "E3:E4"]})
    stage = duckdb.connect()
    sheet, empty = read_file(stage, data, "x.xlsx")
    assert sheet.name == "記録 & <一覧>"
    assert sheet.merged == [((2, 2), (2, 3)), ((2, 4), (3, 4))]
    assert sheet.width == 5 and sheet.rows == 5
    assert _rows(stage, sheet)[2] == (3, None, None, "相談者", None, "相談日")
    assert sheet.head[3] == [None, None, "ID", "区分", None]
    assert (empty.name, empty.rows, empty.width) == ("空", 0, 0)


def test_excel_column_letters():
    from analytics.ingest.readers import _column_number

    assert [_column_number(x) for x in (b"A", b"Z", b"AA", b"AZ", b"XFD")] == [0, 25, 26, 51, 16383]


def test_an_empty_line_inside_a_quoted_cell_stays_in_the_cell():
    stage = duckdb.connect()
    sheet = read_file(stage, b'a,b\n"x\n\ny",2\n\n3,4\n', "a.csv")[0]
    rows = _rows(stage, sheet)
    assert rows[1][1:] == ("x\n\ny", "2")
    assert rows[2][1:] == (None, None)  # the empty line after the quoted cell is a record of its own
    assert rows[3] == (4, "3", "4")  # record 4, as Excel numbers the rows (the quoted cell is one row)


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
def test_a_file_read_in_pieces_keeps_line_numbers_and_characters(monkeypatch, line_end):
    """Pieces are cut at line ends: no CP932 character is split and each empty line stays a record."""
    from analytics.ingest import readers

    monkeypatch.setattr(readers, "CSV_PIECE_BYTES", 50)
    lines = ["令和3年度 相談記録", "", "個人ID,機関名"] + [f"{i:03d},㈱髙橋①Ⅲ～{i}" for i in range(40)]
    lines[20:20] = ["", ""]
    text = line_end.join(lines) + line_end
    stage = duckdb.connect()
    sheet = read_file(stage, text.encode("cp932"), "a.csv")[0]
    rows = _rows(stage, sheet)
    assert len(rows) == len(lines)
    for number, (line, row) in enumerate(zip(lines, rows, strict=True), start=1):
        assert row[0] == number
        assert ",".join(v or "" for v in row[1:]).strip(",") == line.strip(",")


def test_a_file_that_looks_utf8_at_first_but_is_cp932_later(monkeypatch):
    from analytics.ingest import readers

    monkeypatch.setattr(readers, "ENCODING_SAMPLE_BYTES", 64)
    text = "id,name\n" + "".join(f"{i},x\n" for i in range(50)) + "99,㈱髙橋\n"
    stage = duckdb.connect()
    sheet = read_file(stage, text.encode("cp932"), "a.csv")[0]
    assert _rows(stage, sheet)[-1][1:] == ("99", "㈱髙橋")


def test_neither_utf8_nor_cp932_is_an_encoding_error():
    with pytest.raises(IngestError) as caught:
        read_file(duckdb.connect(), b"id,name\n1,\x81\x20\n", "a.csv")
    assert caught.value.code == "encoding"


def test_a_nul_byte_far_into_a_file_is_refused():
    data = b"id,name\n" + b"1,x\n" * 20000 + b"2,\x00\n"
    with pytest.raises(IngestError) as caught:
        read_file(duckdb.connect(), data, "a.csv")
    assert caught.value.code == "unreadable"


@pytest.mark.parametrize("piece_bytes", [7, 64, 1 << 20])
def test_merged_ranges_are_found_whatever_the_pieces_the_xml_is_read_in(monkeypatch, piece_bytes):
    """An element cut between two pieces of the decompressed XML is found once, not lost or doubled."""
    from analytics.ingest import readers

    monkeypatch.setattr(readers, "_XML_PIECE_BYTES", piece_bytes)
    data = (MESSY / "c_aomori_R3_titled_merged.xlsx").read_bytes()
    ranges = readers._merged_ranges(data, ["相談記録", "集計"])
    assert ranges["相談記録"] == [((3, 0), (4, 0)), ((3, 1), (3, 2)), ((3, 3), (3, 4)), ((3, 5), (4, 5)), ((3, 6), (4, 6))]
    assert ranges["集計"] == []


def test_a_workbook_whose_merged_ranges_cannot_be_read_is_read_without_them():
    import zipfile

    from analytics.ingest import readers

    source = zipfile.ZipFile(io.BytesIO(_xlsx(("s", [["個人ID", "相談日"], ["1", "2021-04-05"]]))))
    damaged = io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as out:
        for item in source.infolist():
            out.writestr(item, b"<workbook" if item.filename == "xl/workbook.xml" else source.read(item))
    assert readers._merged_ranges(damaged.getvalue(), ["s"]) == {}


def test_a_sheet_that_fails_to_parse_names_the_sheet_and_the_first_line_of_the_reason(monkeypatch):
    from analytics.ingest import readers

    def fail(workbook, name):
        raise RuntimeError("calamine error: bad cell\nContext:\n    0: could not read sheet")

    monkeypatch.setattr(readers, "_excel_columns", fail)
    with pytest.raises(IngestError) as caught:
        read_file(duckdb.connect(), _xlsx(("記録", [["個人ID"]])), "x.xlsx")
    assert caught.value.code == "unreadable"
    assert "シート「記録」: calamine error: bad cell" in str(caught.value)
    assert "Context" not in str(caught.value)
