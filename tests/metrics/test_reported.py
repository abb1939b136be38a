"""Reported figures read back: latest vintage per cell, a figure for a period and an area, precedence, scope.

Every expectation is computed by hand in the comment beside it.
"""

from __future__ import annotations

import datetime as dt
import math

import duckdb
import pytest

from analytics import db
from analytics.access.auth import Viewer
from analytics.metrics import facts, indicators, progress, reported
from tests.reported_rows import figure, fy, insert_figures, insert_target, month

KPI = "地域若者サポートステーション就職氷河期世代向け事業"


@pytest.fixture
def con():
    """Nagasaki (42) has only reported figures: FY2020 100 件, FY2021 110 件, April–September 2022 10 件 a month;
    a cumulative サポステ table restated by a later vintage; municipal figures in 42 and 13."""
    connection = duckdb.connect()
    db.migrate(connection)
    rows = [
        figure("regular_placements", fy(2020), 100, prefecture_code="42", vintage=dt.date(2021, 6, 1)),
        figure("regular_placements", fy(2021), 110, prefecture_code="42", vintage=dt.date(2022, 6, 1)),
        *[figure("regular_placements", month(2022, m), 10, prefecture_code="42", vintage=dt.date(2022, 10, 5))
          for m in range(4, 10)],
        # the cumulative council paper, then the same period restated (both kept, the later one shown)
        figure("career_decisions", (dt.date(2020, 4, 1), dt.date(2022, 1, 31)), 150, prefecture_code="42",
               project=KPI, is_cumulative=True, vintage=dt.date(2022, 2, 15), source="サポステ", batch_id=910),
        figure("career_decisions", (dt.date(2020, 4, 1), dt.date(2022, 1, 31)), 155, prefecture_code="42",
               project=KPI, is_cumulative=True, vintage=dt.date(2022, 3, 10), source="サポステ", batch_id=911),
        figure("regular_placements", month(2022, 4), 3, prefecture_code="42", municipality_code="42201"),
        figure("regular_placements", month(2022, 4), 4, prefecture_code="13", municipality_code="13101"),
    ]
    insert_figures(connection, rows)
    facts.refresh_facts(connection)
    yield connection
    connection.close()


def test_latest_vintage_per_cell_wins_and_both_are_kept(con):
    latest = reported.figures(con, ["career_decisions"])
    assert list(latest["value"]) == [155.0]
    every = reported.figures(con, ["career_decisions"], latest=False)
    assert sorted(every["value"]) == [150.0, 155.0]
    assert list(every.sort_values("value")["is_latest"]) == [False, True]


def test_a_period_is_covered_by_non_overlapping_figures_fewest_pieces_first(con):
    figs = reported.figures(con)
    # FY2020 + FY2021 + six months of FY2022 = 100 + 110 + 60 = 270, through 2022-09-30
    found = reported.resolve(figs, "regular_placements", dt.date(2020, 4, 1), dt.date(2025, 3, 31),
                             prefecture_code="42")
    assert found.value == 270 and found.through == dt.date(2022, 9, 30) and len(found.pieces) == 8
    # cut at the as-of date: only figures whose period ends by then
    cut = reported.resolve(figs, "regular_placements", dt.date(2020, 4, 1), dt.date(2025, 3, 31),
                           dt.date(2022, 6, 15), prefecture_code="42")
    assert cut.value == 100 + 110 + 10 + 10 and cut.through == dt.date(2022, 5, 31)


def test_a_year_and_its_months_are_never_added_together():
    connection = duckdb.connect()
    db.migrate(connection)
    insert_figures(connection, [
        figure("regular_placements", fy(2021), 110, prefecture_code="01"),
        *[figure("regular_placements", month(2021 + (m < 4), m), 10, prefecture_code="01")
          for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)],
    ])  # fmt: skip
    figs = reported.figures(connection)
    found = reported.resolve(figs, "regular_placements", *fy(2021), prefecture_code="01")
    assert found.value == 110 and len(found.pieces) == 1  # the year as reported, not 110 + 120
    assert reported.resolve(figs, "regular_placements", *month(2021, 7), prefecture_code="01").value == 10


