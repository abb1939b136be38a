"""Who is using the app: the signed-in Viewer in session state, the sign-in rule, audit events and downloads.

Accounts and the identity provider come from Streamlit's secrets (``[auth]``; see
``.streamlit/secrets.toml.example``). No accounts = local single-user mode: :func:`current_viewer` returns
``Viewer.local()`` and nothing asks for a password. With accounts, every page shows only the sign-in form
(ui/shell.py) until :func:`current_viewer` returns someone. A password sign-in starts a server-side session
(analytics/access/sessions.py) whose random id the browser keeps in a cookie (:func:`emit_cookie`), so a reload or
a new tab stays signed in for the idle time; identity-provider sign-ins use Streamlit's signed, HTTP-only identity
cookie (``st.login``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from analytics import config
from analytics.access import audit, auth, client, sessions
from analytics.access.auth import Viewer, tr
from analytics.metrics import downloads

VIEWER_KEY = "auth.viewer"
AUDITED_OIDC_KEY = "auth.oidc_audited"
SESSION_KEY = "auth.session_id"  # the id of this tab's sign-in session (analytics/access/sessions.py)
CHECKED_KEY = "auth.session_checked"  # when this tab last checked its session in the database
TRIED_KEY = "auth.session_tried"  # a cookie already found invalid in this tab (not looked up again)
COOKIE_KEY = "auth.cookie"  # ("set", id) or ("clear", "") for emit_cookie on the next run
_LOG = logging.getLogger(__name__)


def auth_section() -> dict[str, Any]:
    """The ``[auth]`` section of the secrets as a plain dict ({} without a secrets file)."""
    try:
        section = st.secrets.get("auth")
    except Exception:  # no secrets.toml at all: Streamlit raises on first access
        return {}
    if section is None:
        return {}
    return section.to_dict() if hasattr(section, "to_dict") else dict(section)


def users() -> dict[str, auth.User]:
    return auth.load_users(auth_section().get("users"))


def sign_in_required() -> bool:
    return auth.accounts_configured(auth_section())


def providers() -> list[str]:
    return auth.oidc_providers(auth_section())


def _peer_address() -> str | None:
    """The address of the direct connection to the server (a reverse proxy's, behind one).

    ``st.context.ip_address`` hides the machine itself (127.0.0.1 and ::1 become None), which is exactly where a
    reverse proxy on the same server connects from; the session's own client context keeps it.
    """
    try:
        from streamlit import runtime
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        session_client = runtime.get_instance().get_client(ctx.session_id) if ctx is not None else None
        client_context = session_client.client_context if session_client is not None else None
        remote_ip = getattr(client_context, "remote_ip", None)
        if isinstance(remote_ip, str):
            return remote_ip
    except Exception:  # no runtime (a bare script): what st.context knows (AppTest's runtime is a mock)
        pass
    try:
        address = st.context.ip_address
    except Exception:
        return None
    return address if isinstance(address, str) else None


def client_address() -> str | None:
    """The client's address for the sign-in throttle and the audit log: the direct peer, or, when the peer is a
    trusted reverse proxy (``$HYOGAKI_TRUSTED_PROXIES``), the client it names in ``Forwarded`` /
    ``X-Forwarded-For`` (analytics/access/client.py; a forged header from anyone else is ignored)."""
    peer = _peer_address()
    try:
        trusted = client.trusted_proxies()
    except ValueError:
        _LOG.exception("the trusted proxies setting is invalid: forwarded headers are ignored")
        return peer
    if not trusted:
        return peer
    try:
        headers = dict(st.context.headers)
    except Exception:
        headers = {}
    return client.client_address(peer, headers, trusted)


def oidc_email() -> str | None:
    try:
        if st.user.is_logged_in:
            return st.user.get("email")
    except Exception:
        return None
    return None


def current_viewer() -> Viewer | None:
    """The viewer of this session: local mode, a password sign-in (of this tab, or resumed from the session cookie
    of an earlier one), or an identity-provider sign-in (None: nobody).

    A password sign-in is looked up again in the accounts on every run, so a removed account or a changed
    role takes effect at once; its server-side session is checked every few minutes, so a sign-out in another
    tab or the idle time ends it here too.
    """
    if not sign_in_required():
        return Viewer.local()
    accounts = users()
    stored = st.session_state.get(VIEWER_KEY)
    if isinstance(stored, Viewer):
        user = accounts.get(stored.username)
        if user is not None and user.password_hash and _session_still_valid(accounts):
            return user.viewer()
        _forget_password_sign_in()
    resumed = _resume_from_cookie(accounts)
    if resumed is not None:
        return resumed
    email = oidc_email()
    if email and providers():
        viewer = auth.identity_viewer(accounts, email)
        if viewer is not None and not st.session_state.get(AUDITED_OIDC_KEY):
            st.session_state[AUDITED_OIDC_KEY] = True
            record("sign_in", viewer=viewer, details={"method": "oidc"})
        return viewer
    return None


def _session_cookie() -> str | None:
    try:
        value = st.context.cookies.get(sessions.COOKIE_NAME)
    except Exception:  # no request context (a bare script)
        return None
    return value if isinstance(value, str) and value else None


def _with_sessions(func, *args, **kwargs):
    """``func(con, ...)`` on a short write connection; None when the database is busy (then: sign in again)."""
    try:
        con = audit.write_connection(config.default_db_path(), wait_seconds=5.0)
    except Exception:
        _LOG.warning("sign-in sessions: the database is busy", exc_info=True)
        return None
    try:
        return func(con, *args, **kwargs)
    finally:
        con.close()


def _resume_from_cookie(accounts: Mapping[str, auth.User]) -> Viewer | None:
    """A reload or a new tab: the viewer of the browser's session cookie, if that session is still valid."""
    session_id = _session_cookie()
    if not session_id or st.session_state.get(TRIED_KEY) == session_id:
        return None
    viewer = _with_sessions(sessions.resume, accounts, session_id)
    if viewer is None:
        st.session_state[TRIED_KEY] = session_id  # looked up once per tab, not on every call of this run
        st.session_state[COOKIE_KEY] = ("clear", "")
        return None
    st.session_state[VIEWER_KEY] = viewer
    st.session_state[SESSION_KEY] = session_id
    st.session_state[CHECKED_KEY] = dt.datetime.now()
    return viewer


def _session_still_valid(accounts: Mapping[str, auth.User]) -> bool:
    """Every few minutes: the tab's session is still valid (and its idle clock and cookie are renewed)."""
    session_id = st.session_state.get(SESSION_KEY)
    checked = st.session_state.get(CHECKED_KEY)
    if not session_id or (checked and dt.datetime.now() - checked < sessions.TOUCH_EVERY):
        return True
    viewer = _with_sessions(sessions.resume, accounts, session_id)
    if viewer is None:
        return False
    st.session_state[CHECKED_KEY] = dt.datetime.now()
    st.session_state[COOKIE_KEY] = ("set", session_id)  # a fresh Max-Age: the cookie lives as long as the session
    return True


def _forget_password_sign_in() -> None:
    st.session_state.pop(VIEWER_KEY, None)
    if st.session_state.pop(SESSION_KEY, None):
        st.session_state[COOKIE_KEY] = ("clear", "")
    st.session_state.pop(CHECKED_KEY, None)


_COOKIE_SCRIPT = """<script>
(() => {
  // %(nonce)s
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  document.cookie = %(name)s + '=' + %(value)s + '; Path=/; Max-Age=' + %(max_age)s + '; SameSite=Strict' + secure;
})();
</script>"""


def emit_cookie() -> None:
    """Set or delete the session cookie in the browser, when a sign-in, a renewal or a sign-out asked for it.

    Streamlit has no API to set a cookie, so a one-line script does (``st.html``; nothing is loaded from
    anywhere). The cookie holds only the random session id: ``SameSite=Strict`` (never sent from another site),
    ``Secure`` over HTTPS, ``Path=/``, ``Max-Age`` = the idle time. A script can read it (no ``HttpOnly`` for a
    cookie set from a script); the id is worthless once the session ends, and the server ends it at sign-out,
    after the idle time and on any change to the account.
    """
    action = st.session_state.pop(COOKIE_KEY, None)
    if not action:
        return
    kind, value = action
    max_age = int(sessions.idle_timeout().total_seconds()) if kind == "set" else 0
    st.html(
        _COOKIE_SCRIPT % {"nonce": secrets.token_hex(4), "name": json.dumps(sessions.COOKIE_NAME),
                          "value": json.dumps(value if kind == "set" else ""), "max_age": max_age},
        unsafe_allow_javascript=True,
    )  # fmt: skip


def require_viewer() -> Viewer:
    """The viewer, or a sign-in prompt and stop. Every page calls it (or :func:`require`) first.

    Streamlit runs ``pages/<name>.py`` on its own for the URL ``/<name>`` (classic multipage mode), so this first
    call is also where a page gets its frame: outside :func:`ui.shell.frame` it draws the shell (sign-in gate,
    menu, sidebar) and runs the page inside it, never returning here. Inside the frame it is the gate alone.
    """
    from ui import shell  # ui.shell imports this module

    if not shell.in_frame() and (page_file := shell.calling_page_file()) is not None:
        shell.frame(page_file)
    viewer = current_viewer()
    if viewer is None:
        lang = _lang()
        st.title(tr("signin.title", lang))
        st.info(tr("signin.go_home", lang), icon=":material/lock:")
        st.link_button(tr("signin.submit", lang), "/", icon=":material/login:")
        st.stop()
    return viewer


def require(permission: str) -> Viewer:
    """The viewer if they hold ``permission`` (see ``analytics.access.auth.PERMISSIONS``), else stop the page."""
    viewer = require_viewer()
    if not viewer.has(permission):
        st.warning(tr("denied.page", _lang()), icon=":material/lock:")
        st.stop()
    return viewer


def _lang() -> str:
    return st.session_state.get("lang", "ja")


def record(
    action: str, *, viewer: Viewer | None = None, scope_text: str | None = None, details: dict[str, Any] | None = None
) -> bool:
    """Append an audit event for ``viewer`` (default: the current one). False (and a log line) if it failed.

    Local mode records too (username ``local``): uploads, rollbacks and downloads stay traceable.
    """
    viewer = viewer or current_viewer()
    if viewer is None:
        return False
    try:
        audit.record_to(
            config.default_db_path(), action, viewer, scope=scope_text, details=details, client=client_address()
        )
        return True
    except Exception:  # the action itself must not fail because the log could not be written
        _LOG.exception("audit event %s for %s could not be written", action, viewer.username)
        return False


def sign_in_viewer(viewer: Viewer, session_id: str | None = None) -> None:
    """This tab is signed in as ``viewer``; with ``session_id`` (a new server-side session) the browser keeps it."""
    st.session_state[VIEWER_KEY] = viewer
    st.session_state.pop(TRIED_KEY, None)
    if session_id:
        st.session_state[SESSION_KEY] = session_id
        st.session_state[CHECKED_KEY] = dt.datetime.now()
        st.session_state[COOKIE_KEY] = ("set", session_id)


def sign_out() -> None:
    """Record the sign-out, end the server-side session (every tab of it) and delete its cookie, forget the
    session's viewer, and end an identity-provider session (st.logout)."""
    viewer = current_viewer()
    if viewer is not None and not viewer.local_mode:
        record("sign_out", viewer=viewer)
    if session_id := st.session_state.get(SESSION_KEY):
        _with_sessions(sessions.end, session_id)
    _forget_password_sign_in()
    st.session_state.pop(AUDITED_OIDC_KEY, None)
    if oidc_email():
        st.logout()


def sidebar_status(viewer: Viewer, lang: str) -> None:
    """The sidebar's note: local single-user mode, or who is signed in with a sign-out button."""
    with st.sidebar:
        if viewer.local_mode:
            st.caption(tr("sidebar.local_mode", lang))
            return
        st.caption(tr("sidebar.signed_in", lang, who=viewer.label(lang)))
        st.button(tr("sidebar.sign_out", lang), on_click=sign_out, icon=":material/logout:", key="auth.sign_out",
                  type="tertiary")  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Downloads: what this viewer may download, and an audit event when they do
# ---------------------------------------------------------------------------------------------


def downloadable(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as the current viewer may download it (small cells suppressed for managers)."""
    return downloads.for_download(current_viewer(), frame)


def download_button(
    label: str,
    data: bytes | str,
    *,
    file_name: str,
    what: str,
    details: Mapping[str, Any] | None = None,
    action: str = "download",
    container: Any = None,
    **kwargs: Any,
) -> bool:
    """``st.download_button`` (in ``container``, default the page) that writes an audit event (``download``,
    or ``report``) with the file name and what it holds when clicked."""

    def on_click() -> None:
        record(action, details={"file": file_name, "what": what, **dict(details or {})})

    return (container or st).download_button(label, data, file_name=file_name, on_click=on_click, **kwargs)
