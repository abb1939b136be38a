"""Header detection and column mapping: which row holds the headers, what each header means, what kind.

Agency exports put title rows above the header (「令和3年度 就職実績一覧（青森県）」), split headers over
two rows with merged cells (「相談者」 over 「ID」「区分」) and spell headers in many ways (相談日 /
相談年月日 / 受付日). We score every candidate row (and row pair) by how many headers it shares with
the contract's aliases and take the best.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import lru_cache

from analytics import contract
from analytics.ingest.normalise import normalise_header

MIN_HEADER_SCORE = 2.0
EXACT, CONTAINED, EXPLICIT = 1.0, 0.7, 1.0


@dataclass(frozen=True)
class ColumnMatch:
    """How one source column maps to the contract.

    ``column`` is the contract column name, or None when the column is not stored (unknown header,
    a second column for the same field, or personal data: ``personal=True``).
    """

    index: int
    header: str
    column: str | None
    confidence: float
    alternatives: tuple[str, ...] = ()
    personal: bool = False
    source: str = "alias"  # alias | contained | explicit | profile | none

    def to_dict(self) -> dict:
        return {
            "index": self.index,
            "header": self.header,
            "column": self.column,
            "confidence": round(self.confidence, 2),
            "alternatives": list(self.alternatives),
            "personal": self.personal,
            "source": self.source,
        }


@dataclass
class HeaderResult:
    header_row: int  # 1-based number of the last header row
    header_rows: int  # 1 or 2
    matches: list[ColumnMatch] = field(default_factory=list)

    @property
    def mapped(self) -> dict[str, ColumnMatch]:
        return {m.column: m for m in self.matches if m.column}

    @property
    def headers(self) -> list[str]:
        return [m.header for m in self.matches]


@lru_cache(maxsize=1)
def alias_index() -> dict[str, str]:
    """normalised alias → contract column name (over all tables; names mean the same everywhere)."""
    index: dict[str, str] = {}
    for table in contract.TABLES.values():
        for column in table.columns:
            for alias in (column.name, column.ja, column.en, *column.aliases):
                index.setdefault(normalise_header(alias), column.name)
    return index


@lru_cache(maxsize=1)
def _personal_headers() -> frozenset[str]:
    return frozenset(normalise_header(h) for h in contract.PERSONAL_DATA_HEADERS)


def is_personal_header(header: str) -> bool:
    """氏名, フリガナ, 住所, 電話番号, メールアドレス … (also decorated: 「相談者氏名」)."""
    key = normalise_header(header)
    if not key or key in alias_index():
        return False
    return key in _personal_headers() or any(part in key for part in contract.PERSONAL_DATA_HEADER_PARTS)


@lru_cache(maxsize=4096)
def match_header(header: str | None) -> tuple[str | None, float, str]:
    """One header → (contract column, confidence, how). ``'相談年月日'`` → ('consultation_date', 1.0, 'alias')."""
    key = normalise_header(header)
    if not key:
        return None, 0.0, "none"
    index = alias_index()
    if key in index:
        return index[key], EXACT, "alias"
    # An alias inside a decorated header (「利用者ID番号」), but not a short word inside a long header
    # (「就職先事業所名」 must not become 事業 = program).
    contained = [a for a in index if len(a) >= 2 and a in key and len(a) * 2 >= len(key)]
    if contained:
        return index[max(contained, key=len)], CONTAINED, "contained"
    return None, 0.0, "none"


def alternatives_for(header: str, exclude: str | None, limit: int = 3) -> tuple[str, ...]:
    """The closest other contract columns by spelling, for the mapping preview (「ほかの候補」).

    Only spellings at least half alike: below that, short Japanese headers share a character or two with
    unrelated aliases (定着状況 and 改定 = vintage) and the suggestions read as noise.
    """
    key = normalise_header(header)
    scores: dict[str, float] = {}
    for alias, column in alias_index().items():
        if column == exclude:
            continue
        ratio = difflib.SequenceMatcher(None, key, alias).ratio()
        scores[column] = max(scores.get(column, 0.0), ratio)
    best = sorted(scores.items(), key=lambda kv: -kv[1])
    return tuple(c for c, s in best[:limit] if s >= 0.5)


def _row_score(labels: list[str | None], explicit: dict[str, str] | None = None) -> float:
    seen: set[str] = set()
    score = 0.0
    for label in labels:
        key = normalise_header(label)
        if explicit and key in explicit:
            column, confidence = explicit[key] or None, EXPLICIT
        else:
            column, confidence, _ = match_header(label)
        if column and column not in seen:
            seen.add(column)
            score += confidence
        elif label and is_personal_header(label):
            score += 0.5  # 氏名 or 電話番号 next to other headers: still a header row
    return score


def _fill_merged(upper: list[str | None], row_index: int, merged: list, width: int) -> list[str | None]:
    """Spread a merged header cell's text over the columns it covers."""
    filled = list(upper) + [None] * (width - len(upper))
    for (r0, c0), (r1, c1) in merged:
        if r0 <= row_index <= r1 and filled[c0]:
            for c in range(c0, min(c1, width - 1) + 1):
                filled[c] = filled[c] or filled[c0]
    return filled


