"""What an ingest did, per file and sheet: the accounting every caller (CLI, upload page, tests) shows.

The identity that must always hold per sheet:
``rows_read == loaded + quarantined + duplicates + excluded`` (excluded = title + blank + total + note rows).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analytics.ingest.headers import ColumnMatch

EXCLUDED_TYPES = ("title", "blank", "total", "note")
EXCLUDED_LABELS = {
    "title": ("表題・見出し上の行", "title rows"),
    "blank": ("空行", "blank rows"),
    "total": ("合計行", "total rows"),
    "note": ("注記行", "note rows"),
    # reported figures (counted in figure cells): a published rate is checked, an empty 目標 cell is no target
    "rate": ("公表の率（進捗率・達成率、照合のみ）", "published rates (checked only)"),
    "no_target": ("空欄の目標", "empty target cells"),
}
FIGURE_KIND = "reported_figures"


@dataclass
class SheetResult:
    """One sheet's preparation (before writing) and, after loading, its final counts."""

    sheet: str
    kind: str | None
    status: str  # ready | skipped | loaded
    skip_reason: str | None = None  # Japanese message when skipped
    skip_reason_en: str | None = None
    header_row: int | None = None  # 1-based row number of the (last) header row
    header_rows: int = 0
    matches: list[ColumnMatch] = field(default_factory=list)
    rows_read: int = 0
    excluded: dict[str, int] = field(default_factory=dict)
    quarantined: int = 0
    quarantined_by_reason: dict[str, int] = field(default_factory=dict)
    duplicates_in_file: int = 0
    duplicates_in_database: int = 0
    loaded: int = 0
    valid: Any = None  # pyarrow.Table of rows to write (pseudonymised), None when skipped
    issues: pd.DataFrame | None = None  # quarantine rows (one per problem)
    preview: pd.DataFrame | None = None  # first rows as they will be stored
    as_of: str | None = None  # platform survey: the sheet's as-of date (ISO), where rows give none
    as_of_source: str | None = None  # column | title | sheet | file | loaded
    # Reported figures (kind reported_figures): counts are figure cells, not rows. ``figures`` is the
    # ``reported.FigureSheet`` (figures, targets, checks, inferred context); ``warned`` the loaded figures with a
    # warning (a subset of ``loaded``).
    figures: Any = None
    warned: int = 0

    @property
    def rows_excluded(self) -> int:
        return sum(self.excluded.values())

    @property
    def duplicates(self) -> int:
        return self.duplicates_in_file + self.duplicates_in_database

    @property
    def rows_to_load(self) -> int:
        """Valid rows of the file (before checking the database for rows it already holds)."""
        if self.figures is not None:
            return len(self.figures.figures) + len(self.figures.targets)
        return 0 if self.valid is None else self.valid.num_rows

    @property
    def rows_loaded_or_expected(self) -> int:
        """Loaded rows once loaded; before that, the rows that would load (after ``preview_duplicates``)."""
        return self.loaded if self.status == "loaded" else self.rows_to_load - self.duplicates_in_database

    @property
    def dropped_personal(self) -> list[str]:
        return [m.header for m in self.matches if m.personal]

    @property
    def ignored_columns(self) -> list[str]:
        if self.figures is not None:  # a figure table's headers are periods and roles, read by layout
            return []
        return [m.header for m in self.matches if not m.column and not m.personal and m.header]

    def accounts(self) -> bool:
        """The accounting identity (after loading; before, duplicates in the database are not known)."""
        return self.rows_read == (
            self.rows_loaded_or_expected + self.quarantined + self.duplicates + self.rows_excluded
        )

    def to_dict(self) -> dict:
        return {
            "sheet": self.sheet,
            "kind": self.kind,
            "status": self.status,
            "skip_reason": self.skip_reason,
            "header_row": self.header_row,
            "header_rows": self.header_rows,
            "rows_read": self.rows_read,
            "loaded": self.rows_loaded_or_expected,
            "quarantined": self.quarantined,
            "quarantined_by_reason": dict(self.quarantined_by_reason),
            "duplicates": self.duplicates,
            "duplicates_in_file": self.duplicates_in_file,
            "duplicates_in_database": self.duplicates_in_database,
            "excluded": self.rows_excluded,
            "excluded_by_type": dict(self.excluded),
            "dropped_personal_columns": self.dropped_personal,
            "ignored_columns": self.ignored_columns,
            "mapping": [m.to_dict() for m in self.matches],
            **({"as_of": self.as_of, "as_of_source": self.as_of_source} if self.as_of else {}),
            **(self._figures_dict() if self.figures is not None else {}),
        }

    def _figures_dict(self) -> dict:
        from analytics.ingest import reported

        f = self.figures
        return {
            "unit": "figures",
            "layout": f.layout,
            "warned": self.warned,
            "figures": len(f.figures),
            "targets": len(f.targets),
            "checks": f.checks[["check_code", "source_row", "source_column", "stated", "computed"]].to_dict("records"),
            "context": reported.context_dict(f.context),
        }


