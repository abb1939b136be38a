"""Charts of the overview page: the monthly trend (this fiscal year against the last) and the target groups."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analytics.charts import common


def monthly_trend(table: pd.DataFrame, *, title: str, y_title: str, x_title: str, note: str) -> go.Figure:
    """Lines by month of the fiscal year (April first), one per fiscal year column of ``table``.

    ``table``: the first column is the month label, every other column one year's values (``overview.monthly_table``).
    The latest year is drawn first (blue, solid, circles); the previous one dashed with squares.
    """
    if table.empty:
        return common.empty_figure("–", title=title)
    x = table.columns[0]
    years = list(table.columns[1:])[::-1]  # latest first: it gets the first (strongest) style
    fig = common.line_chart(table, x, years, title=title, note=note, x_title=x_title, y_title=y_title, height=360)
    fig.update_xaxes(type="category")
    return fig


def group_bars(table: pd.DataFrame, columns: list[str], *, title: str, y_title: str, note: str) -> go.Figure:
    """Grouped horizontal bars per target group (first column of ``table``), one patterned bar per column;
    ``y_title`` names the value axis (it runs horizontally)."""
    if table.empty:
        return common.empty_figure("–", title=title)
    return common.bar_chart(
        table, table.columns[0], columns, title=title, note=note, x_title=y_title, horizontal=True, height=460
    )
