"""Figures for the 地域 (regions) page: choropleth, tile-grid map, ranking bars, funnel plot, municipalities.

Pure functions: a frame from :mod:`analytics.views.regions` in, a plotly Figure out; no data access, no streamlit.
The map needs nothing from the internet: our own GeoJSON on a ``geo`` subplot with every base layer off
(Plotly would otherwise fetch a world map from a CDN) and a fixed range, because 東京都's Ogasawara
islands (154°E) would make auto-fitting zoom far out. Meaning never rests on colour alone: values are
written on tiles and bars, small denominators carry ※ and a hatch, funnel outliers a ▲/▼ symbol and label.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from analytics.charts import common
from analytics.metrics import indicators
from analytics.text import ui_text
from analytics.views.regions import POSITIONS_OUTSIDE, prefecture_geojson

LON_RANGE = (122.0, 150.0)
LAT_RANGE = (24.0, 46.0)
# Sequential, colour-blind safe (light to dark blue, readable in greyscale); darker = larger value.
SEQUENTIAL = [[0.0, "#e8f1fa"], [0.35, "#9ecae1"], [0.7, "#3d85c6"], [1.0, "#08306b"]]
NO_DATA = "#d9d9d9"
BAR = common.OKABE_ITO[0]  # blue
SELECTED = common.OKABE_ITO[3]  # vermillion
ABOVE = common.OKABE_ITO[2]  # bluish green
BELOW = common.OKABE_ITO[3]  # vermillion
WITHIN = "#8c9bab"
SMALL_MARK = "※"
# The shared chart config already points Plotly's world base map at an empty inline topology.
EMPTY_TOPOJSON_URL = common.EMPTY_TOPOJSON_URL
MAP_CONFIG: dict = common.PLOTLY_CONFIG


def format_value(value: float | None, indicator_id: str) -> str:
    """A value as shown: rates 25.4%, medians 123.5, counts 1,234; missing → 「–」."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return "–"
    kind = indicators.REGISTRY_BY_ID[indicator_id].kind
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind == "median":
        return f"{value:,.1f}"
    return f"{value:,.0f}"


def indicator_name(indicator_id: str, lang: str) -> str:
    ind = indicators.REGISTRY_BY_ID[indicator_id]
    return ind.en if lang == "en" else ind.ja


def _unit(indicator_id: str, lang: str) -> str:
    ind = indicators.REGISTRY_BY_ID[indicator_id]
    if ind.kind == "rate":
        return "%"
    return ind.unit_en if lang == "en" else ind.unit


def _names(df: pd.DataFrame, lang: str) -> list[str]:
    if "name" in df:
        return [str(n) for n in df["name"]]
    return [ui_text.prefecture_label(c, lang) for c in df["prefecture_code"]]


def _codes(df: pd.DataFrame) -> list[str]:
    return [str(c) if c is not None and not pd.isna(c) else "" for c in
            (df["prefecture_code"] if "prefecture_code" in df else df["municipality_code"])]  # fmt: skip


def _note(row: pd.Series, lang: str) -> str:
    if not row.get("has_data", True):
        return ui_text.t("regions.no_data", lang)
    notes = []
    if row.get("is_small"):
        notes.append(SMALL_MARK + ui_text.t("regions.small", lang))
    if not row.get("is_final", True):
        notes.append(ui_text.t("regions.not_final", lang))
    pos = row.get("position")
    if isinstance(pos, str) and pos in POSITIONS_OUTSIDE:
        notes.append(ui_text.t(f"regions.position.{pos}", lang))
    return "、".join(notes) if lang != "en" else "; ".join(notes)


def _colour_range(values: pd.Series, indicator_id: str) -> tuple[float, float]:
    finite = values[np.isfinite(values.astype("float64"))]
    if finite.empty:
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    if indicators.REGISTRY_BY_ID[indicator_id].kind != "rate":
        lo = min(lo, 0.0)
    return (lo, hi) if hi > lo else (lo, lo + 1.0)


def _scale_values(values: pd.Series, indicator_id: str) -> pd.Series:
    """Rates are coloured and labelled in percent points; others as they are."""
    factor = 100.0 if indicators.REGISTRY_BY_ID[indicator_id].kind == "rate" else 1.0
    return values.astype("float64") * factor


