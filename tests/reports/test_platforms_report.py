"""The platform coverage section of the summary report (issue 18): figures from the view, in Excel and PDF."""

from __future__ import annotations

import io

import openpyxl
import pytest
from pypdf import PdfReader

from analytics import db
from analytics.reports import build_report, render
from analytics.views import platforms


@pytest.fixture(scope="module")
def aomori(seeded_db_path):
    con = db.connect(seeded_db_path, read_only=True)
    try:
        report = build_report(con, prefecture="02", fiscal_year=2024)
        cov = platforms.by_prefecture(con, "2025-03-31", "02").iloc[0]
        national = build_report(con, fiscal_year=2024)
    finally:
        con.close()
    return report, cov, national


def test_prefecture_section_lists_every_municipality_with_the_views_counts(aomori):
    report, cov, _ = aomori
    table = report.platforms
    assert len(table.rows) == cov["municipalities"] == 40
    assert (table.rows["status"] == "設置済").sum() == cov["with_platform"]
    assert f"設置済 {cov['with_platform']} / 40市町村" in table.note


def test_excel_has_a_platforms_sheet_and_the_pdf_the_section(aomori):
    report, cov, national = aomori
    book = openpyxl.load_workbook(io.BytesIO(render(report, "xlsx")))
    ws = book["プラットフォーム"]
    cells = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert "青森市" in cells and any(isinstance(v, str) and "設置済" in v for v in cells)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(render(report, "pdf"))).pages)
    assert "市町村プラットフォームの設置状況" in text
    assert {"青森県", "秋田県", "岡山県"} <= set(national.platforms.rows["prefecture"])
