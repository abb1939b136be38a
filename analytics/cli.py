"""``python -m analytics``: a thin command-line skin over the analytics library.

Each sub-command parses its options, calls one library function and prints the result; the same
functions serve the Streamlit pages and the report writers. Messages are Japanese by default
(``--lang en`` for English).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

Handler = Callable[[argparse.Namespace], int]
_HANDLERS: dict[str, Handler] = {}


def add_command(
    sub: argparse._SubParsersAction, name: str, help_text: str, handler: Handler
) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=help_text, description=help_text)
    parser.add_argument(
        "--db", type=Path, default=None, help="DuckDB file (default: $HYOGAKI_DB or data/dashboard.duckdb)"
    )
    _HANDLERS[name] = handler
    return parser


def print_table(df, fmt: str) -> None:
    """Print a DataFrame as CSV (UTF-8) or JSON records."""
    if fmt == "json":
        print(df.to_json(orient="records", force_ascii=False, date_format="iso"))
    else:
        df.to_csv(sys.stdout, index=False)


# --------------------------------------------------------------------------------------------
# ingest, batches, rollback, quarantine (issue: ingest)
# --------------------------------------------------------------------------------------------


def _parse_maps(items: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for item in items or []:
        if "=" not in item:
            raise SystemExit(f"--map は「見出し=列名」の形で指定してください: {item}")
        header, column = item.split("=", 1)
        mapping[header.strip()] = column.strip()
    return mapping


def _run_ingest(args: argparse.Namespace) -> int:
    from analytics import db
    from analytics.ingest.errors import IngestError
    from analytics.ingest.pipeline import ingest_path
    from analytics.ingest.report import format_report_text

    mapping = _parse_maps(args.map)
    exit_code = 0
    reports = []
    if args.save_profile:
        from analytics.ingest.profiles import save_profile_from_mapping

        con = db.connect(args.db)
        try:
            for file in args.files:
                save_profile_from_mapping(con, args.save_profile, Path(file), mapping, kind=args.kind)
        finally:
            con.close()
    for file in args.files:
        try:
            report = ingest_path(args.db, Path(file), kind=args.kind, mapping=mapping)
            reports.append(report.to_dict())
            if report.status == "loaded":
                _audit_cli(
                    args.db,
                    "upload",
                    f"batch:{report.batch_id}",
                    {
                        "file": report.file,
                        "batch_id": report.batch_id,
                        "kinds": report.kinds,
                        "loaded": report.total("loaded"),
                        "quarantined": report.total("quarantined"),
                    },
                )
            if args.format == "text":
                print(format_report_text(report, lang=args.lang))
        except IngestError as exc:
            exit_code = 2
            reports.append(
                {"file": str(file), "status": "failed", "error_code": exc.code, "message": exc.message(args.lang)}
            )
            if args.format == "text":
                print(f"✗ {file}: {exc.message(args.lang)}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(reports, ensure_ascii=False, indent=2, default=str))
    return exit_code


def _run_batches(args: argparse.Namespace) -> int:
    from analytics import db
    from analytics.ingest.load import list_batches

    con = db.connect(args.db)
    try:
        print_table(list_batches(con), args.format)
    finally:
        con.close()
    return 0


def _audit_cli(db_path: Path | None, action: str, scope: str, details: dict) -> None:
    """Record a command-line upload or rollback in the audit log, as the operating-system user."""
    import getpass

    from analytics import audit, config, db

    con = db.connect(db_path or config.default_db_path())
    try:
        audit.record(con, action, username=f"cli:{getpass.getuser()}", scope=scope, details=details, client="cli")
    finally:
        con.close()


def _run_rollback(args: argparse.Namespace) -> int:
    from analytics import db
    from analytics.ingest.load import RollbackError, rollback_batch

    con = db.connect(args.db)
    try:
        removed = rollback_batch(con, args.batch_id)
    except RollbackError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    finally:
        con.close()
    _audit_cli(args.db, "rollback", f"batch:{args.batch_id}", {"batch_id": args.batch_id, "removed": removed})
    parts = "、".join(f"{table} {n:,}行" for table, n in removed.items())
    print(f"バッチ {args.batch_id} を取り消しました（削除: {parts}）。")
    return 0


def _run_quarantine(args: argparse.Namespace) -> int:
    from analytics import db
    from analytics.ingest.load import list_quarantine

    con = db.connect(args.db)
    try:
        print_table(list_quarantine(con, batch_id=args.batch), args.format)
    finally:
        con.close()
    return 0


def _add_ingest_commands(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "ingest", "CSV/Excel ファイルを取り込む (load CSV/Excel exports)", _run_ingest)
    p.add_argument(
        "--kind", choices=["consultations", "placements", "targets"], default=None, help="種別（省略時は列から判定）"
    )
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="見出し=列名",
        help="見出しの対応を明示する（例: '受付年月日=consultation_date'）。複数指定可",
    )
    p.add_argument(
        "--save-profile",
        default=None,
        metavar="名前",
        help="--map の対応をこの名前で保存し、同じ見出しのファイルに自動で使う",
    )
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--lang", choices=["ja", "en"], default="ja")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")

    p = add_command(sub, "batches", "取込バッチの一覧 (list loaded batches)", _run_batches)
    p.add_argument("--format", choices=["csv", "json"], default="csv")

    p = add_command(sub, "rollback", "取込バッチを取り消す (remove exactly one batch's rows)", _run_rollback)
    p.add_argument("batch_id", type=int)

    p = add_command(sub, "quarantine", "保留（隔離）された行の一覧 (rows not loaded, with reasons)", _run_quarantine)
    p.add_argument("--batch", type=int, default=None, help="このバッチだけ")
    p.add_argument("--format", choices=["csv", "json"], default="csv")


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analytics", description="就職氷河期世代支援 進捗ダッシュボード: command line"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    _add_ingest_commands(sub)
    for register in _EXTRA_COMMANDS:
        register(sub)
    return parser


# Other modules' sub-commands register here (sample data, indicators, progress, reports).
_EXTRA_COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = []


def main(argv: list[str] | None = None) -> int:
    _load_extra_commands()
    args = build_parser().parse_args(argv)
    from analytics.config import DataDirError
    from analytics.db import DatabaseBusyError

    try:
        return _HANDLERS[args.command](args)
    except (DatabaseBusyError, DataDirError) as exc:
        print(str(exc), file=sys.stderr)
        return 3
    except BrokenPipeError:
        # `python -m analytics quarantine | head`: the reader left; not an error worth a traceback.
        sys.stderr.close()
        return 0


def _load_extra_commands() -> None:
    """Import the modules that add sub-commands (kept lazy so ``--help`` stays fast)."""
    import importlib

    _EXTRA_COMMANDS.clear()
    for module_name in (
        "analytics.sample",
        "analytics.indicators",
        "analytics.progress",
        "analytics.reports",
        "analytics.auth",
        "analytics.audit",
    ):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue  # that part of the product is not installed in this build
            raise
        register = getattr(module, "register_cli", None)
        if register is not None:
            _EXTRA_COMMANDS.append(register)
