"""Excel templates: headers the ingest maps exactly, drop-downs, formats, the 説明 sheet, and clean loads."""

from __future__ import annotations

import datetime as dt
import io
import random

import openpyxl
import pytest

from analytics import contract, db
from analytics.ingest import headers as hdr, pseudonym, templates
from analytics.ingest.errors import IngestError
from analytics.ingest.pipeline import ingest_file, prepare_file
from analytics.text import ui_text

KEY = b"k" * 32


def book_of(kind: str) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(templates.template_workbook(kind)))


def validations(ws) -> dict[str, list[str]]:
    """Header of the validated column → the drop-down values."""
    headers = {c.column_letter: c.value for c in ws[1]}
    out = {}
    for dv in ws.data_validations.dataValidation:
        letter = str(dv.sqref).split(":")[0].rstrip("0123456789")
        out[headers[letter]] = dv.formula1.strip('"').split(",")
    return out


@pytest.mark.parametrize("kind", contract.KINDS)
def test_template_headers_map_to_every_contract_column_exactly(kind):
    ws = book_of(kind)[contract.TABLES[kind].ja]
    labels = [c.value for c in ws[1]]
    matches = hdr.map_columns(labels)
    assert [m.column for m in matches] == list(contract.TABLES[kind].column_names)
    assert all(m.confidence == 1.0 and m.source == "alias" for m in matches)
    assert hdr.detect_kind({m.column for m in matches})[0] == kind


def test_coded_columns_have_drop_downs_with_the_contract_labels():
    consultations = validations(book_of("consultations")["相談記録"])
    assert consultations["対象者区分"] == ["不安定就労", "長期無業", "社会参加支援"]
    assert consultations["機関種別"] == [c.ja for c in contract.AGENCY_TYPES]
    assert consultations["相談方法"] == [c.ja for c in contract.CHANNELS]
    assert consultations["都道府県"] == [ui_text.prefecture_label(c) for c in ui_text.prefecture_codes()]
    assert len(consultations["都道府県"]) == 47
    placements = validations(book_of("placements")["就職等実績"])
    assert placements["就職等区分"] == [c.ja for c in contract.OUTCOME_TYPES]
    assert placements["6か月定着"] == ["定着", "離職", "不明"]
    targets = validations(book_of("targets")["目標"])
    assert targets["都道府県"][0] == "全国"
    assert targets["指標"] == [c.ja for c in contract.TARGET_INDICATORS]


def test_free_text_agency_names_only_warn_but_codes_stop():
    ws = book_of("consultations")["相談記録"]
    styles = {}
    headers = {c.column_letter: c.value for c in ws[1]}
    for dv in ws.data_validations.dataValidation:
        styles[headers[str(dv.sqref)[0]]] = dv.errorStyle
    assert styles["機関種別"] == "warning"
    assert styles["対象者区分"] == "stop"


@pytest.mark.parametrize(("kind", "date_header"), [("consultations", "相談日"), ("placements", "就職日")])
def test_date_columns_are_formatted_and_the_example_is_a_date(kind, date_header):
    ws = book_of(kind)[contract.TABLES[kind].ja]
    letter = next(c.column_letter for c in ws[1] if c.value == date_header)
    assert ws.column_dimensions[letter].number_format == templates.DATE_FORMAT
    example = ws[f"{letter}2"]
    assert isinstance(example.value, dt.datetime)
    assert example.number_format == templates.DATE_FORMAT
    id_letter = next(c.column_letter for c in ws[1] if c.value == "個人ID")
    assert ws.column_dimensions[id_letter].number_format == "@"


@pytest.mark.parametrize("kind", contract.KINDS)
def test_notes_sheet_explains_every_column(kind):
    notes = book_of(kind)[templates.NOTES_SHEET]
    text = "\n".join(str(c.value) for row in notes.iter_rows() for c in row if c.value)
    for column in contract.TABLES[kind].columns:
        assert f"【{templates.header_for(column)}】" in text
        if column.description_ja:
            assert column.description_ja in text


@pytest.mark.parametrize("kind", contract.KINDS)
def test_an_untouched_template_loads_nothing(kind):
    with pytest.raises(IngestError) as err:
        prepare_file(templates.template_workbook(kind), templates.template_file_name(kind), key=KEY)
    assert err.value.code == "empty"


def _fill(kind: str, rows: int, rng: random.Random) -> bytes:
    """A template filled in as an agency would: values from the drop-downs, real date cells, text IDs."""
    book = book_of(kind)
    ws = book[contract.TABLES[kind].ja]
    headers = [c.value for c in ws[1]]
    choices = validations(ws)
    prefectures = [ui_text.prefecture_label(c) for c in ui_text.prefecture_codes()]
    for r in range(3, 3 + rows):
        day = dt.date(2021, 4, 1) + dt.timedelta(days=rng.randrange(1000))
        values = {
            "個人ID": f"{rng.randrange(1, 48):02d}-{r:05d}",
            "相談日": day, "就職日": day,
            # the platform survey is one row per municipality: its municipality is required
            # a target is for a prefecture (or the nation) chosen from the drop-down: no municipality (issue 16)
            "市区町村コード": None if kind == "targets" else rng.choice(
                ["02201", "13101", "27100", "01100", *([None] if kind != "platforms" else [])]),
            "都道府県": None, "機関名": "テスト機関", "年齢": rng.randrange(35, 55),
            "生年": rng.randrange(1968, 1988), "産業": "医療,福祉", "事業": None,
            "年度": rng.choice([2023, "令和6年度", "R5"]), "ステージ": None, "目標値": rng.randrange(1, 9999),
            "版": "2024-04",
        }  # fmt: skip
        for header in headers:
            value = values.get(header)
            if header in choices:
                value = rng.choice(choices[header])
            if header == "都道府県" and kind != "targets":
                value = rng.choice(prefectures) if values["市区町村コード"] is None else None
            ws.cell(row=r, column=headers.index(header) + 1, value=value)
        if kind == "targets":  # one (indicator, year, region, group) per row: no duplicates by construction
            ws.cell(row=r, column=headers.index("版") + 1, value=f"v{r}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("kind", contract.KINDS)
def test_a_filled_in_template_loads_with_zero_quarantined_rows(kind, tmp_path):
    path = tmp_path / templates.template_file_name(kind)
    path.write_bytes(_fill(kind, 60, random.Random(20240401)))
    con = db.connect(tmp_path / "t.duckdb")
    try:
        report = ingest_file(con, path)
        stored = con.execute(f"select count(*) from {kind}").fetchone()[0]
    finally:
        con.close()
    sheets = {s.sheet: s for s in report.sheets}
    data = sheets[contract.TABLES[kind].ja]
    assert data.quarantined == 0, data.issues[["row_number", "column_name", "value", "reason_code"]].to_string()
    assert data.loaded + data.duplicates == 60
    assert data.excluded["note"] == 1  # the ※ example row
    assert stored == data.loaded
    assert sheets[templates.NOTES_SHEET].status == "skipped"
    assert sheets[templates.NOTES_SHEET].header_row is None


def test_filled_template_ids_are_pseudonymised_like_any_file(tmp_path):
    data = _fill("consultations", 5, random.Random(1))
    report = prepare_file(data, "t.xlsx", key=pseudonym.load_key(tmp_path / "x.duckdb"))
    ids = report.sheets[0].preview["person_id"]
    assert all(len(i) == pseudonym.PSEUDONYM_HEX_CHARS for i in ids)


def test_unknown_kind_has_no_template():
    with pytest.raises(KeyError):
        templates.template_workbook("nonsense")
