"""Fixtures for the ingest tests: a fresh database per test and the committed messy sample files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analytics import db
from analytics.ingest.pipeline import ingest_file

ROOT = Path(__file__).resolve().parents[2]
MESSY = ROOT / "sample_data" / "messy"
CLEAN = ROOT / "sample_data" / "clean"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.duckdb"


@pytest.fixture
def con(db_path: Path):
    connection = db.connect(db_path)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def expected() -> dict:
    return json.loads((MESSY / "EXPECTED.json").read_text(encoding="utf-8"))["files"]


def load(con, path: Path, **kwargs):
    """Ingest one file into ``con`` (the key lives beside the test database)."""
    return ingest_file(con, path, **kwargs)


def table_counts(con) -> dict[str, int]:
    return {
        t: con.execute(f"select count(*) from {t}").fetchone()[0]
        for t in ("batches", "consultations", "placements", "targets", "quarantine")
    }
