"""Summary reports (Excel and PDF) for managers; ``python -m analytics report`` calls :func:`build_report`
and :func:`render`.

The content is defined once (:mod:`analytics.reports.content`); :mod:`analytics.reports.excel` and
:mod:`analytics.reports.pdf` lay it out. Every table is suppressed with :mod:`analytics.metrics.disclosure`.
"""

from __future__ import annotations

from analytics.reports.content import Report, ReportError, build_report, preview

__all__ = ["FORMATS", "Report", "ReportError", "build_report", "file_name", "preview", "render"]

FORMATS = ("xlsx", "pdf")
MIME = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def render(report: Report, fmt: str) -> bytes:
    """The report as the bytes of an .xlsx or .pdf file."""
    if fmt == "xlsx":
        from analytics.reports.excel import workbook_bytes

        return workbook_bytes(report)
    if fmt == "pdf":
        from analytics.reports.pdf import pdf_bytes

        return pdf_bytes(report)
    raise ValueError(f"format は {' / '.join(FORMATS)} のどれかです: {fmt!r}")


def file_name(report: Report, fmt: str) -> str:
    """A file name people can sort: 進捗レポート_全国_FY2023_20250331.xlsx."""
    period = "-".join(f"FY{y}" for y in (report.period.fiscal_years[0], report.period.fiscal_years[-1]))
    period = period if report.period.kind == "stage" else f"FY{report.period.fiscal_years[0]}"
    asof = report.as_of.strftime("%Y%m%d") if report.as_of else "nodata"
    stem = "progress_report" if report.lang == "en" else "進捗レポート"
    scope = report.scope_code or ("national" if report.lang == "en" else "全国")
    return f"{stem}_{scope}_{period}_{asof}.{fmt}"
