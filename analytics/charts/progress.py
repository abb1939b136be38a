"""Charts of the progress page: the burn-up (cumulative actual against the target line, with the projection
and its band, fiscal-year and stage boundaries) and the national headline (a different measure)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from analytics.charts import common

ACTUAL, TARGET, PROJECTION = common.OKABE_ITO[0], common.OKABE_ITO[7], common.OKABE_ITO[1]


def burnup(
    series: pd.DataFrame,
    *,
    title: str,
    labels: dict[str, str],
    y_title: str,
    x_title: str,
    note: str,
    stage_name: str,
) -> go.Figure:
    """Cumulative actual (solid, circles) against the linear target line (dashed, black), the projection to the
    period's end (dotted, diamonds) inside its shaded band, dotted fiscal-year boundaries and the stage's span.

    ``series`` is ``progress_view.burnup``; yearly reported figures (``attrs['steps']``) are drawn as steps
    (flat through the year, up at its end), never as invented months; ``labels`` names the traces (keys:
    actual, target_line, projection, band, target_value, fy_boundary). Every line differs in dash and marker
    as well as colour, and the latest actual and the target are written on the chart.
    """
    fig = go.Figure()
    x = pd.to_datetime(series["month_end"])
    band = series["projection_low"].notna()
    # a band only where it has a width: a projection from yearly or cumulative reported figures has none
    wide = band.any() and bool((series.loc[band, "projection_high"] > series.loc[band, "projection_low"]).any())
    if wide:
        fig.add_trace(go.Scatter(x=x[band], y=series.loc[band, "projection_high"], mode="lines",
                                 line={"width": 0}, showlegend=False, hoverinfo="skip"))  # fmt: skip
        fig.add_trace(go.Scatter(
            x=x[band], y=series.loc[band, "projection_low"], mode="lines", line={"width": 0}, fill="tonexty",
            fillcolor="rgba(230,159,0,0.18)", fillpattern={"shape": ".", "fgcolor": "rgba(230,159,0,0.5)"},
            name=labels["band"], hoverinfo="skip",
        ))  # fmt: skip
    if band.any():
        fig.add_trace(go.Scatter(
            x=x[band], y=series.loc[band, "projection"], mode="lines+markers", name=labels["projection"],
            line={"color": PROJECTION, "dash": "dot", "width": 2.5}, marker={"symbol": "diamond", "size": 6},
            hovertemplate="%{x|%Y-%m}: %{y:,.0f}<extra></extra>",
        ))  # fmt: skip
    target_line = series["target_line"].notna()
    fig.add_trace(go.Scatter(
        x=x[target_line], y=series.loc[target_line, "target_line"], mode="lines", name=labels["target_line"],
        line={"color": TARGET, "dash": "dash", "width": 2}, hovertemplate="%{x|%Y-%m}: %{y:,.0f}<extra></extra>",
    ))  # fmt: skip
    known = series["actual"].notna()
    actual = series.loc[known, "actual"]
    text = [""] * len(actual)
    if len(actual):
        text[-1] = f"{actual.iloc[-1]:,.0f}"
    fig.add_trace(go.Scatter(
        x=x[known], y=actual, mode="lines+markers+text", name=labels["actual"], text=text,
        textposition="top left", textfont={"color": common.text_colour(ACTUAL), "size": 13},
        line={"color": ACTUAL, "width": 3, "shape": "hv" if series.attrs.get("steps") else "linear"},
        marker={"symbol": "circle", "size": 6}, hovertemplate="%{x|%Y-%m-%d}: %{y:,.0f}<extra></extra>",
    ))  # fmt: skip
    target = series.attrs.get("target")
    start, end = series.attrs.get("period_start"), series.attrs.get("period_end")
    if target is not None:
        fig.add_hline(y=target, line={"color": TARGET, "width": 1, "dash": "dot"},
                      annotation_text=labels["target_value"], annotation_position="bottom left")  # fmt: skip
    if start is not None and end is not None:
        # the stage's span, and dotted lines at each fiscal-year boundary inside it
        fig.add_vrect(x0=pd.Timestamp(start), x1=pd.Timestamp(end), fillcolor="#F3F4F6", opacity=0.5,
                      line_width=0, layer="below", annotation_text=stage_name,
                      annotation_position="bottom right")  # fmt: skip
        for year in range(start.year + 1, end.year + 1):
            boundary = pd.Timestamp(dt.date(year, 4, 1))
            if pd.Timestamp(start) < boundary < pd.Timestamp(end):
                fig.add_vline(x=boundary, line={"color": common.GREY, "width": 1, "dash": "dot"})
    # with a projection the legend has three or four long names: below the plot, so it never covers the title
    common.style(fig, title=title, note=note, x_title=x_title, y_title=y_title, height=460 if band.any() else 400,
                 legend_below=bool(band.any()))
    # Horizontal month labels, a quarter or half-year apart: rotated labels in a half-width column pushed the
    # axis title onto the source note below the chart.
    months = (x.max().year - x.min().year) * 12 + x.max().month - x.min().month if len(x) else 0
    fig.update_xaxes(tickformat="%Y-%m", dtick="M3" if months <= 15 else "M6" if months <= 36 else "M12",
                     tick0=x.min() if len(x) else None, tickangle=0)  # fmt: skip (ticks from the period's April)
    # Headroom above the highest line, so the label of the latest actual is not cut off at the top.
    plotted = [series[c].max() for c in ("actual", "target_line", "projection_high") if c in series]
    top = max([v for v in (*plotted, target) if v is not None and pd.notna(v)], default=0)
    if top > 0:
        fig.update_yaxes(range=[0, top * 1.12])
    return fig


def headline(table: pd.DataFrame, *, title: str, goal_label: str, y_title: str, note: str,
             x_col: str, y_col: str, goal: float | None) -> go.Figure:  # fmt: skip
    """Published results as bars (hatched, to set them apart from program records) with the goal as a line."""
    fig = go.Figure()
    fig.add_trace(go.Bar(
        x=table[x_col].astype(str), y=table[y_col], name=y_title, text=[f"+{v:,.0f}" for v in table[y_col]],
        textposition="outside", cliponaxis=False,
        marker=common.patterned_marker(common.OKABE_ITO[5], "/"),
    ))  # fmt: skip
    if goal is not None:
        fig.add_hline(y=goal, line={"color": common.OKABE_ITO[3], "dash": "dash", "width": 2},
                      annotation_text=goal_label, annotation_position="top left")  # fmt: skip
    common.style(fig, title=title, note=note, y_title=y_title, height=340, legend=False)
    fig.update_yaxes(range=[0, (goal or table[y_col].max()) * 1.15])
    fig.update_xaxes(type="category")
    return fig