def test_the_nation_is_the_sum_of_prefectures_cut_at_the_same_day(con):
    insert_figures(con, [
        figure("regular_placements", fy(2020), 50, prefecture_code="13"),
        figure("regular_placements", fy(2021), 60, prefecture_code="13"),
    ])
    figs = reported.figures(con)
    found = reported.resolve(figs, "regular_placements", *fy(2020), prefecture_code=None)
    assert found.value == 100 + 50 and found.parts == 2
    # 42 runs to 2022-09 but 13 only to 2022-03: both cut at 2022-03-31 → 210 + 110
    whole = reported.resolve(figs, "regular_placements", dt.date(2020, 4, 1), dt.date(2023, 3, 31))
    assert whole.value == 210 + 110 and whole.through == dt.date(2022, 3, 31)


def test_persons_and_events_are_never_added():
    connection = duckdb.connect()
    db.migrate(connection)
    insert_figures(connection, [
        figure("利用者", fy(2021), 30, unit="人", prefecture_code="01"),
        figure("利用者", fy(2021), 80, unit="件", prefecture_code="01"),
    ])
    figs = reported.figures(connection)
    with pytest.raises(ValueError, match="単位"):
        reported.resolve(figs, "利用者", *fy(2021), prefecture_code="01")
    assert reported.resolve(figs, "利用者", *fy(2021), unit="人", prefecture_code="01").value == 30


def test_statuses_are_kept_as_what_they_mean_never_zero():
    connection = duckdb.connect()
    db.migrate(connection)
    insert_figures(connection, [
        figure("regular_placements", month(2021, 4), None, prefecture_code="01", value_status="suppressed"),
        figure("regular_placements", month(2021, 5), None, prefecture_code="01", value_status="not_available"),
    ])
    figs = reported.figures(connection)
    assert reported.resolve(figs, "regular_placements", *month(2021, 4), prefecture_code="01") is None
    assert reported.statuses_in(figs, "regular_placements", *fy(2021), prefecture_code="01") == [
        "not_available", "suppressed"]
    assert reported.value_label("suppressed") == "x（秘匿）"
    assert reported.value_label("none", "en") == "－ (none)"


def test_a_prefecture_viewer_never_sees_another_prefectures_municipal_figures(con):
    nagasaki = reported.figures(con, ["regular_placements"], viewer=Viewer("p", "planner", "42"))
    assert set(nagasaki["municipality_code"].dropna()) == {"42201"}
    tokyo = reported.figures(con, ["regular_placements"], viewer=Viewer("t", "planner", "13"))
    assert set(tokyo["municipality_code"].dropna()) == {"13101"}
    assert set(reported.figures(con, viewer=None)["municipality_code"].dropna()) == {"13101", "42201"}


# -- precedence: no figure counted twice --------------------------------------------------------


@pytest.fixture
def both():
    """Tokyo has records (2 regular placements in April 2023) and a reported figure (5) for the same cell."""
    connection = duckdb.connect()
    db.migrate(connection)
    connection.execute("""
        insert into consultations (batch_id, source_row, person_id, consultation_date, fiscal_year, prefecture_code,
            target_group)
        values (1, 1, 'A', '2023-04-03', 2023, '13', 'long_term_jobless'),
               (1, 2, 'B', '2023-04-04', 2023, '13', 'long_term_jobless')""")
    connection.execute("""
        insert into placements (batch_id, source_row, person_id, placement_date, fiscal_year, outcome_type)
        values (2, 1, 'A', '2023-04-20', 2023, 'regular_employment'),
               (2, 2, 'B', '2023-04-21', 2023, 'regular_employment')""")
    insert_figures(connection, [
        figure("regular_placements", month(2023, 4), 5, prefecture_code="13"),
        figure("regular_placements", month(2023, 4), 7, prefecture_code="27"),  # Osaka: reported only
    ])
    facts.refresh_facts(connection)
    yield connection
    connection.close()


