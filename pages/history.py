"""取込履歴 Upload history: every batch, filter and search, kept-aside rows as Excel, rollback after a confirmation."""

from __future__ import annotations

import streamlit as st

from analytics import config, contract
from analytics.text import ui_text
from analytics.views import status, upload
from analytics.views.upload import tr
from ui.auth import download_button, record, require

lang = ui_text.lang_or_default(st.session_state.get("lang"))
viewer = require("upload")  # ui/auth.py: analysts and admins (the batches name files and hold kept-aside rows)
db_path = str(config.default_db_path())
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def show_table(frame) -> None:
    """A table with thousands separators (1,234), as on the overview."""
    numbers = {c: st.column_config.NumberColumn(format="localized") for c in frame.select_dtypes("number").columns}
    st.dataframe(frame, hide_index=True, width="stretch", column_config=numbers)


st.title(tr("history.title", lang))
st.caption(tr("history.caption", lang))

if done := st.session_state.pop("history.done", None):
    batch_id, removed = done
    st.success(tr("history.rolled_back", lang, batch=batch_id, rows=upload.removed_text(removed, lang)))

with status.read_connection(db_path) as con:
    batches = upload.history(con)
if batches.empty:
    st.info(tr("history.empty", lang), icon=":material/history:")
    st.stop()

search, kinds_col, status_col = st.columns([2, 2, 2])
text = search.text_input(tr("history.search", lang), key="history.search")
kinds = kinds_col.multiselect(
    tr("history.kinds", lang), contract.KINDS, format_func=lambda k: upload.kind_label(k, lang), key="history.kinds",
    placeholder=tr("history.all", lang),
)  # fmt: skip
statuses = status_col.multiselect(
    tr("history.statuses", lang), ["loaded", "rolled_back"], format_func=lambda s: ui_text.t(f"status.{s}", lang),
    key="history.statuses", placeholder=tr("history.all", lang),
)  # fmt: skip
shown = upload.filter_history(batches, kinds=kinds, statuses=statuses, text=text)
st.caption(tr("history.count", lang, shown=len(shown), total=len(batches)))
if shown.empty:
    st.info(tr("history.none_match", lang))
    st.stop()
show_table(upload.history_table(shown, lang))

rows = {int(r.batch_id): r for _, r in shown.iterrows()}
batch_id = st.selectbox(
    tr("history.select", lang), list(rows), format_func=lambda b: upload.batch_label(rows[b], lang),
    key="history.batch",
)  # fmt: skip
row = rows[batch_id]

with status.read_connection(db_path) as con:
    sheets = upload.batch_sheets_table(con, batch_id, lang)
    quarantined = upload.batch_quarantine(con, batch_id)
    workbook = upload.batch_quarantine_workbook(con, batch_id, lang) if len(quarantined) else None
    impact = upload.rollback_impact(con, batch_id)

st.markdown(f"**{tr('history.sheets', lang)}**")
show_table(sheets)
dropped = upload.dropped_columns(row)
if dropped:
    st.caption(tr("history.dropped", lang, columns="、".join(dropped)))
if workbook is not None:
    download_button(
        tr("history.quarantine_download", lang, n=quarantined["row_number"].nunique()), workbook, what="quarantine",
        details={"batch_id": batch_id},
        file_name=upload.quarantine_file_name(str(row.file_name), batch_id), mime=XLSX, icon=":material/download:",
        key=f"history.quarantine.{batch_id}",
    )  # fmt: skip
else:
    st.caption(tr("history.no_quarantine", lang))

if impact.status != "loaded":
    when = ui_text.format_date(upload.as_datetime(impact.rolled_back_at), lang)
    st.info(tr("history.already_rolled_back", lang, when=when), icon=":material/undo:")
    st.stop()

if not viewer.can_rollback:  # analytics/access/auth.py: only admins roll back
    st.stop()

if st.session_state.get("history.confirm") != batch_id:
    if st.button(tr("history.rollback", lang), key="history.rollback", icon=":material/undo:"):
        st.session_state["history.confirm"] = batch_id
        st.rerun()
    st.stop()

with st.container(border=True):
    st.markdown(f"**{tr('history.rollback_title', lang, batch=batch_id, file=impact.file_name)}**")
    st.warning("\n".join(f"- {line}" for line in impact.lines(lang)), icon=":material/warning:")
    st.caption(tr("history.rollback_note", lang))
    confirm, cancel = st.columns([1, 1])
    if confirm.button(tr("history.rollback_confirm", lang), type="primary", key="history.rollback_confirm"):
        removed = upload.rollback(batch_id, db_path=db_path)
        record("rollback", scope_text=f"batch:{batch_id}",
               details={"file": impact.file_name, "removed": removed, "kept": removed.kept})  # fmt: skip
        st.session_state.pop("history.confirm", None)
        st.session_state["history.done"] = (batch_id, removed)
        st.rerun()
    if cancel.button(tr("history.rollback_cancel", lang), key="history.rollback_cancel"):
        st.session_state.pop("history.confirm", None)
        st.rerun()
