"""The house's line and bar charts as Vega-Lite specifications, for the page everyone opens first.

Why a second chart library beside Plotly: the browser pays for Plotly per page load, not per chart. Streamlit's
Plotly bundle is 4.7 MB of JavaScript that Chromium compiles and runs on every full page load — about 1.3 s of
a 2-core machine's time before the first chart is drawn (measured in docs/performance.md), and the same again
for each of the planners who open the dashboard at once. Vega is already on 概要 for the KPI cards' sparklines
(``st.metric(chart_data=...)``), so charts drawn with it cost the landing page almost nothing more. The pages
with maps, burn-ups and flows keep Plotly (:mod:`analytics.charts.common`).

The conventions are :mod:`analytics.charts.common`'s: Okabe–Ito colours, and each series differs in more than
colour (line dash and point shape; bar fill strength with an outline), the Japanese font stack, a title that says
what and when, axis titles with units, the source / as-of note, the last value written beside each line and the
value beside each bar. A specification is a plain dict; no data access here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from analytics.charts.common import FONT_FAMILY, GREY, LIGHT_GREY, describe_series, series_style, text_colour
from analytics.text import ui_text

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier only: nothing is fetched from it

# Plotly's dash names (common.DASHES) as SVG dash arrays, and its marker names as Vega shapes.
DASH_ARRAYS: dict[str, list[int]] = {
    "solid": [1, 0], "dash": [8, 4], "dot": [2, 3], "dashdot": [8, 3, 2, 3], "longdash": [14, 4],
    "longdashdot": [14, 3, 2, 3],
}  # fmt: skip
SHAPES: dict[str, str] = {
    "circle": "circle", "square": "square", "diamond": "diamond", "triangle-up": "triangle-up", "x": "cross",
    "star": "triangle-down", "cross": "cross", "hexagon": "triangle-right",
}  # fmt: skip
# Bars: the fill strength per series (with a full-strength outline), so series differ in more than colour.
BAR_OPACITY: tuple[float, ...] = (1.0, 0.35, 0.7, 0.15)
TEXT = "#1F2937"


def is_spec(chart: object) -> bool:
    """Whether ``chart`` is a Vega-Lite specification of this module (rather than a Plotly figure)."""
    return isinstance(chart, dict) and chart.get("$schema") == SCHEMA


def _config() -> dict:
    axis = {"labelFont": FONT_FAMILY, "titleFont": FONT_FAMILY, "labelFontSize": 12, "titleFontSize": 13,
            "labelColor": TEXT, "titleColor": TEXT, "gridColor": "#EEF0F3", "domainColor": LIGHT_GREY,
            "tickColor": LIGHT_GREY, "titleFontWeight": "normal", "aria": False}  # fmt: skip
    return {
        "font": FONT_FAMILY,
        "background": "white",
        # Marks, axes and legends stay out of the accessibility tree (Vega reads each point as "x: 4月; y: 50" and
        # leaves unnamed image-role groups, axe svg-img-alt); the chart's name is its text alternative
        # (Streamlit's alt, set by ui/charts.py) and the 「表で見る」 table is the full alternative.
        "aria": False,
        "mark": {"aria": False},
        "view": {"stroke": None},
        "axis": axis,
        "legend": {"labelFont": FONT_FAMILY, "labelFontSize": 12, "labelColor": TEXT, "orient": "top",
                   "direction": "horizontal", "symbolStrokeWidth": 2.5, "labelLimit": 320, "aria": False},  # fmt: skip
        "title": {"font": FONT_FAMILY, "fontSize": 16, "fontWeight": "bold", "color": TEXT, "anchor": "start",
                  "subtitleFont": FONT_FAMILY, "subtitleFontSize": 11, "subtitleColor": GREY, "offset": 10},  # fmt: skip
        "locale": {"number": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["", ""]}},
    }


def _lines(text: str) -> str | list[str]:
    """Plotly-style ``<br>`` line breaks (common.source_note writes them) as Vega's list of lines."""
    parts = [p.strip() for p in re.split(r"<br\s*/?>", text) if p.strip()]
    return parts[0] if len(parts) == 1 else parts


