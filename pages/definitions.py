"""指標の定義 Definitions: the indicator catalogue from the registry; cards and charts link here (?indicator=<id>)."""

from __future__ import annotations

import streamlit as st

from analytics.metrics import indicators
from analytics.text import ui_text
from analytics.text.ui_text import t
from analytics.views import summary
from ui.auth import require_viewer

lang = ui_text.lang_or_default(st.session_state.get("lang"))
viewer = require_viewer()  # ui/auth.py: the only gate when a page file runs on its own
selected = st.query_params.get("indicator")
selected = selected if selected in indicators.REGISTRY_BY_ID else None

st.title(t("defs.title", lang))
st.caption(t("defs.caption", lang))


def entry(ind: indicators.Indicator, expanded: bool) -> None:
    """One indicator: name, plain definition, and the full definition in a table."""
    with st.container(border=True):
        name, other = (ind.en, ind.ja) if lang == "en" else (ind.ja, ind.en)
        st.subheader(f"{name}", anchor=ind.id)
        st.caption(f"{other} · `{ind.id}` · {ind.unit} ({ind.unit_en})")
        st.markdown(ind.definition if lang == "en" else ind.definition_ja)
        if lang != "en":
            st.caption(ind.definition)
        with st.expander(t("defs.details", lang), expanded=expanded):
            rows = summary.indicator_details(ind.id, lang)
            st.markdown("\n".join(["| | |", "|---|---|", *(f"| **{k}** | {v} |" for k, v in rows)]))


if selected:
    st.markdown(f"#### {t('defs.selected', lang)}")
    entry(indicators.REGISTRY_BY_ID[selected], expanded=True)
    st.divider()

with st.expander(t("defs.general", lang), icon=":material/rule:"):
    st.markdown(indicators._GENERAL_RULES.split("\n", 1)[1])

tabs = st.tabs([t(f"defs.category_{category}", lang) for category, _ in summary.catalogue(lang)])
for tab, (_category, members) in zip(tabs, summary.catalogue(lang), strict=True):
    with tab:
        for ind in members:
            entry(ind, expanded=False)
