"""The upload and history pages' logic: previews of many files, mapping overrides, limits, loading, rollback impact.

Nothing here writes before the analyst confirms: ``prepare_uploads`` reads and validates each file in memory
(``ingest.pipeline.prepare_file``) and counts rows the database already holds through a short read-only
connection; ``load_previews`` writes each file as one batch in one transaction (``ingest.load.load_prepared``),
opening a write connection per file and closing it at once, so a command-line load can run between files.
The UI strings of both pages are in ``ui_text.TEXT`` (keys ``upload.*``, ``history.*``), Japanese first.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import pandas as pd

from analytics import config, contract, db
from analytics.ingest import headers as hdr, load, profiles as profile_store, pseudonym, reported
from analytics.ingest.errors import IngestError
from analytics.ingest.pipeline import prepare_file
from analytics.ingest.quarantine_export import quarantine_workbook
from analytics.ingest.readers import read_file
from analytics.ingest.report import EXCLUDED_LABELS, IngestReport, SheetResult
from analytics.text import ui_text
from analytics.views import status

# The pages' words live with all the others in ui_text.TEXT (keys upload.* and history.*); ``tr`` is its ``t``.
tr = ui_text.t


def kind_label(kind: str | None, lang: str = ui_text.DEFAULT_LANG) -> str:
    """相談記録 / Consultations …; ``None`` → 不明."""
    known = kind in contract.TABLES or kind == reported.KIND
    return ui_text.t(f"kind.{kind}", lang) if known else ui_text.t("unknown", lang)


# ---------------------------------------------------------------------------------------------
# Upload limits
# ---------------------------------------------------------------------------------------------

MAX_MB_ENV = "HYOGAKI_UPLOAD_MAX_MB"
MAX_ROWS_ENV = "HYOGAKI_UPLOAD_MAX_ROWS"
MAX_FILES_ENV = "HYOGAKI_UPLOAD_MAX_FILES"


@dataclass(frozen=True)
class UploadLimits:
    """Deliberate limits: a prefecture-year export is a few MB; larger files are usually whole-system dumps.

    ``max_rows`` counts rows read over all sheets of a file (about 1 s of checking per 100,000 rows). Each limit
    can be changed with an environment variable (``HYOGAKI_UPLOAD_MAX_MB``, ``…_MAX_ROWS``, ``…_MAX_FILES``);
    the command line (``python -m analytics ingest``) has no limit, for very large loads.
    """

    max_file_mb: float = 50.0
    max_rows: int = 500_000
    max_files: int = 100

    @classmethod
    def from_env(cls) -> UploadLimits:
        defaults = cls()

        def read(name: str, default: float, cast: Callable[[str], float]) -> float:
            raw = os.environ.get(name, "").strip()
            try:
                value = cast(raw) if raw else default
            except ValueError:
                return default
            return value if value > 0 else default

        return cls(
            max_file_mb=read(MAX_MB_ENV, defaults.max_file_mb, float),
            max_rows=int(read(MAX_ROWS_ENV, defaults.max_rows, int)),
            max_files=int(read(MAX_FILES_ENV, defaults.max_files, int)),
        )


class UploadLimitError(IngestError):
    """A file over a limit: ``what`` is ``"size"`` (MB) or ``"rows"``."""

    def __init__(self, file: str, what: str, actual: float, limit: float) -> None:
        self.what, self.actual, self.limit = what, actual, limit
        super().__init__("too_large", file=file)

    def message(self, lang: str = "ja") -> str:
        detail = tr(f"upload.too_large_{self.what}", lang, actual=self.actual, limit=self.limit)
        env = MAX_MB_ENV if self.what == "size" else MAX_ROWS_ENV
        return tr("upload.too_large", lang, file=self.fields.get("file", ""), detail=detail, env=env)


def check_size(name: str, size: int, limits: UploadLimits) -> None:
    """Raise ``UploadLimitError`` when a file is larger than ``limits.max_file_mb``."""
    mb = size / 1_000_000
    if mb > limits.max_file_mb:
        raise UploadLimitError(name, "size", mb, limits.max_file_mb)


def check_rows(report: IngestReport, limits: UploadLimits) -> None:
    """Raise ``UploadLimitError`` when a file's sheets hold more rows than ``limits.max_rows``."""
    rows = sum(s.rows_read for s in report.sheets)
    if rows > limits.max_rows:
        raise UploadLimitError(report.file, "rows", rows, limits.max_rows)


# ---------------------------------------------------------------------------------------------
# Previews
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileOptions:
    """What the analyst changed for one file: kind, sheet, header row (1-based), header → column overrides."""

    kind: str | None = None
    sheet: str | None = None
    header_row: int | None = None
    mapping: dict[str, str] = field(default_factory=dict)

    def cache_key(self) -> str:
        return json.dumps([self.kind, self.sheet, self.header_row, sorted(self.mapping.items())], ensure_ascii=False)

    def with_mapping(self, header: str, column: str) -> FileOptions:
        """These options with ``header`` mapped to ``column`` (``""`` = do not load the column)."""
        return replace(self, mapping={**self.mapping, header: column})


