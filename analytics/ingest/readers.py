"""Readers: file bytes → raw sheets of text cells in a staging DuckDB, one row per row the sender sees.

Every cell becomes text (codes keep their leading zeros; Excel numbers lose their ``.0``; Excel
dates become ISO text, Excel booleans ``true``/``false``) and every row keeps its number as shown in
Excel or as the CSV line, so a quarantined row can be found by the person who sent the file. Nothing
is interpreted here.
"""

from __future__ import annotations

import codecs
import concurrent.futures
import csv
import io
import itertools
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from analytics.ingest.errors import IngestError
from analytics.ingest.limits import Limits

HEAD_ROWS = 40  # rows scanned for the header: title blocks are rarely longer
CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
UTF8_BOM = b"\xef\xbb\xbf"
ENCODING_SAMPLE_BYTES = 1024 * 1024  # the encoding is guessed from the first megabyte
CSV_PIECE_BYTES = 16 * 1024 * 1024  # transcoded piece by piece: the whole text is never one Python string


@dataclass
class RawSheet:
    """One sheet (a CSV file is one sheet named after the file) as text cells in the staging database.

    ``table`` has columns ``c0 … c{width-1}`` (VARCHAR) in file order: its ``rowid + 1`` is the row
    number as Excel shows it, or the CSV line (tables are created by CTAS, which keeps insertion order).
    ``head`` holds the first rows as Python lists, for header detection. ``merged`` lists merged
    ranges as ((first_row, first_col), (last_row, last_col)), 0-based, for two-row headers.
    """

    name: str
    table: str
    width: int
    rows: int
    head: list[list[str | None]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)


def read_file(
    stage: duckdb.DuckDBPyConnection, data: bytes, file_name: str, limits: Limits | None = None
) -> list[RawSheet]:
    """Read a CSV/TSV or Excel file's bytes into raw sheets; raise ``IngestError`` when unreadable.

    Limits (``limits.Limits``) are checked before and while reading; exceeding one is an
    ``IngestError('too_large')`` that names the limit and its setting.
    """
    limits = limits or Limits.from_env()
    if len(data) > limits.max_file_bytes:
        raise IngestError(
            "too_large",
            file=file_name,
            detail=f"{len(data) / 1048576:,.0f} MB > {limits.max_file_bytes / 1048576:,.0f} MB (HYOGAKI_MAX_FILE_MB)",
        )
    if not data[:4096].strip() and not data.strip():  # (strip copies: only a blank start is checked in full)
        raise IngestError("empty", file=file_name)
    suffix = Path(file_name).suffix.lower()
    if suffix in EXCEL_SUFFIXES or data[:4] in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0"):
        if data[:4] == b"PK\x03\x04":
            _check_zip(data, file_name, limits)
        sheets = read_excel(stage, data, file_name)
    elif suffix in CSV_SUFFIXES or not suffix:
        sheets = [read_csv(stage, data, file_name, limits)]
    else:
        raise IngestError("unsupported_type", file=file_name)
    for sheet in sheets:
        _check_sheet(stage, sheet, file_name, limits)
    return sheets