def _two_row_labels(upper: list[str | None], lower: list[str | None]) -> list[str | None]:
    """Per column, the best of: lower, upper+lower, upper (a vertically merged cell leaves lower blank)."""
    labels: list[str | None] = []
    for u, lo in zip(upper, lower, strict=True):
        candidates = [c for c in (lo, (u or "") + (lo or "") if u and lo else None, u) if c]
        if not candidates:
            labels.append(None)
            continue
        # Equal confidence: the longer label is the more specific (「就職」+「区分」 beats 「区分」).
        labels.append(max(candidates, key=lambda c: (match_header(c)[1], len(c))))
    return labels


def detect_header(
    head: list[list[str | None]], width: int, merged: list | None = None, explicit: dict[str, str] | None = None
) -> tuple[int, int, list[str | None]] | None:
    """Find the header: returns (0-based index of the last header row, 1 or 2 rows, labels) or None.

    ``explicit`` (header → column) counts as known headers, so a file whose headers are all unknown
    can still be loaded with ``--map``.
    """
    explicit = {normalise_header(k): v for k, v in (explicit or {}).items()}
    best: tuple[float, int, int, list[str | None]] | None = None
    rows = [list(r) + [None] * (width - len(r)) for r in head]
    single_scores = [_row_score(row, explicit) for row in rows]
    for i, row in enumerate(rows):
        if best is None or single_scores[i] > best[0]:
            best = (single_scores[i], i, 1, row)
        if i + 1 >= len(rows) or not any(row):
            continue
        upper = _fill_merged(row, i, merged or [], width)
        if not merged:
            # Without merge information (CSV), carry a header across the blank cells to its right.
            carried, last = [], None
            for cell, below in zip(row, rows[i + 1], strict=True):
                last = cell if cell else (last if below else None)
                carried.append(last)
            upper = carried
        labels = _two_row_labels(upper, rows[i + 1])
        two_score = _row_score(labels, explicit)
        # A two-row header must explain more than either of its rows alone.
        if two_score > best[0] and two_score > max(single_scores[i], single_scores[i + 1]):
            best = (two_score, i + 1, 2, labels)
    if best is None or best[0] < MIN_HEADER_SCORE:
        return None
    return best[1], best[2], best[3]


def map_columns(labels: list[str | None], explicit: dict[str, str] | None = None) -> list[ColumnMatch]:
    """Map each header to a contract column; explicit/profile mappings win, then aliases.

    ``explicit`` maps a header as written (or its normalised form) to a column name, or to ``""``
    to ignore the column. When two headers claim the same column, the first exact one wins, except
    that a code column beats a name column (団体コード over 市町村名).
    """
    explicit = explicit or {}
    explicit_norm = {normalise_header(k): v for k, v in explicit.items()}
    matches: list[ColumnMatch] = []
    for index, label in enumerate(labels):
        header = label or ""
        key = normalise_header(header)
        if header in explicit or key in explicit_norm:
            column = explicit.get(header, explicit_norm.get(key)) or None
            matches.append(ColumnMatch(index, header, column, EXPLICIT, source="explicit"))
            continue
        if is_personal_header(header):
            matches.append(ColumnMatch(index, header, None, 0.0, personal=True, source="none"))
            continue
        column, confidence, how = match_header(header)
        # a header written exactly as a known alias needs no other suggestions (the select box lists all columns)
        alternatives = alternatives_for(header, column) if header and confidence < EXACT else ()
        matches.append(ColumnMatch(index, header, column, confidence, alternatives, source=how))
    return _resolve_conflicts(matches)


def _resolve_conflicts(matches: list[ColumnMatch]) -> list[ColumnMatch]:
    def rank(m: ColumnMatch) -> tuple:
        is_code = "コード" in m.header or "code" in m.header.lower()
        return (m.source == "explicit", m.confidence, is_code, -m.index)

    winners: dict[str, ColumnMatch] = {}
    for m in matches:
        if m.column and (m.column not in winners or rank(m) > rank(winners[m.column])):
            winners[m.column] = m
    resolved = []
    for m in matches:
        if m.column and winners[m.column] is not m:
            m = ColumnMatch(m.index, m.header, None, m.confidence, (m.column, *m.alternatives), m.personal, "duplicate")
        resolved.append(m)
    return resolved


def detect_kind(mapped: set[str], sheet_name: str = "") -> tuple[str | None, list[str]]:
    """The contract table the mapped columns fit: (kind, missing required columns of the best kind)."""
    best: tuple[tuple, str, list[str]] | None = None
    for table in contract.TABLES.values():
        required = [c.name for c in table.columns if c.required]
        missing = [c for c in required if c not in mapped]
        own = set(table.column_names) & mapped
        # A column only this table has (consultation_date, placement_date, indicator) decides ties.
        distinctive = len(own - {"person_id", "prefecture_code", "municipality_code", "target_group", "fiscal_year"})
        name_hint = any(normalise_header(a) in normalise_header(sheet_name) for a in table.aliases)
        key = (not missing, distinctive, len(own), name_hint)
        if best is None or key > best[0]:
            best = (key, table.name, missing)
    assert best is not None
    kind, missing = best[1], best[2]
    if best[0][1] == 0:
        return None, missing
    return kind, missing


def header_signature(labels: list[str | None]) -> str:
    """Order-insensitive fingerprint of a header row, for saved mapping profiles."""
    return "|".join(sorted(k for k in (normalise_header(x) for x in labels) if k))
