"""Statistical disclosure control for published tables: primary and complementary (secondary) cell suppression.

Every table a report or a restricted download contains goes through :func:`suppress`. The rule follows the
convention of Japanese official statistics (e-Stat 統計表の記号):

- 「x」 秘匿: a count of 1 to ``threshold - 1`` (default 1–9), and any cell hidden so that it cannot be
  worked out from the totals and the other cells (二次秘匿, complementary suppression);
- 「-」 該当数値なし: a true zero. Zeros are not hidden; writers keep the number 0 and *display* it as 「-」
  (Excel number format ``#,##0;-#,##0;"-"``; :func:`display` for text);
- a rate (or median) whose denominator (or base count) is under the threshold, or whose numerator or
  denominator cell is hidden, is hidden too. Rates are always computed from the unsuppressed data by the
  indicator engine; suppression only hides them.

Complementary suppression works on *lines*: a count column whose cells add up to the total row, and a row
whose part columns add up to the total column. A line with exactly one hidden cell gives it away
(total − the others), so each line gets at least two hidden cells (or none), and the hidden parts of a line
whose total is shown must together reach the threshold (two hidden cells summing to 2 would both be 1). The
smallest cells are chosen as complements (non-zero first), the check is repeated until nothing changes, and
finally a linear-algebra audit checks that no hidden cell is determined by the whole system of line
equations (two lines together can give a cell away even when each has two hidden cells); any cell found is
protected by one more complement and the loop runs again. Person counts are distinct within each row, so
group rows need not add up to the total exactly; the lines are treated as additive anyway, which can only
hide more.

Example::

    table = pd.DataFrame({"地域": ["A", "B", "C", "計"], "人数": [3, 40, 25, 68]})
    shown, info = suppress(table, ["人数"], total_row=3)
    # 人数: x, 40, x, 68 — A (3) is primary, C (25, the smallest other cell) complementary.
    info.rule("ja")  # the sentence a report prints
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

DEFAULT_THRESHOLD = 10
MARK = "x"  # 秘匿 (suppressed)
ZERO_MARK = "-"  # 該当数値なし (a true zero), for display only
# Excel number formats: zero shown as 「-」 while the cell keeps the number 0.
COUNT_FORMAT = '#,##0;-#,##0;"-"'
RATE_FORMAT = "0.0%"

Reason = Literal["primary", "secondary", "rate"]
Cell = tuple[int, str]  # (row position, column name)


@dataclass(frozen=True)
class SuppressedCell:
    """One hidden cell: its row (index label), column and why it is hidden."""

    row: Hashable
    column: str
    reason: Reason


@dataclass(frozen=True)
class SuppressionInfo:
    """What :func:`suppress` did, so a report can state the rule and count what it hid."""

    threshold: int
    cells: tuple[SuppressedCell, ...] = ()
    mask: pd.DataFrame | None = field(default=None, compare=False, repr=False)  # True where hidden

    @property
    def primary(self) -> int:
        return sum(c.reason == "primary" for c in self.cells)

    @property
    def secondary(self) -> int:
        return sum(c.reason == "secondary" for c in self.cells)

    @property
    def rates(self) -> int:
        return sum(c.reason == "rate" for c in self.cells)

    @property
    def applied(self) -> bool:
        return bool(self.cells)

    def rule(self, lang: str = "ja") -> str:
        """The suppression rule as one paragraph, for a report's cover and notes."""
        return rule_text(self.threshold, lang)

    def merge(self, other: SuppressionInfo) -> SuppressionInfo:
        """Two tables' infos as one (same threshold): for a report that counts every hidden cell."""
        return SuppressionInfo(max(self.threshold, other.threshold), self.cells + other.cells)


def rule_text(threshold: int = DEFAULT_THRESHOLD, lang: str = "ja") -> str:
    """The rule in words (Japanese or English)."""
    if threshold <= 1:
        if lang == "en":
            return "No small-cell suppression was applied (all counts are shown). '-' = zero."
        return "秘匿処理は行っていません（すべての数値を表示）。「-」は該当数値なし（0）。"
    hi = threshold - 1
    if lang == "en":
        return (
            f"Disclosure control: counts of 1–{hi} are shown as 'x'; so that they cannot be worked out from "
            "totals or other cells, further cells are also shown as 'x' (complementary suppression, at least "
            "two hidden cells per row or column with a total). Rates and medians resting on fewer than "
            f"{threshold} cases, or on a hidden count, are shown as 'x'. '-' = zero. Rates are computed from "
            "the unsuppressed data."
        )
    return (
        f"秘匿処理: 1～{hi}の数値は「x」で表示しています。合計や他のセルから逆算できないよう、"
        "他のセルも「x」としている場合があります（二次秘匿: 合計のある行・列では秘匿セルを2つ以上とする）。"
        f"分母（対象数）が{threshold}未満の率・中央値、および秘匿した数値から算出される率も「x」です。"
        "「-」は該当数値なし（0）。率は秘匿前の数値から算出しています。"
    )


