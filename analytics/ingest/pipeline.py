"""The ingest pipeline for one file: read → find headers → normalise → validate → (load).

``prepare_file`` does everything except writing, in a private in-memory DuckDB, so the upload page
can preview a file; ``ingest_file`` prepares and then loads in one transaction (``load.load_prepared``).

Work is vectorised: cells are cleaned with DuckDB ``translate``/``trim`` on whole columns, parsers
run once per *distinct* value (a few thousand dates, not a million rows), their results are joined
back, and person IDs are pseudonymised by HMAC in SQL. The staging SQL is assembled here rather than
kept in ``sql/`` files because its columns depend on each file's header mapping.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

from analytics import contract
from analytics.ingest import headers as hdr, normalise as nz, pseudonym, reported, survey
from analytics.ingest.errors import REASONS, IngestError
from analytics.ingest.readers import RawSheet, read_file
from analytics.ingest.report import EXCLUDED_TYPES, IngestReport, SheetResult

TOTAL_WORDS = ["合計", "計", "総計", "小計", "累計", "総合計", "合計欄", "total", "grandtotal", "sum", "subtotal"]
NOTE_PATTERN = r"^(※|\*|＊|注[)）:：\s]|\(注|（注|注記|備考|出典|資料|\[注|【注)"
PREVIEW_ROWS = 20
# normalise_person_id for ASCII-only IDs, in SQL (whitespace removed, upper case).
ASCII_ID_SQL = "upper(regexp_replace({x}, '\\s+', '', 'g'))"
# First characters of note rows (「※…」「注）…」「備考…」): a cheap test before the note regex.
NOTE_STARTS = ["※", "*", "＊", "注", "(", "（", "備", "出", "資", "[", "【"]
MAX_AGE = 120

Parser = Callable[[object], tuple[object, str | None]]


def _today() -> dt.date:
    return dt.date.today()


def _date_parser(value: object) -> tuple[object, str | None]:
    date, reason = nz.parse_date(value)
    if date is not None and not (dt.date.fromisoformat(contract.EARLIEST_RECORD_DATE) <= date <= _today()):
        return None, "date_out_of_range"
    return date, reason


def _parser_for(column: contract.Column) -> tuple[Parser, str] | None:
    """(parser of one distinct cleaned value, DuckDB type of its result), or None for SQL-only columns."""
    if column.name == "indicator":
        return nz.parse_indicator, "varchar"
    if column.name == "age":
        return (lambda v: nz.parse_int(v, 0, MAX_AGE)), "smallint"
    if column.name == "birth_year":
        return (lambda v: nz.parse_birth_year(v, 1900, _today().year)), "smallint"
    if column.name in ("set_up_on", "period_start", "period_end"):  # may lie a few years ahead
        return survey.parse_set_up_date, "date"
    if column.name == "meetings":
        return survey.parse_meetings, "smallint"
    if column.codes == "connected":
        return survey.parse_connected, "boolean"
    return {
        "date": (_date_parser, "date"),
        "prefecture": (nz.parse_prefecture, "varchar"),
        "code": ((lambda v, c=column.codes: nz.parse_code(v, c)), "varchar"),
        "bool": (nz.parse_retention, "boolean"),
        "float": (nz.parse_float, "double"),
        "fiscal_year": (nz.parse_fiscal_year, "smallint"),
    }.get(column.type)


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def prepare_file(
    data: bytes,
    file_name: str,
    *,
    kind: str | None = None,
    mapping: dict[str, str] | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    key: bytes,
    profiles: list[tuple[str, dict[str, str]]] | None = None,
    content_hash: str | None = None,
) -> IngestReport:
    """Read and validate one file without writing anything.

    ``mapping`` maps headers as written to contract columns ("" = ignore); ``profiles`` are saved
    (signature, mapping) pairs applied when a sheet's headers match. ``sheet`` limits the file to one
    sheet; ``header_row`` (1-based) overrides header detection. Raises ``IngestError`` when no sheet
    can be loaded; sheets that are not records (a 集計 pivot beside 相談記録) are reported as skipped.
    """
    if kind is not None and kind not in contract.TABLES and kind != reported.KIND:
        raise IngestError("bad_mapping", detail=f"--kind {kind}")
    mapping, figure_mapping, overrides = reported.split_mapping(mapping)
    _check_mapping(mapping)
    content_hash = content_hash or hashlib.sha256(data).hexdigest()  # callers that looked it up pass it
    report = IngestReport(file=Path(file_name).name, content_hash=content_hash, status="prepared")
    stage = _staging_connection()
    try:
        with _cyclic_gc_paused():
            raw_sheets = read_file(stage, data, file_name)
            # The raw tables are read in order (rowid = row number); what is derived from them carries source_row,
            # so DuckDB may build it in any order (faster on two cores).
            stage.execute("set session preserve_insertion_order = false")
            if sheet is not None:
                raw_sheets = [s for s in raw_sheets if s.name == sheet]
                if not raw_sheets:
                    raise IngestError("no_header", file=report.file, sheets=sheet)
            for raw in raw_sheets:
                if kind == reported.KIND:
                    report.sheets.append(SheetResult(sheet=raw.name, kind=None, status="skipped"))
                    continue
                report.sheets.append(
                    _prepare_sheet(
                        stage,
                        raw,
                        report.file,
                        kind=kind,
                        mapping=mapping,
                        header_row=header_row,
                        key=key,
                        profiles=profiles or [],
                    )
                )
            # Reported figures (集計値): sheets that are not records are read as aggregate tables, unless the file
            # also holds records (a 集計 sheet beside 相談記録 summarises those records: loading it would count twice).
            has_records = any(s.status == "ready" and s.kind in ("consultations", "placements") for s in report.sheets)
            if kind in (None, reported.KIND) and not has_records and header_row is None:
                for i, raw in enumerate(raw_sheets):
                    if report.sheets[i].status == "skipped" and raw.rows and raw.width:
                        figures = _prepare_figures(
                            stage, raw, report.file, mapping=figure_mapping, overrides=overrides,
                            profiles=profiles or [],
                        )
                        if figures is not None:
                            report.sheets[i] = figures
    finally:
        stage.close()
    usable = [s for s in report.sheets if s.status == "ready"]
    if not usable:
        _raise_unusable(report)
    if all(s.rows_read == s.rows_excluded for s in usable):  # headers, titles and totals but no records
        raise IngestError("empty", file=report.file)
    return report


def _prepare_figures(
    stage,
    raw,
    file_name: str,
    *,
    mapping: dict[str, str],
    overrides: dict[str, str],
    profiles: list[tuple[str, dict[str, str]]] | None = None,
):
    """A raw sheet read as reported figures (``reported.read_figures``) into a ``SheetResult``, or None.

    A saved profile (``ingest.profiles``) whose header signature matches the sheet's first table supplies header
    mappings and context overrides (「福島県労働局 月次」: measure, unit, source); explicit ones win.
    """
    rows = [list(r) for r in stage.execute(f"select * from {raw.table} order by rowid").fetchall()]
    figures = reported.read_figures(rows, raw.name, file_name, merged=raw.merged, overrides=overrides, mapping=mapping)
    if figures is None:
        return None
    signature = hdr.header_signature(figures.labels)
    profile = next((m for sig, m in profiles or [] if sig == signature), None)
    if profile:
        _, profile_mapping, profile_overrides = reported.split_mapping(profile)
        merged_mapping = {**profile_mapping, **mapping}
        merged_overrides = {**profile_overrides, **overrides}
        if (merged_mapping, merged_overrides) != (mapping, overrides):
            again = reported.read_figures(
                rows, raw.name, file_name, merged=raw.merged, overrides=merged_overrides, mapping=merged_mapping
            )
            figures = again or figures
    result = SheetResult(sheet=raw.name, kind=reported.KIND, status="ready")
    result.header_row, result.header_rows = figures.header_row, figures.header_rows
    result.rows_read = figures.cells_read
    result.excluded = dict(figures.excluded)
    result.quarantined = len(figures.issues)
    result.quarantined_by_reason = (
        figures.issues["reason_code"].value_counts().sort_index().to_dict() if len(figures.issues) else {}
    )
    result.duplicates_in_file = figures.duplicates_in_file
    result.issues = figures.issues
    result.figures = figures
    result.warned = figures.warned
    result.preview = figures.figures.drop(columns=["source_sheet"]).head(20)
    result.matches = [
        hdr.ColumnMatch(
            j,
            label,
            figures.field_by_label.get(label),
            1.0 if figures.field_by_label.get(label) else 0.0,
            source="alias" if figures.field_by_label.get(label) else "none",
        )
        for j, label in enumerate(figures.labels)
        if label
    ]
    return result


@contextlib.contextmanager
def _cyclic_gc_paused():
    """Pause Python's cyclic garbage collector while a file is prepared.

    Reading creates millions of short-lived objects (Excel cells, distinct values) and no reference cycles, so
    the collector's full passes over them are pure cost (0.1-0.35 s per large file). Reference counting still
    frees everything; the collector resumes (and catches up) when the file is prepared. The switch is
    process-wide: another thread only sees collections postponed by the length of one preparation.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


