"""監査ログ Audit log (admins): who signed in, uploaded, rolled back or downloaded what, with a CSV export."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from analytics import config
from analytics.access import audit
from analytics.text import ui_text
from analytics.views import status
from ui import auth as ui_auth

lang = ui_text.lang_or_default(st.session_state.get("lang"))
viewer = ui_auth.require("view_audit")
t = ui_text.t

st.title(t("audit.title", lang))
st.caption(t("audit.intro", lang))

actions = st.multiselect(
    t("audit.action", lang), list(audit.ACTIONS), key="audit.actions",
    format_func=lambda a: audit.action_label(a, lang), placeholder=t("filter.all", lang),
)  # fmt: skip
left, middle, right = st.columns(3)
user = left.text_input(t("audit.username", lang), key="audit.user").strip() or None
today = dt.date.today()
since = middle.date_input(t("audit.since", lang), value=today - dt.timedelta(days=30), key="audit.since")
until = right.date_input(t("audit.until", lang), value=today, key="audit.until")

with status.read_connection(str(config.default_db_path())) as con:
    events = audit.list_events(con, action=actions or None, username=user, since=since, until=until)
    try:
        broken = audit.verify_chain(con)
    except Exception:  # a database from before the audit log (opened read-only): nothing to check
        broken = None

if broken is not None:
    st.error(t("audit.chain_broken", lang, event_id=broken), icon=":material/gpp_bad:")

st.caption(t("audit.count", lang, n=f"{len(events):,}"))
if events.empty:
    st.info(t("audit.empty", lang), icon=":material/info:")
    st.stop()

st.dataframe(audit.display_table(events, lang), hide_index=True, width="stretch", key="audit.table")

file_name = f"audit_log_{since:%Y%m%d}-{until:%Y%m%d}.csv"
ui_auth.download_button(
    t("audit.download", lang), audit.export_csv(events, lang), file_name=file_name,
    what="audit_log", details={"events": len(events)}, mime="text/csv", icon=":material/download:",
    key="audit.csv",
)  # fmt: skip
