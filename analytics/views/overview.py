"""The overview page's numbers: KPI cards with the change from the previous fiscal year, the monthly trend,
the split by target group, and the batches behind the data. Shaped here so the page only renders.

The change follows ``indicators.year_comparison``: a year still running is compared with the same months
of the year before (4〜9月の前年同期比), a finished year with the whole previous year (前年度比).

Every number comes from ``indicators.compute`` with the sidebar's filters (``Filters.to_indicator_filters``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from analytics.contract import TARGET_GROUPS
from analytics.metrics import indicators, reported
from analytics.text import ui_text
from analytics.views import status
from analytics.views.filters import Filters, municipality_label, stage_label

KPI_IDS: tuple[str, ...] = (
    "consultations",
    "persons",
    "new_persons",
    "regular_placed_persons",
    "regular_within_6m_rate",
    "retention_6m_rate",
)
TREND_IDS: tuple[str, ...] = ("consultations", "persons", "new_persons", "regular_placed_persons")
GROUP_COUNT_IDS: tuple[str, ...] = ("persons", "new_persons", "regular_placed_persons")
GROUP_RATE_IDS: tuple[str, ...] = ("regular_within_6m_rate", "retention_6m_rate")


@dataclass(frozen=True)
class Kpi:
    """One card: the value for the period, the figure it is compared with, the change, and a yearly series.

    ``previous`` is the previous fiscal year's figure over the period ``comparison`` names: the same months
    while the year is running, the whole year once it is finished (``indicators.year_comparison``).
    Counts: ``change`` is relative (0.032 = +3.2%). Rates (fractions 0-1): ``change`` is the difference in
    points (0.012 = +1.2 points). A cohort rate whose window has not closed has ``value`` None and
    ``is_final`` False; ``numerator``/``denominator`` are what is known so far.
    """

    id: str
    kind: str
    value: float | None
    previous: float | None
    change: float | None
    numerator: int | None = None
    denominator: int | None = None
    is_final: bool = True
    is_small: bool = False
    series: tuple[tuple[int, float], ...] = ()  # (fiscal_year, value) for the sparkline, oldest first
    comparison: indicators.Comparison | None = None  # what ``previous`` covers (None: no comparison made)
    source: str = "records"  # records | reported (a count of a scope without records: the reported figure)


@dataclass(frozen=True)
class Overview:
    """Everything the overview page shows for one set of filters."""

    filters: Filters
    fiscal_year: int | None  # the year the cards show (None: a stage, shown as its total)
    fiscal_years: tuple[int, ...]  # the period's years
    as_of: dt.date | None
    kpis: tuple[Kpi, ...]
    by_year: pd.DataFrame  # fiscal_year + KPI columns, the scope over every year
    monthly: pd.DataFrame  # fiscal_year, month, month_of_fy (1=April), TREND_IDS; period and previous year
    by_group: pd.DataFrame  # target_group + GROUP_COUNT_IDS + rates (with numerators/denominators)
    batches: pd.DataFrame  # the loaded batches behind the numbers
    is_empty: bool = False
    notes: tuple[str, ...] = field(default=())
    comparison: indicators.Comparison | None = None  # the cards' year-on-year rule (one fiscal year only)

    def kpi(self, indicator_id: str) -> Kpi:
        return next(k for k in self.kpis if k.id == indicator_id)


def _value(row: pd.Series | None, ind: indicators.Indicator) -> float | None:
    if row is None:
        return None
    value = row.get(ind.id)
    return None if value is None or pd.isna(value) else float(value)


def _change(kind: str, value: float | None, previous: float | None) -> float | None:
    if value is None or previous is None:
        return None
    if kind == "rate":
        return value - previous
    return (value - previous) / previous if previous else None


def period_years(filters: Filters, available: list[int]) -> list[int]:
    """The period's fiscal years: the filter's, else the latest year with data ([] on an empty database)."""
    years = filters.fiscal_years()
    if years:
        return years
    return [max(available)] if available else []


def build_overview(con: duckdb.DuckDBPyConnection, filters: Filters) -> Overview:
    """The overview for ``filters``: cards, yearly series, monthly trend, target-group split, batches.

    Grain of the frames: ``by_year`` one row per fiscal year of the scope (all years, for sparklines and the
    previous-year change); ``monthly`` one row per month of the period and of the year before it (only when
    the period is one fiscal year); ``by_group`` one row per target group in contract order.
    """
    scope = filters.without_period()
    flt_all = scope.to_indicator_filters()
    by_year = indicators.compute(con, by=["fiscal_year"], filters=flt_all, indicators=KPI_IDS)
    by_year = by_year[by_year["fiscal_year"].notna()].reset_index(drop=True)
    as_of = by_year.attrs.get("as_of") or indicators.as_of(con)
    years_with_data = [int(y) for y in by_year["fiscal_year"]]
    years = period_years(filters, years_with_data)
    batches = status.batches(con)
    batches = batches[batches["status"] == "loaded"].reset_index(drop=True) if not batches.empty else batches
    if not years:
        return Overview(filters, None, (), as_of, (), by_year, pd.DataFrame(), pd.DataFrame(), batches, True)

    single = len(years) == 1
    fy = years[0] if single else None
    period_flt = {**flt_all, "fiscal_year": years}
    if single:
        current = by_year[by_year["fiscal_year"] == fy]
        current_row = current.iloc[0] if len(current) else None
    else:
        total = indicators.compute(con, filters=period_flt, indicators=KPI_IDS)
        current_row = total.iloc[0] if len(total) else None
    comparison = indicators.year_comparison(fy, as_of) if single else None
    if comparison is not None and comparison.is_same_period:  # a running year: the same months a year earlier
        previous = indicators.compute(con, filters=comparison.previous_filters(flt_all), indicators=KPI_IDS)
    else:
        previous = by_year[by_year["fiscal_year"] == fy - 1] if single else by_year.iloc[0:0]
    previous_row = previous.iloc[0] if len(previous) else None

    kpis = []
    for ind_id in KPI_IDS:
        ind = indicators.REGISTRY_BY_ID[ind_id]
        value, prev = _value(current_row, ind), _value(previous_row, ind)
        series = tuple((int(y), float(v)) for y, v in zip(by_year["fiscal_year"], by_year[ind_id], strict=True)
                       if pd.notna(v))  # fmt: skip
        extra: dict = {}
        if ind.kind == "rate" and current_row is not None:
            extra = {
                "numerator": int(current_row[f"{ind_id}_numerator"]),
                "denominator": int(current_row[f"{ind_id}_denominator"]),
                "is_small": bool(current_row[f"{ind_id}_is_small"]),
                "is_final": bool(current_row.get(f"{ind_id}_is_final", True)),
            }
        kpis.append(Kpi(ind_id, ind.kind, value, prev, _change(ind.kind, value, prev), series=series,
                        comparison=comparison, **extra))  # fmt: skip

    if not _has_records(current_row):
        kpis = fill_from_reported(con, kpis, period_flt)

    month_years = [fy - 1, fy] if single else years
    monthly = indicators.compute(con, by=["fiscal_year", "month"], filters={**flt_all, "fiscal_year": month_years},
                                 indicators=TREND_IDS)  # fmt: skip
    monthly = monthly[monthly["month"].notna()].reset_index(drop=True)
    monthly["month_of_fy"] = [(int(m[5:7]) - 4) % 12 + 1 for m in monthly["month"]]

    by_group = indicators.compute(con, by=["target_group"], filters=period_flt,
                                  indicators=[*GROUP_COUNT_IDS, *GROUP_RATE_IDS])  # fmt: skip
    order = {c.code: i for i, c in enumerate(TARGET_GROUPS)}
    by_group = by_group[by_group["target_group"].isin(order)]
    by_group = by_group.sort_values("target_group", key=lambda s: s.map(order)).reset_index(drop=True)

    return Overview(filters, fy, tuple(years), as_of, tuple(kpis), by_year, monthly, by_group, batches,
                    comparison=comparison)  # fmt: skip


def _has_records(row: pd.Series | None) -> bool:
    """Whether the scope has any records in the period (a consultation or a placement counted)."""
    if row is None:
        return False
    return any(pd.notna(row.get(i)) and row.get(i) > 0 for i in KPI_IDS
               if indicators.REGISTRY_BY_ID[i].kind == "count")  # fmt: skip


def fill_from_reported(con: duckdb.DuckDBPyConnection, kpis: list[Kpi], filters: dict) -> list[Kpi]:
    """Count cards of a scope without records take the reported figure (``source='reported'``), issue 16.

    Only when the scope has no records in the period: the cards never mix or add the two sources. The change
    against the previous year is left out (its basis would be another source); rates stay records-only.
    """
    from dataclasses import replace

    ids = [k.id for k in kpis if k.kind == "count"]
    flt = indicators.normalise_filters(filters)
    rep = reported.reported_indicators(con, [], flt, ids)
    if rep.empty:
        return kpis
    row = rep.iloc[0]
    return [replace(k, value=float(row[k.id]), previous=None, change=None, source="reported")
            if k.id in rep.columns and pd.notna(row[k.id]) else k for k in kpis]  # fmt: skip


# -------------------------------------------------------------------------------------------------
# Labels and display tables
# -------------------------------------------------------------------------------------------------


def indicator_label(indicator_id: str, lang: str = ui_text.DEFAULT_LANG) -> str:
    ind = indicators.REGISTRY_BY_ID[indicator_id]
    return ind.en if lang == "en" else ind.ja


def unit_label(indicator_id: str, lang: str = ui_text.DEFAULT_LANG) -> str:
    """The axis unit: 件 / 人 / % (English: consultations, persons, %)."""
    ind = indicators.REGISTRY_BY_ID[indicator_id]
    if ind.kind == "rate":
        return "%"
    return ind.unit_en if lang == "en" else ind.unit


def format_value(kind: str, value: float | None, lang: str = ui_text.DEFAULT_LANG) -> str:
    """A count with separators (1,234) or a rate as a percentage with one decimal (25.4%)."""
    if value is None or pd.isna(value):
        return "–"
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind == "median":
        return f"{value:,.1f}"
    return ui_text.format_count(value, lang)


def format_change(kpi: Kpi, lang: str = ui_text.DEFAULT_LANG) -> str | None:
    """+3.2% for counts, +1.2pt (ポイント) for rates; None when there is nothing to compare."""
    if kpi.change is None or pd.isna(kpi.change):
        return None
    if kpi.kind == "rate":
        return f"{kpi.change * 100:+.1f}{'pt' if lang == 'en' else 'ポイント'}"
    return f"{kpi.change * 100:+.1f}%"


def months_label(
    comparison: indicators.Comparison | None, lang: str = ui_text.DEFAULT_LANG, *, previous: bool = False
) -> str:
    """The months a same-period comparison covers: 4〜9月 / Apr–Sep (4月 / Apr for April alone); a
    several-year period names its years (FY2023 4月〜FY2024 9月, or with ``previous`` the earlier period's
    FY2021 4月〜FY2022 9月). "" for a whole-period comparison."""
    if comparison is None or comparison.through is None:
        return ""
    last = comparison.through.month
    if len(comparison.fiscal_years) == 1:
        if lang == "en":
            return "Apr" if last == 4 else f"Apr–{_MONTHS_EN[last - 1]}"
        return "4月" if last == 4 else f"4〜{last}月"
    shift = len(comparison.fiscal_years) if previous else 0
    first_fy = comparison.fiscal_years[0] - shift
    last_fy = comparison.through.year - (1 if last < 4 else 0) - shift
    if lang == "en":
        return f"Apr FY{first_fy} – {_MONTHS_EN[last - 1]} FY{last_fy}"
    return f"FY{first_fy} 4月〜FY{last_fy} {last}月"


def comparison_label(comparison: indicators.Comparison | None, lang: str = ui_text.DEFAULT_LANG) -> str:
    """What a card's change compares: 4〜9月の前年同期比 while the year runs, 前年度比 once it is finished."""
    if comparison is not None and comparison.is_same_period:
        return ui_text.t("overview.vs_same_period", lang, months=months_label(comparison, lang))
    return ui_text.t("overview.vs_previous", lang)


