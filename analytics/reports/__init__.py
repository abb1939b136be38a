"""Summary reports (Excel and PDF) for managers, and ``python -m analytics report``.

The content is defined once (:mod:`analytics.reports.content`); :mod:`analytics.reports.excel` and
:mod:`analytics.reports.pdf` lay it out. Every table is suppressed with :mod:`analytics.disclosure`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analytics.reports.content import Report, ReportError, build_report, preview

__all__ = ["FORMATS", "Report", "ReportError", "build_report", "file_name", "preview", "register_cli", "render"]

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


def _run_cli(args: argparse.Namespace) -> int:
    from analytics import db, scope
    from analytics.auth import AuthConfigError, cli_viewer
    from analytics.disclosure import DEFAULT_THRESHOLD

    fmt = args.format or (Path(args.out).suffix.lstrip(".").lower() if Path(args.out).suffix else "xlsx")
    if fmt not in FORMATS:
        print(f"出力形式は xlsx か pdf です（--format）: {fmt}", file=sys.stderr)
        return 2
    try:  # --as-user: the report within that account's scope (analytics/scope.py), as the app would build it
        viewer = cli_viewer(args)
    except AuthConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    threshold = args.suppress_below
    if viewer is not None and not viewer.can_see_small_cells:
        threshold = max(threshold, DEFAULT_THRESHOLD)
    con = db.connect(args.db, read_only=True) if args.db is None or Path(args.db).exists() else None
    if con is None:
        print(f"データベースがありません: {args.db}", file=sys.stderr)
        return 2
    try:
        with scope.acting_as(viewer):
            report = build_report(
                con,
                prefecture=args.prefecture,
                fiscal_year=args.fiscal_year,
                stage=args.stage,
                lang=args.lang,
                threshold=threshold,
            )
    except (ReportError, scope.ScopeError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    finally:
        con.close()
    data = render(report, fmt)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    info = report.suppression
    print(
        f"{out}  ({report.scope_label} / {report.period_label} / データ時点 {report.as_of_label} / "
        f"{len(data):,} bytes / 秘匿 {info.primary + info.secondary + info.rates} セル)"
    )
    return 0


def register_cli(sub: argparse._SubParsersAction) -> None:
    """Add ``python -m analytics report``."""
    from analytics.cli import add_command
    from analytics.disclosure import DEFAULT_THRESHOLD

    p = add_command(sub, "report", "進捗レポート（Excel / PDF）を作る (write the summary report)", _run_cli)
    p.add_argument("--prefecture", default=None, help="都道府県コード（例: 13）。省略時は全国")
    period = p.add_mutually_exclusive_group()
    period.add_argument("--fiscal-year", type=int, default=None, help="年度（例: 2023）。省略時はデータ時点の年度")
    period.add_argument("--stage", default=None, help="ステージ名（例: 第2ステージ）")
    p.add_argument("--format", choices=FORMATS, default=None, help="出力形式（省略時は --out の拡張子）")
    p.add_argument(
        "--suppress-below",
        type=int,
        default=DEFAULT_THRESHOLD,
        help=f"この値未満の人数（1以上）を「x」で秘匿する（既定 {DEFAULT_THRESHOLD}、1 で秘匿なし）",
    )
    p.add_argument("--lang", choices=["ja", "en"], default="ja")
    p.add_argument("--out", required=True, help="出力ファイル（.xlsx / .pdf）")
    from analytics.auth import add_viewer_arguments

    add_viewer_arguments(p)
