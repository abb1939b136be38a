"""進捗 Progress: burn-up charts per target, all prefectures' progress with a status in words and colour, and
the national headline from official statistics beside it (a different measure)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.charts import common, progress as charts
from analytics.metrics import indicators
from analytics.metrics.stages import load_thresholds
from analytics.text import ui_text
from analytics.text.ui_text import t
from analytics.views import progress_view as pv, status
from analytics.views.filters import stage_label
from ui import current_filters, query
from ui.auth import download_button, downloadable, require_viewer
from ui.charts import page_link, show_chart, show_table

lang = ui_text.lang_or_default(st.session_state.get("lang"))
viewer = require_viewer()  # ui/auth.py: the only gate when a page file runs on its own
filters = current_filters()
UPLOAD = "pages/upload.py"

st.title(t("prog.title", lang))
loaded = query(status.loaded_summary)
if loaded.batches == 0 or loaded.is_empty:
    st.info(t("prog.no_data", lang), icon=":material/upload_file:")
    page_link(UPLOAD, t("prog.go_upload", lang), icon=":material/upload_file:")
    st.stop()

with st.spinner(t("prog.loading", lang)):
    view = query(pv.build_progress, filters)
place = ui_text.prefecture_label(filters.prefecture_code, lang)
stage_name = stage_label(view.stage.name, lang)
st.caption(t("prog.caption", lang, stage=stage_name, place=place, as_of=ui_text.format_date(view.as_of, lang)))
if filters.target_groups or filters.agency_types or filters.municipality_code:
    st.caption(t("prog.filters_note", lang))

if not view.has_any_targets:
    st.info(t("prog.no_targets", lang), icon=":material/flag:")
    page_link(UPLOAD, t("prog.go_upload", lang), icon=":material/download:")
    st.stop()

thresholds = load_thresholds()
note = common.source_note(view.as_of, lang)
headline = pv.headline_table(lang)
latest = headline[headline.attrs["is_result"]].iloc[-1]

# Row 1: the place's targets as cards, and the national headline beside them (a different measure).
cards = st.columns(max(len(view.targets), 2) + 1)
for card, row in zip(cards, view.targets.to_dict("records"), strict=False):
    ind = indicators.REGISTRY_BY_ID[row["indicator"]]
    colour = {"on_track": "green", "at_risk": "orange", "off_track": "red"}.get(row["status"], "gray")
    with card.container(border=True):
        st.metric(
            ind.en if lang == "en" else ind.ja, f"{row['actual']:,} / {row['target']:,.0f}",
            delta=t("prog.achievement_delta", lang, value=f"{row['achievement'] * 100:.1f}%"),
            delta_color="off", delta_arrow="off", help=ind.definition if lang == "en" else ind.definition_ja,
        )  # fmt: skip
        st.badge(pv.status_label(row["status"], lang), color=colour)
with cards[-1].container(border=True):
    st.metric(
        t("prog.headline_card", lang), f"+{latest.iloc[3]:,.0f}",
        delta=t("prog.headline_card_goal", lang, goal=f"{headline.attrs['goal']:,.0f}", year=latest.iloc[2]),
        delta_color="off", delta_arrow="off", help=t("prog.headline_caption", lang),
    )  # fmt: skip
    st.badge(t("prog.headline_badge", lang), color="gray", icon=":material/info:")
if view.targets.empty:
    st.info(t("prog.no_scope_targets", lang, place=place, stage=stage_name), icon=":material/flag:")

# Row 2: one burn-up per target, side by side.
burnup_columns = st.columns(2, gap="large") if len(view.targets) > 1 else [st.container()]
for i, (row, series) in enumerate(zip(view.targets.to_dict("records"), view.burnups, strict=True)):
    ind_id = row["indicator"]
    ind = indicators.REGISTRY_BY_ID[ind_id]
    name = ind.en if lang == "en" else ind.ja
    unit = ind.unit_en if lang == "en" else ind.unit
    labels = {
        "actual": t("prog.actual", lang),
        "target_line": t("prog.target_line", lang),
        "projection": t("prog.projection", lang, n=thresholds.run_rate_months),
        "band": t("prog.band", lang),
        "target_value": t("prog.target_value", lang, value=f"{row['target']:,.0f}"),
    }
    short_stage = view.stage.name_en.split(":")[0] if lang == "en" else view.stage.name
    period = short_stage if pd.isna(row["fiscal_year"]) else ui_text.fiscal_year_label(row["fiscal_year"], lang)
    fig = charts.burnup(
        series, title=common.chart_title(t("prog.burnup_title", lang, indicator=name), f"{place}・{period}"),
        labels=labels, y_title=t("prog.burnup_axis", lang, unit=unit), x_title=t("prog.axis_month", lang),
        note=note, stage_name=view.stage.name if lang != "en" else view.stage.name_en,
    )  # fmt: skip
    alt = (f"{name}: {row['actual']:,} / {row['target']:,.0f}"
           f" ({row['achievement'] * 100:.1f}%), {pv.status_label(row['status'], lang)}")  # fmt: skip
    with burnup_columns[i % len(burnup_columns)]:
        show_chart(fig, pv.burnup_table(series, lang), f"{name}_{place}_{view.stage.name}", lang,
                   indicators=[ind_id], alt=alt, key=f"burnup|{ind_id}|{row['fiscal_year']}")  # fmt: skip

# Row 3: every prefecture's progress, and the national headline with its explanation.
left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader(t("prog.table_heading", lang))
    choices = pv.target_indicators(view)
    if choices:
        chosen = st.segmented_control(
            t("prog.table_indicator", lang), choices, default=choices[0], required=True, key="prog.indicator",
            format_func=lambda i: indicators.REGISTRY_BY_ID[i].en if lang == "en" else indicators.REGISTRY_BY_ID[i].ja,
            label_visibility="collapsed",
        )  # fmt: skip
        table = pv.prefecture_table(view, chosen, lang)
        ind = indicators.REGISTRY_BY_ID[chosen]
        st.caption(t("prog.table_caption", lang, indicator=ind.en if lang == "en" else ind.ja, stage=stage_name,
                     at_risk=f"{thresholds.at_risk * 100:.0f}", n=thresholds.run_rate_months))  # fmt: skip
        status_col = t("prog.col_status", lang)
        codes = table.attrs.get("status", [])

        def badge(column: pd.Series) -> list[str]:
            return [common.status_cell_css(c) for c in codes]  # the words in a shade of the colour, 4.5:1

        whole = [t("prog.col_target", lang), t("prog.col_actual", lang), t("prog.col_projected", lang)]
        styled = (
            table.style.apply(badge, subset=[status_col])
            .format(precision=1, thousands=",", na_rep="–")
            .format("{:,.0f}", subset=whole, na_rep="–")
        )
        show_table(styled, height=520, key="prog.table")
        csv_name = common.file_name(f"{t('prog.table_heading', lang)}_{view.stage.name}")
        download_button(
            t("chart.download", lang), common.csv_bytes(downloadable(table)), file_name=csv_name, what="prog.table",
            mime="text/csv", key="prog.table.csv", icon=":material/download:", type="tertiary",
        )  # fmt: skip
with right:
    st.subheader(t("prog.headline_heading", lang))
    st.caption(t("prog.headline_caption", lang))
    results = headline[headline.attrs["is_result"]]
    fig = charts.headline(
        results, title=t("prog.headline_title", lang), goal_label=t("prog.headline_goal", lang),
        y_title=t("prog.headline_axis", lang), note=t("prog.headline_source", lang),
        x_col=t("prog.col_year", lang), y_col=t("prog.col_value", lang), goal=headline.attrs["goal"],
    )  # fmt: skip
    show_chart(fig, headline, t("prog.headline_title", lang), lang, key="headline")
