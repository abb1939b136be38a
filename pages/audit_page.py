"""監査ログ Audit log (admins): who signed in, uploaded, rolled back or downloaded what, with a CSV export."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from analytics import audit, config, status, ui_text
from ui import auth as ui_auth

lang = ui_text.lang_or_default(st.session_state.get("lang"))
viewer = ui_auth.require("view_audit")
en = lang == "en"

st.title("Audit log" if en else "監査ログ")
st.caption(
    "Every sign-in, failed sign-in, upload, rollback and download, newest first. The log is append-only and "
    "hash-chained: a changed or removed entry is reported below."
    if en
    else "サインイン・サインイン失敗・データ取込・取込の取消・ダウンロードの記録です（新しい順）。記録は追記のみで、"
    "各行が前の行のハッシュを持つため、書き換えや削除があれば下に表示します。"
)

actions = st.multiselect(
    "Action" if en else "種類", list(audit.ACTIONS), key="audit.actions",
    format_func=lambda a: audit.ACTION_LABELS[a][1 if en else 0], placeholder="All" if en else "すべて",
)  # fmt: skip
left, middle, right = st.columns(3)
user = left.text_input("Username" if en else "ユーザー名", key="audit.user").strip() or None
today = dt.date.today()
since = middle.date_input("From" if en else "開始日", value=today - dt.timedelta(days=30), key="audit.since")
until = right.date_input("To" if en else "終了日", value=today, key="audit.until")

with status.read_connection(str(config.default_db_path())) as con:
    events = audit.list_events(con, action=actions or None, username=user, since=since, until=until)
    try:
        broken = audit.verify_chain(con)
    except Exception:  # a database from before the audit log (opened read-only): nothing to check
        broken = None

if broken is not None:
    st.error(
        f"The chain breaks at event {broken}: an entry was changed or removed outside the product."
        if en
        else f"監査ログの連鎖が event_id {broken} で途切れています（製品の外での書き換え・削除の疑い）。",
        icon=":material/gpp_bad:",
    )

st.caption(f"{len(events):,} " + ("events" if en else "件"))
if events.empty:
    st.info("No events in this range." if en else "この条件の記録はありません。", icon=":material/info:")
    st.stop()

shown = events.drop(columns=["prev_hash", "row_hash"]).copy()
shown.insert(shown.columns.get_loc("action") + 1, "label",
             [audit.ACTION_LABELS.get(a, (a, a))[1 if en else 0] for a in shown["action"]])  # fmt: skip
st.dataframe(shown, hide_index=True, width="stretch", key="audit.table")

file_name = f"audit_log_{since:%Y%m%d}-{until:%Y%m%d}.csv"
ui_auth.download_button(
    "Download CSV" if en else "CSV をダウンロード", audit.export_csv(events, lang), file_name=file_name,
    what="audit_log", details={"events": len(events)}, mime="text/csv", icon=":material/download:",
    key="audit.csv",
)  # fmt: skip