def _with(con, by, source, filters=None):
    flt = indicators.normalise_filters(filters or {})
    rec = indicators.compute(con, by=by, filters=flt, indicators=["regular_placements", "persons"])
    rep = reported.reported_indicators(con, by, flt, ["regular_placements", "persons"])
    return reported.with_source(rec, rep, by, source)


@pytest.mark.parametrize(("source", "tokyo", "osaka", "tokyo_source"), [
    ("best", 5, 7, "mixed"),        # the reported 5 replaces the records' 2 (never 7 = 2 + 5)
    ("records", 2, None, "records"),
    ("reported", 5, 7, "reported"),
])  # fmt: skip
def test_no_figure_is_counted_twice_when_records_and_reported_cover_the_same_cell(both, source, tokyo, osaka,
                                                                                   tokyo_source):
    df = _with(both, ["prefecture_code", "month"], source).set_index("prefecture_code")
    assert df.loc["13", "regular_placements"] == tokyo
    assert df.loc["13", "source"] == tokyo_source
    if osaka is None:
        assert "27" not in df.index
    else:
        assert df.loc["27", "regular_placements"] == osaka and df.loc["27", "source"] == "reported"


def test_the_national_best_figure_is_the_reported_sum_not_records_plus_reported(both):
    df = _with(both, [], "best", {"fiscal_year": [2023]})
    # nation: no national figure, so the prefectures' figures 5 + 7 = 12; records (2) are not added
    assert df["regular_placements"].iloc[0] == 12
    assert df["persons"].iloc[0] == 2  # persons has no reported figure: records
    assert df["source"].iloc[0] == "mixed"


def test_without_reported_figures_best_is_the_records_unchanged(both):
    both.execute("delete from reported_figures")
    rec = indicators.compute(both, by=["prefecture_code"])
    out = _with(both, ["prefecture_code"], "best")
    assert list(out["source"].unique()) == ["records"]
    assert out["regular_placements"].tolist() == rec["regular_placements"].tolist()


def test_an_unknown_source_is_refused_in_japanese():
    with pytest.raises(ValueError, match="--source"):
        reported.check_source("official")


# -- progress from reported figures ---------------------------------------------------------------


def _row(df, indicator, pref="42"):
    part = df[(df["indicator"] == indicator) & (df["prefecture_code"] == pref)]
    assert len(part) == 1, part
    return part.iloc[0]


def test_a_prefecture_with_only_reported_figures_gets_achievement_pace_projection_and_status(con):
    # FY2020–FY2022 (36 months), 360 件, later extended unchanged to FY2020–FY2024 (60 months)
    insert_target(con, "正社員就職件数", 360, source_row=1, prefecture_code="42", period_start=dt.date(2020, 4, 1),
                  period_end=dt.date(2023, 3, 31), target_kind="period", vintage="2020-04", unit="件")
    insert_target(con, "正社員就職件数", 360, source_row=2, prefecture_code="42", period_start=dt.date(2020, 4, 1),
                  period_end=dt.date(2025, 3, 31), target_kind="period", vintage="2023-04", unit="件")
    df = progress.compute_progress(con, stage="第1ステージ")
    r = _row(df, "regular_placements")
    # actual 100 + 110 + 6 × 10 = 270 through 2022-09-30: 30 of 60 months
    assert r["actual"] == 270 and r["source"] == "reported" and r["period_end"] == dt.date(2025, 3, 31)
    assert r["actual_through"] == dt.date(2022, 9, 30) and r["months_elapsed"] == 30 and r["months_total"] == 60
    assert r["achievement"] == pytest.approx(0.75)              # 270 / 360
    assert r["expected_by_now"] == pytest.approx(180)           # 360 × 30 / 60
    assert r["pace_index"] == pytest.approx(1.5)                # 270 / 180
    assert r["run_rate_per_month"] == pytest.approx(10)         # the last three months reported: 10, 10, 10
    assert r["projected_end_value"] == pytest.approx(570)       # 270 + 10 × 30
    assert r["monthly_needed"] == pytest.approx(3)              # (360 − 270) / 30
    assert r["status"] == "on_track" and r["vintage"] == "2023-04"
    assert r["figure_vintage"] == dt.date(2022, 10, 5) and r["reported_by"] == "労働局"
    # the three-year vintage is kept: as first set, 30 of 36 months gone, 300 expected → pace 0.9
    old = _row(progress.compute_progress(con, stage="第1ステージ", vintage="2020-04"), "regular_placements")
    assert old["months_total"] == 36 and old["expected_by_now"] == pytest.approx(300)
    assert old["pace_index"] == pytest.approx(0.9) and old["status"] == "at_risk"
    assert old["projected_end_value"] == pytest.approx(330) and old["monthly_needed"] == pytest.approx(15)


