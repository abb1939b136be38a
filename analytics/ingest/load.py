"""Writing prepared files to the database: one transaction per file, batches, duplicates, rollback.

A failure anywhere inside ``load_prepared`` rolls the transaction back, so the database is exactly as
it was. Rows already in the database (same person, date and agency for consultations; same person,
date and outcome for placements) are counted as duplicates, not written again, which makes re-sent
and cumulative (上期 → 通期累計) files safe.

Each such repeat is kept in ``<table>_repeats`` (migration 008) under the batch that delivered it, so a
rollback hands a row over to the earliest still-loaded batch that also delivered it instead of deleting
it: after any sequence of loads and rollbacks the contract tables equal a load of the still-loaded files,
in batch order, into an empty database. A load without duplicates writes no repeats and runs no extra
query.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pandas as pd

from analytics import contract, db
from analytics.ingest.errors import ISSUE_COLUMNS
from analytics.ingest.report import IngestReport

QUARANTINE_COLUMNS = ("batch_id", *ISSUE_COLUMNS)


class RollbackError(Exception):
    """The batch does not exist or was already rolled back."""


class RollbackCounts(dict):
    """Rows a rollback removed per table (the contract tables and quarantine), as a plain dict.

    ``kept`` holds, per contract table, the rows of the batch that stayed because another loaded batch
    also delivered them (handed over to the earliest such batch); ``kept_by`` those batches' ids.
    """

    def __init__(self, removed: dict[str, int], kept: dict[str, int], kept_by: list[int]):
        super().__init__(removed)
        self.kept = kept
        self.kept_by = kept_by


def repeats_table(table: str) -> str:
    """The table of rows a batch delivered that another batch already held (migration 008)."""
    return f"{table}_repeats"


def repeats_recorded(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the database has the repeats tables (a read-only connection to a database from before
    migration 008 has not)."""
    return bool(
        con.execute("select count(*) from duckdb_tables() where table_name = 'repeats_recorded_from'").fetchone()[0]
    )


def stored_columns(table: contract.Table) -> list[str]:
    """The columns of a contract table as stored, batch_id first (the repeats table has the same)."""
    columns = ["batch_id", "source_sheet", "source_row", *table.column_names]
    if table.name in ("consultations", "placements"):
        columns.append("fiscal_year")
    return columns


def key_match(table: contract.Table, left: str, right: str) -> str:
    """SQL: rows ``left`` and ``right`` have the same duplicate key (nulls equal)."""
    return " and ".join(f"{left}.{k} is not distinct from {right}.{k}" for k in table.duplicate_key)


def handover_sql(table: contract.Table, batch_id: str) -> str:
    """SQL selecting the repeats that take over the rows of ``batch_id`` (a literal or ``$parameter``).

    For each row the batch holds, the repeat of the same key from the earliest other batch; repeats of
    rolled-back batches are deleted at their rollback, so every repeat belongs to a loaded batch.
    """
    columns = ", ".join(f"r.{c}" for c in stored_columns(table))
    keys = ", ".join(f"r.{k}" for k in table.duplicate_key)
    return f"""
        select {columns} from {repeats_table(table.name)} as r
        where r.batch_id <> {batch_id}
          and exists (select 1 from {table.name} as t where t.batch_id = {batch_id} and {key_match(table, "t", "r")})
        qualify row_number() over (partition by {keys} order by r.batch_id) = 1
    """


def find_batch_by_hash(con: duckdb.DuckDBPyConnection, content_hash: str) -> int | None:
    """The loaded (not rolled back) batch holding exactly this file content, if any."""
    row = con.execute(
        "select batch_id from batches where content_hash = ? and status = 'loaded' order by batch_id limit 1",
        [content_hash],
    ).fetchone()
    return row[0] if row else None


def _refresh_facts(con: duckdb.DuckDBPyConnection) -> None:
    """Keep the per-person derived tables (analytics.metrics.facts) in step with the rows, in the same transaction."""
    from analytics.metrics import facts

    facts.refresh_facts(con)


def load_prepared(
    con: duckdb.DuckDBPyConnection, report: IngestReport, *, loaded_by: str | None = None
) -> IngestReport:
    """Write a prepared file as one batch; fills in loaded and duplicate counts and ``batch_id``."""
    with db.WRITE_TURN, db.unordered_inserts(con):  # one load or rollback at a time in this process
        return _load_prepared(con, report, loaded_by)


