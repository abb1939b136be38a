"""地域: a prefecture without records shows its reported count, marked 「報告値」; records are never replaced or
added to (issue 16)."""

from __future__ import annotations

import duckdb
import pytest

from analytics import db
from analytics.metrics import facts
from analytics.views import regions
from tests.reported_rows import figure, fy, insert_figures


@pytest.fixture
def con():
    """Tokyo: 1 regular placement in records and a reported 50; Nagasaki: a reported 110 only (FY2021)."""
    connection = duckdb.connect()
    db.migrate(connection)
    connection.execute("""
        insert into consultations (batch_id, source_row, person_id, consultation_date, fiscal_year, prefecture_code,
            target_group) values (1, 1, 'A', '2021-05-01', 2021, '13', 'long_term_jobless')""")
    connection.execute("""
        insert into placements (batch_id, source_row, person_id, placement_date, fiscal_year, outcome_type)
        values (2, 1, 'A', '2021-06-01', 2021, 'regular_employment')""")
    insert_figures(connection, [
        figure("regular_placements", fy(2021), 50, prefecture_code="13"),
        figure("regular_placements", fy(2021), 110, prefecture_code="42"),
    ])
    facts.refresh_facts(connection)
    yield connection
    connection.close()


def test_a_prefecture_without_records_shows_its_reported_count_marked(con):
    values = regions.prefecture_values(con, "regular_placements", {"fiscal_year": [2021]}).set_index("prefecture_code")
    assert values.loc["13", "value"] == 1 and not values.loc["13", "is_reported"]  # records kept, not 50, not 51
    assert values.loc["42", "value"] == 110 and values.loc["42", "is_reported"] and values.loc["42", "has_data"]
    assert not values.loc["01", "has_data"] and values["value"].isna().sum() == 45
    assert values.loc["42", "rank"] == 1
    table = regions.display_table(values.reset_index(), "regular_placements")
    note = table.set_index("地域コード" if "地域コード" in table.columns else table.columns[0]).iloc[:, -1]
    assert note["42"] == "報告値" and note["13"] == ""


def test_rates_stay_records_only(con):
    values = regions.prefecture_values(con, "retention_6m_rate", {"fiscal_year": [2021]})
    assert not values["is_reported"].any()


def test_overview_cards_of_a_prefecture_without_records_show_reported_counts(con):
    from analytics.views.filters import Filters
    from analytics.views.overview import build_overview

    insert_figures(con, [figure("regular_placed_persons", fy(2021), 30, prefecture_code=p) for p in ("13", "42")])
    nagasaki = build_overview(con, Filters(fiscal_year=2021, prefecture_code="42"))
    card = nagasaki.kpi("regular_placed_persons")
    assert card.value == 30 and card.source == "reported" and card.change is None
    assert nagasaki.kpi("persons").source == "records"  # no reported figure for it
    tokyo = build_overview(con, Filters(fiscal_year=2021, prefecture_code="13")).kpi("regular_placed_persons")
    assert tokyo.value == 1 and tokyo.source == "records"  # records exist: kept, never replaced or added


def test_target_groups_without_records_show_reported_counts_marked(con):
    from analytics.views import groups

    insert_figures(con, [
        figure("persons", fy(2021), 12, prefecture_code="42", target_group="social_participation"),
        figure("persons", fy(2021), 99, prefecture_code="13", target_group="long_term_jobless"),  # has records
    ])
    nagasaki = groups.reported_by_group(con, {"fiscal_year": [2021], "prefecture_code": ["42"]})
    assert nagasaki["対象者区分"].tolist() == ["社会参加支援"] and nagasaki["実支援者数 (人)"].tolist() == [12.0]
    assert nagasaki["出所"].tolist() == ["報告値"]
    tokyo = groups.reported_by_group(con, {"fiscal_year": [2021], "prefecture_code": ["13"]})
    assert tokyo.empty  # the long_term_jobless group has records there: kept, never replaced or added
