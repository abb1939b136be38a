"""レポート Reports: choose scope, period and format, preview the key numbers, build the file only when asked."""

from __future__ import annotations

import streamlit as st

from analytics import reports
from analytics.access import scope
from analytics.metrics import disclosure
from analytics.metrics.stages import load_stages
from analytics.reports.content import ReportError, resolve_period
from analytics.text import ui_text
from analytics.views import status
from analytics.views.filters import stage_label
from ui import data_version
from ui.auth import download_button, require
from ui.report_cache import build

lang = ui_text.lang_or_default(st.session_state.get("lang"))
viewer = require("download_reports")  # ui/auth.py: admin, analyst, manager
t = ui_text.t

st.title(t("reports.title", lang))
st.caption(t("reports.intro", lang))


with status.read_connection() as con:
    as_of, last_loaded = status.data_as_of(con)
if as_of is None:
    st.info(t("reports.no_data", lang), icon=":material/upload_file:")
    st.stop()

# A prefecture's report lists its municipalities: prefecture-scoped roles get the nation or their own prefecture.
codes = ("", *[c for c in ui_text.prefecture_codes() if viewer.can_see_municipalities_of(c)])
left, middle, right = st.columns(3)
prefecture = left.selectbox(
    t("reports.scope", lang),
    codes,
    format_func=lambda c: ui_text.prefecture_label(c or None, lang),
    key="report_prefecture",
)
kind = middle.segmented_control(
    t("reports.period", lang),
    ["fiscal_year", "stage"],
    required=True,
    key="report_period_kind",
    default="fiscal_year",
    format_func=lambda k: t(f"filter.period_{k}", lang),
)
default_fy = resolve_period(None, None, as_of).fiscal_years[0]
if kind == "stage":
    stages = load_stages()
    names = [s.name for s in stages]
    current = resolve_period(None, None, as_of).stage.name
    stage = middle.selectbox(
        t("filter.stage", lang),
        names,
        index=names.index(current),
        key="report_stage",
        format_func=lambda n: stage_label(n, lang),
    )
    fiscal_year = None
else:
    years = list(range(default_fy, default_fy - 10, -1))
    fiscal_year = middle.selectbox(
        t("filter.fiscal_year", lang),
        years,
        key="report_fiscal_year",
        format_func=lambda y: ui_text.fiscal_year_label(y, lang),
    )
    stage = None
fmt = right.segmented_control(
    t("reports.format", lang),
    list(reports.FORMATS),
    required=True,
    default="xlsx",
    key="report_format",
    format_func={"xlsx": "Excel (.xlsx)", "pdf": "PDF"}.get,
)
threshold = right.number_input(
    t("reports.threshold", lang),
    min_value=1 if viewer.can_see_small_cells else disclosure.DEFAULT_THRESHOLD,  # managers cannot lower it
    max_value=100,
    value=disclosure.DEFAULT_THRESHOLD,
    step=1,
    key="report_threshold",
    help=disclosure.rule_text(disclosure.DEFAULT_THRESHOLD, lang),
)

try:
    with st.spinner(t("reports.computing", lang)):
        # Keyed by the data version (changes with every load and rollback): the as-of date and the last load
        # time alone stay the same when an older batch is rolled back, and the old report would be shown.
        report = build(prefecture or None, fiscal_year, stage, lang, int(threshold), data_version(),
                       scope.scope_key(viewer))  # fmt: skip
except ReportError as exc:
    st.warning(str(exc))
    st.stop()

st.subheader(f"{report.scope_label}　{report.period_label}")
st.caption(f"{report.text('as_of')}: {report.as_of_label}　/　{report.rule}")
items = reports.preview(report)
for start in range(0, len(items), 4):
    cols = st.columns(4)
    for col, (label, value, delta) in zip(cols, items[start : start + 4], strict=False):
        col.metric(label, value, delta or None, delta_color="off", border=True)

key = (prefecture, fiscal_year, stage, fmt, int(threshold), lang, str(report.as_of))
if st.button(t("reports.build", lang), type="primary", icon=":material/description:", key="report_build"):
    with st.spinner(t("reports.building", lang)):
        st.session_state["report_file"] = (key, reports.render(report, fmt), reports.file_name(report, fmt))
built = st.session_state.get("report_file")
if built and built[0] == key:
    _, data, name = built
    download_button(
        t("reports.download", lang, name=name),
        data,
        what="report",
        action="report",
        details={
            "prefecture": prefecture or "national", "fiscal_year": fiscal_year, "stage": stage, "format": fmt,
            "threshold": int(threshold),
        },
        file_name=name,
        mime=reports.MIME[fmt],
        icon=":material/download:",
        key="report_download",
    )
