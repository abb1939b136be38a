"""Indicators as given rows -> expected values, hand-computed from tests/fixtures/indicators/*.csv.

Each CSV row carries a note saying which edge case it is. As-of date = 2023-06-30 (latest date in data).
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analytics import db
from analytics.metrics import facts, indicators

FIXTURES = Path(__file__).parent / "fixtures" / "indicators"


def load_fixture(con: duckdb.DuckDBPyConnection, directory: Path = FIXTURES) -> None:
    """Insert the fixture CSVs into consultations/placements (batch 1 and 2) and build the facts."""
    con.execute(
        """
        insert into consultations (batch_id, source_row, person_id, consultation_date, fiscal_year,
            prefecture_code, municipality_code, target_group, agency_type, channel, age, birth_year, gender)
        select 1, row_number() over () + 1, person_id, consultation_date::date, fiscal_year::smallint,
            prefecture_code, nullif(municipality_code, ''), target_group, agency_type, channel,
            nullif(age, '')::smallint, nullif(birth_year, '')::smallint, gender
        from read_csv($path, all_varchar = true, header = true)
        """,
        {"path": str(directory / "consultations.csv")},
    )
    con.execute(
        """
        insert into placements (batch_id, source_row, person_id, placement_date, fiscal_year, outcome_type,
            prefecture_code, municipality_code, target_group, retained_6m)
        select 2, row_number() over () + 1, person_id, placement_date::date, fiscal_year::smallint, outcome_type,
            nullif(prefecture_code, ''), nullif(municipality_code, ''), nullif(target_group, ''),
            nullif(retained_6m, '')::boolean
        from read_csv($path, all_varchar = true, header = true)
        """,
        {"path": str(directory / "placements.csv")},
    )
    con.execute("begin transaction")
    facts.refresh_facts(con)
    con.execute("commit")


@pytest.fixture
def con():
    connection = duckdb.connect()
    db.migrate(connection)
    load_fixture(connection)
    yield connection
    connection.close()


def row(df: pd.DataFrame, **keys) -> pd.Series:
    mask = pd.Series(True, index=df.index)
    for k, v in keys.items():
        mask &= df[k].isna() if v is None else (df[k] == v)
    assert mask.sum() == 1, f"expected one row for {keys}, got {mask.sum()}"
    return df[mask].iloc[0]


def test_as_of_is_latest_date_in_data(con):
    assert indicators.as_of(con) == dt.date(2023, 6, 30)


def test_counts_by_fiscal_year_with_person_spanning_two_years(con):
    df = indicators.compute(con, by=["fiscal_year"])
    got = df.set_index("fiscal_year")[["consultations", "persons", "new_persons", "outreach_consultations"]]
    # P1 consults in FY2020 (2021-03-20) and FY2021 (2021-04-15): a person in both years, new only in 2020.
    assert got.loc[2020].tolist() == [1, 1, 1, 0]
    assert got.loc[2021].tolist() == [4, 3, 2, 1]  # P1, P2 x2, P3; outreach = P1's 2021-04-15
    assert got.loc[2022].tolist() == [1, 1, 1, 0]
    assert got.loc[2023].tolist() == [1, 1, 1, 0]


def test_national_total_is_not_sum_of_rows(con):
    total = indicators.compute(con, indicators=["persons", "placed_persons"])
    assert total["persons"].iloc[0] == 5  # P1 P2 P3 P5 P6
    assert total["placed_persons"].iloc[0] == 4  # P1 P2 P5 Z9 (P3's only placement predates support)
    by_year = indicators.compute(con, by="fiscal_year", indicators=["persons"])
    assert by_year["persons"].sum() == 6  # P1 counted in FY2020 and FY2021
    by_group = indicators.compute(con, by="target_group", indicators=["placed_persons"])
    assert by_group["placed_persons"].sum() == 5  # P2 placed as unstable_employment and social_participation
    assert "need not add up" in by_group.attrs["note"]


def test_outcome_counts_attribution_and_exclusions(con):
    df = indicators.compute(con, by=["fiscal_year"]).set_index("fiscal_year")
    cols = ["placed_persons", "regular_placed_persons", "regular_placements", "training_persons",
            "social_participation_persons", "unlinked_placements", "placements_before_first_consultation"]
    # FY2021: P1 regular, P2 training + non-regular + regular, Z9 regular (unlinked, kept),
    # P3 regular before first consultation (excluded, counted as such).
    assert df.loc[2021, cols].tolist() == [3, 3, 3, 1, 0, 1, 1]
    assert df.loc[2022, cols].tolist() == [2, 2, 2, 0, 0, 0, 0]  # P1 (own region), P5 (own pref 14)
    assert df.loc[2020, cols].tolist() == [0, 0, 0, 0, 0, 0, 0]

    by_pref = indicators.compute(con, by=["prefecture_code"], indicators=cols)
    assert row(by_pref, prefecture_code="13")[cols].tolist() == [1, 1, 2, 0, 0, 0, 1]  # P1 x2; P3 before
    assert row(by_pref, prefecture_code="27")[cols].tolist() == [1, 1, 1, 1, 0, 0, 0]  # P2
    assert row(by_pref, prefecture_code="14")[cols].tolist() == [1, 1, 1, 0, 0, 0, 0]  # P5 own prefecture
    assert row(by_pref, prefecture_code=None)[cols].tolist() == [1, 1, 1, 0, 0, 1, 0]  # Z9 unlinked

    by_muni = indicators.compute(con, by=["municipality_code"], indicators=["regular_placements"])
    assert row(by_muni, municipality_code="13101")["regular_placements"] == 1  # P1 via consultation
    assert row(by_muni, municipality_code="13103")["regular_placements"] == 1  # P1 own municipality
    # P5 sent prefecture 14 only; the person's municipality 13101 is not in 14 -> unknown municipality.
    assert row(by_muni, municipality_code=None)["regular_placements"] == 2  # P5 and Z9


def test_group_change_attribution(con):
    df = indicators.compute(con, by=["target_group"],
                            indicators=["placed_persons", "regular_placed_persons", "regular_placements"])
    got = {(r.target_group if isinstance(r.target_group, str) else None):
           (r.placed_persons, r.regular_placed_persons, r.regular_placements) for r in df.itertuples()}
    assert got == {
        "long_term_jobless": (1, 1, 2),      # P1 twice (once via consultation, once own group)
        "social_participation": (1, 1, 1),   # P2's regular job after the 2021-08-01 group change
        "unstable_employment": (2, 1, 1),    # P2's earlier non-regular job; P5 (own group)
        None: (1, 1, 1),                     # Z9: unlinked, no group sent
    }


def test_consultations_by_age_band_and_quarter(con):
    df = indicators.compute(con, by="age_band", indicators=["consultations", "persons"]).set_index("age_band")
    assert df["consultations"].to_dict() == {"35-39": 1, "40-44": 2, "45-49": 1, "50-54": 1, "other": 2}
    assert df["persons"].to_dict() == {"35-39": 1, "40-44": 1, "45-49": 1, "50-54": 1, "other": 2}
    q = indicators.compute(con, by="fiscal_quarter", indicators=["consultations"]).set_index("fiscal_quarter")
    assert q["consultations"].to_dict() == {"2020-Q4": 1, "2021-Q1": 3, "2021-Q2": 1, "2022-Q4": 1, "2023-Q1": 1}


def test_filters_apply_to_each_indicator_own_attribution(con):
    df = indicators.compute(con, filters={"prefecture_code": 13, "fiscal_year": 2021})
    r = df.iloc[0]
    assert (r.consultations, r.persons, r.new_persons, r.placed_persons) == (2, 2, 1, 1)
    assert r.placements_before_first_consultation == 1


def test_cohort_rates_windows_and_finality(con):
    df = indicators.compute(con, by=["fiscal_year"]).set_index("fiscal_year")
    # FY2020 cohort: P1, regular on 2021-09-20 = first consultation + 6 months exactly (inclusive).
    assert df.loc[2020, "regular_within_6m_rate"] == 1.0
    assert df.loc[2020, "regular_within_6m_rate_is_final"]
    # FY2021 cohort: P2 (regular one day after the window; non-regular within 12 months), P3 (none after).
    r = df.loc[2021]
    assert (r.regular_within_6m_rate_numerator, r.regular_within_6m_rate_denominator) == (0, 2)
    assert r.regular_within_6m_rate == 0.0
    assert (r.placed_within_12m_rate_numerator, r.placed_within_12m_rate_denominator) == (1, 2)
    assert r.placed_within_12m_rate == 0.5
    assert r.placed_within_12m_rate_is_final
    assert r.placed_within_12m_rate_is_small
    assert math.isclose(r.placed_within_12m_rate_ci_low, 0.0945, abs_tol=1e-4)
    assert math.isclose(r.placed_within_12m_rate_ci_high, 0.9055, abs_tol=1e-4)


def test_unfinished_cohort_window_is_not_final(con):
    df = indicators.compute(con, by=["fiscal_year"]).set_index("fiscal_year")
    r = df.loc[2022]  # P5: first 2023-02-01; FY2022 ends 2023-03-31, + 6 months > as-of 2023-06-30
    assert not r.regular_within_6m_rate_is_final
    assert pd.isna(r.regular_within_6m_rate)
    assert pd.isna(r.regular_within_6m_rate_ci_low)
    assert (r.regular_within_6m_rate_numerator, r.regular_within_6m_rate_denominator) == (1, 1)
    # final once the as-of date reaches the window's end
    later = indicators.compute(con, by=["fiscal_year"], as_of_date="2023-09-30").set_index("fiscal_year")
    assert later.loc[2022, "regular_within_6m_rate_is_final"]
    assert later.loc[2022, "regular_within_6m_rate"] == 1.0
    assert not later.loc[2022, "placed_within_12m_rate_is_final"]
    # no time column and no year filter: an open cohort, never final
    national = indicators.compute(con, indicators=["regular_within_6m_rate"])
    assert not national["regular_within_6m_rate_is_final"].iloc[0]
    closed = indicators.compute(con, indicators=["regular_within_6m_rate"], filters={"fiscal_year": [2020, 2021]})
    assert closed["regular_within_6m_rate"].iloc[0] == pytest.approx(1 / 3)


def test_retention_rate_and_zero_denominator(con):
    # all indicators, so that FY2020 (consultations only) has a row
    df = indicators.compute(con, by=["fiscal_year"]).set_index("fiscal_year")
    # FY2021 regular placements: P1 retained, P2 not, Z9 unknown (excluded from the denominator)
    assert (df.loc[2021, "retention_6m_rate_numerator"], df.loc[2021, "retention_6m_rate_denominator"]) == (1, 2)
    assert df.loc[2021, "retention_6m_rate"] == 0.5
    assert df.loc[2022, "retention_6m_rate"] == 1.0  # P1 retained, P5 unknown
    # FY2020: no regular placements -> zero denominator -> null rate and interval, flagged small
    assert df.loc[2020, "retention_6m_rate_denominator"] == 0
    assert pd.isna(df.loc[2020, "retention_6m_rate"])
    assert pd.isna(df.loc[2020, "retention_6m_rate_ci_high"])
    assert df.loc[2020, "retention_6m_rate_is_small"]


def test_median_days_to_placement(con):
    df = indicators.compute(con, by=["fiscal_year"]).set_index("fiscal_year")
    assert df.loc[2021, "median_days_to_placement"] == (184 + 52) / 2  # P1 and P2; Z9 unlinked, P3 before
    assert df.loc[2021, "median_days_to_placement_n"] == 2
    assert df.loc[2022, "median_days_to_placement"] == 42  # P5; P1's first job was in FY2021
    assert pd.isna(df.loc[2020, "median_days_to_placement"])


def test_empty_database_gives_zeros_and_nulls():
    con = duckdb.connect()
    db.migrate(con)
    df = indicators.compute(con)
    assert len(df) == 1
    assert df["consultations"].iloc[0] == 0
    assert pd.isna(df["retention_6m_rate"].iloc[0])
    assert indicators.compute(con, by="prefecture_code").empty
    assert indicators.as_of(con) is None


def test_stale_facts_are_refreshed(con):
    con.execute("insert into consultations (batch_id, source_row, person_id, consultation_date, fiscal_year,"
                " prefecture_code, target_group) values (9, 2, 'P7', '2021-05-01', 2021, '01', 'long_term_jobless')")
    assert indicators.compute(con, indicators=["persons"])["persons"].iloc[0] == 6


def test_columns_are_stable_and_match_registry(con):
    df = indicators.compute(con, by="fiscal_year,prefecture_code,target_group")
    expected = ["fiscal_year", "prefecture_code", "target_group"]
    for ind in indicators.REGISTRY:
        expected += list(ind.columns)
    assert list(df.columns) == expected
    for rate in ("regular_within_6m_rate", "placed_within_12m_rate", "retention_6m_rate"):
        for suffix in ("", "_numerator", "_denominator", "_ci_low", "_ci_high"):
            assert rate + suffix in df


def test_unknown_dimension_or_indicator_is_an_error(con):
    with pytest.raises(ValueError, match="集計軸"):
        indicators.compute(con, by=["year"])
    with pytest.raises(ValueError, match="未登録"):
        indicators.compute(con, indicators=["nope"])
    with pytest.raises(ValueError, match="絞り込み"):
        indicators.compute(con, filters={"pref": "13"})


def test_region_comparison_funnel(con):
    df = indicators.region_comparison(con, "placed_within_12m_rate", filters={"fiscal_year": [2020, 2021]})
    r13, r27 = row(df, prefecture_code="13"), row(df, prefecture_code="27")
    assert (r13.numerator, r13.denominator, r13.rate) == (1, 2, 0.5)  # P1 yes, P3 no
    assert (r27.numerator, r27.denominator, r27.rate) == (1, 1, 1.0)  # P2
    assert r13.reference_rate == pytest.approx(2 / 3)
    half = 1.959964 * math.sqrt(2 / 3 * 1 / 3 / 2)
    assert r13.lower_95 == pytest.approx(2 / 3 - half, abs=1e-5)
    assert r13.upper_95 == 1.0
    assert r13.position == "within"
    assert r13.is_small
    with pytest.raises(ValueError, match="率の指標"):
        indicators.region_comparison(con, "persons")


def test_region_comparison_flags_outliers():
    con = duckdb.connect()
    db.migrate(con)
    # 100 persons in each of 3 prefectures; placed within 12 months: 50, 50, 5
    con.execute("""
        insert into consultations (batch_id, source_row, person_id, consultation_date, fiscal_year, prefecture_code,
            target_group)
        select 1, i, 'Q' || i, date '2020-05-01', 2020, ['01', '02', '03'][i % 3 + 1], 'long_term_jobless'
        from range(300) t(i)""")
    con.execute("""
        insert into placements (batch_id, source_row, person_id, placement_date, fiscal_year, outcome_type)
        select 2, i, 'Q' || i, date '2020-08-01', 2020, 'non_regular_employment'
        from range(300) t(i) where (i % 3 < 2 and i < 150) or (i % 3 = 2 and i < 15)""")
    con.execute("insert into consultations (batch_id, source_row, person_id, consultation_date, fiscal_year,"
                " prefecture_code, target_group) values (1, 999, 'X', '2022-06-01', 2022, '01', 'long_term_jobless')")
    df = indicators.region_comparison(con, "placed_within_12m_rate", filters={"fiscal_year": 2020})
    by = df.set_index("prefecture_code")
    assert by.loc["03", "rate"] == 0.05
    assert by.loc["03", "position"] == "below_998"
    # reference 105/300 = 0.35; at n = 100 the 99.8% upper limit is 0.35 + 3.09 * 0.0477 = 0.497 < 0.5
    assert by.loc["01", "reference_rate"] == pytest.approx(0.35)
    assert by.loc["01", "upper_998"] == pytest.approx(0.35 + 3.090232 * math.sqrt(0.35 * 0.65 / 100))
    assert by.loc["01", "position"] == "above_998"


def test_cohort_curve(con):
    df = indicators.cohort_curve(con, max_months=6)
    fy21 = df[df.fiscal_year == 2021].set_index("months_since_first_consultation")
    # P2: first 2021-05-10, first job 2021-07-01 -> within 2 months; P3 never (after support)
    assert fy21["placed_persons"].tolist() == [0, 0, 1, 1, 1, 1, 1]
    assert fy21["cohort_persons"].unique().tolist() == [2]
    fy20 = df[df.fiscal_year == 2020].set_index("months_since_first_consultation")
    assert fy20["placed_persons"].tolist() == [0, 0, 0, 0, 0, 0, 1]  # exactly 6 months
    fy22 = df[df.fiscal_year == 2022].set_index("months_since_first_consultation")
    # FY2022 ends 2023-03-31: k months are final while 2023-03-31 + k months <= 2023-06-30
    assert fy22["is_final"].tolist() == [True, True, True, True, False, False, False]
    assert fy22.loc[2, "rate"] == 1.0
    assert pd.isna(fy22.loc[4, "rate"])


def test_cohort_period_end_per_time_dimension():
    df = pd.DataFrame({"month": ["2021-04", "2022-02"], "fiscal_quarter": ["2021-Q1", "2021-Q4"],
                       "fiscal_year": [2021, 2021]})
    ends = {d: indicators.period_end(df, [d], {}, None).dt.date.tolist() for d in ("month", "fiscal_quarter",
                                                                                   "fiscal_year")}
    assert ends["month"] == [dt.date(2021, 4, 30), dt.date(2022, 2, 28)]
    assert ends["fiscal_quarter"] == [dt.date(2021, 6, 30), dt.date(2022, 3, 31)]
    assert ends["fiscal_year"] == [dt.date(2022, 3, 31)] * 2
    open_end = indicators.period_end(df, [], {"fiscal_year": [2020, 2022]}, dt.date(2024, 1, 1))
    assert open_end.dt.date.tolist() == [dt.date(2023, 3, 31)] * 2


def test_national_unfiltered_shortcut_matches_general_query(con):
    fast = indicators.compute(con, indicators=["consultations", "outreach_consultations", "persons"])
    sql = indicators.render_sql("indicators/consultation_counts", [])
    general = con.execute(sql, db.bind(sql, indicators._params({}))).df()
    cols = ["consultations", "outreach_consultations", "persons"]
    assert fast[cols].iloc[0].tolist() == general[cols].iloc[0].tolist() == [7, 1, 5]
