"""Regions: one indicator for every prefecture (map, tile grid, ranking, funnel plot) and drill-down to municipalities.

Numbers come from the indicator engine (:func:`analytics.metrics.indicators.compute` and
:func:`~analytics.metrics.indicators.region_comparison`); this module only shapes them for the 地域 page, adds the
bundled boundaries and tile grid, and names places. No streamlit.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from functools import lru_cache
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from analytics import config
from analytics.metrics import indicators, reported, stats
from analytics.text import ui_text
from analytics.views import memo

REFERENCE_DIR = config.REFERENCE_DIR
GEOJSON_PATH = REFERENCE_DIR / "japan_prefectures.geojson"
TILES_PATH = REFERENCE_DIR / "prefecture_tiles.csv"
MUNICIPALITIES_PATH = REFERENCE_DIR / "municipalities.csv"

# The filters that pick places: the map always compares every prefecture, so these are dropped from the
# comparison and used instead to select (highlight, drill into) a place.
PLACE_FILTERS = ("prefecture_code", "municipality_code")

POSITIONS_OUTSIDE = ("above_998", "above_95", "below_95", "below_998")

COLUMNS = [
    "prefecture_code", "value", "numerator", "denominator", "ci_low", "ci_high", "is_small", "is_final",
    "has_data", "rank", "position", "reference_rate", "lower_95", "upper_95", "lower_998", "upper_998",
]  # fmt: skip


@lru_cache(maxsize=1)
def prefecture_geojson() -> dict[str, Any]:
    """The 47 prefectures (simplified Natural Earth, exterior-clockwise rings), keyed by ``properties.code``.

    Cached and shared: do not mutate the returned dict.
    """
    with GEOJSON_PATH.open(encoding="utf-8") as f:
        return json.load(f)


def short_name(name_ja: str) -> str:
    """A prefecture's name without 都/府/県 for tiles (北海道 keeps its 道: 東京都 → 東京, 北海道 → 北海道)."""
    return name_ja[:-1] if name_ja[-1:] in ("都", "府", "県") else name_ja


@lru_cache(maxsize=1)
def _tiles() -> tuple[tuple[str, str, int, int], ...]:
    with TILES_PATH.open(encoding="utf-8") as f:
        return tuple((r["code"].zfill(2), r["name_ja"], int(r["row"]), int(r["col"])) for r in csv.DictReader(f))


def tile_grid(lang: str = ui_text.DEFAULT_LANG) -> pd.DataFrame:
    """The tile-grid map: one row per prefecture (JIS order) with ``code``, ``label`` (short name), ``row``
    (0 = north) and ``col`` (east increases)."""
    rows = [
        {"code": code, "label": short_name(name) if lang != "en" else ui_text.prefecture_label(code, "en")[:3],
         "row": row, "col": col}
        for code, name, row, col in _tiles()
    ]  # fmt: skip
    return pd.DataFrame(rows).sort_values("code", kind="stable").reset_index(drop=True)


@lru_cache(maxsize=1)
def _municipality_names() -> dict[str, str]:
    with MUNICIPALITIES_PATH.open(encoding="utf-8") as f:
        return {r["code5"]: r["name"] for r in csv.DictReader(f) if r["type"] != "prefecture"}


def municipality_label(code: str | None, lang: str = ui_text.DEFAULT_LANG) -> str:
    """A municipality's name from its 5-digit code (札幌市); unknown codes are shown as the code itself."""
    if code is None or (isinstance(code, float) and np.isnan(code)) or code == "":
        return ui_text.t("unknown", lang)
    return _municipality_names().get(str(code).zfill(5), str(code))


def as_filters(filters: Any) -> dict[str, Any]:
    """Engine filters from a :class:`analytics.views.filters.Filters` (hashable, what pages cache on), a dict or
    None."""
    if filters is None:
        return {}
    if hasattr(filters, "to_indicator_filters"):
        return filters.to_indicator_filters()
    return dict(filters)