def no_previous_label(comparison: indicators.Comparison | None, lang: str = ui_text.DEFAULT_LANG) -> str:
    """The card's note when there is nothing to compare with (前年同期（4〜9月）のデータなし / 前年度のデータなし)."""
    if comparison is not None and comparison.is_same_period:
        return ui_text.t("overview.no_previous_same_period", lang, months=months_label(comparison, lang))
    return ui_text.t("overview.no_previous", lang)


def period_label(overview: Overview, lang: str = ui_text.DEFAULT_LANG) -> str:
    """令和5年度 (FY2023), or the stage's years (令和5年度 (FY2023)〜令和6年度 (FY2024))."""
    years = overview.fiscal_years
    if not years:
        return ""
    if len(years) == 1:
        return ui_text.fiscal_year_label(years[0], lang)
    stage = overview.filters.stage_obj()
    if stage is not None and stage.fiscal_years == list(years):
        return stage_label(stage.name, lang)
    sep = " – " if lang == "en" else "〜"
    return f"{ui_text.fiscal_year_label(years[0], lang)}{sep}{ui_text.fiscal_year_label(years[-1], lang)}"


def group_label(code: str | None, lang: str = ui_text.DEFAULT_LANG) -> str:
    found = next((c for c in TARGET_GROUPS if c.code == code), None)
    if found is None:
        return ui_text.t("unknown", lang)
    return found.en if lang == "en" else found.ja


