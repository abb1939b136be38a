"""The progress page's frames: burn-up series per target, the prefecture table, and the national headline.

Numbers come from ``progress.compute_progress`` (targets, pace, projection, status) and ``indicators.compute``
(the cumulative actual month by month); nothing here redefines them. Shaped here so the page only renders.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from analytics.metrics import indicators, progress, reported
from analytics.metrics.stages import Stage, load_stages, load_thresholds, stage_for_fiscal_year
from analytics.text import ui_text
from analytics.views import memo
from analytics.views.filters import Filters

STATUS_LABELS: dict[str, tuple[str, str]] = {
    "on_track": ("順調", "On track"),
    "at_risk": ("注意", "At risk"),
    "off_track": ("遅れ", "Off track"),
    "not_started": ("未開始", "Not started"),
    "no_data": ("報告なし", "Nothing reported"),
}
STATUS_SYMBOLS: dict[str, str] = {"on_track": "●", "at_risk": "▲", "off_track": "✖", "not_started": "○",
                                  "no_data": "－"}


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
    if target.get("source") == "reported":
        return reported_burnup(con, target, as_of_date)
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
    """Targets, burn-ups and the stage's full progress table for the sidebar's filters.

    Without ``as_of_date`` the records run to the data's as-of date and reported figures to the last period
    reported (as ``python -m analytics progress`` without --as-of); a database with reported figures only takes
    its as-of date from them.
    """
    data_as_of = indicators.as_of(con) or reported_as_of(con)
    asof = as_of_date or data_as_of
    stage = choose_stage(filters, data_as_of)
    has_any = int(progress.latest_targets(con).shape[0]) > 0
    # The stage's table is the same for every place: computed once per data version (views/memo.py).
    frame = memo.shared(con, stage_progress, stage.name, as_of_date) if has_any else pd.DataFrame()
    targets = scope_targets(frame, filters)
    burnups = tuple(burnup(con, row, as_of_date) for row in targets.to_dict("records"))
    return ProgressView(stage, asof, data_as_of, targets, burnups, frame, has_any)


def reported_as_of(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The end of the latest period reported (None without reported figures)."""
    figs = reported.figures(con)
    return max(figs["period_end"]) if not figs.empty else None


def _target_measures(target: dict) -> list[str]:
    ind = target["indicator"]
    return reported.measures_for_indicator(ind) if ind in indicators.REGISTRY_BY_ID else [ind]


def reported_burnup(con: duckdb.DuckDBPyConnection, target: dict, as_of_date: dt.date | None = None) -> pd.DataFrame:
    """Burn-up of a target measured by reported figures: the same columns as :func:`burnup`.

    ``actual`` is the cumulative reported figure at the end of each period reported (a month end for monthly
    figures, the fiscal year's end for yearly ones, a cumulative figure's end date), empty in between: yearly
    figures are drawn as steps (``attrs['steps']``), never spread over invented months. The target line runs
    month by month; the projection runs from the day the actual reaches to the period's end at the row's run rate.
    """
    start, end = target["period_start"], target["period_end"]
    ends = _month_ends(start, end)
    total = progress.months_elapsed(start, end, end)
    figs = reported.figures(con)
    found = None
    for mid in _target_measures(target):
        found = reported.resolve(
            figs, mid, start, end, as_of_date, unit=target.get("unit") or reported.measure_unit(mid),
            prefecture_code=target.get("prefecture_code"), municipality_code=target.get("municipality_code"),
            target_group=target.get("target_group"), project=target.get("project"),
        )  # fmt: skip
        if found is not None:
            break
    points: dict[dt.date, float] = {}
    running = 0.0
    for piece in found.pieces if found is not None else ():
        running += float(piece["value"])
        points[piece["period_end"]] = running
    steps = found is not None and not found.is_monthly
    if steps:
        points[start] = 0.0
    days = sorted(set(ends) | set(points))
    rows = [{"month_end": d, "actual": points.get(d, float("nan")),
             "target_line": target["target"] * progress.months_elapsed(start, end, d) / total} for d in days]
    out = pd.DataFrame(rows, columns=["month_end", "actual", "target_line"])
    out["projection"] = out["projection_low"] = out["projection_high"] = float("nan")
    rate = target.get("run_rate_per_month")
    if found is not None and found.through < end and rate is not None and pd.notna(rate):
        elapsed_now = progress.months_elapsed(start, end, found.through)
        monthly = [float(p["value"]) for p in found.pieces if p["period_kind"] == "month"][-3:] or [rate]
        low, high = min([*monthly, rate]), max([*monthly, rate])
        for i, d in enumerate(out["month_end"]):
            k = progress.months_elapsed(start, end, d) - elapsed_now
            if k >= 0:
                out.loc[i, ["projection", "projection_low", "projection_high"]] = [
                    found.value + rate * k, found.value + low * k, found.value + high * k]
    out.attrs.update(indicator=target["indicator"], target=float(target["target"]), period_start=start,
                     period_end=end, as_of=found.through if found is not None else as_of_date, steps=steps,
                     source="reported")  # fmt: skip
    return out


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
    if "source" in df:  # issue 16: which source each prefecture's actual comes from
        sources = [df["source"].get(c) if c in df.index else None for c in codes]
        out[t("rep.col_source", lang)] = [reported.source_label(s, lang) if isinstance(s, str) else "–"
                                          for s in sources]  # fmt: skip
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


