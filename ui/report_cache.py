"""The report page's content, cached per choice and data version, shared with the warm-up (ui/warmup.py)."""

from __future__ import annotations

import streamlit as st

from analytics import reports
from analytics.access import scope
from analytics.views import status


@st.cache_data(show_spinner=False, max_entries=20)
def build(
    prefecture: str | None, fiscal_year: int | None, stage: str | None, lang: str, threshold: int, data_version: str,
    scope_key: tuple[str, ...] | None = None,
) -> reports.Report:
    """The report's content; cached per choice, per state of the data (a new load or rollback changes
    data_version) and per prefecture scope of the viewer (analytics/access/scope.py applies it to every table)."""
    with scope.acting_as(scope.viewer_for_key(scope_key)), status.read_connection() as con:
        return reports.build_report(
            con, prefecture=prefecture, fiscal_year=fiscal_year, stage=stage, lang=lang, threshold=threshold
        )
