"""The dashboard's chart conventions as pure functions: palette, fonts, titles, source notes, CSV export.

Every figure goes through :func:`style`: colour-blind-safe Okabe–Ito colours, a marker symbol, dash and bar
pattern per series (meaning never rests on colour alone), the Japanese font stack, a title that says what
and when, axis titles with units, and a source / as-of note under the plot. No data access here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from analytics.text import ui_text

# Okabe & Ito (2008), "Color Universal Design": distinguishable with the common colour-vision deficiencies.
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow (light: for fills, not for text or thin lines)
    "#000000",  # black
)
GREY = "#6B7280"
LIGHT_GREY = "#D1D5DB"
MARKERS: tuple[str, ...] = ("circle", "square", "diamond", "triangle-up", "x", "star", "cross", "hexagon")
DASHES: tuple[str, ...] = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
PATTERNS: tuple[str, ...] = ("", "/", ".", "x", "\\", "+", "-", "|")
FONT_FAMILY = "Noto Sans CJK JP, Noto Sans JP, sans-serif"

# Status colours (Okabe–Ito) — always shown with their words (順調 / 注意 / 遅れ).
STATUS_COLOURS: dict[str, str] = {
    "on_track": "#009E73",
    "at_risk": "#E69F00",
    "off_track": "#D55E00",
    "not_started": GREY,
}
STATUS_SYMBOLS: dict[str, str] = {"on_track": "●", "at_risk": "▲", "off_track": "✖", "not_started": "○"}

# The plotly config every chart is shown with: no logo, no link to plotly's cloud, nothing fetched.
# Plotly.js fetches a world base map ({topojsonURL}world_110m.json) for any geo chart, even with every base
# layer off. Every chart points it at an empty topology inline instead (the '#' makes the appended file name
# a fragment), so no browser on a closed network ever asks cdn.plot.ly for anything.
EMPTY_TOPOJSON_URL = 'data:application/json,{"type":"Topology","objects":{},"arcs":[]}#'

PLOTLY_CONFIG: dict = {
    "topojsonURL": EMPTY_TOPOJSON_URL,
    "displaylogo": False,
    "showLink": False,
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "modeBarButtonsToRemove": ["lasso2d", "select2d", "sendDataToCloud"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
    "responsive": True,
}


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2.x contrast ratio of two '#rrggbb' colours (1 to 21)."""

    def luminance(hex_colour: str) -> float:
        rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def text_colour(colour: str, background: str = "#FFFFFF", minimum: float = 4.5) -> str:
    """``colour`` darkened just enough to be read as text on ``background`` (WCAG AA 4.5:1).

    Value labels are written in their series' colour so they read as belonging to it; the lighter Okabe–Ito
    colours (orange 2.2:1, sky blue 2.3:1, bluish green 3.4:1 on white) are too light for text as they are.
    """
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    for step in range(101):
        k = 1 - step / 100
        darker = f"#{round(r * k):02X}{round(g * k):02X}{round(b * k):02X}"
        if contrast_ratio(darker, background) >= minimum:
            return darker
    return "#000000"