def _base(title: str, note: str | None, height: int, values: list[dict], meta: dict, *, wrap: bool = False) -> dict:
    # ``wrap``: a narrow chart writes its title's when (「— 令和6年度」) on a second line rather than cutting it off
    text: str | list[str] = title.replace(" — ", "\n— ").split("\n") if wrap and " — " in title else title
    spec: dict = {
        "$schema": SCHEMA,
        "title": {"text": text, **({"subtitle": _lines(note)} if note else {})},
        "height": height,
        "width": "container",
        "autosize": {"type": "fit-x", "contains": "padding"},
        "data": {"values": values},
        "config": _config(),
        "usermeta": meta,
    }
    return spec


def _label(value: float | None, percent: bool) -> str:
    if value is None or pd.isna(value):
        return ""
    return f"{value * 100:.1f}%" if percent else f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _series_scales(names: list[str]) -> dict:
    styles = [series_style(i) for i in range(len(names))]
    return {
        "colour": {"domain": names, "range": [s["colour"] for s in styles]},
        "dash": {"domain": names, "range": [DASH_ARRAYS.get(s["dash"], [1, 0]) for s in styles]},
        "shape": {"domain": names, "range": [SHAPES.get(s["marker"], "circle") for s in styles]},
        "opacity": {"domain": names, "range": [BAR_OPACITY[i % len(BAR_OPACITY)] for i in range(len(names))]},
    }


def empty_chart(message: str, *, title: str = "", height: int = 240) -> dict:
    """A chart that says there is nothing to draw (instead of an empty grid)."""
    spec = _base(title, None, height, [{"message": message}], {"kind": "empty", "message": message})
    spec["mark"] = {"type": "text", "fontSize": 14, "color": GREY}
    spec["encoding"] = {"text": {"field": "message", "type": "nominal"}}
    return spec


def line_chart(
    frame: pd.DataFrame,
    x: str,
    y: Sequence[str],
    *,
    title: str,
    note: str | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
    percent: bool = False,
    height: int = 360,
) -> dict:
    """Lines with points over the categories of ``x`` (kept in the frame's order), one per column of ``y``.

    Each series differs by colour, dash and point shape, and its last value is written above its last point,
    so the chart reads without the legend or colour.
    """
    names = [str(c) for c in y]
    values = []
    for col, name in zip(y, names, strict=True):
        numbers = [_number(v) for v in frame[col]]
        last = max((i for i, v in enumerate(numbers) if v is not None), default=None)
        colour = series_style(names.index(name))["colour"]
        for i, (cat, v) in enumerate(zip(frame[x], numbers, strict=True)):
            values.append({"x": str(cat), "series": name, "value": v,
                           "label": _label(v, percent) if i == last else "", "text_colour": text_colour(colour)})  # fmt: skip
    scales = _series_scales(names)
    fmt = ".1%" if percent else ",.0f"
    legend = {} if len(names) > 1 else None
    x_enc = {"field": "x", "type": "ordinal", "sort": [str(c) for c in frame[x]], "title": x_title,
             "axis": {"labelAngle": 0}}  # fmt: skip
    y_enc = {"field": "value", "type": "quantitative", "title": y_title,
             "axis": {"format": ".0%" if percent else ",.0f", "tickMinStep": 0.01 if percent else 1}}  # fmt: skip
    series = {"field": "series", "type": "nominal", "sort": names, "title": None}
    tooltip = [{"field": "x", "type": "ordinal", "title": x_title or x},
               {"field": "series", "type": "nominal", "title": y_title or "series"},
               {"field": "value", "type": "quantitative", "title": y_title or "value", "format": fmt}]  # fmt: skip
    spec = _base(title, note, height, values, {"kind": "line", "percent": percent, "series": names})
    spec["encoding"] = {"x": x_enc, "y": y_enc}
    spec["layer"] = [
        # One mark with its points (the shape channel reaches them), so the series make one legend (by colour;
        # dash and point shape tell the lines apart in the plot, and each line's last value is written by it).
        {"mark": {"type": "line", "strokeWidth": 2.5, "point": {"filled": True, "size": 60}},
         "encoding": {"color": {**series, "scale": scales["colour"], "legend": legend},
                      "shape": {**series, "scale": scales["shape"], "legend": legend},
                      "strokeDash": {**series, "scale": scales["dash"], "legend": None}, "tooltip": tooltip}},
        {"mark": {"type": "text", "dy": -12, "fontSize": 12, "fontWeight": "bold"},
         "transform": [{"filter": "datum.label != ''"}],
         "encoding": {"text": {"field": "label"}, "color": {"field": "text_colour", "type": "nominal", "scale": None}}},
    ]  # fmt: skip
    return spec