def choropleth(
    df: pd.DataFrame,
    indicator_id: str,
    *,
    title: str,
    lang: str = ui_text.DEFAULT_LANG,
    selected: str | None = None,
    source: str = "",
) -> go.Figure:
    """The 47 prefectures coloured by the indicator (``regions.prefecture_values`` frame).

    Prefectures without data are grey and say so on hover; the selected prefecture has a thick outline.
    """
    geo = prefecture_geojson()
    has = df[df["has_data"] & df["value"].notna()]
    missing = df[~(df["has_data"] & df["value"].notna())]
    z = _scale_values(has["value"], indicator_id)
    lo, hi = _colour_range(z, indicator_id)
    unit = _unit(indicator_id, lang)
    fig = go.Figure()
    codes = _codes(has)
    fig.add_trace(go.Choropleth(
        geojson=geo, featureidkey="properties.code", locations=codes, z=z, zmin=lo, zmax=hi,
        colorscale=SEQUENTIAL,
        marker_line_color=["#000000" if c == selected else "white" for c in codes],
        marker_line_width=[2.0 if c == selected else 0.6 for c in codes],
        customdata=np.column_stack([codes, _names(has, lang), [format_value(v, indicator_id) for v in has["value"]],
                                    [_note(r, lang) for _, r in has.iterrows()]]) if len(has) else None,
        hovertemplate="<b>%{customdata[1]}</b><br>%{customdata[2]}<br>%{customdata[3]}<extra></extra>",
        colorbar={"title": {"text": unit}, "thickness": 12, "len": 0.6, "x": 0.98},
        name=indicator_name(indicator_id, lang),
    ))  # fmt: skip
    if len(missing):
        # One more trace (the GeoJSON travels once per trace, so only when some prefecture has no data).
        gone = _codes(missing)
        fig.add_trace(go.Choropleth(
            geojson=geo, featureidkey="properties.code", locations=gone, z=[0] * len(missing),
            colorscale=[[0, NO_DATA], [1, NO_DATA]], showscale=False,
            marker_line_color=["#000000" if c == selected else "white" for c in gone],
            marker_line_width=[2.0 if c == selected else 0.6 for c in gone],
            customdata=np.column_stack([gone, _names(missing, lang)]),
            hovertemplate="<b>%{customdata[1]}</b><br>" + ui_text.t("regions.no_data", lang) + "<extra></extra>",
            name=ui_text.t("regions.no_data", lang),
        ))  # fmt: skip
    fig.update_geos(
        visible=False, showland=False, showcountries=False, showcoastlines=False, showocean=False,
        showlakes=False, showrivers=False, showsubunits=False, showframe=False, fitbounds=False,
        projection_type="mercator", lonaxis_range=list(LON_RANGE), lataxis_range=list(LAT_RANGE),
        bgcolor="rgba(0,0,0,0)",
    )  # fmt: skip
    common.style(fig, title=title, note=source or None, height=620, legend=False, y_format=None)
    fig.update_layout(margin={"l": 0, "r": 0, "t": 56, "b": 88 if source else 24}, dragmode=False)
    return fig


def _text_colour(fill: str) -> str:
    """Black or white, whichever reads better on ``fill`` ('rgb(r, g, b)' or '#rrggbb')."""
    if fill.startswith("#"):
        r, g, b = (int(fill[i : i + 2], 16) for i in (1, 3, 5))
    else:
        r, g, b = (float(x) for x in fill[fill.index("(") + 1 : fill.index(")")].split(",")[:3])
    return "#000000" if (0.299 * r + 0.587 * g + 0.114 * b) > 140 else "#ffffff"


