"""Derived per-person and per-placement tables (person_facts, placement_facts, facts_meta).

The indicators read these instead of re-deriving first consultations and placement attribution on every
query, so a national overview stays fast. The ingest loader calls :func:`refresh_facts` at the end of every
load and every rollback, inside its own transaction; the app rebuilds stale facts at start-up
(:func:`rebuild_if_stale`); a read-only connection never computes from stale facts (:class:`FactsStaleError`).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from analytics import db

_BATCH_COUNTS = """
select 'consultations' as kind, batch_id, count(*) as rows from consultations group by batch_id
union all
select 'placements' as kind, batch_id, count(*) as rows from placements group by batch_id
"""


def refresh_facts(con: duckdb.DuckDBPyConnection, *, full: bool = False) -> str:
    """Bring person_facts, placement_facts and facts_meta up to date with consultations and placements.

    Runs inside the caller's transaction (no begin/commit here), so a failed load leaves the facts as they
    were. Facts depend only on each person's own rows, so when the only change since the last refresh is
    newly added batches, only the persons appearing in those batches are rebuilt ("incremental"); a
    removed or changed batch (rollback, hand edit) or ``full=True`` rebuilds everyone ("full"). Returns
    "full", "incremental" or "unchanged". Correct on an empty database (tables empty; facts_meta gets one
    row with zero counts and a null as-of date). Cost on two cores: a full rebuild at 10 million
    consultations takes about a minute (see docs/performance.md); an incremental one scales with the
    persons touched.
    """
    current = {(k, b): n for k, b, n in con.execute(_BATCH_COUNTS).fetchall()}
    known = {(k, b): n for k, b, n in con.execute("select kind, batch_id, rows from facts_batches").fetchall()}
    has_meta = con.execute("select count(*) from facts_meta").fetchone()[0] > 0
    removed_or_changed = any(current.get(key) != n for key, n in known.items())
    added = [key for key in current if key not in known]
    if has_meta and not full and not removed_or_changed and not added:
        return "unchanged"
    mode = "full" if full or not has_meta or removed_or_changed else "incremental"
    if mode == "full":
        con.execute("delete from person_facts")
        con.execute("delete from placement_facts")
        con.execute(db.sql_text("indicators/facts/scope_all"))
    else:
        con.execute("create or replace temp table facts_scope (person_id varchar)")
        for kind in ("consultations", "placements"):
            batch_ids = [b for k, b in added if k == kind]
            if batch_ids:
                con.execute(
                    f"insert into facts_scope select distinct person_id from {kind}"
                    " where list_contains($ids, batch_id)", {"ids": batch_ids})
        con.execute("delete from person_facts where person_id in (select person_id from facts_scope)")
        con.execute("delete from placement_facts where person_id in (select person_id from facts_scope)")
        con.execute(db.sql_text("indicators/facts/scope_persons"))
    con.execute(db.sql_text("indicators/facts/person_facts"))
    # A file of consultations alone brings no placements into scope: the ASOF join would still index every
    # scoped consultation (0.16 s at a million rows) to produce nothing.
    if con.execute("select exists (select 1 from scoped_placements)").fetchone()[0]:
        con.execute(db.sql_text("indicators/facts/placement_facts"))
    con.execute("delete from facts_meta")
    con.execute(db.sql_text("indicators/facts/facts_meta"))
    con.execute("delete from facts_batches")
    con.execute("insert into facts_batches " + _BATCH_COUNTS)
    return mode


class FactsStaleError(RuntimeError):
    """The derived tables do not match consultations and placements, and this connection may not rebuild
    them (it is read-only). No number is computed from stale facts: callers show this message instead."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or STALE_MESSAGE)


STALE_MESSAGE = (
    "集計用の派生表（person_facts・placement_facts）が取込データと一致していないため、数値を計算できません"
    "（データベースの更新後にまだ作り直されていません。古い派生表から計算した数値は出しません）。"
    "アプリを再起動すると作り直されます。コマンドラインでは取込・ロールバックなど書き込む処理でも作り直されます。"
    " (The derived facts are out of date and this read-only connection cannot rebuild them: restart the app.)"
)


def is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """True when facts_meta matches the row counts of consultations and placements.

    A cheap staleness check (DuckDB keeps table row counts). The loader refreshes the facts in the same
    transaction as every load and rollback, so this catches rows written by other means (tests, hand edits)
    and a migration that empties facts_meta to have the facts rebuilt with new columns (004): no facts_meta
    row means stale, unless there is nothing at all to derive from (a new database, never loaded).
    """
    row = con.execute(
        "select coalesce("
        " (select m.consultations = (select count(*) from consultations)"
        "  and m.placements = (select count(*) from placements) from facts_meta as m limit 1),"
        " not exists (select 1 from consultations) and not exists (select 1 from placements)"
        "  and not exists (select 1 from person_facts) and not exists (select 1 from placement_facts))"
    ).fetchone()
    return bool(row and row[0])


def is_read_only(con: duckdb.DuckDBPyConnection) -> bool:
    """True for a connection opened with ``read_only=True`` (it cannot rebuild the facts)."""
    return con.execute("select current_setting('access_mode')").fetchone()[0] == "read_only"


def ensure_current(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the facts if they are stale (see :func:`is_current`), taking :data:`db.WRITE_TURN`.

    On a read-only connection stale facts cannot be rebuilt: raises :class:`FactsStaleError` rather than
    let a caller compute from them (after migration 004 emptied facts_meta, cohort counts read 0 from the
    old tables). Writable connections opened at start-up (:func:`rebuild_if_stale`) and every load keep the
    facts current, so a read-only page meets this only when the database changed under a running app.
    """
    if is_current(con):
        return
    if is_read_only(con):
        raise FactsStaleError()
    with db.WRITE_TURN:  # not beside a load of another thread (see db.WRITE_TURN)
        try:
            con.execute("begin transaction")
        except duckdb.Error:
            refresh_facts(con)  # already inside the caller's transaction
            return
        try:
            refresh_facts(con)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise


def rebuild_if_stale(db_path: str | Path | None = None, *, wait_seconds: float = 30.0) -> bool:
    """Open a short-lived writable connection and rebuild the facts if they are stale; True if rebuilt.

    For app start-up (after seeding) and for read-only callers that met :class:`FactsStaleError`: opening
    the file for writing also applies pending migrations (which may be what made the facts stale). Raises
    ``db.DatabaseBusyError`` when another process holds the file longer than ``wait_seconds``.
    """
    con = db.connect(db_path, wait_seconds=wait_seconds)
    try:
        if is_current(con):
            return False
        ensure_current(con)
    finally:
        con.close()
    db.publish_if_enabled(db_path)
    return True