def bar_chart(
    frame: pd.DataFrame,
    category: str,
    columns: Sequence[str],
    *,
    title: str,
    note: str | None = None,
    value_title: str | None = None,
    percent: bool = False,
    height: int = 460,
) -> dict:
    """Horizontal grouped bars: a row per category of ``category`` (in the frame's order), a bar per column.

    Each series differs by colour and fill strength (with a full-colour outline), and each bar has its value
    written at its end.
    """
    names = [str(c) for c in columns]
    values = []
    for col, name in zip(columns, names, strict=True):
        colour = series_style(names.index(name))["colour"]
        for cat, v in zip(frame[category], frame[col], strict=True):
            n = _number(v)
            values.append({"category": str(cat), "series": name, "value": n, "label": _label(n, percent),
                           "text_colour": text_colour(colour)})  # fmt: skip
    scales = _series_scales(names)
    fmt = ".1%" if percent else ",.0f"
    legend = {"title": None, "orient": "bottom", "direction": "vertical", "symbolType": "square"} if len(names) > 1 else None
    series = {"field": "series", "type": "nominal", "sort": names}
    y_enc = {"field": "category", "type": "nominal", "sort": [str(c) for c in frame[category]], "title": None,
             "axis": {"labelLimit": 220}}  # fmt: skip
    x_enc = {"field": "value", "type": "quantitative", "title": value_title,
             "axis": {"format": ".0%" if percent else ",.0f", "tickMinStep": 0.01 if percent else 1}}  # fmt: skip
    top = max((r["value"] for r in values if r["value"] is not None), default=0)
    if top > 0:  # room after the longest bar for its value label (it was cut off at the chart's edge)
        x_enc["scale"] = {"domainMax": top * 1.18}
    tooltip = [{"field": "category", "type": "nominal", "title": " "},
               {"field": "series", "type": "nominal", "title": value_title or "series"},
               {"field": "value", "type": "quantitative", "title": value_title or "value", "format": fmt}]  # fmt: skip
    spec = _base(title, note, height, values, {"kind": "bar", "percent": percent, "series": names}, wrap=True)
    spec["encoding"] = {"y": y_enc, "x": x_enc, "yOffset": {**series}}
    spec["layer"] = [
        {"mark": {"type": "bar", "strokeWidth": 1.5, "cornerRadiusEnd": 1},
         "encoding": {"color": {**series, "scale": scales["colour"], "legend": legend},
                      "stroke": {**series, "scale": scales["colour"], "legend": None},
                      "fillOpacity": {**series, "scale": scales["opacity"], "legend": legend},
                      "tooltip": tooltip}},
        {"mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 11},
         "encoding": {"text": {"field": "label"}, "color": {"field": "text_colour", "type": "nominal", "scale": None}}},
    ]  # fmt: skip
    return spec


def text_summary(spec: dict, lang: str = ui_text.DEFAULT_LANG, *, max_series: int = 4) -> str:
    """The chart's text alternative, as :func:`analytics.charts.common.text_summary` words it for a Plotly figure:
    the title, then per series its highest, lowest and last values (or the empty chart's message)."""
    meta = spec.get("usermeta", {})
    title = spec.get("title", {}).get("text", "")
    title = " ".join(title) if isinstance(title, list) else title
    if meta.get("kind") == "empty":
        return describe_series(title, [], lang, message=meta.get("message"), max_series=max_series)
    cat_field = "x" if meta.get("kind") == "line" else "category"
    series = []
    for name in meta.get("series", []):
        pairs = [(row[cat_field], row["value"]) for row in spec["data"]["values"]
                 if row["series"] == name and row["value"] is not None]  # fmt: skip
        if pairs:
            series.append((name, pairs, bool(meta.get("percent"))))
    return describe_series(title, series, lang, max_series=max_series)