@dataclass
class FilePreview:
    """One uploaded file after checking: its report, or why it cannot be loaded."""

    file_id: str
    name: str
    data: bytes
    options: FileOptions
    report: IngestReport | None = None
    error: IngestError | None = None
    existing_batch_id: int | None = None
    profiles: dict[str, str] = field(default_factory=dict)  # sheet -> name of the saved mapping applied

    @property
    def status(self) -> str:
        """``ready`` | ``already_loaded`` | ``error`` | ``loaded``."""
        if self.error is not None:
            return "error"
        if self.existing_batch_id is not None:
            return "already_loaded"
        return "loaded" if self.report is not None and self.report.status == "loaded" else "ready"

    @property
    def sheets(self) -> list[SheetResult]:
        """The sheets as far as they were understood (also for a file that cannot be loaded yet)."""
        if self.report is not None:
            return self.report.sheets
        partial = getattr(self.error, "report", None)
        return partial.sheets if isinstance(partial, IngestReport) else []

    @property
    def sheet_names(self) -> list[str]:
        return [s.sheet for s in self.sheets]

    def message(self, lang: str = ui_text.DEFAULT_LANG) -> str:
        if self.error is not None:
            return self.error.message(lang)
        if self.existing_batch_id is not None:
            return tr("upload.already_loaded", lang, batch=self.existing_batch_id)
        return ""


def file_id(name: str, data: bytes) -> str:
    """A stable id for an uploaded file: its name and the start of its content hash."""
    return f"{name}#{hashlib.sha256(data).hexdigest()[:12]}"


def profile_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Header signature → name of the saved mapping (newest wins, as in ``profiles.list_profiles``)."""
    rows = con.execute("select header_signature, name from mapping_profiles order by created_at").fetchall()
    return dict(rows)


def sheet_signature(sheet: SheetResult) -> str:
    return hdr.header_signature([m.header for m in sheet.matches])


def prepare_upload(
    name: str,
    data: bytes,
    options: FileOptions | None = None,
    *,
    key: bytes,
    con: duckdb.DuckDBPyConnection | None = None,
    limits: UploadLimits | None = None,
) -> FilePreview:
    """Check one file without writing: limits, same content already loaded, read/validate, rows already held.

    ``con`` (read-only is enough) supplies saved mappings and the duplicate counts; without it the file is
    checked on its own. Never raises for a bad file: the error is kept in ``FilePreview.error``.
    """
    options = options or FileOptions()
    limits = limits or UploadLimits.from_env()
    preview = FilePreview(file_id(name, data), name, data, options)
    try:
        check_size(name, len(data), limits)
        if con is not None:
            preview.existing_batch_id = load.find_batch_by_hash(con, hashlib.sha256(data).hexdigest())
            if preview.existing_batch_id is not None:
                return preview
        saved = profile_store.list_profiles(con) if con is not None else []
        report = prepare_file(
            data, name, kind=options.kind, mapping=options.mapping or None, sheet=options.sheet,
            header_row=options.header_row, key=key, profiles=saved,
        )  # fmt: skip
        check_rows(report, limits)
        if con is not None:
            load.preview_duplicates(con, report)
        preview.report = report
    except IngestError as exc:
        preview.error = exc
    if con is not None:
        names = profile_names(con)
        for sheet in preview.sheets:
            if sheet.matches and (applied := names.get(sheet_signature(sheet))):
                preview.profiles[sheet.sheet] = applied
    return preview


def prepare_uploads(
    files: Iterable[tuple[str, bytes]],
    options: dict[str, FileOptions] | None = None,
    *,
    db_path: str | Path | None = None,
    limits: UploadLimits | None = None,
    cache: dict[tuple[str, str], FilePreview] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[FilePreview]:
    """Check many files (``(name, bytes)`` pairs) in order; see ``prepare_upload``.

    ``options`` are keyed by ``file_id``. ``cache`` (keyed by file id and options) skips files already checked
    with the same options: the page passes the session's dict and clears it after anything is written.
    ``progress(i, n, name)`` is called before each file that is actually checked. Only the first
    ``limits.max_files`` files are checked.
    """
    limits = limits or UploadLimits.from_env()
    options = options or {}
    cache = {} if cache is None else cache

    def cache_key(name: str, data: bytes) -> tuple[str, str]:
        fid = file_id(name, data)
        return fid, options.get(fid, FileOptions()).cache_key()

    files = list(files)[: limits.max_files]
    todo = [(n, d) for n, d in files if cache_key(n, d) not in cache]
    if todo:
        path = db_path or config.default_db_path()
        key = pseudonym.load_key(path)
        with status.read_connection(path) as con:
            for i, (name, data) in enumerate(todo, start=1):
                if progress:
                    progress(i, len(todo), name)
                fid = file_id(name, data)
                opts = options.get(fid, FileOptions())
                cache[(fid, opts.cache_key())] = prepare_upload(name, data, opts, key=key, con=con, limits=limits)
    return [cache[cache_key(n, d)] for n, d in files]


# ---------------------------------------------------------------------------------------------
# Mapping: what the select boxes show and what a saved profile holds
# ---------------------------------------------------------------------------------------------


def column_options(kind: str | None) -> list[str]:
    """Choices for a column's select box: ``""`` (not loaded) then the contract columns of ``kind``.

    For a sheet whose kind is not known yet, every contract column (each name once).
    """
    tables = [contract.TABLES[kind]] if kind in contract.TABLES else list(contract.TABLES.values())
    names: list[str] = []
    for table in tables:
        names += [c for c in table.column_names if c not in names]
    return ["", *names]


def _column(name: str) -> contract.Column | None:
    for table in (*contract.TABLES.values(), contract.REPORTED_FIGURES):
        if name in table.column_names:
            return table.column(name)
    return None


def column_label(name: str | None, lang: str = ui_text.DEFAULT_LANG) -> str:
    """``consultation_date`` → 相談日（consultation_date）; ``""`` → （取り込まない）."""
    column = _column(name) if name else None
    if column is None:
        return tr("upload.not_loaded", lang)
    return f"{column.en} ({name})" if lang == "en" else f"{column.ja}（{name}）"


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the column as Excel names it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def match_note(match: hdr.ColumnMatch, profile: str | None, lang: str = ui_text.DEFAULT_LANG) -> str:
    """How a column's mapping came about, in words."""
    if match.personal:
        return tr("upload.note_personal", lang)
    if match.source == "duplicate":
        return tr("upload.note_duplicate", lang)
    if match.source == "explicit":
        return tr("upload.note_profile", lang, name=profile) if profile else tr("upload.note_explicit", lang)
    if not match.column:
        return tr("upload.note_ignored", lang)
    if match.source == "contained":
        return tr("upload.note_contained", lang)
    return ""