STAGING_MEMORY_ENV = "HYOGAKI_STAGING_MEMORY"


def _staging_connection() -> duckdb.DuckDBPyConnection:
    """A private in-memory DuckDB for one file, with a memory cap; beyond it DuckDB spills to a temp folder.

    The cap (``$HYOGAKI_STAGING_MEMORY``, default 640MB) keeps a million-row load within its memory budget
    next to the file's bytes and the rows handed to the database.
    """
    import tempfile

    return duckdb.connect(
        config={"memory_limit": os.environ.get(STAGING_MEMORY_ENV, "640MB"), "temp_directory": tempfile.gettempdir()}
    )


def ingest_file(
    con: duckdb.DuckDBPyConnection,
    path: Path | str,
    *,
    kind: str | None = None,
    mapping: dict[str, str] | None = None,
    db_path: Path | str | None = None,
    data: bytes | None = None,
    file_name: str | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    loaded_by: str | None = None,
) -> IngestReport:
    """Prepare and load one file as one batch in one transaction; see ``prepare_file`` and ``load_prepared``.

    Example::

        report = ingest_file(db.connect(), Path("sample_data/messy/cp932_consultations.csv"))
        report.batch_id, report.total("loaded"), report.total("quarantined")
    """
    from analytics.ingest import load, profiles as profile_store

    path = Path(path)
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise IngestError("unreadable", file=str(path), detail=exc.strerror or str(exc)) from exc
    name = file_name or path.name
    content_hash = hashlib.sha256(data).hexdigest()
    existing = load.find_batch_by_hash(con, content_hash)
    if existing is not None:
        return IngestReport(
            file=name,
            content_hash=content_hash,
            status="already_loaded",
            existing_batch_id=existing,
        )
    key = pseudonym.load_key(db_path or _database_path(con))
    prepared = prepare_file(
        data,
        name,
        kind=kind,
        mapping=mapping,
        sheet=sheet,
        header_row=header_row,
        key=key,
        profiles=profile_store.list_profiles(con),
        content_hash=content_hash,
    )
    del data  # the file's bytes are not needed for writing: free them before the database's buffers grow
    return load.load_prepared(con, prepared, loaded_by=loaded_by)


