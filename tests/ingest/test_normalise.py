"""Cell parsers: dates (和暦, Excel serials, full-width), codes with check digits, prefectures, labels."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from hypothesis import given, settings, strategies as st

from analytics.ingest import normalise as nz


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2021-04-05", dt.date(2021, 4, 5)),
        ("2021/4/5", dt.date(2021, 4, 5)),
        ("2021.4.5", dt.date(2021, 4, 5)),
        ("2021年4月5日", dt.date(2021, 4, 5)),
        ("令和3年4月5日", dt.date(2021, 4, 5)),
        ("令和３年４月５日", dt.date(2021, 4, 5)),
        ("R3.4.5", dt.date(2021, 4, 5)),
        ("Ｒ３．４．５", dt.date(2021, 4, 5)),
        ("平成31年4月30日", dt.date(2019, 4, 30)),
        ("令和元年5月1日", dt.date(2019, 5, 1)),
        ("H31/4/30", dt.date(2019, 4, 30)),
        ("20210405", dt.date(2021, 4, 5)),
        ("2021-04-05 00:00:00", dt.date(2021, 4, 5)),
        ("44291", dt.date(2021, 4, 5)),  # Excel serial in a General cell
        ("44291.0", dt.date(2021, 4, 5)),
    ],
)
def test_parses_every_date_spelling_seen_in_exports(text, expected):
    assert nz.parse_date(text) == (expected, None)


@pytest.mark.parametrize("text", ["2021-13-01", "令和3年13月45日", "2021-02-30", "昨日", "2021", "R0.4.1", "12"])
def test_rejects_impossible_dates_with_reason(text):
    assert nz.parse_date(text) == (None, "invalid_date")


def test_empty_date_is_missing_not_invalid():
    assert nz.parse_date("  ") == (None, None)
    assert nz.parse_date(None) == (None, None)


def _wareki(date: dt.date) -> tuple[str, int]:
    for era, start in nz.ERAS.items():
        if date >= start:
            return era, date.year - start.year + 1
    raise AssertionError


@given(st.dates(min_value=dt.date(1989, 1, 8), max_value=dt.date(2099, 12, 31)), st.booleans(), st.booleans())
def test_wareki_round_trip(date, full_width, gannen):
    era, year = _wareki(date)
    year_text = "元" if gannen and year == 1 else str(year)
    text = f"{era}{year_text}年{date.month}月{date.day}日"
    if full_width:
        text = text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert nz.parse_date(text) == (date, None)


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_excel_serial_round_trip(date):
    serial = (date - nz.EXCEL_EPOCH).days
    assert nz.parse_date(str(serial)) == (date, None)
    assert nz.parse_date(f"{serial}.0") == (date, None)


@given(
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2099, 12, 31)),
    st.sampled_from(["{y}-{m:02d}-{d:02d}", "{y}/{m}/{d}", "{y}年{m}月{d}日", "{y}{m:02d}{d:02d}"]),
)
def test_western_formats_round_trip(date, fmt):
    assert nz.parse_date(fmt.format(y=date.year, m=date.month, d=date.day)) == (date, None)


@given(st.text(max_size=20))
def test_date_parser_never_raises(text):
    value, reason = nz.parse_date(text)
    assert (value is None) or reason is None


@pytest.mark.parametrize(
    "date, fiscal_year",
    [
        (dt.date(2021, 4, 1), 2021),
        (dt.date(2022, 3, 31), 2021),
        (dt.date(2021, 3, 31), 2020),
    ],
)
def test_fiscal_year_runs_april_to_march(date, fiscal_year):
    assert nz.fiscal_year_of(date) == fiscal_year


@pytest.mark.parametrize(
    "text, year",
    [("2021", 2021), ("FY2021", 2021), ("令和3年度", 2021), ("R3", 2021), ("令和元年度", 2019), ("2023年度", 2023)],
)
def test_parses_fiscal_years(text, year):
    assert nz.parse_fiscal_year(text) == (year, None)


# --- local-government codes -----------------------------------------------------------------


def test_check_digit_rule_holds_for_every_code_in_the_bundled_list():
    with open(nz.REFERENCE_DIR / "municipalities.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 1965
    for row in rows:
        assert row["code6"] == row["code5"] + nz.check_digit(row["code5"]), row


@pytest.mark.parametrize("code5, digit", [("02201", "2"), ("13101", "6"), ("01100", "2"), ("47201", "8")])
def test_check_digit_known_values(code5, digit):
    assert nz.check_digit(code5) == digit


@pytest.mark.parametrize(
    "text, pref, expected",
    [
        ("02201", None, "02201"),
        ("022012", None, "02201"),  # 6 digits with check digit
        ("22012", None, "02201"),  # 022012 that lost its leading zero in Excel
        ("2201", None, "02201"),  # 02201 that lost its leading zero
        ("22012.0", None, "02201"),  # a float cell
        ("０２２０１", None, "02201"),  # full-width
        ("青森市", None, "02201"),
        ("青森県青森市", None, "02201"),
        ("府中市", "13", "13206"),
        ("府中市", "34", "34208"),
        ("札幌市中央区", None, "01100"),  # 政令市の行政区 → the city
        ("01101", None, "01100"),
        ("中央区", "13", "13102"),  # 東京都中央区 is a 特別区 (a local government)
    ],
)
def test_resolves_municipality_codes_and_names(text, pref, expected):
    assert nz.parse_municipality(text, pref) == (expected, None)


@pytest.mark.parametrize(
    "text, pref, reason",
    [
        ("022013", None, "invalid_check_digit"),
        ("99999", None, "unknown_municipality"),
        ("02999", None, "unknown_municipality"),
        ("府中市", None, "ambiguous_municipality"),
        ("どこか市", None, "unknown_municipality"),
    ],
)
def test_rejects_bad_municipalities_with_reason(text, pref, reason):
    assert nz.parse_municipality(text, pref) == (None, reason)


@given(st.sampled_from(sorted(nz.region_reference().municipalities)))
def test_every_code_resolves_in_all_its_spellings(code5):
    muni = nz.region_reference().municipalities[code5]
    expected = muni.parent_code5 if muni.type == "ward" else code5
    for spelling in (code5, muni.code6, code5.lstrip("0"), muni.code6.lstrip("0")):
        assert nz.parse_municipality(spelling, muni.pref_code) == (expected, None), spelling


def test_digits_readable_two_ways_prefer_five_digits_unless_the_prefecture_says_otherwise():
    assert nz.parse_municipality("23213") == ("23213", None)  # 愛知県西尾市
    assert nz.parse_municipality("23213", "02") == ("02321", None)  # 青森県鰺ヶ沢町 (023213)


@given(st.from_regex(r"\A[0-9]{5}\Z"))
def test_wrong_check_digit_never_accepted(code5):
    good = nz.check_digit(code5)
    bad = str((int(good) + 1) % 10)
    assert nz.parse_municipality(code5 + bad)[0] is None


@pytest.mark.parametrize(
    "text, code",
    [
        ("青森県", "02"),
        ("青森", "02"),
        ("02", "02"),
        ("2", "02"),
        ("東京都", "13"),
        ("東京", "13"),
        ("大阪府", "27"),
        ("北海道", "01"),
        ("Aomori", "02"),
        ("ＴＯＫＹＯ", "13"),
        ("京都", "26"),
        ("京都府", "26"),
    ],
)
def test_resolves_prefectures(text, code):
    assert nz.parse_prefecture(text) == (code, None)


def test_national_label_is_no_prefecture_and_no_error():
    assert nz.parse_prefecture("全国") == (None, None)


# --- labels -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, code",
    [
        ("不安定就労", "unstable_employment"),
        ("不安定な就労状態にある方", "unstable_employment"),
        ("長期無業", "long_term_jobless"),
        ("長期にわたり無業の状態にある方", "long_term_jobless"),
        ("社会参加支援", "social_participation"),
        ("社会参加に向けた支援を必要とする方", "social_participation"),
        ("Long-term jobless", "long_term_jobless"),
        ("Social participation", "social_participation"),
    ],
)
def test_target_group_labels(text, code):
    assert nz.parse_code(text, "target_group") == (code, None)


@pytest.mark.parametrize(
    "text, code",
    [
        ("正社員", "regular_employment"),
        ("正規雇用", "regular_employment"),
        ("契約社員", "non_regular_employment"),
        ("パート・アルバイト", "non_regular_employment"),
        ("派遣社員", "non_regular_employment"),
        ("職業訓練", "training"),
        ("社会参加", "social_participation"),
    ],
)
def test_outcome_type_labels(text, code):
    assert nz.parse_code(text, "outcome_type") == (code, None)


def test_agency_names_map_to_types_and_unknown_agencies_to_other():
    assert nz.parse_code("ハローワーク青森", "agency_type") == ("hello_work", None)
    assert nz.parse_code("あおもり若者サポートステーション", "agency_type") == ("support_station", None)
    assert nz.parse_code("〇〇市役所福祉課", "agency_type") == ("other", None)


def test_unknown_target_group_is_an_error():
    assert nz.parse_code("一般求職者", "target_group") == (None, "unknown_code")


@pytest.mark.parametrize(
    "text, value",
    [("定着", True), ("○", True), ("離職", False), ("×", False), ("不明", None), ("yes", True), ("no", False)],
)
def test_retention(text, value):
    assert nz.parse_retention(text) == (value, None)


def test_person_id_normalisation_unifies_widths_and_dashes():
    assert nz.normalise_person_id("０１－０１０００") == "01-01000"
    assert nz.normalise_person_id(" 01‐01000 ") == "01-01000"
    assert nz.normalise_person_id("ab-1") == "AB-1"


def test_ages_and_birth_years():
    assert nz.parse_int("４２歳", 0, 120) == (42, None)
    assert nz.parse_int("-5", 0, 120) == (None, "out_of_range")
    assert nz.parse_birth_year("昭和54年", 1900, 2026) == (1979, None)
    assert nz.parse_birth_year("1979-06-01", 1900, 2026) == (1979, None)


@settings(deadline=None)
@given(st.lists(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=16), max_size=50))
def test_sql_and_python_id_normalisation_agree_on_ascii(texts):
    import duckdb

    from analytics.ingest.pipeline import ASCII_ID_SQL

    con = duckdb.connect()
    got = con.execute(
        f"select list_transform($v, x -> nullif({ASCII_ID_SQL.format(x='x')}, ''))", {"v": texts}
    ).fetchone()[0]
    assert got == [nz.normalise_person_id(t) for t in texts]


_ID_ALPHABET = st.sampled_from(
    list("0123456789abcXYZ-_ .\t") + [chr(c) for c in (0xFF10, 0xFF21, 0xFF41, 0xFF0D, 0x3000, 0x2010, 0x2011, 0x2212,
                                                      0xFF70, 0x30FC, 0x00DF, 0x00A0, 0x9AD9, 0x0301, 0x0B, 0x1C)]
)


@settings(deadline=None)
@given(st.lists(st.text(alphabet=_ID_ALPHABET, max_size=12), max_size=40))
def test_vectorised_id_normalisation_agrees_with_the_definition(texts):
    # full-width, dashes, ideographic and non-breaking spaces, ß, a combining accent, kanji, ASCII controls
    import pyarrow as pa

    got = nz.normalise_person_id_array(pa.array(texts, type=pa.string())).to_pylist()
    assert got == [nz.normalise_person_id(t) for t in texts]
