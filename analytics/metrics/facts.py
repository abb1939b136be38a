"""Derived per-person and per-placement tables (person_facts, placement_facts, facts_meta).

The indicators read these instead of re-deriving first consultations and placement attribution on every
query, so a national overview stays fast. The ingest loader calls :func:`refresh_facts` at the end of every
load and every rollback, inside its own transaction.
"""

from __future__ import annotations

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


def is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """True when facts_meta matches the row counts of consultations and placements.

    A cheap staleness check (DuckDB keeps table row counts); the loader refreshes the facts in the same
    transaction as every load and rollback, so this only catches rows written by other means (tests,
    hand edits).
    """
    row = con.execute(
        "select m.consultations = (select count(*) from consultations)"
        " and m.placements = (select count(*) from placements) from facts_meta as m limit 1").fetchone()
    return bool(row and row[0])


def ensure_current(con: duckdb.DuckDBPyConnection) -> None:
    """Refresh the facts if they are stale (see :func:`is_current`); on a read-only connection, leave them."""
    if is_current(con):
        return
    with db.WRITE_TURN:  # not beside a load of another thread (see db.WRITE_TURN)
        try:
            con.execute("begin transaction")
        except duckdb.Error:
            refresh_facts(con)  # already inside the caller's transaction
            return
        try:
            refresh_facts(con)
            con.execute("commit")
        except duckdb.Error as exc:
            con.execute("rollback")
            if "read-only" not in str(exc).lower() and "read only" not in str(exc).lower():
                raise