def _load_prepared(con: duckdb.DuckDBPyConnection, report: IngestReport, loaded_by: str | None) -> IngestReport:
    con.execute("begin transaction")
    try:
        batch_id = con.execute("select nextval('batch_id_seq')").fetchone()[0]
        for sheet in report.sheets:
            if sheet.status != "ready":
                continue
            if sheet.figures is not None:
                _load_figures(con, sheet, batch_id)
                sheet.status = "loaded"
                continue
            table = contract.TABLES[sheet.kind]
            con.register("_staged", sheet.valid)
            try:
                sheet.loaded = _insert_new_rows(con, table, batch_id)
                if sheet.loaded < sheet.valid.num_rows:  # only a file with duplicates pays for the bookkeeping
                    _record_repeats(con, table, batch_id)
            finally:
                con.unregister("_staged")
            sheet.duplicates_in_database = sheet.valid.num_rows - sheet.loaded
            if sheet.issues is not None and len(sheet.issues):
                issues = sheet.issues.assign(batch_id=batch_id)[list(QUARANTINE_COLUMNS)]
                con.register("_issues", issues)
                con.execute(
                    f"insert into quarantine ({', '.join(QUARANTINE_COLUMNS)}) "
                    f"select {', '.join(QUARANTINE_COLUMNS)} from _issues"
                )
                con.unregister("_issues")
            sheet.status = "loaded"
        report.batch_id = batch_id
        report.status = "loaded"
        _insert_batch(con, report, loaded_by)
        _refresh_facts(con)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        report.status = "prepared"
        report.batch_id = None
        for sheet in report.sheets:
            if sheet.status == "loaded":
                sheet.status, sheet.loaded, sheet.duplicates_in_database = "ready", 0, 0
        raise
    return report


def preview_duplicates(con: duckdb.DuckDBPyConnection, report: IngestReport) -> IngestReport:
    """Count, without writing, the prepared rows that the database already holds (for the upload preview)."""
    for sheet in report.sheets:
        if sheet.status != "ready":
            continue
        if sheet.figures is not None:
            sheet.duplicates_in_database = sum(
                _count_existing(con, table, frame)
                for table, frame in _figure_frames(sheet)
            )
            continue
        table = contract.TABLES[sheet.kind]
        match = " and ".join(f"t.{k} is not distinct from s.{k}" for k in table.duplicate_key)
        con.register("_staged", sheet.valid)
        try:
            sheet.duplicates_in_database = int(
                con.execute(
                    f"select count(*) from _staged s where exists (select 1 from {table.name} t where {match})"
                ).fetchone()[0]
            )
        finally:
            con.unregister("_staged")
    return report


# Reported figures (集計値): loaded beside the records, with their targets and checks. The same duplicate and
# repeats bookkeeping as records (a figure another batch already holds is a duplicate, kept as a repeat so a
# rollback hands it over).
FIGURE_TABLES = (contract.REPORTED_FIGURES, contract.TARGETS)


def _figure_frames(sheet) -> list[tuple[contract.Table, pd.DataFrame]]:
    f = sheet.figures
    return [(contract.REPORTED_FIGURES, f.figures), (contract.TARGETS, f.targets)]


def _staged_frame(table: contract.Table, frame: pd.DataFrame) -> pd.DataFrame:
    """A figure or target frame with every stored column (typed as the table expects)."""
    columns = stored_columns(table)[1:]
    out = pd.DataFrame({c: frame[c] if c in frame.columns else None for c in columns})
    for c in ("period_start", "period_end", "vintage"):
        if c in out.columns and not (table is contract.TARGETS and c == "vintage"):
            out[c] = pd.to_datetime(out[c]).dt.date
    if "fiscal_year" in out.columns:
        out["fiscal_year"] = out["fiscal_year"].astype("Int16")
    if "value" in out.columns:
        out["value"] = out["value"].astype("float64")
    if "is_cumulative" in out.columns:
        out["is_cumulative"] = out["is_cumulative"].astype(bool)
    return out


