"""Excel and PDF reports for a prefecture with only reported figures (issue 16): the progress table names the
source of each figure, the hand-computed achievement and status appear, and small reported counts are suppressed."""

from __future__ import annotations

import io

import openpyxl
import pytest
from pypdf import PdfReader

from analytics import db
from analytics.metrics.disclosure import MARK
from analytics.reports import build_report, render
from tests.reported_rows import NAGASAKI, seeded_copy_with_reported


@pytest.fixture(scope="module")
def report(seeded_db_path, tmp_path_factory):
    path = seeded_copy_with_reported(seeded_db_path, tmp_path_factory.mktemp("reported") / "data")
    con = db.connect(path, read_only=True)
    try:
        return build_report(con, prefecture=NAGASAKI, stage="第1ステージ")
    finally:
        con.close()


def _progress_rows(report):
    return report.progress.rows.set_index("indicator_id")


def test_the_progress_table_names_the_source_and_gives_the_hand_computed_figures(report):
    rows = _progress_rows(report)
    placements = rows.loc["regular_placements"]
    assert placements["actual"] == 270 and placements["target"] == 360
    assert placements["achievement"] == pytest.approx(0.75) and placements["pace"] == pytest.approx(1.5)
    assert placements["projected"] == pytest.approx(570 / 360)
    assert placements["status"] == "順調" and placements["target_period"] == "令和2年度〜令和6年度"
    assert placements["source"] == "報告値（労働局）2022年10月5日時点"
    kpi = rows.loc["career_decisions"]
    assert kpi["actual"] == 155 and kpi["status"] == "遅れ" and "地域若者サポートステーション" in kpi["indicator"]


def test_a_small_reported_count_is_suppressed_like_any_other(report):
    small = _progress_rows(report).loc["new_registrations"]
    assert small["actual"] == MARK and small["achievement"] == MARK  # 4 人 < 10, and 4/20 would reveal it
    assert report.suppression.primary >= 1


def test_excel_progress_sheet_shows_the_source_column(report):
    wb = openpyxl.load_workbook(io.BytesIO(render(report, "xlsx")))
    ws = wb["進捗"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    head = next(i for i, r in enumerate(values) if r and r[0] == "指標")
    cols = {v: i for i, v in enumerate(values[head]) if v}
    assert "出所" in cols
    body = [r for r in values[head + 1:] if r[0]]
    placements = next(r for r in body if r[0] == "正社員就職件数")
    assert placements[cols["実績"]] == 270 and placements[cols["出所"]] == "報告値（労働局）2022年10月5日時点"
    small = next(r for r in body if r[0] == "新規登録者数")
    assert small[cols["実績"]] == MARK


def test_pdf_progress_table_names_the_source(report):
    pages = PdfReader(io.BytesIO(render(report, "pdf"))).pages
    text = "".join(p.extract_text() for p in pages).replace("\n", "")  # narrow cells wrap their words
    assert "出所" in text and "報告値（労働局）" in text and "報告値（サポステ）" in text
    row = "正社員就職件数令和2年度〜令和6年度全体 360 270 75.0% 150.0% 158.3%順調報告値（労働局）2022年10月5日時点"
    assert row in text
