"""The indicator registry and engine: one definition per number, computed by DuckDB from the facts.

Every chart, page, report and export reads its numbers from :func:`compute` (and :func:`region_comparison`,
:func:`cohort_curve`). The registry (:data:`REGISTRY`) drives the CLI columns and the catalogue
``docs/indicators.md`` (regenerate with ``python -m analytics.metrics.indicators``).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import duckdb
import numpy as np
import pandas as pd

from analytics import config, db
from analytics.access import scope
from analytics.metrics import facts, stats

if TYPE_CHECKING:
    from analytics.access.auth import Viewer

# ---------------------------------------------------------------------------------------------
# Dimensions and filters
# ---------------------------------------------------------------------------------------------

# Grouping and filter columns, in output order. "national" = no geographic column.
DIMENSIONS: tuple[str, ...] = (
    "fiscal_year", "fiscal_quarter", "month", "prefecture_code", "municipality_code", "target_group",
    "agency_type", "gender", "age_band",
)
# Time dimensions from finest to coarsest: a cohort's period is the finest one grouped by.
TIME_DIMENSIONS: tuple[str, ...] = ("month", "fiscal_quarter", "fiscal_year")
DIMENSION_ALIASES: dict[str, str] = {
    "prefecture": "prefecture_code", "municipality": "municipality_code", "fy": "fiscal_year",
    "quarter": "fiscal_quarter", "national": "",
}
ROWS_NEED_NOT_ADD_UP = (
    "人数は各行の中で重複を除いて数えるため、行の合計は全体の人数と一致しないことがあります "
    "(persons are distinct within each row: group rows need not add up to the total)."
)

Kind = Literal["count", "rate", "median"]


@dataclass(frozen=True)
class Indicator:
    """One registered indicator. ``sql`` names the grain file in ``analytics/sql`` that computes it."""

    id: str
    ja: str
    en: str
    kind: Kind
    unit: str                   # 件 | 人 | 率 | 日
    unit_en: str
    category: str               # reach | outcome | cohort | quality | data_quality
    grain: str                  # what one counted unit is
    sql: str
    definition_ja: str
    definition: str
    numerator: str = ""
    denominator: str = ""
    window: str = ""
    window_months: int | None = None
    attribution: str = ""
    caveats: tuple[str, ...] = ()
    practice: str = ""
    higher_is_better: bool | None = True
    is_cohort: bool = False
    tests: tuple[str, ...] = field(default=())  # test functions in tests/metrics/test_indicators.py

    @property
    def columns(self) -> tuple[str, ...]:
        """The output columns this indicator adds to :func:`compute`, in order."""
        if self.kind == "rate":
            cols = [self.id, f"{self.id}_numerator", f"{self.id}_denominator", f"{self.id}_ci_low",
                    f"{self.id}_ci_high", f"{self.id}_is_small"]
            if self.is_cohort:
                cols.append(f"{self.id}_is_final")
            return tuple(cols)
        if self.kind == "median":
            return (self.id, f"{self.id}_n")
        return (self.id,)


_CONSULT_ATTR = ("A consultation counts where (prefecture, municipality), when (date) and for whom (target "
                 "group, agency type, gender, age band) it was recorded.")
_COHORT_ATTR = ("The person belongs to the period, region, target group, agency type, gender and age band of "
                "their first consultation ever (ties on one day: earliest batch, then row).")
_PLACEMENT_ATTR = ("By the placement date. Region and target group: the placement's own values when sent; "
                   "otherwise the person's reference consultation = the latest consultation on or before the "
                   "placement date, else the first consultation. A placement with only a prefecture keeps the "
                   "person's municipality only if it lies in that prefecture. Agency type, gender and age band "
                   "always come from the reference consultation.")
_DISTINCT = "Persons are distinct within each row: group rows need not add up to the total."
_BEFORE = ("Placements dated before the person's first consultation are not outcomes of support: left out "
           "here, counted in placements_before_first_consultation.")
_UNLINKED = ("Placements whose person has no consultation are kept (attributed by their own region/group "
             "only, otherwise shown with an empty region/group) and counted in unlinked_placements.")
_AGE = ("Age band from the recorded age, else the consultation's calendar year minus birth year: 35-39, "
        "40-44, 45-49, 50-54, other (incl. unknown).")
_WHP = ("UK Work and Health Programme statistics: outcomes followed per start cohort over fixed time, never "
        "cumulative outcomes divided by cumulative starts.")
_EUYG = ("EU Youth Guarantee indicator framework: the situation at a fixed time after entry, counting "
         "negative and unknown outcomes in the denominator (here: no recorded placement = not placed).")

REGISTRY: tuple[Indicator, ...] = (
    Indicator(
        "consultations", "相談件数", "Consultations", "count", "件", "consultations", "reach",
        "consultation record", "indicators/consultation_counts",
        "期間内の相談記録の件数（同一人物の複数回の相談をそれぞれ数える）。",
        "Number of consultation records dated in the period; every consultation of the same person counts.",
        attribution=_CONSULT_ATTR,
        caveats=("Duplicates (same person, date, agency type and name) are removed at load time.",),
        practice="Activity count, as agencies report 相談件数; not an outcome.",
        tests=("test_counts_by_fiscal_year_with_person_spanning_two_years",),
    ),
    Indicator(
        "persons", "実支援者数", "Persons supported", "count", "人", "persons", "reach",
        "person", "indicators/consultation_counts",
        "期間内に1回以上相談した人の実人数（重複除外）。",
        "Distinct persons with at least one consultation dated in the period.",
        attribution=_CONSULT_ATTR + " A person consulted in two prefectures counts once in each.",
        caveats=(_DISTINCT, "Persons are matched by the pseudonymised person_id; the same person under two "
                 "IDs (e.g. two agencies' numbering) counts twice."),
        practice="WIOA 'participants served' style distinct count.",
        tests=("test_counts_by_fiscal_year_with_person_spanning_two_years", "test_national_total_is_not_sum_of_rows"),
    ),
    Indicator(
        "new_persons", "新規相談者数", "New persons", "count", "人", "persons", "reach",
        "person (start cohort)", "indicators/cohorts",
        "初回相談（データ上で最初の相談）が期間内にある人の数。",
        "Persons whose first consultation ever (in the data) falls in the period: the size of the start cohort.",
        attribution=_COHORT_ATTR,
        caveats=("'Ever' means in the loaded data: persons who consulted before records begin look new at the "
                 "start of the series.",),
        practice=_WHP,
        tests=("test_counts_by_fiscal_year_with_person_spanning_two_years",),
    ),
    Indicator(
        "outreach_consultations", "アウトリーチ相談件数", "Outreach consultations", "count", "件",
        "consultations", "reach", "consultation record", "indicators/consultation_counts",
        "相談方法がアウトリーチ（訪問・出張相談）である相談の件数。",
        "Consultations whose channel is outreach (home visits, off-site consultations).",
        attribution=_CONSULT_ATTR,
        caveats=("Channels not recognised at load time become 'other', so outreach may be under-counted.",),
        practice="Activity count (reach of the hardest-to-reach, group 3).",
        tests=("test_counts_by_fiscal_year_with_person_spanning_two_years",),
    ),
    Indicator(
        "placed_persons", "就職者数", "Placed persons", "count", "人", "persons", "outcome",
        "person", "indicators/placement_counts",
        "期間内に就職（正社員・非正規）した人の実人数。",
        "Distinct persons with a regular or non-regular employment placement dated in the period.",
        attribution=_PLACEMENT_ATTR,
        caveats=(_DISTINCT, _BEFORE, _UNLINKED),
        practice="Outcome count by outcome date, as Hello Work counts placements of the generation.",
        tests=("test_outcome_counts_attribution_and_exclusions",),
    ),
    Indicator(
        "regular_placed_persons", "正社員就職者数", "Regular placed persons", "count", "人", "persons",
        "outcome", "person", "indicators/placement_counts",
        "期間内に正社員として就職した人の実人数。",
        "Distinct persons with a regular employment placement dated in the period.",
        attribution=_PLACEMENT_ATTR,
        caveats=(_DISTINCT, _BEFORE, _UNLINKED, "A flow from program records: never add it to, or compare it "
                 "directly with, the Labour Force Survey stock change of the national headline target."),
        practice="Outcome count by outcome date (program records, a flow).",
        tests=("test_outcome_counts_attribution_and_exclusions", "test_group_change_attribution"),
    ),
    Indicator(
        "regular_placements", "正社員就職件数", "Regular placements", "count", "件", "placements", "outcome",
        "placement record", "indicators/placement_counts",
        "期間内の正社員就職の件数（同一人物の複数の就職をそれぞれ数える）。",
        "Number of regular employment placements dated in the period (a count of placements, as the Hello "
        "Work KPI counts).",
        attribution=_PLACEMENT_ATTR,
        caveats=(_BEFORE, _UNLINKED),
        practice="Hello Work KPI (正社員就職件数).",
        tests=("test_outcome_counts_attribution_and_exclusions",),
    ),
    Indicator(
        "training_persons", "職業訓練等移行者数", "Persons moving into training", "count", "人", "persons",
        "outcome", "person", "indicators/placement_counts",
        "期間内に職業訓練・資格取得へ移行した人の実人数。",
        "Distinct persons with a training outcome dated in the period.",
        attribution=_PLACEMENT_ATTR, caveats=(_DISTINCT, _BEFORE, _UNLINKED),
        practice="EU Youth Guarantee counts entry into education/training as a positive outcome.",
        tests=("test_outcome_counts_attribution_and_exclusions",),
    ),
    Indicator(
        "social_participation_persons", "社会参加移行者数", "Persons moving into social participation", "count",
        "人", "persons", "outcome", "person", "indicators/placement_counts",
        "期間内に社会参加（就労体験・居場所参加等）へ移行した人の実人数。対象者区分3で最も重要な成果。",
        "Distinct persons with a social participation outcome dated in the period: the outcome that matters "
        "most for group 3 (support toward social participation).",
        attribution=_PLACEMENT_ATTR, caveats=(_DISTINCT, _BEFORE, _UNLINKED),
        practice="Intermediate ('distance travelled') outcome, reported beside employment, not instead of it.",
        tests=("test_outcome_counts_attribution_and_exclusions",),
    ),
    Indicator(
        "regular_within_6m_rate", "6か月以内正社員就職率", "Regular placement within 6 months", "rate", "率",
        "fraction 0-1", "cohort", "person (start cohort)", "indicators/cohorts",
        "初回相談が期間内にある人のうち、初回相談から6か月以内（暦月、当日を含む）に正社員就職した人の割合。",
        "Share of the start cohort (persons whose first consultation falls in the period) with a regular "
        "placement on or after the first consultation and within 6 calendar months of it.",
        numerator="Cohort members with a regular placement dated from the first consultation up to first "
                  "consultation + 6 calendar months, inclusive.",
        denominator="Cohort members (new_persons) — every one, whatever their outcome or its absence.",
        window="6 calendar months from the first consultation, inclusive (2021-04-15 → 2021-10-15). Reported "
               "only once the window of the period's last possible member has elapsed on or before the "
               "as-of date; until then the rate and interval are empty and _is_final is false, while the "
               "numerator and denominator so far are shown.",
        window_months=6, attribution=_COHORT_ATTR,
        caveats=("Grouped by the cohort's period (first consultation), not the outcome's date.", _BEFORE,
                 "Without a time column in the grouping, the period is the filtered fiscal years (or runs to "
                 "the as-of date when there is no filter, and is then never final).",
                 "95% Wilson interval; denominators under 10 flagged (_is_small)."),
        practice=_WHP + " " + _EUYG, is_cohort=True,
        tests=("test_cohort_rates_windows_and_finality", "test_unfinished_cohort_window_is_not_final"),
    ),
    Indicator(
        "placed_within_12m_rate", "12か月以内就職率", "Placement within 12 months", "rate", "率", "fraction 0-1",
        "cohort", "person (start cohort)", "indicators/cohorts",
        "初回相談が期間内にある人のうち、初回相談から12か月以内に就職（正社員・非正規）した人の割合。",
        "Share of the start cohort with a regular or non-regular employment placement on or after the first "
        "consultation and within 12 calendar months of it.",
        numerator="Cohort members whose first employment on or after the first consultation is dated within "
                  "12 calendar months of it, inclusive.",
        denominator="Cohort members (new_persons).",
        window="12 calendar months from the first consultation, inclusive; final rule as for "
               "regular_within_6m_rate.",
        window_months=12, attribution=_COHORT_ATTR,
        caveats=("Grouped by the cohort's period, not the outcome's date.", _BEFORE,
                 "95% Wilson interval; denominators under 10 flagged (_is_small)."),
        practice=_WHP + " " + _EUYG, is_cohort=True,
        tests=("test_cohort_rates_windows_and_finality", "test_unfinished_cohort_window_is_not_final"),
    ),
    Indicator(
        "retention_6m_rate", "6か月定着率", "6-month retention", "rate", "率", "fraction 0-1", "quality",
        "placement record", "indicators/placement_counts",
        "期間内の正社員就職のうち、6か月後の定着状況が分かっているものに占める定着の割合。",
        "Among regular placements dated in the period whose 6-month retention is known, the share retained.",
        numerator="Regular placements in the period with retained_6m = true.",
        denominator="Regular placements in the period with retained_6m known (true or false).",
        window="6 months after the placement, as recorded by the agency.",
        attribution=_PLACEMENT_ATTR,
        caveats=("Unknown retention is excluded from the denominator (unlike the EU Youth Guarantee, which "
                 "keeps unknowns): compare the denominator with regular_placements to see how much is known.",
                 "Recent placements cannot be known yet: the latest months rest on few cases.", _BEFORE,
                 "95% Wilson interval; denominators under 10 flagged (_is_small)."),
        practice="WIOA 'employment rate 2nd quarter after exit' style follow-up of job retention.",
        tests=("test_retention_rate_and_zero_denominator",),
    ),
    Indicator(
        "median_days_to_placement", "就職までの日数（中央値）", "Median days to placement", "median", "日", "days",
        "cohort", "person", "indicators/placement_counts",
        "初回相談後の最初の就職（正社員・非正規）が期間内にある人について、初回相談からその就職までの日数の中央値。",
        "For persons whose first employment placement (regular or non-regular) on or after their first "
        "consultation falls in the period, the median number of days from the first consultation to it.",
        numerator="", denominator="Persons whose first employment falls in the period (column _n).",
        window="None (all elapsed time); by the placement's date.",
        attribution=_PLACEMENT_ATTR,
        caveats=("Only placed persons enter: persons not (yet) placed are not in it, so it shortens when "
                 "recent periods are included. Read it with the cohort curve.", _BEFORE,
                 "Median of an even count is the mean of the two middle values."),
        practice="UK Work and Health Programme reports time from start to first job outcome per cohort.",
        higher_is_better=False,
        tests=("test_median_days_to_placement",),
    ),
    Indicator(
        "unlinked_placements", "相談記録と突合できない就職等件数", "Unlinked placements", "count", "件",
        "placements", "data_quality", "placement record", "indicators/placement_counts",
        "相談記録のない個人IDの就職等の件数（データ品質指標）。",
        "Placement records whose person has no consultation in the data (a data quality indicator).",
        attribution="By the placement's own date, region and group (empty when not sent).",
        caveats=("Usually a sign that an agency's consultation file has not been loaded or that IDs differ "
                 "between files.",),
        practice="Reported, never silently dropped.", higher_is_better=False,
        tests=("test_outcome_counts_attribution_and_exclusions",),
    ),
    Indicator(
        "placements_before_first_consultation", "初回相談前の就職等件数", "Placements before first consultation",
        "count", "件", "placements", "data_quality", "placement record", "indicators/placement_counts",
        "初回相談日より前の日付の就職等の件数（支援の成果ではないため成果指標から除外）。",
        "Placement records dated before the person's first consultation; not outcomes of support, so left "
        "out of all outcome indicators and cohort rates, and counted here.",
        attribution=_PLACEMENT_ATTR, caveats=("Can also reveal date-entry errors (e.g. 和暦 era typos).",),
        practice="Reported, never silently dropped.", higher_is_better=False,
        tests=("test_outcome_counts_attribution_and_exclusions",),
    ),
)
REGISTRY_BY_ID: dict[str, Indicator] = {i.id: i for i in REGISTRY}


# ---------------------------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------------------------

def normalise_by(by: Iterable[str] | str | None) -> list[str]:
    """Validate grouping columns (aliases allowed: prefecture, municipality, national) in DIMENSIONS order."""
    if by is None:
        return []
    items = [b.strip() for b in (by.split(",") if isinstance(by, str) else by) if b and b.strip()]
    out: list[str] = []
    for item in items:
        name = DIMENSION_ALIASES.get(item, item)
        if name == "":
            continue
        if name not in DIMENSIONS:
            raise ValueError(f"集計軸 {item!r} は使えません。使える軸: {', '.join(DIMENSIONS)}")
        if name not in out:
            out.append(name)
    return [d for d in DIMENSIONS if d in out]


def normalise_filters(filters: dict[str, Any] | None) -> dict[str, list]:
    """Filters as {dimension: [values]} (scalars become one-element lists; prefecture codes zero-padded)."""
    out: dict[str, list] = {}
    for key, value in (filters or {}).items():
        name = DIMENSION_ALIASES.get(key, key)
        if name not in DIMENSIONS:
            raise ValueError(f"絞り込み {key!r} は使えません。使える項目: {', '.join(DIMENSIONS)}")
        if value is None:
            continue
        values = list(value) if isinstance(value, (list, tuple, set)) else [value]
        if name == "fiscal_year":
            values = [int(v) for v in values]
        elif name == "prefecture_code":
            values = [str(v).zfill(2) for v in values]
        elif name == "municipality_code":
            values = [str(v).zfill(5) for v in values]
        else:
            values = [str(v) for v in values]
        out[name] = values
    return out


def _open_period_end(filters: dict[str, list], as_of_date: dt.date | None) -> dt.date | None:
    """End of the cohort period when no time column is grouped by: the last filtered period, else as-of."""
    if "month" in filters:
        y, m = map(int, max(filters["month"]).split("-"))
        return (pd.Timestamp(year=y, month=m, day=1) + pd.offsets.MonthEnd(0)).date()
    if "fiscal_quarter" in filters:
        fy, q = max(filters["fiscal_quarter"]).split("-Q")
        start = pd.Timestamp(year=int(fy), month=4, day=1) + pd.DateOffset(months=3 * (int(q) - 1))
        return (start + pd.DateOffset(months=3) - pd.Timedelta(days=1)).date()
    if "fiscal_year" in filters:
        return dt.date(max(filters["fiscal_year"]) + 1, 3, 31)
    return as_of_date


def _params(filters: dict[str, list]) -> dict[str, Any]:
    params: dict[str, Any] = {f"f_{d}": filters.get(d) for d in DIMENSIONS}
    params.update(
        regular_window_months=REGISTRY_BY_ID["regular_within_6m_rate"].window_months,
        placed_window_months=REGISTRY_BY_ID["placed_within_12m_rate"].window_months,
        until=None,  # no cut by date (compute's ``until``)
    )
    return params


def period_end(df: pd.DataFrame, by: list[str], filters: dict[str, list], as_of_date: dt.date | None) -> pd.Series:
    """Last day of each row's cohort period, from the finest time column grouped by.

    month '2021-04' → 2021-04-30; fiscal_quarter '2021-Q4' → 2022-03-31; fiscal_year 2021 → 2022-03-31.
    With no time column: the end of the last filtered period, else the as-of date (an open cohort).
    """
    if "month" in by:
        ends = pd.to_datetime(df["month"].astype("string") + "-01", errors="coerce") + pd.offsets.MonthEnd(0)
    elif "fiscal_quarter" in by:
        parts = df["fiscal_quarter"].astype("string").str.extract(r"^(\d{4})-Q([1-4])$")
        start = pd.to_datetime(parts[0] + "-04-01", errors="coerce")
        months = (parts[1].astype("float64") - 1) * 3 + 3
        ends = pd.Series([s + pd.DateOffset(months=int(m)) - pd.Timedelta(days=1) if pd.notna(s) else pd.NaT
                          for s, m in zip(start, months.fillna(0), strict=True)],
                         index=df.index, dtype="datetime64[ns]")
    elif "fiscal_year" in by:
        ends = pd.to_datetime(df["fiscal_year"].astype("Int64").astype("string") + "-03-31", errors="coerce")
        ends = ends + pd.DateOffset(years=1)
    else:
        end = _open_period_end(filters, as_of_date)
        ends = pd.Series(pd.Timestamp(end) if end else pd.NaT, index=df.index, dtype="datetime64[ns]")
    return ends


def is_window_final(ends: pd.Series, months: int, as_of_date: dt.date | None) -> pd.Series:
    """True where period end + ``months`` calendar months is on or before the as-of date."""
    if as_of_date is None:
        return pd.Series(False, index=ends.index)
    closing = pd.Series([e + pd.DateOffset(months=months) if pd.notna(e) else pd.NaT for e in ends],
                        index=ends.index, dtype="datetime64[ns]")
    return (closing <= pd.Timestamp(as_of_date)).fillna(False).astype(bool)


def render_sql(name: str, by: list[str]) -> str:
    """The SQL of a grain file with ``{{dims}}`` replaced by whitelisted grouping columns."""
    for d in by:
        if d not in DIMENSIONS:  # never format anything else into SQL
            raise ValueError(d)
    return db.sql_text(name).replace("{{dims}}", "".join(f"{d}, " for d in by))


def run_grain(con: duckdb.DuckDBPyConnection, name: str, by: list[str], params: dict[str, Any]) -> pd.DataFrame:
    """Run one grain file grouped by ``by`` with bound parameters (within the active viewer's scope).

    The grain files read the derived facts: stale ones are rebuilt first, or refused on a read-only
    connection (``facts.FactsStaleError``), never read.
    """
    facts.ensure_current(con)
    params = scope.scope_params(scope.effective(None), by, params)
    sql = render_sql(name, by)
    return con.execute(sql, db.bind(sql, params)).df()


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------

def as_of(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The data's as-of date: the latest consultation or placement date (None on an empty database)."""
    row = con.execute("select as_of_date from facts_meta limit 1").fetchone()
    if row is None:
        row = con.execute(
            "select greatest((select max(consultation_date) from consultations),"
            " (select max(placement_date) from placements))").fetchone()
    value = row[0] if row else None
    return pd.Timestamp(value).date() if value is not None else None


@dataclass(frozen=True)
class Comparison:
    """How a period is compared with the one before it: the year-on-year rule (:func:`year_comparison`).

    ``previous_years`` are as many fiscal years as the period has, just before it. ``through`` is the
    first day of the last month compared when the period is still running (same period: April of the
    first year up to that month, against the same months one period earlier), None when it is finished
    (whole period against whole period).
    """

    fiscal_years: tuple[int, ...]
    previous_years: tuple[int, ...]
    through: dt.date | None = None

    @property
    def is_same_period(self) -> bool:
        return self.through is not None

    @property
    def last_month(self) -> int | None:
        """The calendar month the comparison runs to (9 = September), None for a whole-period comparison."""
        return self.through.month if self.through else None

    def months(self, shift_years: int = 0) -> list[str]:
        """The compared months ('2024-04', ...) of the period, or ``shift_years`` earlier; [] when finished."""
        if self.through is None:
            return []
        first = pd.Period(dt.date(self.fiscal_years[0] - shift_years, 4, 1), "M")
        last = pd.Period(self.through.replace(year=self.through.year - shift_years), "M")
        return [str(p) for p in pd.period_range(first, last, freq="M")]

    def previous_months(self) -> list[str]:
        return self.months(len(self.fiscal_years))

    def previous_filters(self, filters: dict[str, Any] | None = None) -> dict[str, list]:
        """``filters`` for the figure compared with: the time filters replaced by the previous period's
        fiscal years (finished) or its same months (running). Other filters are kept."""
        flt = {k: v for k, v in normalise_filters(filters).items() if k not in TIME_DIMENSIONS}
        if self.through is None:
            return flt | {"fiscal_year": list(self.previous_years)}
        return flt | {"month": self.previous_months()}


def year_comparison(fiscal_years: Iterable[int] | int, as_of_date: dt.date | str | None) -> Comparison:
    """The year-on-year rule: what a period's figure is compared with (see docs/indicators.md).

    A period still running on the as-of date (the as-of date falls in it, before its last month) is
    compared in whole months with the same months one period earlier: FY2024 with data to 2024-09-30
    compares April–September 2024 with April–September 2023. The as-of month counts as a whole month in
    both years. A finished period (as-of in or after its last month, March), one not started yet, or no
    as-of date compares whole periods: FY2023 with FY2022.
    """
    years = tuple(sorted({int(fiscal_years)} if isinstance(fiscal_years, (int, np.integer))
                         else {int(y) for y in fiscal_years}))  # fmt: skip
    if not years:
        raise ValueError("year_comparison needs at least one fiscal year")
    previous = tuple(y - len(years) for y in years)
    asof = pd.Timestamp(as_of_date).date() if as_of_date is not None else None
    start, last_month = dt.date(years[0], 4, 1), dt.date(years[-1] + 1, 3, 1)
    if asof is None or asof < start or asof >= last_month:
        return Comparison(years, previous)
    return Comparison(years, previous, asof.replace(day=1))


def compute(con: duckdb.DuckDBPyConnection, by: Iterable[str] | str | None = (),
            filters: dict[str, Any] | None = None, indicators: Iterable[str] | str | None = None,
            as_of_date: dt.date | str | None = None, *, viewer: Viewer | None = None,
            until: dt.date | str | None = None) -> pd.DataFrame:
    """Compute indicators: one row per group, columns = group columns + each indicator's columns.

    Grain: one row per combination of ``by`` (any of :data:`DIMENSIONS`; none = one national row).
    Columns, in :data:`REGISTRY` order: a count ``<id>``; a rate ``<id>`` (fraction 0-1),
    ``<id>_numerator``, ``<id>_denominator``, ``<id>_ci_low``, ``<id>_ci_high`` (95% Wilson),
    ``<id>_is_small`` (denominator < 10) and, for cohort rates, ``<id>_is_final``; a median ``<id>`` and
    ``<id>_n``. Zero denominators give NaN, never an error. ``df.attrs`` carries ``as_of`` and ``note``.
    Rows with an empty group value are records whose attribute is unknown (e.g. unlinked placements).
    Raises ``ValueError`` for an unknown dimension, filter or indicator id.
    ``viewer`` (an ``analytics.access.auth.Viewer``) applies the prefecture scope (:mod:`analytics.access.scope`):
    municipal detail is clamped to, or refused outside (``scope.ScopeError``), the viewer's prefecture.
    ``until`` (a date) counts only records dated on or before it, inclusive: consultations and placements by
    their date, cohorts by the first consultation (and their placements by date). The month filter alone
    cannot cut inside a month (progress as of 2023-06-10 must not count a placement of 06-15).
    Example: ``compute(con, by=["fiscal_year"], filters={"prefecture_code": "13"})``.
    """
    by_cols, flt = scope.scope_query(scope.effective(viewer), normalise_by(by), normalise_filters(filters))
    if indicators is None:
        selected = list(REGISTRY)
    else:
        ids = [i.strip() for i in (indicators.split(",") if isinstance(indicators, str) else indicators) if i.strip()]
        unknown = [i for i in ids if i not in REGISTRY_BY_ID]
        if unknown:
            raise ValueError(f"未登録の指標です: {', '.join(unknown)}（一覧: {', '.join(REGISTRY_BY_ID)}）")
        selected = [ind for ind in REGISTRY if ind.id in ids]
    facts.ensure_current(con)
    asof = pd.Timestamp(as_of_date).date() if as_of_date is not None else as_of(con)
    cut = pd.Timestamp(until).date() if until is not None else None
    fanned = _from_fan_out(con, by_cols, flt, selected, asof, cut, viewer)
    if fanned is not None:
        return fanned
    params = _params(flt) | {"until": cut}

    with scope.acting_as(scope.effective(viewer)):  # run_grain checks again, for the same viewer
        frames = [run_grain(con, _grain_file(name, by_cols, flt, cut), by_cols, params)
                  for name in dict.fromkeys(i.sql for i in selected)]
    merged = _merge(frames, by_cols)
    ends = period_end(merged, by_cols, flt, asof)
    out = _finish(merged, by_cols, selected, ends, asof)
    out.attrs.update(as_of=asof, note=ROWS_NEED_NOT_ADD_UP, by=by_cols, filters=flt)
    return out


# -- Prefecture fan-out (the warm-up after a load: every prefecture's pages are about to be asked for) ----------
_FAN_OUT: contextvars.ContextVar[dict | None] = contextvars.ContextVar("prefecture_fan_out", default=None)


@contextlib.contextmanager
def prefecture_fan_out() -> Iterator[None]:
    """Inside the block, a call for one prefecture is answered from one call grouped by prefecture.

    ``compute(by=B, filters={..., "prefecture_code": X})`` equals the rows of ``compute(by=["prefecture_code",
    *B], filters={...})`` whose prefecture is X (the same grain files, grouped instead of filtered by the same
    column). The grouped call costs about as much as a national one and answers all 47 prefectures, so the
    warm-up (``ui/warmup.py``) computes each page section once for the country instead of once per prefecture.
    Municipal requests, several prefectures, and a prefecture with no row at all (where the filtered call
    returns a row of zeros) are computed directly. The grouped results live only as long as the block: one
    warm-up of one data version.
    """
    token = _FAN_OUT.set({})
    try:
        yield
    finally:
        _FAN_OUT.reset(token)


def _from_fan_out(con: duckdb.DuckDBPyConnection, by: list[str], flt: dict[str, list], selected: list[Indicator],
                  asof: dt.date | None, cut: dt.date | None, viewer: Viewer | None) -> pd.DataFrame | None:
    cache = _FAN_OUT.get()
    prefs = flt.get("prefecture_code")
    if cache is None or not prefs or len(prefs) != 1 or "prefecture_code" in by or "municipality_code" in by \
            or flt.get("municipality_code"):  # fmt: skip
        return None
    rest = {k: v for k, v in flt.items() if k != "prefecture_code"}
    ids = tuple(i.id for i in selected)
    key = (tuple(by), tuple(sorted((k, tuple(v)) for k, v in rest.items())), ids, asof, cut,
           scope.scope_key(scope.effective(viewer)))  # fmt: skip
    if key not in cache:
        token = _FAN_OUT.set(None)
        try:
            cache[key] = compute(con, by=["prefecture_code", *by], filters=rest, indicators=list(ids),
                                 as_of_date=asof, viewer=viewer, until=cut)  # fmt: skip
        finally:
            _FAN_OUT.reset(token)
    grouped = cache[key]
    out = grouped[grouped["prefecture_code"] == prefs[0]].drop(columns="prefecture_code").reset_index(drop=True)
    if out.empty and not by:
        return None
    out.attrs.update(grouped.attrs)
    out.attrs.update(by=by, filters=flt)
    return out


# Person counts whose running total over months one query gives (placement_first_months.sql).
CUMULATIVE_IDS: tuple[str, ...] = (
    "placed_persons", "regular_placed_persons", "training_persons", "social_participation_persons",
)


def cumulative_by_month(con: duckdb.DuckDBPyConnection, indicator_id: str, months: list[str],
                        filters: dict[str, Any] | None = None, *, viewer: Viewer | None = None) -> pd.Series:
    """Running distinct-person count of ``indicator_id`` over ``months`` ('2023-04', ...), in one query.

    Value at month m = ``compute(con, filters={**filters, "month": months[: i + 1]}, indicators=[id])`` (the
    burn-up's actual line), computed from each person's first qualifying month instead of one engine call per
    month. Grain: one value per month of ``months``, in that order (index: month). Unit: 人. Only for
    :data:`CUMULATIVE_IDS`; other ids raise ``ValueError``. The viewer's prefecture scope applies (run_grain).
    """
    if indicator_id not in CUMULATIVE_IDS:
        raise ValueError(f"累積の月次系列に対応していない指標です: {indicator_id}")
    _, flt = scope.scope_query(scope.effective(viewer), [], normalise_filters({**(filters or {}), "month": months}))
    facts.ensure_current(con)
    with scope.acting_as(scope.effective(viewer)):
        df = run_grain(con, "indicators/placement_first_months", [], _params(flt))
    new = df[df["indicator"] == indicator_id].set_index("month")["persons"]
    return pd.Series([int(new.get(m, 0)) for m in months], index=months, dtype="int64").cumsum()


def _grain_file(name: str, by: list[str], filters: dict[str, list], until: dt.date | None = None) -> str:
    """The national, unfiltered variant of a grain file when there is one (same definitions, faster)."""
    if not by and not filters and until is None and (db.SQL_DIR / f"{name}_national.sql").exists():
        return f"{name}_national"
    return name


def _merge(frames: list[pd.DataFrame], by: list[str]) -> pd.DataFrame:
    if not by:
        return pd.concat([f.reset_index(drop=True) for f in frames], axis=1)
    for f in frames:
        if "fiscal_year" in f:
            f["fiscal_year"] = f["fiscal_year"].astype("Int64")
        for d in by:
            if d != "fiscal_year":
                f[d] = f[d].astype("object")
    return functools.reduce(lambda a, b: a.merge(b, on=by, how="outer"), frames)


def _finish(df: pd.DataFrame, by: list[str], selected: list[Indicator], ends: pd.Series,
            asof: dt.date | None) -> pd.DataFrame:
    out = pd.DataFrame(index=df.index)
    for d in by:
        out[d] = df[d].astype("Int64") if d == "fiscal_year" else df[d].where(df[d].notna(), None)
    for ind in selected:
        if ind.kind == "count":
            out[ind.id] = df[ind.id].fillna(0).astype("int64")
        elif ind.kind == "median":
            out[ind.id] = df[ind.id].astype("float64")
            out[f"{ind.id}_n"] = df[f"{ind.id}_n"].fillna(0).astype("int64")
        else:
            num = df[f"{ind.id}_numerator"].fillna(0).astype("int64")
            den = df[f"{ind.id}_denominator"].fillna(0).astype("int64")
            rate = pd.Series(stats.safe_rate(num.to_numpy(), den.to_numpy()), index=df.index)
            low, high = stats.wilson_interval(num.to_numpy(), den.to_numpy())
            low, high = pd.Series(low, index=df.index), pd.Series(high, index=df.index)
            if ind.is_cohort:
                final = is_window_final(ends, ind.window_months or 0, asof)
                rate, low, high = rate.where(final), low.where(final), high.where(final)
            out[ind.id] = rate
            out[f"{ind.id}_numerator"] = num
            out[f"{ind.id}_denominator"] = den
            out[f"{ind.id}_ci_low"] = low
            out[f"{ind.id}_ci_high"] = high
            out[f"{ind.id}_is_small"] = den < stats.SMALL_DENOMINATOR
            if ind.is_cohort:
                out[f"{ind.id}_is_final"] = final
    if by:
        out = out.sort_values(by, na_position="last", kind="stable").reset_index(drop=True)
    return out


def region_comparison(con: duckdb.DuckDBPyConnection, indicator_id: str, level: str = "prefecture",
                      filters: dict[str, Any] | None = None, as_of_date: dt.date | str | None = None,
                      *, viewer: Viewer | None = None) -> pd.DataFrame:
    """Compare places on one rate fairly: rate, denominator, reference rate and funnel limits.

    Grain: one row per prefecture (``level='prefecture'``) or municipality (``'municipality'``; filter a
    prefecture to compare within it). The reference rate is the pooled rate of all rows (numerator sum ÷
    denominator sum, places with unknown region included). Limits: 95% and 99.8% funnel limits for each
    row's denominator (:func:`analytics.metrics.stats.funnel_limits`). ``position`` is one of above_998,
    above_95, within, below_95, below_998, or None when the rate is missing (zero denominator, or a
    cohort not yet final). Raises ``ValueError`` if the indicator is not a rate. ``viewer`` applies the
    prefecture scope: a planner's municipal comparison is limited to their own prefecture.
    """
    ind = REGISTRY_BY_ID.get(indicator_id)
    if ind is None or ind.kind != "rate":
        raise ValueError(f"{indicator_id!r} は率の指標ではありません（地域比較は率のみ）")
    col = {"prefecture": "prefecture_code", "municipality": "municipality_code"}.get(level)
    if col is None:
        raise ValueError("level は 'prefecture' か 'municipality' です")
    df = compute(con, by=[col], filters=filters, indicators=[indicator_id], as_of_date=as_of_date, viewer=viewer)
    num, den = df[f"{ind.id}_numerator"], df[f"{ind.id}_denominator"]
    reference = float(num.sum() / den.sum()) if den.sum() > 0 else float("nan")
    is_final = df[f"{ind.id}_is_final"] if ind.is_cohort else pd.Series(True, index=df.index)
    out = pd.DataFrame({
        col: df[col],
        "rate": df[ind.id],
        "numerator": num,
        "denominator": den,
        "ci_low": df[f"{ind.id}_ci_low"],
        "ci_high": df[f"{ind.id}_ci_high"],
        "reference_rate": reference,
    })
    l95, h95 = stats.funnel_limits(reference, den.to_numpy(), stats.Z_95)
    l998, h998 = stats.funnel_limits(reference, den.to_numpy(), stats.Z_998)
    out["lower_95"], out["upper_95"], out["lower_998"], out["upper_998"] = l95, h95, l998, h998
    rate = out["rate"]
    out["position"] = np.select(
        [rate.isna(), rate > out["upper_998"], rate > out["upper_95"], rate < out["lower_998"],
         rate < out["lower_95"]],
        [None, "above_998", "above_95", "below_998", "below_95"], default="within")
    out["position"] = out["position"].where(rate.notna(), None)
    out["is_small"] = den < stats.SMALL_DENOMINATOR
    out["is_final"] = is_final.astype(bool)
    out.attrs.update(df.attrs, indicator=indicator_id, reference_rate=reference)
    return out


def cohort_curve(con: duckdb.DuckDBPyConnection, by: Iterable[str] | str | None = ("fiscal_year",),
                 filters: dict[str, Any] | None = None, max_months: int = 24,
                 as_of_date: dt.date | str | None = None, *, viewer: Viewer | None = None) -> pd.DataFrame:
    """Cumulative placement curve per start cohort: share placed within k months of first consultation.

    Grain: one row per cohort group (``by``, default fiscal year of first consultation) × month k =
    0..``max_months``. Columns: group columns, ``months_since_first_consultation``, ``cohort_persons``,
    ``placed_persons`` (first employment on or after the first consultation within k calendar months),
    ``rate`` (fraction 0-1), ``ci_low``/``ci_high`` (95% Wilson), ``is_final`` (period end + k months on
    or before the as-of date; points not final have an empty rate). ``viewer`` applies the prefecture
    scope as in :func:`compute`.
    """
    by_cols, flt = scope.scope_query(scope.effective(viewer), normalise_by(by), normalise_filters(filters))
    facts.ensure_current(con)
    asof = pd.Timestamp(as_of_date).date() if as_of_date is not None else as_of(con)
    params = _params(flt) | {"max_months": int(max_months)}
    with scope.acting_as(scope.effective(viewer)):
        raw = run_grain(con, "indicators/cohort_curve", by_cols, params)
    columns = [*by_cols, "months_since_first_consultation", "cohort_persons", "placed_persons", "rate",
               "ci_low", "ci_high", "is_final"]
    if raw.empty:
        return pd.DataFrame(columns=columns)
    key = by_cols or ["_all"]
    if not by_cols:
        raw["_all"] = 0
    rows = []
    raw["_end"] = period_end(raw, by_cols, flt, asof)
    for group, part in raw.groupby(key, dropna=False, sort=True):
        group = group if isinstance(group, tuple) else (group,)
        size = int(part["persons"].sum())
        end = part["_end"].iloc[0]
        months = part["months_to_placement"]
        for k in range(max_months + 1):
            placed = int(part.loc[months.notna() & (months <= k), "persons"].sum())
            final = bool(pd.notna(end) and asof is not None
                         and end + pd.DateOffset(months=k) <= pd.Timestamp(asof))
            rows.append((*group, k, size, placed, final))
    out = pd.DataFrame(rows, columns=[*key, "months_since_first_consultation", "cohort_persons",
                                      "placed_persons", "is_final"])
    if not by_cols:
        out = out.drop(columns="_all")
    low, high = stats.wilson_interval(out["placed_persons"].to_numpy(), out["cohort_persons"].to_numpy())
    out["rate"] = pd.Series(stats.safe_rate(out["placed_persons"].to_numpy(),
                                            out["cohort_persons"].to_numpy())).where(out["is_final"])
    out["ci_low"] = pd.Series(low).where(out["is_final"])
    out["ci_high"] = pd.Series(high).where(out["is_final"])
    if "fiscal_year" in out:
        out["fiscal_year"] = out["fiscal_year"].astype("Int64")
    out = out[columns]
    out.attrs.update(as_of=asof)
    return out


# ---------------------------------------------------------------------------------------------
# The catalogue (docs/indicators.md), generated from the registry
# ---------------------------------------------------------------------------------------------

DOCS_PATH = config.DOCS_DIR / "indicators.md"


def catalogue_markdown() -> str:
    """The text of docs/indicators.md, generated from :data:`REGISTRY` (see tests/test_docs.py)."""
    return _render_catalogue(REGISTRY)


_GENERAL_RULES = """\
## 共通の定義 (rules that apply to every indicator)

**Source and as-of date.** Every number is computed by DuckDB from the loaded program records
(`consultations`, `placements`) through the derived tables `person_facts` and `placement_facts`, which the
loader rebuilds in the same transaction as every load and rollback. The *as-of date* is the latest
consultation or placement date in the data (or a date given by the caller).

**Periods.** 年度 `fiscal_year` runs April–March and is named by its starting year (FY2021 = 2021-04-01 to
2022-03-31). `fiscal_quarter` is written `2021-Q1` (Q1 = April–June of FY2021). `month` is `2021-04`.

**Dimensions (group by any, filter by any).** `fiscal_year`, `fiscal_quarter`, `month`, national (no
geographic column), `prefecture_code`, `municipality_code`, `target_group`, `agency_type`, `gender`,
`age_band`. Age band: the recorded age, else the consultation's calendar year minus the birth year:
35–39, 40–44, 45–49, 50–54, other (including unknown). Filters apply to the same attribution as grouping.

**Attribution.** A consultation counts where, when and for whom it was recorded. A cohort member counts
with the attributes of their first consultation ever. A placement counts at its own date; its region and
target group are its own when the sender filled them in, otherwise the person's *reference consultation*:
the latest consultation on or before the placement date, else the person's first consultation. A
placement with only a prefecture keeps the person's municipality only if it lies in that prefecture.

**Distinct persons: rows need not add up.** Person counts are distinct *within each row*. A person who
consulted in FY2020 and FY2021, or in two prefectures, or moved from one target group to another, counts
once in each row but once in the total. Group rows therefore need not add up to the total; the CLI says so
on standard error and `compute()` puts the same note in `df.attrs["note"]`.

**Rows.** One row per group that has at least one record in the tables behind the requested indicators
(a group with consultations but no placements shows zero placements). An empty group value means the
attribute is unknown — for example an unlinked placement sent without a region.

**Rates.** Fractions between 0 and 1 (percent is display only). Each rate comes with its numerator,
denominator and a 95% Wilson score interval (`_ci_low`, `_ci_high`); a denominator under 10 is flagged
(`_is_small`); a zero denominator gives an empty value, never an error.

**Start cohorts and windows.** Cohort rates follow persons from their first consultation (start cohort)
for a fixed window of calendar months: first consultation 2021-04-15 → a 6-month window ends 2021-10-15,
inclusive. A group's rate is *final* (`_is_final`) only when the window of its last possible member
(period end + window) has elapsed on or before the as-of date; until then the rate and interval are empty
and the numerator and denominator so far are shown. Without a time column in the grouping, the period is
the filtered fiscal years (or, with no filter, runs to the as-of date and is never final).

**Year-on-year changes (前年度比 / 前年同期比)** follow `year_comparison()`, one rule for the overview's
cards, its summary sentence and the Excel/PDF reports. Comparisons are in whole months. A fiscal year still
running on the as-of date is compared with the same months of the year before, April to the as-of month:
with data to 2024-09-30, FY2024 (April–September 2024) against April–September 2023, labelled
「4〜9月の前年同期比」 ("vs same period last year (Apr–Sep)"). The as-of month counts as a whole month in
both years, because data are loaded by month and the as-of date (the latest record) often falls a few days
before the month's end (a weekend); if a load stops mid-month, that month of the running year is partial.
A finished year (the as-of date in its last month, March, or later), a year not started yet, and a
database without an as-of date compare whole years, labelled 「前年度比」 ("vs previous fiscal year"). A
period of several fiscal years (a stage, in reports) is compared in the same way with the same number of
years just before it. Both sides are computed by `compute()` with the same dimension filters: the same months through
the `month` filter. Rates by record date (`retention_6m_rate`) compare the same months' records; a cohort
rate of a running year is never final (its window runs past the as-of date), so it shows no change (the
reports' previous column gives the previous year's same-months cohort rate alone). Yearly series and the
monthly trend (month against the same month) are not affected.

**Placements before the first consultation** are not outcomes of support: they are excluded from every
outcome count and cohort rate, and counted in `placements_before_first_consultation`.
**Placements whose person has no consultation** (unlinked) stay in the outcome counts (they are program
records) with their own region and group, or an empty one, and are counted in `unlinked_placements`.

**Region comparison.** `region_comparison()` gives, for each prefecture (or municipality within a
prefecture), the rate, its denominator, the pooled reference rate and 95% / 99.8% funnel-plot control
limits, p0 ± z·√(p0(1−p0)/n) with z = 1.960 and 3.090, clipped to [0, 1] (Spiegelhalter 2005), so small
places are not ranked on noise.

**Records are flows; the national headline is a stock.** The headline target (+300,000 regular employees
of the generation against 2019) is a change in a stock measured by the Labour Force Survey (労働力調査).
It ships as a separate reference table (`analytics/reference/headline_lfs.csv`, with sources) and is shown
beside, never added to, the indicators below.

**Progress against targets** (`progress.compute_progress`): cumulative actual over the target's period up
to the as-of date; achievement = actual ÷ target; expected by now = target × elapsed months ÷ months in the
period (linear, monthly; the current month counts by the fraction of it elapsed); pace index = actual ÷
expected; projection = actual + recent run rate (last 3 months) × months left; monthly rate still needed =
(target − actual) ÷ months left; status on_track (pace ≥ 100%), at_risk (90–100%), off_track (< 90%),
thresholds in `analytics/metrics/stages.toml`. The latest target vintage is used unless another is asked for.
This follows US WIOA practice of scoring actual ÷ target per indicator (WIOA flags below 90% of the
target overall or below 50% on one indicator).

**Reported figures (集計値) and precedence** (`analytics/metrics/reported.py`, issue 16). Besides the records,
the product reads aggregate counts as reported (a labour bureau's monthly 正社員就職件数, a support station's
進路決定者数, a platform's KPI sheet): one row per figure in `reported_figures`, with its measure (the registry
below, or the name as written when unknown), unit, period, area, group, agency type, project, source and vintage.
- *Latest vintage per cell.* A cell is measure × unit × period × area × target group × agency type × project; a
  later vintage restating it (a cumulative table republished) is the one used, and both stay in the table.
- *A figure for a period* is the chain of non-overlapping, contiguous figures from the period's start that reaches
  furthest by the as-of date, with the fewest pieces: a figure reported for exactly the period, else a cumulative
  figure (累計 since the start) or months (or years) one after the other. Overlapping figures (a year and its
  months, two cumulative figures) are never added; the figure runs to the end of its last piece (`actual_through`).
- *A figure for an area* comes from that area's own figures; only when there are none, from the sum of its parts
  (prefectures for the nation, municipalities for a prefecture), all cut at the same day.
- *Units.* 件 (events) and 人 (persons) are different measures and never added; 万人 / 千件 are scaled at load.
- *Value statuses.* 「-」「―」 (none), 「x」 (suppressed), 「…」 (not yet available) and blanks are shown as what they
  mean and never counted as 0.
- *Precedence, one rule.* For any cell (measure × period × area × group) the product knows whether its value comes
  from records, from a reported figure, or both. `best` (the default everywhere: progress, reports, the CLI's
  `--source`) takes **the reported figure where one exists** (the official number the program publishes), else
  the records; `records` and `reported` take one source only. A count is taken from one source, never added
  across both, and every row names the source used (`source`: records | reported; the CLI's `indicators` says
  mixed when some counts of a row are reported and others come from records). The data-quality page shows records
  and reported figures side by side with their difference. The overview, regional and group pages keep the records
  and show a reported figure only where a place has no records, marked 「報告値」.
- *Records only.* Rates that need person linkage — cohort rates, retention, days to placement — and every rate and
  median in this catalogue stay records-only and say so; reported figures give counts.
- *Progress from reported figures.* A target measured by a reported figure (any period: `targets.period_start` /
  `period_end`; an annual target over several years is one target per year; a project's KPI; a measure the registry
  does not know) is measured at the day its figure runs to: months elapsed, expected by now and pace at
  `actual_through`; run rate = the mean of the last 3 monthly figures, or actual ÷ months elapsed when the figure
  ends in a year or a cumulative span; projection and status as above. `progress --as-of DATE` counts only figures
  whose period has ended by then (a cumulative figure by its end date). A target extended unchanged (FY2020–FY2022
  → FY2020–FY2024, a later vintage with the same start) replaces the earlier one; `--vintage` shows the earlier.
  A target with nothing reported and no records indicator has status `no_data` (報告なし), never 0.

**International practice followed.** Start cohorts followed over fixed windows, never cumulative outcomes
divided by cumulative starts (UK Work and Health Programme statistics); outcomes at fixed windows with
negative and unknown outcomes kept in the denominator (EU Youth Guarantee indicator framework); actual ÷
target per indicator with tolerance thresholds (US WIOA performance accountability).
"""


def _render_catalogue(registry: tuple[Indicator, ...]) -> str:
    """Markdown catalogue: general rules, a summary table, then one section per indicator."""
    kinds = {"count": "count 件数・人数", "rate": "rate 率 (0-1)", "median": "median 中央値"}
    better = {True: "higher", False: "lower", None: "neither"}
    lines = [
        "# 指標カタログ (Indicator catalogue)",
        "",
        "<!-- Generated from analytics/metrics/indicators.py (REGISTRY) by `python -m analytics.metrics.indicators`."
        " Do not edit by hand: tests/test_docs.py checks that this file is up to date. -->",
        "",
        "One definition per number. Every page, chart, report, export and the CLI "
        "(`python -m analytics indicators`) reads these indicators from the same registry and SQL files.",
        "",
        _GENERAL_RULES,
        "## 一覧 (summary)",
        "",
        "| id | 日本語名 | English | unit | kind | category | better |",
        "|---|---|---|---|---|---|---|",
    ]
    for ind in registry:
        lines.append(f"| `{ind.id}` | {ind.ja} | {ind.en} | {ind.unit} ({ind.unit_en}) | {kinds[ind.kind]} "
                     f"| {ind.category} | {better[ind.higher_is_better]} |")
    lines += _measure_catalogue()
    lines.append("")
    lines.append("## 指標 (indicators)")
    for ind in registry:
        lines += [
            "",
            f"### `{ind.id}` — {ind.ja} ({ind.en})",
            "",
            f"**定義** {ind.definition_ja}",
            "",
            f"**Definition.** {ind.definition}",
            "",
            "| | |",
            "|---|---|",
            f"| Unit | {ind.unit} ({ind.unit_en}) |",
            f"| Kind | {kinds[ind.kind]} |",
            f"| Counted unit (grain) | {ind.grain}; one output row per group of the chosen dimensions |",
        ]
        if ind.numerator:
            lines.append(f"| Numerator | {ind.numerator} |")
        if ind.denominator:
            lines.append(f"| Denominator | {ind.denominator} |")
        lines += [
            f"| Window | {ind.window or 'The period itself (by the date named under attribution).'} |",
            f"| Attribution | {ind.attribution} |",
            f"| Output columns | {', '.join(f'`{c}`' for c in ind.columns)} |",
            f"| Higher is better | {better[ind.higher_is_better]} |",
            f"| Practice followed | {ind.practice} |",
            f"| SQL | `analytics/sql/{ind.sql}.sql` |",
            f"| Tests | {', '.join(f'`{t}`' for t in ind.tests)} (tests/metrics/test_indicators.py) |",
            "",
            "Caveats:",
            "",
        ]
        lines += [f"- {c}" for c in ind.caveats] or ["- None beyond the general rules."]
    return "\n".join(lines) + "\n"


def _measure_catalogue() -> list[str]:
    """The measure registry (analytics/metrics/measures.py) as a table: what reported figures can count."""
    from analytics.metrics import measures

    lines = [
        "",
        "## 報告値の指標 (measures of reported figures)",
        "",
        "Generated from `analytics/metrics/measures.py` (`MEASURES`). Names as written in a file (日本語名 or an",
        "alias; full-width characters, spaces, a trailing unit in brackets and the 就職氷河期世代 prefix ignored)",
        "map onto the id. *Indicator* names the records indicator with the same meaning: the two are compared",
        "cell by cell on the data-quality page and chosen between by the precedence rule, never added. A measure",
        "not listed here is loaded under its own name and unit and can be charted and given targets; it never merges",
        "with a listed one.",
        "",
        "| id | 日本語名 | English | unit | indicator (same meaning) | names read as this measure | 定義 |",
        "|---|---|---|---|---|---|---|",
    ]
    for m in measures.MEASURES:
        indicator = f"`{m.indicator}`" if m.indicator else "— (reported only)"
        lines.append(f"| `{m.id}` | {m.ja} | {m.en} | {m.unit} | {indicator} | {'、'.join(m.aliases)} "
                     f"| {m.description_ja} |")
    return lines


def write_catalogue(path: Path = DOCS_PATH) -> Path:
    """Write the catalogue to ``docs/indicators.md`` (or ``path``)."""
    path.write_text(catalogue_markdown(), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# CLI: python -m analytics indicators
# ---------------------------------------------------------------------------------------------


if __name__ == "__main__":
    print(write_catalogue())
