"""Reported figures (集計値) read back: the latest vintage per cell, a figure for any period and area, and the
precedence rule between them and the records.

The loader (``analytics/ingest``) stores one row per figure cell in ``reported_figures`` (migration 011). This module
reads them through the scoped path (``indicators.run_grain`` on ``sql/reported/figures.sql``: municipal figures
only within the viewer's prefecture, :mod:`analytics.access.scope`) and answers "how much, for this measure, period
and area, according to what was reported?" — :func:`resolve` — without ever adding overlapping periods, 件 to 人,
or a total to its parts. The rule, documented in docs/indicators.md (reported figures and precedence):

1. **Latest vintage per cell.** A cell is measure × unit × period × area × target group × agency type × project. A
   later vintage restating the same cell (a cumulative table republished) wins; both rows stay in the table.
2. **A figure for a period** [start, end], cut at ``cutoff`` (the as-of date): the chain of non-overlapping,
   contiguous figures of the cell from ``start`` that reaches furthest by ``cutoff``, the fewest pieces among
   those. A figure reported for exactly the period is one piece; a cumulative figure (累計 since ``start``) is one
   piece ending at its end date; otherwise months (or years) follow each other. Figures that overlap are never
   added; a gap ends the chain (the figure runs to ``through``, the end of its last piece).
3. **A figure for an area** comes from that area's own figures; only when it has none, from the sum of its parts
   (prefectures within the nation, municipalities within a prefecture), all cut at the earliest ``through`` of
   them so no part runs longer than another.
4. **Value statuses.** Only figures with ``value_status = 'value'`` are added; 「-」 (none), 「x」 (suppressed),
   「…」 (not available) and blanks are shown as what they mean (:func:`value_label`), never as 0.
5. **Precedence** (``source``): ``best`` (default) = the reported figure where one exists (the official one), else
   the records; ``records`` and ``reported`` pick one source only. The source actually used is named on every
   row. Rates needing person linkage (cohort rates, retention, days to placement) stay records-only.
"""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from analytics.access import scope
from analytics.metrics import indicators, measures

if TYPE_CHECKING:
    from analytics.access.auth import Viewer

SOURCES: tuple[str, ...] = ("records", "reported", "best")
DEFAULT_SOURCE = "best"
# Dimensions a reported figure carries; a grouping or filter on any other (gender, age band, quarter) is records-only.
REPORTED_DIMENSIONS: tuple[str, ...] = (
    "fiscal_year", "month", "prefecture_code", "municipality_code", "target_group", "agency_type",
)
# What a value status means, as shown (never 0): symbol, Japanese, English.
VALUE_STATUS_LABELS: dict[str, tuple[str, str, str]] = {
    "none": ("－", "該当なし", "none"),
    "suppressed": ("x", "秘匿", "suppressed"),
    "not_available": ("…", "未公表", "not yet available"),
    "blank": ("", "空欄", "blank"),
}
SOURCE_LABELS: dict[str, tuple[str, str]] = {
    "records": ("記録", "records"),
    "reported": ("報告値", "reported"),
    "mixed": ("記録・報告値", "records and reported"),
}
CELL_KEYS = ["measure", "unit", "prefecture_code", "municipality_code", "target_group", "agency_type", "project"]


def check_source(source: str | None) -> str:
    """``source`` validated (None → ``best``); a ValueError in Japanese names the choices."""
    source = source or DEFAULT_SOURCE
    if source not in SOURCES:
        raise ValueError(f"--source は {' / '.join(SOURCES)} のいずれかです: {source}")
    return source


def source_label(source: str, lang: str = "ja") -> str:
    ja, en = SOURCE_LABELS.get(source, (source, source))
    return en if lang == "en" else ja


def value_label(status: str, lang: str = "ja") -> str:
    """What a figure without a value means: 「－（該当なし）」, 「x（秘匿）」, 「…（未公表）」; '' for a value."""
    if status in (None, "value"):
        return ""
    mark, ja, en = VALUE_STATUS_LABELS.get(status, ("", status, status))
    return f"{mark}（{ja}）" if lang != "en" else f"{mark} ({en})".strip()


