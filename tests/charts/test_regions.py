"""Figure builders of the regions, target-groups and quality pages: they build, the map is offline and fixed,
and meaning does not rest on colour alone."""

from __future__ import annotations

import json

import pytest

from analytics.charts import groups as group_charts, quality as quality_charts, regions as charts
from analytics.views import groups, quality, regions
from tests.views.test_regions import FY2021, fixture_rows, make_db

RATE = "regular_within_6m_rate"


@pytest.fixture(scope="module")
def con():
    connection = make_db(*fixture_rows())
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def values(con):
    return regions.prefecture_values(con, RATE, FY2021)


def test_choropleth_draws_our_47_prefectures_without_a_cdn_base_map(values):
    fig = charts.choropleth(values, RATE, title="t", selected="13", source="s")
    features = fig.data[0].geojson["features"]
    assert len(features) == 47
    shown = set(fig.data[0].locations) | set(fig.data[1].locations)
    assert len(shown) == 47  # prefectures with data plus the "no data" layer
    geo = fig.layout.geo
    assert geo.visible is False and geo.fitbounds is False
    for layer in ("showland", "showcountries", "showcoastlines", "showocean", "showlakes", "showrivers"):
        assert getattr(geo, layer) is False, layer
    assert tuple(geo.lonaxis.range) == charts.LON_RANGE and tuple(geo.lataxis.range) == charts.LAT_RANGE
    assert all(t.featureidkey == "properties.code" for t in fig.data)
    # the selected prefecture is outlined
    i = list(fig.data[0].locations).index("13")
    assert fig.data[0].marker.line.width[i] > 1


def test_map_config_points_the_base_map_at_an_inline_empty_topology():
    url = charts.MAP_CONFIG["topojsonURL"]
    assert url.startswith("data:application/json,") and url.endswith("#")
    assert json.loads(url.removeprefix("data:application/json,").removesuffix("#"))["type"] == "Topology"


def test_tile_map_has_a_tile_and_a_label_per_prefecture(values):
    fig = charts.tile_map(values, regions.tile_grid(), RATE, title="t", selected="01")
    assert len(fig.layout.shapes) == 47
    labels = list(fig.data[0].text)
    assert any(label.startswith("東京<br>95.0%") for label in labels)
    assert any(label.startswith("沖縄※") for label in labels)  # small denominator, marked in text
    assert any(label.endswith("<br>–") for label in labels)  # no data, not 0


def test_ranking_bar_sorts_best_first_and_marks_outliers_and_small_denominators(values):
    fig = charts.ranking_bar(values, RATE, title="t", selected="13")
    bar = fig.data[0]
    assert list(bar.y) == ["▶ 東京都", "沖縄県※", "北海道"]
    assert list(bar.text) == ["95.0% ▲", "75.0%", "50.0% ▼▼"]
    assert list(bar.customdata[:, 0]) == ["13", "47", "01"]  # codes for click-to-select
    assert bar.marker.pattern.shape[1] == "/"  # hatched small denominator


def test_funnel_plot_labels_only_the_places_outside_the_limits(values):
    lines = regions.funnel_lines(values.attrs["reference_rate"], values["denominator"].max())
    fig = charts.funnel_plot(values, lines, RATE, title="t")
    labelled = [name for tr in fig.data if tr.mode == "markers+text" for name in tr.text]
    assert sorted(labelled) == ["北海道", "東京都"]
    within = [tr for tr in fig.data if tr.mode == "markers"]
    assert len(within) == 1 and len(within[0].x) == 1  # 沖縄県, a plain dot
    assert sum(1 for tr in fig.data if tr.mode == "lines") == 4  # 95% and 99.8%, upper and lower


def test_count_indicator_builds_without_rate_parts(con):
    df = regions.prefecture_values(con, "persons", FY2021)
    assert list(charts.ranking_bar(df, "persons", title="t").data[0].text) == ["100", "20", "4"]
    assert charts.format_value(1234.0, "persons") == "1,234"
    assert charts.format_value(0.1234, RATE) == "12.3%"
    assert charts.format_value(float("nan"), RATE) == "–"


def test_group_and_quality_figures_build(con):
    by_group = groups.by_group(con, FY2021)
    assert len(group_charts.indicators_by_group(by_group, title="t").data) >= 14
    path = group_charts.path_funnel(groups.path_long(groups.support_path(con, FY2021)), title="t")
    assert [tr.type for tr in path.data] == ["funnel"] * 3
    curves = group_charts.cohort_curves(groups.cohort_curves(con, FY2021), title="t", highlight=(2021,))
    assert curves.data
    bd = groups.breakdown(con, "age_band", RATE, FY2021)
    assert group_charts.breakdown_bars(bd, "age_band", RATE, title="t").data
    sankey = group_charts.referral_sankey(groups.referral_flows(con, FY2021), title="t")
    assert sankey.data[0].type == "sankey" and sum(sankey.data[0].link.value) == 4
    matrix = quality.coverage_matrix(quality.coverage(con, FY2021))
    heat = quality_charts.coverage_heatmap(matrix, title="t")
    gaps = heat.data[1]
    assert gaps.mode == "markers" and len(gaps.x) == int(matrix.isna().sum().sum())  # every gap marked ×
    assert quality_charts.quarantine_bars(quality.quarantine_by_reason(con), title="t").layout.annotations
