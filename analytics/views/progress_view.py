"""The progress page's frames: burn-up series per target, the prefecture table, and the national headline.

Numbers come from ``progress.compute_progress`` (targets, pace, projection, status) and ``indicators.compute``
(the cumulative actual month by month); nothing here redefines them. Shaped here so the page only renders.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from analytics.metrics import indicators, progress
from analytics.metrics.stages import Stage, load_stages, load_thresholds, stage_for_fiscal_year
from analytics.text import ui_text
from analytics.views import memo
from analytics.views.filters import Filters

STATUS_LABELS: dict[str, tuple[str, str]] = {
    "on_track": ("順調", "On track"),
    "at_risk": ("注意", "At risk"),
    "off_track": ("遅れ", "Off track"),
    "not_started": ("未開始", "Not started"),
}
STATUS_SYMBOLS: dict[str, str] = {"on_track": "●", "at_risk": "▲", "off_track": "✖", "not_started": "○"}


def status_label(status: str, lang: str = ui_text.DEFAULT_LANG) -> str:
    """The status in words with a shape (never colour alone): ● 順調 / ▲ 注意 / ✖ 遅れ."""
    ja, en = STATUS_LABELS.get(status, (status, status))
    return f"{STATUS_SYMBOLS.get(status, '')} {en if lang == 'en' else ja}".strip()


def choose_stage(filters: Filters, as_of: dt.date | None) -> Stage:
    """The filter's stage (or the stage of its fiscal year), else the stage of the as-of date, else the latest."""
    stage = filters.stage_obj()
    if stage is not None:
        return stage
    if as_of is not None:
        fy = as_of.year if as_of.month >= 4 else as_of.year - 1
        found = stage_for_fiscal_year(fy)
        if found is not None:
            return found
    return load_stages()[-1]


def stage_progress(con: duckdb.DuckDBPyConnection, stage_name: str, as_of_date: dt.date | None = None) -> pd.DataFrame:
    """Every target of a stage with its progress (``progress.compute_progress``), prefecture names added."""
    df = progress.compute_progress(con, stage=stage_name, as_of_date=as_of_date)
    return df


