"""analytics/views/regions.py on a small hand-built database: every prefecture present, no data is not zero, the funnel
flags only places outside the limits, drill-down to municipalities.

The fixture (fiscal year 2021, as-of 2022-10-15 so 6-month cohort rates are final):

| prefecture | persons (first consultation) | regular within 6 months | rate | expected funnel position |
|---|---|---|---|---|
| 01 北海道 | 20 (札幌市 10, 函館市 10) | 10 (all in 札幌市) | 0.50 | below the 99.8% limit |
| 13 東京都 | 100 | 95 | 0.95 | above the 95% limit (inside 99.8%) |
| 47 沖縄県 | 4 | 3 | 0.75 | within (and a small denominator) |

Reference rate = 108 / 124 = 0.8710; limits p0 ± z·√(p0(1−p0)/n): 東京都 upper 95% = 0.9367, upper 99.8% =
0.9746; 北海道 lower 99.8% = 0.6393; 沖縄県 lower 95% = 0.5425.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pytest

from analytics import db
from analytics.metrics import facts, indicators
from analytics.text import ui_text
from analytics.views import regions
from analytics.views.filters import Filters

FY2021 = {"fiscal_year": [2021]}


def _consultation(pid, date, pref, muni, group, agency="hello_work", gender="male", referred_to=None):
    fy = date.year - (1 if date.month < 4 else 0)
    return (pid, date, fy, pref, muni, group, agency, gender, 40, referred_to)


def _placement(pid, date, outcome="regular_employment", retained=None):
    fy = date.year - (1 if date.month < 4 else 0)
    return (pid, date, fy, outcome, retained)


def fixture_rows() -> tuple[list[tuple], list[tuple]]:
    """The consultations and placements described in the module docstring (plus what test_groups needs)."""
    c, p = [], []
    for i in range(1, 21):  # 北海道: unstable employment, 札幌市 A01-A10, 函館市 A11-A20
        muni = "01100" if i <= 10 else "01202"
        referred = "hello_work" if i == 1 else None
        agency = "support_station" if i == 1 else "hello_work"
        c.append(_consultation(f"A{i:02}", dt.date(2021, 4, 10), "01", muni, "unstable_employment", agency,
                               referred_to=referred))  # fmt: skip
        if i <= 10:
            p.append(_placement(f"A{i:02}", dt.date(2021, 6, 1), retained=True if i <= 5 else None))
        elif i == 11:
            p.append(_placement(f"A{i:02}", dt.date(2021, 6, 1), outcome="non_regular_employment"))
    for i in range(1, 101):  # 東京都: long-term jobless; 95 regular placements two months later
        c.append(_consultation(f"B{i:03}", dt.date(2021, 5, 10), "13", "13101", "long_term_jobless",
                               gender="female" if i <= 50 else "male",
                               referred_to="self_reliance_support" if i <= 3 else None))  # fmt: skip
        if i <= 95:
            p.append(_placement(f"B{i:03}", dt.date(2021, 7, 1), retained=True if i <= 60 else None))
    for i in range(1, 5):  # 沖縄県: social participation; 3 of 4 placed
        c.append(_consultation(f"C{i}", dt.date(2021, 6, 1), "47", "47201", "social_participation", gender="female"))
        if i <= 3:
            p.append(_placement(f"C{i}", dt.date(2021, 8, 1)))
    c.append(_consultation("D1", dt.date(2022, 10, 15), "13", "13101", "long_term_jobless"))  # sets the as-of date
    return c, p


def make_db(consultations: list[tuple], placements: list[tuple]) -> duckdb.DuckDBPyConnection:
    """An in-memory database with the given rows (batch 1 and 2) and its facts built."""
    con = duckdb.connect()
    db.migrate(con)
    for i, row in enumerate(consultations):
        con.execute(
            "insert into consultations (batch_id, source_row, person_id, consultation_date, fiscal_year,"
            " prefecture_code, municipality_code, target_group, agency_type, gender, age, referred_to)"
            " values (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [i + 2, *row],
        )
    for i, (pid, date, fy, outcome, retained) in enumerate(placements):
        con.execute(
            "insert into placements (batch_id, source_row, person_id, placement_date, fiscal_year, outcome_type,"
            " retained_6m) values (2, ?, ?, ?, ?, ?, ?)",
            [i + 2, pid, date, fy, outcome, retained],
        )
    con.execute("begin transaction")
    facts.refresh_facts(con)
    con.execute("commit")
    return con


@pytest.fixture
def con():
    connection = make_db(*fixture_rows())
    yield connection
    connection.close()


def test_every_prefecture_is_listed_in_jis_order_and_no_data_is_not_zero(con):
    df = regions.prefecture_values(con, "persons", FY2021)
    assert len(df) == 47
    assert list(df["prefecture_code"]) == list(ui_text.prefecture_codes())
    got = df.set_index("prefecture_code")
    assert got.loc["01", "value"] == 20 and got.loc["13", "value"] == 100 and got.loc["47", "value"] == 4
    assert not got.loc["02", "has_data"] and np.isnan(got.loc["02", "value"])  # 青森県 sent nothing: empty, not 0
    assert got["has_data"].sum() == 3
    assert got.loc["13", "rank"] == 1 and got.loc["47", "rank"] == 3


def test_rates_match_the_engine_and_the_funnel_flags_only_places_outside_the_limits(con):
    df = regions.prefecture_values(con, "regular_within_6m_rate", FY2021)
    got = df.set_index("prefecture_code")
    assert df.attrs["reference_rate"] == pytest.approx(108 / 124)
    assert got.loc["01", "value"] == pytest.approx(0.50)
    assert got.loc["13", "value"] == pytest.approx(0.95)
    assert got.loc["47", "value"] == pytest.approx(0.75)
    assert got.loc["01", "position"] == "below_998"
    assert got.loc["13", "position"] == "above_95"
    assert got.loc["47", "position"] == "within"
    assert got.loc["47", "is_small"] and not got.loc["13", "is_small"]
    assert got.loc["13", "upper_95"] == pytest.approx(0.9367, abs=1e-4)
    assert got.loc["13", "upper_998"] == pytest.approx(0.9746, abs=1e-4)
    assert got.loc["01", "lower_998"] == pytest.approx(0.6393, abs=1e-4)
    assert sorted(regions.outside_limits(df)["prefecture_code"]) == ["01", "13"]
    engine = indicators.compute(con, by=["prefecture_code"], filters=FY2021, indicators=["regular_within_6m_rate"])
    assert engine.set_index("prefecture_code").loc["13", "regular_within_6m_rate"] == got.loc["13", "value"]


def test_the_place_filter_selects_but_does_not_narrow_the_comparison(con):
    narrowed = regions.prefecture_values(con, "persons", Filters(fiscal_year=2021, prefecture_code="13"))
    assert narrowed["has_data"].sum() == 3  # still every prefecture with data
    assert regions.comparison_filters(Filters(fiscal_year=2021, prefecture_code="13")) == FY2021


def test_drill_down_lists_the_municipalities_of_the_prefecture_against_its_own_rate(con):
    df = regions.municipality_values(con, "regular_within_6m_rate", "01", FY2021)
    assert list(df["municipality_code"]) == ["01100", "01202"]
    assert list(df["name"]) == ["札幌市", "函館市"]
    assert list(df["value"]) == [1.0, 0.0]
    assert df.attrs["reference_rate"] == pytest.approx(0.5)
    assert list(df["denominator"]) == [10, 10]


def test_unfinished_cohorts_have_no_rate(con):
    df = regions.prefecture_values(con, "regular_within_6m_rate", {"fiscal_year": [2022]})
    assert df.loc[df["prefecture_code"] == "13", "value"].isna().all()
    assert not df.loc[df["prefecture_code"] == "13", "is_final"].iloc[0]


def test_display_table_shows_percent_with_one_decimal_and_marks_small_denominators(con):
    df = regions.prefecture_values(con, "regular_within_6m_rate", FY2021)
    table = regions.display_table(df, "regular_within_6m_rate", "ja").set_index("コード")
    assert table.loc["01", "6か月以内正社員就職率 (%)"] == 50.0
    assert table.loc["01", "ファネル上の位置"] == "下回る（99.8%限界の外）"
    assert "分母10未満" in table.loc["47", "注記"]
    assert table.loc["02", "注記"] == "データなし"
    en = regions.display_table(df, "regular_within_6m_rate", "en")
    assert en.iloc[0]["Place"] == "Hokkaido"


def test_funnel_lines_widen_for_small_denominators():
    lines = regions.funnel_lines(0.5, 100)
    assert lines["denominator"].min() == 1
    assert lines["denominator"].max() >= 100
    first, last = lines.iloc[0], lines.iloc[-1]
    assert first["upper_998"] - first["lower_998"] > last["upper_998"] - last["lower_998"]
    assert (lines["upper_998"] >= lines["upper_95"]).all()
    assert regions.funnel_lines(float("nan"), 100).empty


def test_tile_grid_and_boundaries_cover_the_47_prefectures():
    tiles = regions.tile_grid()
    assert len(tiles) == 47 and tiles["code"].is_unique
    assert set(tiles["code"]) == set(ui_text.prefecture_codes())
    assert tiles.loc[tiles["code"] == "13", "label"].iloc[0] == "東京"
    assert tiles.loc[tiles["code"] == "01", "label"].iloc[0] == "北海道"
    codes = {f["properties"]["code"] for f in regions.prefecture_geojson()["features"]}
    assert codes == set(ui_text.prefecture_codes())


def test_period_label_says_the_year_or_stage():
    assert regions.period_label(Filters(fiscal_year=2023), "ja") == "令和5年度 (FY2023)"
    assert regions.period_label(Filters(), "en") == "All years"


# ---------------------------------------------------------------------------------------------
# The page (AppTest) with the seeded sample and an empty database
# ---------------------------------------------------------------------------------------------

REGIONS_PAGE = "pages/regions.py"


def _page(params: dict[str, str] | None = None):
    from streamlit.testing.v1 import AppTest

    from tests.test_app import PROJECT_ROOT, TIMEOUT

    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=TIMEOUT)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    at.switch_page(REGIONS_PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _shown(at, indicator_id: str = "retention_6m_rate") -> dict[str, float]:
    table = at.dataframe[0].value
    column = f"{indicators.REGISTRY_BY_ID[indicator_id].ja} (%)"
    return {c: v for c, v in zip(table["コード"], table[column], strict=True) if v == v}


def _expected(db_path, filters: Filters, indicator_id: str = "retention_6m_rate") -> dict[str, float]:
    from analytics.views import status

    with status.read_connection(db_path) as connection:
        df = regions.prefecture_values(connection, indicator_id, filters)
    return {c: round(v * 100, 1) for c, v in zip(df["prefecture_code"], df["value"], strict=True) if v == v}


def test_regions_page_shows_the_engine_numbers_and_follows_the_year_filter(seeded_db):
    at = _page()
    latest = at.session_state["f.fy"]
    assert _shown(at) == _expected(seeded_db, Filters(fiscal_year=latest))
    assert len(at.dataframe[0].value) == 47
    at.selectbox(key="f.fy").set_value(latest - 2).run()
    assert not at.exception
    after = _shown(at)
    assert after == _expected(seeded_db, Filters(fiscal_year=latest - 2))
    assert after != _expected(seeded_db, Filters(fiscal_year=latest))


def test_a_link_with_a_prefecture_opens_its_municipalities(seeded_db):
    at = _page({"pref": "13", "fy": "2022", "indicator": "regular_within_6m_rate"})
    assert at.session_state["regions.indicator"] == "regular_within_6m_rate"
    assert any("東京都の市区町村" in s.value for s in at.subheader)
    assert _shown(at, "regular_within_6m_rate") == _expected(seeded_db, Filters(fiscal_year=2022),
                                                             "regular_within_6m_rate")  # fmt: skip
    at.button(key="regions.clear").click().run()
    assert not at.session_state["f.pref"]
    assert "pref" not in at.query_params
    assert not any("東京都の市区町村" in s.value for s in at.subheader)


def test_regions_page_on_an_empty_database_says_what_to_do(empty_db):
    at = _page()
    assert [i.value for i in at.info] == [ui_text.t("regions.empty")]
