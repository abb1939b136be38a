"""Where the product keeps its files: the data directory, the database file and the pseudonym key.

One environment variable moves everything: ``HYOGAKI_DATA_DIR`` (default ``./data`` beside the code),
so the app and the CLI always open the same database.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
# Files the package ships: the bundled reference data (boundaries, code lists, the LFS headline) and the SQL.
REFERENCE_DIR = PACKAGE_DIR / "reference"
SQL_DIR = PACKAGE_DIR / "sql"
DOCS_DIR = PROJECT_ROOT / "docs"
DATA_DIR_ENV = "HYOGAKI_DATA_DIR"
DB_PATH_ENV = "HYOGAKI_DB"
SECRET_PATH_ENV = "HYOGAKI_SECRET_FILE"
DB_FILE_NAME = "dashboard.duckdb"
SECRET_FILE_NAME = "pseudonym.key"


def data_dir() -> Path:
    """The data directory (created on demand when possible; ``check_data_dir`` reports problems)."""
    path = Path(os.environ.get(DATA_DIR_ENV) or PROJECT_ROOT / "data")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass  # reported with a clear message by check_data_dir() / db.connect()
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


MIN_FREE_BYTES = 200 * 1024 * 1024  # below this a load of a large national file could fail half-way


class DataDirError(RuntimeError):
    """The data directory cannot be used (missing permissions, full disk). The message is Japanese."""


def check_data_dir(path: Path | None = None) -> Path:
    """Fail early and clearly when the data directory is unwritable or the disk is nearly full.

    Called at start-up by the app and by CLI commands that write. Returns the directory checked.
    """
    directory = Path(path) if path else default_db_path().parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".write-check-"):
            pass
    except OSError as exc:
        raise DataDirError(
            f"データディレクトリ {directory} に書き込めません（{exc.strerror or exc}）。"
            f"権限を確認するか、環境変数 {DATA_DIR_ENV} で書き込める場所を指定してください。"
        ) from exc
    free = shutil.disk_usage(directory).free
    if free < MIN_FREE_BYTES:
        raise DataDirError(
            f"データディレクトリ {directory} のディスクの空きが {free / 1048576:,.0f} MB しかありません"
            f"（{MIN_FREE_BYTES / 1048576:,.0f} MB 以上必要）。空きを作るか、{DATA_DIR_ENV} で別の場所を指定してください。"
        )
    return directory
