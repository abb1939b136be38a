"""The prefecture scope rule, applied in the query layer so no page, download, report or link can show more.

Rule (issue 8): ``admin`` and ``analyst`` see everything. A ``planner`` or ``manager`` sees national and
prefecture-level aggregates of every prefecture, but municipal detail — grouping by or filtering on
``municipality_code``, ``region_comparison(level='municipality')``, municipal tables in reports and
downloads — only for their own prefecture. ``indicators.compute``, ``region_comparison``, ``cohort_curve``
and ``progress.compute_progress`` take ``viewer=`` and call :func:`scope_query` on their normalised
arguments: a municipal request without a prefecture filter is clamped to the viewer's prefecture; one that
names another prefecture or its municipalities raises :class:`ScopeError` (a Japanese message). No viewer
(``None``: the CLI, tests, local mode) leaves the query as it was.

Downloads for roles that may not see small cells (``manager``) go through :func:`for_download`, which
suppresses small counts (``analytics.disclosure.suppress`` when it is installed).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import pandas as pd

from analytics import stats, ui_text

if TYPE_CHECKING:
    from analytics.auth import Viewer
    from analytics.filters import Filters

MUNICIPAL = "municipality_code"
PREFECTURE = "prefecture_code"


# The viewer a page acts for, set around a whole analytics call (ui.query, the reports page) so that
# helper modules calling indicators.compute without a viewer= argument obey the scope too.
_ACTIVE: ContextVar[Viewer | None] = ContextVar("hyogaki_viewer", default=None)


@contextmanager
def acting_as(viewer: Viewer | None) -> Iterator[None]:
    """Every scoped call inside the block (``compute``, ``region_comparison``, ``cohort_curve``,
    ``compute_progress``, ``run_grain``) applies ``viewer``'s scope unless given another viewer."""
    token = _ACTIVE.set(viewer)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def effective(viewer: Viewer | None) -> Viewer | None:
    """``viewer`` if given, else the one of the enclosing :func:`acting_as` block (None outside)."""
    return viewer if viewer is not None else _ACTIVE.get()


def scope_key(viewer: Viewer | None) -> tuple[str, ...] | None:
    """What a cached result depends on: None (sees everything) or the prefectures whose municipalities it may see."""
    allowed = None if viewer is None else viewer.municipal_prefectures
    return None if allowed is None else tuple(sorted(allowed))


def viewer_for_key(key: tuple[str, ...] | None) -> Viewer | None:
    """A viewer with exactly the scope :func:`scope_key` describes (for cached calls)."""
    from analytics.auth import Viewer

    if key is None:
        return None
    return Viewer("scope", "planner", key[0] if key else None)


class ScopeError(Exception):
    """The request asks for municipal detail outside the viewer's prefecture. The message is Japanese."""


def _pref_name(code: str) -> str:
    label = ui_text.prefecture_label(code) if code in ui_text.prefecture_codes() else ""
    return f"{label}（{code}）" if label and label != code else code


def _refuse(viewer: Viewer, asked: list[str]) -> ScopeError:
    allowed = viewer.municipal_prefectures or frozenset()
    asked_text = "、".join(_pref_name(p) for p in sorted(set(asked))) or "指定の地域"
    if not allowed:
        return ScopeError(
            f"市区町村別の数値を表示する権限がありません（{asked_text}）。全国・都道府県別の数値は表示できます。"
        )
    own = "、".join(_pref_name(p) for p in sorted(allowed))
    return ScopeError(
        f"{own}の担当のため、{asked_text}の市区町村別の数値は表示できません。全国・都道府県別の数値は表示できます。"
    )


def refusal_message(viewer: Viewer, prefecture_code: str | None) -> str:
    """Why ``viewer`` may not see the municipalities of ``prefecture_code`` (for a page's note)."""
    return str(_refuse(viewer, [prefecture_code] if prefecture_code else []))


def wants_municipal_detail(by: list[str], filters: dict[str, list]) -> bool:
    return MUNICIPAL in by or MUNICIPAL in filters


def scope_query(viewer: Viewer | None, by: list[str], filters: dict[str, list]) -> tuple[list[str], dict[str, list]]:
    """``by`` and ``filters`` (already normalised by ``indicators.normalise_by/normalise_filters``) made safe.

    - no viewer, or a viewer who sees every municipality: unchanged;
    - no municipal detail asked for: unchanged (national and prefecture aggregates are open to all roles);
    - municipal detail: every municipality filter value must lie in the viewer's prefecture (its first two
      digits), every prefecture filter value must be the viewer's; with no prefecture filter one is added
      (clamp). Anything else raises :class:`ScopeError`.

    The prefecture filter is always set, so rows are limited by the prefecture the data attributes them to,
    not only by the municipality code's digits.
    """
    if viewer is None:
        return by, filters
    allowed = viewer.municipal_prefectures
    if allowed is None or not wants_municipal_detail(by, filters):
        return by, filters
    munis = filters.get(MUNICIPAL) or []
    prefs = filters.get(PREFECTURE)
    if not allowed:
        raise _refuse(viewer, [m[:2] for m in munis] + list(prefs or []))
    outside = [m[:2] for m in munis if m[:2] not in allowed]
    outside += [p for p in (prefs or []) if p not in allowed]
    if outside:
        raise _refuse(viewer, outside)
    out = dict(filters)
    if prefs is None:
        out[PREFECTURE] = sorted(allowed)
    return list(by), out


