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
