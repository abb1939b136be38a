"""Writing prepared files to the database: one transaction per file, batches, duplicates, rollback.

A failure anywhere inside ``load_prepared`` rolls the transaction back, so the database is exactly as
it was. Rows already in the database (same person, date and agency for consultations; same person,
date and outcome for placements) are counted as duplicates, not written again, which makes re-sent
and cumulative (上期 → 通期累計) files safe.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pandas as pd

from analytics import contract, db
from analytics.ingest.report import IngestReport

QUARANTINE_COLUMNS = (
    "batch_id",
    "kind",
    "file_name",
    "sheet",
    "row_number",
    "column_name",
    "value",
    "reason_code",
    "message_ja",
    "message_en",
    "raw_row",
)


class RollbackError(Exception):
    """The batch does not exist or was already rolled back."""


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
            table = contract.TABLES[sheet.kind]
            con.register("_staged", sheet.valid)
            try:
                sheet.loaded = _insert_new_rows(con, table, batch_id)
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


def _insert_new_rows(con: duckdb.DuckDBPyConnection, table: contract.Table, batch_id: int) -> int:
    """Insert staged rows whose duplicate key is not in the table yet; returns rows inserted."""
    columns = ["source_sheet", "source_row", *table.column_names]
    if table.name in ("consultations", "placements"):
        columns.append("fiscal_year")
    match = " and ".join(f"t.{k} is not distinct from s.{k}" for k in table.duplicate_key)
    inserted = con.execute(f"""
        insert into {table.name} (batch_id, {", ".join(columns)})
        select {int(batch_id)}, {", ".join(f"s.{c}" for c in columns)}
        from _staged s
        where not exists (select 1 from {table.name} t where {match})
    """).fetchone()
    return int(inserted[0]) if inserted else 0


def _insert_batch(con: duckdb.DuckDBPyConnection, report: IngestReport, loaded_by: str | None) -> None:
    con.execute(
        """
        insert into batches (batch_id, file_name, content_hash, kinds, loaded_at, loaded_by, status, rows_read,
                             rows_loaded, rows_quarantined, rows_duplicate, rows_excluded, dropped_columns, report_json)
        values (?, ?, ?, ?, ?, ?, 'loaded', ?, ?, ?, ?, ?, ?, ?)
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
        ],
    )
    for s in report.sheets:
        con.execute(
            """
            insert into batch_sheets values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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


def rollback_batch(con: duckdb.DuckDBPyConnection, batch_id: int) -> dict[str, int]:
    """Remove exactly the rows a batch wrote (records and quarantine) and mark it rolled back.

    Returns rows removed per table. Rows that the batch skipped as duplicates of earlier batches
    belong to those batches and stay.
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
    con.execute("begin transaction")
    try:
        for table in (*contract.TABLES, "quarantine"):
            removed[table] = int(con.execute(f"delete from {table} where batch_id = ?", [batch_id]).fetchone()[0])
        con.execute(
            "update batches set status = 'rolled_back', rolled_back_at = ? where batch_id = ?",
            [dt.datetime.now(), batch_id],
        )
        _refresh_facts(con)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return removed
