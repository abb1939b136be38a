"""対象者 Target groups: the three groups side by side — indicators, path, cohort curves, breakdowns, referrals."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.charts import common, groups as charts
from analytics.metrics import indicators
from analytics.text import ui_text
from analytics.text.ui_text import t
from analytics.views import groups, regions
from ui import current_filters, query
from ui.auth import require_viewer
from ui.charts import show_chart, show_table

lang = ui_text.lang_or_default(st.session_state.get("lang"))
viewer = require_viewer()  # ui/auth.py: the only gate when a page file runs on its own
filters = current_filters()
period = regions.period_label(filters, lang)

st.title(t("groups.title", lang))
st.caption(t("groups.caption", lang))

as_of = query(indicators.as_of)
source = common.source_note(as_of, lang)
as_of_text = ui_text.format_date(as_of, lang)
by_group = query(groups.by_group, filters)
reported_groups = query(groups.reported_by_group, filters, lang)  # groups without records: reported counts, marked
if not reported_groups.empty:
    st.subheader(t("rep.groups_heading", lang))
    st.caption(t("rep.fill_note", lang) + " " + t("rep.linkage_note", lang))
    show_table(reported_groups, key="groups.reported")
if by_group.empty or not (by_group["consultations"].sum() or by_group["placed_persons"].sum()):
    st.info(t("groups.empty", lang), icon=":material/groups:")
    st.stop()

# -- Every indicator, the three groups side by side.
compare_title = t("groups.compare_title", lang, period=period)
show_chart(charts.indicators_by_group(by_group, title=compare_title, lang=lang, source=source),
           charts.indicators_table(by_group, lang), f"{compare_title}", lang,
           indicators=[i.id for i in indicators.REGISTRY], key="groups.compare")  # fmt: skip

# -- The path: consultation -> placement -> regular -> retained.
path = query(groups.support_path, filters)
path_long = groups.path_long(path, lang)
path_title = t("groups.path_title", lang, period=period, as_of=as_of_text)
path_table = path_long.rename(columns={"group": t("groups.col.group", lang), "stage_label": t("groups.col.stage", lang),
                                       "persons": t("groups.col.persons", lang)})  # fmt: skip
path_table[t("groups.col.share", lang)] = (path_long["share"] * 100).round(1)
path_table = path_table.drop(columns=["target_group", "stage", "share"])
show_chart(charts.path_funnel(path_long, title=path_title, lang=lang, source=source), path_table, path_title, lang,
           indicators=["new_persons", "regular_within_6m_rate", "retention_6m_rate"], key="groups.path")  # fmt: skip
st.caption(t("groups.path_note", lang))

# -- Cumulative placement curves per start cohort.
curves = query(groups.cohort_curves, filters)
curve_title = t("groups.curve_title", lang, as_of=as_of_text)
final = curves[curves["is_final"].astype(bool)] if len(curves) else curves
curve_table = pd.DataFrame({
    t("groups.col.group", lang): [groups.code_label("target_group", g, lang) for g in final.get("target_group", [])],
    t("groups.col.cohort", lang): [ui_text.fiscal_year_label(y, lang) for y in final.get("fiscal_year", [])],
    t("groups.col.months", lang): final.get("months_since_first_consultation", pd.Series(dtype="int64")).to_numpy(),
    t("groups.col.cohort_persons", lang): final.get("cohort_persons", pd.Series(dtype="int64")).to_numpy(),
    t("groups.col.placed_persons", lang): final.get("placed_persons", pd.Series(dtype="int64")).to_numpy(),
    t("groups.col.rate", lang): (final.get("rate", pd.Series(dtype="float64")) * 100).round(1).to_numpy(),
})  # fmt: skip
show_chart(charts.cohort_curves(curves, title=curve_title, lang=lang, source=source,
                                highlight=tuple(filters.fiscal_years())),
           curve_table, curve_title, lang, indicators=["placed_within_12m_rate"], key="groups.curves")  # fmt: skip
st.caption(t("groups.curve_note", lang))

# -- Breakdowns by agency type, gender and age band.
st.subheader(t("groups.breakdown", lang))
dim_col, ind_col = st.columns([2, 3])
dimension = dim_col.segmented_control(
    t("groups.breakdown", lang), list(groups.BREAKDOWNS), default="agency_type", required=True,
    key="groups.dimension", format_func=lambda d: t(f"groups.dim.{d}", lang),
)  # fmt: skip
breakdown_id = ind_col.selectbox(
    t("groups.breakdown_indicator", lang), [i.id for i in indicators.REGISTRY], key="groups.breakdown_indicator",
    index=[i.id for i in indicators.REGISTRY].index("regular_placed_persons"),
    format_func=lambda i: charts.indicator_name(i, lang),
)  # fmt: skip
parts = query(groups.breakdown, dimension, breakdown_id, filters)
bd_title = t("groups.breakdown_title", lang, indicator=charts.indicator_name(breakdown_id, lang),
             dimension=t(f"groups.dim.{dimension}", lang), period=period)  # fmt: skip
show_chart(charts.breakdown_bars(parts, dimension, breakdown_id, title=bd_title, lang=lang, source=source),
           charts.breakdown_table(parts, dimension, breakdown_id, lang), bd_title, lang,
           indicators=[breakdown_id], key="groups.breakdown")  # fmt: skip

# -- Referrals between agency types (only when the files carry 紹介先).
flows = query(groups.referral_flows, filters)
ref_title = t("groups.referral_title", lang, period=period)
if flows.empty:
    st.subheader(ref_title)
    st.info(t("groups.referral_none", lang), icon=":material/alt_route:")
else:
    show_chart(charts.referral_sankey(flows, title=ref_title, lang=lang, source=source),
               charts.referral_table(flows, lang), ref_title, lang, key="groups.referrals")  # fmt: skip
