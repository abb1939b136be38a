"""Derived per-person and per-placement tables (person_facts, placement_facts, facts_meta).

The indicators read these instead of re-deriving first consultations and placement attribution on every
query, so a national overview stays fast. The ingest loader calls :func:`refresh_facts` at the end of every
load and every rollback, inside its own transaction.
"""

from __future__ import annotations

import duckdb

from analytics import db

# Order matters: placement_facts reads person_facts, facts_meta reads both.
FACT_TABLES: tuple[str, ...] = ("person_facts", "placement_facts", "facts_meta")


def refresh_facts(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild person_facts, placement_facts and facts_meta from consultations and placements.

    Runs inside the caller's transaction (no begin/commit here), so a failed load leaves the facts as
    they were. Correct on an empty database (tables end up empty; facts_meta gets one row with zero
    counts and a null as-of date). Cost: a few seconds at 10 million consultations on two cores.
    """
    for table in FACT_TABLES:
        con.execute(f"delete from {table}")
    for table in FACT_TABLES:
        con.execute(db.sql_text(f"indicators/facts/{table}"))


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
