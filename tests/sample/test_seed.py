"""First-start seeding: loads the sample once, never twice, not even when two processes start together."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from analytics import db
from analytics.sample import seed
from analytics.views import status

PROJECT_ROOT = Path(__file__).resolve().parents[2]

CONSULTATIONS_CSV = (
    "個人ID,相談日,市区町村コード,対象者区分,機関種別\n"
    "A-1,2023-04-05,02201,長期無業,サポステ\n"
    "A-2,令和5年5月1日,13101,不安定就労,ハローワーク\n"
    "A-3,2023/6/7,01100,社会参加支援,ひきこもり地域支援センター\n"
)
PLACEMENTS_CSV = "個人ID,就職日,就職等区分\nA-1,2023-10-01,正社員\n"


@pytest.fixture
def small_sample(tmp_path: Path) -> Path:
    folder = tmp_path / "sample"
    folder.mkdir()
    (folder / "consultations_small.csv").write_text(CONSULTATIONS_CSV, encoding="utf-8")
    (folder / "placements_small.csv").write_text(PLACEMENTS_CSV, encoding="utf-8")
    (folder / "README.md").write_text("not a spreadsheet: never loaded", encoding="utf-8")
    return folder


def counts(db_path: Path) -> tuple[int, int, int]:
    with status.read_connection(db_path) as con:
        s = status.loaded_summary(con)
    return s.batches, s.consultations, s.placements


def test_sample_files_are_the_spreadsheets_sorted_by_name(small_sample):
    assert [p.name for p in seed.sample_files(small_sample)] == ["consultations_small.csv", "placements_small.csv"]
    assert seed.sample_files(small_sample / "missing") == []


def test_the_committed_clean_sample_has_all_three_kinds():
    names = [p.name for p in seed.sample_files()]
    for kind in ("consultations", "placements", "targets"):
        assert any(n.startswith(kind) for n in names), names


def test_seeds_an_empty_database_once(tmp_db, small_sample):
    reports = seed.ensure_seeded(tmp_db, sample_dir=small_sample)
    assert [r["status"] for r in reports] == ["loaded", "loaded"]
    assert counts(tmp_db) == (2, 3, 1)
    assert seed.ensure_seeded(tmp_db, sample_dir=small_sample) == []
    assert counts(tmp_db) == (2, 3, 1)


def test_a_database_whose_batches_were_rolled_back_is_not_seeded_again(tmp_db, small_sample):
    from analytics.ingest.load import rollback_batch

    reports = seed.ensure_seeded(tmp_db, sample_dir=small_sample)
    con = db.connect(tmp_db)
    try:
        for r in reports:
            rollback_batch(con, r["batch_id"])
    finally:
        con.close()
    assert seed.ensure_seeded(tmp_db, sample_dir=small_sample) == []
    assert counts(tmp_db) == (2, 0, 0)


def test_an_unreadable_sample_file_is_reported_and_the_others_still_load(tmp_db, small_sample):
    (small_sample / "broken.csv").write_bytes(b"\x00\x01\x02garbage\xff\xfe" * 50)
    reports = seed.ensure_seeded(tmp_db, sample_dir=small_sample)
    assert seed.failed_files(reports) == ["broken.csv"]
    assert counts(tmp_db)[1:] == (3, 1)


@pytest.mark.parametrize(
    ("value", "enabled"), [(None, True), ("1", True), ("0", False), ("false", False), ("off", False)]
)
def test_seeding_is_switched_off_by_the_environment(monkeypatch, value, enabled):
    if value is None:
        monkeypatch.delenv(seed.SEED_ENV, raising=False)
    else:
        monkeypatch.setenv(seed.SEED_ENV, value)
    assert seed.seeding_enabled() is enabled


@pytest.mark.slow
def test_two_processes_starting_together_load_the_sample_once(tmp_db, small_sample):
    # Both wait on a file, then seed at once: DuckDB lets one write, the other waits for the lock.
    go = tmp_db.parent / "go"
    script = (
        "import json, sys, time, pathlib\n"
        "from analytics.sample import seed\n"
        "go = pathlib.Path(sys.argv[1])\n"
        "while not go.exists(): time.sleep(0.01)\n"
        "print(json.dumps(len(seed.ensure_seeded(sys.argv[2], sample_dir=sys.argv[3]))))\n"
    )
    tmp_db.parent.mkdir(parents=True, exist_ok=True)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(go), str(tmp_db), str(small_sample)],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    go.touch()
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert sorted(results) == [0, 2]  # one process loaded both files, the other found them loaded
    assert counts(tmp_db) == (2, 3, 1)


def test_the_seed_loads_the_reported_figures_beside_the_records(seeded_db_path):
    """First start shows both sources: the seven reported-figure samples (issue 16) load with the records."""
    import duckdb

    con = duckdb.connect(str(seeded_db_path), read_only=True)
    try:
        batches = con.execute(
            "select count(*), sum(rows_read), sum(rows_loaded), sum(rows_excluded), sum(rows_warned) "
            "from batches where kinds = 'reported_figures'"
        ).fetchone()
        figures = con.execute("select count(*) from reported_figures").fetchone()[0]
        targets = con.execute("select count(*) from targets where target_kind is not null").fetchone()[0]
        checks = dict(con.execute("select check_code, count(*) from reported_checks group by 1").fetchall())
    finally:
        con.close()
    # cells read 798 = loaded 703 (688 figures + 15 targets) + excluded 95; 24 loaded with a warning
    assert batches == (7, 798, 703, 95, 24)
    assert (figures, targets) == (688, 15)
    assert checks == {"total_mismatch": 4, "rate_mismatch": 2}
