"""Tests for analytics/views/overview.py: cards, changes, monthly trend and target-group split match the engine."""

from __future__ import annotations

import pytest

from analytics.metrics import indicators
from analytics.views import overview, status
from analytics.views.filters import Filters


@pytest.fixture(scope="module")
def con(seeded_db_path):
    with status.read_connection(seeded_db_path) as c:
        yield c


def test_cards_and_previous_year_change_come_from_the_engine(con):
    ov = overview.build_overview(con, Filters(fiscal_year=2023, prefecture_code="13"))
    df = indicators.compute(con, by=["fiscal_year"], filters={"prefecture_code": "13"}, indicators=overview.KPI_IDS)
    now, before = df[df.fiscal_year == 2023].iloc[0], df[df.fiscal_year == 2022].iloc[0]
    placed = ov.kpi("regular_placed_persons")
    assert placed.value == now["regular_placed_persons"] and placed.previous == before["regular_placed_persons"]
    assert placed.change == pytest.approx(now["regular_placed_persons"] / before["regular_placed_persons"] - 1)
    rate = ov.kpi("retention_6m_rate")
    assert rate.change == pytest.approx(now["retention_6m_rate"] - before["retention_6m_rate"])  # points
    assert [y for y, _ in placed.series] == [2020, 2021, 2022, 2023, 2024]


@pytest.fixture(scope="module")
def midyear(midyear_db_path):
    with status.read_connection(midyear_db_path) as c:
        yield c


def test_a_running_year_is_compared_with_the_same_months_of_the_year_before(midyear):
    """Data run to 2024-09-30: FY2024 (April–September so far) against April–September 2023, not all FY2023."""
    con = midyear
    assert indicators.as_of(con).isoformat() == "2024-09-30"
    ov = overview.build_overview(con, Filters(fiscal_year=2024, prefecture_code="13"))
    months = [f"2023-{m:02d}" for m in range(4, 10)]
    same = indicators.compute(con, filters={"prefecture_code": "13", "month": months}, indicators=overview.KPI_IDS)
    whole = indicators.compute(
        con, filters={"prefecture_code": "13", "fiscal_year": [2023]}, indicators=["consultations"]
    )
    for ind_id in ("consultations", "persons", "new_persons", "regular_placed_persons"):
        kpi = ov.kpi(ind_id)
        assert kpi.previous == same[ind_id].iloc[0], ind_id
        assert kpi.change == pytest.approx(kpi.value / kpi.previous - 1), ind_id
    assert ov.kpi("consultations").previous < whole["consultations"].iloc[0]  # not the whole previous year
    retention = ov.kpi("retention_6m_rate")
    assert retention.previous == pytest.approx(same["retention_6m_rate"].iloc[0])
    assert retention.change == pytest.approx(retention.value - retention.previous)
    assert ov.comparison.is_same_period and ov.comparison.previous_months() == months
    assert overview.comparison_label(ov.kpi("consultations").comparison) == "4〜9月の前年同期比"
    assert overview.comparison_label(ov.comparison, "en") == "vs same period last year (Apr–Sep)"


def test_a_finished_year_is_compared_with_the_whole_previous_year(con):
    ov = overview.build_overview(con, Filters(fiscal_year=2023))
    whole = indicators.compute(con, filters={"fiscal_year": [2022]}, indicators=["consultations"])
    assert ov.kpi("consultations").previous == whole["consultations"].iloc[0]
    assert not ov.comparison.is_same_period
    assert overview.comparison_label(ov.comparison) == "前年度比"
    assert overview.no_previous_label(ov.comparison) == "前年度のデータなし"


def test_year_comparison_rule():
    import datetime as dt

    running = indicators.year_comparison(2024, dt.date(2024, 9, 15))  # the as-of month counts whole
    assert running.previous_months() == [f"2023-{m:02d}" for m in range(4, 10)] and running.last_month == 9
    assert running.previous_filters({"fy": 2024, "prefecture": "13"}) == {
        "prefecture_code": ["13"], "month": running.previous_months()}  # fmt: skip
    assert indicators.year_comparison(2024, dt.date(2025, 1, 31)).previous_months()[-1] == "2024-01"
    assert overview.months_label(indicators.year_comparison(2024, dt.date(2025, 1, 31))) == "4〜1月"
    assert overview.months_label(indicators.year_comparison(2024, dt.date(2024, 4, 30)), "en") == "Apr"
    for finished in (dt.date(2025, 3, 31), dt.date(2025, 3, 28), dt.date(2026, 1, 1), None):
        whole = indicators.year_comparison(2024, finished)
        assert not whole.is_same_period and whole.previous_filters({"fiscal_year": 2024}) == {"fiscal_year": [2023]}
    assert not indicators.year_comparison(2025, dt.date(2024, 9, 30)).is_same_period  # not started yet
    stage = indicators.year_comparison([2023, 2024, 2025], dt.date(2024, 9, 30))
    assert stage.previous_years == (2020, 2021, 2022)
    assert stage.previous_months()[0] == "2020-04" and stage.previous_months()[-1] == "2021-09"


def test_unfinished_cohort_rate_is_not_shown_as_a_number(con):
    rate = overview.build_overview(con, Filters(fiscal_year=2024)).kpi("regular_within_6m_rate")
    assert rate.value is None and not rate.is_final and rate.denominator > 0


def test_monthly_table_compares_the_year_with_the_one_before(con):
    ov = overview.build_overview(con, Filters(fiscal_year=2023))
    table = overview.monthly_table(ov, "consultations")
    assert list(table.columns) == ["月", "令和4年度 (FY2022)", "令和5年度 (FY2023)"]
    assert table.iloc[0, 0] == "4月" and table.iloc[-1, 0] == "3月"
    by_month = indicators.compute(con, by=["month"], filters={"fiscal_year": [2023]}, indicators=["consultations"])
    assert table["令和5年度 (FY2023)"].sum() == by_month["consultations"].sum()


def test_group_table_lists_the_three_groups_in_contract_order(con):
    table = overview.group_table(overview.build_overview(con, Filters(fiscal_year=2023)))
    assert list(table.iloc[:, 0]) == ["不安定就労", "長期無業", "社会参加支援"]


def test_formats_and_labels():
    assert overview.format_value("count", 12345) == "12,345"
    assert overview.format_value("rate", 0.2537) == "25.4%"
    assert overview.scope_label(Filters(municipality_code="13101")) == "東京都 千代田区"
    assert (
        overview.scope_label(Filters(prefecture_code="01", target_groups=("long_term_jobless",)))
        == "北海道（長期無業）"
    )


def test_empty_database_gives_an_empty_overview(empty_db):
    with status.read_connection(empty_db) as c:
        assert overview.build_overview(c, Filters()).is_empty