# ---------------------------------------------------------------------------------------------
# Measures and indicators
# ---------------------------------------------------------------------------------------------


def measures_for_indicator(indicator_id: str) -> list[str]:
    """The measure ids that mean the same as a records indicator (regular_placements → ['regular_placements'])."""
    return [m.id for m in measures.MEASURES if m.indicator == indicator_id]


def measure_for_target(name: str) -> str:
    """The measure a target names: its registry id when known (id, 日本語名, alias), else the name as written."""
    text = str(name).strip()
    if text in measures.MEASURES_BY_ID:
        return text
    return measures.measure_id(text) or text


def measure_label(measure: str, lang: str = "ja") -> str:
    """A measure's name: the registry's (ja / en), an indicator's, else the name as written (unknown measure)."""
    m = measures.MEASURES_BY_ID.get(measure)
    if m is not None:
        return m.en if lang == "en" else m.ja
    ind = indicators.REGISTRY_BY_ID.get(measure)
    if ind is not None:
        return ind.en if lang == "en" else ind.ja
    return str(measure)


def measure_unit(measure: str) -> str | None:
    m = measures.MEASURES_BY_ID.get(measure)
    if m is not None:
        return m.unit
    ind = indicators.REGISTRY_BY_ID.get(measure)
    return ind.unit if ind is not None else None


# ---------------------------------------------------------------------------------------------
# Reading (scoped)
# ---------------------------------------------------------------------------------------------

FIGURE_COLUMNS = [
    "batch_id", "source_sheet", "source_row", "source_column", "measure", "measure_name", "unit", "period_start",
    "period_end", "period_kind", "fiscal_year", "is_cumulative", "prefecture_code", "municipality_code",
    "target_group", "agency_type", "project", "value", "value_status", "source", "vintage", "note", "is_latest",
]


def figures(con: duckdb.DuckDBPyConnection, measure_ids: list[str] | None = None, *, latest: bool = True,
            viewer: Viewer | None = None) -> pd.DataFrame:
    """Reported figures within the viewer's scope: each cell's latest vintage (``latest``) or every vintage.

    Grain: one row per figure cell (see ``sql/reported/figures.sql``). Columns: :data:`FIGURE_COLUMNS`; dates as
    ``datetime.date``. Municipal figures only of the prefectures whose municipal detail ``viewer`` may see
    (national and prefecture figures are aggregates, open to every role, as for the records).
    """
    viewer = scope.effective(viewer)
    allowed = None if viewer is None else viewer.municipal_prefectures
    params: dict[str, Any] = {
        "f_measure": list(measure_ids) if measure_ids is not None else None,
        "municipal_prefectures": None if allowed is None else sorted(allowed),
        "latest": latest,
    }
    with scope.acting_as(viewer):
        df = indicators.run_grain(con, "reported/figures", [], params)
    if df.empty:
        return pd.DataFrame(columns=FIGURE_COLUMNS)
    for col in ("period_start", "period_end", "vintage"):
        df[col] = [None if pd.isna(v) else pd.Timestamp(v).date() for v in df[col]]
    for col in ("prefecture_code", "municipality_code", "target_group", "agency_type", "project", "source", "note"):
        df[col] = df[col].astype(object).where(df[col].notna(), None)
    return df[FIGURE_COLUMNS].reset_index(drop=True)


def checks(con: duckdb.DuckDBPyConnection, prefecture_codes: list[str] | None = None,
           viewer: Viewer | None = None) -> pd.DataFrame:
    """What loaded tables said that does not hold (``reported_checks``): totals that do not add up, rates that
    disagree, with the stated and computed numbers and their difference. Prefecture or national findings."""
    with scope.acting_as(scope.effective(viewer)):
        return indicators.run_grain(con, "reported/checks", [], {"f_prefecture_code": prefecture_codes})


def has_figures(con: duckdb.DuckDBPyConnection, viewer: Viewer | None = None) -> bool:
    return not figures(con, viewer=viewer).empty


