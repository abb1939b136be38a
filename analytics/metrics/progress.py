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
from analytics.metrics import indicators, measures
from analytics.metrics.stages import Stage, Thresholds, find_stage, load_stages, load_thresholds, stage_for_fiscal_year

if TYPE_CHECKING:
    from analytics.access.auth import Viewer

STAGES: tuple[Stage, ...] = load_stages()
HEADLINE_FILE = config.REFERENCE_DIR / "headline_lfs.csv"
STATUSES = ("on_track", "at_risk", "off_track", "not_started", "no_data")

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


TARGET_KEYS = ["indicator", "fiscal_year", "stage", "prefecture_code", "municipality_code", "target_group",
               "project", "target_kind", "period_start"]


def latest_targets(con: duckdb.DuckDBPyConnection, vintage: str | None = None, *,
                   viewer: Viewer | None = None) -> pd.DataFrame:
    """Targets, keeping one vintage per target: the latest.

    A target is (indicator, fiscal year, stage, prefecture, municipality, group, project, kind, period start):
    a later vintage with the same start and a later end (a 3-year target extended unchanged to 5 years) replaces
    the earlier one here, and both stay in the table (``vintage=`` shows an older one). Vintages are compared as
    text ('2023-04' < '2024-04'); a target without a vintage counts as oldest. With ``vintage`` given, only that
    vintage's targets. An annual target (``target_kind = 'annual'``) over several fiscal years becomes one target
    per fiscal year. Municipal targets only within the viewer's scope (:mod:`analytics.access.scope`).
    """
    df = con.execute(
        "select indicator, fiscal_year, stage, prefecture_code, municipality_code, target_group, project, target_kind,"
        " period_start, period_end, unit, source, value, vintage from targets").df()
    for col in ("period_start", "period_end"):
        df[col] = [None if pd.isna(v) else pd.Timestamp(v).date() for v in df[col]]
    viewer = scope.effective(viewer)
    allowed = None if viewer is None else viewer.municipal_prefectures
    if allowed is not None and not df.empty:
        df = df[df["municipality_code"].isna() | df["municipality_code"].astype(str).str[:2].isin(allowed)]
    if vintage is not None:
        df = df[df["vintage"] == vintage]
    elif not df.empty:
        df["_v"] = df["vintage"].fillna("")
        # The same target written two ways is one target: a records-style row (年度 2020 or ステージ 第1ステージ,
        # 正社員就職者数) and a row read from a plan's sheet (period 2020-04-01.., regular_placed_persons) with the
        # same kind and start are vintages of each other, and the later one is shown (issue 16).
        df["_ind"] = [indicator_id(i) or measures.measure_id(i) or i for i in df["indicator"]]
        df["_kind"], df["_start"] = zip(*(_kind_and_start(r) for r in df.to_dict("records")), strict=True)
        keys = ["_ind", "_kind", "_start"] + [k for k in TARGET_KEYS
                                               if k not in ("indicator", "fiscal_year", "stage", "target_kind",
                                                            "period_start")]
        df = df.sort_values("_v", kind="stable").groupby(keys, dropna=False, sort=False).tail(1)
        df = df.drop(columns=["_v", "_ind", "_kind", "_start"])
    return _annual_per_year(df.reset_index(drop=True))


def _kind_and_start(row: dict) -> tuple[str, dt.date | None]:
    """A target's kind (annual | period) and first day, from its period, else its fiscal year or stage."""
    start = row["period_start"]
    if start is None and pd.notna(row["fiscal_year"]):
        start = dt.date(int(row["fiscal_year"]), 4, 1)
    elif start is None and isinstance(row["stage"], str):
        try:
            start = dt.date(find_stage(row["stage"]).first_fiscal_year, 4, 1)
        except KeyError:
            start = None
    kind = row["target_kind"] if isinstance(row["target_kind"], str) else (
        "annual" if pd.notna(row["fiscal_year"]) else "period")
    return kind, start


