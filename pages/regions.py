"""地域 Regions: one indicator for every prefecture — map or tile grid, ranking, funnel plot — and drill-down."""

from __future__ import annotations

import streamlit as st

from analytics.access import scope
from analytics.charts import common, regions as charts
from analytics.metrics import indicators
from analytics.text import ui_text
from analytics.text.ui_text import t
from analytics.views import regions
from ui import current_filters, query
from ui.auth import download_button, downloadable, require_viewer
from ui.charts import definitions_link, show_chart, show_table

lang = ui_text.lang_or_default(st.session_state.get("lang"))
viewer = require_viewer()  # ui/auth.py: the only gate when a page file runs on its own
filters = current_filters()
DEFAULT_INDICATOR = "retention_6m_rate"  # a final rate in every year (cohort rates wait for their window)
IDS = [i.id for i in indicators.REGISTRY]


def _select(code: str | None) -> None:
    """Select a prefecture (or none): the sidebar's prefecture widget and the link follow."""
    st.session_state["f.pref"] = code
    st.session_state["f.muni"] = None
    if code:
        st.query_params["pref"] = code
    else:
        st.query_params.pop("pref", None)
    st.query_params.pop("muni", None)


def _from_bar() -> None:
    event = st.session_state.get("regions.bar")
    points = event.selection.points if event else []
    if points and points[0].get("customdata"):
        _select(points[0]["customdata"][0])


def _from_table() -> None:
    event = st.session_state.get("regions.table")
    rows = event.selection.rows if event else []
    if rows:
        _select(ui_text.prefecture_codes()[rows[0]])


def _remember_indicator() -> None:
    st.query_params["indicator"] = st.session_state["regions.indicator"]


def chart_with_table(fig, table, name: str, key: str, *, config: dict, **select) -> None:
    """show_chart with our own plotly config (the map's offline base map) and optional click selection."""
    st.plotly_chart(fig, config=config, width="stretch", key=key, alt=common.text_summary(fig, lang), **select)
    left, middle = st.columns([2, 3], vertical_alignment="center")
    as_table = left.toggle(t("chart.table_view", lang), key=f"table|{key}")
    download_button(
        t("chart.download", lang), common.csv_bytes(downloadable(table)), file_name=common.file_name(name),
        what=key, mime="text/csv", key=f"csv|{key}", icon=":material/download:", type="tertiary",
        container=middle,
    )  # fmt: skip
    if as_table:
        show_table(table, key=f"df|{key}")


st.title(t("regions.title", lang))
st.caption(t("regions.caption", lang))

if "regions.indicator" not in st.session_state:
    linked = st.query_params.get("indicator")
    st.session_state["regions.indicator"] = linked if linked in IDS else DEFAULT_INDICATOR
pick, view_col, link_col = st.columns([3, 2, 2], vertical_alignment="bottom")
indicator_id = pick.selectbox(
    t("regions.indicator", lang), IDS, key="regions.indicator", on_change=_remember_indicator,
    format_func=lambda i: charts.indicator_name(i, lang),
)  # fmt: skip
view = view_col.segmented_control(
    t("regions.view", lang), ["map", "tiles"], default="map", required=True, key="regions.view",
    format_func=lambda v: t(f"regions.view_{v}", lang),
)  # fmt: skip
with link_col:
    definitions_link([indicator_id], lang)

ind = indicators.REGISTRY_BY_ID[indicator_id]
name = charts.indicator_name(indicator_id, lang)
period = regions.period_label(filters, lang)
as_of = query(indicators.as_of)
source = common.source_note(as_of, lang)
values = query(regions.prefecture_values, indicator_id, filters)
selected = filters.prefecture_code

if not values["has_data"].any():
    st.info(t("regions.empty", lang), icon=":material/travel_explore:")
    st.stop()
if ind.kind == "rate" and values["value"].isna().all():
    st.info(t("regions.not_final_all", lang, months=ind.window_months or ""), icon=":material/hourglass_top:")
    st.stop()