def period_label(filters: Any, lang: str = ui_text.DEFAULT_LANG) -> str:
    """The chosen period in words for titles: 令和5年度 (FY2023), a stage with its years, or 全期間."""
    from analytics.metrics import stages

    fy = getattr(filters, "fiscal_year", None)
    if fy is not None:
        return ui_text.fiscal_year_label(fy, lang)
    name = getattr(filters, "stage", None)
    if name:
        try:
            stage = stages.find_stage(name)
        except KeyError:
            return name
        years = f"FY{stage.first_fiscal_year}–FY{stage.last_fiscal_year}"
        return f"{stage.name_en} ({years})" if lang == "en" else f"{stage.name}（{years}）"
    return ui_text.t("regions.period_all", lang)


def comparison_filters(filters: Any) -> dict[str, Any]:
    """The filters without the place filters: the comparison spans every place of the level."""
    return {k: v for k, v in as_filters(filters).items() if k not in PLACE_FILTERS and v not in (None, [], ())}


def _bool(values: pd.Series, default: bool) -> pd.Series:
    """A boolean column where missing means ``default`` (reindexed places have no flags)."""
    return pd.Series([default if pd.isna(v) else bool(v) for v in values], index=values.index, dtype=bool)


def _rank(values: pd.Series, higher_is_better: bool | None) -> pd.Series:
    """1 = best (highest, or lowest when lower is better); missing values get no rank."""
    ascending = higher_is_better is False
    return values.rank(ascending=ascending, method="min").astype("Int64")


def _place_values(
    con: duckdb.DuckDBPyConnection,
    indicator_id: str,
    level: str,
    filters: dict[str, Any],
    as_of_date: dt.date | str | None,
) -> pd.DataFrame:
    """One row per place with data (``level`` prefecture or municipality), in the :data:`COLUMNS` shape."""
    ind = indicators.REGISTRY_BY_ID[indicator_id]
    col = "prefecture_code" if level == "prefecture" else "municipality_code"
    if ind.kind == "rate":
        df = indicators.region_comparison(con, indicator_id, level, filters=filters, as_of_date=as_of_date)
        out = df.rename(columns={"rate": "value", col: "code"})
        attrs = dict(df.attrs)
    else:
        df = indicators.compute(con, by=[col], filters=filters, indicators=[indicator_id], as_of_date=as_of_date)
        out = pd.DataFrame({"code": df[col], "value": df[indicator_id].astype("float64")})
        if ind.kind == "median":
            out["denominator"] = df[f"{indicator_id}_n"]
            out["is_small"] = out["denominator"] < stats.SMALL_DENOMINATOR
        attrs = dict(df.attrs, reference_rate=None)
    for name in COLUMNS[1:]:
        if name not in out:
            out[name] = np.nan
    out["is_small"] = _bool(out["is_small"], False)
    out["is_final"] = _bool(out["is_final"], True)
    out["has_data"] = True
    out.attrs.update(attrs)
    return out


def _national_place_values(con: duckdb.DuckDBPyConnection, indicator_id: str, frozen: tuple,
                           as_of_date: dt.date | str | None) -> pd.DataFrame:
    """:func:`_place_values` by prefecture for the filters ``frozen`` as ``(key, value)`` pairs (hashable)."""
    filters = {k: list(v) if isinstance(v, tuple) else v for k, v in frozen}
    return _place_values(con, indicator_id, "prefecture", filters, as_of_date)