def _count_existing(con: duckdb.DuckDBPyConnection, table: contract.Table, frame: pd.DataFrame) -> int:
    if not len(frame):
        return 0
    con.register("_staged", _staged_frame(table, frame))
    try:
        match = key_match(table, "t", "s")
        return int(con.execute(
            f"select count(*) from _staged s where exists (select 1 from {table.name} t where {match})"
        ).fetchone()[0])
    finally:
        con.unregister("_staged")


def _load_figures(con: duckdb.DuckDBPyConnection, sheet, batch_id: int) -> None:
    """Write one reported-figures sheet: figures, targets (new keys only, repeats kept), checks and quarantine."""
    loaded = staged = 0
    for table, frame in _figure_frames(sheet):
        if not len(frame):
            continue
        con.register("_staged", _staged_frame(table, frame))
        try:
            inserted = _insert_new_rows(con, table, batch_id)
            if inserted < len(frame):
                _record_repeats(con, table, batch_id)
        finally:
            con.unregister("_staged")
        loaded += inserted
        staged += len(frame)
    sheet.loaded = loaded
    sheet.duplicates_in_database = staged - loaded
    checks = sheet.figures.checks
    if len(checks):
        columns = ", ".join(checks.columns)
        con.register("_checks", checks)
        con.execute(f"insert into reported_checks (batch_id, {columns}) select {int(batch_id)}, {columns} from _checks")
        con.unregister("_checks")
    if sheet.issues is not None and len(sheet.issues):
        issues = sheet.issues.assign(batch_id=batch_id)[list(QUARANTINE_COLUMNS)]
        con.register("_issues", issues)
        con.execute(
            f"insert into quarantine ({', '.join(QUARANTINE_COLUMNS)}) select {', '.join(QUARANTINE_COLUMNS)} from _issues"
        )
        con.unregister("_issues")


def _insert_new_rows(con: duckdb.DuckDBPyConnection, table: contract.Table, batch_id: int) -> int:
    """Insert staged rows whose duplicate key is not in the table yet; returns rows inserted."""
    columns = stored_columns(table)[1:]
    match = key_match(table, "t", "s")
    inserted = con.execute(f"""
        insert into {table.name} (batch_id, {", ".join(columns)})
        select {int(batch_id)}, {", ".join(f"s.{c}" for c in columns)}
        from _staged s
        where not exists (select 1 from {table.name} t where {match})
    """).fetchone()
    return int(inserted[0]) if inserted else 0


def _record_repeats(con: duckdb.DuckDBPyConnection, table: contract.Table, batch_id: int) -> None:
    """Keep the staged rows that another batch already holds, as this batch's repeats.

    Runs after ``_insert_new_rows``: a key this batch wrote itself (an earlier sheet of the same workbook, or
    this sheet) is not a repeat, and a key this batch already repeated from an earlier sheet is kept once,
    as a from-scratch load would take the first sheet's row.
    """
    columns = stored_columns(table)[1:]
    con.execute(f"""
        insert into {repeats_table(table.name)} (batch_id, {", ".join(columns)})
        select {int(batch_id)}, {", ".join(f"s.{c}" for c in columns)}
        from _staged s
        where exists (select 1 from {table.name} t where t.batch_id <> {int(batch_id)} and {key_match(table, "t", "s")})
          and not exists (select 1 from {repeats_table(table.name)} r
                          where r.batch_id = {int(batch_id)} and {key_match(table, "r", "s")})
    """)


