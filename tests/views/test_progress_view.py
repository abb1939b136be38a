"""Tests for analytics/views/progress_view.py: burn-up series, the prefecture table and the headline."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.metrics import indicators, progress
from analytics.views import progress_view as pv, status
from analytics.views.filters import Filters


@pytest.fixture(scope="module")
def con(seeded_db_path):
    with status.read_connection(seeded_db_path) as c:
        yield c


@pytest.fixture(scope="module")
def stage2(con):
    return pv.stage_progress(con, "第2ステージ")


def test_burnup_ends_at_the_targets_actual_and_the_target_line_at_the_target(con, stage2):
    target = pv.scope_targets(stage2, Filters(prefecture_code="13")).to_dict("records")[0]
    series = pv.burnup(con, target)
    assert len(series) == 24
    assert series["actual"].iloc[-1] == target["actual"]  # cumulative distinct, as compute_progress counts
    assert series["target_line"].iloc[-1] == pytest.approx(target["target"])
    assert series["actual"].is_monotonic_increasing


def test_burnup_projects_from_the_as_of_date_with_a_band(con, stage2):
    # a records-measured target (the sample's national 正社員就職者数 is measured by a reported figure since
    # issue 16; its burn-up is drawn from the figures: tests/metrics/test_reported.py)
    targets = pv.scope_targets(stage2, Filters())
    target = dict(targets[targets["source"] == "records"].to_dict("records")[0])
    asof = dt.date(2024, 9, 30)
    target.update(actual=1000, run_rate_per_month=80.0)
    series = pv.burnup(con, target, asof)
    after = series[series["projection"].notna()]
    assert after["month_end"].iloc[0] == asof and after["projection"].iloc[0] == 1000
    assert after["projection"].iloc[-1] == pytest.approx(1000 + 80 * 6)
    assert (after["projection_low"] <= after["projection"]).all() and (
        after["projection"] <= after["projection_high"]
    ).all()
    assert series.loc[series["month_end"] > asof, "actual"].isna().all()


def test_prefecture_table_has_all_47_in_jis_order_with_status_words(stage2, con):
    view = pv.ProgressView(pv.choose_stage(Filters(stage="第2ステージ"), None), None, None, stage2.iloc[0:0], (),
                           stage2, True)  # fmt: skip
    table = pv.prefecture_table(view, "regular_placed_persons")
    assert len(table) == 47 and table.iloc[0, 0] == "北海道" and table.iloc[46, 0] == "沖縄県"
    tokyo = stage2[(stage2.prefecture_code == "13") & stage2.fiscal_year.isna()
                   & (stage2.indicator == "regular_placed_persons")].iloc[0]  # fmt: skip
    row = table[table["都道府県"] == "東京都"].iloc[0]
    assert row["実績"] == tokyo["actual"] and row["達成率 (%)"] == round(tokyo["achievement"] * 100, 1)
    assert row["状況"] == pv.status_label(tokyo["status"])
    assert set(table.attrs["status"]) <= set(progress.STATUSES)


def test_status_labels_never_rest_on_colour_alone():
    assert pv.status_label("on_track") == "● 順調"
    assert pv.status_label("off_track", "en") == "✖ Off track"


def test_headline_is_the_lfs_series_with_its_goal():
    table = pv.headline_table()
    assert table.attrs["goal"] == 300000
    assert "目標" in set(table["種別"]) and "公表値" in set(table["種別"])


def test_stage_follows_the_filters_or_the_as_of_date():
    assert pv.choose_stage(Filters(fiscal_year=2021), None).name == "第1ステージ"
    assert pv.choose_stage(Filters(), dt.date(2025, 3, 31)).name == "第2ステージ"
    assert indicators.REGISTRY_BY_ID  # registry loaded


def test_burnup_chart_keeps_month_labels_flat_from_the_periods_april_with_room_for_the_latest_label(con, stage2):
    """Rotated labels in a half-width column pushed the axis title onto the source note; the latest actual's
    label was cut off at the top when it was the highest point."""
    from analytics.charts import progress as progress_charts

    target = pv.scope_targets(stage2, Filters()).to_dict("records")[0]
    series = pv.burnup(con, target)
    labels = dict.fromkeys(("actual", "target_line", "projection", "band", "target_value", "fy_boundary"), "x")
    fig = progress_charts.burnup(series, title="t", labels=labels, y_title="y", x_title="月", note="n",
                                 stage_name="s")  # fmt: skip
    layout = fig.layout
    assert layout.xaxis.tickangle == 0 and layout.xaxis.dtick == "M6"  # 24 months: half-years
    assert str(layout.xaxis.tick0)[:7] == str(series["month_end"].min())[:7]  # from the period's first month
    highest = max(series["actual"].max(), series["target_line"].max())
    assert layout.yaxis.range[1] >= highest * 1.1


def test_a_reported_figure_without_reporter_or_date_says_both_are_unknown():
    row = {"source": "reported", "reported_by": None, "figure_vintage": None}
    assert pv.source_text(row, "ja") == "出所: 報告値（報告元不明）・時点不明"
    assert pv.source_text(row, "en") == "Source: reported figure (reporter unknown), date unknown"
