"""Every function that runs SQL, and why it obeys the prefecture scope: the one registry (issue 15).

Rule: a function in ``analytics/``, ``ui/``, ``pages/`` or ``app.py`` that runs SQL or reads a SQL file
(``con.execute``, ``con.sql``, ``con.query``, ``db.run_sql``, ``db.sql_text``, ...) is an *SQL entry point*.
Each one either

- **is the scoped path**, :data:`SCOPED_PATH` (``indicators.run_grain``: it passes the grain file's bound
  parameters through :func:`analytics.access.scope.scope_params` for the active viewer, so a municipal request
  outside the viewer's prefecture raises ``ScopeError``). Person-level and municipal rows are read only
  through it: ``indicators.compute``, ``cohort_curve``, ``groups.support_path`` and ``groups.referral_flows``
  call ``run_grain`` and run no SQL of their own; or
- **is listed in** :data:`EXEMPT` with the reason it needs no scope: it reads only batch or session metadata,
  national or prefecture aggregates, the audit log or sign-in failures, writes rather than reads, or is reached
  only by roles whose scope is every municipality.

``tests/access/test_sql_entry_points.py`` finds the entry points by parsing the source (no list kept by hand)
and fails on one that is neither; it also fails on an entry here that no longer exists. A new reader of rows
should call ``run_grain`` (a grain file in ``analytics/sql``), not be added here.

Plain data, no imports: the access layer knows nothing of the modules it names.
"""

from __future__ import annotations

SCOPED_PATH = "analytics.metrics.indicators.run_grain"

_UPLOAD_ROLES = (
    "reached only from the upload and upload-history pages (permission 'upload': admin and analyst, whose scope is "
    "every municipality) and the command line"
)
_STAGING = "runs on the in-memory staging connection of the file being read, not on the database; " + _UPLOAD_ROLES
_WRITE_PATH = "the load's write path (inserts a batch, returns counts, no rows); " + _UPLOAD_ROLES

