"""Tests for analytics/charts/common.py: the house chart conventions and the CSV export of a chart's table."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd

from analytics.charts import common


def test_csv_is_utf8_with_bom_and_opens_as_the_same_table():
    frame = pd.DataFrame({"年度": ["令和5年度 (FY2023)", "令和6年度 (FY2024)"], "相談件数": [1234, 5678]})
    data = common.csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    pd.testing.assert_frame_equal(back, frame)


def test_csv_neutralises_cells_a_spreadsheet_would_run_as_formulas():
    frame = pd.DataFrame(
        {
            '=HYPERLINK("x")': ["=1+1", "+81-3", "-2+3", "@SUM(A1)", "\tx", "普通の値"],
            "count": [-5, 1, 2, 3, 4, 5],
        }
    )
    text = common.csv_bytes(frame).decode("utf-8-sig")
    rows = list(pd.read_csv(io.StringIO(text), dtype=str).itertuples(index=False))
    assert [r[0] for r in rows] == ["'=1+1", "'+81-3", "'-2+3", "'@SUM(A1)", "'\tx", "普通の値"]
    assert rows[0][1] == "-5"  # numbers stay numbers
    assert text.splitlines()[0].startswith("\"'=HYPERLINK")


def test_series_differ_by_more_than_colour():
    styles = [common.series_style(i) for i in range(4)]
    assert len({s["marker"] for s in styles}) == 4
    assert len({s["dash"] for s in styles}) == 4
    assert all(s["colour"] in common.OKABE_ITO for s in styles)


def test_line_chart_has_title_axis_units_source_note_and_japanese_font():
    frame = pd.DataFrame({"month": ["2024-04", "2024-05"], "consultations": [10, 12]})
    note = common.source_note(dt.date(2025, 3, 31))
    fig = common.line_chart(frame, "month", "consultations", title=common.chart_title("相談件数の推移", "令和6年度"),
                            note=note, x_title="月", y_title="件")  # fmt: skip
    assert fig.layout.title.text == "相談件数の推移 — 令和6年度"
    assert fig.layout.yaxis.title.text == "件"
    assert "Noto Sans CJK JP" in fig.layout.font.family
    assert any("2025年3月31日" in a.text for a in fig.layout.annotations)
    assert fig.data[0].text[-1] == "12"  # the last value is written on the chart


def test_bar_chart_uses_patterns_and_value_labels():
    frame = pd.DataFrame({"group": ["a", "b"], "x": [1, 2], "y": [3, 4]})
    fig = common.bar_chart(frame, "group", ["x", "y"], title="t")
    assert [t.marker.pattern.shape for t in fig.data] == ["", "/"]
    assert list(fig.data[1].text) == ["3", "4"]


def test_plotly_config_has_no_logo_or_cloud_link():
    assert common.PLOTLY_CONFIG["displaylogo"] is False
    assert common.PLOTLY_CONFIG["showLink"] is False


def test_file_name_is_safe():
    assert common.file_name("相談件数/月別 2024") == "相談件数_月別_2024.csv"


def test_patterned_bars_paint_their_own_background():
    # Streamlit's plotly.js leaves a pattern's background transparent: white stripes alone were invisible bars
    import pandas as pd

    from analytics.charts import common

    frame = pd.DataFrame({"g": ["a", "b"], "x": [1, 2], "y": [3, 4], "z": [5, 6]})
    fig = common.bar_chart(frame, "g", ["x", "y", "z"], title="t", horizontal=True)
    for trace in fig.data:
        assert trace.marker.pattern.bgcolor == trace.marker.color
        assert trace.marker.pattern.fgcolor == "white"
    assert [t.marker.pattern.shape for t in fig.data][1:] != ["", ""]  # the series still differ by pattern
