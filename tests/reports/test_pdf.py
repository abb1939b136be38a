"""The PDF report: A4, 2–4 pages, Japanese text from the embedded font, key figures; rendered to PNG to look at."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from analytics import db
from analytics.metrics import indicators
from analytics.reports import build_report, render
from analytics.reports.pdf import FONT, font_file


@pytest.fixture(scope="module")
def national_pdf(seeded_db_path):
    con = db.connect(seeded_db_path, read_only=True)
    try:
        report = build_report(con, fiscal_year=2023)
        engine = indicators.compute(con, filters={"fiscal_year": [2023]})
    finally:
        con.close()
    return report, render(report, "pdf"), engine


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_pdf_is_two_to_four_a4_pages(national_pdf):
    _, data, _ = national_pdf
    reader = PdfReader(io.BytesIO(data))
    assert 2 <= len(reader.pages) <= 4
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_pdf_text_has_japanese_titles_and_the_key_figures(national_pdf):
    report, data, engine = national_pdf
    texts = page_texts(data)
    first = texts[0]
    for title in ("就職氷河期世代支援 進捗レポート", "主要指標", "目標に対する進捗", "令和5年度", "秘匿処理"):
        assert title in first, title
    for ind_id in ("consultations", "persons", "regular_placed_persons"):
        assert f"{int(engine[ind_id].iloc[0]):,}" in first, ind_id
    rate = engine["regular_within_6m_rate"].iloc[0]
    assert f"{rate * 100:.1f}%" in first
    everything = "\n".join(texts)
    assert "都道府県別" in everything and "北海道" in everything and "沖縄県" in everything
    assert "突合できない就職等" in everything
    assert report.as_of_label in texts[-1]  # footer on every page


def test_the_japanese_font_is_embedded(national_pdf):
    _, data, _ = national_pdf
    assert font_file() is not None, "japanize-matplotlib (requirements.txt) ships the font"
    reader = PdfReader(io.BytesIO(data))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts.add(str(font["/BaseFont"]))
            if FONT in str(font["/BaseFont"]):
                assert "/FontFile2" in font["/FontDescriptor"], "font not embedded"
    assert any(FONT in f for f in fonts)


def test_english_pdf(seeded_db_path):
    con = db.connect(seeded_db_path, read_only=True)
    try:
        report = build_report(con, stage="第2ステージ", lang="en")
    finally:
        con.close()
    text = "\n".join(page_texts(render(report, "pdf")))
    assert "Progress Report" in text and "Key indicators" in text and "Stage 2" in text


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed")
def test_pdf_renders_to_png(national_pdf, tmp_path):
    """Render the first page as a person would see it (the README screenshot comes from this)."""
    _, data, _ = national_pdf
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True, timeout=60
    )
    png = next(tmp_path.glob("p*.png"))
    from PIL import Image

    with Image.open(png) as im:
        assert im.size[0] < im.size[1]  # portrait A4
        colours = im.convert("RGB").getcolors(maxcolors=1_000_000)
    assert len(colours) > 50  # text and charts were drawn, not a blank page


def test_a_small_prefecture_with_hidden_trend_values_still_draws(seeded_db_path):
    """鳥取県: most yearly counts are hidden; the trend lines keep gaps instead of failing."""
    con = db.connect(seeded_db_path, read_only=True)
    try:
        report = build_report(con, prefecture="31", stage="第2ステージ")
    finally:
        con.close()
    texts = page_texts(render(report, "pdf"))
    assert 2 <= len(texts) <= 4
    assert "鳥取県" in texts[0] and "x" in "\n".join(texts)


def test_pdf_of_a_running_year_names_the_same_period(midyear_db_path):
    con = db.connect(midyear_db_path, read_only=True)
    try:
        report = build_report(con, fiscal_year=2024)
        months = [f"2023-{m:02d}" for m in range(4, 10)]
        same = indicators.compute(con, filters={"month": months}, indicators=["consultations"])
    finally:
        con.close()
    first = page_texts(render(report, "pdf"))[0]
    assert "前年同期 令和5年度 (FY2023) 4〜9月" in first.replace("\n", "")  # the header wraps in its cell
    assert f"{int(same['consultations'].iloc[0]):,}" in first