def tint(colour: str, alpha: float, background: str = "#FFFFFF") -> str:
    """``colour`` at ``alpha`` over ``background``, as an opaque '#RRGGBB' (so its contrast can be computed)."""
    fg = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    bg = [int(background[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(alpha * f + (1 - alpha) * b):02X}" for f, b in zip(fg, bg, strict=True))


def status_cell_css(code: str) -> str:
    """CSS for a status cell: a light tint of the status colour and the words in a darker shade of it (≥ 4.5:1)."""
    if code not in STATUS_COLOURS:
        return ""
    fill = tint(STATUS_COLOURS[code], 0.13)
    return f"background-color: {fill}; color: {text_colour(STATUS_COLOURS[code], fill)}; font-weight: 600"


def colour(i: int) -> str:
    """The i-th series colour (skipping the light yellow for lines and markers)."""
    usable = [c for c in OKABE_ITO if c != "#F0E442"]
    return usable[i % len(usable)]


def series_style(i: int) -> dict:
    """Colour, marker symbol, dash and bar pattern of the i-th series: each series differs in more than colour."""
    return {
        "colour": colour(i),
        "marker": MARKERS[i % len(MARKERS)],
        "dash": DASHES[i % len(DASHES)],
        "pattern": PATTERNS[i % len(PATTERNS)],
    }


def patterned_marker(colour, shape) -> dict:
    """A bar marker: the colour with a white fill pattern over it (colour and shape may be per-bar lists).

    The background is set explicitly: the plotly.js inside Streamlit leaves a pattern's background
    transparent, which drew white stripes on nothing (invisible bars on the overview page).
    """
    return {"color": colour, "pattern": {"shape": shape, "fgcolor": "white", "bgcolor": colour, "size": 6}}


def chart_title(what: str, when: str | None = None) -> str:
    """A title that says what and when: 「正社員就職者数の推移 — 令和5年度 (FY2023)」."""
    return f"{what} — {when}" if when else what


def source_note(as_of: dt.date | None, lang: str = ui_text.DEFAULT_LANG, extra: str | None = None) -> str:
    """The source and as-of note under every chart."""
    text = ui_text.t("chart.source", lang, as_of=ui_text.format_date(as_of, lang))
    return f"{text}　{extra}" if extra else text


def style(
    fig: go.Figure,
    *,
    title: str,
    note: str | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
    height: int = 380,
    legend: bool = True,
    y_format: str | None = ",",
    legend_below: bool = False,
) -> go.Figure:
    """Apply the house layout: font, title, axis titles (with units), grid, legend, source note.

    The legend sits under the title, or under the plot with ``legend_below`` (narrow charts with long names).
    """
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        font={"family": FONT_FAMILY, "size": 13, "color": "#1F2937"},
        colorway=list(OKABE_ITO),
        paper_bgcolor="white",
        plot_bgcolor="white",
        height=height,
        margin={
            "l": 60,
            "r": 24,
            "t": 84 if legend and not legend_below else 56,
            "b": (104 if note else 48) + (70 if legend and legend_below else 0),
        },
        showlegend=legend,
        legend=(
            {"orientation": "h", "yanchor": "top", "y": -0.14, "xanchor": "left", "x": 0}
            if legend_below
            else {"orientation": "h", "yanchor": "bottom", "y": 1.01, "xanchor": "left", "x": 0}
        ),
        hoverlabel={"font": {"family": FONT_FAMILY}},
        separators=".,",
    )
    fig.update_xaxes(title_text=x_title, showgrid=False, linecolor=LIGHT_GREY, ticks="outside")
    fig.update_yaxes(title_text=y_title, gridcolor="#EEF0F3", zerolinecolor=LIGHT_GREY, rangemode="tozero")
    if y_format:
        fig.update_yaxes(tickformat=y_format)
    if note:
        fig.add_annotation(
            text=note, xref="paper", yref="paper", x=0, y=0, yshift=-140 if legend and legend_below else -70,
            xanchor="left", yanchor="top",
            showarrow=False, font={"size": 11, "color": GREY}, align="left",
        )  # fmt: skip
    return fig


def empty_figure(message: str, *, title: str = "", height: int = 240) -> go.Figure:
    """A figure that says there is nothing to draw (instead of an empty grid)."""
    fig = go.Figure()
    fig.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font={"size": 14, "color": GREY})  # fmt: skip
    style(fig, title=title, height=height, legend=False, y_format=None)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def line_chart(
    frame: pd.DataFrame,
    x: str,
    y: str | Sequence[str],
    *,
    names: dict[str, str] | None = None,
    series: str | None = None,
    title: str,
    note: str | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
    label_last: bool = True,
    percent: bool = False,
    height: int = 380,
) -> go.Figure:
    """Lines with markers, one per column of ``y`` (or per value of ``series``); the last point labelled.

    Each series differs by colour, marker symbol and dash; the last value is written beside the line, so
    the chart reads without a legend or colour.
    """
    fig = go.Figure()
    if series:
        parts = [(str(k), g) for k, g in frame.groupby(series, sort=False)]
        pairs = [(name, g, y if isinstance(y, str) else y[0]) for name, g in parts]
    else:
        cols = [y] if isinstance(y, str) else list(y)
        pairs = [((names or {}).get(c, c), frame, c) for c in cols]
    fmt = ".1%" if percent else ","
    for i, (name, part, col) in enumerate(pairs):
        s = series_style(i)
        values = part[col]
        text = [""] * len(part)
        if label_last and len(part):
            last = values.last_valid_index()
            if last is not None:
                pos = list(part.index).index(last)
                text[pos] = f"{values.loc[last]:{fmt}}" if not percent else f"{values.loc[last] * 100:.1f}%"
        fig.add_trace(go.Scatter(
            x=part[x], y=values, name=name, mode="lines+markers+text", text=text, textposition="top center",
            line={"color": s["colour"], "dash": s["dash"], "width": 2.5},
            marker={"symbol": s["marker"], "size": 7, "color": s["colour"]},
            textfont={"color": text_colour(s["colour"])},
            hovertemplate=f"%{{x}}<br>{name}: %{{y:{fmt}}}<extra></extra>",
        ))  # fmt: skip
    style(fig, title=title, note=note, x_title=x_title, y_title=y_title, height=height,
          legend=len(pairs) > 1, y_format=".0%" if percent else ",")  # fmt: skip
    return fig


