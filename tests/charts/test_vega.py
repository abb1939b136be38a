"""The Vega-Lite charts of 概要 (analytics/charts/vega.py) keep the house conventions of the Plotly ones: the data
drawn is the table's, series differ in more than colour, the title says what and when, the source note is on the
chart, values are written on it, and the text alternative reads as common.text_summary's."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analytics.charts import common, overview, vega

TREND = pd.DataFrame({"月": ["4月", "5月", "6月"], "令和5年度": [12, 30, 20], "令和6年度": [10, 31, None]})
GROUPS = pd.DataFrame({"対象者区分": ["不安定就労", "長期無業", "社会参加支援"], "実支援者数": [2135, 2075, 2178],
                       "正社員就職者数": [195, 173, 0]})  # fmt: skip


def layer(spec: dict, mark: str) -> dict:
    return next(lay for lay in spec["layer"] if lay["mark"]["type"] == mark)


def test_the_trend_draws_each_years_values_in_month_order_latest_year_first():
    spec = overview.monthly_trend(TREND, title="正社員就職者数の月別推移 — 令和6年度", y_title="人", x_title="月",
                                  note="出典: 取込済みの相談記録<br>データ時点 2025年3月31日")  # fmt: skip
    assert vega.is_spec(spec) and not vega.is_spec({"data": []})
    rows = spec["data"]["values"]
    assert [(r["x"], r["value"]) for r in rows if r["series"] == "令和6年度"] == [("4月", 10.0), ("5月", 31.0),
                                                                                 ("6月", None)]  # fmt: skip
    assert spec["encoding"]["x"]["sort"] == ["4月", "5月", "6月"]
    assert spec["usermeta"]["series"] == ["令和6年度", "令和5年度"]  # the latest year gets the first style
    # the note, written with Plotly's <br>, becomes two lines under the title
    assert spec["title"] == {"text": "正社員就職者数の月別推移 — 令和6年度",
                             "subtitle": ["出典: 取込済みの相談記録", "データ時点 2025年3月31日"]}  # fmt: skip
    json.dumps(spec)  # plain data: Streamlit sends it as JSON


def test_lines_differ_in_colour_dash_and_point_shape_and_their_last_value_is_written():
    spec = vega.line_chart(TREND, "月", ["令和6年度", "令和5年度"], title="推移")
    enc = layer(spec, "line")["encoding"]
    assert enc["color"]["scale"]["range"][:2] == [common.colour(0), common.colour(1)]
    dashes, shapes = enc["strokeDash"]["scale"]["range"], enc["shape"]["scale"]["range"]
    assert dashes[0] != dashes[1] and shapes[0] != shapes[1]
    labels = {(r["series"], r["x"]): r["label"] for r in spec["data"]["values"] if r["label"]}
    assert labels == {("令和6年度", "5月"): "31", ("令和5年度", "6月"): "20"}  # the last value that exists
    # written in a darker shade of the series colour that reads on white (WCAG AA)
    text_colours = {r["text_colour"] for r in spec["data"]["values"]}
    assert all(common.contrast_ratio(c, "#FFFFFF") >= 4.5 for c in text_colours)


def test_percent_series_are_labelled_and_formatted_as_percent():
    frame = pd.DataFrame({"fy": ["FY2023", "FY2024"], "rate": [0.253, 0.265]})
    spec = vega.line_chart(frame, "fy", ["rate"], title="Retention", percent=True)
    assert spec["encoding"]["y"]["axis"]["format"] == ".0%"
    assert [r["label"] for r in spec["data"]["values"]] == ["", "26.5%"]
    assert layer(spec, "line")["encoding"]["color"]["legend"] is None  # one series: no legend


def test_group_bars_carry_every_value_and_differ_in_more_than_colour():
    spec = overview.group_bars(GROUPS, ["実支援者数", "正社員就職者数"], title="対象者区分別の人数 — 令和6年度 (FY2024)",
                               y_title="人数（人）", note="出典")  # fmt: skip
    values = {(r["category"], r["series"]): (r["value"], r["label"]) for r in spec["data"]["values"]}
    assert values[("不安定就労", "実支援者数")] == (2135.0, "2,135")
    assert values[("社会参加支援", "正社員就職者数")] == (0.0, "0")  # a zero is drawn and written, not dropped
    bar = layer(spec, "bar")["encoding"]
    opacities = bar["fillOpacity"]["scale"]["range"]
    assert opacities[0] != opacities[1]  # fill strength tells the series apart without colour
    assert bar["stroke"]["scale"]["range"] == bar["color"]["scale"]["range"]  # a full-colour outline on each bar
    assert spec["encoding"]["y"]["sort"] == ["不安定就労", "長期無業", "社会参加支援"]
    assert spec["encoding"]["x"]["scale"]["domainMax"] > 2178  # room for the longest bar's label
    # a narrow chart writes its title's when on a second line instead of cutting it off
    assert spec["title"]["text"] == ["対象者区分別の人数", "— 令和6年度 (FY2024)"]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_text_alternative_reads_like_the_plotly_charts(lang):
    spec = vega.line_chart(TREND, "月", ["令和6年度", "令和5年度"], title="正社員就職者数の月別推移 — 令和6年度")
    fig = common.line_chart(TREND, "月", ["令和6年度", "令和5年度"], title="正社員就職者数の月別推移 — 令和6年度")
    assert vega.text_summary(spec, lang) == common.text_summary(fig, lang)
    bars = vega.bar_chart(GROUPS, "対象者区分", ["実支援者数", "正社員就職者数"], title="対象者区分別 — 令和6年度")
    assert "実支援者数" in vega.text_summary(bars, lang) and "2,178" in vega.text_summary(bars, lang)
    assert vega.text_summary(bars, lang).startswith("対象者区分別 — 令和6年度")


def test_an_empty_chart_says_its_message():
    spec = overview.monthly_trend(TREND.iloc[0:0], title="推移", y_title="人", x_title="月", note="")
    assert spec["data"]["values"] == [{"message": "–"}]
    assert "–" in vega.text_summary(spec, "ja") and vega.text_summary(spec, "ja").startswith("推移")
