"""Progress against targets: cumulative actual, achievement, pace, projection and status per target.

Targets come from the ``targets`` table (loaded like any export); stages and thresholds from
``analytics/metrics/stages.toml``. The national headline (Labour Force Survey stock change) is a separate reference
series, :func:`headline_series`, shown beside — never summed with — indicators from program records.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from analytics import config, contract
from analytics.access import scope
from analytics.metrics import indicators
from analytics.metrics.stages import Stage, Thresholds, find_stage, load_stages, load_thresholds, stage_for_fiscal_year

if TYPE_CHECKING:
    from analytics.access.auth import Viewer

STAGES: tuple[Stage, ...] = load_stages()
HEADLINE_FILE = config.REFERENCE_DIR / "headline_lfs.csv"
STATUSES = ("on_track", "at_risk", "off_track", "not_started")

_INDICATOR_NAMES: dict[str, str] = {}
for _code in contract.TARGET_INDICATORS:
    for _name in (_code.code, _code.ja, _code.en, *_code.aliases):
        _INDICATOR_NAMES[_name.strip().lower()] = _code.code


def indicator_id(name: str) -> str | None:
    """The registry id for a target's indicator as written in a sheet (id, 日本語名 or alias)."""
    text = str(name).strip()
    if text in indicators.REGISTRY_BY_ID:
        return text
    return _INDICATOR_NAMES.get(text.lower())


def headline_series() -> pd.DataFrame:
    """The published national headline series (LFS stock change vs 2019) with sources, one row per figure.

    Columns: series_id, kind (target | result), measure, ja, en, reference_year, baseline_year, value,
    unit, source_ja, source_url, note. These are stocks from a survey: show them beside the record-based
    flows, never add them.
    """
    return pd.read_csv(HEADLINE_FILE, dtype={"series_id": str, "source_url": str})


def latest_targets(con: duckdb.DuckDBPyConnection, vintage: str | None = None) -> pd.DataFrame:
    """Targets, keeping one vintage per (indicator, fiscal year, stage, prefecture, group): the latest.

    Vintages are compared as text ('2023-04' < '2024-04'); a target without a vintage counts as oldest.
    With ``vintage`` given, only that vintage's targets.
    """
    df = con.execute(
        "select indicator, fiscal_year, stage, prefecture_code, target_group, value, vintage from targets").df()
    if vintage is not None:
        return df[df["vintage"] == vintage].reset_index(drop=True)
    if df.empty:
        return df
    df["_v"] = df["vintage"].fillna("")
    keys = ["indicator", "fiscal_year", "stage", "prefecture_code", "target_group"]
    df = df.sort_values("_v").groupby(keys, dropna=False, sort=False).tail(1)
    return df.drop(columns="_v").reset_index(drop=True)


def months_elapsed(start: dt.date, end: dt.date, as_of: dt.date | None) -> float:
    """Months of [start, end] elapsed by ``as_of``: whole months plus the fraction of the as-of month."""
    total = (end.year - start.year) * 12 + end.month - start.month + 1
    if as_of is None or as_of < start:
        return 0.0
    if as_of >= end:
        return float(total)
    days = calendar.monthrange(as_of.year, as_of.month)[1]
    return (as_of.year - start.year) * 12 + as_of.month - start.month + as_of.day / days


def status_for(pace: float | None, thresholds: Thresholds, elapsed: float) -> str:
    """on_track (pace ≥ on_track), at_risk (≥ at_risk), off_track (below), not_started (nothing elapsed)."""
    if elapsed <= 0 or pace is None or pd.isna(pace):
        return "not_started"
    if pace >= thresholds.on_track:
        return "on_track"
    if pace >= thresholds.at_risk:
        return "at_risk"
    return "off_track"


def _recent_months(as_of: dt.date, n: int, start: dt.date) -> list[str]:
    months = []
    y, m = as_of.year, as_of.month
    for _ in range(n):
        if dt.date(y, m, 1) < dt.date(start.year, start.month, 1):
            break
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return months