def _insert_batch(con: duckdb.DuckDBPyConnection, report: IngestReport, loaded_by: str | None) -> None:
    con.execute(
        """
        insert into batches (batch_id, file_name, content_hash, kinds, loaded_at, loaded_by, status, rows_read,
                             rows_loaded, rows_quarantined, rows_duplicate, rows_excluded, dropped_columns, report_json,
                             rows_warned)
        values (?, ?, ?, ?, ?, ?, 'loaded', ?, ?, ?, ?, ?, ?, ?, ?)
    """,
        [
            report.batch_id,
            report.file,
            report.content_hash,
            ",".join(report.kinds),
            dt.datetime.now(),
            loaded_by,
            report.total("rows_read"),
            report.total("loaded"),
            report.total("quarantined"),
            report.total("duplicates"),
            report.total("rows_excluded"),
            json.dumps(report.dropped_personal, ensure_ascii=False),
            json.dumps(report.to_dict(), ensure_ascii=False, default=str),
            report.total("warned"),
        ],
    )
    for s in report.sheets:
        con.execute(
            """
            insert into batch_sheets (batch_id, sheet, kind, status, skip_reason, header_row, rows_read, rows_loaded,
                                      rows_quarantined, rows_duplicate, rows_excluded, rows_warned)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
            [
                report.batch_id,
                s.sheet,
                s.kind,
                "loaded" if s.status == "loaded" else "skipped",
                s.skip_reason,
                s.header_row,
                s.rows_read,
                s.loaded,
                s.quarantined,
                s.duplicates,
                s.rows_excluded,
                s.warned,
            ],
        )


def list_batches(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """All batches, newest first (one row per file loaded)."""
    return con.execute("""
        select batch_id, file_name, kinds, loaded_at, loaded_by, status, rows_read, rows_loaded, rows_quarantined,
               rows_duplicate, rows_excluded, dropped_columns, rolled_back_at
        from batches order by batch_id desc
    """).df()


def list_quarantine(con: duckdb.DuckDBPyConnection, batch_id: int | None = None) -> pd.DataFrame:
    """Quarantined row problems (one per problem), optionally of one batch."""
    where, params = ("where batch_id = ?", [batch_id]) if batch_id is not None else ("", [])
    return con.execute(
        f"select {', '.join(QUARANTINE_COLUMNS)} from quarantine {where} "
        f"order by batch_id, sheet, row_number, column_name",
        params,
    ).df()


def rollback_batch(con: duckdb.DuckDBPyConnection, batch_id: int) -> RollbackCounts:
    """Remove the rows only this batch delivered (records and quarantine) and mark it rolled back.

    A row the batch wrote that a later, still-loaded batch repeated is handed over to the earliest such
    batch (that batch's version of the row replaces it), so it stays. Rows the batch skipped as duplicates
    of earlier batches belong to those batches and stay; its record of them goes. Returns rows removed per
    table, with the rows kept per contract table in ``.kept`` (see ``RollbackCounts``).
    """
    # the status is read in the same turn: two rollbacks of one batch cannot both pass
    with db.WRITE_TURN, db.unordered_inserts(con):
        return _rollback_batch(con, batch_id)


def _rollback_batch(con: duckdb.DuckDBPyConnection, batch_id: int) -> dict[str, int]:
    row = con.execute("select status from batches where batch_id = ?", [batch_id]).fetchone()
    if row is None:
        raise RollbackError(f"バッチ {batch_id} はありません。`python -m analytics batches` で番号を確認してください。")
    if row[0] != "loaded":
        raise RollbackError(f"バッチ {batch_id} は取り消し済みです。")
    removed: dict[str, int] = {}
    kept: dict[str, int] = {}
    kept_by: set[int] = set()
    con.execute("begin transaction")
    try:
        for name, table in (*contract.TABLES.items(), (contract.REPORTED_FIGURES.name, contract.REPORTED_FIGURES)):
            repeats = repeats_table(name)
            con.execute(f"create or replace temp table _handover as {handover_sql(table, str(int(batch_id)))}")
            deleted = int(con.execute(f"delete from {name} where batch_id = ?", [batch_id]).fetchone()[0])
            columns = ", ".join(stored_columns(table))
            handed = con.execute(f"insert into {name} ({columns}) select {columns} from _handover").fetchone()
            kept[name] = int(handed[0]) if handed else 0
            removed[name] = deleted - kept[name]
            if kept[name]:
                kept_by.update(b for (b,) in con.execute("select distinct batch_id from _handover").fetchall())
                con.execute(
                    f"delete from {repeats} as r using _handover as h "
                    f"where r.batch_id = h.batch_id and {key_match(table, 'r', 'h')}"
                )
            con.execute(f"delete from {repeats} where batch_id = ?", [batch_id])
            con.execute("drop table _handover")
        removed["quarantine"] = int(con.execute("delete from quarantine where batch_id = ?", [batch_id]).fetchone()[0])
        removed["reported_checks"] = int(
            con.execute("delete from reported_checks where batch_id = ?", [batch_id]).fetchone()[0]
        )
        con.execute(
            "update batches set status = 'rolled_back', rolled_back_at = ? where batch_id = ?",
            [dt.datetime.now(), batch_id],
        )
        _refresh_facts(con)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return RollbackCounts(removed, kept, sorted(kept_by))
