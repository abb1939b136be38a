"""The sign-in form (サインイン): the only thing any page shows while nobody is signed in. No data on it.

The frame (ui/shell.py) shows :func:`render` in place of the page at every page's URL while signed out, so a shared
deep link opens the sign-in form and, once signed in, the page it named.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from analytics import config
from analytics.access import audit, auth, sessions
from analytics.access.auth import tr
from analytics.db import DatabaseBusyError
from ui import auth as ui_auth


def render() -> None:
    """Username and password form (when local accounts exist) and one button per identity provider."""
    lang = st.session_state.get("lang", "ja")

    st.title(tr("signin.title", lang))
    st.caption(tr("signin.caption", lang))

    accounts = ui_auth.users()
    email = ui_auth.oidc_email()
    if email and ui_auth.current_viewer() is None:
        # signed in at the identity provider, but no role here
        st.error(tr("signin.no_role", lang, email=email), icon=":material/block:")
        st.button(tr("sidebar.sign_out", lang), on_click=ui_auth.sign_out, key="signin.oidc_out")

    if any(u.password_hash for u in accounts.values()):
        with st.form("signin", enter_to_submit=True):
            username = st.text_input(tr("signin.username", lang), key="signin.username", autocomplete="username")
            password = st.text_input(tr("signin.password", lang), type="password", key="signin.password",
                                     autocomplete="current-password")  # fmt: skip
            submitted = st.form_submit_button(tr("signin.submit", lang), type="primary", icon=":material/login:")
        idle_hours = sessions.idle_timeout().total_seconds() / 3600
        if idle_hours > 0:
            st.caption(tr("signin.session_note", lang, hours=f"{idle_hours:g}"))
        else:
            st.caption(tr("signin.session_off", lang))
        if submitted:
            client = ui_auth.client_address()
            try:
                con = audit.write_connection(config.default_db_path())
            except DatabaseBusyError:
                st.warning(tr("signin.busy", lang), icon=":material/hourglass_top:")
                return
            session_id = None
            try:
                result = auth.sign_in(con, accounts, username, password, client)
                if result.ok:
                    audit.record_for(con, "sign_in", result.viewer, client=client, details={"method": "password"})
                    if sessions.idle_timeout() > dt.timedelta(0):  # a session a reload or a new tab can resume
                        session_id = sessions.start(con, accounts[result.viewer.username])
                else:
                    audit.record(con, "sign_in_failed", username=(username or "").strip().lower()[:200] or "(empty)",
                                 client=client, details={"reason": result.reason})  # fmt: skip
            finally:
                con.close()
            if result.ok:
                ui_auth.sign_in_viewer(result.viewer, session_id)
                st.session_state.pop("signin.password", None)
                st.rerun()
            else:
                st.error(result.message(lang), icon=":material/error:")

    for provider in ui_auth.providers():
        label = tr("signin.provider", lang) + ("" if provider == "default" else f"（{provider}）")
        if st.button(label, key=f"signin.oidc.{provider}", icon=":material/badge:"):
            st.login(None if provider == "default" else provider)