def test_progress_as_of_a_date_counts_only_figures_ended_by_then(con):
    insert_target(con, "regular_placements", 360, prefecture_code="42", period_start=dt.date(2020, 4, 1),
                  period_end=dt.date(2025, 3, 31), target_kind="period", vintage="2023-04")
    r = _row(progress.compute_progress(con, stage="第1ステージ", as_of_date="2022-04-30"), "regular_placements")
    # FY2020 + FY2021 + April 2022 = 220 through 2022-04-30, 25 months: expected 150, pace 220/150
    assert r["actual"] == 220 and r["actual_through"] == dt.date(2022, 4, 30)
    assert r["pace_index"] == pytest.approx(220 / 150)
    r = _row(progress.compute_progress(con, stage="第1ステージ", as_of_date="2022-03-31"), "regular_placements")
    # yearly figures only: run rate = 210 / 24 months = 8.75; projection 210 + 8.75 × 36 = 525
    assert r["actual"] == 210 and r["run_rate_per_month"] == pytest.approx(8.75)
    assert r["projected_end_value"] == pytest.approx(525)


def test_a_project_kpi_on_a_measure_without_an_indicator_uses_the_latest_cumulative_figure(con):
    insert_target(con, "進路決定者数", 300, prefecture_code="42", project=KPI, period_start=dt.date(2020, 4, 1),
                  period_end=dt.date(2023, 3, 31), target_kind="period", unit="人", source="県")
    r = _row(progress.compute_progress(con, stage="第1ステージ"), "career_decisions")
    # the restated cumulative 155 (not 150, not 305) through 2022-01-31: 22 of 36 months
    assert r["actual"] == 155 and r["project"] == KPI and r["indicator_ja"] == "進路決定者数"
    assert r["months_elapsed"] == 22 and r["figure_vintage"] == dt.date(2022, 3, 10)
    assert r["pace_index"] == pytest.approx(155 / (300 * 22 / 36))   # 0.845 → off_track
    assert r["status"] == "off_track"
    assert r["projected_end_value"] == pytest.approx(155 + 155 / 22 * 14)


def test_a_target_on_an_unknown_measure_with_nothing_reported_says_no_data(con):
    insert_target(con, "就労体験参加者数", 40, prefecture_code="42", fiscal_year=2021)
    r = _row(progress.compute_progress(con, stage="第1ステージ"), "就労体験参加者数")
    assert r["status"] == "no_data" and math.isnan(r["actual"]) and r["source"] == "reported"
    records_only = progress.compute_progress(con, stage="第1ステージ", source="records")
    assert "就労体験参加者数" in records_only.attrs["skipped"]