EXEMPT: dict[str, str] = {
    # -- the database module itself
    "analytics.db.unordered_inserts": "reads and sets a session setting; no data",
    "analytics.db._pending_migrations": "reads only schema_migrations (which migrations are still to apply)",
    "analytics.db._apply_migrations": "applies the schema migrations inside the writer turn; no data read",
    "analytics.db.sql_text": "reads a SQL file's text and runs nothing (its callers that run it are entry points)",
    "analytics.db.run_sql": "the generic executor: every caller is an entry point of its own, listed here or scoped",
    "analytics.db.publish": "runs a checkpoint before copying the file for the readers (docs/deploy.md); no data read",
    # -- access: sign-in and the audit log
    "analytics.access.auth.check_throttle": "reads sign_in_failures of one account or address: no records of people",
    "analytics.access.auth.record_failure": "writes sign_in_failures: no records of people supported",
    "analytics.access.auth.clear_failures": "deletes sign_in_failures of one account: no records of people supported",
    "analytics.access.sessions.start": "writes signin_sessions (one account's sign-in): no records of people supported",
    "analytics.access.sessions.end": "ends one row of signin_sessions: no records of people supported",
    "analytics.access.sessions.resume": "reads and touches one row of signin_sessions: no records of people supported",
    "analytics.access.audit.record": "appends to audit_log (reads only its last row hash)",
    "analytics.access.audit.list_events": "the audit log; the audit page needs 'view_audit' (admin only)",
    "analytics.access.audit.verify_chain": "hashes of the audit log; admin page and CLI",
    # -- metrics
    "analytics.metrics.facts.refresh_facts": "rebuilds the derived facts tables; returns no rows",
    "analytics.metrics.facts.ensure_current": "checks and rebuilds the derived facts tables; returns no rows",
    "analytics.metrics.facts.is_current": "compares batch row counts with facts_meta; returns a boolean",
    "analytics.metrics.facts.is_read_only": "reads a connection setting; no data",
    "analytics.metrics.indicators.render_sql": "builds a grain file's SQL text for run_grain; runs nothing",
    "analytics.metrics.indicators.as_of": "the data's as-of date (one date, national)",
    "analytics.metrics.progress.latest_targets": (
        "targets are set per nation or prefecture; municipal targets (migration 011) are dropped outside the "
        "viewer's municipal_prefectures in the function itself"
    ),
    # -- views: metadata and national / prefecture aggregates
    "analytics.views.memo.database_key": "reads the attached database's file path (duckdb_databases()); no data",
    "analytics.views.filters.filter_options": (
        "the fiscal years and region codes present (no counts) for the sidebar's choices; the sidebar offers a "
        "prefecture's municipalities only where viewer.can_see_municipalities_of allows"
    ),
    "analytics.views.filters.data_version": "batch count, last batch id and time: the cache key",
    "analytics.views.status.data_as_of": "latest record date and load time (national)",
    "analytics.views.status.loaded_summary": "row counts in total, per fiscal year and per prefecture",
    "analytics.views.quality.coverage": "rows loaded per prefecture x month (prefecture aggregates)",
    "analytics.views.platforms._all_rows": "survey rows only ever aggregated to prefecture coverage by its callers"
    " (by_prefecture, over_time), never returned per municipality",
    "analytics.views.platforms.over_time": "survey vintages and prefecture or national coverage per vintage"
    " (aggregates)",
    "analytics.views.quality.quarantine_by_reason": "counts of kept-aside rows per reason code (no region)",
    "analytics.views.quality.batch_coverage": "per batch: file, status, row counts, date span, number of prefectures",
    "analytics.views.upload.profile_names": "saved column mappings (header signatures and names)",
    "analytics.views.upload.original_ids": _STAGING,
    "analytics.views.upload.batch_sheets_table": "per-sheet counts of one batch; " + _UPLOAD_ROLES,
    "analytics.views.upload.rollback_impact": (
        "row counts, fiscal years and prefecture codes of one batch, before a rollback; " + _UPLOAD_ROLES
    ),
    # -- ingest: reading files and writing batches
    "analytics.ingest.load.find_batch_by_hash": "the batch id of a file already loaded (batches metadata)",
    "analytics.ingest.load.list_batches": "the batches table (file names, counts, status): batch metadata",
    "analytics.ingest.load.list_quarantine": "kept-aside rows of a batch (pseudonymised); " + _UPLOAD_ROLES,
    "analytics.ingest.load.preview_duplicates": "counts the file's rows already stored; " + _UPLOAD_ROLES,
    "analytics.ingest.load._load_prepared": _WRITE_PATH,
    "analytics.ingest.load._insert_new_rows": _WRITE_PATH,
    "analytics.ingest.load._insert_batch": _WRITE_PATH,
    "analytics.ingest.load._record_repeats": _WRITE_PATH,
    "analytics.ingest.load._load_figures": _WRITE_PATH + " (reported figures, their targets and checks)",
    "analytics.ingest.load._count_existing": "counts the file's reported figures already stored; " + _UPLOAD_ROLES,
    "analytics.ingest.load.repeats_recorded": "reads one batch id from repeats_recorded_from (bookkeeping)",
    "analytics.ingest.load._rollback_batch": "deletes one batch's rows (permission 'rollback': admin); returns counts",
    "analytics.ingest.profiles.list_profiles": "saved column mappings (metadata)",
    "analytics.ingest.profiles.save_profile": "writes a column mapping (metadata)",
    "analytics.ingest.profiles._figure_labels": _STAGING + " (the header of a reported-figures table)",
    "analytics.ingest.pipeline.prepare_file": _STAGING,
    "analytics.ingest.pipeline._prepare_figures": _STAGING + " (a reported-figures sheet's raw cells)",
    "analytics.ingest.pipeline._database_path": "the database file's path (duckdb_databases())",
    "analytics.ingest.pipeline._stage_rows": _STAGING,
    "analytics.ingest.pipeline._text_table": _STAGING,
    "analytics.ingest.pipeline._distinct_cells": _STAGING,
    "analytics.ingest.pipeline._person_lookup": _STAGING,
    "analytics.ingest.pipeline._municipality_lookup": _STAGING,
    "analytics.ingest.pipeline._issue_frame": _STAGING,
    "analytics.ingest.pipeline._execute": _STAGING,
    "analytics.ingest.readers.read_csv": _STAGING,
    "analytics.ingest.readers._read_utf8_copy": _STAGING,
    "analytics.ingest.readers._longest_cell": _STAGING,
    "analytics.ingest.readers._excel_sheet": _STAGING,
    # -- the sample
    "analytics.sample.seed.ensure_seeded": "loads the sample files into an empty database; returns load reports",
}
