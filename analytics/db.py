"""The one module that opens DuckDB: connect, migrate, and run named SQL files with bound parameters."""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from analytics import config

SQL_DIR = config.SQL_DIR
MIGRATIONS_DIR = SQL_DIR / "migrations"
WAIT_ENV = "HYOGAKI_DB_WAIT_SECONDS"  # how long a connection waits for another process's write lock
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


# Threads of one process (two upload sessions of the app, parallel loads in one script) share one DuckDB
# instance per file, so their write transactions run side by side, and two that delete the same rows (the
# facts tables, rebuilt by every load and rollback) fail with "Conflict on tuple deletion". Transactions that
# rebuild the facts hold this for their whole length: they take turns. Migrations take it too (two threads
# creating the same tables conflict the same way). Separate processes are kept apart by DuckDB's file lock
# (see connect).
WRITE_TURN = threading.RLock()


@contextlib.contextmanager
def unordered_inserts(con: duckdb.DuckDBPyConnection):
    """Let this connection write rows in any order for the duration (DuckDB's ``preserve_insertion_order``).

    Nothing reads our tables in insertion order: every row carries its batch, sheet and source row, and
    queries order explicitly. Kept, the setting makes DuckDB funnel a large insert through one ordered sink:
    a million-row load writes twice as fast without it. Session scope: other connections are not affected.
    """
    before = con.execute("select current_setting('preserve_insertion_order')").fetchone()[0]
    con.execute("set session preserve_insertion_order = false")
    try:
        yield con
    finally:
        con.execute(f"set session preserve_insertion_order = {'true' if before else 'false'}")


class DatabaseBusyError(RuntimeError):
    """Another process holds the database file for writing longer than we are willing to wait."""


def connect(
    path: str | Path | None = None, *, read_only: bool = False, wait_seconds: float = 30.0
) -> duckdb.DuckDBPyConnection:
    """Open the database file (created and migrated when new) and return a connection.

    DuckDB lets one process write a file at a time; a second writer gets a lock error. We retry for
    ``wait_seconds`` (or ``$HYOGAKI_DB_WAIT_SECONDS``) so a CLI load and the app can take turns, then
    raise ``DatabaseBusyError`` with a message in Japanese. An unwritable or full data directory raises
    ``config.DataDirError`` before anything is opened.
    """
    db_path = Path(path) if path else config.default_db_path()
    if not read_only:
        config.check_data_dir(db_path.parent)
    wait_seconds = float(os.environ.get(WAIT_ENV, wait_seconds))
    if read_only and not db_path.exists():
        # A read-only open of a missing file fails; create and migrate it once.
        connect(db_path).close()
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            con = duckdb.connect(str(db_path), read_only=read_only)
            break
        except (duckdb.IOException, duckdb.ConnectionException) as exc:
            # Another process holds the write lock ("Could not set lock"), or another thread of this process
            # has the file open read-only while we want to write, or the other way round ("different
            # configuration"): both clear when that connection closes, so wait for it.
            busy = "lock" in str(exc).lower() or "different configuration" in str(exc).lower()
            if not busy:
                raise
            if time.monotonic() > deadline:
                raise DatabaseBusyError(
                    f"データベース {db_path} は別の処理（取込など）が使用中です。しばらく待ってから再実行してください。"
                ) from exc
            time.sleep(0.05)
    if not read_only:
        migrate(con)
    return con


def _pending_migrations(con: duckdb.DuckDBPyConnection) -> list[Path]:
    """The migration files this database has not applied yet (all of them on a new file). Reads only."""
    has_table = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'main' and table_name = 'schema_migrations'"
    ).fetchone()[0]
    applied = {r[0] for r in con.execute("select name from schema_migrations").fetchall()} if has_table else set()
    return [p for p in sorted(MIGRATIONS_DIR.glob("*.sql")) if p.name not in applied]


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Apply the numbered SQL files in ``sql/migrations`` that this database has not seen yet.

    Threads of one process share one DuckDB instance per file, so two connecting to a new file at once would
    both run ``001_base.sql`` and one would fail with a catalog write-write conflict. Migrations therefore
    take :data:`WRITE_TURN`, like loads, and look again at what is applied once they hold it. An up-to-date
    database (the usual case) is recognised by a read, without waiting for the turn.
    """
    if not _pending_migrations(con):
        return
    with WRITE_TURN:
        _apply_migrations(con)


def _apply_migrations(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create table if not exists schema_migrations (name varchar primary key, applied_at timestamp)")
    for path in _pending_migrations(con):
        con.execute("begin transaction")
        try:
            con.execute(path.read_text(encoding="utf-8"))
            con.execute("insert into schema_migrations values (?, now())", [path.name])
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise


_INCLUDE = re.compile(r"\{\{include ([\w/]+)\}\}")


@cache
def sql_text(name: str) -> str:
    """The text of ``sql/<name>.sql`` (e.g. ``indicators/consultations``), with includes expanded.

    ``{{include indicators/dimension_filter}}`` is replaced by that file's SQL without its header comment,
    so a clause shared by several files (the nine-dimension filter) is written once.
    """
    text = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
    return _INCLUDE.sub(lambda m: _without_header(sql_text(m.group(1))), text)


def _without_header(sql: str) -> str:
    lines = sql.strip().splitlines()
    while lines and lines[0].lstrip().startswith("--"):
        lines.pop(0)
    return "\n".join(lines)


def bind(sql: str, params: dict[str, Any] | None) -> dict[str, Any]:
    """Keep only the parameters the SQL names (DuckDB rejects unused named parameters)."""
    wanted = set(_PARAM.findall(sql))
    params = params or {}
    missing = wanted - set(params)
    if missing:
        raise KeyError(f"SQL parameters not given: {sorted(missing)}")
    return {k: v for k, v in params.items() if k in wanted}


def run_sql(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Run the named SQL file with bound ``$parameters`` and return the result as a DataFrame."""
    sql = sql_text(name)
    return con.execute(sql, bind(sql, params)).df()