# ---------------------------------------------------------------------------------------------
# Resolving a figure for a period and an area
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolved:
    """A figure for one measure, period and area as obtained from what was reported.

    ``value`` is the sum of ``pieces`` (non-overlapping, contiguous from ``start``), running to ``through``.
    ``vintage`` is the latest vintage among them (None: unknown); ``reported_by`` who reported them (joined);
    ``parts`` how many areas were summed (1 = the area's own figures); ``kinds`` the period kinds used.
    """

    value: float
    start: dt.date
    through: dt.date
    pieces: tuple[dict, ...]
    vintage: dt.date | None
    reported_by: str
    parts: int = 1

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p["period_kind"] for p in self.pieces))

    @property
    def is_monthly(self) -> bool:
        return all(p["period_kind"] == "month" for p in self.pieces)


def _day_after(d: dt.date) -> dt.date:
    return d + dt.timedelta(days=1)


def chain(cell: pd.DataFrame, start: dt.date, cutoff: dt.date | None) -> list[dict]:
    """The non-overlapping, contiguous figures of one cell from ``start`` reaching furthest by ``cutoff``.

    ``cell``: value figures of one cell key (latest vintage each). Among chains reaching equally far, the one with
    the fewest pieces (a figure reported for the whole period beats its months). [] when none starts at ``start``.
    Example: months 2021-04 … 2021-12 and a cumulative 2021-04〜2022-01 → the cumulative alone (through 01-31),
    then 2022-02 if reported.
    """
    rows = [r for r in cell.to_dict("records")
            if r["period_start"] >= start and (cutoff is None or r["period_end"] <= cutoff)]  # fmt: skip
    if not rows:
        return []
    starting: dict[dt.date, list[dict]] = {}
    for r in rows:
        starting.setdefault(r["period_start"], []).append(r)
    reach: dict[dt.date, list[dict]] = {start: []}
    heap = [start]
    seen: set[dt.date] = set()
    while heap:
        d = heapq.heappop(heap)
        if d in seen:
            continue
        seen.add(d)
        for r in starting.get(d, []):
            nd = _day_after(r["period_end"])
            candidate = [*reach[d], r]
            if nd not in reach or len(candidate) < len(reach[nd]):
                reach[nd] = candidate
                heapq.heappush(heap, nd)
    furthest = max(reach)
    return reach[furthest]


def _resolved(pieces: list[dict], start: dt.date, parts: int = 1) -> Resolved:
    vintages = [p["vintage"] for p in pieces if p.get("vintage") is not None]
    who = sorted({str(p["source"]) for p in pieces if p.get("source")})
    return Resolved(float(sum(p["value"] for p in pieces)), start, max(p["period_end"] for p in pieces),
                    tuple(pieces), max(vintages) if vintages else None, "・".join(who), parts)


def _same(series: pd.Series, value: object) -> pd.Series:
    return series.isna() if value is None else series == value


def cell_figures(figs: pd.DataFrame, measure: str, *, unit: str | None = None, prefecture_code: str | None = None,
                 municipality_code: str | None = None, target_group: str | None = None,
                 agency_type: str | None = None, project: str | None = None) -> pd.DataFrame:
    """The value figures of one cell key (latest vintage rows of :func:`figures`)."""
    if figs.empty:
        return figs
    mask = (figs["measure"] == measure) & (figs["value_status"] == "value")
    if unit is not None:
        mask &= figs["unit"] == unit
    for col, value in (("prefecture_code", prefecture_code), ("municipality_code", municipality_code),
                       ("target_group", target_group), ("agency_type", agency_type), ("project", project)):
        mask &= _same(figs[col], value)
    return figs[mask]


