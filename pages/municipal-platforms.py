"""市町村プラットフォーム Municipal platforms: which municipalities run one, who is in each network, where the gaps
are — for the nation (map, tile grid, ranking) and for the chosen prefecture (table, partner grid, gaps in words,
outcomes beside the structure)."""

from __future__ import annotations

import streamlit as st

from analytics.charts import common, platforms as charts
from analytics.metrics import indicators
from analytics.text import ui_text
from analytics.text.ui_text import t
from analytics.views import platforms, regions
from ui import current_filters, query
from ui.auth import require_viewer
from ui.charts import show_chart, show_table

lang = ui_text.lang_or_default(st.session_state.get("lang"))
viewer = require_viewer()  # ui/auth.py: the only gate when a page file runs on its own
filters = current_filters()
period = regions.period_label(filters, lang)
as_of = platforms.as_of_for(filters)
pref = filters.prefecture_code

st.title(t("platforms.title", lang))
st.caption(t("platforms.caption", lang))

cov = query(platforms.by_prefecture, as_of)
if int(cov["reported"].sum()) == 0:
    st.info(t("platforms.empty", lang), icon=":material/hub:")
    st.stop()
source = common.source_note(query(indicators.as_of), lang)
when = ui_text.format_date(as_of, lang) if as_of else t("regions.period_all", lang)
st.caption(t("platforms.as_of", lang, as_of=when, period=period))
# The structure charts come from the survey sheets; only the outcomes comparison comes from the records.
survey_source = t("platforms.source", lang, as_of=when)


def pct(value: float) -> str:
    return "–" if value != value else f"{value * 100:.0f}%"


def coverage_table(frame):
    return frame.assign(prefecture=[ui_text.prefecture_label(c, lang) for c in frame["prefecture_code"]])[
        ["prefecture", "municipalities", "with_platform", "share_with_platform", "mean_partner_coverage", "not_reported"]
    ].rename(columns={
        "prefecture": t("platforms.col.prefecture", lang), "municipalities": t("platforms.col.municipalities", lang),
        "with_platform": t("platforms.col.with_platform", lang), "share_with_platform": t("platforms.col.share", lang),
        "mean_partner_coverage": t("platforms.col.coverage", lang), "not_reported": t("platforms.col.not_reported", lang),
    })  # fmt: skip


# -- The nation: every prefecture's coverage on the map or tile grid, and a ranking.
st.header(t("platforms.national_heading", lang))
reported = cov[cov["reported"] > 0]
n1, n2, n3 = st.columns(3)
n1.metric(t("platforms.metric.with_platform", lang), f"{int(reported['with_platform'].sum()):,}",
          help=t("platforms.metric.of", lang, n=f"{int(reported['municipalities'].sum()):,}"))  # fmt: skip
n2.metric(t("platforms.metric.share_reported", lang, k=len(reported)),
          pct(reported["with_platform"].sum() / max(1, reported["municipalities"].sum())))  # fmt: skip
n3.metric(t("platforms.metric.not_reported", lang), f"{int(reported['not_reported'].sum()):,}")
view = st.segmented_control(t("platforms.view", lang), ["map", "tiles"], default="map", required=True,
                            format_func=lambda v: t(f"platforms.view.{v}", lang), key="platforms.view")  # fmt: skip
map_title = t("platforms.map_title", lang, as_of=when)
if view == "tiles":
    fig = charts.coverage_tiles(
        cov, regions.tile_grid(lang), title=map_title, lang=lang, selected=pref, source=survey_source
    )
else:
    fig = charts.coverage_map(cov, title=map_title, lang=lang, selected=pref, source=survey_source)
show_chart(fig, coverage_table(cov), map_title, lang, key="platforms.map")
ranked = platforms.ranking(cov)
rank_title = t("platforms.ranking_title", lang)
show_chart(charts.ranking_bar(ranked, title=rank_title, lang=lang, selected=pref, source=survey_source),
           coverage_table(ranked), rank_title, lang, key="platforms.ranking")  # fmt: skip
st.caption(t("platforms.not_reported_note", lang, n=f"{int(reported['not_reported'].sum()):,}"))