@dataclass
class IngestReport:
    """One file: its batch and its sheets."""

    file: str
    content_hash: str
    status: str  # prepared | loaded | already_loaded
    sheets: list[SheetResult] = field(default_factory=list)
    batch_id: int | None = None
    existing_batch_id: int | None = None  # for already_loaded: the batch that holds this content

    def total(self, attribute: str) -> int:
        return sum(getattr(s, attribute) for s in self.sheets if s.status != "skipped")

    @property
    def kinds(self) -> list[str]:
        return sorted({s.kind for s in self.sheets if s.kind and s.status != "skipped"})

    @property
    def dropped_personal(self) -> list[str]:
        return sorted({h for s in self.sheets for h in s.dropped_personal})

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "status": self.status,
            "batch_id": self.batch_id,
            "existing_batch_id": self.existing_batch_id,
            "content_hash": self.content_hash,
            "rows_read": self.total("rows_read"),
            "loaded": self.total("rows_loaded_or_expected"),
            "quarantined": self.total("quarantined"),
            "duplicates": self.total("duplicates"),
            "excluded": self.total("rows_excluded"),
            "dropped_personal_columns": self.dropped_personal,
            "sheets": [s.to_dict() for s in self.sheets],
        }


def format_report_text(report: IngestReport, lang: str = "ja") -> str:
    """The CLI's per-file summary, one block per sheet."""
    ja = lang == "ja"
    if report.status == "already_loaded":
        return (
            f"= {report.file}: 同じ内容のファイルはバッチ {report.existing_batch_id} で取込済みのため、スキップしました。"
            if ja
            else f"= {report.file}: identical content already loaded as batch {report.existing_batch_id}; skipped."
        )
    lines = [f"✓ {report.file}" + (f"  (バッチ {report.batch_id})" if ja else f"  (batch {report.batch_id})")]
    for s in report.sheets:
        if s.status == "skipped":
            reason = s.skip_reason if ja else (s.skip_reason_en or s.skip_reason)
            lines.append(f"  - [{s.sheet}] " + (f"スキップ: {reason}" if ja else f"skipped: {reason}"))
            continue
        loaded = s.rows_loaded_or_expected
        if s.figures is not None:
            lines += _figure_lines(s, loaded, ja)
            continue
        if ja:
            lines.append(
                f"  - [{s.sheet}] 種別 {s.kind} / 見出し {s.header_row}行目 / 読込 {s.rows_read:,}行: "
                f"取込 {loaded:,}・保留 {s.quarantined:,}・重複 {s.duplicates:,}・除外 {s.rows_excluded:,}"
            )
        else:
            lines.append(
                f"  - [{s.sheet}] kind {s.kind} / header row {s.header_row} / read {s.rows_read:,}: "
                f"loaded {loaded:,}, quarantined {s.quarantined:,}, duplicates {s.duplicates:,}, "
                f"excluded {s.rows_excluded:,}"
            )
        lines += _reason_lines(s, ja)
        if s.dropped_personal:
            lines.append(
                ("      個人情報の列を削除: " if ja else "      personal-data columns dropped: ")
                + ", ".join(s.dropped_personal)
            )
        if s.ignored_columns:
            lines.append(("      使わない列: " if ja else "      ignored columns: ") + ", ".join(s.ignored_columns))
    return "\n".join(lines)


def _figure_lines(s: SheetResult, loaded: int, ja: bool) -> list[str]:
    """A reported-figures sheet: counts in figure cells, what was inferred and from where, the checks."""
    from analytics.ingest import reported

    f = s.figures
    if ja:
        lines = [
            f"  - [{s.sheet}] 種別 集計値（{f.layout}）/ 見出し {s.header_row}行目 / 読込 {s.rows_read:,}セル: "
            f"取込 {loaded:,}（うち警告 {s.warned:,}、目標 {len(f.targets):,}）・保留 {s.quarantined:,}・"
            f"重複 {s.duplicates:,}・除外 {s.rows_excluded:,}"
        ]
    else:
        lines = [
            f"  - [{s.sheet}] kind reported_figures ({f.layout}) / header row {s.header_row} / read {s.rows_read:,} "
            f"cells: loaded {loaded:,} (warned {s.warned:,}, targets {len(f.targets):,}), quarantined "
            f"{s.quarantined:,}, duplicates {s.duplicates:,}, excluded {s.rows_excluded:,}"
        ]
    context = reported.context_frame(f.context, "ja" if ja else "en")
    for row in context.itertuples():
        if row.value is not None:
            lines.append(f"      {row.label}: {row.value}（{row.source_label}）" if ja
                         else f"      {row.label}: {row.value} ({row.source_label})")
    lines += _reason_lines(s, ja)
    for check in f.checks.itertuples():
        lines.append("      ⚠ " + (check.message_ja if ja else check.message_en))
    return lines


def _reason_lines(s: SheetResult, ja: bool) -> list[str]:
    """The quarantine reasons and the excluded counts of one sheet, one line each (when there are any)."""
    lines = []
    if s.quarantined_by_reason:
        reasons = ", ".join(f"{k} {v:,}" for k, v in sorted(s.quarantined_by_reason.items()))
        lines.append(("      保留の理由: " if ja else "      quarantined by reason: ") + reasons)
    if any(s.excluded.values()):
        parts = ", ".join(f"{EXCLUDED_LABELS[k][0 if ja else 1]} {v:,}" for k, v in s.excluded.items() if v)
        lines.append(("      除外: " if ja else "      excluded: ") + parts)
    return lines
