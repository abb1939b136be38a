"""Sign-in sessions of local accounts that survive a reload (issue 19): a random id in the browser, its state here.

A password sign-in starts a session: :func:`start` makes a random id (256 bits, ``secrets.token_urlsafe``) that
the browser keeps in a cookie, and stores only its SHA-256 in ``signin_sessions`` (migration 012) with the account
and a fingerprint of the account's role, prefecture and password hash. A new tab or a reload presents the id;
:func:`resume` gives the viewer back while the session is valid:

- not ended (:func:`end` at sign-out);
- used within the idle time (``$HYOGAKI_SESSION_IDLE_HOURS``, default 8 hours; the clock restarts at every use,
  recorded at most every :data:`TOUCH_EVERY`);
- the account still exists with the same role, prefecture and password (a change ends every session of it).

Nothing else is in the browser: no password, no signed token that stays valid after the server has ended it.
The table is in the database, so the sessions hold across server processes and restarts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from collections.abc import Mapping

import duckdb

from analytics.access.auth import User, Viewer

IDLE_ENV = "HYOGAKI_SESSION_IDLE_HOURS"
DEFAULT_IDLE = dt.timedelta(hours=8)
TOUCH_EVERY = dt.timedelta(minutes=5)
COOKIE_NAME = "hyogaki_session"
KEEP_ENDED = dt.timedelta(days=1)


def idle_timeout() -> dt.timedelta:
    """The idle time from ``$HYOGAKI_SESSION_IDLE_HOURS`` (hours, decimals allowed; 0 switches resuming off),
    else 8 hours."""
    raw = os.environ.get(IDLE_ENV, "").strip()
    try:
        hours = float(raw) if raw else None
    except ValueError:
        hours = None
    if hours is None or hours < 0:
        return DEFAULT_IDLE
    return dt.timedelta(hours=hours)


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def account_fingerprint(user: User) -> str:
    """What must not change for a session to stay valid: role, prefecture and password hash (hashed again)."""
    parts = [user.username, user.role, user.prefecture_code or "", user.password_hash or ""]
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def start(con: duckdb.DuckDBPyConnection, user: User, *, now: dt.datetime | None = None) -> str:
    """A new session for ``user`` (after a successful password sign-in): the random id for the browser."""
    now = now or _now()
    session_id = secrets.token_urlsafe(32)
    con.execute(
        "insert into signin_sessions (session_hash, username, account_fingerprint, created_at, last_seen_at) "
        "values (?, ?, ?, ?, ?)",
        [digest(session_id), user.username, account_fingerprint(user), now, now],
    )
    con.execute("delete from signin_sessions where ended_at < ?", [now - KEEP_ENDED])
    return session_id


def end(con: duckdb.DuckDBPyConnection, session_id: str, reason: str = "sign_out", *,
        now: dt.datetime | None = None) -> None:  # fmt: skip
    """End the session (sign-out, or found invalid); an unknown or already ended id changes nothing."""
    con.execute(
        "update signin_sessions set ended_at = ?, end_reason = ? where session_hash = ? and ended_at is null",
        [now or _now(), reason, digest(session_id)],
    )


def resume(
    con: duckdb.DuckDBPyConnection,
    accounts: Mapping[str, User],
    session_id: str | None,
    *,
    idle: dt.timedelta | None = None,
    now: dt.datetime | None = None,
) -> Viewer | None:
    """The viewer of a valid session (and its idle clock restarted), else None; an invalid one is ended here.

    ``accounts`` are the configured accounts (``ui.auth.users()``). None for an unknown, ended or idle session,
    an account that is gone or signs in through the identity provider only, or one whose role, prefecture or
    password changed since the sign-in.
    """
    if not session_id:
        return None
    idle = idle_timeout() if idle is None else idle
    now = now or _now()
    row = con.execute(
        "select username, account_fingerprint, last_seen_at from signin_sessions "
        "where session_hash = ? and ended_at is null",
        [digest(session_id)],
    ).fetchone()
    if row is None:
        return None
    username, fingerprint, last_seen = row
    user = accounts.get(username)
    reason = None
    if idle <= dt.timedelta(0) or now - last_seen > idle:
        reason = "idle"
    elif user is None or not user.password_hash:
        reason = "account_removed"
    elif account_fingerprint(user) != fingerprint:
        reason = "account_changed"
    if reason is not None:
        end(con, session_id, reason, now=now)
        return None
    if now - last_seen >= TOUCH_EVERY:
        con.execute("update signin_sessions set last_seen_at = ? where session_hash = ?", [now, digest(session_id)])
    return user.viewer()
