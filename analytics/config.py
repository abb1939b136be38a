"""Where the product keeps its files: the data directory, the database file and the pseudonym key.

One environment variable moves everything: ``HYOGAKI_DATA_DIR`` (default ``./data`` beside the code),
so the app and the CLI always open the same database.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR_ENV = "HYOGAKI_DATA_DIR"
DB_PATH_ENV = "HYOGAKI_DB"
SECRET_PATH_ENV = "HYOGAKI_SECRET_FILE"
DB_FILE_NAME = "dashboard.duckdb"
SECRET_FILE_NAME = "pseudonym.key"


def data_dir() -> Path:
    """The data directory (created on demand)."""
    path = Path(os.environ.get(DATA_DIR_ENV) or PROJECT_ROOT / "data")
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_path() -> Path:
    """The DuckDB file the app and the CLI share: ``$HYOGAKI_DB`` or ``<data dir>/dashboard.duckdb``."""
    explicit = os.environ.get(DB_PATH_ENV)
    return Path(explicit) if explicit else data_dir() / DB_FILE_NAME


def secret_path(db_path: Path | None = None) -> Path:
    """The pseudonymisation key file: kept beside, never inside, the database.

    Default: ``$HYOGAKI_SECRET_FILE``, else ``pseudonym.key`` in the directory of the database, so
    a test database in a temporary directory gets its own key.
    """
    explicit = os.environ.get(SECRET_PATH_ENV)
    if explicit:
        return Path(explicit)
    base = Path(db_path).parent if db_path else data_dir()
    return base / SECRET_FILE_NAME
