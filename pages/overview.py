"""概要 Overview: KPI cards with the change from the previous year, the monthly trend, the target groups,
a generated summary sentence, and the data's as-of date with the batches behind it."""

from __future__ import annotations

import streamlit as st

from analytics.charts import common, overview as charts
from analytics.text import ui_text
from analytics.text.ui_text import t
from analytics.views import overview, status, summary
from ui import current_filters, query
from ui.auth import require_viewer
from ui.cards import kpi_row
from ui.charts import page_link, show_chart, show_table

lang = ui_text.lang_or_default(st.session_state.get("lang"))
viewer = require_viewer()  # ui/auth.py: the only gate when a page file runs on its own
filters = current_filters()

st.title(t("overview.title", lang))
loaded = query(status.loaded_summary)
if loaded.batches == 0 or loaded.is_empty:
    st.info(t("overview.empty", lang), icon=":material/upload_file:")
    page_link("pages/upload.py", t("overview.go_upload", lang), icon=":material/upload_file:")
    st.stop()

ov = query(overview.build_overview, filters)
period = overview.period_label(ov, lang)
scope = overview.scope_label(filters, lang)
st.caption(t("overview.kpi_caption", lang, period=period, scope=scope))
sentence = summary.overview_sentence(ov, lang)

if ov.is_empty or all(k.value in (None, 0) for k in ov.kpis if k.kind == "count"):
    st.warning(t("overview.no_filter_data", lang), icon=":material/filter_alt_off:")
else:
    with st.container(border=True):
        st.markdown(f"**{sentence}**")
    kpi_row(ov.kpis, lang, stage_total=ov.fiscal_year is None)

    note = common.source_note(ov.as_of, lang)
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.subheader(t("overview.trend", lang))
        trend_id = st.segmented_control(
            t("overview.trend_indicator", lang), overview.TREND_IDS, default="regular_placed_persons",
            format_func=lambda i: overview.indicator_label(i, lang), key="ov.trend", required=True,
            label_visibility="collapsed",
        )  # fmt: skip
        table = overview.monthly_table(ov, trend_id, lang)
        label = overview.indicator_label(trend_id, lang)
        fig = charts.monthly_trend(
            table, title=common.chart_title(t("overview.trend_title", lang, indicator=label), period),
            y_title=f"{label}（{overview.unit_label(trend_id, lang)}）" if lang != "en"
            else f"{label} ({overview.unit_label(trend_id, lang)})",
            x_title=t("overview.axis_month", lang), note=note,
        )  # fmt: skip
        show_chart(fig, table, f"{label}_{period}", lang, indicators=[trend_id], key="trend")
    with right:
        st.subheader(t("overview.by_group", lang))
        groups = overview.group_table(ov, lang)
        count_cols = [overview.indicator_label(i, lang) for i in overview.GROUP_COUNT_IDS]
        fig = charts.group_bars(
            groups, count_cols, title=common.chart_title(t("overview.group_title", lang), period),
            y_title=t("overview.axis_persons", lang), note=note,
        )  # fmt: skip
        show_chart(fig, groups, f"{t('overview.by_group', lang)}_{period}", lang,
                   indicators=list(overview.GROUP_COUNT_IDS), key="groups")  # fmt: skip

# What the numbers rest on: the data's as-of date, the loaded batches, and the row counts.
st.subheader(t("overview.data_behind", lang))
st.caption(
    t(
        "overview.batches_behind", lang, as_of=ui_text.format_date(loaded.as_of_date, lang),
        n=ui_text.format_count(len(ov.batches)), loaded=ui_text.format_date(loaded.last_loaded_at, lang),
    )
)  # fmt: skip
cards = st.columns(4)
for card, key, value in zip(
    cards,
    ("overview.consultations", "overview.persons", "overview.placements", "overview.targets"),
    (loaded.consultations, loaded.persons, loaded.placements, loaded.targets),
    strict=True,
):
    card.metric(t(key, lang), ui_text.format_count(value, lang), border=True)
# One table at a time (not three tabs): every st.dataframe is a grid the browser builds even when its tab is
# hidden, and 概要 is the page everyone opens first (docs/performance.md).
BEHIND_TABLES = ("by_fiscal_year", "by_prefecture", "batches")
behind = st.segmented_control(
    t("overview.behind_table", lang), BEHIND_TABLES, default="by_fiscal_year", key="ov.behind", required=True,
    format_func=lambda k: t(f"overview.{k}", lang), label_visibility="collapsed",
)  # fmt: skip
if behind == "by_prefecture":
    show_table(status.prefecture_table(loaded, lang), height=420)
elif behind == "batches":
    show_table(status.batches_table(query(status.batches), lang))
else:
    show_table(status.fiscal_year_table(loaded, lang))