def mapping_table(sheet: SheetResult, lang: str = ui_text.DEFAULT_LANG, profile: str | None = None) -> pd.DataFrame:
    """One row per source column: letter, header, stored column, confidence (0–1), alternatives, note."""
    rows = [
        {
            tr("upload.col_letter", lang): column_letter(m.index),
            tr("upload.col_header", lang): m.header,
            tr("upload.col_target", lang): column_label(m.column, lang),
            tr("upload.col_confidence", lang): round(m.confidence, 2) if m.column else None,
            tr("upload.col_alternatives", lang): "、".join(column_label(a, lang) for a in m.alternatives[:3]),
            tr("upload.col_note", lang): match_note(m, profile, lang),
        }
        for m in sheet.matches
        if m.header
    ]
    return pd.DataFrame(rows)


def current_mapping(sheet: SheetResult) -> dict[str, str]:
    """The sheet's mapping as a profile stores it: header → column, ``""`` for columns not loaded.

    Personal-data columns are left out, so a saved profile never turns a dropped column into a stored one.
    """
    mapping = {m.header: (m.column or "") for m in sheet.matches if m.header and not m.personal}
    if sheet.figures is not None:  # reported figures: the context set by hand travels with the profile
        mapping.update(sheet.figures.overrides)
    return mapping


def save_mapping(name: str, sheet: SheetResult, *, db_path: str | Path | None = None) -> str:
    """Save the sheet's (corrected) mapping as a profile named for the sender; returns the header signature.

    The next file whose headers have the same signature is mapped by it automatically. Writes the database
    (a short write connection): only on the analyst's click.
    """
    name = name.strip()
    if not name:
        raise ValueError("profile name is empty")
    con = db.connect(db_path or config.default_db_path())
    try:
        return profile_store.save_profile(con, name, [m.header for m in sheet.matches], current_mapping(sheet))
    finally:
        con.close()


# ---------------------------------------------------------------------------------------------
# Display tables for a preview
# ---------------------------------------------------------------------------------------------

SUMMARY_KEYS = ("rows_read", "rows_to_load", "rows_quarantined", "rows_duplicate", "rows_excluded")


def sheet_counts(sheet: SheetResult) -> dict[str, int]:
    """The counts the preview shows, keyed like ``SUMMARY_KEYS`` (rows_read = the sum of the other four)."""
    return {
        "rows_read": sheet.rows_read,
        "rows_to_load": sheet.rows_loaded_or_expected,
        "rows_quarantined": sheet.quarantined,
        "rows_duplicate": sheet.duplicates,
        "rows_excluded": sheet.rows_excluded,
    }


def summary_table(previews: list[FilePreview], lang: str = ui_text.DEFAULT_LANG) -> pd.DataFrame:
    """One row per file and sheet: file, sheet, kind, header row, the counts, and status."""
    rows = []
    for p in previews:
        state = {
            "ready": tr("upload.file_ready", lang),
            "loaded": ui_text.t("status.loaded", lang),
            "already_loaded": tr("upload.file_already", lang, batch=p.existing_batch_id),
            "error": tr("upload.file_error", lang),
        }[p.status]
        sheets = p.sheets if p.status != "already_loaded" else []
        if not sheets:
            rows.append({"file": p.name, "sheet": "", "kind": "", "header_row": None, "status": state})
        for s in sheets:
            counts = sheet_counts(s) if s.status != "skipped" else {}
            rows.append(
                {
                    "file": p.name,
                    "sheet": s.sheet,
                    "kind": kind_label(s.kind, lang) if s.kind else "",
                    "header_row": s.header_row,
                    **counts,
                    "status": state if s.status != "skipped" else ("—" if lang == "en" else "スキップ"),
                }
            )
    frame = pd.DataFrame(rows, columns=["file", "sheet", "kind", "header_row", *SUMMARY_KEYS, "status"])
    frame = frame.astype(dict.fromkeys(("header_row", *SUMMARY_KEYS), "Int64"))
    labels = {
        "file": ui_text.t("col.file_name", lang),
        "sheet": tr("upload.sheet", lang),
        "kind": tr("upload.kind", lang),
        "header_row": tr("history.col_header_row", lang),
        "status": ui_text.t("col.status", lang),
        **{k: tr(f"upload.{k}", lang) for k in SUMMARY_KEYS},
    }
    return frame.rename(columns=labels)