def scope_targets(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The targets of the sidebar's place: whole-stage targets first, else the fiscal year's (or all years').

    National when no prefecture is chosen. Targets for one target group are kept only when that group is
    chosen; the sample has none.
    """
    if frame.empty:
        return frame
    pref = filters.prefecture_code
    here = frame[(frame["prefecture_code"] == pref) if pref else frame["prefecture_code"].isna()]
    groups = set(filters.target_groups)
    here = here[here["target_group"].isna() | here["target_group"].isin(groups)]
    whole = here[here["fiscal_year"].isna()]
    if not whole.empty:
        return whole.reset_index(drop=True)
    if filters.fiscal_year is not None:
        return here[here["fiscal_year"] == filters.fiscal_year].reset_index(drop=True)
    return here.reset_index(drop=True)


def _month_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    months = pd.period_range(pd.Timestamp(start), pd.Timestamp(end), freq="M")
    return [(p.to_timestamp(how="end")).date() for p in months]


def burnup(con: duckdb.DuckDBPyConnection, target: dict, as_of_date: dt.date | None = None) -> pd.DataFrame:
    """Burn-up series of one target (a row of ``compute_progress`` as a dict), one row per month of its period.

    Columns: ``month_end`` (date), ``actual`` (cumulative distinct count from the period start to the month's
    end, or to the as-of date in its month; empty after it), ``target_line`` (target × months elapsed ÷
    months in the period), ``projection``, ``projection_low``, ``projection_high`` (from the as-of month to
    the end: actual + run rate × months; the band uses the lowest and highest month of the run-rate window).
    """
    thresholds = load_thresholds()
    start, end = target["period_start"], target["period_end"]
    asof = as_of_date or indicators.as_of(con)
    ends = _month_ends(start, end)
    scope: dict = {}
    if isinstance(target.get("prefecture_code"), str):
        scope["prefecture_code"] = target["prefecture_code"]
    if isinstance(target.get("target_group"), str):
        scope["target_group"] = target["target_group"]
    ind = target["indicator"]
    total = progress.months_elapsed(start, end, end)
    months = [f"{d.year:04d}-{d.month:02d}" for d in ends]
    rows = []
    known_months = [m for m, d in zip(months, ends, strict=True) if asof is not None and d.replace(day=1) <= asof]
    # One query for the whole running total (indicators.cumulative_by_month) instead of one per month.
    running = (indicators.cumulative_by_month(con, ind, known_months, scope)
               if ind in indicators.CUMULATIVE_IDS and known_months else None)  # fmt: skip
    for i, month_end in enumerate(ends):
        known = asof is not None and dt.date(month_end.year, month_end.month, 1) <= asof
        actual = None
        if known and running is not None:
            actual = int(running[months[i]])
        elif known:
            df = indicators.compute(con, filters={**scope, "month": months[: i + 1]}, indicators=[ind], as_of_date=asof)
            actual = int(df[ind].iloc[0]) if not df.empty else 0
        elapsed = progress.months_elapsed(start, end, month_end)
        rows.append({"month_end": month_end, "actual": actual, "target_line": target["target"] * elapsed / total})
    out = pd.DataFrame(rows)
    out["projection"] = out["projection_low"] = out["projection_high"] = float("nan")
    if asof is not None and start <= asof < end:
        monthly = indicators.compute(con, by=["month"], filters={**scope, "month": months}, indicators=[ind],
                                     as_of_date=asof).set_index("month")[ind]  # fmt: skip
        recent = [m for m in months if m <= f"{asof.year:04d}-{asof.month:02d}"][-thresholds.run_rate_months - 1 : -1]
        values = [float(monthly.get(m, 0)) for m in recent] or [0.0]
        rate = target["run_rate_per_month"] if pd.notna(target["run_rate_per_month"]) else sum(values) / len(values)
        low, high = min([*values, rate]), max([*values, rate])
        actual_now = float(target["actual"])
        elapsed_now = progress.months_elapsed(start, end, asof)
        for i, month_end in enumerate(ends):
            k = progress.months_elapsed(start, end, month_end) - elapsed_now
            if k < 0:
                continue
            out.loc[i, ["projection", "projection_low", "projection_high"]] = [
                actual_now + rate * k,
                actual_now + low * k,
                actual_now + high * k,
            ]
        # the projection starts where the actual line ends (the as-of date, not its month's end)
        first = out.index[out["projection"].notna()]
        if len(first):
            out.loc[len(out)] = {"month_end": asof, "actual": float("nan"), "target_line": float("nan"),
                                 "projection": actual_now, "projection_low": actual_now,
                                 "projection_high": actual_now}  # fmt: skip
            out = out.sort_values("month_end", kind="stable").reset_index(drop=True)
    out.attrs.update(indicator=ind, target=float(target["target"]), period_start=start, period_end=end, as_of=asof)
    return out


@dataclass(frozen=True)
class ProgressView:
    """Everything the progress page shows for one stage, place and as-of date."""

    stage: Stage
    as_of: dt.date | None
    data_as_of: dt.date | None
    targets: pd.DataFrame  # the place's targets (rows of compute_progress)
    burnups: tuple[pd.DataFrame, ...]  # one per row of ``targets``
    all_targets: pd.DataFrame  # every target of the stage (for the prefecture table)
    has_any_targets: bool  # whether the database holds targets at all


def build_progress(con: duckdb.DuckDBPyConnection, filters: Filters, as_of_date: dt.date | None = None) -> ProgressView:
    """Targets, burn-ups and the stage's full progress table for the sidebar's filters."""
    data_as_of = indicators.as_of(con)
    asof = as_of_date or data_as_of
    stage = choose_stage(filters, data_as_of)
    has_any = int(progress.latest_targets(con).shape[0]) > 0
    # The stage's table is the same for every place: computed once per data version (views/memo.py).
    frame = memo.shared(con, stage_progress, stage.name, asof) if has_any else pd.DataFrame()
    targets = scope_targets(frame, filters)
    burnups = tuple(burnup(con, row, asof) for row in targets.to_dict("records"))
    return ProgressView(stage, asof, data_as_of, targets, burnups, frame, has_any)


# -------------------------------------------------------------------------------------------------
# Display tables
# -------------------------------------------------------------------------------------------------


def target_indicators(view: ProgressView) -> list[str]:
    """Indicators with prefecture targets in the stage (registry order)."""
    if view.all_targets.empty:
        return []
    present = set(view.all_targets.loc[view.all_targets["prefecture_code"].notna(), "indicator"])
    return [i.id for i in indicators.REGISTRY if i.id in present]


def prefecture_table(view: ProgressView, indicator_id: str, lang: str = ui_text.DEFAULT_LANG) -> pd.DataFrame:
    """All prefectures' whole-stage targets for one indicator, in JIS order, with labelled columns.

    Columns: prefecture, target, actual, achievement (%), pace index (%), projected end value, monthly rate
    still needed, status (● 順調 / ▲ 注意 / ✖ 遅れ). Rates as % with one decimal. Prefectures without a target
    are listed with empty values. ``attrs['status']`` keeps the status codes for colouring.
    """
    df = view.all_targets
    if df.empty:
        return pd.DataFrame()
    df = df[(df["indicator"] == indicator_id) & df["prefecture_code"].notna() & df["target_group"].isna()]
    whole = df[df["fiscal_year"].isna()]
    df = whole if not whole.empty else df[df["fiscal_year"] == df["fiscal_year"].max()]
    df = df.set_index("prefecture_code")
    codes = ui_text.prefecture_codes()
    t = ui_text.t
    out = pd.DataFrame({t("col.prefecture", lang): [ui_text.prefecture_label(c, lang) for c in codes]})

    def col(name: str, scale: float = 1.0, digits: int | None = None) -> list:
        values = [df[name].get(c) if c in df.index else None for c in codes]
        return [float("nan") if v is None or pd.isna(v) else (round(v * scale, digits) if digits is not None else v)
                for v in values]  # fmt: skip

    out[t("prog.col_target", lang)] = col("target", digits=0)
    out[t("prog.col_actual", lang)] = col("actual")
    out[t("prog.col_achievement", lang)] = col("achievement", 100, 1)
    out[t("prog.col_pace", lang)] = col("pace_index", 100, 1)
    out[t("prog.col_projected", lang)] = col("projected_end_value", digits=0)
    out[t("prog.col_needed", lang)] = col("monthly_needed", digits=1)
    statuses = [df["status"].get(c) if c in df.index else None for c in codes]
    out[t("prog.col_status", lang)] = [status_label(s, lang) if s else "–" for s in statuses]
    out.attrs["status"] = statuses
    return out


def targets_summary(view: ProgressView, lang: str = ui_text.DEFAULT_LANG) -> pd.DataFrame:
    """The place's targets, one row each, as shown under the burn-up charts."""
    df = view.targets
    t = ui_text.t
    if df.empty:
        return pd.DataFrame()
    names = [(indicators.REGISTRY_BY_ID[i].en if lang == "en" else indicators.REGISTRY_BY_ID[i].ja)
             for i in df["indicator"]]  # fmt: skip
    return pd.DataFrame({
        t("prog.col_indicator", lang): names,
        t("prog.col_target", lang): df["target"].round(0),
        t("prog.col_actual", lang): df["actual"],
        t("prog.col_achievement", lang): (df["achievement"] * 100).round(1),
        t("prog.col_pace", lang): (df["pace_index"] * 100).round(1),
        t("prog.col_projected", lang): df["projected_end_value"].round(0),
        t("prog.col_needed", lang): df["monthly_needed"].round(1),
        t("prog.col_status", lang): [status_label(s, lang) for s in df["status"]],
    })  # fmt: skip


def burnup_table(series: pd.DataFrame, lang: str = ui_text.DEFAULT_LANG) -> pd.DataFrame:
    """A burn-up series with labelled columns (what the chart shows)."""
    t = ui_text.t
    return pd.DataFrame({
        t("prog.col_month", lang): [d.isoformat() for d in series["month_end"]],
        t("prog.col_cumulative", lang): series["actual"].astype("Int64"),
        t("prog.col_target_line", lang): series["target_line"].round(1),
        t("prog.col_projection", lang): series["projection"].round(1),
        t("prog.col_projection_low", lang): series["projection_low"].round(1),
        t("prog.col_projection_high", lang): series["projection_high"].round(1),
    })  # fmt: skip


def headline_table(lang: str = ui_text.DEFAULT_LANG) -> pd.DataFrame:
    """The national headline (Labour Force Survey, change since 2019): the goal and the published results.

    Columns: kind (目標 / 公表値), item, year, value (persons), source. ``attrs['goal']`` holds the goal.
    """
    df = progress.headline_series()
    df = df[df["measure"] == "regular_employees_change"]
    t = ui_text.t
    kinds = {"target": t("prog.kind_goal", lang), "result": t("prog.kind_result", lang)}
    out = pd.DataFrame({
        t("prog.col_kind", lang): [kinds.get(k, k) for k in df["kind"]],
        t("prog.col_item", lang): df["en" if lang == "en" else "ja"],
        t("prog.col_year", lang): df["reference_year"],
        t("prog.col_value", lang): df["value"],
        t("prog.col_source", lang): df["source_ja"],
    }).reset_index(drop=True)  # fmt: skip
    goals = df.loc[df["kind"] == "target", "value"]
    out.attrs["goal"] = float(goals.iloc[0]) if len(goals) else None
    out.attrs["is_result"] = list(df["kind"] == "result")
    return out


def stage_options() -> list[str]:
    return [s.name for s in load_stages()]