def bar_chart(
    frame: pd.DataFrame,
    x: str,
    y: str | Sequence[str],
    *,
    names: dict[str, str] | None = None,
    title: str,
    note: str | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
    horizontal: bool = False,
    percent: bool = False,
    height: int = 380,
    barmode: str = "group",
) -> go.Figure:
    """Bars, one trace per column of ``y``, each with its own colour and fill pattern and a value label."""
    fig = go.Figure()
    cols = [y] if isinstance(y, str) else list(y)
    for i, col in enumerate(cols):
        s = series_style(i)
        values = frame[col]
        labels = [f"{v * 100:.1f}%" if percent else f"{v:,.0f}" if pd.notna(v) else "" for v in values]
        cat, val = (values, frame[x]) if horizontal else (frame[x], values)
        fig.add_trace(go.Bar(
            x=cat, y=val, name=(names or {}).get(col, col), orientation="h" if horizontal else "v",
            marker=patterned_marker(s["colour"], s["pattern"]),
            text=labels, textposition="outside", cliponaxis=False,
        ))  # fmt: skip
    style(fig, title=title, note=note, x_title=x_title, y_title=y_title, height=height, legend=len(cols) > 1,
          y_format=None if horizontal else (".0%" if percent else ","), legend_below=horizontal)  # fmt: skip
    fig.update_layout(barmode=barmode, bargap=0.25)
    if horizontal:
        fig.update_yaxes(autorange="reversed", rangemode=None)
        fig.update_xaxes(tickformat=".0%" if percent else ",", rangemode="tozero")
    return fig


# -------------------------------------------------------------------------------------------------
# Text alternative: what a chart shows and its key numbers, in words (the figure's accessible name)
# -------------------------------------------------------------------------------------------------