def _annual_per_year(df: pd.DataFrame) -> pd.DataFrame:
    """An annual target over FY2020–FY2024 is five targets, one per fiscal year, each of the value."""
    if df.empty:
        return df
    rows = []
    for r in df.to_dict("records"):
        s, e = r["period_start"], r["period_end"]
        if r.get("target_kind") == "annual" and s is not None and e is not None and _fy(e) > _fy(s):
            for fy in range(_fy(s), _fy(e) + 1):
                rows.append({**r, "fiscal_year": fy, "period_start": max(s, dt.date(fy, 4, 1)),
                             "period_end": min(e, dt.date(fy + 1, 3, 31))})  # fmt: skip
        else:
            rows.append(r)
    return pd.DataFrame(rows, columns=df.columns)


def _fy(d: dt.date) -> int:
    return d.year if d.month >= 4 else d.year - 1


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


PROGRESS_COLUMNS = [
    "indicator", "indicator_ja", "stage", "fiscal_year", "period_start", "period_end", "prefecture_code",
    "target_group", "vintage", "target", "actual", "achievement", "months_total", "months_elapsed",
    "expected_by_now", "pace_index", "run_rate_per_month", "projected_end_value", "projected_achievement",
    "monthly_needed", "status",
    # issue 16: where the actual comes from (added columns; the ones above keep their meaning)
    "source", "figure_vintage", "reported_by", "actual_through", "unit", "project", "municipality_code",
    "target_kind",
]