table = regions.display_table(values, indicator_id, lang)
left, right = st.columns([3, 2], gap="medium")
with left:
    title = t("regions.map_title", lang, indicator=name, period=period)
    if view == "tiles":
        fig = charts.tile_map(values, regions.tile_grid(lang), indicator_id, title=title, lang=lang,
                              selected=selected, source=source)  # fmt: skip
    else:
        fig = charts.choropleth(values, indicator_id, title=title, lang=lang, selected=selected, source=source)
    chart_with_table(fig, table, f"{name}_{period}_map", "regions.map", config=charts.MAP_CONFIG)
with right:
    bar_title = t("regions.bar_title", lang, indicator=name, period=period).replace(" — ", "<br>")  # narrow column
    bar = charts.ranking_bar(values, indicator_id, title=bar_title,
                             lang=lang, selected=selected, source=source)  # fmt: skip
    chart_with_table(bar, table, f"{name}_{period}_ranking", "regions.bar", config=common.PLOTLY_CONFIG,
                     on_select=_from_bar, selection_mode="points")  # fmt: skip
    st.caption(t("regions.select_hint", lang))

unknown = values.attrs.get("unknown_region")
if unknown and unknown.get("value") is not None and unknown["value"] == unknown["value"]:  # not NaN
    st.caption(t("regions.unknown_region", lang, value=charts.format_value(unknown.get("value"), indicator_id)))

# -- Funnel plot: is a place really different, or just small?
if ind.kind == "rate":
    lines = regions.funnel_lines(values.attrs.get("reference_rate"), float(values["denominator"].max() or 0))
    funnel = charts.funnel_plot(values, lines, indicator_id, lang=lang, selected=selected, source=source,
                                title=t("regions.funnel_title", lang, indicator=name, period=period))  # fmt: skip
    f_left, f_right = st.columns([3, 2], gap="medium")
    with f_left:
        show_chart(funnel, table, f"{name}_{period}_funnel", lang, key="regions.funnel")
    with f_right:
        st.caption(t("regions.funnel_help", lang))
        outside = regions.outside_limits(values)
        if outside.empty:
            st.success(t("regions.flagged_none", lang), icon=":material/check_circle:")
        else:

            def names(part) -> str:
                found = [ui_text.prefecture_label(c, lang) for c in part["prefecture_code"]]
                return "、".join(found) if found else t("regions.none", lang)

            above = outside[outside["position"].str.startswith("above")]
            below = outside[outside["position"].str.startswith("below")]
            st.warning(t("regions.flagged", lang, above=names(above), below=names(below)), icon=":material/flag:")
else:
    st.caption(t("regions.funnel_rates_only", lang))

# -- Every prefecture as a table; clicking a row selects it.
st.subheader(t("regions.table_heading", lang))
st.dataframe(table, hide_index=True, width="stretch", key="regions.table", on_select=_from_table,
             selection_mode="single-row", height=420)  # fmt: skip

# -- Drill-down: the selected prefecture's municipalities.
if selected is None:
    st.info(t("regions.drill_none", lang), icon=":material/ads_click:")
    st.stop()
pref_name = ui_text.prefecture_label(selected, lang)
if not viewer.can_see_municipalities_of(selected):  # analytics/access/scope.py would refuse the query anyway
    st.info(scope.refusal_message(viewer, selected), icon=":material/lock:")
    st.stop()
head, clear = st.columns([5, 1], vertical_alignment="bottom")
head.subheader(t("regions.drill_heading", lang, prefecture=pref_name))
clear.button(t("regions.clear_selection", lang), on_click=_select, args=(None,), key="regions.clear",
             icon=":material/close:", type="tertiary")  # fmt: skip
munis = query(regions.municipality_values, indicator_id, selected, filters)
if munis.empty or munis["value"].isna().all():
    st.info(t("regions.drill_empty", lang, prefecture=pref_name), icon=":material/info:")
    st.stop()
muni_fig = charts.ranking_bar(
    munis, indicator_id, lang=lang, source=source,
    title=t("regions.muni_title", lang, prefecture=pref_name, indicator=name, period=period),
)  # fmt: skip
show_chart(muni_fig, regions.display_table(munis, indicator_id, lang, level="municipality"),
           f"{name}_{pref_name}_{period}", lang, key="regions.muni")  # fmt: skip
if ind.kind == "rate":
    ref = munis.attrs.get("reference_rate")
    st.caption(t("regions.drill_note", lang, prefecture=pref_name, value=charts.format_value(ref, indicator_id)))