def prefecture_values(
    con: duckdb.DuckDBPyConnection,
    indicator_id: str,
    filters: dict[str, Any] | None = None,
    as_of_date: dt.date | str | None = None,
) -> pd.DataFrame:
    """One indicator for all 47 prefectures, in JIS order, for the map, ranking and funnel plot.

    Grain: one row per prefecture (always 47; a prefecture without records has ``has_data`` false and an
    empty value — shown as "no data", never as zero). The place filters in ``filters`` are ignored (see
    :func:`comparison_filters`). Columns: :data:`COLUMNS` — ``value`` is the count, the median, or the rate
    (fraction 0-1); for rates also numerator, denominator, 95% Wilson interval, ``is_small``
    (denominator < 10), ``is_final`` (cohort window elapsed), funnel limits around the pooled
    ``reference_rate`` and ``position`` (above_998 … below_998, ``within``); ``rank`` 1 = best.
    ``attrs``: indicator, as_of, reference_rate, unknown_region (the row of records without a prefecture, or
    None). Raises ``KeyError`` for an unknown indicator id.
    """
    ind = indicators.REGISTRY_BY_ID[indicator_id]
    # The same 47 rows whichever prefecture is selected: computed once per data version (views/memo.py).
    frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in comparison_filters(filters).items()))
    raw = memo.shared(con, _national_place_values, indicator_id, frozen, as_of_date)
    known = raw[raw["code"].notna()].set_index("code")
    unknown = raw[raw["code"].isna()]
    codes = list(ui_text.prefecture_codes())
    out = known.reindex(codes)
    out.index.name = "prefecture_code"
    out = out.reset_index()
    out["has_data"] = _bool(out["has_data"], False)
    out["is_small"] = _bool(out["is_small"], False)
    out["is_final"] = _bool(out["is_final"], True)
    out = out[COLUMNS]
    out = fill_from_reported(con, out, indicator_id, comparison_filters(filters), as_of_date)
    out["rank"] = _rank(out["value"], ind.higher_is_better)
    out.attrs.update(raw.attrs, indicator=indicator_id,
                     unknown_region=None if unknown.empty else unknown.iloc[0].to_dict())  # fmt: skip
    return out


def fill_from_reported(con: duckdb.DuckDBPyConnection, values: pd.DataFrame, indicator_id: str,
                       filters: dict[str, Any], as_of_date: dt.date | str | None = None) -> pd.DataFrame:
    """Prefectures without records get the reported figure of a count indicator, marked ``is_reported`` (issue 16).

    Only where a prefecture has no records (``has_data`` false): the page keeps the records where they exist and
    never adds the two (the data-quality page compares them). Rates and medians stay records-only. Filters the
    reported figures do not carry (gender, age band, …) leave the frame as it is.
    """
    out = values.copy()
    out["is_reported"] = False
    ind = indicators.REGISTRY_BY_ID[indicator_id]
    missing = ~out["has_data"]
    if ind.kind != "count" or not missing.any() or not reported.measures_for_indicator(indicator_id):
        return out
    flt = indicators.normalise_filters(filters)
    asof = pd.Timestamp(as_of_date).date() if as_of_date is not None else None
    rep = reported.reported_indicators(con, ["prefecture_code"], flt, [indicator_id], asof)
    if rep.empty:
        return out
    found = rep.set_index("prefecture_code")[indicator_id].dropna()
    fill = missing & out["prefecture_code"].isin(found.index)
    out.loc[fill, "value"] = [float(found[c]) for c in out.loc[fill, "prefecture_code"]]
    out.loc[fill, "has_data"] = True
    out.loc[fill, "is_reported"] = True
    return out


def municipality_values(
    con: duckdb.DuckDBPyConnection,
    indicator_id: str,
    prefecture_code: str,
    filters: dict[str, Any] | None = None,
    as_of_date: dt.date | str | None = None,
) -> pd.DataFrame:
    """Drill-down: one indicator for the municipalities of one prefecture (those with records), by code.

    Grain: one row per municipality with at least one record in the prefecture (at most ~180 rows: 北海道);
    records without a municipality form one row with an empty ``municipality_code``. Columns: as
    :func:`prefecture_values` with ``municipality_code`` and ``name``; for rates the reference and funnel
    limits are those of the prefecture (its municipalities compared with each other).
    """
    flt = comparison_filters(filters) | {"prefecture_code": [str(prefecture_code).zfill(2)]}
    ind = indicators.REGISTRY_BY_ID[indicator_id]
    raw = _place_values(con, indicator_id, "municipality", flt, as_of_date)
    raw = raw.rename(columns={"code": "municipality_code"})
    raw["name"] = [municipality_label(c) for c in raw["municipality_code"]]
    raw["rank"] = _rank(raw["value"], ind.higher_is_better)
    raw = raw.sort_values("municipality_code", na_position="last", kind="stable").reset_index(drop=True)
    out = raw[["municipality_code", "name", *COLUMNS[1:]]]
    out.attrs.update(raw.attrs, indicator=indicator_id, prefecture_code=str(prefecture_code).zfill(2))
    return out