def resolve(figs: pd.DataFrame, measure: str, start: dt.date, end: dt.date, cutoff: dt.date | None = None, *,
            unit: str | None = None, prefecture_code: str | None = None, municipality_code: str | None = None,
            target_group: str | None = None, agency_type: str | None = None,
            project: str | None = None) -> Resolved | None:
    """The figure for ``measure`` over [start, end] cut at ``cutoff`` (inclusive), by the rule in the module doc.

    ``figs``: rows of :func:`figures` (latest vintages). The area's own figures first; with none, the sum of its
    parts (prefectures for the nation, municipalities for a prefecture). A measure reported in several units
    without ``unit`` given is refused (ValueError): 件 and 人 are never added. None when nothing was reported.
    """
    last = min(end, cutoff) if cutoff is not None else end
    if figs.empty or last < start:
        return None
    key = {"target_group": target_group, "agency_type": agency_type, "project": project}
    if unit is None:
        units = set(figs.loc[figs["measure"] == measure, "unit"])
        if len(units) > 1:
            raise ValueError(
                f"{measure} は複数の単位で報告されています（{'・'.join(sorted(units))}）: 単位を指定してください")
    own = cell_figures(figs, measure, unit=unit, prefecture_code=prefecture_code,
                       municipality_code=municipality_code, **key)
    pieces = chain(own, start, last)
    if pieces:
        return _resolved(pieces, start)
    if municipality_code is not None:
        return None
    level = "prefecture_code" if prefecture_code is None else "municipality_code"
    cand = figs[(figs["measure"] == measure) & (figs["value_status"] == "value") & figs[level].notna()]
    if unit is not None:
        cand = cand[cand["unit"] == unit]
    if prefecture_code is None:
        cand = cand[cand["municipality_code"].isna()]
    else:
        cand = cand[cand["prefecture_code"] == prefecture_code]
    for col, value in key.items():
        cand = cand[_same(cand[col], value)]
    if cand.empty:
        return None
    groups = dict(iter(cand.groupby(level)))
    through = last
    # cut every part at the earliest end any of them reaches, until they all end on the same day
    for _ in range(len(groups) * 4 + 4):
        chains = {code: chain(part, start, through) for code, part in groups.items()}
        chains = {code: c for code, c in chains.items() if c}
        if not chains:
            return None
        ends = {max(p["period_end"] for p in c) for c in chains.values()}
        if len(ends) == 1:
            break
        through = min(ends)
    pieces = [p for c in chains.values() for p in c]
    return _resolved(pieces, start, parts=len(chains))


def statuses_in(figs: pd.DataFrame, measure: str, start: dt.date, end: dt.date, **key: Any) -> list[str]:
    """Value statuses other than 'value' reported for the cell within [start, end] (what the gap means)."""
    if figs.empty:
        return []
    mask = (figs["measure"] == measure) & (figs["value_status"] != "value")
    for col, value in key.items():
        mask &= _same(figs[col], value)
    part = figs[mask]
    part = part[(part["period_start"] >= start) & (part["period_end"] <= end)]
    return sorted(set(part["value_status"]))


# ---------------------------------------------------------------------------------------------
# Indicators with a source: the records engine beside reported figures (CLI `indicators --source`)
# ---------------------------------------------------------------------------------------------


def _month_start(month: str) -> dt.date:
    y, m = month.split("-")
    return dt.date(int(y), int(m), 1)


def _month_end(month: str) -> dt.date:
    return (pd.Period(month, "M").to_timestamp(how="end")).date()


def _fy_bounds(fy: int) -> tuple[dt.date, dt.date]:
    return dt.date(int(fy), 4, 1), dt.date(int(fy) + 1, 3, 31)


