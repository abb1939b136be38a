"""``python -m analytics``: a thin command-line skin over the analytics library.

Each sub-command parses its options, calls one library function and prints the result; the same
functions serve the Streamlit pages and the report writers. Messages are Japanese by default
(``--lang en`` for English). Every command is defined here: the library never imports this module, so
the commands sit at the top of the import graph (tests/test_boundaries.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
from collections.abc import Callable
from pathlib import Path

from analytics import config, db, reports
from analytics.access import audit, auth, scope
from analytics.metrics import disclosure, facts, indicators, progress, reported
from analytics.sample import generator, platforms as sample_platforms, reported as sample_reported

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
    if any(r.get("status") == "loaded" for r in reports):
        db.publish_if_enabled(args.db)  # with $HYOGAKI_PUBLISH=1 the app reads the published copy (docs/deploy.md)
    if args.format == "json":
        print(json.dumps(reports, ensure_ascii=False, indent=2, default=str))
    return exit_code


def _run_batches(args: argparse.Namespace) -> int:
    from analytics.ingest.load import list_batches

    con = db.connect(args.db)
    try:
        print_table(list_batches(con), args.format)
    finally:
        con.close()
    return 0


def _audit_cli(db_path: Path | None, action: str, scope: str, details: dict) -> None:
    """Record a command-line upload or rollback in the audit log, as the operating-system user."""
    con = db.connect(db_path or config.default_db_path())
    try:
        audit.record(con, action, username=f"cli:{getpass.getuser()}", scope=scope, details=details, client="cli")
    finally:
        con.close()


def _run_rollback(args: argparse.Namespace) -> int:
    from analytics.ingest.load import RollbackError, rollback_batch

    con = db.connect(args.db)
    try:
        removed = rollback_batch(con, args.batch_id)
    except RollbackError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    finally:
        con.close()
    db.publish_if_enabled(args.db)
    details = {"batch_id": args.batch_id, "removed": removed, "kept": removed.kept, "kept_by": removed.kept_by}
    _audit_cli(args.db, "rollback", f"batch:{args.batch_id}", details)
    parts = "、".join(f"{table} {n:,}行" for table, n in removed.items())
    print(f"バッチ {args.batch_id} を取り消しました（削除: {parts}）。")
    kept = "、".join(f"{table} {n:,}行" for table, n in removed.kept.items() if n)
    if kept:
        holders = "、".join(str(b) for b in removed.kept_by)
        print(f"他の取込済みバッチにも含まれる行は残しました: {kept}（バッチ {holders} の行になりました）。")
    return 0


def _run_quarantine(args: argparse.Namespace) -> int:
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
        "--kind", choices=["consultations", "placements", "targets", "reported_figures"], default=None,
        help="種別（省略時は列から判定。reported_figures = 集計値の表として読む）",
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

    p = add_command(
        sub, "rollback", "取込バッチを取り消す (remove one batch's rows; rows another loaded batch holds stay)",
        _run_rollback,
    )
    p.add_argument("batch_id", type=int)

    p = add_command(sub, "quarantine", "保留（隔離）された行の一覧 (rows not loaded, with reasons)", _run_quarantine)
    p.add_argument("--batch", type=int, default=None, help="このバッチだけ")
    p.add_argument("--format", choices=["csv", "json"], default="csv")


# --------------------------------------------------------------------------------------------
# hash-password, and --as-user for the commands that compute numbers (analytics.access.auth)
# --------------------------------------------------------------------------------------------


def add_viewer_arguments(parser: argparse.ArgumentParser) -> None:
    """``--as-user NAME [--secrets FILE]``: run a CLI query within that account's scope."""
    parser.add_argument(
        "--as-user",
        default=None,
        metavar="NAME",
        help="この利用者の権限の範囲で計算する（secrets.toml の [auth.users.NAME]）",
    )
    parser.add_argument("--secrets", type=Path, default=None, help=f"secrets.toml（既定: {auth.SECRETS_FILE}）")