def scope_label(filters: Filters, lang: str = ui_text.DEFAULT_LANG) -> str:
    """全国 / 東京都 / 東京都 千代田区, with the chosen target groups and agency types in brackets."""
    pref = filters.municipality_code[:2] if filters.municipality_code else filters.prefecture_code
    place = ui_text.prefecture_label(pref, lang)
    if filters.municipality_code:
        place = f"{place} {municipality_label(filters.municipality_code, lang)}"
    from analytics.contract import AGENCY_TYPES

    parts = [group_label(g, lang) for g in filters.target_groups]
    parts += [next((a.en if lang == "en" else a.ja) for a in AGENCY_TYPES if a.code == c) for c in filters.agency_types]
    if parts:
        joined = ", ".join(parts) if lang == "en" else "・".join(parts)
        place = f"{place} ({joined})" if lang == "en" else f"{place}（{joined}）"
    return place


def yearly_table(overview: Overview, lang: str = ui_text.DEFAULT_LANG) -> pd.DataFrame:
    """KPIs per fiscal year with labelled columns (rates as % with one decimal)."""
    df = overview.by_year
    out = pd.DataFrame({ui_text.t("col.fiscal_year", lang): [ui_text.fiscal_year_label(y, lang)
                                                             for y in df["fiscal_year"]]})  # fmt: skip
    for ind_id in KPI_IDS:
        ind = indicators.REGISTRY_BY_ID[ind_id]
        col = indicator_label(ind_id, lang)
        out[col] = (
            [round(v * 100, 1) if pd.notna(v) else None for v in df[ind_id]] if ind.kind == "rate" else df[ind_id]
        )
    return out