def compute_progress(con: duckdb.DuckDBPyConnection, stage: str | None = None,
                     by: Iterable[str] | str | None = None, *, as_of_date: dt.date | str | None = None,
                     vintage: str | None = None, thresholds: Thresholds | None = None,
                     viewer: Viewer | None = None, source: str | None = None) -> pd.DataFrame:
    """Progress of each target in a stage, its actual from the records or from reported figures.

    Grain: one row per target (latest vintage unless ``vintage``) whose stage is ``stage``, whose fiscal year
    lies in it or whose period (``period_start``–``period_end``, any span) overlaps it. ``stage`` None = the
    stage containing the as-of date's fiscal year (else the latest). ``by`` selects the target level: None =
    every target; [] = national, all groups; ['prefecture_code'] = prefecture targets; add 'target_group' for
    group targets.
    Columns (:data:`PROGRESS_COLUMNS`): indicator (the indicator id, or the measure id / name as written for a
    measure without one), indicator_ja, stage, fiscal_year, period_start, period_end, prefecture_code,
    target_group, vintage (the target's), target, actual (cumulative over the target's period up to the as-of
    date, inclusive), achievement (actual ÷ target), months_total, months_elapsed, expected_by_now (target ×
    elapsed ÷ total: a linear monthly trajectory), pace_index (actual ÷ expected), run_rate_per_month,
    projected_end_value (actual + run rate × months left), projected_achievement, monthly_needed (what is left ÷
    months left), status; then source (records | reported), figure_vintage and reported_by (of the reported
    figures used), actual_through (the day the actual runs to), unit, project, municipality_code, target_kind.
    ``source`` (:mod:`analytics.metrics.reported`): ``best`` (default) = the reported figure where one exists,
    else the records; ``records``; ``reported``. A reported actual runs to the end of the last figure reported
    by the as-of date (``actual_through``); months elapsed, pace and projection are measured at that day, the
    run rate is the mean of the last months reported (monthly figures) or actual ÷ months elapsed (yearly or
    cumulative ones). A target with nothing reported and no records indicator has status ``no_data``.
    Zero denominators give NaN. Targets whose indicator is neither a count indicator nor (for reported figures)
    a measure are skipped with a note in ``df.attrs['skipped']``. ``viewer`` applies the prefecture scope.
    """
    from analytics.metrics import reported  # reported imports indicators; progress sits beside it

    source = reported.check_source(source)
    viewer = scope.effective(viewer)
    scope.check_progress(viewer, None if by is None else indicators.normalise_by(by))
    thresholds = thresholds or load_thresholds()
    stages = load_stages()
    cutoff = pd.Timestamp(as_of_date).date() if as_of_date is not None else None
    asof = cutoff if cutoff is not None else indicators.as_of(con)
    figs = reported.figures(con, viewer=viewer) if source != "records" else reported.figures(con, [], viewer=viewer)
    if asof is None and not figs.empty:
        asof = max(figs["period_end"])
    if stage is None:
        fy = (asof.year if asof.month >= 4 else asof.year - 1) if asof else None
        chosen = (stage_for_fiscal_year(fy, stages) if fy is not None else None) or stages[-1]
    else:
        chosen = find_stage(stage, stages)
    stage_start, stage_end = dt.date(chosen.first_fiscal_year, 4, 1), dt.date(chosen.last_fiscal_year + 1, 3, 31)
    targets = latest_targets(con, vintage, viewer=viewer)
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
        explicit = t.period_start is not None and t.period_end is not None
        if explicit:
            in_stage = t.period_start <= stage_end and t.period_end >= stage_start
        else:
            in_stage = (pd.notna(t.fiscal_year) and chosen.first_fiscal_year <= int(t.fiscal_year)
                        <= chosen.last_fiscal_year) or (pd.isna(t.fiscal_year) and isinstance(t.stage, str)
                                                        and _is_stage(t.stage, chosen, stages))
        if not in_stage:
            continue
        has_pref, has_group = isinstance(t.prefecture_code, str), isinstance(t.target_group, str)
        has_muni = isinstance(t.municipality_code, str)
        project = t.project if isinstance(t.project, str) else None
        if level is not None and ({"prefecture_code"} & level != ({"prefecture_code"} if has_pref else set())
                                  or {"target_group"} & level != ({"target_group"} if has_group else set())
                                  or {"municipality_code"} & level != ({"municipality_code"} if has_muni else set())):
            continue
        ind = indicator_id(t.indicator)
        is_count = ind is not None and indicators.REGISTRY_BY_ID[ind].kind == "count"
        measure_ids = (reported.measures_for_indicator(ind) if ind is not None
                       else [reported.measure_for_target(t.indicator)])  # fmt: skip
        if explicit:
            start, end = t.period_start, t.period_end
            years = list(range(_fy(start), _fy(end) + 1))
        else:
            years = [int(t.fiscal_year)] if pd.notna(t.fiscal_year) else chosen.fiscal_years
            start, end = dt.date(years[0], 4, 1), dt.date(years[-1] + 1, 3, 31)
        unit = t.unit if isinstance(t.unit, str) else None
        found = None
        if source != "records" and measure_ids:
            for mid in measure_ids:
                found = reported.resolve(figs, mid, start, end, cutoff, unit=unit or reported.measure_unit(mid),
                                         prefecture_code=t.prefecture_code if has_pref else None,
                                         municipality_code=t.municipality_code if has_muni else None,
                                         target_group=t.target_group if has_group else None, project=project)
                if found is not None:
                    break
        use_reported = found is not None or (source == "reported" and bool(measure_ids)) or (
            source == "best" and not is_count and bool(measure_ids) and ind is None)
        if not use_reported and not is_count:
            skipped.append(str(t.indicator))
            continue
        total = months_elapsed(start, end, end)
        base_row = {
            "indicator": ind if ind is not None else measure_ids[0],
            "indicator_ja": (indicators.REGISTRY_BY_ID[ind].ja if ind is not None
                             else reported.measure_label(measure_ids[0])),
            "stage": (chosen.name if explicit or pd.isna(t.fiscal_year)
                      else (t.stage if isinstance(t.stage, str) else chosen.name)),
            "fiscal_year": (int(t.fiscal_year) if pd.notna(t.fiscal_year)
                            else (_fy(start) if explicit and _fy(start) == _fy(end) else None)),
            "period_start": start, "period_end": end,
            "prefecture_code": t.prefecture_code if has_pref else None,
            "target_group": t.target_group if has_group else None, "vintage": t.vintage,
            "target": float(t.value), "months_total": total,
            "unit": unit or (indicators.REGISTRY_BY_ID[ind].unit if ind is not None
                             else reported.measure_unit(measure_ids[0])),
            "project": project, "municipality_code": t.municipality_code if has_muni else None,
            "target_kind": t.target_kind if isinstance(t.target_kind, str) else None,
        }  # fmt: skip
        if use_reported:
            rows.append(base_row | _reported_progress(found, float(t.value), start, end, total, thresholds))
            continue
        group_by = ((["prefecture_code"] if has_pref else []) + (["municipality_code"] if has_muni else [])
                    + (["target_group"] if has_group else []))  # fmt: skip
        key = tuple(v for v, has in ((t.prefecture_code, has_pref), (t.municipality_code, has_muni),
                                     (t.target_group, has_group)) if has)  # fmt: skip
        filters: dict = {"fiscal_year": years}
        aligned = start == dt.date(years[0], 4, 1) and end == dt.date(years[-1] + 1, 3, 31)
        if asof is not None and asof < end:  # cumulative up to the as-of month, not the whole period
            filters["month"] = _months_between(start, asof)
        elif not aligned:
            filters["month"] = _months_between(start, end)
        actual = value(ind, filters, group_by, key)
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
        rows.append(base_row | {
            "actual": int(actual),
            "achievement": actual / t.value if t.value else float("nan"),
            "months_elapsed": round(elapsed, 3), "expected_by_now": expected,
            "pace_index": pace, "run_rate_per_month": run_rate, "projected_end_value": projected,
            "projected_achievement": projected / t.value if t.value else float("nan"),
            "monthly_needed": max(t.value - actual, 0.0) / left if left else float("nan"),
            "status": status_for(pace, thresholds, elapsed),
            "source": "records", "figure_vintage": None, "reported_by": None,
            "actual_through": min(asof, end) if asof is not None and asof >= start else None,
        })  # fmt: skip
    out = pd.DataFrame(rows, columns=PROGRESS_COLUMNS)
    if not out.empty:
        out["fiscal_year"] = out["fiscal_year"].astype("Int64")
        if out["actual"].notna().all() and (out["actual"] == out["actual"].round()).all():
            out["actual"] = out["actual"].astype("int64")
        out = out.sort_values(["indicator", "fiscal_year", "prefecture_code", "target_group"],
                              na_position="first", kind="stable").reset_index(drop=True)
    out.attrs.update(as_of=asof, stage=chosen.name, thresholds=thresholds, skipped=skipped, source=source,
                     cutoff=cutoff)  # fmt: skip
    return out


