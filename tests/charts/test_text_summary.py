"""Every chart's text alternative (its accessible name, ui/charts.py): what it shows and the key numbers."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analytics.charts import common


def test_a_line_chart_is_described_by_its_title_and_each_series_key_numbers():
    frame = pd.DataFrame({"month": ["4月", "5月", "6月"], "a": [10, 30, 20], "b": [5, 1, 7]})
    fig = common.line_chart(frame, "month", ["a", "b"], names={"a": "令和6年度", "b": "令和5年度"},
                            title=common.chart_title("正社員就職者数の月別推移", "令和6年度"))  # fmt: skip
    text = common.text_summary(fig, "ja")
    assert text.startswith("正社員就職者数の月別推移 — 令和6年度。")
    assert "令和6年度: 3点、最大 30（5月）、最小 10（4月）、最後 20（6月）" in text
    assert "令和5年度: 3点、最大 7（6月）、最小 1（5月）、最後 7（6月）" in text
    assert text.endswith("すべての数値は「表で見る」。")


def test_rates_on_a_percent_axis_read_as_percent_in_english():
    frame = pd.DataFrame({"fy": ["FY2023", "FY2024"], "rate": [0.253, 0.265]})
    text = common.text_summary(common.bar_chart(frame, "fy", "rate", title="Retention", percent=True), "en")
    assert "rate: 2 points, highest 26.5% (FY2024), lowest 25.3% (FY2023), last 26.5% (FY2024)" in text
    assert text.endswith("Every value is under Table view.")


def test_an_empty_figure_says_its_message_and_long_charts_are_cut_short():
    assert "データがありません" in common.text_summary(common.empty_figure("データがありません", title="推移"), "ja")
    fig = go.Figure([go.Scatter(x=[1, 2], y=[i, i + 1], name=f"s{i}") for i in range(7)])
    text = common.text_summary(fig, "en", max_series=4)
    assert "s3:" in text and "s4:" not in text and "And 3 more series" in text


def test_flows_are_described_from_and_to():
    fig = go.Figure(go.Sankey(node={"label": ["A (3)", "→ B (3)"]}, link={"source": [0], "target": [1], "value": [3]}))
    assert "最大 3（A (3) → B (3)）" in common.text_summary(fig, "ja")


def test_text_on_charts_and_status_words_meet_aa_contrast():
    """Value labels take a darker shade of their series colour; status words one of their status colour."""
    for colour in (*common.OKABE_ITO, common.GREY):
        assert common.contrast_ratio(common.text_colour(colour), "#FFFFFF") >= 4.5, colour
    assert common.text_colour("#0072B2") == "#0072B2"  # already dark enough: unchanged
    assert common.contrast_ratio(common.GREY, "#FFFFFF") >= 4.5  # source notes and empty-chart messages
    for code in common.STATUS_COLOURS:
        css = dict(part.split(": ") for part in common.status_cell_css(code).split("; "))
        assert common.contrast_ratio(css["color"], css["background-color"]) >= 4.5, code