def display(value: object, *, zero: str = ZERO_MARK, rate: bool = False, digits: int = 1) -> str:
    """A suppressed table's cell as text: 「x」 stays, 0 → 「-」, counts 1,234, rates 12.3%; empty → ''."""
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    if rate:
        return f"{float(value) * 100:.{digits}f}%"
    if float(value) == 0:
        return zero
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.{digits}f}"


# ---------------------------------------------------------------------------------------------
# The algorithm
# ---------------------------------------------------------------------------------------------


@dataclass
class _Line:
    """Cells whose values add up to ``total`` (a count column over rows, or a row over part columns)."""

    parts: list[Cell]
    total: Cell

    @property
    def cells(self) -> list[Cell]:
        return [*self.parts, self.total]


def suppress(
    table: pd.DataFrame,
    count_columns: Sequence[str],
    rate_columns: Mapping[str, str | tuple[str, str]] | None = None,
    *,
    total_row: Hashable | None = None,
    total_col: str | None = None,
    total_col_parts: Sequence[str] | None = None,
    derived: Mapping[str, Sequence[str]] | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    mark: str = MARK,
) -> tuple[pd.DataFrame, SuppressionInfo]:
    """Hide small counts and whatever would give them away; return the shown table and what was hidden.

    ``table``: one row per group; ``count_columns`` hold non-negative counts (persons or records).
    ``rate_columns``: rate (or median) column → its denominator column, or → (numerator, denominator);
    the denominator may be any column of ``table`` (it need not be shown: drop it afterwards).
    ``total_row``: index label of the row holding each count column's total over the other rows.
    ``total_col``: a count column holding each row's total over ``total_col_parts`` (default: the other
    count columns). Without totals only primary suppression applies (nothing can be recovered).
    ``derived``: column → the columns it is computed from (a change from last year, an achievement
    ratio): a derived cell is hidden wherever one of its sources is hidden in the same row.
    ``threshold``: counts 1..threshold-1 are hidden; ``threshold <= 1`` hides nothing.
    Returns a copy of ``table`` in which hidden cells hold ``mark`` (columns with a hidden cell become
    object dtype; every other cell keeps its number) and a :class:`SuppressionInfo`.
    Raises ``ValueError`` for a missing column or total row, or a negative count.
    """
    rate_columns = dict(rate_columns or {})
    derived_cols = [c for col, srcs in (derived or {}).items() for c in (col, *srcs)]
    listed = [*count_columns, *rate_columns, *derived_cols, *([total_col] if total_col else [])]
    missing = [c for c in listed if c not in table]
    for spec in rate_columns.values():
        missing += [c for c in ((spec,) if isinstance(spec, str) else spec) if c not in table]
    if missing:
        raise ValueError(f"suppress: columns not in the table: {sorted(set(missing))}")
    if total_col and total_col not in count_columns:
        count_columns = [*count_columns, total_col]
    positions = {label: i for i, label in enumerate(table.index)}
    if total_row is not None and total_row not in positions:
        raise ValueError(f"suppress: total row {total_row!r} is not in the table's index")

    values: dict[Cell, float] = {}
    for col in count_columns:
        numbers = pd.to_numeric(table[col], errors="coerce").astype("float64").to_numpy()
        if np.any(numbers < 0):
            raise ValueError(f"suppress: negative count in column {col!r}")
        for i, v in enumerate(numbers):
            values[(i, col)] = 0.0 if np.isnan(v) else float(v)

    reasons: dict[Cell, Reason] = {}
    if threshold > 1:
        for cell, v in values.items():
            if 0 < v < threshold:
                reasons[cell] = "primary"
        lines = _lines(table, count_columns, positions.get(total_row), total_col, total_col_parts)
        _protect(lines, values, reasons, threshold)
        _suppress_rates(table, rate_columns, reasons, threshold)
        for col, sources in (derived or {}).items():
            for i in range(len(table)):
                if (i, col) not in reasons and any((i, src) in reasons for src in sources):
                    reasons[(i, col)] = "rate"

    shown = table.copy()
    mask = pd.DataFrame(False, index=table.index, columns=table.columns)
    cells: list[SuppressedCell] = []
    for (i, col), reason in sorted(reasons.items(), key=lambda kv: (kv[0][0], list(table.columns).index(kv[0][1]))):
        if shown[col].dtype != object:
            shown[col] = shown[col].astype(object)
        shown.iat[i, shown.columns.get_loc(col)] = mark
        mask.iat[i, mask.columns.get_loc(col)] = True
        cells.append(SuppressedCell(table.index[i], col, reason))
    return shown, SuppressionInfo(threshold, tuple(cells), mask)


