"""The command line with reported figures: `progress` and `indicators` take --source, their CSV names the source
of each row, `progress --as-of` counts only figures whose period has ended by then (issue 16)."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from analytics import db
from analytics.cli import main
from tests.reported_rows import NAGASAKI, nagasaki_scenario


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "reported.duckdb"
    con = db.connect(path)
    nagasaki_scenario(con)
    con.close()
    return path


def _json(capsys) -> pd.DataFrame:
    return pd.DataFrame(json.loads(capsys.readouterr().out))


def test_progress_of_a_prefecture_with_only_reported_figures(db_path, capsys):
    assert main(["progress", "--db", str(db_path), "--stage", "第1ステージ", "--format", "json"]) == 0
    df = _json(capsys)
    row = df[(df["indicator"] == "regular_placements") & (df["prefecture_code"] == NAGASAKI)].iloc[0]
    assert (row["actual"], row["months_elapsed"], row["months_total"]) == (270, 30, 60)
    assert row["achievement"] == pytest.approx(0.75) and row["pace_index"] == pytest.approx(1.5)
    assert row["projected_end_value"] == pytest.approx(570) and row["status"] == "on_track"
    assert row["source"] == "reported" and row["vintage"] == "2023-04" and row["figure_vintage"][:10] == "2022-10-05"
    kpi = df[df["indicator"] == "career_decisions"].iloc[0]
    assert kpi["actual"] == 155 and kpi["status"] == "off_track" and kpi["project"].startswith("地域若者")


def test_progress_csv_gains_a_source_column_and_records_source_leaves_reported_targets_out(db_path, capsys):
    assert main(["progress", "--db", str(db_path), "--stage", "第1ステージ"]) == 0
    csv = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert {"source", "figure_vintage", "actual_through"} <= set(csv.columns)
    assert set(csv["source"]) == {"reported"}
    assert main(["progress", "--db", str(db_path), "--stage", "第1ステージ", "--source", "records"]) == 0
    out = capsys.readouterr()
    assert "進路決定者数" in out.err  # skipped: a measure without records
    csv = pd.read_csv(io.StringIO(out.out))
    assert "career_decisions" not in set(csv["indicator"])
    assert set(csv["source"]) <= {"records"}


def test_progress_as_of_counts_only_figures_ended_by_then(db_path, capsys):
    assert main(["progress", "--db", str(db_path), "--stage", "第1ステージ", "--as-of", "2022-04-30",
                 "--format", "json"]) == 0  # fmt: skip
    df = _json(capsys)
    row = df[df["indicator"] == "regular_placements"].iloc[0]
    assert row["actual"] == 220 and row["actual_through"][:10] == "2022-04-30"  # 100 + 110 + April's 10
    kpi = df[df["indicator"] == "career_decisions"].iloc[0]
    assert kpi["actual"] == 155  # the cumulative figure ends 2022-01-31, before the as-of date


def test_indicators_source_best_reported_and_records(db_path, capsys):
    args = ["indicators", "--db", str(db_path), "--by", "prefecture_code", "--fiscal-year", "2021",
            "--indicators", "regular_placements", "--format", "json"]
    assert main(args) == 0
    best = _json(capsys)
    row = best[best["prefecture_code"] == NAGASAKI].iloc[0]
    assert row["regular_placements"] == 110 and row["source"] == "reported"
    assert main([*args, "--source", "records"]) == 0
    records = _json(capsys)
    assert NAGASAKI not in set(records.get("prefecture_code", pd.Series(dtype=object)))
    assert main([*args, "--source", "reported"]) == 0
    rep = _json(capsys)
    assert list(rep["regular_placements"]) == [110] and list(rep["source"]) == ["reported"]


def test_an_unknown_source_is_refused(db_path, capsys):
    with pytest.raises(SystemExit):
        main(["progress", "--db", str(db_path), "--source", "official"])
