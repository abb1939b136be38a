"""Figures for the データ品質 (data quality) page: the prefecture × month coverage heatmap and quarantine reasons.

Pure: frames from :mod:`analytics.views.quality` in, plotly Figures out. A gap (nothing received) is an empty cell
marked × — never a zero-coloured cell — so it reads without colour.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analytics.charts import common
from analytics.text import ui_text

# Sequential, colour-blind safe; the lightest step is still visibly tinted so "few rows" differs from "none".
SEQUENTIAL = [[0.0, "#deebf7"], [0.5, "#6baed6"], [1.0, "#08306b"]]
GAP_COLOUR = "#ffffff"


def coverage_heatmap(
    matrix: pd.DataFrame, *, title: str, lang: str = ui_text.DEFAULT_LANG, source: str = ""
) -> go.Figure:
    """Prefectures (rows, JIS order top to bottom) × months: rows loaded; gaps empty and marked ×.

    ``matrix`` is ``quality.coverage_matrix`` (NaN = gap).
    """
    if matrix.empty:
        return common.empty_figure(ui_text.t("quality.empty", lang), title=title)
    months = [str(m) for m in matrix.columns]
    prefs = [str(p) for p in matrix.index]
    z = matrix.to_numpy(dtype="float64")
    gap = ui_text.t("quality.gap_cell", lang)
    text = np.where(np.isnan(z), gap, np.vectorize(lambda v: f"{v:,.0f}")(np.nan_to_num(z)))
    fig = go.Figure(go.Heatmap(
        z=z, x=months, y=prefs, colorscale=SEQUENTIAL, zmin=0, hoverongaps=True, xgap=1, ygap=1,
        text=text, hovertemplate="%{y} %{x}: %{text}<extra></extra>",
        colorbar={"title": {"text": ui_text.t("quality.col.rows", lang)}, "thickness": 12, "len": 0.5},
    ))  # fmt: skip
    gy, gx = np.where(np.isnan(z))
    if len(gy):
        fig.add_trace(go.Scatter(
            x=[months[i] for i in gx], y=[prefs[i] for i in gy], mode="markers",
            marker={"symbol": "x-thin", "size": 8, "line": {"width": 1.6, "color": common.OKABE_ITO[3]}},
            name=gap, hovertemplate="%{y} %{x}: " + gap + "<extra></extra>", showlegend=True,
        ))  # fmt: skip
    height = max(360, 15 * len(prefs) + 170)
    common.style(fig, title=title, note=source or None, height=height, legend=bool(len(gy)), y_format=None)
    fig.update_yaxes(autorange="reversed", tickfont={"size": 10}, rangemode="normal", type="category", showgrid=False)
    fig.update_xaxes(type="category", tickangle=-60, tickfont={"size": 10}, showgrid=False)
    fig.update_layout(plot_bgcolor=GAP_COLOUR)
    return fig


def quarantine_bars(df: pd.DataFrame, *, title: str, lang: str = ui_text.DEFAULT_LANG, source: str = "") -> go.Figure:
    """Rows kept aside per reason (horizontal bars, most first), labelled with the reason in words and count."""
    if df.empty:
        return common.empty_figure(ui_text.t("quality.quarantine_none", lang), title=title)
    labels = [f"{r} ({c})" for r, c in zip(df["reason"], df["reason_code"], strict=True)]
    fig = go.Figure(go.Bar(
        x=df["rows"], y=labels, orientation="h", text=[f"{v:,}" for v in df["rows"]], textposition="outside",
        cliponaxis=False, marker={"color": common.OKABE_ITO[3]},
        hovertemplate="%{y}<br>%{x:,}<extra></extra>",
    ))  # fmt: skip
    common.style(fig, title=title, note=source or None, height=max(240, 34 * len(df) + 150), legend=False,
                 y_format=None, x_title=ui_text.t("quality.col.rows_kept", lang))  # fmt: skip
    fig.update_yaxes(autorange="reversed", rangemode="normal", automargin=True)
    fig.update_xaxes(rangemode="tozero", tickformat=",")
    return fig