def funnel_lines(reference_rate: float | None, max_denominator: float, points: int = 80) -> pd.DataFrame:
    """The funnel plot's control limits as lines: denominator n from 1 to ``max_denominator``.

    Columns ``denominator``, ``lower_95``, ``upper_95``, ``lower_998``, ``upper_998`` (fractions 0-1,
    :func:`analytics.metrics.stats.funnel_limits`). Empty when there is no reference rate or no denominator.
    """
    cols = ["denominator", "lower_95", "upper_95", "lower_998", "upper_998"]
    if reference_rate is None or not np.isfinite(reference_rate) or not max_denominator or max_denominator < 1:
        return pd.DataFrame(columns=cols)
    n = np.unique(np.geomspace(1, max(float(max_denominator) * 1.05, 2.0), points).round(2))
    l95, h95 = stats.funnel_limits(reference_rate, n, stats.Z_95)
    l998, h998 = stats.funnel_limits(reference_rate, n, stats.Z_998)
    return pd.DataFrame({"denominator": n, "lower_95": l95, "upper_95": h95, "lower_998": l998, "upper_998": h998})


def outside_limits(df: pd.DataFrame) -> pd.DataFrame:
    """The places outside the 95% funnel limits (above or below): the only ones a funnel plot flags."""
    return df[df["position"].isin(POSITIONS_OUTSIDE)]


def position_label(position: str | None, lang: str = ui_text.DEFAULT_LANG) -> str:
    """A funnel position in words (上回る（99.8%限界外） …); empty for a missing rate."""
    if position is None or (isinstance(position, float) and np.isnan(position)):
        return ""
    return ui_text.t(f"regions.position.{position}", lang)


def display_table(
    df: pd.DataFrame, indicator_id: str, lang: str = ui_text.DEFAULT_LANG, *, level: str = "prefecture"
) -> pd.DataFrame:
    """The values as people read them: names, the value (rates in % with one decimal), denominator,
    interval, a small-denominator mark and the funnel position; one row per place, in the frame's order.

    This is exactly what the chart shows, so it is also the CSV download.
    """
    ind = indicators.REGISTRY_BY_ID[indicator_id]
    t = ui_text.t
    if level == "prefecture":
        names = [ui_text.prefecture_label(c, lang) for c in df["prefecture_code"]]
        code_col = df["prefecture_code"]
    else:
        names = list(df["name"])
        code_col = df["municipality_code"]
    out = pd.DataFrame({t("regions.col.code", lang): list(code_col), t("regions.col.place", lang): names})
    unit = ind.unit_en if lang == "en" else ind.unit
    label = f"{ind.en if lang == 'en' else ind.ja}"
    if ind.kind == "rate":
        out[f"{label} (%)"] = (df["value"] * 100).round(1).to_numpy()
        out[t("regions.col.numerator", lang)] = df["numerator"].astype("Int64").to_numpy()
        out[t("regions.col.denominator", lang)] = df["denominator"].astype("Int64").to_numpy()
        out[t("regions.col.ci95", lang)] = [
            f"{lo * 100:.1f}–{hi * 100:.1f}" if pd.notna(lo) and pd.notna(hi) else ""
            for lo, hi in zip(df["ci_low"], df["ci_high"], strict=True)
        ]
        out[t("regions.col.position", lang)] = [position_label(p, lang) for p in df["position"]]
    else:
        values = df["value"]
        out[f"{label} ({unit})"] = (
            values.round(1).to_numpy() if ind.kind == "median" else values.astype("Int64").to_numpy()
        )
        if ind.kind == "median":
            out[t("regions.col.denominator", lang)] = df["denominator"].astype("Int64").to_numpy()
    out[t("regions.col.rank", lang)] = df["rank"].astype("Int64").to_numpy()
    notes = []
    flagged = df["is_reported"] if "is_reported" in df else pd.Series(False, index=df.index)
    for has, small, final, rep in zip(df["has_data"], df["is_small"], df["is_final"], flagged, strict=True):
        parts = [] if has else [t("regions.no_data", lang)]
        if rep:
            parts.append(t("rep.badge", lang))
        if has and small:
            parts.append("※" + t("regions.small", lang))
        if has and not final:
            parts.append(t("regions.not_final", lang))
        notes.append("、".join(parts) if lang != "en" else "; ".join(parts))
    out[t("regions.col.note", lang)] = notes
    return out
