"""The published read-only copy (docs/deploy.md): loads publish a new copy with an atomic symlink swap, readers
(threads of this process, other processes) notice it and read the new data, and nothing fails during the swap."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analytics import db
from analytics.views import filters as F, status

ROOT = Path(__file__).resolve().parent.parent
MESSY = ROOT / "sample_data" / "messy"


@pytest.fixture
def published(seeded_db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the seeded database with publishing switched on for this test."""
    data = tmp_path / "data"
    shutil.copytree(seeded_db_path.parent, data)
    monkeypatch.setenv(db.PUBLISH_ENV, "1")
    monkeypatch.setenv("HYOGAKI_DATA_DIR", str(data))
    monkeypatch.setenv("HYOGAKI_DB", str(data / seeded_db_path.name))
    monkeypatch.setenv("HYOGAKI_SEED", "0")
    return data / seeded_db_path.name


def _count(con) -> int:
    return con.execute("select count(*) from consultations").fetchone()[0]


def test_publish_writes_a_numbered_copy_and_points_the_symlink_at_it(published):
    first = db.publish(published)
    assert first.name.endswith(".1.duckdb") and db.current_published(published) == first
    assert os.readlink(db.published_dir(published) / db.CURRENT_NAME) == first.name
    second = db.publish(published)
    assert second.name.endswith(".2.duckdb") and db.current_published(published) == second
    for _ in range(db.KEEP_PUBLISHED + 1):
        db.publish(published)
    assert len(list(db.published_dir(published).glob("*.duckdb"))) == db.KEEP_PUBLISHED + 1  # copies + symlink


def test_readers_read_the_copy_and_see_a_load_and_a_rollback_at_once(published):
    from analytics.views import upload

    with status.read_connection(published) as con:  # the first read publishes when nothing is published yet
        before, version = _count(con), F.data_version(con)
    assert db.current_published(published) is not None
    old_cursor = db.published_cursor(published)  # a reader in the middle of a page view

    from analytics.ingest.pipeline import ingest_path

    report = ingest_path(published, MESSY / "a_cp932_consultations.csv")
    db.publish_if_enabled(published)  # what the command line and the upload page do after a load
    with status.read_connection(published) as con:
        assert _count(con) == before + report.total("loaded") and F.data_version(con) != version
    assert _count(old_cursor) == before  # the old copy still answers, with the old data, until it is closed
    old_cursor.close()

    upload.rollback(report.batch_id, db_path=published)  # publishes by itself
    with status.read_connection(published) as con:
        assert _count(con) == before
        assert F.data_version(con) != version  # the rollback is a new version: nothing cached for the load is reused


def test_a_writer_loads_while_readers_hold_the_published_copy(published):
    """No lock conflict: the readers' process has the copy open, the writer opens the main file."""
    with status.read_connection(published) as con:
        before = _count(con)
        con2 = db.connect(published)  # the writer (another process would do the same)
        removed = con2.execute("delete from consultations where fiscal_year = 2020").fetchone()[0]
        con2.close()
        assert removed > 0 and _count(con) == before  # the copy is untouched until the next publish
    db.publish(published)
    with status.read_connection(published) as con:
        assert _count(con) == before - removed


READER = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from analytics.views import status, filters as F
path, out, seconds = sys.argv[2], sys.argv[3], float(sys.argv[4])
seen, errors = [], []
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    try:
        with status.read_connection(path) as con:
            version = F.data_version(con)
            n = con.execute("select count(*) from consultations").fetchone()[0]
        if not seen or seen[-1][0] != version:
            seen.append((version, n, time.time()))
    except Exception as exc:
        errors.append(repr(exc))
    time.sleep(0.02)
json.dump({"seen": seen, "errors": errors}, open(out, "w"))
"""


def test_two_reader_processes_serve_the_new_data_after_a_load_with_no_errors_during_the_swap(published, tmp_path):
    db.publish(published)
    script = tmp_path / "reader.py"
    script.write_text(READER)
    env = {**os.environ}
    readers = [
        subprocess.Popen([sys.executable, str(script), str(ROOT), str(published), str(tmp_path / f"r{i}.json"), "25"],
                         env=env)
        for i in range(2)
    ]
    time.sleep(4)  # both have opened the copy
    load = subprocess.run(
        [sys.executable, "-m", "analytics", "ingest", str(MESSY / "a_cp932_consultations.csv"), "--db", str(published)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert load.returncode == 0, load.stderr
    loaded_at = time.time()
    for r in readers:
        assert r.wait(timeout=60) == 0
    for i in range(2):
        result = json.loads((tmp_path / f"r{i}.json").read_text())
        assert result["errors"] == []
        versions = [v for v, _, _ in result["seen"]]
        assert len(versions) == 2, versions  # the old data, then the new data (nothing in between)
        (_, before, _), (_, after, seen_at) = result["seen"]
        assert after > before
        assert seen_at - loaded_at < 5  # every process sees the load within seconds


def test_a_copy_published_by_older_code_is_migrated_and_published_again_before_it_is_read(published):
    import duckdb

    old = db.publish(published)
    con = duckdb.connect(str(old))  # pretend the copy was made before the newest migration existed
    newest = con.execute("select max(name) from schema_migrations").fetchone()[0]
    con.execute("delete from schema_migrations where name = ?", [newest])
    con.close()
    cursor = db.published_cursor(published)
    try:
        assert cursor.execute("select count(*) from schema_migrations where name = ?", [newest]).fetchone()[0] == 1
    finally:
        cursor.close()
    assert db.current_published(published) != old