def tile_map(
    df: pd.DataFrame,
    tiles: pd.DataFrame,
    indicator_id: str,
    *,
    title: str,
    lang: str = ui_text.DEFAULT_LANG,
    selected: str | None = None,
    source: str = "",
) -> go.Figure:
    """The tile-grid map: one equal square per prefecture (so small prefectures are as visible as large
    ones), coloured by the value and labelled with its name and value. ``tiles`` is ``regions.tile_grid()``.
    """
    data = tiles.merge(df, left_on="code", right_on="prefecture_code", how="left")
    values = _scale_values(data["value"], indicator_id)
    lo, hi = _colour_range(values, indicator_id)
    fills = []
    for v, has in zip(values, data["has_data"].fillna(False), strict=True):
        if not has or not np.isfinite(v):
            fills.append(NO_DATA)
        else:
            fills.append(sample_colorscale(SEQUENTIAL, [(v - lo) / (hi - lo)])[0])
    fig = go.Figure()
    for (_, r), fill in zip(data.iterrows(), fills, strict=True):
        is_sel = r["code"] == selected
        fig.add_shape(type="rect", x0=r["col"] - 0.47, x1=r["col"] + 0.47, y0=-r["row"] - 0.47, y1=-r["row"] + 0.47,
                      fillcolor=fill, line={"color": "#000000" if is_sel else "white", "width": 3 if is_sel else 1},
                      layer="below")  # fmt: skip
    labels = [
        f"{lab}{SMALL_MARK if small else ''}<br>{format_value(v, indicator_id) if has else '–'}"
        for lab, v, has, small in zip(data["label"], data["value"], data["has_data"].fillna(False),
                                      data["is_small"].fillna(False), strict=True)
    ]  # fmt: skip
    notes = [_note(r, lang) for _, r in data.fillna({"has_data": False}).iterrows()]
    fig.add_trace(go.Scatter(
        x=data["col"], y=-data["row"], mode="markers+text", text=labels,
        textfont={"size": 10, "color": [_text_colour(f) for f in fills]},
        marker={"symbol": "square", "size": 30, "opacity": 0.01, "color": values, "colorscale": SEQUENTIAL,
                "cmin": lo, "cmax": hi, "showscale": True,
                "colorbar": {"title": {"text": _unit(indicator_id, lang)}, "thickness": 12, "len": 0.6}},
        customdata=np.column_stack([list(data["code"]),
                                    [ui_text.prefecture_label(c, lang) for c in data["code"]],
                                    [format_value(v, indicator_id) for v in data["value"]], notes]),
        hovertemplate="<b>%{customdata[1]}</b><br>%{customdata[2]}<br>%{customdata[3]}<extra></extra>",
        name=indicator_name(indicator_id, lang), showlegend=False,
    ))  # fmt: skip
    common.style(fig, title=title, note=source or None, height=620, legend=False, y_format=None)
    fig.update_xaxes(visible=False, range=[-0.6, float(tiles["col"].max()) + 0.6], fixedrange=True)
    fig.update_yaxes(visible=False, range=[-float(tiles["row"].max()) - 0.6, 0.6], fixedrange=True,
                     scaleanchor="x", scaleratio=1)  # fmt: skip
    fig.update_layout(plot_bgcolor="rgba(0,0,0,0)", dragmode=False)
    return fig


def ranking_bar(
    df: pd.DataFrame,
    indicator_id: str,
    *,
    title: str,
    lang: str = ui_text.DEFAULT_LANG,
    selected: str | None = None,
    source: str = "",
    height: int | None = None,
) -> go.Figure:
    """Places sorted best first (horizontal bars), with the value written at each bar.

    Rates: a dashed line at the reference (pooled) rate, ▲/▼ after the value of a
    place outside the 95% funnel limits. Small denominators: hatched bar and ※ after the name. The
    selected place: vermillion bar and ▶ before the name. Places without data are left out (the table
    lists them). ``customdata[0]`` is the place's code (for click-to-select).
    """
    ind = indicators.REGISTRY_BY_ID[indicator_id]
    shown = df[df["has_data"] & df["value"].notna()].copy()
    ascending = ind.higher_is_better is False
    shown = shown.sort_values("value", ascending=ascending, kind="stable")  # best first, drawn at the top
    codes = _codes(shown)
    names = _names(shown, lang)
    scaled = _scale_values(shown["value"], indicator_id)
    marks = {"above_998": " ▲▲", "above_95": " ▲", "below_95": " ▼", "below_998": " ▼▼"}
    labels = [
        ("▶ " if c == selected else "") + n + (SMALL_MARK if s else "")
        for c, n, s in zip(codes, names, shown["is_small"], strict=True)
    ]
    text = [format_value(v, indicator_id) + marks.get(p, "") if isinstance(p, str) else format_value(v, indicator_id)
            for v, p in zip(shown["value"], shown["position"], strict=True)]  # fmt: skip
    # No interval whiskers here: they cross the value labels; the funnel plot and the table carry the uncertainty.
    error = None
    fig = go.Figure(go.Bar(
        x=scaled, y=labels, orientation="h", text=text, textposition="outside", cliponaxis=False,
        textfont={"size": 11},
        marker=common.patterned_marker([SELECTED if c == selected else BAR for c in codes],
                                       ["/" if s else "" for s in shown["is_small"]]),
        error_x=error, customdata=np.column_stack([codes, names, [_note(r, lang) for _, r in shown.iterrows()]])
        if len(shown) else None,
        hovertemplate="<b>%{customdata[1]}</b><br>%{text}<br>%{customdata[2]}<extra></extra>",
        name=indicator_name(indicator_id, lang), showlegend=False,
    ))  # fmt: skip
    ref = df.attrs.get("reference_rate")
    if ind.kind == "rate" and ref is not None and np.isfinite(ref):
        fig.add_vline(x=ref * 100, line_dash="dash", line_color="#333333", line_width=1,
                      annotation_text=ui_text.t("regions.reference", lang, value=f"{ref * 100:.1f}%"),
                      annotation_position="top", annotation_font_size=11)  # fmt: skip
    h = height or max(260, 19 * len(shown) + 150)
    common.style(fig, title=title, note=source or None, height=h, legend=False, y_format=None)
    fig.update_yaxes(autorange="reversed", tickfont={"size": 11}, automargin=True, rangemode="normal")
    fig.update_xaxes(title_text=_unit(indicator_id, lang), rangemode="tozero", showgrid=True, gridcolor="#eeeeee")
    fig.update_layout(bargap=0.25, clickmode="event+select", dragmode=False)
    return fig


