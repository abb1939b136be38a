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
    colour = {"on_track": "green", "at_risk": "orange", "off_track": "red"}.get(row["status"], "gray")
    achieved = "－" if pd.isna(row["achievement"]) else f"{row['achievement'] * 100:.1f}%"
    with card.container(border=True):
        st.metric(
            pv.indicator_name(row["indicator"], lang), f"{pv.actual_text(row)} / {row['target']:,.0f}",
            delta=t("prog.achievement_delta", lang, value=achieved),
            delta_color="off", delta_arrow="off", help=pv.indicator_help(row["indicator"], lang),
        )  # fmt: skip
        st.badge(pv.status_label(row["status"], lang), color=colour)
        if row.get("source") == "reported":
            st.badge(t("rep.badge", lang), color="blue", icon=":material/assignment:")
        st.caption(pv.source_text(row, lang))
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
    name = pv.indicator_name(ind_id, lang)
    unit = pv.indicator_unit(row, lang)
    labels = {
        "actual": t("prog.actual", lang),
        "target_line": t("prog.target_line", lang),
        "projection": (t("prog.projection", lang, n=thresholds.run_rate_months) if not series.attrs.get("steps")
                       else t("rep.projection_average", lang)),
        "band": t("prog.band", lang),
        "target_value": t("prog.target_value", lang, value=f"{row['target']:,.0f}"),
    }
    short_stage = view.stage.name_en.split(":")[0] if lang == "en" else view.stage.name
    period = short_stage if pd.isna(row["fiscal_year"]) else ui_text.fiscal_year_label(row["fiscal_year"], lang)
    if pd.isna(row["fiscal_year"]) and row.get("target_kind") is not None:  # a target with its own period
        period = pv.period_text(row, lang).split(" (")[0]  # the title's room: 令和2年度〜令和6年度
    fig = charts.burnup(
        series, title=common.chart_title(t("prog.burnup_title", lang, indicator=name), f"{place}・{period}"),
        labels=labels, y_title=t("prog.burnup_axis", lang, unit=unit), x_title=t("prog.axis_month", lang),
        note=pv.source_text(row, lang) if row.get("source") == "reported" else note,
        stage_name=view.stage.name if lang != "en" else view.stage.name_en,
    )  # fmt: skip
    alt = (f"{name}: {pv.actual_text(row)} / {row['target']:,.0f}, {pv.status_label(row['status'], lang)}, "
           f"{pv.source_text(row, lang)}")  # fmt: skip
    with burnup_columns[i % len(burnup_columns)]:
        show_chart(fig, pv.burnup_table(series, lang), f"{name}_{place}_{view.stage.name}", lang,
                   indicators=[ind_id] if ind_id in indicators.REGISTRY_BY_ID else (), alt=alt,
                   key=f"burnup|{ind_id}|{row['fiscal_year']}|{row.get('project')}")  # fmt: skip
        st.caption(pv.source_text(row, lang) + ("　" + t("rep.steps_note", lang) if series.attrs.get("steps") else ""))

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

# Row 4: the place's targets with their source (records or reported figures), and the project KPIs (事業別 KPI).
if not view.targets.empty:
    st.subheader(t("rep.summary_heading", lang, place=place))
    summary = pv.targets_summary_with_source(view, lang)
    show_table(summary.style.apply(lambda c: [common.status_cell_css(x) for x in summary.attrs["status"]],
                                   subset=[t("prog.col_status", lang)]).format(precision=1, thousands=",", na_rep="－"),
               key="prog.summary")  # fmt: skip
kpis = pv.kpi_table(view, lang, filters.prefecture_code)
if not kpis.empty:
    st.subheader(t("rep.kpi_heading", lang))
    st.caption(t("rep.kpi_caption", lang))
    show_table(kpis.style.apply(lambda c: [common.status_cell_css(x) for x in kpis.attrs["status"]],
                                subset=[t("prog.col_status", lang)]).format(precision=1, thousands=",", na_rep="－"),
               key="prog.kpi")  # fmt: skip