# -------------------------------------------------------------------------------------------------
# Reported figures: names, sources, the project KPI table (issue 16)
# -------------------------------------------------------------------------------------------------


def indicator_name(indicator_id: str, lang: str = ui_text.DEFAULT_LANG) -> str:
    """An indicator's name, or a measure's (registry or as written) for a target measured by reported figures."""
    ind = indicators.REGISTRY_BY_ID.get(indicator_id)
    if ind is not None:
        return ind.en if lang == "en" else ind.ja
    return reported.measure_label(indicator_id, lang)


def indicator_unit(row: dict, lang: str = ui_text.DEFAULT_LANG) -> str:
    ind = indicators.REGISTRY_BY_ID.get(row["indicator"])
    if ind is not None:
        return ind.unit_en if lang == "en" else ind.unit
    return str(row.get("unit") or "")


def indicator_help(indicator_id: str, lang: str = ui_text.DEFAULT_LANG) -> str | None:
    ind = indicators.REGISTRY_BY_ID.get(indicator_id)
    if ind is not None:
        return ind.definition if lang == "en" else ind.definition_ja
    from analytics.metrics import measures

    m = measures.MEASURES_BY_ID.get(indicator_id)
    return m.description_ja if m is not None else None


def _date_text(value: object, lang: str) -> str:
    if value is None or (not isinstance(value, dt.date) and pd.isna(value)):
        return ""
    return ui_text.format_date(pd.Timestamp(value).date(), lang)


def source_text(row: dict, lang: str = ui_text.DEFAULT_LANG) -> str:
    """「出所: 報告値（労働局）・2022年10月5日時点」 or 「出所: 記録（…）」 for a progress row."""
    if row.get("source") != "reported":
        return ui_text.t("rep.source_records", lang)
    # a figure whose file named no reporter says so, not 「報告値（報告値）」
    who = row.get("reported_by") or ui_text.t("rep.unknown_reporter", lang)
    vintage = _date_text(row.get("figure_vintage"), lang)
    if not vintage:
        return ui_text.t("rep.source_reported_novintage", lang, who=who)
    return ui_text.t("rep.source_reported", lang, who=who, vintage=vintage)


def actual_text(row: dict) -> str:
    """The actual as shown on a card: '270', or '－' when nothing is reported (never 0)."""
    value = row.get("actual")
    if value is None or pd.isna(value):
        return "－"
    return f"{value:,.0f}"