def compute_progress(con: duckdb.DuckDBPyConnection, stage: str | None = None,
                     by: Iterable[str] | str | None = None, *, as_of_date: dt.date | str | None = None,
                     vintage: str | None = None, thresholds: Thresholds | None = None,
                     viewer: Viewer | None = None) -> pd.DataFrame:
    """Progress of each target in a stage.

    Grain: one row per target (latest vintage unless ``vintage``) whose stage is ``stage`` or whose fiscal
    year lies in it. ``stage`` None = the stage containing the as-of date's fiscal year (else the latest).
    ``by`` selects the target level: None = every target; [] = national, all groups; ['prefecture_code']
    = prefecture targets; add 'target_group' for group targets.
    Columns: indicator, indicator_ja, stage, fiscal_year, period_start, period_end, prefecture_code,
    target_group, vintage, target, actual (cumulative over the target's period up to the as-of date, inclusive),
    achievement (actual ÷ target), months_total, months_elapsed, expected_by_now (target × elapsed ÷
    total: a linear monthly trajectory), pace_index (actual ÷ expected), run_rate_per_month (the last
    ``run_rate_months`` months), projected_end_value (actual + run rate × months left),
    projected_achievement, monthly_needed (what is left ÷ months left), status.
    Zero denominators give NaN. Targets whose indicator is not in the registry are skipped with a note in
    ``df.attrs['skipped']``. ``viewer`` applies the prefecture scope (:mod:`analytics.access.scope`): targets are
    national or prefectural, so only a municipal ``by`` is refused for prefecture-scoped roles.
    """
    viewer = scope.effective(viewer)
    scope.check_progress(viewer, None if by is None else indicators.normalise_by(by))
    thresholds = thresholds or load_thresholds()
    stages = load_stages()
    asof = pd.Timestamp(as_of_date).date() if as_of_date is not None else indicators.as_of(con)
    if stage is None:
        fy = (asof.year if asof.month >= 4 else asof.year - 1) if asof else None
        chosen = (stage_for_fiscal_year(fy, stages) if fy is not None else None) or stages[-1]
    else:
        chosen = find_stage(stage, stages)
    targets = latest_targets(con, vintage)
    columns = ["indicator", "indicator_ja", "stage", "fiscal_year", "period_start", "period_end",
               "prefecture_code", "target_group", "vintage", "target", "actual", "achievement", "months_total",
               "months_elapsed", "expected_by_now", "pace_index", "run_rate_per_month", "projected_end_value",
               "projected_achievement", "monthly_needed", "status"]
    rows: list[dict] = []
    skipped: list[str] = []
    level = None if by is None else set(indicators.normalise_by(by))
    # Targets of one level share one grouped engine call (one per indicator, period and level) instead
    # of two calls per target: 47 prefecture targets cost what one costs. Persons stay distinct within
    # each group, exactly as a filtered call per target would count them.
    memo: dict[tuple, dict[tuple, int]] = {}

    # Actuals are cut at the as-of date itself, inclusive (``until``): the month filter alone would count the
    # whole as-of month (as of 2023-06-10, a placement of 06-15).
    def value(ind: str, base: dict, group_by: list[str], key: tuple) -> int:
        memo_key = (ind, tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in base.items())),
                    tuple(group_by))
        if memo_key not in memo:
            df = indicators.compute(con, by=group_by, filters=base, indicators=[ind], as_of_date=asof, viewer=viewer,
                                    until=asof)
            memo[memo_key] = {tuple(r[c] for c in group_by): (int(r[ind]) if pd.notna(r[ind]) else 0)
                              for r in df.to_dict("records")}
        return memo[memo_key].get(key, 0)

    for t in targets.itertuples(index=False):
        in_stage = (pd.notna(t.fiscal_year) and chosen.first_fiscal_year <= int(t.fiscal_year)
                    <= chosen.last_fiscal_year) or (pd.isna(t.fiscal_year) and isinstance(t.stage, str)
                                                    and _is_stage(t.stage, chosen, stages))
        if not in_stage:
            continue
        has_pref, has_group = isinstance(t.prefecture_code, str), isinstance(t.target_group, str)
        if level is not None and ({"prefecture_code"} & level != ({"prefecture_code"} if has_pref else set())
                                  or {"target_group"} & level != ({"target_group"} if has_group else set())):
            continue
        ind = indicator_id(t.indicator)
        if ind is None or indicators.REGISTRY_BY_ID[ind].kind != "count":
            skipped.append(str(t.indicator))
            continue
        years = [int(t.fiscal_year)] if pd.notna(t.fiscal_year) else chosen.fiscal_years
        start, end = dt.date(years[0], 4, 1), dt.date(years[-1] + 1, 3, 31)
        group_by = (["prefecture_code"] if has_pref else []) + (["target_group"] if has_group else [])
        key = tuple(v for v, has in ((t.prefecture_code, has_pref), (t.target_group, has_group)) if has)
        filters: dict = {"fiscal_year": years}
        if asof is not None and asof < end:  # cumulative up to the as-of month, not the whole period
            filters["month"] = _months_between(start, asof)
        actual = value(ind, filters, group_by, key)
        total = months_elapsed(start, end, end)
        elapsed = months_elapsed(start, end, asof)
        left = max(total - elapsed, 0.0)
        run_rate = float("nan")
        if asof is not None and elapsed > 0:
            # the last run_rate_months months up to the as-of date (or the period's end), the current
            # month counted by the fraction of it elapsed
            ref = min(asof, end)
            recent = _recent_months(ref, thresholds.run_rate_months, start)
            covered = len(recent) - 1 + (months_elapsed(start, end, ref) % 1 or 1.0)
            run_rate = value(ind, {"month": recent}, group_by, key) / covered
        expected = t.value * elapsed / total if total else float("nan")
        pace = actual / expected if expected else float("nan")
        projected = float(actual) if left == 0 else actual + run_rate * left
        rows.append({
            "indicator": ind, "indicator_ja": indicators.REGISTRY_BY_ID[ind].ja,
            "stage": chosen.name if pd.isna(t.fiscal_year) else (t.stage if isinstance(t.stage, str) else chosen.name),
            "fiscal_year": int(t.fiscal_year) if pd.notna(t.fiscal_year) else None,
            "period_start": start, "period_end": end,
            "prefecture_code": t.prefecture_code if has_pref else None,
            "target_group": t.target_group if has_group else None, "vintage": t.vintage,
            "target": float(t.value), "actual": int(actual),
            "achievement": actual / t.value if t.value else float("nan"),
            "months_total": total, "months_elapsed": round(elapsed, 3), "expected_by_now": expected,
            "pace_index": pace, "run_rate_per_month": run_rate, "projected_end_value": projected,
            "projected_achievement": projected / t.value if t.value else float("nan"),
            "monthly_needed": max(t.value - actual, 0.0) / left if left else float("nan"),
            "status": status_for(pace, thresholds, elapsed),
        })
    out = pd.DataFrame(rows, columns=columns)
    if not out.empty:
        out["fiscal_year"] = out["fiscal_year"].astype("Int64")
        out = out.sort_values(["indicator", "fiscal_year", "prefecture_code", "target_group"],
                              na_position="first", kind="stable").reset_index(drop=True)
    out.attrs.update(as_of=asof, stage=chosen.name, thresholds=thresholds, skipped=skipped)
    return out


def _months_between(start: dt.date, last: dt.date) -> list[str]:
    """'YYYY-MM' of every month from ``start`` to ``last`` inclusive."""
    months, y, m = [], start.year, start.month
    while (y, m) <= (last.year, last.month):
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def _is_stage(name: str, stage: Stage, stages: tuple[Stage, ...]) -> bool:
    try:
        return find_stage(name, stages) == stage
    except KeyError:
        return False


# ---------------------------------------------------------------------------------------------
# CLI: python -m analytics progress
# ---------------------------------------------------------------------------------------------