def _reported_progress(found, target: float, start: dt.date, end: dt.date, total: float,
                       thresholds: Thresholds) -> dict:
    """Achievement, pace, projection and status of a target from a reported figure (``reported.Resolved``).

    Measured at the day the figure runs to (``found.through``), not at the records' as-of date: a yearly figure
    is not "behind" in the middle of the next year. Run rate: the mean of the last ``run_rate_months`` monthly
    pieces when the figure ends in months, else actual ÷ months elapsed.
    """
    nothing = {"actual": float("nan"), "achievement": float("nan"), "months_elapsed": 0.0,
               "expected_by_now": float("nan"), "pace_index": float("nan"), "run_rate_per_month": float("nan"),
               "projected_end_value": float("nan"), "projected_achievement": float("nan"),
               "monthly_needed": float("nan"), "status": "no_data", "source": "reported", "figure_vintage": None,
               "reported_by": None, "actual_through": None}  # fmt: skip
    if found is None:
        return nothing
    actual = found.value
    actual = int(actual) if float(actual).is_integer() else actual
    elapsed = months_elapsed(start, end, found.through)
    left = max(total - elapsed, 0.0)
    tail = []
    for piece in reversed(found.pieces):
        if piece["period_kind"] != "month" or len(tail) == thresholds.run_rate_months:
            break
        tail.append(float(piece["value"]))
    run_rate = (sum(tail) / len(tail)) if tail else (actual / elapsed if elapsed else float("nan"))
    expected = target * elapsed / total if total else float("nan")
    pace = actual / expected if expected else float("nan")
    projected = float(actual) if left == 0 else actual + run_rate * left
    return {
        "actual": actual, "achievement": actual / target if target else float("nan"),
        "months_elapsed": round(elapsed, 3), "expected_by_now": expected, "pace_index": pace,
        "run_rate_per_month": run_rate, "projected_end_value": projected,
        "projected_achievement": projected / target if target else float("nan"),
        "monthly_needed": max(target - actual, 0.0) / left if left else float("nan"),
        "status": status_for(pace, thresholds, elapsed), "source": "reported",
        "figure_vintage": found.vintage, "reported_by": found.reported_by or None, "actual_through": found.through,
    }  # fmt: skip


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