def ingest_path(
    db_path: Path | str | None,
    path: Path | str,
    *,
    kind: str | None = None,
    mapping: dict[str, str] | None = None,
    loaded_by: str | None = None,
) -> IngestReport:
    """Ingest one file into the database at ``db_path``, holding its write lock only while writing.

    DuckDB lets one process write a file at a time and blocks readers meanwhile, so the slow part
    (reading, normalising, validating) runs before the write connection is opened: the app keeps
    answering while a scheduled job prepares a large file.
    """
    from analytics import config, db
    from analytics.ingest import load, profiles as profile_store

    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError("unreadable", file=str(path), detail=exc.strerror or str(exc)) from exc
    content_hash = hashlib.sha256(data).hexdigest()
    db_path = Path(db_path) if db_path else config.default_db_path()
    con = db.connect(db_path, read_only=True)
    try:
        existing = load.find_batch_by_hash(con, content_hash)
        saved_profiles = profile_store.list_profiles(con)
    finally:
        con.close()
    if existing is None:
        prepared = prepare_file(
            data,
            path.name,
            kind=kind,
            mapping=mapping,
            key=pseudonym.load_key(db_path),
            profiles=saved_profiles,
            content_hash=content_hash,
        )
        del data
        con = db.connect(db_path)
        try:
            # Another process may have loaded the same content while this one was preparing.
            existing = load.find_batch_by_hash(con, content_hash)
            if existing is None:
                return load.load_prepared(con, prepared, loaded_by=loaded_by)
        finally:
            con.close()
    return IngestReport(file=path.name, content_hash=content_hash, status="already_loaded", existing_batch_id=existing)


