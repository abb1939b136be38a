"""概要 Overview (placeholder): what is loaded — row counts, per fiscal year and prefecture, batches, as-of date."""

from __future__ import annotations

import streamlit as st

from analytics import status, ui_text
from analytics.ui_text import format_count, t

lang = ui_text.lang_or_default(st.session_state.get("lang"))


def show_table(frame, **kwargs) -> None:
    """A table with thousands separators in the reader's locale (1,234)."""
    numbers = {c: st.column_config.NumberColumn(format="localized") for c in frame.select_dtypes("number").columns}
    st.dataframe(frame, hide_index=True, width="stretch", column_config=numbers, **kwargs)


st.title(t("overview.title", lang))
st.caption(t("overview.caption", lang))

with status.read_connection() as con:
    summary = status.loaded_summary(con)
    batches = status.batches(con) if summary.batches else None

if batches is None:
    st.info(t("overview.empty", lang), icon=":material/upload_file:")
    st.stop()

cards = st.columns(4)
for card, key, value in zip(
    cards,
    ("overview.consultations", "overview.persons", "overview.placements", "overview.targets"),
    (summary.consultations, summary.persons, summary.placements, summary.targets),
    strict=True,
):
    card.metric(t(key, lang), format_count(value, lang), border=True)

st.caption(
    t(
        "overview.as_of",
        lang,
        as_of=ui_text.format_date(summary.as_of_date, lang),
        loaded=ui_text.format_date(summary.last_loaded_at, lang),
    )
)

left, right = st.columns(2, gap="large")
with left:
    st.subheader(t("overview.by_fiscal_year", lang))
    show_table(status.fiscal_year_table(summary, lang))
with right:
    st.subheader(t("overview.by_prefecture", lang))
    show_table(status.prefecture_table(summary, lang), height=420)

st.subheader(t("overview.batches", lang))
show_table(status.batches_table(batches, lang))