def reasons_table(sheet: SheetResult, lang: str = ui_text.DEFAULT_LANG) -> pd.DataFrame:
    """Rows to be quarantined per reason: code, a reason in words, rows (a row can have several reasons)."""
    from analytics.ingest.errors import ALL_REASONS as REASONS

    rows = [
        {
            tr("upload.reason_code", lang): code,
            tr("upload.reason", lang): _reason_words(REASONS.get(code, (code, code)), lang),
            tr("upload.reason_rows", lang): n,
        }
        for code, n in sorted(sheet.quarantined_by_reason.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return pd.DataFrame(rows)


def _reason_words(messages: tuple[str, str], lang: str) -> str:
    text = messages[1] if lang == "en" else messages[0]
    return (
        text.replace("「{column}」", "")
        .replace("'{column}'", "")
        .replace("「{value}」", "")
        .replace("'{value}'", "")
        .replace("{limit}", "")
        .replace("{column}", "")
        .replace("{value}", "")
        .strip()
    )


def excluded_text(sheet: SheetResult, lang: str = ui_text.DEFAULT_LANG) -> str:
    """「除外する行: 表題・見出し上の行 3、合計行 1」, or "" when nothing is excluded."""
    parts = [f"{EXCLUDED_LABELS[k][1 if lang == 'en' else 0]} {v:,}" for k, v in sheet.excluded.items() if v]
    return tr("upload.excluded_detail", lang, parts="、".join(parts)) if parts else ""


def preview_table(sheet: SheetResult, lang: str = ui_text.DEFAULT_LANG) -> pd.DataFrame:
    """The first rows as they will be stored, with Japanese (or English) column names."""
    frame = sheet.preview.copy() if sheet.preview is not None else pd.DataFrame()
    for name in frame.select_dtypes("datetime").columns:  # dates as dates, not midnight timestamps
        frame[name] = frame[name].dt.date
    labels = {"source_row": "行" if lang != "en" else "Row", "fiscal_year": ui_text.t("col.fiscal_year", lang)}
    for name in frame.columns:
        column = _column(name)
        if column is not None and name not in labels:
            labels[name] = column.en if lang == "en" else column.ja
    frame = frame.rename(columns=labels)
    # years and row numbers are shown as written (2021, not 2,021)
    frame.attrs["plain"] = [labels[c] for c in ("source_row", "fiscal_year", "birth_year") if c in labels]
    return frame


# ---------------------------------------------------------------------------------------------
# Reported figures (集計値): what was inferred and from where, the checks, the overrides
# ---------------------------------------------------------------------------------------------

# The context an analyst can set by hand on the upload page (the CLI's --map key=value), in display order.
FIGURE_OVERRIDES = ("measure", "unit", "prefecture", "fiscal_year", "period", "target_period", "vintage", "source")
_OVERRIDE_FIELD = {"prefecture": "prefecture_code"}


def is_figures(sheet: SheetResult) -> bool:
    return sheet.figures is not None


def _context(sheet: SheetResult, lang: str) -> pd.DataFrame:
    """The context rows; on a KPI sheet the measure and unit not found for the sheet are read per block heading."""
    frame = reported.context_frame(sheet.figures.context, lang)
    if frame.empty or sheet.figures.layout != "blocks":
        return frame
    per_block = frame["field"].isin(["measure", "unit"]) & frame["value"].isna()
    frame.loc[per_block, "value"] = tr("upload.fig_per_block", lang)
    frame.loc[per_block, "source_label"] = reported.CONTEXT_SOURCES["heading"][1 if lang == "en" else 0]
    return frame


def figure_context_table(sheet: SheetResult, lang: str = ui_text.DEFAULT_LANG) -> pd.DataFrame:
    """What the sheet's figures are about: item, value, where it was read (title row, note, file name …), the text."""
    frame = _context(sheet, lang)
    if frame.empty:
        return frame
    return frame[["label", "value", "source_label", "text"]].rename(
        columns={
            "label": tr("upload.fig_item", lang),
            "value": tr("upload.fig_value", lang),
            "source_label": tr("upload.fig_source", lang),
            "text": tr("upload.fig_text", lang),
        }
    )


def figure_context_text(sheet: SheetResult, lang: str = ui_text.DEFAULT_LANG) -> str:
    """The inferred context in one line: 「都道府県: 長崎県（表題行）／年度: 2020（シート名）…」 (items found only)."""
    frame = _context(sheet, lang)
    if frame.empty:
        return ""
    found = frame[frame["value"].notna()]
    if lang == "en":
        return " / ".join(f"{r.label}: {r.value} ({r.source_label})" for r in found.itertuples())
    return "／".join(f"{r.label}: {r.value}（{r.source_label}）" for r in found.itertuples())


def figure_checks_table(sheet: SheetResult, lang: str = ui_text.DEFAULT_LANG) -> pd.DataFrame:
    """Totals that do not add up and published rates that disagree: row, column, stated, computed, message."""
    checks = sheet.figures.checks
    message = "message_en" if lang == "en" else "message_ja"
    return pd.DataFrame(
        {
            "行" if lang != "en" else "Row": checks["source_row"],
            tr("upload.fig_check", lang): checks["check_code"],
            tr("upload.fig_stated", lang): checks["stated"],
            tr("upload.fig_computed", lang): checks["computed"],
            tr("upload.fig_message", lang): checks[message],
        }
    )


def figure_overrides(sheet: SheetResult) -> dict[str, str]:
    """The current value of each overridable item as text (what the page's inputs start from)."""
    context = sheet.figures.context
    out = {}
    for key in FIGURE_OVERRIDES:
        if key in sheet.figures.overrides:
            out[key] = str(sheet.figures.overrides[key])
            continue
        item = context.get(_OVERRIDE_FIELD.get(key, key))
        if key == "measure" and "measure_name" in context:
            item = context["measure_name"]
        out[key] = reported._display(item.value) if item is not None and item.value not in (None, "") else ""
        if key == "prefecture" and out[key]:
            out[key] = ui_text.prefecture_label(out[key])  # 長崎県, not 42
    return out


def header_order(report: IngestReport | None, sheets: list[SheetResult] | None = None) -> dict[str, list[str]]:
    """Sheet → headers of its stored columns in file order (for the quarantine workbook)."""
    sheets = sheets if sheets is not None else (report.sheets if report else [])
    return {s.sheet: [m.header for m in sorted(s.matches, key=lambda m: m.index) if m.column] for s in sheets}


def original_ids(preview: FilePreview) -> dict[tuple[str, int], dict[str, str | None]]:
    """(sheet, row) → {ID header: the ID as sent} for quarantined rows, read again from the uploaded bytes.

    The stored quarantine holds the pseudonym (the original ID is never saved); while the file is still on the
    page, the workbook can carry the original so the sender can fix the row and send it back as it is.
    """
    report = preview.report
    if report is None:
        return {}
    wanted = {
        s.sheet: (m, sorted({int(r) for r in s.issues["row_number"]}))
        for s in report.sheets
        if s.issues is not None and len(s.issues)
        for m in s.matches
        if m.column == "person_id"
    }
    if not wanted:
        return {}
    out: dict[tuple[str, int], dict[str, str | None]] = {}
    stage = duckdb.connect()
    try:
        for raw in read_file(stage, preview.data, preview.name):
            if raw.name not in wanted:
                continue
            match, rows = wanted[raw.name]
            found = stage.execute(
                f"select rowid + 1 as row_number, c{int(match.index)} as value from {raw.table} "
                f"where rowid + 1 in (select unnest($rows))",
                {"rows": rows},
            ).fetchall()
            for row_number, value in found:
                out[(raw.name, int(row_number))] = {match.header: value}
    finally:
        stage.close()
    return out


def preview_quarantine_workbook(preview: FilePreview, lang: str = ui_text.DEFAULT_LANG) -> bytes | None:
    """The kept-aside rows of one checked (or just loaded) file as .xlsx, with the IDs as sent; None if none."""
    report = preview.report
    frames = [s.issues for s in (report.sheets if report else []) if s.issues is not None and len(s.issues)]
    if not frames:
        return None
    return quarantine_workbook(
        pd.concat(frames, ignore_index=True), header_order=header_order(report), originals=original_ids(preview),
        lang=lang,
    )  # fmt: skip


def quarantine_file_name(name: str, batch_id: int | None = None) -> str:
    stem = Path(name).stem
    return f"保留_バッチ{batch_id}_{stem}.xlsx" if batch_id else f"保留_{stem}.xlsx"


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


@dataclass
class LoadResult:
    """What happened to one file when the analyst pressed 取り込む."""

    name: str
    status: str  # loaded | already_loaded | error | busy
    batch_id: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    message_ja: str = ""
    message_en: str = ""
    preview: FilePreview | None = None

    def message(self, lang: str = ui_text.DEFAULT_LANG) -> str:
        if self.status == "loaded":
            return tr("upload.result_loaded", lang, file=self.name, batch=self.batch_id,
                      **{k: f"{v:,}" for k, v in self.counts.items()})  # fmt: skip
        if self.status == "already_loaded":
            return tr("upload.result_already", lang, file=self.name, batch=self.batch_id)
        if self.status == "busy":
            return tr("upload.result_busy", lang, file=self.name)
        message = self.message_en if lang == "en" else self.message_ja
        return tr("upload.result_error", lang, file=self.name, message=message)


def loadable(previews: list[FilePreview]) -> list[FilePreview]:
    """The files the 取り込む button will load (checked, readable, not loaded before)."""
    return [p for p in previews if p.status == "ready"]


def load_previews(
    previews: list[FilePreview],
    *,
    db_path: str | Path | None = None,
    loaded_by: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[LoadResult]:
    """Write each ready file as one batch in its own transaction; files that cannot load are reported, not raised.

    The content check runs again inside the write (another analyst or the CLI may have loaded the same file
    since the preview). A busy database (a long CLI load) gives ``status="busy"`` for that file.
    """
    path = db_path or config.default_db_path()
    todo = loadable(previews)
    results: list[LoadResult] = []
    for i, preview in enumerate(todo, start=1):
        if progress:
            progress(i, len(todo), preview.name)
        report = preview.report
        assert report is not None
        try:
            con = db.connect(path, wait_seconds=10.0)
        except db.DatabaseBusyError:
            results.append(LoadResult(preview.name, "busy", preview=preview))
            continue
        try:
            existing = load.find_batch_by_hash(con, report.content_hash)
            if existing is not None:
                preview.existing_batch_id = existing
                results.append(LoadResult(preview.name, "already_loaded", batch_id=existing, preview=preview))
                continue
            load.load_prepared(con, report, loaded_by=loaded_by)
        except Exception as exc:  # one file's failure must not stop the others; its transaction was rolled back
            message = exc.message("ja") if isinstance(exc, IngestError) else str(exc)
            message_en = exc.message("en") if isinstance(exc, IngestError) else str(exc)
            results.append(LoadResult(preview.name, "error", message_ja=message, message_en=message_en,
                                      preview=preview))  # fmt: skip
            continue
        finally:
            con.close()
        counts = {
            "loaded": report.total("loaded"),
            "quarantined": report.total("quarantined"),
            "duplicates": report.total("duplicates"),
            "excluded": report.total("rows_excluded"),
        }
        results.append(LoadResult(preview.name, "loaded", batch_id=report.batch_id, counts=counts, preview=preview))
    for preview in previews:
        if preview.status == "already_loaded" and preview not in todo:
            results.append(LoadResult(preview.name, "already_loaded", batch_id=preview.existing_batch_id,
                                      preview=preview))  # fmt: skip
    if any(r.status == "loaded" for r in results):
        db.publish_if_enabled(path)  # the app's readers see the load (docs/deploy.md)
    return results


# ---------------------------------------------------------------------------------------------
# History and rollback
# ---------------------------------------------------------------------------------------------


def history(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every batch, newest first (``load.list_batches``)."""
    return load.list_batches(con)


def filter_history(
    frame: pd.DataFrame, *, kinds: Iterable[str] = (), statuses: Iterable[str] = (), text: str = ""
) -> pd.DataFrame:
    """Batches with any of ``kinds``, any of ``statuses`` and ``text`` in the file name (case-insensitive)."""
    kinds, statuses = list(kinds), list(statuses)
    keep = pd.Series(True, index=frame.index)
    if kinds:
        keep &= frame["kinds"].fillna("").map(lambda v: any(k in v.split(",") for k in kinds))
    if statuses:
        keep &= frame["status"].isin(statuses)
    if text.strip():
        keep &= frame["file_name"].str.contains(text.strip(), case=False, regex=False, na=False)
    return frame[keep]


def history_table(frame: pd.DataFrame, lang: str = ui_text.DEFAULT_LANG) -> pd.DataFrame:
    """The batches with labelled columns, translated status and kinds, who loaded them and when rolled back."""
    table = status.batches_table(frame, lang)
    # "–" where there is nothing to say (loaded before sign-in existed, never rolled back), not a grey "None"
    table[tr("history.col_loaded_by", lang)] = [v if isinstance(v, str) and v else "–" for v in frame["loaded_by"]]
    table[tr("history.col_rolled_back_at", lang)] = [
        ui_text.format_date(as_datetime(v), lang) for v in frame["rolled_back_at"]
    ]
    return table


def batch_label(row: pd.Series, lang: str = ui_text.DEFAULT_LANG) -> str:
    when = ui_text.format_date(pd.Timestamp(row["loaded_at"]).to_pydatetime(), lang)
    state = ui_text.t(f"status.{row['status']}", lang)
    return tr("history.batch_label", lang, batch=int(row["batch_id"]), file=row["file_name"], when=when, status=state)


def batch_sheets_table(con: duckdb.DuckDBPyConnection, batch_id: int, lang: str = ui_text.DEFAULT_LANG) -> pd.DataFrame:
    """The sheets of one batch with their counts (skipped sheets with their reason)."""
    frame = con.execute(
        "select sheet, kind, header_row, rows_read, rows_loaded, rows_quarantined, rows_duplicate, rows_excluded, "
        "skip_reason from batch_sheets where batch_id = ? order by sheet",
        [batch_id],
    ).df()
    frame["kind"] = [kind_label(k, lang) if k else "" for k in frame["kind"]]
    frame["skip_reason"] = frame["skip_reason"].fillna("–")
    labels = {
        "sheet": tr("history.col_sheet", lang), "kind": tr("history.col_kind", lang),
        "header_row": tr("history.col_header_row", lang), "skip_reason": tr("history.col_skip_reason", lang),
        **{c: ui_text.t(f"col.{c}", lang) for c in ("rows_read", "rows_loaded", "rows_quarantined",
                                                     "rows_duplicate", "rows_excluded")},
    }  # fmt: skip
    return frame.rename(columns=labels)


def batch_quarantine(con: duckdb.DuckDBPyConnection, batch_id: int) -> pd.DataFrame:
    return load.list_quarantine(con, batch_id)


def batch_quarantine_workbook(con: duckdb.DuckDBPyConnection, batch_id: int, lang: str = ui_text.DEFAULT_LANG) -> bytes:
    """The kept-aside rows of a past batch as .xlsx (IDs as stored pseudonyms: the original is never kept)."""
    return quarantine_workbook(load.list_quarantine(con, batch_id), lang=lang)


# Which stored tables each indicator grain file reads. Placement indicators take the person's region and
# target group from their consultations, and cohorts start at a first consultation, so consultations feed all.
GRAIN_TABLES: dict[str, tuple[str, ...]] = {
    "indicators/consultation_counts": ("consultations",),
    "indicators/cohorts": ("consultations", "placements"),
    "indicators/placement_counts": ("consultations", "placements"),
}


@dataclass(frozen=True)
class RollbackImpact:
    """What rolling back one batch changes: rows per table, the years and regions, and the indicators."""

    batch_id: int
    file_name: str
    status: str
    rows: dict[str, int]  # consultations / placements / targets -> rows that disappear
    quarantine_rows: int
    fiscal_years: list[int]
    prefectures: list[str]  # prefecture codes; "" = rows without a region
    indicators: list[tuple[str, str, str]]  # (id, 日本語名, English) whose values change
    target_indicators: list[str]  # indicator ids whose targets are removed or change
    rolled_back_at: object = None
    kept: dict[str, int] = field(default_factory=dict)  # rows that stay: another loaded batch also holds them
    kept_by: list[int] = field(default_factory=list)  # the batches those rows go to
    unrecorded_by: list[int] = field(default_factory=list)  # later batches loaded before repeats were recorded

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    def lines(self, lang: str = ui_text.DEFAULT_LANG) -> list[str]:
        """The confirmation text, one statement per line."""
        out = [
            tr("history.rollback_rows", lang, table=kind_label(table, lang), n=f"{n:,}")
            for table, n in self.rows.items()
            if n
        ]
        batches = "、".join(str(b) for b in self.kept_by)
        out += [
            tr("history.rollback_kept", lang, table=kind_label(table, lang), n=f"{n:,}", batches=batches)
            for table, n in self.kept.items()
            if n
        ]
        if not out:
            out = [tr("history.rollback_nothing", lang)]
        if self.unrecorded_by and self.total_rows:
            out.append(tr("history.rollback_unrecorded", lang, batches="、".join(str(b) for b in self.unrecorded_by)))
        if self.quarantine_rows:
            out.append(tr("history.rollback_quarantine", lang, n=f"{self.quarantine_rows:,}"))
        if self.fiscal_years:
            years = "、".join(ui_text.fiscal_year_label(y, lang) for y in self.fiscal_years)
            out.append(tr("history.rollback_years", lang, years=years))
        if self.prefectures:
            names = "、".join(
                ui_text.prefecture_label(c, lang) if c else ui_text.t("unknown", lang) for c in self.prefectures
            )
            out.append(tr("history.rollback_prefectures", lang, prefectures=names))
        if self.indicators:
            names = "、".join(en if lang == "en" else ja for _, ja, en in self.indicators)
            out.append(tr("history.rollback_indicators", lang, indicators=names))
        if self.target_indicators:
            labels = {c.code: (c.ja, c.en) for c in contract.TARGET_INDICATORS}
            names = "、".join(labels.get(i, (i, i))[1 if lang == "en" else 0] for i in self.target_indicators)
            out.append(tr("history.rollback_targets", lang, indicators=names))
        return out


def _indicators_reading(tables: set[str]) -> list[tuple[str, str, str]]:
    from analytics.metrics.indicators import REGISTRY

    return [
        (ind.id, ind.ja, ind.en)
        for ind in REGISTRY
        if tables & set(GRAIN_TABLES.get(ind.sql, ("consultations", "placements")))
    ]


def _changes_sql(table: contract.Table, *, repeats: bool) -> str:
    """SQL: one row summing up what a rollback of batch ``$b`` does to ``table``.

    ``gone``: rows that disappear; ``kept``: rows handed over to another loaded batch (``kept_by``); the years,
    prefectures ('' = none) and target indicators of what changes: rows that disappear and rows replaced by
    another batch's different version (both versions). ``repeats=False``: a read-only database from before
    migration 008, where nothing is handed over.
    """
    content = [c for c in load.stored_columns(table) if c not in ("batch_id", "source_sheet", "source_row")]
    same = " and ".join(f"t.{c} is not distinct from h.{c}" for c in content)
    handover = load.handover_sql(table, "$b") if repeats else f"select * from {table.name} where false"
    indicator = "t.indicator" if "indicator" in content else "null::varchar"
    # The fiscal year a row belongs to: its fiscal_year column, or for the platform survey the fiscal year of
    # its as-of date (April-March); tables with neither name no years.
    if "fiscal_year" in content:
        t_year, h_year = "t.fiscal_year", "h.fiscal_year"
    elif "as_of" in content:
        t_year, h_year = (f"(year({a}.as_of) - (month({a}.as_of) < 4)::integer)" for a in ("t", "h"))
    else:
        t_year = h_year = "null::integer"
    changes = "h.batch_id is null or not coalesce(" + same + ", false)"
    replaced = "h.batch_id is not null and not coalesce(" + same + ", false)"
    return f"""
        with h as ({handover})
        select count(*) filter (where h.batch_id is null) as gone,
               count(h.batch_id) as kept,
               list(distinct h.batch_id) filter (where h.batch_id is not null) as kept_by,
               list_concat(
                   list(distinct {t_year}) filter (where {t_year} is not null and ({changes})),
                   list(distinct {h_year}) filter (where {h_year} is not null and {replaced})) as years,
               list_concat(
                   list(distinct coalesce(t.prefecture_code, '')) filter (where {changes}),
                   list(distinct coalesce(h.prefecture_code, '')) filter (where {replaced})) as regions,
               list(distinct {indicator}) filter (where {changes}) as indicators
        from {table.name} as t left join h on {load.key_match(table, "t", "h")}
        where t.batch_id = $b
    """


def rollback_impact(con: duckdb.DuckDBPyConnection, batch_id: int) -> RollbackImpact:
    """Count what a rollback of ``batch_id`` would remove, without removing anything.

    Rows that another loaded batch also delivered are not removed but handed over to it (see
    ``load.rollback_batch``): they count in ``kept``, and their years and regions count as changing only if
    that batch's version differs. Raises ``load.RollbackError`` when the batch does not exist.
    """
    row = con.execute("select file_name, status, rolled_back_at from batches where batch_id = ?", [batch_id]).fetchone()
    if row is None:
        raise load.RollbackError(f"バッチ {batch_id} はありません。")
    repeats = load.repeats_recorded(con)
    rows: dict[str, int] = {}
    kept: dict[str, int] = {}
    kept_by: set[int] = set()
    years: set[int] = set()
    regions: set[str] = set()
    changed_tables: set[str] = set()
    targets: set[str] = set()
    for name, table in (*contract.TABLES.items(), (contract.REPORTED_FIGURES.name, contract.REPORTED_FIGURES)):
        gone, kept[name], by, table_years, table_regions, table_indicators = con.execute(
            _changes_sql(table, repeats=repeats), {"b": batch_id}
        ).fetchone()
        rows[name] = int(gone)
        kept_by.update(by or ())
        if table_years or table_regions:
            changed_tables.add(name)
        years.update(table_years or ())
        if name == "targets":
            targets.update(i for i in table_indicators or () if i is not None)
        else:
            regions.update(table_regions or ())
    quarantine_rows = int(con.execute("select count(*) from quarantine where batch_id = ?", [batch_id]).fetchone()[0])
    # later batches from before migration 008 may have repeated rows of this one without a record of it
    recorded_from = "(select min(batch_id) from repeats_recorded_from)" if repeats else "2147483647"
    unrecorded = [
        int(r[0])
        for r in con.execute(
            "select batch_id from batches where status = 'loaded' and batch_id > $b and rows_duplicate > 0 "
            f"and batch_id < {recorded_from} order by 1",
            {"b": batch_id},
        ).fetchall()
    ]
    prefectures = sorted(regions, key=lambda c: (c == "", c))
    return RollbackImpact(
        batch_id=batch_id, file_name=row[0], status=row[1], rows=rows, quarantine_rows=quarantine_rows,
        fiscal_years=sorted(int(y) for y in years), prefectures=prefectures,
        indicators=_indicators_reading(changed_tables & {"consultations", "placements"}),
        target_indicators=sorted(targets), rolled_back_at=row[2], kept=kept, kept_by=sorted(kept_by),
        unrecorded_by=unrecorded,
    )  # fmt: skip


def rollback(batch_id: int, *, db_path: str | Path | None = None) -> load.RollbackCounts:
    """Roll back one batch (``load.rollback_batch``) through a short write connection; rows removed per table
    (and ``.kept``: rows handed over to other loaded batches)."""
    con = db.connect(db_path or config.default_db_path(), wait_seconds=10.0)
    try:
        removed = load.rollback_batch(con, batch_id)
    finally:
        con.close()
    db.publish_if_enabled(db_path)  # the app's readers see the rollback (docs/deploy.md)
    return removed


def removed_text(removed: dict[str, int], lang: str = ui_text.DEFAULT_LANG) -> str:
    """Rows removed per table; with a ``load.RollbackCounts``, also the rows kept because other batches hold them."""
    parts = [
        f"{kind_label(t, lang)} {n:,}" for t, n in removed.items() if (t in contract.TABLES or t == reported.KIND) and n
    ]
    text = "、".join(parts) or "0"
    kept = [f"{kind_label(t, lang)} {n:,}" for t, n in getattr(removed, "kept", {}).items() if n]
    if kept:
        text += "。" if lang != "en" else "; "
        text += tr("history.rolled_back_kept", lang, rows="、".join(kept))
    return text


def dropped_columns(batch: pd.Series) -> list[str]:
    """The personal-data headers a batch dropped (stored as a JSON list)."""
    raw = batch.get("dropped_columns")
    try:
        value = json.loads(raw) if isinstance(raw, str) and raw else []
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def as_datetime(value: object):
    """A timestamp from the database as ``datetime`` (None for missing)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).to_pydatetime()
