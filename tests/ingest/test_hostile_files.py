"""A corpus of hostile and broken files: each fails with a clear Japanese message (or quarantines every
row), never a traceback, and the loaded data are unchanged (table counts and a checksum)."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from analytics.ingest.errors import IngestError
from analytics.ingest.pipeline import prepare_file

from .conftest import MESSY, load

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
HEADER = "個人ID,相談日,都道府県,対象者区分\n"


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))  # 50 MB of zeros → ~50 KB
    return buf.getvalue()


def _entity_expansion() -> bytes:
    """An .xlsx whose shared strings try a billion-laughs entity expansion."""
    good = zipfile.ZipFile(io.BytesIO(_xlsx([["個人ID", "相談日"], ["1", "2021-04-05"]])))
    lol = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
        + ']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        "<si><t>&lol9;</t></si></sst>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for item in good.infolist():
            data = lol.encode() if item.filename.endswith("sharedStrings.xml") else good.read(item.filename)
            out.writestr(item, data)
    return buf.getvalue()


def _password_protected() -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(_xlsx([["個人ID", "相談日"], ["1", "2021-04-05"]]))).encrypt("secret", out)
    return out.getvalue()


# (case id, file name, bytes factory, expected IngestError code or "quarantined")
CORPUS = [
    ("empty", "empty.csv", lambda: b"", "empty"),
    ("header_only", "header_only.csv", lambda: HEADER.encode(), "empty"),
    ("title_and_total_only", "total.csv", lambda: ("令和3年度 実績\n" + HEADER + "合計,,,0\n").encode(), "empty"),
    ("binary_garbage", "garbage.csv", lambda: bytes(range(256)) * 64, "unreadable"),
    (
        "truncated_xlsx",
        "truncated.xlsx",
        lambda: _xlsx([["個人ID", "相談日"], ["1", "2021-04-05"]])[:700],
        "unreadable",
    ),
    ("corrupt_xlsx", "corrupt.xlsx", lambda: b"PK\x03\x04" + b"\x00garbage" * 100, "unreadable"),
    ("password_protected", "locked.xlsx", _password_protected, "password"),
    ("zip_bomb", "bomb.xlsx", _zip_bomb, "too_large"),
    ("entity_expansion", "lol.xlsx", _entity_expansion, {"unreadable", "no_header", "missing_columns", "empty"}),
    (
        "cell_10mb",
        "bigcell.csv",
        lambda: (HEADER + "1,2021-04-05,青森," + "長" * (10 * 1024 * 1024) + "\n").encode(),
        "too_large",
    ),
    ("columns_100k", "wide.csv", lambda: (",".join(f"c{i}" for i in range(100_000)) + "\n1\n").encode(), "too_large"),
    (
        "mixed_encodings",
        "mixed.csv",
        lambda: HEADER.encode("utf-8") + "1,2021-04-05,青森,長期無業\n".encode("cp932"),
        {"encoding", "no_header"},
    ),
    (
        "nul_bytes",
        "nul.csv",
        lambda: (HEADER + "1,2021-04-05,青森,長期無業\n").encode().replace(b",", b"\x00,"),
        "unreadable",
    ),
    (
        "year_9999_and_1899",
        "dates.csv",
        lambda: (HEADER + "1,9999-12-31,青森,長期無業\n2,1899-12-31,青森,長期無業\n").encode(),
        "quarantined",
    ),
    (
        "negative_age",
        "age.csv",
        lambda: "個人ID,相談日,都道府県,対象者区分,年齢\n1,2021-04-05,青森,長期無業,-5\n".encode(),
        "quarantined",
    ),
    ("pdf_renamed", "report.xls", lambda: b"%PDF-1.7\n" + b"x" * 100, "unreadable"),
]


def _fingerprint(con) -> dict[str, tuple]:
    return {
        t: con.execute(f"select count(*), coalesce(bit_xor(hash(x)), 0) from {t} x").fetchone()
        for t in ("consultations", "placements", "targets")
    }


@pytest.mark.parametrize("case, name, make, expected", CORPUS, ids=[c[0] for c in CORPUS])
def test_hostile_file_fails_clearly_and_changes_nothing(con, tmp_path, case, name, make, expected):
    load(con, MESSY / "i_fullwidth_ids.csv")
    before = _fingerprint(con)
    batches = con.execute("select count(*) from batches").fetchone()[0]
    path = tmp_path / name
    path.write_bytes(make())
    if expected == "quarantined":
        report = load(con, path)
        assert report.total("loaded") == 0 and report.total("quarantined") >= 1
        message = con.execute("select message_ja from quarantine order by batch_id desc limit 1").fetchone()[0]
    else:
        with pytest.raises(IngestError) as info:
            load(con, path)
        codes = expected if isinstance(expected, set) else {expected}
        assert info.value.code in codes, info.value.message()
        message = info.value.message("ja")
        assert con.execute("select count(*) from batches").fetchone()[0] == batches
    assert JAPANESE.search(message), message
    assert _fingerprint(con) == before


def test_file_over_the_size_limit(con, tmp_path, monkeypatch):
    monkeypatch.setenv("HYOGAKI_MAX_FILE_MB", "1")
    path = tmp_path / "big.csv"
    path.write_bytes((HEADER + "1,2021-04-05,青森,長期無業\n" * 60_000).encode())
    with pytest.raises(IngestError) as info:
        load(con, path)
    assert info.value.code == "too_large" and "HYOGAKI_MAX_FILE_MB" in info.value.message()


def test_file_over_the_row_limit(con, tmp_path, monkeypatch):
    monkeypatch.setenv("HYOGAKI_MAX_ROWS", "100")
    path = tmp_path / "rows.csv"
    path.write_bytes((HEADER + "1,2021-04-05,青森,長期無業\n" * 200).encode())
    with pytest.raises(IngestError) as info:
        load(con, path)
    assert info.value.code == "too_large" and "HYOGAKI_MAX_ROWS" in info.value.message()


def test_formulas_are_stored_as_inert_text(con, tmp_path):
    path = tmp_path / "formula.csv"
    path.write_text(
        '個人ID,相談日,都道府県,対象者区分,機関名\n1,2021-04-05,青森,長期無業,"=HYPERLINK(""http://x"")"\n'
        "2,2021-04-06,青森,長期無業,=cmd|' /C calc'!A0\n",
        encoding="utf-8",
    )
    report = load(con, path)
    assert report.total("loaded") == 2
    names = {r[0] for r in con.execute("select agency_name from consultations").fetchall()}
    assert '=HYPERLINK("http://x")' in names


KEY = b"k" * 32


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000), st.sampled_from(["x.csv", "x.xlsx", "x.xls", "x.tsv"]))
def test_random_bytes_load_or_fail_with_the_products_error(data, name):
    try:
        prepare_file(data, name, key=KEY)
    except IngestError as exc:
        assert exc.message("ja")


cells = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(
        [
            "個人ID",
            "相談日",
            "都道府県",
            "対象者区分",
            "令和3年4月5日",
            "青森",
            "長期無業",
            "合計",
            "※注",
            "022012",
            "-1",
        ]
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(cells, min_size=1, max_size=6), min_size=1, max_size=8), st.booleans())
def test_random_tables_load_or_fail_with_the_products_error(rows, as_excel):
    if as_excel:
        data, name = _xlsx([[c if c is None else re.sub(r"[\x00-\x1f]", "", c) for c in r] for r in rows]), "t.xlsx"
    else:
        import csv

        buf = io.StringIO()
        csv.writer(buf).writerows([["" if c is None else c for c in r] for r in rows])
        data, name = buf.getvalue().encode("utf-8"), "t.csv"
    try:
        report = prepare_file(data, name, key=KEY)
    except IngestError:
        return
    for sheet in report.sheets:
        if sheet.status == "ready":
            assert sheet.accounts()
