"""Show a chart the house way: the figure (Plotly, or a Vega-Lite spec from analytics/charts/vega.py), a 「表で見る」 table view, a CSV download, a definitions link."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.errors import StreamlitAPIException

from analytics.charts import common, vega
from analytics.text.ui_text import t
from ui.auth import download_button, downloadable

DEFINITIONS_PAGE = "pages/definitions.py"


def page_link(page: str, label: str, *, icon: str | None = None, query_params: dict | None = None) -> None:
    """``st.page_link`` to a page in pages/; a plain note when Streamlit knows no such page (a page file run alone)."""
    try:
        st.page_link(page, label=label, icon=icon, query_params=query_params or None)
    except StreamlitAPIException:
        st.caption(label)


def definitions_link(indicator_ids: Sequence[str], lang: str) -> None:
    """A link to the definitions page, opened at the first indicator (``?indicator=<id>``)."""
    params = {"indicator": indicator_ids[0]} if indicator_ids else {}
    if lang != "ja":
        params["lang"] = lang
    page_link(DEFINITIONS_PAGE, t("chart.definitions", lang), icon=":material/menu_book:", query_params=params)


def show_table(frame: pd.DataFrame, **kwargs) -> None:
    """A table with thousands separators (1,234), no index, full width."""
    styled = not isinstance(frame, pd.DataFrame)  # a pandas Styler formats its own numbers
    numbers = {
        c: st.column_config.NumberColumn(format="localized")
        for c in ([] if styled else frame.select_dtypes("number").columns)
        if c not in kwargs.get("column_config", {})
    }
    config = {**numbers, **kwargs.pop("column_config", {})}
    st.dataframe(frame, hide_index=True, width="stretch", column_config=config, **kwargs)


def show_chart(
    fig: go.Figure | dict,
    table: pd.DataFrame,
    name: str,
    lang: str,
    *,
    indicators: Sequence[str] = (),
    alt: str | None = None,
    key: str | None = None,
) -> None:
    """Render ``fig`` with a table view toggle and a CSV download of ``table`` (exactly what the chart shows).

    ``name`` names the download file and the widgets' keys; ``indicators`` adds a link to their definitions;
    ``alt`` replaces the chart's text alternative, which is otherwise generated from the figure (its title, and per
    series the highest, lowest and last values: :func:`analytics.charts.common.text_summary`); the screen reader
    reads it as the chart's name, and the 「表で見る」 table is the full alternative.
    """
    key = key or name
    if vega.is_spec(fig):  # 概要's charts (analytics/charts/vega.py: no Plotly bundle on the landing page)
        alt = alt or vega.text_summary(fig, lang)
        st.vega_lite_chart(fig, width="stretch", theme=None, key=f"chart|{key}", alt=alt)  # alt: the chart's name
    else:
        alt = alt or common.text_summary(fig, lang)
        st.plotly_chart(fig, config=common.PLOTLY_CONFIG, width="stretch", key=f"chart|{key}", alt=alt)
    left, middle, right = st.columns([2, 2, 3], vertical_alignment="center")
    with left:
        as_table = st.toggle(t("chart.table_view", lang), key=f"table|{key}")
    # ui/auth.py: small cells suppressed for roles that may not see them (managers), and an audit event on click
    download_button(
        t("chart.download", lang), common.csv_bytes(downloadable(table)), file_name=common.file_name(name),
        what=key, mime="text/csv", key=f"csv|{key}", icon=":material/download:", type="tertiary", container=middle,
    )  # fmt: skip
    if indicators:
        with right:
            definitions_link(indicators, lang)
    if as_table:
        show_table(table, key=f"df|{key}")
