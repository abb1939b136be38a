"""The summary report as a print-ready A4 PDF (reportlab): key indicators, progress chart, regional table, notes.

Japanese is drawn with IPAexGothic, the TrueType font file that the ``japanize-matplotlib`` package ships
(IPA Font License), embedded as a subset, so the PDF shows the same on any viewer and no system font,
browser or Chrome is needed to make it. Without that package it falls back to reportlab's built-in CID
font HeiseiKakuGo-W5 (not embedded: the viewer supplies a Japanese font). Charts are reportlab drawings
(vector), not Plotly's browser image export.
"""

from __future__ import annotations

import importlib.util
import io
import math
from functools import lru_cache
from pathlib import Path

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from analytics.metrics import disclosure
from analytics.reports.content import NOT_AVAILABLE, Report, Table as ReportTable

FONT = "IPAexGothic"
FALLBACK_CID_FONT = "HeiseiKakuGo-W5"
# Okabe–Ito colours (readable with colour-vision deficiencies), as the dashboard's charts use
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9"]
STATUS_COLOURS = {"on_track": "#009E73", "at_risk": "#E69F00", "off_track": "#D55E00", "not_started": "#999999"}
PAGE_W, PAGE_H = A4
MARGIN = 14 * mm


def font_file() -> Path | None:
    """IPAexGothic (ipaexg.ttf) from the japanize-matplotlib package, found without importing it."""
    spec = importlib.util.find_spec("japanize_matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "fonts" / "ipaexg.ttf"
        if path.is_file():
            return path
    return None


@lru_cache(maxsize=1)
def font_name() -> str:
    """Register the Japanese font once; the name to use in styles and drawings."""
    path = font_file()
    if path is not None:
        from reportlab.pdfbase.ttfonts import TTFont

        pdfmetrics.registerFont(TTFont(FONT, str(path)))
        return FONT
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_CID_FONT))
    return FALLBACK_CID_FONT


def _styles() -> dict[str, ParagraphStyle]:
    f = font_name()
    base = ParagraphStyle("base", fontName=f, fontSize=9, leading=13, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=17, leading=22, spaceAfter=4),
        "h2": ParagraphStyle("h2", parent=base, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4),
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=10, textColor=colors.HexColor("#444444")),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.5),
        "num": ParagraphStyle("num", parent=base, fontSize=7.5, leading=9.5, alignment=TA_RIGHT),
    }


