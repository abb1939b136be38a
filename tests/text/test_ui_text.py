"""Screen words: both languages for every string, 和暦 fiscal-year labels, prefecture names in JIS order."""

from __future__ import annotations

import datetime as dt
import string

import pytest

from analytics.text import ui_text


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(ui_text.TEXT))
def test_every_string_has_japanese_and_english_with_the_same_placeholders(key):
    ja, en = ui_text.TEXT[key]
    assert ja.strip()
    assert en.strip()
    assert placeholders(ja) == placeholders(en)


@pytest.mark.parametrize(
    ("fiscal_year", "ja", "en"),
    [
        (2018, "平成30年度 (FY2018)", "FY2018"),
        (2019, "令和元年度 (FY2019)", "FY2019"),
        (2020, "令和2年度 (FY2020)", "FY2020"),
        (2023, "令和5年度 (FY2023)", "FY2023"),
        (None, "不明", "Unknown"),
    ],
)
def test_fiscal_years_are_named_by_era_and_by_fy(fiscal_year, ja, en):
    assert ui_text.fiscal_year_label(fiscal_year, "ja") == ja
    assert ui_text.fiscal_year_label(fiscal_year, "en") == en


def test_prefectures_come_in_jis_order_with_both_names():
    codes = ui_text.prefecture_codes()
    assert codes == tuple(f"{i:02d}" for i in range(1, 48))
    assert ui_text.prefecture_label("01") == "北海道"
    assert ui_text.prefecture_label("47", "en") == "Okinawa"
    assert ui_text.prefecture_label("2") == "青森県"
    assert ui_text.prefecture_label(None) == "全国"


@pytest.mark.parametrize(("value", "lang"), [("en", "en"), ("ja", "ja"), ("EN", "ja"), (None, "ja"), (["en"], "ja")])
def test_unknown_languages_fall_back_to_japanese(value, lang):
    assert ui_text.lang_or_default(value) == lang


def test_dates_and_counts_are_formatted_for_each_language():
    assert ui_text.format_date(dt.date(2025, 3, 31)) == "2025年3月31日"
    assert ui_text.format_date(dt.date(2025, 3, 31), "en") == "2025-03-31"
    assert ui_text.format_date(dt.datetime(2025, 4, 1, 9, 5)) == "2025年4月1日 09:05"
    assert ui_text.format_date(None) == "–"
    assert ui_text.format_count(1234567) == "1,234,567"
