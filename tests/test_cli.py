"""The command line as users' scripts call it: ingest, batches, rollback, quarantine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from analytics.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "sample_data" / "clean").glob("*")) + sorted(
    p for p in (ROOT / "sample_data" / "messy").glob("*") if p.suffix in {".csv", ".xlsx", ".xls"}
)


def test_cli_loads_every_committed_sample_file(tmp_path, capsys):
    db = tmp_path / "cli.duckdb"
    code = main(["ingest", "--db", str(db), "--format", "json", *map(str, SAMPLES)])
    reports = json.loads(capsys.readouterr().out)
    assert code == 0
    assert len(reports) == len(SAMPLES)
    assert all(r["status"] in ("loaded", "already_loaded") for r in reports)
    for r in reports:
        if r["status"] == "loaded":
            assert r["rows_read"] == r["loaded"] + r["quarantined"] + r["duplicates"] + r["excluded"], r["file"]
    clean = {r["file"]: r for r in reports if r["file"].startswith(("consultations_", "placements_", "targets_"))}
    assert all(r["quarantined"] == 0 and r["loaded"] > 0 for r in clean.values())


def test_cli_text_report_batches_quarantine_and_rollback(tmp_path, capsys):
    db = tmp_path / "cli.duckdb"
    messy = ROOT / "sample_data" / "messy"
    assert main(["ingest", "--db", str(db), str(messy / "k_bad_rows_consultations.csv")]) == 0
    out = capsys.readouterr().out
    assert "取込 30" in out and "保留 10" in out and "invalid_date" in out

    assert main(["batches", "--db", str(db), "--format", "json"]) == 0
    batches = json.loads(capsys.readouterr().out)
    assert batches[0]["rows_loaded"] == 30 and batches[0]["status"] == "loaded"

    assert main(["quarantine", "--db", str(db), "--format", "csv"]) == 0
    assert capsys.readouterr().out.count("\n") >= 11

    assert main(["rollback", "--db", str(db), str(batches[0]["batch_id"])]) == 0
    assert "取り消しました" in capsys.readouterr().out
    assert main(["rollback", "--db", str(db), str(batches[0]["batch_id"])]) == 2


def test_cli_exits_non_zero_with_a_japanese_message_for_an_unreadable_file(tmp_path, capsys):
    bad = tmp_path / "memo.csv"
    bad.write_text("ただのメモです\nよろしくお願いします\n", encoding="utf-8")
    good = ROOT / "sample_data" / "messy" / "i_fullwidth_ids.csv"
    code = main(["ingest", "--db", str(tmp_path / "x.duckdb"), str(bad), str(good)])
    captured = capsys.readouterr()
    assert code == 2
    assert "見出し行が見つかりません" in captured.err
    assert "i_fullwidth_ids.csv" in captured.out  # the other file was still processed


def test_cli_map_option(tmp_path, capsys):
    odd = tmp_path / "odd.csv"
    odd.write_text("整理番号,面接実施日,区分,県\nA-1,2021-05-06,長期無業,青森\n", encoding="utf-8")
    db = str(tmp_path / "m.duckdb")
    assert main(["ingest", "--db", db, str(odd)]) == 2
    capsys.readouterr()
    assert (
        main(
            [
                "ingest",
                "--db",
                db,
                "--map",
                "整理番号=person_id",
                "--map",
                "面接実施日=consultation_date",
                "--format",
                "json",
                str(odd),
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)[0]["loaded"] == 1


def test_python_dash_m_analytics_runs_as_a_process(tmp_path):
    env = {**os.environ, "HYOGAKI_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "analytics",
            "ingest",
            "--format",
            "json",
            str(ROOT / "sample_data" / "messy" / "b_utf8_bom_tab_consultations.csv"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["loaded"] == 40
    assert (tmp_path / "dashboard.duckdb").exists() and (tmp_path / "pseudonym.key").exists()


def test_command_line_uploads_and_rollbacks_are_audited(tmp_path, capsys):
    from analytics import db
    from analytics.access import audit

    path = tmp_path / "audit.duckdb"
    assert main(["ingest", "--db", str(path), str(ROOT / "sample_data" / "messy" / "i_fullwidth_ids.csv")]) == 0
    assert main(["rollback", "--db", str(path), "1"]) == 0
    con = db.connect(path)
    try:
        events = audit.list_events(con)
    finally:
        con.close()
    assert list(events.sort_values("event_id").action) == ["upload", "rollback"]
    assert set(events.client) == {"cli"} and all(u.startswith("cli:") for u in events.username)