def cli_viewer(args: argparse.Namespace) -> auth.Viewer | None:
    """The viewer named by ``--as-user`` (None without it: the command line's full access)."""
    name = getattr(args, "as_user", None)
    return auth.viewer_for(auth.users_from_secrets_file(getattr(args, "secrets", None)), name) if name else None


def _run_hash_password(args: argparse.Namespace) -> int:
    if args.stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("パスワード: ")
        if getpass.getpass("もう一度: ") != password:
            print("2回の入力が一致しません。", file=sys.stderr)
            return 2
    if len(password) < args.min_length:
        print(f"パスワードは {args.min_length} 文字以上にしてください。", file=sys.stderr)
        return 2
    print(auth.hash_password(password))
    return 0


def _add_hash_password_command(sub: argparse._SubParsersAction) -> None:
    """Add ``python -m analytics hash-password`` (prints a hash for [auth.users.NAME] password_hash)."""
    p = add_command(
        sub,
        "hash-password",
        "パスワードのハッシュを作る (hash a password for .streamlit/secrets.toml)",
        _run_hash_password,
    )
    p.add_argument("--stdin", action="store_true", help="パスワードを標準入力の1行目から読む（確認なし）")
    p.add_argument("--min-length", type=int, default=12, help="最小文字数（既定 12）")


# --------------------------------------------------------------------------------------------
# audit (analytics.access.audit)
# --------------------------------------------------------------------------------------------


def _run_audit(args: argparse.Namespace) -> int:
    con = db.connect(args.db)
    try:
        events = audit.list_events(
            con, action=args.action, username=args.user, since=args.since, until=args.until, limit=args.limit
        )
        broken = audit.verify_chain(con)
    finally:
        con.close()
    if args.format == "json":
        print(events.to_json(orient="records", force_ascii=False, date_format="iso"))
    else:
        sys.stdout.write(audit.export_csv(events).decode("utf-8").lstrip("\ufeff"))
    if broken is not None:
        print(
            f"警告: 監査ログの連鎖が event_id {broken} で途切れています（書き換えまたは削除の疑い）。", file=sys.stderr
        )
        return 4
    return 0


def _iso_date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def _add_audit_command(sub: argparse._SubParsersAction) -> None:
    """Add ``python -m analytics audit`` (list/export the audit log; exit 4 when the hash chain is broken)."""
    p = add_command(sub, "audit", "監査ログを表示・出力する (list or export the audit log)", _run_audit)
    p.add_argument("--action", default=None, choices=audit.ACTIONS)
    p.add_argument("--user", default=None, help="このユーザー名だけ")
    p.add_argument("--since", type=_iso_date, default=None, help="この日から（YYYY-MM-DD）")
    p.add_argument("--until", type=_iso_date, default=None, help="この日まで（YYYY-MM-DD、当日を含む）")
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--format", choices=["csv", "json"], default="csv")


# --------------------------------------------------------------------------------------------
# sample (analytics.sample.generator)
# --------------------------------------------------------------------------------------------


def _run_sample(args: argparse.Namespace) -> int:
    out = Path(args.out)
    paths = generator.write_sample_files(out / "clean", scale=args.scale, seed=args.seed)
    if args.messy:
        paths += generator.write_messy_files(out / "messy", scale=args.scale, seed=args.seed)
    paths += sample_platforms.write_survey_files(out / "clean", seed=args.seed)
    paths += sample_reported.write_reported_files(out / "clean", seed=args.seed)
    for path in paths:
        print(f"{path}\t{path.stat().st_size:,} bytes")
    return 0


def _add_sample_command(sub: argparse._SubParsersAction) -> None:
    """``python -m analytics sample [--out DIR] [--scale X] [--seed N] [--messy]``."""
    p = add_command(sub, "sample", "サンプルデータ（架空）を生成する (write synthetic sample files)", _run_sample)
    p.add_argument("--out", type=Path, default=Path("sample_data"), help="出力先（clean/ と messy/ を作る）")
    p.add_argument("--scale", type=float, default=generator.SAMPLE_SCALE, help="規模（1.0 = 全国規模）")
    p.add_argument("--seed", type=int, default=generator.DEFAULT_SEED)
    p.add_argument("--messy", action="store_true", help="癖のあるファイル（messy/）も書く")


