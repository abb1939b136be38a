"""The append-only audit log: who signed in, uploaded, rolled back or downloaded what, when, in which scope.

Table ``audit_log`` (migration 005). This module only inserts and reads: there is deliberately no
function that changes or removes an event (tests/access/test_audit.py checks the module's functions and SQL).
Each row stores the hash of the previous one, so an event altered or deleted behind the product's back
breaks the chain, and :func:`verify_chain` says where. Admins read it on the 監査ログ page or with
``python -m analytics audit``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import time
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from analytics import config, db

ACTIONS: tuple[str, ...] = ("sign_in", "sign_in_failed", "sign_out", "upload", "rollback", "download", "report")
ACTION_LABELS: dict[str, tuple[str, str]] = {
    "sign_in": ("サインイン", "Sign-in"),
    "sign_in_failed": ("サインイン失敗", "Failed sign-in"),
    "sign_out": ("サインアウト", "Sign-out"),
    "upload": ("データ取込", "Upload"),
    "rollback": ("取込の取消", "Rollback"),
    "download": ("ダウンロード", "Download"),
    "report": ("報告書の作成", "Report"),
}
COLUMNS: tuple[str, ...] = (
    "event_id",
    "occurred_at",
    "username",
    "role",
    "prefecture_code",
    "action",
    "scope",
    "details",
    "client",
    "prev_hash",
    "row_hash",
)
_HASHED = COLUMNS[:9]  # every field but the hashes themselves


def action_label(action: str, lang: str = "ja") -> str:
    """The words for an action code in ``lang`` (an unknown code is shown as it is)."""
    ja, en = ACTION_LABELS.get(action, (action, action))
    return en if lang == "en" else ja


def _row_hash(prev_hash: str, values: tuple[Any, ...]) -> str:
    text = json.dumps([prev_hash, *[None if v is None else str(v) for v in values]], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record(
    con: duckdb.DuckDBPyConnection,
    action: str,
    *,
    username: str,
    role: str | None = None,
    prefecture_code: str | None = None,
    scope: str | None = None,
    details: dict[str, Any] | None = None,
    client: str | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Append one event and return its ``event_id``. ``details`` is stored as JSON (keep it free of data rows).

    Two writers at once (two server threads) may pick the same id; the primary key refuses the second,
    which retries with the next id, so the chain stays linear.
    """
    if action not in ACTIONS:
        raise ValueError(f"監査ログの種類 {action!r} は使えません（{', '.join(ACTIONS)}）")
    detail_text = json.dumps(details or {}, ensure_ascii=False, sort_keys=True, default=str)
    occurred = now or dt.datetime.now()
    for attempt in range(20):
        last = con.execute("select event_id, row_hash from audit_log order by event_id desc limit 1").fetchone()
        event_id, prev_hash = (last[0] + 1, last[1]) if last else (1, "")
        values = (event_id, occurred, username, role, prefecture_code, action, scope, detail_text, client)
        row_hash = _row_hash(prev_hash, values)
        try:
            con.execute(
                "insert into audit_log values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [*values, prev_hash, row_hash]
            )
            return int(event_id)
        except (duckdb.ConstraintException, duckdb.TransactionException):
            time.sleep(0.01 * (attempt + 1))
    raise RuntimeError("監査ログに書き込めませんでした（同時書き込みが続いています）。")


def record_for(
    con: duckdb.DuckDBPyConnection,
    action: str,
    viewer: Any,
    *,
    scope: str | None = None,
    details: dict[str, Any] | None = None,
    client: str | None = None,
) -> int:
    """:func:`record` for an ``analytics.access.auth.Viewer`` (username, role and prefecture taken from it)."""
    return record(
        con,
        action,
        username=viewer.username,
        role=viewer.role,
        prefecture_code=viewer.prefecture_code,
        scope=scope if scope is not None else viewer.scope_text(),
        details=details,
        client=client,
    )


def record_to(
    db_path: str | Path | None,
    action: str,
    viewer: Any,
    *,
    scope: str | None = None,
    details: dict[str, Any] | None = None,
    client: str | None = None,
    wait_seconds: float = 10.0,
) -> int:
    """:func:`record_for` through a short write connection of its own (what the app uses).

    The app's pages hold short read-only connections; DuckDB refuses a write connection to the same file
    in the same process while one is open, so this waits for them, up to ``wait_seconds``.
    """
    con = write_connection(db_path, wait_seconds=wait_seconds)
    try:
        return record_for(con, action, viewer, scope=scope, details=details, client=client)
    finally:
        con.close()


