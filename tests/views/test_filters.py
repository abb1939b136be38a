"""Tests for analytics/views/filters.py: the shared filter state, its URL form and the engine's filters."""

from __future__ import annotations

import pytest

from analytics.metrics import indicators
from analytics.views.filters import QUERY_KEYS, Filters


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(fiscal_year=2023),
        Filters(stage="第2ステージ"),
        Filters(prefecture_code="13", municipality_code="13101"),
        Filters(prefecture_code="01", target_groups=("unstable_employment", "social_participation")),
        Filters(
            fiscal_year=2020,
            prefecture_code="47",
            target_groups=("long_term_jobless",),
            agency_types=("hello_work", "support_station"),
        ),
    ],
)
def test_filters_survive_a_round_trip_through_the_url(filters):
    params = filters.to_query_params()
    assert set(params) <= set(QUERY_KEYS.values())
    assert all(isinstance(v, str) and v for v in params.values())
    assert Filters.from_query_params(params) == filters


def test_url_uses_short_keys_and_comma_joined_lists():
    f = Filters(fiscal_year=2023, prefecture_code="13", target_groups=("unstable_employment", "long_term_jobless"))
    assert f.to_query_params() == {"fy": "2023", "pref": "13", "tg": "unstable_employment,long_term_jobless"}
    assert Filters().to_query_params() == {}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"fy": "abc"}, Filters()),
        ({"fy": "1800"}, Filters()),
        ({"fy": "20231"}, Filters()),
        ({"fy": "FY2022"}, Filters(fiscal_year=2022)),
        ({"fy": "2023'; drop table consultations; --"}, Filters()),
        ({"stage": "第9ステージ"}, Filters()),
        ({"stage": "stage 2"}, Filters(stage="第2ステージ")),
        ({"fy": "2023", "stage": "第1ステージ"}, Filters(fiscal_year=2023)),  # a year wins over a stage
        ({"pref": "99"}, Filters()),
        ({"pref": "1"}, Filters(prefecture_code="01")),
        ({"pref": "東京"}, Filters()),
        ({"pref": "<script>"}, Filters()),
        ({"muni": "99999"}, Filters()),
        ({"muni": "13101"}, Filters(prefecture_code="13", municipality_code="13101")),  # brings its prefecture
        ({"pref": "01", "muni": "13101"}, Filters(prefecture_code="01")),  # not in that prefecture: dropped
        ({"tg": "bogus,long_term_jobless,long_term_jobless"}, Filters(target_groups=("long_term_jobless",))),
        (
            {"tg": "social_participation,unstable_employment"},
            Filters(target_groups=("unstable_employment", "social_participation")),
        ),  # contract order
        ({"agency": ["hello_work", "=cmd|' /C calc'!A0"]}, Filters(agency_types=("hello_work",))),
        ({"unknown": "x", "lang": "en"}, Filters()),
        ({"fy": "", "pref": "", "tg": ",,"}, Filters()),
    ],
)
def test_bad_url_values_are_ignored(params, expected):
    assert Filters.from_query_params(params) == expected


def test_indicator_filters_are_accepted_by_the_engine():
    f = Filters(
        stage="第2ステージ",
        prefecture_code="13",
        municipality_code="13101",
        target_groups=("long_term_jobless",),
        agency_types=("hello_work",),
    )
    flt = f.to_indicator_filters()
    assert flt == {
        "fiscal_year": [2023, 2024],
        "prefecture_code": ["13"],
        "municipality_code": ["13101"],
        "target_group": ["long_term_jobless"],
        "agency_type": ["hello_work"],
    }
    assert indicators.normalise_filters(flt) == flt
    assert "fiscal_year" not in f.to_indicator_filters(period=False)
    assert Filters().to_indicator_filters() == {}


def test_stage_of_a_fiscal_year_and_the_years_of_a_stage():
    assert Filters(fiscal_year=2021).stage_obj().name == "第1ステージ"
    assert Filters(stage="第1ステージ").fiscal_years() == [2020, 2021, 2022]
    assert Filters().stage_obj() is None and Filters().fiscal_years() == []
    assert Filters(fiscal_year=2023, prefecture_code="02").without_period() == Filters(prefecture_code="02")


def test_filters_are_hashable_for_caching():
    assert hash(Filters(fiscal_year=2023)) == hash(Filters.from_query_params({"fy": "2023"}))
