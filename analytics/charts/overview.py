"""Charts of the overview page: the monthly trend (this fiscal year against the last) and the target groups.

Drawn with Vega-Lite (:mod:`analytics.charts.vega`): 概要 is the page every planner opens first, and Vega is
already loaded there for the KPI cards' sparklines, while Plotly would cost the browser its 4.7 MB bundle on
every visit (docs/performance.md).
"""

from __future__ import annotations

import pandas as pd

from analytics.charts import vega


def monthly_trend(table: pd.DataFrame, *, title: str, y_title: str, x_title: str, note: str) -> dict:
    """Lines by month of the fiscal year (April first), one per fiscal year column of ``table``.

    ``table``: the first column is the month label, every other column one year's values (``overview.monthly_table``).
    The latest year is drawn first (blue, solid, circles); the previous one dashed with squares.
    """
    if table.empty:
        return vega.empty_chart("–", title=title)
    years = list(table.columns[1:])[::-1]  # latest first: it gets the first (strongest) style
    return vega.line_chart(table, table.columns[0], years, title=title, note=note, x_title=x_title, y_title=y_title)


def group_bars(table: pd.DataFrame, columns: list[str], *, title: str, y_title: str, note: str) -> dict:
    """Grouped horizontal bars per target group (first column of ``table``), one bar per column, each series
    with its own colour and fill; ``y_title`` names the value axis (it runs horizontally)."""
    if table.empty:
        return vega.empty_chart("–", title=title)
    return vega.bar_chart(table, table.columns[0], columns, title=title, note=note, value_title=y_title)