# -- The chosen prefecture: its municipalities.
if not pref:
    st.info(t("platforms.pick_prefecture", lang), icon=":material/touch_app:")
    st.stop()
pref_name = ui_text.prefecture_label(pref, lang)
st.header(t("platforms.prefecture_heading", lang, prefecture=pref_name))
row = cov.set_index("prefecture_code").loc[pref]
if int(row["reported"]) == 0:
    st.info(t("platforms.no_survey_for_prefecture", lang, prefecture=pref_name), icon=":material/hub:")
    st.stop()
m1, m2, m3, m4 = st.columns(4)
m1.metric(t("platforms.metric.with_platform", lang), f"{int(row['with_platform']):,}",
          help=t("platforms.metric.of", lang, n=f"{int(row['municipalities']):,}"))  # fmt: skip
m2.metric(t("platforms.metric.share", lang), pct(row["share_with_platform"]))
m3.metric(t("platforms.metric.coverage", lang), pct(row["mean_partner_coverage"]))
m4.metric(t("platforms.metric.not_reported", lang), f"{int(row['not_reported']):,}")
trend = query(platforms.over_time, pref)
trend_title = t("platforms.over_time_title", lang, place=pref_name)
show_chart(charts.coverage_trend(trend, title=trend_title, lang=lang, source=survey_source), trend, trend_title, lang,
           key="platforms.trend")  # fmt: skip

if not viewer.can_see_municipalities_of(pref):
    st.info(t("platforms.scope_note", lang), icon=":material/lock:")
    st.stop()

frame = query(platforms.latest, pref, as_of, include_unreported=True)
st.subheader(t("platforms.gaps_heading", lang))
for sentence in platforms.gap_sentences(frame, lang):
    st.markdown(f"- {sentence}")

st.subheader(t("platforms.table_heading", lang))
show_table(platforms.municipality_table(frame, lang), key="platforms.table")

grid = platforms.partner_grid(frame)
grid_title = t("platforms.grid_title", lang)
grid_table = grid.rename(index=grid.attrs.get("names", {}),
                         columns=lambda c: platforms.partner_label(c, lang)).reset_index(names=t("platforms.col.municipality", lang))  # fmt: skip
show_chart(charts.partner_grid(grid, title=grid_title, lang=lang, source=survey_source), grid_table, grid_title, lang,
           key="platforms.grid")  # fmt: skip
missing = platforms.missing_partners(frame)
missing_title = t("platforms.missing_title", lang)
show_chart(charts.missing_bars(missing, title=missing_title, lang=lang, source=survey_source),
           missing.assign(partner=[platforms.partner_label(c, lang) for c in missing["partner"]]).rename(columns={
               "partner": t("platforms.col.partner", lang), "missing": t("platforms.col.missing", lang),
               "connected": t("platforms.col.connected", lang)}),
           missing_title, lang, key="platforms.missing")  # fmt: skip

# -- Beside the structure: the outcomes the network is meant to move.
st.subheader(t("platforms.outcomes_heading", lang, period=period))
st.caption(t("platforms.outcomes_caption", lang))
results = query(platforms.outcomes, pref, filters.fiscal_year, as_of)
comp = platforms.comparison(results)
st.info(platforms.comparison_sentence(comp, lang), icon=":material/info:")
comp_title = t("platforms.comparison_title", lang)
comp_table = comp.assign(group=[t(f"platforms.group.{g}", lang) for g in comp["group"]])
show_chart(charts.comparison_bars(comp, title=comp_title, lang=lang, source=source), comp_table, comp_title, lang,
           key="platforms.comparison", indicators=list(platforms.OUTCOME_INDICATORS))  # fmt: skip
show_table(results.assign(status=[platforms.status_label(s, lang) for s in results["status"]]).rename(columns={
    "municipality_code": t("platforms.col.code", lang), "municipality_name": t("platforms.col.municipality", lang),
    "status": t("platforms.col.status", lang), "partners_connected": t("platforms.col.partners", lang),
    **{c: platforms.outcome_label(c, lang) for c in platforms.OUTCOMES},
}).drop(columns=["has_platform"]), key="platforms.outcomes")  # fmt: skip
