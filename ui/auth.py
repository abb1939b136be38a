"""Who is using the app: the signed-in Viewer in session state, the sign-in rule, audit events and downloads.

Accounts and the identity provider come from Streamlit's secrets (``[auth]``; see
``.streamlit/secrets.toml.example``). No accounts = local single-user mode: :func:`current_viewer` returns
``Viewer.local()`` and nothing asks for a password. With accounts, every page shows only the sign-in form
(ui/shell.py) until :func:`current_viewer` returns someone. Password sign-ins live in this browser tab's
server-side session (nothing is stored in the browser: a reload or a new tab signs in again); identity-provider
sign-ins use Streamlit's signed, HTTP-only identity cookie (``st.login``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from analytics import config
from analytics.access import audit, auth, client
from analytics.access.auth import Viewer, tr
from analytics.metrics import downloads

VIEWER_KEY = "auth.viewer"
AUDITED_OIDC_KEY = "auth.oidc_audited"
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
        if client_context is not None:
            return client_context.remote_ip
    except Exception:  # no runtime (AppTest, a bare script): what st.context knows
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
    """The viewer of this session: local mode, a password sign-in, or an identity-provider sign-in (None: nobody).

    A password sign-in is looked up again in the accounts on every run, so a removed account or a changed
    role takes effect at once.
    """
    if not sign_in_required():
        return Viewer.local()
    accounts = users()
    stored = st.session_state.get(VIEWER_KEY)
    if isinstance(stored, Viewer):
        user = accounts.get(stored.username)
        if user is not None and user.password_hash:
            return user.viewer()
        st.session_state.pop(VIEWER_KEY, None)
    email = oidc_email()
    if email and providers():
        viewer = auth.identity_viewer(accounts, email)
        if viewer is not None and not st.session_state.get(AUDITED_OIDC_KEY):
            st.session_state[AUDITED_OIDC_KEY] = True
            record("sign_in", viewer=viewer, details={"method": "oidc"})
        return viewer
    return None


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


def sign_in_viewer(viewer: Viewer) -> None:
    st.session_state[VIEWER_KEY] = viewer


def sign_out() -> None:
    """Record the sign-out, forget the session's viewer, and end an identity-provider session (st.logout)."""
    viewer = current_viewer()
    if viewer is not None and not viewer.local_mode:
        record("sign_out", viewer=viewer)
    st.session_state.pop(VIEWER_KEY, None)
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