def reported_indicators(con: duckdb.DuckDBPyConnection, by: list[str], filters: dict[str, list],
                        indicator_ids: list[str], as_of_date: dt.date | None = None, *,
                        viewer: Viewer | None = None) -> pd.DataFrame:
    """Count indicators from reported figures at the grain of :func:`indicators.compute`.

    Grain: one row per combination of ``by`` that reported figures cover; columns: ``by`` + one column per count
    indicator with a measure of the same meaning (the figure, NaN where none) + ``figure_vintage``,
    ``reported_by``, ``actual_through``, ``reported_indicators``. ``by``/``filters`` already normalised; a
    grouping or filter the figures do not carry (gender, age band, fiscal quarter, several groups at once) gives
    an empty frame (those cells are records-only). Periods: a month, a fiscal year, or with no time dimension the
    filtered fiscal years (else from the first figure to the as-of date), cut at ``as_of_date``.
    """
    by, filters = scope.scope_query(scope.effective(viewer), list(by), dict(filters))
    counts = [i for i in indicator_ids if indicators.REGISTRY_BY_ID[i].kind == "count" and measures_for_indicator(i)]
    empty = pd.DataFrame(columns=[*by, *counts, "figure_vintage", "reported_by", "actual_through"])
    if not counts:
        return empty
    if any(d not in REPORTED_DIMENSIONS for d in [*by, *filters]):
        return empty
    for dim in ("target_group", "agency_type", "municipality_code"):
        if dim in filters and len(filters[dim]) > 1:
            return empty
    mids = sorted({m for i in counts for m in measures_for_indicator(i)})
    figs = figures(con, mids, viewer=viewer)
    if figs.empty:
        return empty
    figs = figs[figs["value_status"] == "value"]
    years = sorted(int(y) for y in filters.get("fiscal_year", []))
    months = sorted(filters.get("month", []))

    def periods() -> list[tuple[dict, dt.date, dt.date]]:
        if "month" in by:
            present = sorted({f"{d.year:04d}-{d.month:02d}" for d in figs.loc[figs["period_kind"] == "month",
                                                                                   "period_start"]})
            present = [m for m in present if (not months or m in months)]
            if years:
                present = [m for m in present if _fiscal_year_of(_month_start(m)) in years]
            out = [({"month": m}, _month_start(m), _month_end(m)) for m in present]
            if "fiscal_year" in by:
                out = [({**k, "fiscal_year": _fiscal_year_of(s)}, s, e) for k, s, e in out]
            return out
        if "fiscal_year" in by:
            fys = sorted({int(y) for y in figs["fiscal_year"].dropna()} | {_fiscal_year_of(d) for d in
                                                                            figs["period_start"]})  # fmt: skip
            fys = [y for y in fys if not years or y in years]
            return [({"fiscal_year": y}, *_fy_bounds(y)) for y in fys]
        if months:
            return [({}, _month_start(months[0]), _month_end(months[-1]))]
        if years:
            return [({}, _fy_bounds(years[0])[0], _fy_bounds(years[-1])[1])]
        first = min(figs["period_start"])
        return [({}, first, max(figs["period_end"]))]

    def areas() -> list[tuple[dict, str | None, str | None]]:
        prefs = [str(p) for p in filters.get("prefecture_code", [])]
        munis = [str(m) for m in filters.get("municipality_code", [])]
        if "municipality_code" in by:
            present = sorted({(p, m) for p, m in zip(figs["prefecture_code"], figs["municipality_code"], strict=True)
                              if m is not None and (not prefs or p in prefs) and (not munis or m in munis)})
            return [({"municipality_code": m, **({"prefecture_code": p} if "prefecture_code" in by else {})}, p, m)
                    for p, m in present]  # fmt: skip
        if munis:
            return [({}, munis[0][:2], munis[0])]
        if "prefecture_code" in by:
            present = sorted({p for p in figs["prefecture_code"] if p is not None and (not prefs or p in prefs)})
            return [({"prefecture_code": p}, p, None) for p in present]
        if len(prefs) == 1:
            return [({}, prefs[0], None)]
        if prefs:
            return []  # several prefectures summed: records-only (a sum of prefectures is not reported as such)
        return [({}, None, None)]

    def groups(dim: str) -> list[tuple[dict, str | None]]:
        if dim in by:
            present = sorted({g for g in figs[dim] if g is not None})
            chosen = [str(v) for v in filters.get(dim, [])]
            return [({dim: g}, g) for g in present if not chosen or g in chosen]
        values = filters.get(dim, [])
        return [({}, str(values[0]) if values else None)]

    rows = []
    for tkey, start, end in periods():
        for akey, pref, muni in areas():
            for gkey, group in groups("target_group"):
                for ckey, agency in groups("agency_type"):
                    row: dict[str, Any] = {**tkey, **akey, **gkey, **ckey}
                    used, vint, who, through = [], [], set(), []
                    for ind in counts:
                        found = None
                        for mid in measures_for_indicator(ind):
                            found = resolve(figs, mid, start, end, as_of_date, unit=measures.MEASURES_BY_ID[mid].unit,
                                            prefecture_code=pref, municipality_code=muni, target_group=group,
                                            agency_type=agency)  # fmt: skip
                            if found is not None:
                                break
                        row[ind] = found.value if found is not None else float("nan")
                        if found is not None:
                            used.append(ind)
                            through.append(found.through)
                            if found.vintage:
                                vint.append(found.vintage)
                            if found.reported_by:
                                who.add(found.reported_by)
                    if used:
                        row.update(figure_vintage=max(vint) if vint else None, reported_by="・".join(sorted(who)),
                                   actual_through=max(through), reported_indicators=",".join(used))  # fmt: skip
                        rows.append(row)
    if not rows:
        return empty
    out = pd.DataFrame(rows)
    for d in by:
        if d not in out:
            out[d] = None
    if "fiscal_year" in out:
        out["fiscal_year"] = out["fiscal_year"].astype("Int64")
    return out[[*by, *counts, "figure_vintage", "reported_by", "actual_through", "reported_indicators"]]