def test_an_annual_target_over_several_years_is_one_target_per_year(con):
    insert_target(con, "regular_placements", 100, prefecture_code="42", period_start=dt.date(2020, 4, 1),
                  period_end=dt.date(2023, 3, 31), target_kind="annual")
    df = progress.compute_progress(con, stage="第1ステージ")
    df = df[df["prefecture_code"] == "42"].set_index("fiscal_year")
    assert list(df.index) == [2020, 2021, 2022]
    assert df.loc[2020, "actual"] == 100 and df.loc[2020, "status"] == "on_track"  # 100 / 100 over 12 months
    assert df.loc[2021, "achievement"] == pytest.approx(1.1)
    assert df.loc[2022, "actual"] == 60 and df.loc[2022, "pace_index"] == pytest.approx(60 / 50)


def test_progress_takes_one_source_per_target_never_both(both):
    insert_target(both, "regular_placements", 10, prefecture_code="13", fiscal_year=2023)
    best = _row(progress.compute_progress(both, stage="第2ステージ"), "regular_placements", "13")
    assert best["actual"] == 5 and best["source"] == "reported"     # the reported 5, not 2 + 5
    records = _row(progress.compute_progress(both, stage="第2ステージ", source="records"), "regular_placements", "13")
    assert records["actual"] == 2 and records["source"] == "records"


def test_a_prefecture_viewer_never_gets_another_prefectures_municipal_targets_or_figures(con):
    insert_target(con, "regular_placements", 5, municipality_code="13101", prefecture_code="13", fiscal_year=2022)
    insert_target(con, "regular_placements", 5, municipality_code="42201", prefecture_code="42", fiscal_year=2022,
                  source_row=2)
    seen = progress.latest_targets(con, viewer=Viewer("p", "planner", "42"))
    assert set(seen["municipality_code"].dropna()) == {"42201"}
    rows = progress.compute_progress(con, stage="第1ステージ", viewer=Viewer("p", "planner", "42"))
    assert "13101" not in set(rows["municipality_code"].dropna())
    mine = rows[rows["municipality_code"] == "42201"].iloc[0]
    assert mine["actual"] == 3 and mine["source"] == "reported"  # April 2022's municipal figure of 42201


def test_a_target_written_records_style_and_read_from_a_plan_sheet_is_one_target_the_later_vintage_shown():
    """年度 2020 / ステージ 第1ステージ rows of a targets file and the same targets read from a plan's sheet (period,
    registry id) are vintages of one target: the later one is shown, once (the sample's Fukushima had both)."""
    import duckdb

    from analytics import db
    from analytics.metrics import progress

    con = duckdb.connect(":memory:")
    db.migrate(con)
    insert = ("insert into targets (batch_id, source_row, indicator, fiscal_year, stage, prefecture_code, value, "
              "vintage, period_start, period_end, target_kind) values (?, ?, ?, ?, ?, '07', ?, ?, ?, ?, ?)")
    con.execute(insert, [1, 1, "正社員就職者数", 2020, None, 15, "2020-04", None, None, None])
    con.execute(insert, [1, 2, "正社員就職者数", None, "第1ステージ", 45, "2020-04", None, None, None])
    con.execute(insert, [2, 1, "regular_placed_persons", None, None, 14, "2023-05-31",
                         dt.date(2020, 4, 1), dt.date(2021, 3, 31), "annual"])
    con.execute(insert, [2, 2, "regular_placed_persons", None, None, 44, "2023-05-31",
                         dt.date(2020, 4, 1), dt.date(2023, 3, 31), "period"])
    con.execute(insert, [2, 3, "regular_placed_persons", None, None, 16, "2023-05-31",
                         dt.date(2021, 4, 1), dt.date(2022, 3, 31), "annual"])
    shown = progress.latest_targets(con).sort_values("value")
    assert shown["value"].tolist() == [14, 16, 44]  # 15 and 45 superseded; FY2021's 16 is new
    assert set(shown["vintage"]) == {"2023-05-31"}