def _check_zip(data: bytes, file_name: str, limits: Limits) -> None:
    """Refuse zip bombs before decompressing: the sizes in the zip directory are checked first."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise IngestError("unreadable", file=file_name, detail="Excel（zip）として壊れています") from exc
    unzipped = sum(i.file_size for i in infos)
    if unzipped > limits.max_unzipped_bytes or unzipped > limits.max_zip_ratio * max(len(data), 1):
        raise IngestError(
            "too_large",
            file=file_name,
            detail=f"展開後 {unzipped / 1048576:,.0f} MB（HYOGAKI_MAX_UNZIPPED_MB / HYOGAKI_MAX_ZIP_RATIO）",
        )


def _check_sheet(stage: duckdb.DuckDBPyConnection, sheet: RawSheet, file_name: str, limits: Limits) -> None:
    if sheet.rows > limits.max_rows:
        raise IngestError(
            "too_large",
            file=file_name,
            detail=f"シート「{sheet.name}」{sheet.rows:,}行 > {limits.max_rows:,}行（HYOGAKI_MAX_ROWS）",
        )
    if sheet.width > limits.max_columns:
        raise IngestError(
            "too_large",
            file=file_name,
            detail=f"シート「{sheet.name}」{sheet.width:,}列 > {limits.max_columns:,}列（HYOGAKI_MAX_COLUMNS）",
        )
    if sheet.width and sheet.rows:
        # Bytes first (DuckDB stores each string's byte length): characters are only counted when some cell
        # has more bytes than the limit allows characters.
        longest = _longest_cell(stage, sheet, "strlen")
        if longest > limits.max_cell_chars:
            longest = _longest_cell(stage, sheet, "length")
        if longest and longest > limits.max_cell_chars:
            raise IngestError(
                "too_large",
                file=file_name,
                detail=f"{longest:,}文字のセル > {limits.max_cell_chars:,}文字（HYOGAKI_MAX_CELL_CHARS）",
            )


def _longest_cell(stage: duckdb.DuckDBPyConnection, sheet: RawSheet, measure: str) -> int:
    maxima = ", ".join(f"coalesce(max({measure}(c{i})), 0)" for i in range(sheet.width))
    return stage.execute(f"select greatest({maxima}, 0) from {sheet.table}").fetchone()[0]


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------


def _csv_body(data: bytes, file_name: str) -> tuple[bytes, str]:
    """The file's bytes without a BOM, and their likely encoding: "utf-8", else "cp932".

    CP932 (Windows-31J) is what Japanese offices call Shift_JIS; the plain ``shift_jis`` codec fails
    on 髙, ①, ㈱, Ⅲ and ～, which real exports contain.

    UTF-16 (Excel's 「Unicode テキスト」) is converted to UTF-8 here. Otherwise the encoding is decided on the
    first megabyte; a UTF-8 guess is confirmed by DuckDB while it reads (see ``read_csv``), so a large file is
    not decoded in Python only to be checked.
    """
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    elif data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise IngestError("encoding", file=file_name) from exc
        if "\x00" in text:
            raise IngestError("unreadable", file=file_name, detail="NUL 文字（バイナリ）を含みます")
        return text.encode("utf-8"), "utf-8"
    if b"\x00" in data[:65536]:
        raise IngestError("unreadable", file=file_name, detail="バイナリファイル（NUL 文字を含む）です")
    if b"\x00" in data:  # CP932 and UTF-8 never use the byte 0 inside a character
        raise IngestError("unreadable", file=file_name, detail="NUL 文字（バイナリ）を含みます")
    try:
        codecs.utf_8_decode(data[:ENCODING_SAMPLE_BYTES], "strict", False)  # final=False: a cut character is fine
    except UnicodeDecodeError:
        return data, "cp932"
    return data, "utf-8"


def sniff_delimiter(lines: list[str]) -> str:
    """Tab when the sample has more tabs than commas (TSV exports from 業務システム), else comma."""
    sample = "\n".join(lines)
    return "\t" if sample.count("\t") > sample.count(",") else ","


def read_csv(stage: duckdb.DuckDBPyConnection, data: bytes, file_name: str, limits: Limits | None = None) -> RawSheet:
    """A CSV/TSV file as one raw sheet: record n of the table is line n of the file.

    The bytes are transcoded to a UTF-8 copy in pieces cut at line ends (neither CP932 nor UTF-8 uses the byte
    ``\\n`` inside a character), so the whole text is never held as a Python string, and DuckDB reads the copy.
    A UTF-8 file is copied as it is: DuckDB checks its encoding while reading.
    """
    limits = limits or Limits.from_env()
    body, encoding = _csv_body(data, file_name)
    # DuckDB reads \n and \r\n line ends itself; lone \r line ends (old Mac exports) are made \n first.
    if b"\r" in body and LONE_CR.search(body):
        body = body.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    try:
        head_text = _head_bytes(body).decode(encoding)
    except UnicodeDecodeError:
        if encoding != "utf-8":
            raise IngestError("encoding", file=file_name) from None
        encoding = "cp932"
        try:
            head_text = _head_bytes(body).decode(encoding)
        except UnicodeDecodeError:
            raise IngestError("encoding", file=file_name) from None
    head_lines = [line.removesuffix("\r") for line in head_text.split("\n")[:HEAD_ROWS]]
    delimiter = sniff_delimiter(head_lines)
    try:
        head = [
            [cell if cell.strip() else None for cell in row]
            for row in csv.reader(io.StringIO("\n".join(head_lines)), delimiter=delimiter)
        ]
    except csv.Error as exc:  # e.g. a 10 MB cell: "field larger than field limit"
        raise IngestError(
            "too_large",
            file=file_name,
            detail=f"セルが大きすぎます（{limits.max_cell_chars:,}文字まで、HYOGAKI_MAX_CELL_CHARS）",
        ) from exc
    width = max((len(r) for r in head), default=0)
    if width == 0:
        raise IngestError("empty", file=file_name)
    if width > limits.max_columns:
        raise IngestError(
            "too_large", file=file_name, detail=f"{width:,}列 > {limits.max_columns:,}列（HYOGAKI_MAX_COLUMNS）"
        )
    table = _staging_name(stage)
    pads = _empty_line_starts(body)
    try:
        _read_utf8_copy(stage, table, body, encoding, pads, delimiter, width, file_name, limits)
    except _NotUtf8:
        _read_utf8_copy(stage, table, body, "cp932", pads, delimiter, width, file_name, limits)
    rows = stage.execute(f"select count(*) from {table}").fetchone()[0]
    return RawSheet(Path(file_name).name, table, width, rows, head)


LONE_CR = re.compile(rb"\r(?!\n)")
EMPTY_LINE = re.compile(rb"\n(?=\r?\n)")  # the line end before an empty line (lookahead: "\n\n\n" is two)


class _NotUtf8(Exception):
    """DuckDB found bytes that are not UTF-8 in a file guessed to be UTF-8 from its beginning."""


def _head_bytes(body: bytes) -> bytes:
    """The first ``HEAD_ROWS`` lines (without copying the rest of the file)."""
    end = -1
    for _ in range(HEAD_ROWS):
        end = body.find(b"\n", end + 1)
        if end < 0:
            return body
    return body[:end]


def _empty_line_starts(body: bytes) -> list[int]:
    """Where the empty lines begin, outside quoted cells. DuckDB skips empty lines; the reader pads each one
    with a delimiter so that it stays a record (of empty cells) and record n stays line n."""
    starts = [0] if body.startswith((b"\n", b"\r\n")) else []
    starts += [m.start() + 1 for m in EMPTY_LINE.finditer(body)]
    if not starts or b'"' not in body:
        return starts
    # An empty line inside a quoted cell belongs to the cell: an odd number of quotes before it means "inside".
    outside, quotes, counted_to = [], 0, 0
    for start in starts:
        quotes += body.count(b'"', counted_to, start)
        counted_to = start
        if quotes % 2 == 0:
            outside.append(start)
    return outside


def _utf8_pieces(body: bytes, encoding: str, pads: list[int], delimiter: bytes):
    """The file as UTF-8 bytes in pieces of about ``CSV_PIECE_BYTES`` cut after a line end, with a delimiter
    inserted where each empty line starts."""
    start = 0
    while start < len(body):
        cut = body.find(b"\n", start + CSV_PIECE_BYTES)
        end = len(body) if cut < 0 else cut + 1
        inside = [p for p in pads if start <= p < end]
        if inside:
            bounds = [start, *inside, end]
            piece = delimiter.join(body[a:b] for a, b in itertools.pairwise(bounds))
        else:
            piece = body[start:end]
        yield piece if encoding == "utf-8" else piece.decode(encoding).encode("utf-8")
        start = end


def _read_utf8_copy(
    stage: duckdb.DuckDBPyConnection,
    table: str,
    body: bytes,
    encoding: str,
    pads: list[int],
    delimiter: str,
    width: int,
    file_name: str,
    limits: Limits,
) -> None:
    fd, tmp = tempfile.mkstemp(suffix=".csv")
    try:
        with os.fdopen(fd, "wb") as fh:
            try:
                for piece in _utf8_pieces(body, encoding, pads, delimiter.encode()):
                    fh.write(piece)
            except UnicodeDecodeError as exc:
                raise IngestError("encoding", file=file_name) from exc
        columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
        # max_line_size: a line may hold max_columns cells of max_cell_chars characters (UTF-8: ≤ 4 bytes each).
        max_line = max(2_097_152, limits.max_cell_chars * 4 * 4)
        options = (
            f"header=false, all_varchar=true, auto_detect=false, delim=?, quote='\"', escape='\"', "
            f"columns={columns}, null_padding=true, strict_mode=false, max_line_size={max_line}"
        )
        # Quoted line breaks inside cells: DuckDB's parallel scanner cannot pad short rows then, so it is
        # asked again without it.
        for attempt in (options, f"{options}, parallel=false"):
            try:
                stage.execute(
                    f"create or replace table {table} as select * from read_csv(?, {attempt})", [tmp, delimiter]
                )
                break
            except duckdb.Error as exc:
                message = str(exc)
                if "line size" in message.lower():
                    raise IngestError(
                        "too_large",
                        file=file_name,
                        detail=f"1行が長すぎます（1セル {limits.max_cell_chars:,}文字まで、HYOGAKI_MAX_CELL_CHARS）",
                    ) from exc
                if "unicode" in message.lower() and encoding == "utf-8":
                    raise _NotUtf8 from exc
                if "parallel" not in message or "parallel=false" in attempt:
                    raise IngestError("unreadable", file=file_name, detail=message.splitlines()[0]) from exc
    finally:
        os.unlink(tmp)


# --------------------------------------------------------------------------------------------
# Excel
# --------------------------------------------------------------------------------------------


def read_excel(stage: duckdb.DuckDBPyConnection, data: bytes, file_name: str) -> list[RawSheet]:
    """All sheets of an .xlsx/.xls/.ods workbook.

    Cells are read by fastexcel (calamine in Rust, like python-calamine) straight into Arrow text columns: no
    Python object per cell, and the parse runs without the GIL. Merged ranges (for two-row headers) come from
    the sheet XML of an .xlsx, read at the same time in another thread, or from python-calamine for the
    binary formats.
    """
    import fastexcel

    # A password-protected .xlsx is an OLE2 container holding an "EncryptedPackage" stream (names are UTF-16).
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" and "EncryptedPackage".encode("utf-16-le") in data[:65536]:
        raise IngestError("password", file=file_name)
    try:
        workbook = fastexcel.read_excel(data)
    except Exception as exc:  # fastexcel.CalamineError and others for corrupt files
        if "password" in str(exc).lower():
            raise IngestError("password", file=file_name) from exc
        raise IngestError(
            "unreadable", file=file_name, detail=f"Excel として開けません（{type(exc).__name__}）"
        ) from exc
    names = list(workbook.sheet_names)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        merged_ranges = pool.submit(_merged_ranges, data, names)
        sheets = []
        for name in names:
            try:
                columns = _excel_columns(workbook, name)
            except Exception as exc:  # calamine's message is a chain of lines ("Context: …"): the first says it
                first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise IngestError("unreadable", file=file_name, detail=f"シート「{name}」: {first_line}") from exc
            sheets.append(_excel_sheet(stage, name, columns))
        merged = merged_ranges.result()
    for sheet in sheets:
        sheet.merged = merged.get(sheet.name, [])
    return sheets


def _excel_columns(workbook, name: str) -> list:
    """One sheet's cells as Arrow text columns, from column A and row 1 as Excel shows them."""
    import pyarrow as pa

    sheet = workbook.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
    if sheet.width == 0 or sheet.height == 0:
        return []
    batch = sheet.to_arrow()
    # fastexcel starts at the first column holding a cell; empty columns before it are put back, so column
    # numbers (merged ranges, saved header profiles) are the sheet's own.
    first = sheet.available_columns()[0].absolute_index
    padding = [pa.nulls(batch.num_rows, pa.string())] * first
    return padding + [_excel_text(batch.column(i)) for i in range(batch.num_columns)]


def _excel_text(array) -> object:
    """A fastexcel text column as the reader's cells: a date cell shows as its date (2021-04-05, not
    2021-04-05 00:00:00; a date with a time keeps it); an empty or blank cell is NULL."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pc.any(pc.ends_with(array, " 00:00:00")).as_py():
        array = pc.replace_substring_regex(array, pattern=r"^(\d{4}-\d{2}-\d{2}) 00:00:00$", replacement=r"\1")
    return pc.if_else(pc.equal(pc.utf8_trim_whitespace(array), ""), pa.scalar(None, pa.string()), array)


def _merged_ranges(data: bytes, names: list[str]) -> dict[str, list]:
    """Merged ranges per sheet as ((first_row, first_col), (last_row, last_col)), 0-based.

    An .xlsx lists them in each sheet's XML after the cells (``<mergeCell ref="A1:B2"/>``): the XML is
    decompressed as a stream (zlib runs without the GIL, beside the cell parse) and only pieces that contain
    the word are searched. Binary .xls and .ods are asked through python-calamine. Merged ranges only refine
    header detection, so a workbook whose ranges cannot be read (a damaged part the cell parser did not
    need) is read without them rather than refused.
    """
    try:
        if data[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                paths = _xlsx_sheet_paths(archive)
                if paths is not None:  # (an .ods is a zip too, without these parts)
                    return {name: _xml_merged_ranges(archive, paths[name]) for name in names if name in paths}
        import python_calamine

        workbook = python_calamine.load_workbook(io.BytesIO(data))
        return {name: list(workbook.get_sheet_by_name(name).merged_cell_ranges or []) for name in names}
    except Exception:
        return {}


def _xlsx_sheet_paths(archive: zipfile.ZipFile) -> dict[str, str] | None:
    """Sheet name → worksheet XML path inside an .xlsx (from xl/workbook.xml and its relationships)."""
    import posixpath
    import xml.etree.ElementTree as ElementTree

    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        return None
    relation_id = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    targets = {r.get("Id"): r.get("Target", "") for r in relations}
    paths = {}
    for sheet in workbook.iter():
        if sheet.tag.endswith("}sheet") and sheet.get("name") is not None:
            target = targets.get(sheet.get(relation_id), "")
            paths[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join("xl", target)
            )
    return paths


MERGE_CELL = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*?ref=\"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?\"")
_XML_PIECE_BYTES = 1 << 20


def _xml_merged_ranges(archive: zipfile.ZipFile, path: str) -> list:
    ranges, tail = [], b""
    with archive.open(path) as xml:
        while piece := xml.read(_XML_PIECE_BYTES):
            text = tail + piece
            if b"mergeCell" in text:
                for first_col, first_row, last_col, last_row in MERGE_CELL.findall(text):
                    ranges.append(
                        (
                            (int(first_row) - 1, _column_number(first_col)),
                            (int(last_row or first_row) - 1, _column_number(last_col or first_col)),
                        )
                    )
                text = text[text.rfind(b">") + 1 :]  # what was matched is not searched again
            tail = text[-256:]  # an element cut between two pieces is searched with the next one
    return sorted(set(ranges))


def _column_number(letters: bytes) -> int:
    """Excel column letters → 0-based number (A → 0, AA → 26)."""
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number - 1


def _excel_sheet(stage: duckdb.DuckDBPyConnection, name: str, columns: list) -> RawSheet:
    import pyarrow as pa

    table = _staging_name(stage)
    if not columns:
        stage.execute(f"create table {table} (c0 varchar)")
        return RawSheet(name, table, 0, 0, [])
    cells = pa.table(columns, names=[f"c{i}" for i in range(len(columns))])
    stage.register("_excel_arrow", cells)
    stage.execute(f"create table {table} as select * from _excel_arrow")
    stage.unregister("_excel_arrow")
    head = [list(row.values()) for row in cells.slice(0, HEAD_ROWS).to_pylist()]
    return RawSheet(name, table, len(columns), cells.num_rows, head)


# --------------------------------------------------------------------------------------------


_RAW_TABLE_NUMBERS = itertools.count()


def _staging_name(stage: duckdb.DuckDBPyConnection) -> str:
    """A table name not used before in this process (cheaper than asking the staging database)."""
    return f"raw_{next(_RAW_TABLE_NUMBERS)}"