# --------------------------------------------------------------------------------------------
# indicators (analytics.metrics.indicators)
# --------------------------------------------------------------------------------------------


def _split(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def _run_indicators(args: argparse.Namespace) -> int:
    filters = {
        "fiscal_year": _split(args.fiscal_year), "prefecture_code": _split(args.prefecture),
        "municipality_code": _split(args.municipality), "target_group": _split(args.target_group),
        "agency_type": _split(args.agency_type), "gender": _split(args.gender), "age_band": _split(args.age_band),
    }

    filters = {k: v for k, v in filters.items() if v}
    con = db.connect(args.db)
    try:
        source = reported.check_source(args.source)
        viewer = cli_viewer(args)
        by = indicators.normalise_by(args.by)
        flt = indicators.normalise_filters(filters)
        records = None
        if source != "reported":
            records = indicators.compute(con, by=by, filters=flt, indicators=args.indicators, as_of_date=args.as_of,
                                         viewer=viewer)
        rep = None
        if source != "records":
            rep = reported.reported_indicators(con, by, flt, _indicator_ids(args.indicators),
                                               _date_or_none(args.as_of), viewer=viewer)  # fmt: skip
        df = reported.with_source(records, rep, by, source)
    except (ValueError, scope.ScopeError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    finally:
        con.close()
    print_table(df, args.format)
    if by:
        print(f"注: {indicators.ROWS_NEED_NOT_ADD_UP}", file=sys.stderr)
    if source == "reported":
        print("注: 報告値（集計値）は件数・人数だけです。率・中央値は記録からのみ計算します（--source records|best）。",
              file=sys.stderr)
    return 0


def _indicator_ids(selected: str | None) -> list[str]:
    if not selected:
        return [i.id for i in indicators.REGISTRY]
    ids = [i.strip() for i in selected.split(",") if i.strip()]
    unknown = [i for i in ids if i not in indicators.REGISTRY_BY_ID]
    if unknown:
        raise ValueError(f"未登録の指標です: {', '.join(unknown)}（一覧: {', '.join(indicators.REGISTRY_BY_ID)}）")
    return ids


def _date_or_none(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _add_source_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source", choices=reported.SOURCES, default=reported.DEFAULT_SOURCE,
        help="数値の出所: records（記録）/ reported（報告値・集計値）/ best"
             "（報告値があれば報告値、なければ記録。既定）",
    )  # fmt: skip


def _add_indicators_command(sub: argparse._SubParsersAction) -> None:
    """Add ``python -m analytics indicators``."""
    p = add_command(sub, "indicators", "指標を計算する (compute indicators, one row per group)", _run_indicators)
    p.add_argument("--by", default="", help=f"集計軸（カンマ区切り）: {','.join(indicators.DIMENSIONS)}")
    p.add_argument("--fiscal-year", default=None, help="年度（例: 2021 または 2021,2022）")
    p.add_argument("--prefecture", default=None, help="都道府県コード（例: 13）")
    p.add_argument("--municipality", default=None, help="市区町村コード（例: 13101）")
    p.add_argument("--target-group", default=None, help="対象者区分（例: long_term_jobless）")
    p.add_argument("--agency-type", default=None)
    p.add_argument("--gender", default=None)
    p.add_argument("--age-band", default=None, help="35-39,40-44,45-49,50-54,other")
    p.add_argument("--indicators", default=None, help="指標ID（カンマ区切り、省略時はすべて）")
    p.add_argument("--as-of", default=None, help="基準日（省略時はデータの最終日）")
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    _add_source_argument(p)
    add_viewer_arguments(p)


# --------------------------------------------------------------------------------------------
# progress (analytics.metrics.progress)
# --------------------------------------------------------------------------------------------


def _run_progress(args: argparse.Namespace) -> int:
    con = db.connect(args.db)
    try:
        df = progress.compute_progress(con, stage=args.stage, by=args.by, as_of_date=args.as_of, vintage=args.vintage,
                                       viewer=cli_viewer(args), source=args.source)
    except (KeyError, ValueError, scope.ScopeError) as exc:
        print(str(exc).strip("'\""), file=sys.stderr)
        return 2
    finally:
        con.close()
    print_table(df, args.format)
    if df.attrs.get("skipped"):
        print(f"注: 指標として登録されていない目標を除外しました: {', '.join(sorted(set(df.attrs['skipped'])))}",
              file=sys.stderr)
    return 0


def _add_progress_command(sub: argparse._SubParsersAction) -> None:
    """Add ``python -m analytics progress``."""
    p = add_command(sub, "progress", "目標に対する進捗 (progress against targets)", _run_progress)
    names = ", ".join(s.name for s in progress.STAGES)
    p.add_argument("--stage", default=None, help=f"ステージ名（省略時は基準日のステージ）: {names}")
    p.add_argument("--by", default=None, help="目標の単位: prefecture_code / target_group（省略時はすべての目標）")
    p.add_argument("--as-of", default=None,
                   help="基準日 YYYY-MM-DD: この日までの記録と、この日までに期間が終わる報告値で達成状況を計算"
                        "（省略時はデータの最終日）")
    p.add_argument("--vintage", default=None, help="目標の版（省略時は最新版）")
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    _add_source_argument(p)
    add_viewer_arguments(p)


# --------------------------------------------------------------------------------------------
# platforms (analytics.views.platforms, issue 18)
# --------------------------------------------------------------------------------------------


def _run_platforms(args: argparse.Namespace) -> int:
    from analytics.views import platforms

    by = args.by or ("municipality" if args.prefecture else "prefecture")
    prefecture = args.prefecture.zfill(2) if args.prefecture else None
    con = db.connect(args.db, read_only=True)
    try:
        if by == "municipality":
            df = platforms.cli_table(platforms.latest(con, prefecture, args.as_of, viewer=cli_viewer(args)))
            not_reported = None
        else:
            full = platforms.by_prefecture(con, args.as_of, prefecture)
            df = full[["prefecture_code", "municipalities", "with_platform", "share_with_platform",
                       "mean_partner_coverage"]]  # fmt: skip
            not_reported = int(full["not_reported"].sum())
    except (ValueError, scope.ScopeError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    finally:
        con.close()
    print_table(df, args.format)
    if not_reported is not None:
        print(f"注: 調査票にない市町村 {not_reported:,} は設置なしとして数えています "
              f"({not_reported:,} municipalities not reported in any survey count as without a platform).",
              file=sys.stderr)  # fmt: skip
    return 0


def _add_platforms_command(sub: argparse._SubParsersAction) -> None:
    """Add ``python -m analytics platforms``."""
    p = add_command(sub, "platforms", "市町村プラットフォームの設置状況 (municipal platform coverage)", _run_platforms)
    p.add_argument("--prefecture", default=None, help="都道府県コード（例: 02）")
    p.add_argument("--by", choices=["municipality", "prefecture"], default=None,
                   help="市町村ごと（--prefecture 指定時の既定）か都道府県ごと")  # fmt: skip
    p.add_argument("--as-of", type=_iso_date, default=None, help="この日以前の最新の調査票（省略時は最新）")
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    add_viewer_arguments(p)


# --------------------------------------------------------------------------------------------
# report (analytics.reports)
# --------------------------------------------------------------------------------------------


def _run_report(args: argparse.Namespace) -> int:
    fmt = args.format or (Path(args.out).suffix.lstrip(".").lower() if Path(args.out).suffix else "xlsx")
    if fmt not in reports.FORMATS:
        print(f"出力形式は xlsx か pdf です（--format）: {fmt}", file=sys.stderr)
        return 2
    try:  # --as-user: the report within that account's scope (analytics/access/scope.py), as the app would build it
        viewer = cli_viewer(args)
    except auth.AuthConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    threshold = args.suppress_below
    if viewer is not None and not viewer.can_see_small_cells:
        threshold = max(threshold, disclosure.DEFAULT_THRESHOLD)
    if args.db is not None and not Path(args.db).exists():
        print(f"データベースがありません: {args.db}", file=sys.stderr)
        return 2
    con = db.connect(args.db, read_only=True)
    if not facts.is_current(con):  # e.g. after a migration: rebuild on a short writable connection first
        con.close()
        facts.rebuild_if_stale(args.db)
        con = db.connect(args.db, read_only=True)
    try:
        with scope.acting_as(viewer):
            report = reports.build_report(
                con,
                prefecture=args.prefecture,
                fiscal_year=args.fiscal_year,
                stage=args.stage,
                lang=args.lang,
                threshold=threshold,
            )
    except (reports.ReportError, scope.ScopeError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    finally:
        con.close()
    data = reports.render(report, fmt)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    info = report.suppression
    print(
        f"{out}  ({report.scope_label} / {report.period_label} / データ時点 {report.as_of_label} / "
        f"{len(data):,} bytes / 秘匿 {info.primary + info.secondary + info.rates} セル)"
    )
    return 0


def _run_publish(args: argparse.Namespace) -> int:
    target = db.publish(args.db)
    print(f"公開用の読み取り専用コピーを更新しました: {target}")
    return 0


def _add_publish_command(sub: argparse._SubParsersAction) -> None:
    """``publish``: write the read-only copy the app processes read (docs/deploy.md); loads do it themselves
    when $HYOGAKI_PUBLISH=1, this is for the first time and for copying to other machines."""
    add_command(sub, "publish", "読み取り専用コピーを公開する (publish the read-only copy the app reads)", _run_publish)


def _add_report_command(sub: argparse._SubParsersAction) -> None:
    """Add ``python -m analytics report``."""
    p = add_command(sub, "report", "進捗レポート（Excel / PDF）を作る (write the summary report)", _run_report)
    p.add_argument("--prefecture", default=None, help="都道府県コード（例: 13）。省略時は全国")
    period = p.add_mutually_exclusive_group()
    period.add_argument("--fiscal-year", type=int, default=None, help="年度（例: 2023）。省略時はデータ時点の年度")
    period.add_argument("--stage", default=None, help="ステージ名（例: 第2ステージ）")
    p.add_argument("--format", choices=reports.FORMATS, default=None, help="出力形式（省略時は --out の拡張子）")
    p.add_argument(
        "--suppress-below",
        type=int,
        default=disclosure.DEFAULT_THRESHOLD,
        help=f"この値未満の人数（1以上）を「x」で秘匿する（既定 {disclosure.DEFAULT_THRESHOLD}、1 で秘匿なし）",
    )
    p.add_argument("--lang", choices=["ja", "en"], default="ja")
    p.add_argument("--out", required=True, help="出力ファイル（.xlsx / .pdf）")
    add_viewer_arguments(p)

# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analytics", description="就職氷河期世代支援 進捗ダッシュボード: command line"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    _add_ingest_commands(sub)
    _add_sample_command(sub)
    _add_indicators_command(sub)
    _add_progress_command(sub)
    _add_platforms_command(sub)
    _add_report_command(sub)
    _add_publish_command(sub)
    _add_hash_password_command(sub)
    _add_audit_command(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _HANDLERS[args.command](args)
    except (db.DatabaseBusyError, config.DataDirError, facts.FactsStaleError) as exc:
        print(str(exc), file=sys.stderr)
        return 3
    except BrokenPipeError:
        # `python -m analytics quarantine | head`: the reader left; not an error worth a traceback.
        sys.stderr.close()
        return 0