def monthly_table(overview: Overview, indicator_id: str, lang: str = ui_text.DEFAULT_LANG) -> pd.DataFrame:
    """The monthly trend of one indicator, one row per month of the fiscal year, one column per year shown."""
    df = overview.monthly
    if df.empty:
        return pd.DataFrame()
    months = list(range(1, 13))
    names = [f"{(m + 2) % 12 + 1}月" if lang != "en" else _MONTHS_EN[(m + 2) % 12] for m in months]
    out = pd.DataFrame({ui_text.t("overview.col_month", lang): names})
    years = sorted({int(y) for y in df["fiscal_year"].dropna()})
    if overview.fiscal_year is None:  # a stage: months in calendar order, one column
        out = pd.DataFrame({
            ui_text.t("overview.col_month", lang): df["month"],
            indicator_label(indicator_id, lang): df[indicator_id].astype("int64"),
        })  # fmt: skip
        return out
    for fy in years:
        part = df[df["fiscal_year"] == fy].set_index("month_of_fy")[indicator_id]
        # a month with no record counts zero; a month after the as-of date is not known yet
        out[ui_text.fiscal_year_label(fy, lang)] = [
            int(part[m]) if m in part.index else (0 if _month_start(fy, m) <= _as_of_month(overview) else None)
            for m in months
        ]
    return out


def _month_start(fiscal_year: int, month_of_fy: int) -> dt.date:
    calendar_month = (month_of_fy + 2) % 12 + 1
    return dt.date(fiscal_year + (1 if calendar_month < 4 else 0), calendar_month, 1)


def _as_of_month(overview: Overview) -> dt.date:
    return overview.as_of.replace(day=1) if overview.as_of else dt.date.max


_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def group_table(overview: Overview, lang: str = ui_text.DEFAULT_LANG) -> pd.DataFrame:
    """Counts and rates per target group (rates as % with one decimal, their denominators beside)."""
    df = overview.by_group
    out = pd.DataFrame(
        {ui_text.t("overview.col_target_group", lang): [group_label(g, lang) for g in df["target_group"]]}
    )
    for ind_id in GROUP_COUNT_IDS:
        out[indicator_label(ind_id, lang)] = df[ind_id].astype("int64")
    for ind_id in GROUP_RATE_IDS:
        out[f"{indicator_label(ind_id, lang)} (%)"] = [round(v * 100, 1) if pd.notna(v) else None for v in df[ind_id]]
        out[f"{indicator_label(ind_id, lang)} {ui_text.t('overview.col_denominator', lang)}"] = df[
            f"{ind_id}_denominator"
        ].astype("int64")
    return out


def batches_table(overview: Overview, lang: str = ui_text.DEFAULT_LANG) -> pd.DataFrame:
    """The loaded batches behind the numbers (status.batches_table's columns)."""
    return status.batches_table(overview.batches, lang) if not overview.batches.empty else pd.DataFrame()