def pdf_bytes(report: Report) -> bytes:
    """The report as PDF bytes (A4 portrait, 2–4 pages for a national or prefectural report)."""
    buffer = io.BytesIO()
    st = _styles()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=16 * mm,
        title=f"{report.title} {report.scope_label} {report.period_label}",
        author="hyogaki-dashboard",
        subject=report.rule,
        lang="ja-JP" if report.lang == "ja" else "en",
    )
    story: list = []
    story.append(Paragraph(_esc(report.title), st["title"]))
    cover = [[Paragraph(_esc(k), st["cell"]), Paragraph(_esc(v), st["cell"])] for k, v in report.cover()]
    batches = "、".join(
        f"{b}: {f}" for b, f in zip(report.batches.rows["batch"], report.batches.rows["file"], strict=True)
    )
    cover.insert(4, [Paragraph(_esc(report.text("batches")), st["cell"]), Paragraph(_esc(batches), st["cell"])])
    story.append(_grid(cover, [28 * mm, PAGE_W - 2 * MARGIN - 28 * mm], header=False))

    story.append(Paragraph(_esc(report.key.title), st["h2"]))
    story.append(_table(report.key, st))
    story.append(Paragraph(_esc(report.key.note), st["small"]))

    if not report.progress.rows.empty:
        story.append(
            KeepTogether(
                [
                    Paragraph(_esc(report.progress.title), st["h2"]),
                    _progress_chart(report),
                    Paragraph(_esc(report.progress.note), st["small"]),
                ]
            )
        )
    story.append(PageBreak())
    if len(report.trend.rows):
        story.append(Paragraph(_esc(report.trend.title), st["h2"]))
        story.append(_trend_chart(report))
        story.append(_table(report.trend, st))
    if not report.progress.rows.empty:
        story.append(Paragraph(_esc(report.progress.title), st["h2"]))
        story.append(_table(report.progress, st, skip=("chart_label", "expected")))
    story.append(Paragraph(_esc(report.text("notes")), st["h2"]))
    for n, note in enumerate([*report.notes, report.rule, report.text("symbols_text")], start=1):
        story.append(Paragraph(f"{n}. {_esc(note)}", st["small"]))
        story.append(Spacer(1, 1.5))
    story.append(PageBreak())
    story.append(Paragraph(_esc(report.regions.title), st["h2"]))
    story.append(_table(report.regions, st, font_size=7))
    story.append(Paragraph(_esc(report.regions.note), st["small"]))
    if report.platforms is not None:
        story.append(Paragraph(_esc(report.platforms.title), st["h2"]))
        if not report.platforms.rows.empty:
            story.append(_table(report.platforms, st, font_size=6.5))
        story.append(Paragraph(_esc(report.platforms.note), st["small"]))

    def footer(canvas, doc_) -> None:
        canvas.saveState()
        canvas.setFont(font_name(), 8)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(MARGIN, 9 * mm, f"{report.title}　{report.scope_label}　{report.period_label}")
        canvas.drawRightString(
            PAGE_W - MARGIN, 9 * mm, f"{report.text('footer', as_of=report.as_of_label)}　{doc_.page}"
        )
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _esc(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cell_text(value: object, kind: str, lang: str = "ja") -> str:
    """One cell as the PDF shows it: 1,234 / - / x / … / 25.4% / +1.2pt."""
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    v = float(value)
    if kind in ("rate", "ratio"):
        return f"{v * 100:.1f}%"
    if kind == "points":
        return f"{v:+.1f}pt"
    if kind == "change":
        return f"{v:+,.0f}"
    if kind == "count":
        return disclosure.display(v)
    if kind in ("days", "number"):
        return f"{v:,.0f}"
    return str(value)


def _table(table: ReportTable, st: dict, *, skip: tuple[str, ...] = (), font_size: float = 7.5) -> Table:
    columns = [c for c in table.columns if c.key not in skip]
    cell = ParagraphStyle("c", parent=st["cell"], fontSize=font_size, leading=font_size + 2)
    num = ParagraphStyle("n", parent=st["num"], fontSize=font_size, leading=font_size + 2)
    head = ParagraphStyle("h", parent=cell, fontName=font_name())
    data = [[Paragraph(_esc(c.header), head) for c in columns]]
    for i in range(len(table.rows)):
        row = []
        for c in columns:
            kind = table.kind_of(i, c)
            if c.key == "change" and "_change_kind" in table.rows and table.rows["_change_kind"].iloc[i] == "points":
                kind = "points"
            text = cell_text(table.rows[c.key].iloc[i], kind)
            row.append(Paragraph(_esc(text), cell if kind in ("label", "text") else num))
        data.append(row)
    width = PAGE_W - 2 * MARGIN
    first = 0.22 if len(columns) > 6 else 0.3
    widths = [width * first] + [width * (1 - first) / (len(columns) - 1)] * (len(columns) - 1)
    return _grid(data, widths, total_row=None if table.total_row is None else table.total_row + 1)


def _grid(data: list[list], widths: list[float], *, header: bool = True, total_row: int | None = None) -> Table:
    t = Table(data, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#BFBFBF")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDEBF7")))
    else:
        style.append(("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F2F2F2")))
    if total_row is not None:
        style.append(("BACKGROUND", (0, total_row), (-1, total_row), colors.HexColor("#F2F2F2")))
    t.setStyle(TableStyle(style))
    return t


def _number(value: object) -> float | None:
    if isinstance(value, str) or value is None:
        return None
    v = float(value)
    return None if math.isnan(v) else v


def _progress_chart(report: Report) -> Drawing:
    """Achievement per target as horizontal bars coloured by status, with the 100% line."""
    rows = report.progress.rows
    n = len(rows)
    width = PAGE_W - 2 * MARGIN
    bar_h = 16
    height = n * bar_h + 40
    d = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 150, 22
    chart.width, chart.height = width - 190, n * bar_h
    values = [_number(v) for v in rows["achievement"]][::-1]  # first target at the top
    chart.data = [[v if v is not None else 0 for v in values]]
    top = max([1.2, *[v for v in values if v is not None]])
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = math.ceil(top * 5) / 5
    chart.valueAxis.valueStep = 0.2 if top <= 2 else 0.5
    chart.valueAxis.labelTextFormat = lambda v: f"{v * 100:.0f}%"
    chart.valueAxis.labels.fontName = font_name()
    chart.valueAxis.labels.fontSize = 7
    chart.categoryAxis.categoryNames = [str(x) for x in rows["chart_label"]][::-1]
    chart.categoryAxis.labels.fontName = font_name()
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.barSpacing = 2
    for k, code in enumerate(list(rows["status_code"])[::-1]):
        chart.bars[(0, k)].fillColor = colors.HexColor(STATUS_COLOURS.get(code, "#999999"))
        chart.bars[(0, k)].strokeColor = None
    d.add(chart)
    x100 = chart.x + chart.width * (1.0 / chart.valueAxis.valueMax)
    d.add(Line(x100, chart.y - 2, x100, chart.y + chart.height + 4, strokeColor=colors.black, strokeDashArray=[3, 2]))
    d.add(String(x100 + 2, chart.y + chart.height + 6, "100%", fontName=font_name(), fontSize=7))
    for k, v in enumerate(values):  # value labels; hidden values say x
        y = chart.y + (k + 0.5) * bar_h - 3
        label = "x" if v is None else f"{v * 100:.1f}%"
        xv = chart.x + chart.width * ((v or 0) / chart.valueAxis.valueMax) + 3
        d.add(String(xv, y, label, fontName=font_name(), fontSize=7))
    legend = Legend()
    legend.x, legend.y = chart.x, height - 4
    legend.fontName, legend.fontSize = font_name(), 7
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.dx = legend.dy = 7
    legend.deltax = 60
    legend.colorNamePairs = [(colors.HexColor(c), report.text(f"status.{s}")) for s, c in STATUS_COLOURS.items()]
    d.add(legend)
    return d


def _joinable(values: list[float | None]) -> list[float | None]:
    """Hidden values are gaps; a point with no visible neighbour is dropped too (a line needs two points)."""
    out: list[float | None] = []
    for k, v in enumerate(values):
        before = k > 0 and values[k - 1] is not None
        after = k + 1 < len(values) and values[k + 1] is not None
        out.append(v if v is not None and (before or after) else None)
    return out


def _trend_chart(report: Report) -> Drawing | Spacer:
    """Persons by fiscal year: one line per count column; hidden values are left as gaps."""
    table = report.trend
    width = PAGE_W - 2 * MARGIN
    d = Drawing(width, 190)
    chart = HorizontalLineChart()
    chart.x, chart.y = 45, 40
    chart.width, chart.height = width - 60, 130
    counts, data = [], []
    for c in (c for c in table.columns if c.kind == "count"):
        series = _joinable([_number(v) for v in table.rows[c.key]])
        if any(v is not None for v in series):  # a wholly hidden series is left out (the table shows x)
            counts.append(c)
            data.append(series)
    if not data:
        return Spacer(1, 1)
    chart.data = data
    chart.categoryAxis.categoryNames = [f"FY{y}" for y in table.rows["fiscal_year"]]
    chart.categoryAxis.labels.fontName = font_name()
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = font_name()
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labelTextFormat = lambda v: f"{v:,.0f}"
    chart.joinedLines = True
    for k, _ in enumerate(counts):
        chart.lines[k].strokeColor = colors.HexColor(PALETTE[k % len(PALETTE)])
        chart.lines[k].strokeWidth = 1.5
        chart.lines[k].symbol = None
    d.add(chart)
    legend = Legend()
    legend.x, legend.y = chart.x, 12
    legend.fontName, legend.fontSize = font_name(), 7
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 95
    legend.dx = legend.dy = 7
    legend.colorNamePairs = [(colors.HexColor(PALETTE[k % len(PALETTE)]), c.header) for k, c in enumerate(counts)]
    d.add(legend)
    d.add(String(chart.x, chart.y + chart.height + 8, report.text("chart.trend"), fontName=font_name(), fontSize=8))
    return d


__all__ = ["NOT_AVAILABLE", "cell_text", "font_file", "font_name", "pdf_bytes"]