def _plain(text: object) -> str:
    """Plotly text without its HTML (<br>, <b>) and with runs of spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<br\s*/?>", " ", re.sub(r"<(?!br)[^>]*>", "", str(text or "")))).strip()


def _category(value: object) -> str:
    if isinstance(value, (dt.date, pd.Timestamp)) or type(value).__name__ == "datetime64":
        return pd.Timestamp(value).strftime("%Y-%m")
    return _plain(value)


def _number(value: float, percent: bool, lang: str) -> str:
    if percent:
        return f"{value * 100:.1f}%"
    return ui_text.format_count(value, lang) if float(value).is_integer() or abs(value) >= 100 else f"{value:,.3g}"


def _series(fig: go.Figure, trace) -> tuple[list[tuple[object, float]], bool] | None:
    """(category, value) pairs of a trace and whether its values are fractions shown as percent."""
    kind = trace.type
    if kind in ("scatter", "bar", "funnel"):
        horizontal = trace.orientation == "h" or (kind == "funnel" and trace.orientation != "v")
        values, cats = (trace.x, trace.y) if horizontal else (trace.y, trace.x)
        axis_name = (trace.xaxis if horizontal else trace.yaxis) or ("x" if horizontal else "y")
        axis = fig.layout[axis_name.replace("x", "xaxis").replace("y", "yaxis")]
        percent = "%" in str(axis.tickformat or "")
    elif kind == "choropleth":
        if trace.showscale is False:  # an overlay (areas with no data drawn grey), not values
            return None
        values, percent = trace.z, False
        names = trace.customdata  # the house maps carry (code, name, ...) per area
        cats = [row[1] for row in names] if names is not None and len(names) and len(names[0]) > 1 else trace.locations
    elif kind == "heatmap":
        z = trace.z if trace.z is not None else ()
        values = [v for row in z for v in (row if isinstance(row, (list, tuple)) or hasattr(row, "__len__") else [row])]
        cats, percent = None, False
    elif kind == "sankey":  # the flows, "from → to"
        labels = list(trace.node.label or ())
        values, percent = trace.link.value, False
        cats = [
            f"{_plain(labels[a] if a < len(labels) else a).strip('→ ')} → "
            f"{_plain(labels[b] if b < len(labels) else b).strip('→ ')}"
            for a, b in zip(trace.link.source or (), trace.link.target or (), strict=False)
        ]
    else:
        return None
    if values is None:
        return None
    values = list(values)
    cats = list(cats) if cats is not None and len(cats) == len(values) else [None] * len(values)
    pairs = []
    for c, v in zip(cats, values, strict=True):
        try:
            number = float(v)
        except (TypeError, ValueError):
            continue
        if math.isfinite(number):
            pairs.append((c, number))
    return (pairs, percent) if pairs else None


def text_summary(fig: go.Figure, lang: str = ui_text.DEFAULT_LANG, *, max_series: int = 4) -> str:
    """A short text alternative for a chart: its title, then per series its highest, lowest and last values.

    Shown as the chart's accessible name (ui/charts.py); the 「表で見る」 table beside it is the full alternative.
    """
    series, seen = [], set()
    for trace in fig.data:
        found = _series(fig, trace)
        if found is None or (trace.name and trace.name in seen):  # e.g. a limit's upper and lower line
            continue
        seen.add(trace.name)
        series.append((_plain(trace.name), *found))
    # an empty figure: its message ("no data for this selection")
    messages = [_plain(a.text) for a in fig.layout.annotations if a.text and a.xref == "paper"][-1:]
    return describe_series(_plain(fig.layout.title.text), series, lang, message=messages[0] if messages else None,
                           max_series=max_series)  # fmt: skip


def describe_series(
    title: str,
    series: Sequence[tuple[str, list[tuple[object, float]], bool]],
    lang: str = ui_text.DEFAULT_LANG,
    *,
    message: str | None = None,
    max_series: int = 4,
) -> str:
    """The words of a text alternative: ``title``, then per (name, [(category, value)], percent) series its
    highest, lowest and last values; ``message`` (an empty chart's) when there is no series.

    One wording for every chart, whichever library draws it (Plotly here, Vega-Lite in ``charts/vega.py``).
    """
    sentences = [title] if title else []
    described = []
    for name, pairs, percent in series:
        hi = max(pairs, key=lambda p: p[1])
        lo = min(pairs, key=lambda p: p[1])
        last = pairs[-1]

        def at(p: tuple[object, float]) -> str:
            return (_category(p[0]) if p[0] is not None else "") or "—"

        described.append(ui_text.t(
            "chart.summary_series", lang, name=name or title or "—",
            n=len(pairs), max=_number(hi[1], percent, lang), max_at=at(hi), min=_number(lo[1], percent, lang),
            min_at=at(lo), last=_number(last[1], percent, lang), last_at=at(last),
        ))  # fmt: skip
    if not described and message:
        sentences.append(message)
    sentences += described[:max_series]
    if len(described) > max_series:
        sentences.append(ui_text.t("chart.summary_more", lang, n=len(described) - max_series))
    else:
        sentences.append(ui_text.t("chart.summary_table", lang))
    stop = ". " if lang == "en" else "。"
    return stop.join(s.rstrip("。. ") for s in sentences if s) + stop.strip()


def sparkline_values(frame: pd.DataFrame, column: str) -> list[float]:
    """The values of a short series for a card's sparkline (missing values dropped)."""
    return [float(v) for v in frame[column] if pd.notna(v)] if column in frame else []


# -------------------------------------------------------------------------------------------------
# CSV export of what a chart shows
# -------------------------------------------------------------------------------------------------

# Spreadsheet programs run a cell that starts with one of these as a formula (CSV injection, OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A text cell that a spreadsheet would read as a formula, prefixed with ' so it stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The table as CSV in UTF-8 with a BOM (Excel opens it as UTF-8), formula-like text neutralised.

    Numbers stay numbers (a negative count is not text and is left alone); column names are neutralised too.
    """
    out = frame.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    buf = io.StringIO()
    out.to_csv(buf, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    return "\ufeff".encode() + buf.getvalue().encode("utf-8")


def file_name(name: str, suffix: str = "csv") -> str:
    """A download file name from a chart name: spaces and path characters replaced."""
    safe = "".join("_" if ch in '/\\:*?"<>| ' else ch for ch in name).strip("_") or "chart"
    return f"{safe}.{suffix}"
