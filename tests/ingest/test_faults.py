"""Faults with real processes: a load killed mid-file, loads while others read or load, bad data dirs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from analytics import config, db

from .conftest import CLEAN, MESSY

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


BIG_ROWS: dict[str, int] = {}


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory) -> Path:
    """~250,000 consultations (the clean sample ten times over, with distinct IDs), CP932."""
    frame = pd.read_csv(CLEAN / "consultations_FY2020-2024.csv", dtype=str)
    id_column = frame.columns[0]
    big = pd.concat([frame.assign(**{id_column: frame[id_column] + f"-{i}"}) for i in range(10)])
    path = tmp_path_factory.mktemp("big") / "big.csv"
    big.to_csv(path, index=False, encoding="cp932")
    BIG_ROWS["rows"] = len(big)
    return path


def _cli(db_path: Path, *args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "analytics", *args, "--db", str(db_path)]
        if args[0] != "ingest"
        else [sys.executable, "-m", "analytics", "ingest", "--db", str(db_path), *args[1:]],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def _integrity(db_path: Path) -> dict:
    """Counts, and proof that every stored row belongs to a complete, loaded batch."""
    con = db.connect(db_path, read_only=True)
    try:
        orphan = con.execute("""
            select count(*) from consultations c
            where not exists (select 1 from batches b where b.batch_id = c.batch_id and b.status = 'loaded')
        """).fetchone()[0]
        mismatched = con.execute("""
            select count(*) from batches b
            where b.status = 'loaded' and b.rows_loaded <> (
                (select count(*) from consultations c where c.batch_id = b.batch_id)
              + (select count(*) from placements p where p.batch_id = b.batch_id)
              + (select count(*) from targets t where t.batch_id = b.batch_id))
        """).fetchone()[0]
        count = con.execute("select count(*) from consultations").fetchone()[0]
        batches = con.execute("select count(*) from batches").fetchone()[0]
        facts = con.execute("select count(*) from person_facts").fetchone()[0]
    finally:
        con.close()
    return {"orphans": orphan, "mismatched": mismatched, "consultations": count, "batches": batches, "facts": facts}


@pytest.mark.parametrize("kill_after", [0.8, 2.0, 4.0])
def test_a_load_killed_mid_file_leaves_no_partial_batch(tmp_path, big_csv, kill_after):
    db_path = tmp_path / "kill.duckdb"
    assert _cli(db_path, "ingest", str(MESSY / "i_fullwidth_ids.csv")).wait(120) == 0
    baseline = _integrity(db_path)
    process = _cli(db_path, "ingest", str(big_csv))
    time.sleep(kill_after)
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    after = _integrity(db_path)  # the file opens (the WAL is replayed or discarded)
    assert after["orphans"] == 0 and after["mismatched"] == 0
    # Either nothing of the killed load is there, or all of it (it committed before the kill).
    if after["batches"] == baseline["batches"]:
        assert after == baseline
    else:
        assert after["consultations"] == baseline["consultations"] + BIG_ROWS["rows"]
    # The lock is gone and the same file loads completely afterwards (or was already complete).
    rerun = _cli(db_path, "ingest", "--format", "json", str(big_csv))
    _out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    final = _integrity(db_path)
    assert final["orphans"] == 0 and final["mismatched"] == 0
    assert final["batches"] == baseline["batches"] + 1


def test_readers_keep_getting_answers_while_another_process_loads(tmp_path, big_csv):
    db_path = tmp_path / "busy.duckdb"
    assert _cli(db_path, "ingest", str(MESSY / "i_fullwidth_ids.csv")).wait(120) == 0
    baseline = _integrity(db_path)["consultations"]
    loader = _cli(db_path, "ingest", str(big_csv))
    seen, errors = [], []
    while loader.poll() is None:
        try:
            con = db.connect(db_path, read_only=True, wait_seconds=120)
            try:
                seen.append(con.execute("select count(*) from consultations").fetchone()[0])
            finally:
                con.close()
        except Exception as exc:  # any failure here is the bug this test looks for
            errors.append(repr(exc))
        time.sleep(0.05)
    assert loader.returncode == 0, loader.stderr.read()
    assert errors == []
    assert len(seen) >= 2
    assert set(seen) <= {baseline, baseline + BIG_ROWS["rows"]}
    assert seen == sorted(seen)  # never a partial count, never going back


def test_two_loads_at_once_both_complete(tmp_path):
    db_path = tmp_path / "two.duckdb"
    db.connect(db_path).close()
    first = _cli(db_path, "ingest", str(CLEAN / "consultations_FY2020-2024.csv"))
    second = _cli(db_path, "ingest", str(CLEAN / "placements_FY2020-2024.csv"))
    assert first.wait(300) == 0 and second.wait(300) == 0, (first.stderr.read(), second.stderr.read())
    integrity = _integrity(db_path)
    assert integrity["batches"] == 2 and integrity["orphans"] == 0 and integrity["mismatched"] == 0


def test_threads_loading_through_one_process_each_get_their_turn(tmp_path):
    from analytics.ingest.pipeline import ingest_path

    db_path = tmp_path / "threads.duckdb"
    db.connect(db_path).close()
    files = [
        MESSY / n
        for n in (
            "a_cp932_consultations.csv",
            "b_utf8_bom_tab_consultations.csv",
            "g1_label_variants_consultations.csv",
            "i_fullwidth_ids.csv",
        )
    ]
    results, errors = [], []

    def run(path):
        try:
            results.append(ingest_path(db_path, path).status)
        except Exception as exc:
            errors.append(repr(exc))

    threads = [threading.Thread(target=run, args=(f,)) for f in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    # DuckDB refuses a read-only and a writing connection to one file in one process at once: each thread
    # waits for the others' connections to close, so every file loads.
    assert errors == []
    assert results == ["loaded"] * len(files)


def test_a_load_that_cannot_get_the_lock_is_refused_with_a_message(tmp_path):
    db_path = tmp_path / "locked.duckdb"
    db.connect(db_path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            ("import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('locked', flush=True); time.sleep(30)"),
            str(db_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        loader = _cli(db_path, "ingest", str(MESSY / "i_fullwidth_ids.csv"), env={"HYOGAKI_DB_WAIT_SECONDS": "1"})
        _out, err = loader.communicate(timeout=60)
        assert loader.returncode == 3
        assert "使用中" in err and "Traceback" not in err
    finally:
        holder.kill()
        holder.wait()


def test_unwritable_data_directory_is_reported_at_start(tmp_path, monkeypatch):
    locked = tmp_path / "ro"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):  # root ignores permissions: use a path under a file instead
            target = tmp_path / "afile"
            target.write_text("x")
            locked = target / "data"
        monkeypatch.setenv("HYOGAKI_DATA_DIR", str(locked))
        monkeypatch.delenv("HYOGAKI_DB", raising=False)
        with pytest.raises(config.DataDirError) as info:
            config.check_data_dir()
        assert "書き込めません" in str(info.value)
        process = subprocess.run(
            [sys.executable, "-m", "analytics", "ingest", str(MESSY / "i_fullwidth_ids.csv")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "HYOGAKI_DATA_DIR": str(locked)},
        )
        assert process.returncode == 3 and "書き込めません" in process.stderr and "Traceback" not in process.stderr
    finally:
        (tmp_path / "ro").chmod(0o700)


def test_a_full_disk_is_reported_at_start(tmp_path, monkeypatch):
    import shutil

    monkeypatch.setattr(shutil, "disk_usage", lambda _p: shutil._ntuple_diskusage(10**9, 10**9 - 10**6, 10**6))
    with pytest.raises(config.DataDirError) as info:
        config.check_data_dir(tmp_path)
    assert "空き" in str(info.value)


def test_a_second_writer_in_the_process_waits_for_the_first_to_commit(tmp_path, monkeypatch):
    # Deterministic version of the threads test: the first load is held inside its transaction (in the facts
    # refresh); a second load from another thread must wait for it, then both batches are there.
    from analytics.ingest import load
    from analytics.ingest.pipeline import ingest_file

    db_path = tmp_path / "turns.duckdb"
    db.connect(db_path).close()
    inside, release = threading.Event(), threading.Event()
    real_refresh = load._refresh_facts

    def held_refresh(con):
        if threading.current_thread().name == "first":
            inside.set()
            assert release.wait(30)
        real_refresh(con)

    monkeypatch.setattr(load, "_refresh_facts", held_refresh)
    results: dict[str, object] = {}

    def run(name, file):
        # each thread with its own write connection to the one database instance (as two app sessions)
        con = db.connect(db_path)
        try:
            results[name] = ingest_file(con, MESSY / file).status
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            results[name] = repr(exc)
        finally:
            con.close()

    first = threading.Thread(target=run, args=("first", "a_cp932_consultations.csv"), name="first")
    second = threading.Thread(target=run, args=("second", "i_fullwidth_ids.csv"), name="second")
    first.start()
    assert inside.wait(30)
    second.start()
    second.join(2)
    assert second.is_alive() and "second" not in results  # waiting for its turn, not failing
    release.set()
    first.join(60)
    second.join(60)
    assert results == {"first": "loaded", "second": "loaded"}
    with db.connect(db_path, read_only=True) as con:
        assert con.execute("select count(*) from batches where status = 'loaded'").fetchone()[0] == 2
