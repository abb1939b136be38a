"""Progress against targets: stages from configuration, vintages, pace, projection and status."""

from __future__ import annotations

import datetime as dt
import math

import duckdb
import pandas as pd
import pytest

from analytics import db
from analytics.metrics import facts, progress, stages


@pytest.fixture
def con():
    """Regular placements: 1 per month for FY2023 April-September in Tokyo, as-of 2023-09-30."""
    connection = duckdb.connect()
    db.migrate(connection)
    connection.execute("""
        insert into consultations (batch_id, source_row, person_id, consultation_date, fiscal_year, prefecture_code,
            target_group)
        select 1, m, 'R' || m, make_date(2023, 4 + m, 1), 2023, '13', 'long_term_jobless' from range(6) t(m)""")
    connection.execute("""
        insert into placements (batch_id, source_row, person_id, placement_date, fiscal_year, outcome_type)
        select 2, m, 'R' || m, make_date(2023, 4 + m, 15), 2023, 'regular_employment' from range(6) t(m)""")
    connection.execute("""
        insert into consultations (batch_id, source_row, person_id, consultation_date, fiscal_year, prefecture_code,
            target_group) values (1, 99, 'END', '2023-09-30', 2023, '27', 'long_term_jobless')""")
    connection.execute("""
        insert into targets (batch_id, source_row, indicator, fiscal_year, stage, prefecture_code, target_group,
            value, vintage) values
        (3, 1, 'regular_placed_persons', null, '第2ステージ', null, null, 24, '2023-04'),
        (3, 2, '正社員就職者数', 2023, null, '13', null, 12, '2023-04'),
        (3, 3, '正社員就職者数', 2023, null, '13', null, 10, '2022-10'),
        (3, 4, 'regular_placements', null, '第1ステージ', null, null, 100, '2020-04'),
        (3, 5, 'persons', 2023, null, null, 'long_term_jobless', 7, null)""")
    facts.refresh_facts(connection)
    yield connection
    connection.close()


def test_stages_are_configuration():
    names = [(s.name, s.first_fiscal_year, s.last_fiscal_year) for s in progress.STAGES]
    assert names == [("第1ステージ", 2020, 2022), ("第2ステージ", 2023, 2024), ("中高年拡充", 2025, 2025),
                     ("新プログラム", 2026, 2028)]
    assert stages.find_stage("第２ステージ").name == "第2ステージ"  # full-width digit (NFKC)
    assert stages.stage_for_fiscal_year(2027).name == "新プログラム"
    with pytest.raises(KeyError):
        stages.find_stage("第9ステージ")


def test_stages_file_can_be_replaced(tmp_path, monkeypatch):
    path = tmp_path / "stages.toml"
    path.write_text('[thresholds]\non_track = 0.95\nat_risk = 0.8\n\n[[stage]]\nname = "X"\n'
                    'first_fiscal_year = 2030\nlast_fiscal_year = 2031\n', encoding="utf-8")
    monkeypatch.setenv(stages.STAGES_FILE_ENV, str(path))
    assert [s.name for s in stages.load_stages()] == ["X"]
    assert stages.load_thresholds() == stages.Thresholds(0.95, 0.8, 3)


def test_months_elapsed_linear_monthly():
    start, end = dt.date(2023, 4, 1), dt.date(2025, 3, 31)
    assert progress.months_elapsed(start, end, end) == 24
    assert progress.months_elapsed(start, end, dt.date(2023, 9, 30)) == 6
    assert progress.months_elapsed(start, end, dt.date(2023, 9, 15)) == 5.5
    assert progress.months_elapsed(start, end, dt.date(2023, 3, 1)) == 0


def test_stage_target_pace_projection_and_status(con):
    df = progress.compute_progress(con, stage="第2ステージ")
    assert df.attrs["as_of"] == dt.date(2023, 9, 30)
    r = df[(df.indicator == "regular_placed_persons") & df.prefecture_code.isna()].iloc[0]
    # stage FY2023-2024: 24 months; 6 elapsed; target 24 -> expected 6; actual 6 -> pace 1.0
    assert (r.target, r.actual, r.months_total, r.months_elapsed) == (24, 6, 24, 6)
    assert r.expected_by_now == 6
    assert r.pace_index == 1.0
    assert r.achievement == 0.25
    assert r.status == "on_track"
    # run rate: last 3 months (Jul-Sep) = 3 placements / 3 = 1 a month; 18 months left
    assert r.run_rate_per_month == 1.0
    assert r.projected_end_value == 24
    assert r.projected_achievement == 1.0
    assert r.monthly_needed == pytest.approx(18 / 18)


def test_latest_vintage_is_used_and_old_one_kept(con):
    df = progress.compute_progress(con, stage="第2ステージ", by=["prefecture_code"])
    assert len(df) == 1
    r = df.iloc[0]
    assert (r.prefecture_code, r.fiscal_year, r.target, r.vintage) == ("13", 2023, 12, "2023-04")
    # FY2023: 12 months, 6 elapsed, expected 6, actual 6
    assert r.pace_index == 1.0
    assert r.status == "on_track"
    old = progress.compute_progress(con, stage="第2ステージ", by=["prefecture_code"], vintage="2022-10")
    assert old.iloc[0].target == 10
    assert old.iloc[0].pace_index == pytest.approx(6 / 5)