def funnel_plot(
    df: pd.DataFrame,
    lines: pd.DataFrame,
    indicator_id: str,
    *,
    title: str,
    lang: str = ui_text.DEFAULT_LANG,
    selected: str | None = None,
    source: str = "",
) -> go.Figure:
    """Rate (%) against denominator with the 95% and 99.8% limits around the reference rate.

    Only places outside the 95% limits are labelled and drawn with a distinct symbol (▲ above, ▼ below);
    the rest are plain grey dots: being small is not being worse. ``lines`` is ``regions.funnel_lines``.
    """
    t = ui_text.t
    pts = df[df["value"].notna() & (df["denominator"] > 0)]
    fig = go.Figure()
    if len(lines):
        for col, dash, name in (
            ("95", "dash", t("regions.limit_95", lang)),
            ("998", "solid", t("regions.limit_998", lang)),
        ):
            for side, show in (("upper", True), ("lower", False)):
                fig.add_trace(go.Scatter(
                    x=lines["denominator"], y=lines[f"{side}_{col}"] * 100, mode="lines",
                    line={"color": "#666666", "dash": dash, "width": 1}, name=name, legendgroup=col,
                    showlegend=show, hoverinfo="skip",
                ))  # fmt: skip
    ref = df.attrs.get("reference_rate")
    if ref is not None and np.isfinite(ref):
        fig.add_hline(y=ref * 100, line_color="#333333", line_width=1,
                      annotation_text=t("regions.reference", lang, value=f"{ref * 100:.1f}%"),
                      annotation_position="top right", annotation_font_size=11)  # fmt: skip
    groups = (
        ("within", ["within"], "circle", WITHIN, False),
        ("above", ["above_95", "above_998"], "triangle-up", ABOVE, True),
        ("below", ["below_95", "below_998"], "triangle-down", BELOW, True),
    )
    for key, positions, symbol, colour, label in groups:
        part = pts[pts["position"].isin(positions)]
        if part.empty:
            continue
        names = _names(part, lang)
        fig.add_trace(go.Scatter(
            x=part["denominator"], y=part["value"] * 100, mode="markers+text" if label else "markers",
            text=names if label else None, textposition="top center", textfont={"size": 11},
            marker={"symbol": symbol, "size": 11 if label else 8, "color": colour,
                    "line": {"color": ["#000000" if c == selected else "white" for c in _codes(part)],
                             "width": [2.5 if c == selected else 0.5 for c in _codes(part)]}},
            customdata=np.column_stack([_codes(part), names, [format_value(v, indicator_id) for v in part["value"]],
                                        part["numerator"].astype("Int64").astype(str),
                                        part["denominator"].astype("Int64").astype(str)]),
            hovertemplate="<b>%{customdata[1]}</b><br>%{customdata[2]} (%{customdata[3]}/%{customdata[4]})"
                          "<extra></extra>",
            name=t(f"regions.funnel_{key}", lang),
        ))  # fmt: skip
    common.style(
        fig,
        title=title,
        note=source or None,
        height=480,
        legend=True,
        y_format=None,
        x_title=t("regions.denominator_axis", lang),
        y_title="%",
    )
    fig.update_xaxes(rangemode="tozero", showgrid=True, gridcolor="#eeeeee")
    fig.update_layout(dragmode=False)
    return fig
