"""First start: fill an empty database from the committed clean sample files, safely under concurrency.

``streamlit run app.py`` on a fresh clone shows a full dashboard immediately because the app calls
``ensure_seeded()`` once. Set ``HYOGAKI_SEED=0`` to start with an empty database instead.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from analytics import config, db

SAMPLE_CLEAN_DIR = config.PROJECT_ROOT / "sample_data" / "clean"
SEED_ENV = "HYOGAKI_SEED"
SAMPLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xls")
# Seeding the sample takes seconds, but a second process starting at the same moment must wait for
# the first one's whole load rather than give up after the usual 30 s.
SEED_WAIT_SECONDS = 600.0

log = logging.getLogger(__name__)


def seeding_enabled() -> bool:
    """False when ``HYOGAKI_SEED`` is 0/false/no/off (e.g. a deployment that loads only real files)."""
    return os.environ.get(SEED_ENV, "1").strip().lower() not in {"0", "false", "no", "off"}


def sample_files(directory: str | Path | None = None) -> list[Path]:
    """The sample files to seed from, sorted by name (spreadsheets only; README files are skipped)."""
    folder = Path(directory) if directory else SAMPLE_CLEAN_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SAMPLE_SUFFIXES)


def ensure_seeded(db_path: str | Path | None = None, *, sample_dir: str | Path | None = None) -> list[dict[str, Any]]:
    """Load every file of ``sample_data/clean/`` when the database has no batches; return the reports.

    Returns one ``IngestReport.to_dict()`` per file loaded, or ``{"file", "status": "failed", "error_code",
    "message"}`` for a file that could not be read; an empty list when the database already had batches
    (rolled-back batches count: a user who removed the sample does not get it back).

    Concurrency: the check and the whole load happen under one write connection. DuckDB gives one
    process the file at a time, so a second process starting at once waits (``db.connect`` retries on
    the lock), then finds the batches and loads nothing.
    """
    from analytics.ingest.errors import IngestError
    from analytics.ingest.pipeline import ingest_file

    path = Path(db_path) if db_path else config.default_db_path()
    con = db.connect(path, wait_seconds=SEED_WAIT_SECONDS)
    try:
        if con.execute("select count(*) from batches").fetchone()[0] > 0:
            return []
        reports: list[dict[str, Any]] = []
        for file in sample_files(sample_dir):
            try:
                reports.append(ingest_file(con, file, db_path=path).to_dict())
            except IngestError as exc:
                log.warning("seeding: %s could not be loaded: %s", file.name, exc)
                reports.append(
                    {"file": str(file), "status": "failed", "error_code": exc.code, "message": exc.message("ja")}
                )
    finally:
        con.close()
    db.publish_if_enabled(path)
    return reports


def failed_files(reports: list[dict[str, Any]]) -> list[str]:
    """Names of the files whose seeding failed (for a warning on screen)."""
    return [Path(str(r.get("file", r.get("file_name", "?")))).name for r in reports if r.get("status") == "failed"]
