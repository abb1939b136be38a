"""What a viewer may download: the small-cell rule for roles that may not see small counts (``manager``).

Every CSV a page offers and every table in a report for such a role passes :func:`for_download`: counts 1-9
become 「x」 (:func:`analytics.metrics.disclosure.suppress`, with complementary cells where a table has
totals), and rates, intervals and medians on small or hidden bases are hidden with them. The count and rate
columns are recognised from the indicator registry, so this lives beside it in metrics.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pandas as pd

from analytics.metrics import disclosure
from analytics.metrics.indicators import REGISTRY

if TYPE_CHECKING:
    from analytics.access.auth import Viewer


def _count_columns(df: pd.DataFrame) -> list[str]:
    ids = {ind.id for ind in REGISTRY if ind.kind == "count"}
    ids |= {f"{ind.id}_numerator" for ind in REGISTRY if ind.kind == "rate"}
    ids |= {f"{ind.id}_denominator" for ind in REGISTRY if ind.kind == "rate"}
    ids |= {f"{ind.id}_n" for ind in REGISTRY if ind.kind == "median"}
    ids |= {"persons", "cohort_persons", "placed_persons", "numerator", "denominator", "actual"}
    return [c for c in df.columns if c in ids and pd.api.types.is_numeric_dtype(df[c])]


def _rate_specs(df: pd.DataFrame) -> tuple[dict[str, str | tuple[str, str]], dict[str, list[str]]]:
    """Rate and median columns with their bases, and interval columns derived from the rates."""
    rates: dict[str, str | tuple[str, str]] = {}
    derived: dict[str, list[str]] = {}
    for ind in REGISTRY:
        num, den = f"{ind.id}_numerator", f"{ind.id}_denominator"
        if ind.kind == "rate" and {ind.id, num, den} <= set(df.columns):
            rates[ind.id] = (num, den)
            derived.update({c: [ind.id] for c in (f"{ind.id}_ci_low", f"{ind.id}_ci_high") if c in df})
        elif ind.kind == "median" and {ind.id, f"{ind.id}_n"} <= set(df.columns):
            rates[ind.id] = f"{ind.id}_n"
    if {"rate", "numerator", "denominator"} <= set(df.columns):
        rates["rate"] = ("numerator", "denominator")
        derived.update({c: ["rate"] for c in ("ci_low", "ci_high") if c in df})
    return rates, derived


# Column names that hold periods, codes or ranks, never counts of people (a display table's 年度 2023,
# 月 4 or 順位 3 must not be hidden as a small count).
_NOT_A_COUNT = re.compile(r"year|年度|年|month|月|quarter|四半期|code|コード|rank|順位|batch|バッチ|id$|^k$", re.I)


def _display_counts(df: pd.DataFrame, known: set[str]) -> list[str]:
    """Count-like columns of a display table (localised names): non-negative whole numbers, not periods/codes."""
    found = []
    for col in df.columns:
        if col in known or _NOT_A_COUNT.search(str(col)):
            continue
        series = df[col]
        if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        values = pd.to_numeric(series, errors="coerce").dropna()
        if len(values) and (values >= 0).all() and (values == values.round()).all():
            found.append(col)
    return found


def for_download(viewer: Viewer | None, df: pd.DataFrame) -> pd.DataFrame:
    """The frame a viewer may download: unchanged for roles that see small cells, suppressed otherwise.

    Works on engine frames (registry column names) and on the pages' display tables (localised names):
    counts 1-9 become 「x」 (``analytics.metrics.disclosure.suppress``, with complementary cells where a table has
    totals); rates, intervals and medians on small or hidden bases are hidden too; in a display table any
    other fractional column of a row with a hidden count is hidden with it (it may rest on that count).
    ``df.attrs['suppressed']`` is True on the result.
    """
    if viewer is None or viewer.can_see_small_cells or df.empty:
        return df
    counts = _count_columns(df)
    rates, derived = _rate_specs(df)
    known = {*counts, *rates, *derived}
    for spec in rates.values():
        known.update((spec,) if isinstance(spec, str) else spec)
    counts += _display_counts(df, known)
    for col in df.columns:
        if col not in known and col not in counts and pd.api.types.is_float_dtype(df[col]) and counts:
            derived[col] = list(counts)
    table = df.reset_index(drop=True)
    shown, info = disclosure.suppress(table, counts, rates, derived=derived)
    shown.index = df.index
    shown.attrs.update(df.attrs, suppressed=True, suppression_threshold=info.threshold)
    shown.attrs["suppression_rule"] = info.rule("ja")
    return shown