def _database_path(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute("select path from duckdb_databases() where database_name = current_database()").fetchone()
    return row[0] if row and row[0] else None


def _check_mapping(mapping: dict[str, str] | None) -> None:
    valid = {c for t in contract.TABLES.values() for c in t.column_names} | reported.FIGURE_FIELDS
    for header, column in (mapping or {}).items():
        if column and column not in valid:
            raise IngestError("bad_mapping", detail=f"{header}={column}")


def _raise_unusable(report: IngestReport) -> None:
    sheets = "、".join(s.sheet for s in report.sheets) or "なし"
    with_header = [s for s in report.sheets if s.header_row]
    if with_header:
        s = with_header[0]
        columns = (
            s.skip_reason
            if s.kind
            else "相談日（相談記録）、就職日と就職等区分（就職実績）、指標と目標値（目標）のいずれか"
        )
        error = IngestError("missing_columns", file=report.file, sheet=s.sheet, columns=columns)
    else:
        error = IngestError("no_header", file=report.file, sheets=sheets)
    error.report = report  # the sheets as far as they were understood: the upload page maps them by hand
    raise error


# --------------------------------------------------------------------------------------------
# One sheet
# --------------------------------------------------------------------------------------------


def _prepare_sheet(
    stage: duckdb.DuckDBPyConnection,
    raw: RawSheet,
    file_name: str,
    *,
    kind: str | None,
    mapping: dict[str, str] | None,
    header_row: int | None,
    key: bytes,
    profiles: list[tuple[str, dict[str, str]]],
) -> SheetResult:
    result = SheetResult(sheet=raw.name, kind=None, status="skipped")
    if raw.rows == 0 or raw.width == 0:
        result.skip_reason, result.skip_reason_en = "空のシートです", "empty sheet"
        return result
    if header_row is not None:
        if not 1 <= header_row <= len(raw.head):
            raise IngestError("no_header", file=file_name, sheets=f"{raw.name}（{header_row}行目）")
        last, n_rows = header_row - 1, 1
        labels = list(raw.head[last]) + [None] * (raw.width - len(raw.head[last]))
    else:
        hints = {**{k: v for _, pm in profiles for k, v in pm.items()}, **(mapping or {})}
        found = hdr.detect_header(raw.head, raw.width, raw.merged, hints)
        if found is None:
            result.skip_reason = "見出し行が見つかりません（相談・就職の記録ではないシート）"
            result.skip_reason_en = "no header row found (not a record sheet)"
            result.rows_read = raw.rows
            return result
        last, n_rows, labels = found
    explicit = dict(mapping or {})
    signature = hdr.header_signature(labels)
    for profile_signature, profile_mapping in profiles:
        if profile_signature == signature:
            explicit = {**profile_mapping, **explicit}
            break
    matches = hdr.map_columns(labels, explicit)
    result.matches, result.header_row, result.header_rows = matches, last + 1, n_rows
    result.rows_read = raw.rows - n_rows
    mapped = {m.column for m in matches if m.column}
    detected, missing = hdr.detect_kind(mapped, raw.name)
    result.kind = kind or detected
    if kind is None and result.kind in (None, "targets") and reported.looks_like_figures(labels, raw.head, raw.merged):
        # 指標 + 値 / 実績 (one row per figure): a long table of reported figures, not records or targets
        result.kind = None
        result.skip_reason = "集計値（指標・値）の表"
        result.skip_reason_en = "a table of reported figures (measure, value)"
        result.rows_read = raw.rows
        return result
    if result.kind is None:
        result.header_row = None if len(mapped) < 2 else result.header_row  # a pivot's 市町村 column is no header
        result.skip_reason = (
            "相談・就職・目標の記録の列（個人ID・相談日・就職日・指標など）がありません（集計表などとしてスキップ）"
        )
        result.skip_reason_en = "no record columns (person ID, dates, indicator): skipped as a summary sheet"
        return result
    table = contract.TABLES[result.kind]
    missing = [c.name for c in table.columns if c.required and c.name not in mapped]
    if missing:
        names = "、".join(f"{table.column(c).ja}（{c}）" for c in missing)
        result.skip_reason, result.skip_reason_en = names, ", ".join(missing)
        return result
    _stage_rows(
        stage, raw, result, table, data_start=last + 1, title_rows=last + 1 - n_rows, file_name=file_name, key=key
    )
    if result.kind == "platforms":  # the survey's as-of date (版): column, title row, sheet or file name
        survey.fill_vintage(result, raw.head[: last + 1 - n_rows], raw.name, file_name)
    result.status = "ready"
    return result


WHITESPACE = " \t\r\n\u3000"  # trimmed from every cell: ASCII and ideographic spaces


def _stage_rows(
    stage: duckdb.DuckDBPyConnection,
    raw: RawSheet,
    result: SheetResult,
    table: contract.Table,
    *,
    data_start: int,
    title_rows: int,
    file_name: str,
    key: bytes,
) -> None:
    """Classify, normalise and validate the data rows of one sheet into ``result``.

    One pass over the raw cells: every mapped column is joined to a lookup table that holds each of its
    distinct cells (as sent) already parsed, so the rows themselves are never cleaned one by one and no
    intermediate copy of the sheet is made. Row classes (blank / total / note) are decided with wide tests
    only for rows whose person-ID cell is not an ordinary ID (CASE evaluates its branches lazily).
    """
    params: dict[str, object] = {
        "total_words": TOTAL_WORDS,
        "note_pattern": NOTE_PATTERN,
        "note_starts": NOTE_STARTS,
        "ws": WHITESPACE,
        **pseudonym.hmac_params(key),
    }
    by_column = {m.column: m for m in result.matches if m.column and m.column in table.column_names}
    n = raw.table.removeprefix("raw_")
    p_table = f"p_{n}"
    lookups: list[str] = []

    # 1. per column: a lookup of its distinct cells → (value, status); 2. one join of all of them.
    joins, selects = [], []
    for column in table.columns:
        c = column.name
        match = by_column.get(c)
        sql_type = _sql_type(column)
        if match is None:
            selects += [f'null::{sql_type} as "{c}"', f'{BLANK}::utinyint as "{c}__status"']
            continue
        cell, alias = f"r.c{match.index}", f"lk_{c}"
        if c == "person_id":
            lookup = _person_lookup(stage, raw, match.index, data_start, params)
            condition = f"{alias}.v = {cell}"
        elif c == "municipality_code":
            prefecture = by_column.get("prefecture_code")
            lookup = _municipality_lookup(stage, raw, match.index, prefecture.index if prefecture else None, data_start)
            prefecture_cell = f"r.c{prefecture.index}" if prefecture else "null"
            condition = f"{alias}.v = {cell} and {alias}.prefecture_cell is not distinct from {prefecture_cell}"
        else:
            parser = _parser_for(column)
            lookup = _lookup_table(stage, raw, match.index, data_start, c, parser[0] if parser else _free_text, sql_type)
            condition = f"{alias}.v = {cell}"
        lookups.append(lookup)
        joins.append(f"left join {lookup} as {alias} on {condition}")
        # an empty cell (NULL) has no lookup row: blank
        selects += [f'{alias}.value as "{c}"', f'coalesce({alias}.status, {BLANK}) as "{c}__status"']

    all_cells = [f"r.c{i}" for i in range(raw.width)]
    blank = " and ".join(f"coalesce(trim({c}, $ws), '') = ''" for c in all_cells)
    first_cells = [f"nullif(trim({c}, $ws), '')" for c in all_cells[:5]]
    first_cell = f"coalesce({', '.join(first_cells)})" if len(first_cells) > 1 else first_cells[0]
    squeezed = ", ".join(f"lower(replace({c}, ' ', ''))" for c in first_cells)
    pid = by_column.get("person_id")
    pid_clean = f"nullif(trim(r.c{pid.index}, $ws), '')" if pid else "null"
    is_total = (
        f"list_has_any([{squeezed}], $total_words) "
        f"and ({pid_clean} is null or list_contains($total_words, lower(replace({pid_clean}, ' ', ''))))"
    )
    is_note = f"regexp_matches({first_cell}, $note_pattern) and ({pid_clean} is null or {pid_clean} = {first_cell})"
    # Most rows carry an ordinary person ID (decided once per distinct ID in its lookup): the wide blank,
    # total and note tests run only on the few remaining rows.
    plain_record = "when lk_person_id.plain then 'data' " if pid else ""
    row_class = (
        f"case {plain_record}when {blank} then 'blank' when {is_total} then 'total' when {is_note} then 'note' "
        f"else 'data' end"
    )
    _execute(
        stage,
        f"create table {p_table} as select r.rowid + 1 as source_row, {row_class} as row_class, "
        f"{', '.join(selects)} from {raw.table} as r {' '.join(joins)} where r.rowid >= {data_start}",
        params,
    )
    for lookup in lookups:
        stage.execute(f"drop table {lookup}")
    counts = dict(stage.execute(f"select row_class, count(*) from {p_table} group by all").fetchall())
    result.excluded = {t: int(counts.get(t, 0)) for t in EXCLUDED_TYPES}
    result.excluded["title"] = title_rows

    # 3. issues: one row per problem (column, reason); a row with any problem is quarantined.
    data = f"{p_table} where row_class = 'data'"
    issue_selects = []
    for column in table.columns:
        c = column.name
        status = f'"{c}__status"'
        issue_selects.append(  # status 2 is the first reason code (lists are 1-based)
            f"select source_row, {_q(c)} as column_key, list_extract($reason_codes, {status} - {BLANK}) as reason_code "
            f"from {data} and {status} > {BLANK}"
        )
        if column.required:
            issue_selects.append(
                f"select source_row, {_q(c)}, 'missing_required' from {data} and \"{c}__status\" = {BLANK}"
            )
    if table.name == "consultations":
        # no region at all: both cells empty, or a prefecture cell that names no prefecture (全国)
        issue_selects.append(
            f"select source_row, null, 'missing_region' from {data} and municipality_code is null "
            f"and prefecture_code is null and municipality_code__status <= {BLANK} and prefecture_code__status <= {BLANK}"
        )
    if "municipality_code" in table.column_names:
        issue_selects.append(
            f"select source_row, 'prefecture_code', 'prefecture_mismatch' from {data} "
            f"and left(municipality_code, 2) <> prefecture_code"
        )
    if table.name == "targets":
        issue_selects.append(
            f"select source_row, null, 'missing_period' from {data} "
            f"and fiscal_year__status = {BLANK} and stage__status = {BLANK}"
        )
    issues_table = f"i_{n}"
    params["reason_codes"] = REASON_CODES
    _execute(stage, f"create table {issues_table} as {' union all '.join(issue_selects)}", params)
    result.issues = _issue_frame(
        stage, issues_table, raw.table, p_table, table, by_column, raw.name, file_name, result.kind
    )
    stage.execute(f"drop table {raw.table}")
    result.quarantined = stage.execute(f"select count(distinct source_row) from {issues_table}").fetchone()[0]
    result.quarantined_by_reason = dict(
        stage.execute(
            f"select reason_code, count(distinct source_row) from {issues_table} group by all order by all"
        ).fetchall()
    )

    # 4. rows to load; within the file the first occurrence of a duplicate key is kept. Keys are compared
    # exactly, but only among rows whose key hash repeats (a cheap integer aggregate finds those).
    clean_rows = (
        f"select * from {data} and not exists (select 1 from {issues_table} i where i.source_row = {p_table}.source_row)"
    )
    key_sql = ", ".join(f'"{k}"' for k in table.duplicate_key)
    duplicates_table = f"d_{n}"
    stage.execute(f"""
        create table {duplicates_table} as
        with keyed as (select source_row, {key_sql}, hash({key_sql}) as key_hash from ({clean_rows})),
        repeated as (select key_hash from keyed group by key_hash having count(*) > 1)
        select source_row from keyed
        where key_hash in (select key_hash from repeated)
        qualify row_number() over (partition by {key_sql} order by source_row) > 1
    """)
    result.duplicates_in_file = stage.execute(f"select count(*) from {duplicates_table}").fetchone()[0]
    rows_to_load = (
        f"select {_q(raw.name)} as source_sheet, source_row, {', '.join(_output_columns(table))} "
        f"from ({clean_rows}) as c where source_row not in (select source_row from {duplicates_table})"
    )
    result.valid = stage.execute(rows_to_load).fetch_arrow_table()
    stage.register("_valid_arrow", result.valid)
    result.preview = stage.execute(
        f"select * exclude (source_sheet) from _valid_arrow order by source_row limit {PREVIEW_ROWS}"
    ).df()
    stage.unregister("_valid_arrow")
    stage.execute(f"drop table {p_table}; drop table {issues_table}; drop table {duplicates_table}")


def _sql_type(column: contract.Column) -> str:
    parser = _parser_for(column)
    return parser[1] if parser else "varchar"


def _output_columns(table: contract.Table) -> list[str]:
    """The stored columns, with derived ones: prefecture from the municipality, fiscal_year from the date."""
    columns = []
    for c in table.column_names:
        if c == "prefecture_code" and "municipality_code" in table.column_names:
            columns.append("coalesce(left(municipality_code, 2), prefecture_code) as prefecture_code")
        else:
            columns.append(f'"{c}"')
    date_column = {"consultations": "consultation_date", "placements": "placement_date"}.get(table.name)
    if date_column:
        columns.append(
            f"(year({date_column}) - case when month({date_column}) < 4 then 1 else 0 end)::smallint as fiscal_year"
        )
    return columns


# A lookup's ``status`` per distinct cell: 0 = a value (or a legitimate "none", e.g. 全国), 1 = blank,
# 2 + i = REASON_CODES[i]. One small integer travels through the joins instead of a reason text and a flag.
OK, BLANK = 0, 1
REASON_CODES = list(REASONS)


def _status(parsed: tuple[object, str | None], cell: object) -> int:
    if parsed[1] is not None:
        return BLANK + 1 + REASON_CODES.index(parsed[1])
    return BLANK if parsed[0] is None and nz.clean_text(cell) is None else OK


def _text_table(stage: duckdb.DuckDBPyConnection, name: str, columns: dict[str, list], *, types=None) -> str:
    """Store Python lists as a staging table (VARCHAR columns unless ``types`` says otherwise; None → NULL)."""
    import pyarrow as pa

    types = types or {}
    arrays = {
        k: (
            pa.array(values, type=pa.uint8())
            if types.get(k) == "utinyint"
            else pa.array([None if v is None else str(v) for v in values], type=pa.string())
        )
        for k, values in columns.items()
    }
    stage.register(f"{name}_arrow", pa.table(arrays))
    select = ", ".join(f"{k}::{types[k]} as {k}" if k in types else k for k in columns)
    stage.execute(f"create table {name} as select {select} from {name}_arrow")
    stage.unregister(f"{name}_arrow")
    return name


def _distinct_cells(stage: duckdb.DuckDBPyConnection, raw: RawSheet, index: int, data_start: int) -> list[str]:
    return (
        stage.execute(f"select distinct c{index} from {raw.table} where rowid >= {data_start} and c{index} is not null")
        .fetch_arrow_table()
        .column(0)
        .to_pylist()
    )


def _free_text(value: object) -> tuple[object, str | None]:
    """Free text (agency name, industry…): trimmed, full-width ASCII made ASCII, otherwise as sent."""
    text = str(value).strip(WHITESPACE)
    if not text:
        return None, None
    if _FULLWIDTH_ASCII.search(text):
        text = text.translate(_FULLWIDTH_TO_ASCII)
    return text, None


_FULLWIDTH_TO_ASCII = str.maketrans(nz.FULLWIDTH, nz.HALFWIDTH)
_FULLWIDTH_ASCII = re.compile("[\uff01-\uff5e]")


def _lookup_table(
    stage: duckdb.DuckDBPyConnection,
    raw: RawSheet,
    index: int,
    data_start: int,
    column: str,
    parser: Parser,
    sql_type: str,
) -> str:
    """The distinct cells of one column (as sent) with their parsed value (typed) and status."""
    values = _distinct_cells(stage, raw, index, data_start)
    parsed = [parser(v) for v in values]
    return _text_table(
        stage,
        f"lk_{raw.table}_{column}",
        {
            "v": values,
            "value": [None if p[0] is None else _as_text(p[0]) for p in parsed],
            "status": [_status(p, v) for p, v in zip(parsed, values, strict=True)],
        },
        types={"value": sql_type, "status": "utinyint"},
    )


def _person_lookup(
    stage: duckdb.DuckDBPyConnection, raw: RawSheet, index: int, data_start: int, params: dict[str, object]
) -> str:
    """Distinct ID cells → normalised → pseudonymised (HMAC in SQL), with the row-class shortcut ``plain``.

    Plain ASCII IDs (most systems) are normalised in SQL (spaces removed, upper case); only IDs with
    full-width or other non-ASCII characters (０１－０１０００) go through ``normalise_person_id_array`` (Arrow).
    Both give the same result for ASCII input (tested). ``plain`` marks an ordinary ID: not empty, not a
    total word (合計), not the start of a note (※): its row is a record without further tests.
    """
    import pyarrow as pa

    cell = f"c{index}"
    wide = (
        stage.execute(
            f"select distinct {cell} from {raw.table} where rowid >= {data_start} and {cell} is not null "
            f"and not regexp_matches({cell}, '^[\\x00-\\x7F]*$')"
        )
        .fetch_arrow_table()
        .column(0)
        .combine_chunks()
    )
    name = f"lk_{raw.table}_person_id"
    wide_table = f"{name}_wide"
    stage.register(f"{wide_table}_arrow", pa.table({"v": wide, "normalised": nz.normalise_person_id_array(wide)}))
    stage.execute(f"create table {wide_table} as select * from {wide_table}_arrow")
    stage.unregister(f"{wide_table}_arrow")
    _execute(
        stage,
        f"""
        create table {name} as
        with ids as (
            select distinct {cell} as v from {raw.table} where rowid >= {data_start} and {cell} is not null
        ),
        normalised as (
            select
                ids.v,
                case when w.v is not null then w.normalised
                     else nullif({ASCII_ID_SQL.format(x="ids.v")}, '') end as normalised
            from ids left join {wide_table} w on w.v = ids.v
        ),
        pseudonyms as (
            -- one HMAC per person, not per spelling: 01-01000 and ０１－０１０００ are hashed once
            select normalised, {pseudonym.hmac_sql("normalised")} as value
            from (select distinct normalised from normalised where normalised is not null)
        )
        select
            n.v,
            p.value,
            case when n.normalised is null then {BLANK} else {OK} end::utinyint as status,
            case
                when n.normalised is null then false
                -- an ID starting with a digit is neither a total word (合計) nor a note (※): no string tests
                when regexp_matches(n.v, '^[0-9０-９]') then true
                else not list_contains($total_words, lower(trim(n.v, $ws)))
                     and not list_contains($note_starts, left(trim(n.v, $ws), 1))
            end as plain
        from normalised n left join pseudonyms p using (normalised)
    """,
        params,
    )
    stage.execute(f"drop table {wide_table}")
    return name


def _municipality_lookup(
    stage: duckdb.DuckDBPyConnection, raw: RawSheet, index: int, prefecture_index: int | None, data_start: int
) -> str:
    """Distinct (municipality cell, prefecture cell) pairs: a name like 府中市 needs its prefecture."""
    prefecture_cell = f"c{prefecture_index}" if prefecture_index is not None else "null::varchar"
    pairs = stage.execute(
        f"select distinct c{index}, {prefecture_cell} from {raw.table} where rowid >= {data_start} and c{index} is not null"
    ).fetchall()
    prefectures = {p: nz.parse_prefecture(p)[0] for p in {p for _, p in pairs if p is not None}}
    parsed = [nz.parse_municipality(v, prefectures.get(p)) for v, p in pairs]
    return _text_table(
        stage,
        f"lk_{raw.table}_municipality",
        {
            "v": [v for v, _ in pairs],
            "prefecture_cell": [p for _, p in pairs],
            "value": [r[0] for r in parsed],
            "status": [_status(r, v) for r, (v, _) in zip(parsed, pairs, strict=True)],
        },
        types={"status": "utinyint"},
    )


def _as_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _issue_frame(
    stage: duckdb.DuckDBPyConnection,
    issues_table: str,
    raw_table: str,
    p_table: str,
    table: contract.Table,
    by_column: dict,
    sheet: str,
    file_name: str,
    kind: str,
) -> pd.DataFrame:
    """Quarantine rows: issue + messages + the row's contract columns as sent (IDs pseudonymised)."""
    reasons = pd.DataFrame([(code, ja, en) for code, (ja, en) in REASONS.items()], columns=["code", "ja", "en"])
    headers = pd.DataFrame(
        [(c.name, by_column[c.name].header if c.name in by_column else c.ja) for c in table.columns],
        columns=["column_key", "header"],
    )
    stage.register("reasons_df", reasons)
    stage.register("headers_df", headers)
    pairs = []
    for c in table.column_names:
        if c in by_column:
            pairs += [_q(by_column[c].header), "p.person_id" if c == "person_id" else f"r.c{by_column[c].index}"]
    raw_row = f"json_object({', '.join(pairs)})::varchar" if pairs else "null"
    # The cell as sent; an ID cell is shown as its pseudonym: the original ID is never stored.
    value = (
        "case i.column_key "
        + " ".join(
            f"when {_q(c)} then {'p.person_id' if c == 'person_id' else f'r.c{by_column[c].index}'}"
            for c in table.column_names
            if c in by_column
        )
        + " else null end"
    )
    frame = stage.execute(f"""
        select {_q(kind)} as kind, {_q(file_name)} as file_name, {_q(sheet)} as sheet,
               i.source_row as row_number, h.header as column_name, {value} as value, i.reason_code,
               replace(replace(r.ja, '{{column}}', coalesce(h.header, '')), '{{value}}', coalesce({value}, '')) as message_ja,
               replace(replace(r.en, '{{column}}', coalesce(h.header, '')), '{{value}}', coalesce({value}, '')) as message_en,
               {raw_row} as raw_row
        from {issues_table} i
        join {raw_table} r on r.rowid + 1 = i.source_row
        join {p_table} p using (source_row)
        left join headers_df h on h.column_key = i.column_key
        left join reasons_df r on r.code = i.reason_code
        order by i.source_row, h.header
    """).df()
    stage.unregister("reasons_df")
    stage.unregister("headers_df")
    return frame


def _q(text: str | None) -> str:
    """A SQL string literal. Only for headers and sheet names, which come from the file itself."""
    if text is None:
        return "null"
    return "'" + str(text).replace("'", "''") + "'"


def _execute(stage: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object]) -> None:
    stage.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql})
