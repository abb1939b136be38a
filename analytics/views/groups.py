"""Target groups (対象者区分): every indicator per group, the support path, cohort curves, breakdowns, referrals.

Indicator numbers come from :func:`analytics.metrics.indicators.compute` and
:func:`~analytics.metrics.indicators.cohort_curve`;
the support path and referral flows run the named SQL files ``views/support_path`` and
``views/referral_flows`` through :func:`~analytics.metrics.indicators.run_grain` (bound parameters, the
viewer's prefecture scope applied). No streamlit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pandas as pd

from analytics import contract
from analytics.metrics import indicators, reported
from analytics.text import ui_text
from analytics.views.regions import as_filters

GROUP_CODES: tuple[str, ...] = tuple(c.code for c in contract.TARGET_GROUPS)
BREAKDOWNS: tuple[str, ...] = ("agency_type", "gender", "age_band")
PATH_STAGES: tuple[str, ...] = ("cohort_persons", "placed_persons", "regular_persons", "retained_persons")
_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "target_group": {c.code: (c.ja, c.en) for c in contract.TARGET_GROUPS},
    "agency_type": {c.code: (c.ja, c.en) for c in contract.AGENCY_TYPES},
    "gender": {c.code: (c.ja, c.en) for c in contract.GENDERS},
    "age_band": {c.code: (c.ja, c.en) for c in contract.AGE_BANDS},
}
_ORDER: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _LABELS.items()}


def code_label(dimension: str, code: object, lang: str = ui_text.DEFAULT_LANG) -> str:
    """The label of a coded value (長期無業, ハローワーク, 女性, 40～44歳); empty/unknown → 不明."""
    if code is None or (isinstance(code, float) and pd.isna(code)) or code == "":
        return ui_text.t("unknown", lang)
    ja, en = _LABELS.get(dimension, {}).get(str(code), (str(code), str(code)))
    return en if lang == "en" else ja


def order_by_code(df: pd.DataFrame, column: str, dimension: str | None = None) -> pd.DataFrame:
    """Rows in the contract's order of ``column``'s codes (unknown values last)."""
    order = {c: i for i, c in enumerate(_ORDER.get(dimension or column, ()))}
    key = df[column].map(lambda c: order.get(c, len(order)))
    return df.assign(_o=key).sort_values(["_o"], kind="stable").drop(columns="_o").reset_index(drop=True)


def _params(flt: dict[str, list]) -> dict[str, Any]:
    return {f"f_{d}": flt.get(d) for d in indicators.DIMENSIONS}


def by_group(
    con: duckdb.DuckDBPyConnection, filters: Any = None, as_of_date: dt.date | str | None = None
) -> pd.DataFrame:
    """Every registered indicator for each target group: ``indicators.compute(by=["target_group"])``.

    Grain: one row per target group present (contract order; records without a group last). Columns as
    :func:`analytics.metrics.indicators.compute`.
    """
    df = indicators.compute(con, by=["target_group"], filters=as_filters(filters), as_of_date=as_of_date)
    out = order_by_code(df, "target_group")
    out.attrs.update(df.attrs)
    return out


def support_path(
    con: duckdb.DuckDBPyConnection, filters: Any = None, by: tuple[str, ...] = ("target_group",)
) -> pd.DataFrame:
    """Start cohort → placed → regular → retained 6 months, per group (``views/support_path.sql``).

    Grain: one row per group of ``by`` (cohort attributes). Columns: ``by`` + :data:`PATH_STAGES` (persons;
    each stage a subset of the one before) + ``*_share`` (fraction of the cohort, 0-1). ``cohort_persons``
    equals the ``new_persons`` indicator for the same filters.
    """
    by_cols = indicators.normalise_by(list(by))
    flt = indicators.normalise_filters(as_filters(filters))
    df = indicators.run_grain(con, "views/support_path", by_cols, _params(flt))
    for stage in PATH_STAGES:
        df[stage] = df[stage].fillna(0).astype("int64") if stage in df else pd.Series(dtype="int64")
        df[f"{stage}_share"] = (df[stage] / df["cohort_persons"].where(df["cohort_persons"] > 0)).astype("float64")
    if "target_group" in by_cols:
        df = order_by_code(df, "target_group")
    return df.reset_index(drop=True)


def path_long(path: pd.DataFrame, lang: str = ui_text.DEFAULT_LANG) -> pd.DataFrame:
    """The support path as a table, one row per group × stage: what the funnel chart shows.

    Columns: ``target_group`` (code), ``group`` (label), ``stage`` (code), ``stage_label``, ``persons``,
    ``share`` (of the cohort, 0-1).
    """
    rows = []
    for _, r in path.iterrows():
        for stage in PATH_STAGES:
            rows.append({
                "target_group": r.get("target_group"), "group": code_label("target_group", r.get("target_group"), lang),
                "stage": stage, "stage_label": ui_text.t(f"groups.stage.{stage}", lang),
                "persons": int(r[stage]), "share": r[f"{stage}_share"],
            })  # fmt: skip
    return pd.DataFrame(rows, columns=["target_group", "group", "stage", "stage_label", "persons", "share"])


def cohort_curves(
    con: duckdb.DuckDBPyConnection, filters: Any = None, max_months: int = 24, as_of_date: dt.date | str | None = None
) -> pd.DataFrame:
    """Cumulative placement curves per start cohort (fiscal year of first consultation) and target group.

    The cohort is the start year, so the period filter (fiscal year / stage) is not applied: every start
    year is drawn and the chosen ones are highlighted by the page. Grain: fiscal_year × target_group ×
    month k = 0..``max_months`` (:func:`analytics.metrics.indicators.cohort_curve`; points not yet final have an
    empty rate).
    """
    flt = {k: v for k, v in as_filters(filters).items() if k != "fiscal_year"}
    df = indicators.cohort_curve(con, by=["fiscal_year", "target_group"], filters=flt, max_months=max_months,
                                 as_of_date=as_of_date)  # fmt: skip
    return df


def breakdown(
    con: duckdb.DuckDBPyConnection,
    dimension: str,
    indicator_id: str,
    filters: Any = None,
    as_of_date: dt.date | str | None = None,
) -> pd.DataFrame:
    """One indicator by target group × ``dimension`` (agency_type, gender or age_band).

    Grain: one row per (target_group, dimension value) present, both in contract order. Columns as
    :func:`analytics.metrics.indicators.compute` for the one indicator.
    """
    if dimension not in BREAKDOWNS:
        raise ValueError(f"内訳 {dimension!r} は使えません: {', '.join(BREAKDOWNS)}")
    df = indicators.compute(con, by=["target_group", dimension], filters=as_filters(filters),
                            indicators=[indicator_id], as_of_date=as_of_date)  # fmt: skip
    df = order_by_code(df, dimension)
    df = order_by_code(df, "target_group")
    return df


def referral_flows(con: duckdb.DuckDBPyConnection, filters: Any = None) -> pd.DataFrame:
    """Consultations that referred the person on: agency type → referred-to type (``views/referral_flows``).

    Grain: one row per (agency_type, referred_to) with ``consultations`` (件) and ``persons`` (人). Empty
    when no consultation has ``referred_to`` filled (the page then says how to send it). Runs through
    :func:`~analytics.metrics.indicators.run_grain`, so the active viewer's prefecture scope applies as for
    :func:`support_path`: a municipality filter outside it raises ``scope.ScopeError``.
    """
    flt = indicators.normalise_filters(as_filters(filters))
    return indicators.run_grain(con, "views/referral_flows", [], _params(flt))


def reported_by_group(con: duckdb.DuckDBPyConnection, filters: Any = None,
                      lang: str = ui_text.DEFAULT_LANG) -> pd.DataFrame:
    """Reported counts for target groups that have no records in the scope, marked as reported (issue 16).

    Grain: one row per target group with reported figures (by 対象者区分) and no records in the period and place
    of ``filters``; columns: group, one column per count indicator with a reported measure (empty where none),
    source (報告値), reported by, as of. Groups with records keep their records (the comparison above); the two are
    never added. Empty when every group reported has records, or nothing is reported by group.
    """
    flt = indicators.normalise_filters(as_filters(filters))
    ids = [i.id for i in indicators.REGISTRY if i.kind == "count" and reported.measures_for_indicator(i.id)]
    rep = reported.reported_indicators(con, ["target_group"], flt, ids)
    if rep.empty:
        return pd.DataFrame()
    records = indicators.compute(con, by=["target_group"], filters=flt, indicators=["consultations", "placed_persons"])
    have = {g for g, c, p in zip(records["target_group"], records["consultations"], records["placed_persons"],
                                 strict=True) if c or p}  # fmt: skip
    rep = rep[rep["target_group"].notna() & ~rep["target_group"].isin(have)]
    if rep.empty:
        return pd.DataFrame()
    rep = order_by_code(rep, "target_group")
    t = ui_text.t
    names = [code_label("target_group", g, lang) for g in rep["target_group"]]
    out = pd.DataFrame({t("groups.col.group", lang): names})
    for ind in ids:
        if rep[ind].notna().any():
            meta = indicators.REGISTRY_BY_ID[ind]
            out[f"{meta.en if lang == 'en' else meta.ja} ({meta.unit_en if lang == 'en' else meta.unit})"] = (
                rep[ind].astype(float).to_numpy())
    out[t("rep.col_source", lang)] = reported.source_label("reported", lang)
    out[t("rep.col_reported_by", lang)] = list(rep["reported_by"].fillna(""))
    out[t("rep.col_vintage", lang)] = [ui_text.format_date(v, lang) if v is not None and not pd.isna(v) else ""
                                       for v in rep["figure_vintage"]]  # fmt: skip
    return out.reset_index(drop=True)
