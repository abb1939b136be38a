"""データ品質 Data quality (read-only): what arrived per prefecture and month with gaps shown as gaps,
quarantined rows by reason, and the batches behind the data."""

from __future__ import annotations

import streamlit as st

from analytics.charts import common, quality as charts
from analytics.metrics import indicators
from analytics.text import ui_text
from analytics.text.ui_text import t
from analytics.views import quality, regions, status
from ui import current_filters, query
from ui.auth import require_viewer
from ui.charts import show_chart, show_table

lang = ui_text.lang_or_default(st.session_state.get("lang"))
viewer = require_viewer()  # ui/auth.py: the only gate when a page file runs on its own
filters = current_filters()
period = regions.period_label(filters, lang)

st.title(t("quality.title", lang))
st.caption(t("quality.caption", lang))

cov = query(quality.coverage, filters)
batches = query(quality.batch_coverage)
if batches.empty:
    st.info(t("quality.empty", lang), icon=":material/database:")
    st.stop()
source = common.source_note(query(indicators.as_of), lang)

# -- What arrived: prefecture x month, gaps as gaps.
gaps = quality.gaps(cov, lang)
if gaps.empty:
    st.success(t("quality.gaps_none", lang), icon=":material/check_circle:")
else:
    st.warning(t("quality.gaps_summary", lang, prefectures=len(gaps), months=int(gaps["months_missing"].sum())),
               icon=":material/event_busy:")  # fmt: skip
matrix = quality.coverage_matrix(cov, lang)
title = t("quality.coverage_title", lang, period=period)
show_chart(charts.coverage_heatmap(matrix, title=title, lang=lang, source=source),
           matrix.reset_index(), title, lang, key="quality.coverage")  # fmt: skip
st.caption(t("quality.coverage_note", lang))

if not gaps.empty:
    st.subheader(t("quality.gaps_heading", lang))
    show_table(gaps.drop(columns=["prefecture_code"]).rename(columns={
        "prefecture": t("col.prefecture", lang), "months_missing": t("quality.col.months_missing", lang),
        "months": t("quality.col.months", lang), "months_in_span": t("quality.col.months_in_span", lang),
    }), key="quality.gaps")  # fmt: skip

# -- Rows kept aside at load time, by reason.
reasons = query(quality.quarantine_by_reason, lang)
q_title = t("quality.quarantine_title", lang)
if reasons.empty:
    st.subheader(q_title)
    st.info(t("quality.quarantine_none", lang), icon=":material/task_alt:")
else:
    q_table = reasons.rename(columns={
        "reason_code": t("quality.col.reason_code", lang), "reason": t("quality.col.reason", lang),
        "rows": t("quality.col.rows_kept", lang), "issues": t("quality.col.issues", lang),
        "files": t("quality.col.files", lang),
    })  # fmt: skip
    show_chart(charts.quarantine_bars(reasons, title=q_title, lang=lang, source=source), q_table, q_title, lang,
               key="quality.quarantine")  # fmt: skip

# -- Records against reported figures, and what reported tables said that does not hold (issue 16).
rec = quality.reconciliation_table(query(quality.reconciliation, filters), lang)
st.subheader(t("quality.reconcile_heading", lang))
st.caption(t("quality.reconcile_caption", lang))
if rec.empty:
    st.info(t("quality.reconcile_none", lang), icon=":material/compare_arrows:")
else:
    show_table(rec.style.format(precision=0, thousands=",", na_rep="－"), key="quality.reconcile")
st.subheader(t("quality.checks_heading", lang))
checks = query(quality.checks_table, filters, lang)
if checks.empty:
    st.success(t("quality.checks_none", lang), icon=":material/task_alt:")
else:
    show_table(checks.style.format(precision=1, thousands=",", na_rep="－"), key="quality.checks")

# -- The batches behind it.
st.subheader(t("quality.batches_title", lang))
shown = status.batches_table(batches[["batch_id", "file_name", "kinds", "loaded_at", "status", "rows_loaded",
                                      "rows_quarantined"]], lang)  # fmt: skip
shown[t("quality.col.first_date", lang)] = batches["first_date"].to_numpy()
shown[t("quality.col.last_date", lang)] = batches["last_date"].to_numpy()
shown[t("quality.col.prefectures", lang)] = batches["prefectures"].to_numpy()
show_table(shown, key="quality.batches")