def _fiscal_year_of(d: dt.date) -> int:
    return d.year if d.month >= 4 else d.year - 1


def with_source(records: pd.DataFrame | None, reported: pd.DataFrame | None, by: list[str],
                source: str) -> pd.DataFrame:
    """The precedence rule applied row by row: ``records``, ``reported`` or ``best`` (reported where it exists).

    ``records``: a frame of :func:`indicators.compute` (None for ``reported``); ``reported``: of
    :func:`reported_indicators` at the same grain. Returns the records' columns unchanged in meaning, with
    ``source`` (records | reported | mixed: which source each row's counts come from; mixed = some counts
    reported, others from records), ``reported_indicators`` (the ids taken from reported figures),
    ``figure_vintage``, ``reported_by``, ``actual_through`` (of the reported figures) appended. A count is taken
    from one source, never added across both (no double count). Rates stay from records.
    """
    source = check_source(source)
    meta = ["figure_vintage", "reported_by", "actual_through", "reported_indicators"]
    if source == "records" or (source == "best" and (reported is None or reported.empty)):
        out = records.copy()
        out["source"] = "records"
        out.attrs.update(records.attrs)
        return out
    counts = [c for c in reported.columns if c not in by and c not in meta]
    if source == "reported":
        out = reported.copy()
        out.insert(len(by), "source", "reported")
        return out.reset_index(drop=True)
    if by:
        rec = records.copy()
        for d in by:
            if d == "fiscal_year":
                rec[d] = rec[d].astype("Int64")
                reported = reported.assign(fiscal_year=reported["fiscal_year"].astype("Int64"))
        merged = rec.merge(reported.rename(columns={c: f"{c}__rep" for c in counts}), on=by, how="outer",
                           indicator=True)  # fmt: skip
    else:
        merged = pd.concat([records.reset_index(drop=True),
                            reported.rename(columns={c: f"{c}__rep" for c in counts}).reset_index(drop=True)],
                           axis=1)  # fmt: skip
        merged["_merge"] = "both"
    sources = []
    for _, row in merged.iterrows():
        taken = [c for c in counts if pd.notna(row.get(f"{c}__rep"))]
        others = [c for c in records.columns if c not in taken and c not in by
                  and c in indicators.REGISTRY_BY_ID and indicators.REGISTRY_BY_ID[c].kind == "count"]
        has_records = row["_merge"] != "right_only" if by else True
        sources.append("reported" if taken and not (others and has_records) else ("mixed" if taken else "records"))
    for c in counts:
        rep = merged[f"{c}__rep"]
        merged[c] = rep.where(rep.notna(), merged[c]) if c in merged else rep
    merged["source"] = sources
    out = merged.drop(columns=[f"{c}__rep" for c in counts] + ["_merge"])
    cols = [*records.columns, "source", *[m for m in meta if m in out]]
    out = out[cols]
    if by:
        out = out.sort_values(by, na_position="last", kind="stable").reset_index(drop=True)
    out.attrs.update(records.attrs)
    return out