def period_text(row: dict, lang: str = ui_text.DEFAULT_LANG) -> str:
    """令和2年度〜令和6年度 (FY2020–FY2024) for a target's period (one year: 令和3年度 (FY2021))."""
    start, end = row["period_start"], row["period_end"]
    first, last = (start.year if start.month >= 4 else start.year - 1), (end.year if end.month >= 4 else end.year - 1)
    if first == last:
        return ui_text.fiscal_year_label(first, lang)
    if lang == "en":
        return f"FY{first}–FY{last}"
    wareki = [ui_text.fiscal_year_label(y, lang).split(" (")[0] for y in (first, last)]
    return f"{wareki[0]}〜{wareki[1]} (FY{first}–FY{last})"


def _source_columns(df: pd.DataFrame, lang: str) -> dict[str, list]:
    t = ui_text.t
    return {
        t("rep.col_source", lang): [reported.source_label(s, lang) if isinstance(s, str) else "" for s in df["source"]],
        t("rep.col_reported_by", lang): [w if isinstance(w, str) else "" for w in df["reported_by"]],
        t("rep.col_vintage", lang): [_date_text(v, lang) for v in df["figure_vintage"]],
    }


def targets_summary_with_source(view: ProgressView, lang: str = ui_text.DEFAULT_LANG) -> pd.DataFrame:
    """:func:`targets_summary` with each row's source, reporter and vintage (records or reported figure)."""
    df = view.targets
    if df.empty:
        return pd.DataFrame()
    t = ui_text.t
    out = pd.DataFrame({
        t("prog.col_indicator", lang): [indicator_name(i, lang) for i in df["indicator"]],
        t("rep.col_period", lang): [period_text(r, lang) for r in df.to_dict("records")],
        t("prog.col_target", lang): df["target"].round(0),
        t("prog.col_actual", lang): df["actual"].astype(float),
        t("prog.col_achievement", lang): (df["achievement"].astype(float) * 100).round(1),
        t("prog.col_pace", lang): (df["pace_index"].astype(float) * 100).round(1),
        t("prog.col_projected", lang): df["projected_end_value"].astype(float).round(0),
        t("prog.col_needed", lang): df["monthly_needed"].astype(float).round(1),
        t("prog.col_status", lang): [status_label(s, lang) for s in df["status"]],
    })  # fmt: skip
    for name, values in _source_columns(df, lang).items():
        out[name] = values
    out.attrs["status"] = list(df["status"])
    return out


def kpi_table(view: ProgressView, lang: str = ui_text.DEFAULT_LANG, prefecture_code: str | None = None) -> pd.DataFrame:
    """事業別 KPI: the place's targets that name a project (事業), one row each, with status and source.

    Columns: project, indicator, period, target, actual, achievement (%), pace (%), status, source, reporter,
    as of. ``attrs['status']`` keeps the status codes for colouring. Empty when no target names a project.
    """
    df = view.all_targets
    if df.empty or "project" not in df:
        return pd.DataFrame()
    df = df[df["project"].notna()]
    df = df[(df["prefecture_code"] == prefecture_code) if prefecture_code else df["prefecture_code"].isna()]
    if df.empty:
        return pd.DataFrame()
    t = ui_text.t
    unit = [str(u) if isinstance(u, str) else "" for u in df["unit"]]
    out = pd.DataFrame({
        t("rep.col_project", lang): list(df["project"]),
        t("prog.col_indicator", lang): [f"{indicator_name(i, lang)}（{u}）" if u else indicator_name(i, lang)
                                        for i, u in zip(df["indicator"], unit, strict=True)],
        t("rep.col_period", lang): [period_text(r, lang) for r in df.to_dict("records")],
        t("prog.col_target", lang): df["target"].astype(float).round(0).to_numpy(),
        t("prog.col_actual", lang): df["actual"].astype(float).to_numpy(),
        t("prog.col_achievement", lang): (df["achievement"].astype(float) * 100).round(1).to_numpy(),
        t("prog.col_pace", lang): (df["pace_index"].astype(float) * 100).round(1).to_numpy(),
        t("prog.col_status", lang): [status_label(s, lang) for s in df["status"]],
    })  # fmt: skip
    for name, values in _source_columns(df, lang).items():
        out[name] = values
    out.attrs["status"] = list(df["status"])
    return out.reset_index(drop=True)