def test_status_thresholds_and_group_targets(con):
    df = progress.compute_progress(con, stage="第2ステージ", by=["target_group"])
    r = df.iloc[0]  # persons, FY2023, long_term_jobless: 7 persons consulted (incl. END) vs expected 3.5
    assert (r.indicator, r.actual, r.expected_by_now) == ("persons", 7, 3.5)
    assert progress.status_for(1.0, stages.Thresholds(), 6) == "on_track"
    assert progress.status_for(0.95, stages.Thresholds(), 6) == "at_risk"
    assert progress.status_for(0.89, stages.Thresholds(), 6) == "off_track"
    assert progress.status_for(None, stages.Thresholds(), 0) == "not_started"
    strict = stages.Thresholds(on_track=1.1, at_risk=1.05)
    assert progress.compute_progress(con, stage="第2ステージ", by=[], thresholds=strict).iloc[0].status == "off_track"


def test_completed_stage_and_default_stage(con):
    done = progress.compute_progress(con, stage="第1ステージ")
    r = done.iloc[0]
    assert (r.target, r.actual, r.months_elapsed, r.achievement) == (100, 0, 36, 0.0)
    assert math.isnan(r.monthly_needed)
    assert r.projected_end_value == 0
    assert r.status == "off_track"
    assert progress.compute_progress(con).attrs["stage"] == "第2ステージ"  # the as-of date's stage


def test_no_targets_gives_empty_frame_with_columns():
    con = duckdb.connect()
    db.migrate(con)
    df = progress.compute_progress(con, stage="第1ステージ")
    assert df.empty
    assert "status" in df.columns


def test_headline_series_is_reference_with_sources():
    df = progress.headline_series()
    goal = df[df.kind == "target"].iloc[0]
    assert (goal.value, goal.baseline_year) == (300000, 2019)
    results = df[(df.kind == "result") & (df.measure == "regular_employees_change")]
    assert dict(zip(results.reference_year, results.value, strict=True)) == {2022: 80000, 2024: 110000}
    assert df["source_ja"].notna().all()
    assert df["source_url"].str.startswith("https://").all()
    assert isinstance(df, pd.DataFrame)


def test_an_earlier_as_of_date_counts_only_up_to_that_month(con):
    df = progress.compute_progress(con, stage="第2ステージ", as_of_date="2023-06-30")
    r = df[(df.indicator == "regular_placed_persons") & df.prefecture_code.isna()].iloc[0]
    # placements on the 15th of April, May and June only (not July-September)
    assert (r.actual, r.months_elapsed) == (3, 3)
    assert r.expected_by_now == 3 and r.pace_index == 1.0


def test_an_as_of_date_inside_a_month_cuts_the_actuals_at_that_day(con):
    """Issue 15, point 6: as of 2023-06-10 the placement of 2023-06-15 has not happened yet."""
    df = progress.compute_progress(con, stage="第2ステージ", as_of_date="2023-06-10")
    r = df[(df.indicator == "regular_placed_persons") & df.prefecture_code.isna()].iloc[0]
    assert r.actual == 2  # 04-15 and 05-15; not 06-15
    r = df[(df.indicator == "regular_placed_persons") & (df.prefecture_code == "13")].iloc[0]
    assert r.actual == 2
    r = df[df.indicator == "persons"].iloc[0]
    assert r.actual == 3  # consultations of 04-01, 05-01 and 06-01: the as-of day itself counts too
    # the run rate over the last three months also stops at the day
    assert r.run_rate_per_month == pytest.approx(3 / (2 + 10 / 30))
    inclusive = progress.compute_progress(con, stage="第2ステージ", as_of_date="2023-06-15")
    r = inclusive[(inclusive.indicator == "regular_placed_persons") & inclusive.prefecture_code.isna()].iloc[0]
    assert r.actual == 3


def test_until_cuts_every_count_grain_at_a_day(con):
    from analytics.metrics import indicators

    counts = ["consultations", "persons", "new_persons", "regular_placed_persons", "regular_placements"]
    whole = indicators.compute(con, filters={"month": ["2023-06"]}, indicators=counts).iloc[0]
    cut = indicators.compute(con, filters={"month": ["2023-06"]}, indicators=counts, until="2023-06-10").iloc[0]
    assert [int(whole[c]) for c in counts] == [1, 1, 1, 1, 1]
    assert [int(cut[c]) for c in counts] == [1, 1, 1, 0, 0]
    national = indicators.compute(con, indicators=["consultations", "persons"], until="2023-04-30").iloc[0]
    assert (int(national["consultations"]), int(national["persons"])) == (1, 1)  # not the national shortcut


def test_grouped_calls_give_the_same_numbers_as_one_call_per_target(con):
    from analytics.metrics import indicators

    df = progress.compute_progress(con, stage="第2ステージ", by=["prefecture_code"])
    for r in df.itertuples():
        one = indicators.compute(con, filters={"fiscal_year": [int(r.fiscal_year)] if pd.notna(r.fiscal_year)
                                               else [2023, 2024], "prefecture_code": r.prefecture_code},
                                 indicators=[r.indicator])
        assert r.actual == int(one[r.indicator].iloc[0])
