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


# ---------------------------------------------------------------------------------------------------------
# The published read-only copy (docs/deploy.md): readers never open the file a writer loads into.
#
# DuckDB lets one process open a file for writing, and a read-only open in another process conflicts with it.
# With $HYOGAKI_PUBLISH=1 the writer (command line, upload page, seeding, facts rebuild) loads into the main
# file as before and then *publishes*: after a checkpoint it copies the file to published/<stem>.<n>.duckdb and
# swaps the symlink published/current.duckdb to it (os.replace: atomic). App processes, on this machine or on
# others that receive the same two files, read only the published copy through one held read-only connection
# per process; before each use they look at where the symlink points (one readlink) and open the new copy when
# it moved. Each copy has its own path, so DuckDB's per-path instance cache never hands back the old one, and
# queries already running on the old copy finish on it (an unlinked file stays readable while open).
# ---------------------------------------------------------------------------------------------------------

PUBLISH_ENV = "HYOGAKI_PUBLISH"  # "1": loads publish a read-only copy, and the app reads only that copy
PUBLISHED_DIR_NAME = "published"
CURRENT_NAME = "current.duckdb"
KEEP_PUBLISHED = 3  # copies kept: the current one and two before it (readers may still be finishing on them)


def publishing_enabled() -> bool:
    return os.environ.get(PUBLISH_ENV, "").strip().lower() in {"1", "true", "yes"}


def published_dir(db_path: str | Path | None = None) -> Path:
    """Where the published copies of ``db_path`` live: ``<its folder>/published``."""
    path = Path(db_path) if db_path else config.default_db_path()
    return path.parent / PUBLISHED_DIR_NAME


def current_published(db_path: str | Path | None = None) -> Path | None:
    """The published copy readers should open now (the symlink's target), None before the first publish."""
    link = published_dir(db_path) / CURRENT_NAME
    try:
        target = os.readlink(link)
    except OSError:
        return None
    return link.parent / target


@contextlib.contextmanager
def _publish_lock(directory: Path):
    """One publisher at a time across processes (fcntl lock on published/.lock)."""
    import fcntl

    directory.mkdir(parents=True, exist_ok=True)
    with (directory / ".lock").open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def publish(db_path: str | Path | None = None, *, wait_seconds: float = 120.0) -> Path:
    """Copy the database to a new read-only copy and make it current (atomic symlink swap); return its path.

    Opens the main file for writing (waiting for a load in another process, like any writer) and holds it, with
    :data:`WRITE_TURN`, while it checkpoints and copies, so no write lands half-way through the copy. The copy is
    written under a temporary name, fsynced, renamed, and only then pointed to. Older copies beyond
    :data:`KEEP_PUBLISHED` are removed. Raises ``DatabaseBusyError`` like :func:`connect`.
    """
    import shutil

    path = Path(db_path) if db_path else config.default_db_path()
    directory = published_dir(path)
    with _publish_lock(directory), WRITE_TURN:
        con = connect(path, wait_seconds=wait_seconds)
        try:
            con.execute("checkpoint")
            numbers = [int(p.name.split(".")[-2]) for p in directory.glob(f"{path.stem}.*.duckdb")
                       if p.name.split(".")[-2].isdigit()]  # fmt: skip
            target = directory / f"{path.stem}.{max(numbers, default=0) + 1}.duckdb"
            tmp = target.with_name(target.name + ".tmp")
            shutil.copyfile(path, tmp)
            with tmp.open("rb+") as handle:
                os.fsync(handle.fileno())
        finally:
            con.close()
        os.replace(tmp, target)
        link_tmp = directory / f".{CURRENT_NAME}.{os.getpid()}"
        link_tmp.unlink(missing_ok=True)
        os.symlink(target.name, link_tmp)
        os.replace(link_tmp, directory / CURRENT_NAME)
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        copies = sorted(directory.glob(f"{path.stem}.*.duckdb"), key=lambda p: int(p.name.split(".")[-2]))
        for old in copies[:-KEEP_PUBLISHED]:
            old.unlink(missing_ok=True)
    return target


def publish_if_enabled(db_path: str | Path | None = None) -> Path | None:
    """:func:`publish` when ``$HYOGAKI_PUBLISH`` is on (called after every load, rollback and facts rebuild)."""
    return publish(db_path) if publishing_enabled() else None


class _PublishedReader:
    """One held read-only connection to the current published copy, reopened when the symlink moves."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.path: Path | None = None
        self.con: duckdb.DuckDBPyConnection | None = None
        self.retired: list[duckdb.DuckDBPyConnection] = []

    def cursor(self, db_path: str | Path | None) -> duckdb.DuckDBPyConnection:
        target = current_published(db_path)
        if target is None:
            publish(db_path)  # first start: nothing published yet
            target = current_published(db_path)
        with self.lock:
            if target != self.path or self.con is None:
                con = duckdb.connect(str(target), read_only=True)
                if _pending_migrations(con):
                    # A copy published by an older version of the code: migrate the main file and publish it again
                    # (a read-only copy cannot be migrated), once.
                    con.close()
                    target = publish(db_path)
                    con = duckdb.connect(str(target), read_only=True)
                if self.con is not None:
                    # Sessions may still be reading the old copy: close it at the next swap, not now.
                    for old in self.retired:
                        with contextlib.suppress(Exception):
                            old.close()
                    self.retired = [self.con]
                self.con, self.path = con, target
            return self.con.cursor()


_READERS: dict[str, _PublishedReader] = {}
_READERS_LOCK = threading.Lock()


def published_cursor(db_path: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """A cursor on this process's held connection to the current published copy of ``db_path`` (see above).

    Close the cursor when done (the connection stays open). A cursor is one thread's: DuckDB connections may be
    shared between threads only through cursors of their own.
    """
    key = str(Path(db_path) if db_path else config.default_db_path())
    with _READERS_LOCK:
        reader = _READERS.setdefault(key, _PublishedReader())
    return reader.cursor(key)