def scope_params(viewer: Viewer | None, by: list[str], params: dict[str, Any]) -> dict[str, Any]:
    """:func:`scope_query` for a grain file's bound parameters (``$f_prefecture_code``, ``$f_municipality_code``)."""
    filters = {k[2:]: v for k, v in params.items() if k in (f"f_{PREFECTURE}", f"f_{MUNICIPAL}") and v is not None}
    _, scoped = scope_query(viewer, by, filters)
    if scoped == filters:
        return params
    return {**params, **{f"f_{k}": v for k, v in scoped.items()}}


def check_progress(viewer: Viewer | None, by: list[str] | None) -> None:
    """Progress is measured against national and prefecture targets; municipal levels need full scope."""
    if viewer is None or by is None:
        return
    if MUNICIPAL in by and viewer.municipal_prefectures is not None:
        raise _refuse(viewer, [])


def clamp_filters(viewer: Viewer | None, filters: Filters) -> Filters:
    """The sidebar's filters with a municipality outside the viewer's scope removed (for crafted links).

    The prefecture stays: its aggregates are open to every role. Pages then ask ``compute`` for that
    prefecture's totals, which is allowed; a page that asks for its municipal rows gets a ScopeError.
    """
    from dataclasses import replace

    if viewer is None or filters.municipality_code is None:
        return filters
    if viewer.can_see_municipalities_of(filters.municipality_code[:2]):
        return filters
    return replace(filters, municipality_code=None)


def municipality_choices(viewer: Viewer | None, prefecture_code: str | None) -> bool:
    """Whether the sidebar may offer the municipalities of ``prefecture_code`` to this viewer."""
    return viewer is None or viewer.can_see_municipalities_of(prefecture_code)


# ---------------------------------------------------------------------------------------------
# Downloads: small cells for roles that may not see them
# ---------------------------------------------------------------------------------------------

# Counts 1-9 of persons or records are hidden in downloads for such roles: the same threshold as the
# small-denominator flag on rates.
SMALL_COUNT = stats.SMALL_DENOMINATOR


def _count_columns(df: pd.DataFrame) -> list[str]:
    from analytics.indicators import REGISTRY

    ids = {ind.id for ind in REGISTRY if ind.kind == "count"}
    ids |= {f"{ind.id}_numerator" for ind in REGISTRY if ind.kind == "rate"}
    ids |= {f"{ind.id}_denominator" for ind in REGISTRY if ind.kind == "rate"}
    ids |= {f"{ind.id}_n" for ind in REGISTRY if ind.kind == "median"}
    ids |= {"persons", "cohort_persons", "placed_persons", "numerator", "denominator", "actual"}
    return [c for c in df.columns if c in ids and pd.api.types.is_numeric_dtype(df[c])]


def suppress_small_cells(df: pd.DataFrame, threshold: int = SMALL_COUNT) -> pd.DataFrame:
    """Fallback primary suppression: counts 1..threshold-1 become empty, and so do rates, intervals and
    medians resting on them. Used when ``analytics.disclosure`` is not installed."""
    from analytics.indicators import REGISTRY

    out = df.copy()
    counts = _count_columns(out)
    for col in counts:
        small = out[col].notna() & (out[col] > 0) & (out[col] < threshold)
        out[col] = out[col].astype("Float64").mask(small)
    for ind in REGISTRY:
        if ind.kind == "rate" and f"{ind.id}_denominator" in df:
            den = df[f"{ind.id}_denominator"]
            num = df.get(f"{ind.id}_numerator", den)
            hide = ((den > 0) & (den < threshold)) | ((num > 0) & (num < threshold))
            for col in (ind.id, f"{ind.id}_ci_low", f"{ind.id}_ci_high"):
                if col in out:
                    out[col] = out[col].astype("Float64").mask(hide)
        if ind.kind == "median" and f"{ind.id}_n" in df:
            n = df[f"{ind.id}_n"]
            out[ind.id] = out[ind.id].astype("Float64").mask((n > 0) & (n < threshold))
    if {"rate", "denominator"} <= set(df.columns):
        hide = (df["denominator"] > 0) & (df["denominator"] < threshold)
        if "numerator" in df:
            hide |= (df["numerator"] > 0) & (df["numerator"] < threshold)
        for col in ("rate", "ci_low", "ci_high"):
            if col in out:
                out[col] = out[col].astype("Float64").mask(hide)
    out.attrs.update(df.attrs, suppressed=True, suppression_threshold=threshold)
    return out


def _rate_specs(df: pd.DataFrame) -> tuple[dict[str, str | tuple[str, str]], dict[str, list[str]]]:
    """Rate and median columns with their bases, and interval columns derived from the rates."""
    from analytics.indicators import REGISTRY

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
    counts 1-9 become 「x」 (``analytics.disclosure.suppress``, with complementary cells where a table has
    totals); rates, intervals and medians on small or hidden bases are hidden too; in a display table any
    other fractional column of a row with a hidden count is hidden with it (it may rest on that count).
    ``df.attrs['suppressed']`` is True on the result.
    """
    if viewer is None or viewer.can_see_small_cells or df.empty:
        return df
    try:
        from analytics import disclosure
    except ImportError:
        return suppress_small_cells(df)
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
