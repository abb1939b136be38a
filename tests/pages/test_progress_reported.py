"""AppTest: 進捗 and データ品質 with reported figures beside the sample's records (issue 16).

長崎県 (42) gets reported figures and targets only (tests/reported_rows.py, hand-computed there); 東京都 (13) gets a
reported monthly figure where records exist too, for the reconciliation on データ品質.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics import config
from analytics.text import ui_text
from tests.pages.test_overview_progress import run  # the app opened on a page, no exception and no error
from tests.reported_rows import seeded_copy_with_reported

PROGRESS, QUALITY = "pages/progress.py", "pages/quality.py"


@pytest.fixture
def reported_db(seeded_db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    db_path = seeded_copy_with_reported(seeded_db_path, data)
    monkeypatch.setenv(config.DATA_DIR_ENV, str(data))
    monkeypatch.setenv(config.DB_PATH_ENV, str(db_path))
    monkeypatch.setenv("HYOGAKI_SEED", "0")
    return db_path


def _frames(at) -> list:
    return [getattr(d.value, "data", d.value) for d in at.dataframe]


def test_progress_shows_a_prefecture_with_only_reported_figures_with_source_and_vintage(reported_db):
    at = run(PROGRESS, pref="42", stage="第1ステージ")
    shown = {m.label: m.value for m in at.metric}
    assert shown["正社員就職件数"] == "270 / 360"
    assert shown["進路決定者数"] == "155 / 300"
    captions = [c.value for c in at.caption]
    assert "出所: 報告値（労働局）・2022年10月5日時点" in captions
    assert "出所: 報告値（サポステ）・2022年3月10日時点" in captions
    kpi = next(f for f in _frames(at) if ui_text.t("rep.col_project") in f.columns)
    row = kpi.iloc[0]
    assert row[ui_text.t("rep.col_project")].startswith("地域若者サポートステーション")
    assert row[ui_text.t("prog.col_actual")] == 155 and row[ui_text.t("prog.col_status")] == "✖ 遅れ"
    assert row[ui_text.t("rep.col_source")] == "報告値" and row[ui_text.t("rep.col_vintage")] == "2022年3月10日"
    assert any(s.value == ui_text.t("rep.kpi_heading") for s in at.subheader)
    summary = next(f for f in _frames(at) if ui_text.t("rep.col_period") in f.columns
                   and ui_text.t("rep.col_project") not in f.columns)  # fmt: skip
    placements = summary[summary[ui_text.t("prog.col_indicator")] == "正社員就職件数"].iloc[0]
    assert placements[ui_text.t("rep.col_period")] == "令和2年度〜令和6年度 (FY2020–FY2024)"
    assert placements[ui_text.t("prog.col_achievement")] == 75.0 and placements[ui_text.t("prog.col_pace")] == 150.0
    assert placements[ui_text.t("prog.col_status")] == "● 順調"


def test_progress_in_english_names_the_source(reported_db):
    at = run(PROGRESS, pref="42", stage="第1ステージ", lang="en")
    assert "Source: reported figure (労働局), as of 2022-10-05" in [c.value for c in at.caption]


def test_data_quality_shows_records_against_reported_and_the_checks(reported_db):
    at = run(QUALITY, fy="2023")
    headings = [s.value for s in at.subheader]
    assert ui_text.t("quality.reconcile_heading") in headings and ui_text.t("quality.checks_heading") in headings
    frames = _frames(at)
    rec = next(f for f in frames if ui_text.t("quality.col.difference") in f.columns)
    month = rec[ui_text.t("quality.col.month")] == "2023-04"
    tokyo = rec[(rec[ui_text.t("col.prefecture")] == "東京都") & month].iloc[0]
    assert tokyo[ui_text.t("quality.col.reported")] == 999
    assert tokyo[ui_text.t("quality.col.difference")] == 999 - tokyo[ui_text.t("quality.col.records")]
    checks = next(f for f in frames if ui_text.t("quality.col.stated") in f.columns)
    assert checks[ui_text.t("quality.col.stated")].tolist() == [1200] and checks[
        ui_text.t("quality.col.computed")].tolist() == [1190]


@pytest.fixture
def reported_only_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database with reported figures and targets only: no consultation or placement at all."""
    from analytics import db
    from analytics.metrics import facts
    from tests.reported_rows import nagasaki_scenario

    data = tmp_path / "data"
    data.mkdir()
    db_path = data / config.DB_FILE_NAME
    con = db.connect(db_path)
    try:
        nagasaki_scenario(con)
        con.execute("""
            insert into batches (batch_id, file_name, content_hash, kinds, loaded_at, status, rows_read, rows_loaded,
                rows_quarantined, rows_duplicate, rows_excluded)
            values (900, '長崎県_KPI_R3.xlsx', 'x', 'reported_figures,targets', now(), 'loaded', 14, 14, 0, 0, 0)""")
        facts.refresh_facts(con)
    finally:
        con.close()
    monkeypatch.setenv(config.DATA_DIR_ENV, str(data))
    monkeypatch.setenv(config.DB_PATH_ENV, str(db_path))
    monkeypatch.setenv("HYOGAKI_SEED", "0")
    return db_path


def test_a_planner_with_only_reported_figures_sees_progress(reported_only_db):
    at = run(PROGRESS, pref="42", stage="第1ステージ")
    shown = {m.label: m.value for m in at.metric}
    assert shown["正社員就職件数"] == "270 / 360" and shown["進路決定者数"] == "155 / 300"
    assert "出所: 報告値（労働局）・2022年10月5日時点" in [c.value for c in at.caption]


def test_target_groups_page_shows_reported_counts_of_groups_without_records(reported_only_db):
    import datetime as dt

    import duckdb

    from tests.reported_rows import figure, fy, insert_figures

    con = duckdb.connect(str(reported_only_db))
    insert_figures(con, [figure("persons", fy(2021), 12, prefecture_code="42", target_group="social_participation",
                                vintage=dt.date(2022, 5, 1))])  # fmt: skip
    con.close()
    at = run("pages/groups.py", pref="42", fy="2021")
    assert ui_text.t("rep.groups_heading") in [s.value for s in at.subheader]
    table = _frames(at)[0]
    assert table["対象者区分"].tolist() == ["社会参加支援"] and table["実支援者数 (人)"].tolist() == [12.0]
    assert table["出所"].tolist() == ["報告値"]
