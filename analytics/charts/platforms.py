"""Figures for the 市町村プラットフォーム page: coverage over time, the prefecture map and tile grid, the ranking,
the municipality × partner grid, the most-missing partner types and the with/without comparison.

Pure functions: frames from :mod:`analytics.views.platforms` in, plotly Figures out. The map uses the bundled
boundaries exactly as the 地域 page does (nothing fetched from the internet); values are written on tiles, bars
and grid cells (■/□), so no meaning rests on colour alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from analytics.charts import common
from analytics.charts.regions import LAT_RANGE, LON_RANGE, NO_DATA, SEQUENTIAL, _text_colour
from analytics.text import ui_text
from analytics.views import platforms as views
from analytics.views.regions import prefecture_geojson

CONNECTED, NOT_CONNECTED = common.OKABE_ITO[0], "#f3f4f6"
BAR = common.OKABE_ITO[0]
GAP = common.OKABE_ITO[3]


def _pct(value: float | None) -> str:
    return "–" if value is None or not np.isfinite(value) else f"{value * 100:.0f}%"


def coverage_trend(trend: pd.DataFrame, *, title: str, lang: str, source: str = "") -> go.Figure:
    """Municipalities with a platform at each survey vintage (bars), labelled with the count and the share."""
    if trend.empty:
        return common.empty_figure(ui_text.t("platforms.empty", lang), title=title)
    x = [ui_text.format_date(d, lang) for d in trend["as_of"]]
    text = [f"{n:,} / {m:,} ({_pct(s)})" for n, m, s in
            zip(trend["with_platform"], trend["municipalities"], trend["share_with_platform"], strict=True)]  # fmt: skip
    fig = go.Figure(go.Bar(x=x, y=trend["with_platform"], text=text, textposition="outside", cliponaxis=False,
                           marker_color=BAR, name=ui_text.t("platforms.metric.with_platform", lang)))  # fmt: skip
    common.style(fig, title=title, note=source or None, height=320, legend=False,
                 x_title=ui_text.t("platforms.col.as_of", lang), y_title=ui_text.t("platforms.metric.with_platform", lang))  # fmt: skip
    fig.update_yaxes(range=[0, max(1, float(trend["municipalities"].max())) * 1.1])
    return fig


def coverage_map(cov: pd.DataFrame, *, title: str, lang: str, selected: str | None = None, source: str = "") -> go.Figure:
    """The 47 prefectures coloured by the share of municipalities with a platform; grey = no survey loaded."""
    geo = prefecture_geojson()
    has = cov[cov["reported"] > 0]
    missing = cov[cov["reported"] == 0]
    fig = go.Figure()
    names = [ui_text.prefecture_label(c, lang) for c in has["prefecture_code"]]
    fig.add_trace(go.Choropleth(
        geojson=geo, featureidkey="properties.code", locations=list(has["prefecture_code"]),
        z=has["share_with_platform"] * 100, zmin=0, zmax=100, colorscale=SEQUENTIAL,
        marker_line_color=["#000000" if c == selected else "white" for c in has["prefecture_code"]],
        marker_line_width=[2.0 if c == selected else 0.6 for c in has["prefecture_code"]],
        customdata=np.column_stack([names, [_pct(v) for v in has["share_with_platform"]],
                                    [_pct(v) for v in has["mean_partner_coverage"]]]) if len(has) else None,
        hovertemplate="<b>%{customdata[0]}</b><br>" + ui_text.t("platforms.col.share", lang) + ": %{customdata[1]}<br>"
        + ui_text.t("platforms.col.coverage", lang) + ": %{customdata[2]}<extra></extra>",
        colorbar={"title": {"text": ui_text.t("platforms.unit_share", lang)}, "thickness": 12, "len": 0.6, "x": 0.98},
    ))  # fmt: skip
    if len(missing):
        fig.add_trace(go.Choropleth(
            geojson=geo, featureidkey="properties.code", locations=list(missing["prefecture_code"]),
            z=[0] * len(missing), colorscale=[[0, NO_DATA], [1, NO_DATA]], showscale=False,
            marker_line_color="white", marker_line_width=0.6,
            customdata=[[ui_text.prefecture_label(c, lang)] for c in missing["prefecture_code"]],
            hovertemplate="<b>%{customdata[0]}</b><br>" + ui_text.t("regions.no_data", lang) + "<extra></extra>",
        ))  # fmt: skip
    fig.update_geos(
        visible=False, showland=False, showcountries=False, showcoastlines=False, showocean=False, showlakes=False,
        showrivers=False, showsubunits=False, showframe=False, fitbounds=False, projection_type="mercator",
        lonaxis_range=list(LON_RANGE), lataxis_range=list(LAT_RANGE), bgcolor="rgba(0,0,0,0)",
    )  # fmt: skip
    common.style(fig, title=title, note=source or None, height=560, legend=False, y_format=None)
    fig.update_layout(margin={"l": 0, "r": 0, "t": 56, "b": 88 if source else 24}, dragmode=False)
    return fig


def coverage_tiles(cov: pd.DataFrame, tiles: pd.DataFrame, *, title: str, lang: str, selected: str | None = None,
                   source: str = "") -> go.Figure:  # fmt: skip
    """The tile grid: one square per prefecture with its share written on it; grey = no survey loaded."""
    data = tiles.merge(cov, left_on="code", right_on="prefecture_code", how="left")
    fig = go.Figure()
    fills = []
    for _, r in data.iterrows():
        has = bool(r["reported"] > 0) if pd.notna(r["reported"]) else False
        fill = sample_colorscale(SEQUENTIAL, [float(r["share_with_platform"])])[0] if has else NO_DATA
        fills.append(fill)
        is_sel = r["code"] == selected
        fig.add_shape(type="rect", x0=r["col"] - 0.47, x1=r["col"] + 0.47, y0=-r["row"] - 0.47, y1=-r["row"] + 0.47,
                      fillcolor=fill, line={"color": "#000000" if is_sel else "white", "width": 3 if is_sel else 1},
                      layer="below")  # fmt: skip
    labels = [f"{lab}<br>{_pct(s) if (pd.notna(n) and n > 0) else '–'}"
              for lab, s, n in zip(data["label"], data["share_with_platform"], data["reported"], strict=True)]  # fmt: skip
    fig.add_trace(go.Scatter(
        x=data["col"], y=-data["row"], mode="text", text=labels,
        textfont={"size": 10, "color": [_text_colour(f) for f in fills]},
        customdata=[[ui_text.prefecture_label(c, lang)] for c in data["code"]],
        hovertemplate="<b>%{customdata[0]}</b><extra></extra>", showlegend=False,
    ))  # fmt: skip
    common.style(fig, title=title, note=source or None, height=560, legend=False, y_format=None)
    fig.update_xaxes(visible=False, range=[-0.6, float(tiles["col"].max()) + 0.6], fixedrange=True)
    fig.update_yaxes(visible=False, range=[-float(tiles["row"].max()) - 0.6, 0.6], fixedrange=True,
                     scaleanchor="x", scaleratio=1)  # fmt: skip
    fig.update_layout(plot_bgcolor="rgba(0,0,0,0)", dragmode=False)
    return fig


def ranking_bar(ranked: pd.DataFrame, *, title: str, lang: str, selected: str | None = None, source: str = "") -> go.Figure:
    """Prefectures with a survey, best first; the label gives the share and the mean partner coverage."""
    if ranked.empty:
        return common.empty_figure(ui_text.t("platforms.empty", lang), title=title)
    names = [("▶ " if c == selected else "") + ui_text.prefecture_label(c, lang) for c in ranked["prefecture_code"]]
    cov_word = ui_text.t("platforms.col.coverage", lang)
    text = [f"{_pct(s)}（{cov_word} {_pct(c)}）" if lang != "en" else f"{_pct(s)} ({cov_word} {_pct(c)})"
            for s, c in zip(ranked["share_with_platform"], ranked["mean_partner_coverage"], strict=True)]  # fmt: skip
    fig = go.Figure(go.Bar(
        x=ranked["share_with_platform"] * 100, y=names, orientation="h", text=text, textposition="outside",
        cliponaxis=False, marker_color=[GAP if c == selected else BAR for c in ranked["prefecture_code"]],
    ))  # fmt: skip
    common.style(fig, title=title, note=source or None, height=max(240, 28 * len(ranked) + 140), legend=False,
                 y_format=None)  # fmt: skip
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(title_text=ui_text.t("platforms.unit_share", lang), range=[0, 135])
    return fig


def partner_grid(grid: pd.DataFrame, *, title: str, lang: str, source: str = "") -> go.Figure:
    """Municipality (rows, fewest partners first) × partner type (columns, most often missing first): ■ / □."""
    if grid.empty:
        return common.empty_figure(ui_text.t("platforms.grid_empty", lang), title=title)
    names = grid.attrs.get("names", {})
    y = [f"{names.get(c, c)} ({int(grid.loc[c].sum())})" for c in grid.index]
    x = [views.partner_label(c, lang) for c in grid.columns]
    text = [["■" if v else "□" for v in row] for row in grid.to_numpy()]
    fig = go.Figure(go.Heatmap(
        z=grid.to_numpy(), x=x, y=y, text=text, texttemplate="%{text}", zmin=0, zmax=1, showscale=False,
        colorscale=[[0, NOT_CONNECTED], [1, CONNECTED]], xgap=2, ygap=2,
        hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>",
    ))  # fmt: skip
    common.style(fig, title=title, note=source or None, height=max(300, 24 * len(y) + 220), legend=False, y_format=None)
    fig.update_yaxes(autorange="reversed", automargin=True, tickfont={"size": 11})
    fig.update_xaxes(side="bottom", tickangle=-35, automargin=True, tickfont={"size": 11})
    return fig


def missing_bars(missing: pd.DataFrame, *, title: str, lang: str, source: str = "") -> go.Figure:
    """Partner types by how many municipalities with a platform lack them (most first)."""
    labels = [views.partner_label(c, lang) for c in missing["partner"]]
    text = [f"{m:,} ({_pct(s)})" for m, s in zip(missing["missing"], missing["share_missing"], strict=True)]
    fig = go.Figure(go.Bar(x=missing["missing"], y=labels, orientation="h", text=text, textposition="outside",
                           cliponaxis=False, marker_color=GAP))  # fmt: skip
    common.style(fig, title=title, note=source or None, height=max(260, 26 * len(labels) + 140), legend=False,
                 y_format=None)  # fmt: skip
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(title_text=ui_text.t("platforms.missing_axis", lang), rangemode="tozero")
    return fig


def comparison_bars(comp: pd.DataFrame, *, title: str, lang: str, source: str = "") -> go.Figure:
    """Mean per municipality of each outcome, with vs without a platform; a hidden (small) group is left out."""
    fig = go.Figure()
    for i, row in enumerate(comp.itertuples()):
        if not row.shown:
            continue
        values = [getattr(row, f"{c}_mean") for c in views.OUTCOMES]
        fig.add_trace(go.Bar(
            x=[views.outcome_label(c, lang) for c in views.OUTCOMES], y=values,
            text=[f"{v:,.1f}" for v in values], textposition="outside", cliponaxis=False,
            name=f"{ui_text.t(f'platforms.group.{row.group}', lang)} (n={row.municipalities})",
            marker_color=common.colour(i),
        ))  # fmt: skip
    common.style(fig, title=title, note=source or None, height=400, legend=True)
    # the legend above the plot: below it, it would cover the outcome names
    fig.update_layout(barmode="group", legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
                      margin={"t": 96})  # fmt: skip
    return fig