def write_connection(db_path: str | Path | None, *, wait_seconds: float = 10.0) -> duckdb.DuckDBPyConnection:
    """A write connection that also waits while this process has read-only connections to the file open."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return db.connect(db_path or config.default_db_path(), wait_seconds=wait_seconds)
        except duckdb.ConnectionException as exc:
            if "different configuration" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def list_events(
    con: duckdb.DuckDBPyConnection,
    *,
    action: str | list[str] | None = None,
    username: str | None = None,
    since: dt.date | dt.datetime | None = None,
    until: dt.date | dt.datetime | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Events, newest first, optionally by action(s), username (exact, case-insensitive) and date range.

    ``until`` given as a date includes that whole day. Columns: :data:`COLUMNS`. An older database without
    the table (opened read-only before migration 005 ran) gives an empty frame.
    """
    actions = [action] if isinstance(action, str) else (list(action) if action else None)
    if isinstance(until, dt.date) and not isinstance(until, dt.datetime):
        until = dt.datetime.combine(until + dt.timedelta(days=1), dt.time())
    if isinstance(since, dt.date) and not isinstance(since, dt.datetime):
        since = dt.datetime.combine(since, dt.time())
    try:
        df = con.execute(
            "select * from audit_log"
            " where ($actions::varchar[] is null or list_contains($actions::varchar[], action))"
            "   and ($username::varchar is null or lower(username) = lower($username::varchar))"
            "   and ($since::timestamp is null or occurred_at >= $since::timestamp)"
            "   and ($until::timestamp is null or occurred_at < $until::timestamp)"
            " order by event_id desc"
            " limit coalesce($limit::bigint, 9223372036854775807)",
            {"actions": actions, "username": username, "since": since, "until": until, "limit": limit},
        ).df()
    except duckdb.CatalogException:
        return pd.DataFrame(columns=list(COLUMNS))
    return df[list(COLUMNS)]


def verify_chain(con: duckdb.DuckDBPyConnection) -> int | None:
    """The first ``event_id`` whose hash does not follow from the rows before it, or None when intact."""
    prev = ""
    expected_id = 1
    for row in con.execute(f"select {', '.join(COLUMNS)} from audit_log order by event_id").fetchall():
        values = tuple(row[:9])
        if row[0] != expected_id or row[9] != prev or row[10] != _row_hash(prev, values):
            return int(row[0]) if row[0] == expected_id else expected_id
        prev, expected_id = row[10], expected_id + 1
    return None


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(value: Any) -> Any:
    # A username or file name such as "=HYPERLINK(...)" must stay text when the CSV is opened in Excel.
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def display_table(events: pd.DataFrame, lang: str = "ja") -> pd.DataFrame:
    """The events for the screen: the action in words beside its code, column names in ``lang``, "–" where a
    field is empty (the hashes stay in the CSV export and ``verify_chain``)."""
    from analytics.text import ui_text

    shown = events.drop(columns=["prev_hash", "row_hash"])
    shown.insert(shown.columns.get_loc("action") + 1, "action_label",
                 shown["action"].map({a: action_label(a, lang) for a in shown["action"].unique()}))  # fmt: skip
    text = shown.select_dtypes("object").columns
    shown[text] = shown[text].where(shown[text].notna(), "–")
    return shown.rename(columns={c: ui_text.t(f"audit.col_{c}", lang) for c in shown.columns})


def export_csv(events: pd.DataFrame, lang: str = "ja") -> bytes:
    """The events as CSV for Excel (UTF-8 with BOM), with an action label column; formula-safe text."""
    out = events.copy()
    out.insert(
        out.columns.get_loc("action") + 1,
        "action_label",
        out["action"].map({a: action_label(a, lang) for a in out["action"].unique()}),
    )
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(_safe_cell)
    buffer = io.StringIO()
    out.to_csv(buffer, index=False)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# ---------------------------------------------------------------------------------------------
# CLI: python -m analytics audit
# ---------------------------------------------------------------------------------------------