def _lines(
    table: pd.DataFrame,
    count_columns: Sequence[str],
    total_pos: int | None,
    total_col: str | None,
    total_col_parts: Sequence[str] | None,
) -> list[_Line]:
    n = len(table)
    lines: list[_Line] = []
    if total_pos is not None:
        others = [i for i in range(n) if i != total_pos]
        for col in count_columns:
            lines.append(_Line([(i, col) for i in others], (total_pos, col)))
    if total_col:
        parts = list(total_col_parts) if total_col_parts else [c for c in count_columns if c != total_col]
        for i in range(n):
            lines.append(_Line([(i, p) for p in parts], (i, total_col)))
    return [line for line in lines if line.parts]


def _protect(lines: list[_Line], values: dict[Cell, float], reasons: dict[Cell, Reason], threshold: int) -> None:
    """Add complementary cells until every line is safe and no hidden cell is determined (iterate to stable)."""
    if not lines:
        return
    for _ in range(len(values) + 1):  # each round hides at least one more cell, so this bound is never hit
        changed = False
        for line in lines:
            hidden = [c for c in line.cells if c in reasons]
            if not hidden:
                continue
            hidden_parts = [c for c in line.parts if c in reasons]
            total_hidden = line.total in reasons
            too_few = len(hidden) == 1
            # hidden parts that add up to less than the threshold narrow each other down (2 = 1 + 1)
            too_small = not total_hidden and sum(values[c] for c in hidden_parts) < threshold
            if too_few or too_small:
                cell = _smallest(line.parts, values, reasons) or (None if total_hidden else line.total)
                if cell is not None:
                    reasons[cell] = "secondary"
                    changed = True
        if changed:
            continue
        determined = _determined(lines, reasons)
        if not determined:
            return
        for cell in determined:
            for line in lines:
                if cell in line.cells:
                    extra = _smallest(line.cells, values, reasons)
                    if extra is not None:
                        reasons[extra] = "secondary"
                        break
            else:  # every line through the cell is fully hidden already
                continue
            break  # one complement at a time, then re-check (keeps complements few)
        else:
            return


def _smallest(cells: Iterable[Cell], values: dict[Cell, float], reasons: dict[Cell, Reason]) -> Cell | None:
    """The shown cell with the smallest value, non-zero cells first (a hidden zero protects little)."""
    candidates = [c for c in cells if c not in reasons]
    if not candidates:
        return None
    return min(candidates, key=lambda c: (values[c] == 0, values[c], c[0]))


def _determined(lines: list[_Line], reasons: dict[Cell, Reason]) -> list[Cell]:
    """Hidden cells whose value follows exactly from the line equations and the shown cells.

    Unknowns are the hidden cells; each line gives sum(parts) - total = shown constants. A cell is
    determined when its unit vector lies in the row space of the unknowns' coefficient matrix, i.e. when
    every vector of the matrix's null space is zero at that cell.
    """
    hidden = sorted({c for line in lines for c in line.cells if c in reasons})
    if not hidden:
        return []
    index = {c: k for k, c in enumerate(hidden)}
    rows = []
    for line in lines:
        row = np.zeros(len(hidden))
        for c in line.parts:
            if c in index:
                row[index[c]] += 1.0
        if line.total in index:
            row[index[line.total]] -= 1.0
        if row.any():
            rows.append(row)
    if not rows:
        return []
    matrix = np.vstack(rows)
    _, s, vt = np.linalg.svd(matrix)
    rank = int((s > 1e-9 * max(matrix.shape)).sum())
    null = vt[rank:].T  # columns span the null space
    if null.size == 0:
        return hidden
    free = np.linalg.norm(null, axis=1) > 1e-9
    return [c for c, f in zip(hidden, free, strict=True) if not f]


def _suppress_rates(
    table: pd.DataFrame,
    rate_columns: dict[str, str | tuple[str, str]],
    reasons: dict[Cell, Reason],
    threshold: int,
) -> None:
    """Hide a rate whose denominator is under the threshold, whose numerator is 1..threshold-1, or whose
    numerator or denominator cell is hidden (rate × denominator would give the numerator back)."""
    for rate_col, spec in rate_columns.items():
        num_col, den_col = (None, spec) if isinstance(spec, str) else spec
        dens = pd.to_numeric(table[den_col], errors="coerce").to_numpy(dtype="float64")
        nums = (
            pd.to_numeric(table[num_col], errors="coerce").to_numpy(dtype="float64")
            if num_col
            else np.full(len(table), np.nan)
        )
        rates = pd.to_numeric(table[rate_col], errors="coerce").to_numpy(dtype="float64")
        for i in range(len(table)):
            if np.isnan(rates[i]) or (i, rate_col) in reasons:
                continue
            small_den = np.isnan(dens[i]) or dens[i] < threshold
            small_num = not np.isnan(nums[i]) and 0 < nums[i] < threshold
            linked_hidden = (i, den_col) in reasons or (num_col is not None and (i, num_col) in reasons)
            if small_den or small_num or linked_hidden:
                reasons[(i, rate_col)] = "rate"


def is_suppressed(value: object, mark: str = MARK) -> bool:
    """True for a hidden cell of a suppressed table."""
    return isinstance(value, str) and value == mark
