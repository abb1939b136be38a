"""Data quality (データ品質): what is loaded per prefecture and month with gaps kept as gaps, quarantine by reason,
and the batches behind it. Read-only; SQL in ``analytics/sql/views/``. No streamlit.
"""

from __future__ import annotations

from typing import Any

import duckdb
import numpy as np
import pandas as pd

from analytics import db
from analytics.ingest.errors import ALL_REASONS as REASONS
from analytics.metrics import facts, indicators, measures, reported
from analytics.text import ui_text

COVERAGE_COLUMNS = ["prefecture_code", "month", "fiscal_year", "consultations", "placements", "rows", "is_gap"]


def _list(filters: Any, key: str) -> list | None:
    if filters is None:
        return None
    if hasattr(filters, "to_indicator_filters"):
        filters = filters.to_indicator_filters()
    value = filters.get(key)
    if value in (None, [], ()):
        return None
    return list(value) if isinstance(value, (list, tuple, set)) else [value]


def coverage(con: duckdb.DuckDBPyConnection, filters: Any = None) -> pd.DataFrame:
    """Rows loaded per prefecture × month, every prefecture-month of the data's span present.

    Grain: 47 prefectures (JIS order; narrowed by a prefecture filter) × each month from the first to the
    last month in the data (narrowed to the filtered fiscal years). Columns: :data:`COVERAGE_COLUMNS`;
    ``is_gap`` is true where the prefecture sent nothing that month (no consultation and no placement):
    a gap, never zero activity. Empty on an empty database. Other filters (target group, agency) do not
    apply: coverage is about what arrived.
    """
    facts.ensure_current(con)  # placements are counted by their resolved region (placement_facts)
    fy = _list(filters, "fiscal_year")
    pref = _list(filters, "prefecture_code")
    df = db.run_sql(con, "views/coverage_prefecture_month", {
        "prefecture_codes": list(ui_text.prefecture_codes()),
        "f_fiscal_year": [int(y) for y in fy] if fy else None,
        "f_prefecture_code": [str(p).zfill(2) for p in pref] if pref else None,
    })  # fmt: skip
    if df.empty:
        return pd.DataFrame(columns=COVERAGE_COLUMNS)
    df["is_gap"] = df["is_gap"].astype(bool)
    return df[COVERAGE_COLUMNS].reset_index(drop=True)


def coverage_matrix(cov: pd.DataFrame, lang: str = ui_text.DEFAULT_LANG) -> pd.DataFrame:
    """Prefectures (rows, JIS order, named) × months (columns): rows loaded, **empty (NaN) for a gap**.

    This is what the heatmap draws and its table view shows: a gap is an empty cell, not 0.
    """
    if cov.empty:
        return pd.DataFrame()
    values = cov["rows"].astype("float64").where(~cov["is_gap"], np.nan)
    wide = cov.assign(value=values).pivot(index="prefecture_code", columns="month", values="value")
    wide = wide.sort_index()
    wide.index = [ui_text.prefecture_label(c, lang) for c in wide.index]
    wide.index.name = ui_text.t("col.prefecture", lang)
    wide.columns.name = None
    return wide


def gaps(cov: pd.DataFrame, lang: str = ui_text.DEFAULT_LANG) -> pd.DataFrame:
    """The gaps, one row per prefecture with at least one: how many months and which.

    Columns: ``prefecture_code``, ``prefecture`` (name), ``months_missing`` (count), ``months`` (comma-joined
    'YYYY-MM', oldest first), ``months_in_span``. Prefectures with data every month are not listed; JIS order.
    """
    cols = ["prefecture_code", "prefecture", "months_missing", "months", "months_in_span"]
    if cov.empty:
        return pd.DataFrame(columns=cols)
    span = cov.groupby("prefecture_code")["month"].count()
    missing = cov[cov["is_gap"]]
    rows = [
        {"prefecture_code": code, "prefecture": ui_text.prefecture_label(code, lang), "months_missing": len(part),
         "months": ", ".join(sorted(part["month"])), "months_in_span": int(span[code])}
        for code, part in missing.groupby("prefecture_code", sort=True)
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


def reason_label(code: str, lang: str = ui_text.DEFAULT_LANG) -> str:
    """A reason code's message (analytics/ingest/errors.REASONS) without the row-specific column and value."""
    ja, en = REASONS.get(code, (code, code))
    text = en if lang == "en" else ja
    for placeholder in ("「{column}」の値「{value}」", "「{column}」の値", "「{column}」", "「{value}」", "'{column}'",
                        "'{value}'", "（{limit}文字まで）", "{limit}", "{column}", "{value}"):  # fmt: skip
        text = text.replace(placeholder, "")
    return " ".join(text.split()).replace(" .", ".").strip()


def quarantine_by_reason(
    con: duckdb.DuckDBPyConnection, lang: str = ui_text.DEFAULT_LANG, batch_ids: list[int] | None = None
) -> pd.DataFrame:
    """Rows kept aside at load time per reason (``views/quarantine_by_reason.sql``), most rows first.

    Columns: ``reason_code``, ``reason`` (message in ``lang``), ``rows`` (rows with that problem), ``issues``,
    ``files``. Only batches still loaded. Empty when nothing was quarantined.
    """
    batches = [int(b) for b in batch_ids] if batch_ids else None
    df = db.run_sql(con, "views/quarantine_by_reason", {"f_batch_id": batches})
    df.insert(1, "reason", [reason_label(c, lang) for c in df["reason_code"]])
    for col in ("rows", "issues", "files"):
        df[col] = df[col].astype("int64")
    return df


def batch_coverage(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The batches behind the data, newest first: file, kinds, status, rows, date range, prefectures.

    Grain: one row per batch (``views/batch_coverage.sql``). A rolled-back batch shows no records.
    """
    return db.run_sql(con, "views/batch_coverage", {})


# ---------------------------------------------------------------------------------------------
# Records against reported figures (issue 16)
# ---------------------------------------------------------------------------------------------

RECONCILE_COLUMNS = ["measure", "indicator", "prefecture_code", "period", "period_kind", "records", "reported",
                     "difference", "value_status", "figure_vintage", "reported_by"]


def reconciliation(con: duckdb.DuckDBPyConnection, filters: Any = None) -> pd.DataFrame:
    """Records against reported figures for the same measure, prefecture and month (or fiscal year).

    Grain: one row per reported prefecture figure (latest vintage; all groups, agency types, no project) of a
    measure that means the same as a records indicator, reported for a month or a fiscal year. Columns:
    :data:`RECONCILE_COLUMNS`: ``records`` (``indicators.compute`` for that prefecture and period), ``reported``
    (NaN when the figure is 「x」「…」「-」: ``value_status`` says which), ``difference`` = reported − records.
    Neither is "fixed": progress and reports use the reported figure (precedence, docs/indicators.md).
    """
    linked = [m for m in measures.MEASURES if m.indicator is not None]
    figs = reported.figures(con, [m.id for m in linked])
    if figs.empty:
        return pd.DataFrame(columns=RECONCILE_COLUMNS)
    figs = figs[figs["prefecture_code"].notna() & figs["municipality_code"].isna() & figs["target_group"].isna()
                & figs["agency_type"].isna() & figs["project"].isna()
                & figs["period_kind"].isin(["month", "fiscal_year"])]
    pref = _list(filters, "prefecture_code")
    if pref:
        figs = figs[figs["prefecture_code"].isin([str(p).zfill(2) for p in pref])]
    fy = _list(filters, "fiscal_year")
    if fy:
        years = {int(y) for y in fy}
        figs = figs[[(d.year if d.month >= 4 else d.year - 1) in years for d in figs["period_start"]]]
    if figs.empty:
        return pd.DataFrame(columns=RECONCILE_COLUMNS)
    by_measure = {m.id: m.indicator for m in linked}
    figs = figs.assign(
        indicator=[by_measure[m] for m in figs["measure"]],
        period=[f"{d.year:04d}-{d.month:02d}" if k == "month" else str(d.year)
                for d, k in zip(figs["period_start"], figs["period_kind"], strict=True)],
    )  # fmt: skip
    ids = sorted(set(figs["indicator"]))
    prefs = sorted(set(figs["prefecture_code"]))
    records: dict[tuple, float] = {}
    for kind, dim in (("month", "month"), ("fiscal_year", "fiscal_year")):
        part = figs[figs["period_kind"] == kind]
        if part.empty:
            continue
        values = sorted(set(part["period"]))
        flt = {"prefecture_code": prefs, dim: [int(v) for v in values] if dim == "fiscal_year" else values}
        df = indicators.compute(con, by=["prefecture_code", dim], filters=flt, indicators=ids)
        for r in df.to_dict("records"):
            for ind in ids:
                records[(kind, r["prefecture_code"], str(r[dim]), ind)] = float(r[ind])
    out = pd.DataFrame({
        "measure": figs["measure"].to_numpy(), "indicator": figs["indicator"].to_numpy(),
        "prefecture_code": figs["prefecture_code"].to_numpy(), "period": figs["period"].to_numpy(),
        "period_kind": figs["period_kind"].to_numpy(),
        "records": [records.get((k, p, per, i), 0.0) for k, p, per, i in
                    zip(figs["period_kind"], figs["prefecture_code"], figs["period"], figs["indicator"], strict=True)],
        "reported": figs["value"].astype(float).to_numpy(), "value_status": figs["value_status"].to_numpy(),
        "figure_vintage": figs["vintage"].to_numpy(), "reported_by": figs["source"].to_numpy(),
    })  # fmt: skip
    out["difference"] = out["reported"] - out["records"]
    out = out.sort_values(["measure", "prefecture_code", "period_kind", "period"], kind="stable")
    return out[RECONCILE_COLUMNS].reset_index(drop=True)


def reconciliation_table(rec: pd.DataFrame, lang: str = ui_text.DEFAULT_LANG) -> pd.DataFrame:
    """:func:`reconciliation` with labelled columns; a figure without a value shows what it means, never 0."""
    t = ui_text.t
    if rec.empty:
        return pd.DataFrame()
    period = [p if k == "month" else ui_text.fiscal_year_label(int(p), lang)
              for p, k in zip(rec["period"], rec["period_kind"], strict=True)]  # fmt: skip
    return pd.DataFrame({
        t("quality.col.measure", lang): [reported.measure_label(m, lang) for m in rec["measure"]],
        t("col.prefecture", lang): [ui_text.prefecture_label(c, lang) for c in rec["prefecture_code"]],
        t("quality.col.month", lang): period,
        t("quality.col.records", lang): rec["records"].to_numpy(),
        t("quality.col.reported", lang): rec["reported"].to_numpy(),
        t("quality.col.difference", lang): rec["difference"].to_numpy(),
        t("quality.col.status", lang): [reported.value_label(s, lang) for s in rec["value_status"]],
        t("rep.col_reported_by", lang): [w or "" for w in rec["reported_by"]],
        t("rep.col_vintage", lang): [ui_text.format_date(v, lang) if v is not None else ""
                                     for v in rec["figure_vintage"]],
    })  # fmt: skip


def checks_table(con: duckdb.DuckDBPyConnection, filters: Any = None, lang: str = ui_text.DEFAULT_LANG) -> pd.DataFrame:
    """Totals that do not add up and published rates that disagree (``reported_checks``), labelled, both numbers.

    Columns: check, measure, prefecture (全国 for national), period, stated, computed, difference, message, file,
    sheet, row. Empty when every loaded table added up.
    """
    pref = _list(filters, "prefecture_code")
    df = reported.checks(con, [str(p).zfill(2) for p in pref] if pref else None)
    if df.empty:
        return pd.DataFrame()
    t = ui_text.t

    def period(s: object, e: object) -> str:
        if s is None or pd.isna(s):
            return ""
        s, e = pd.Timestamp(s).date(), pd.Timestamp(e).date()
        return f"{s:%Y-%m-%d}〜{e:%Y-%m-%d}"

    return pd.DataFrame({
        t("quality.col.check", lang): [t(f"quality.check.{c}", lang) if f"quality.check.{c}" in ui_text.TEXT else c
                                       for c in df["check_code"]],
        t("quality.col.measure", lang): [reported.measure_label(m, lang) if isinstance(m, str) else ""
                                         for m in df["measure"]],
        t("col.prefecture", lang): [ui_text.prefecture_label(c, lang) if isinstance(c, str) else
                                    ("全国" if lang != "en" else "National") for c in df["prefecture_code"]],
        t("quality.col.month", lang): [period(s, e) for s, e in zip(df["period_start"], df["period_end"], strict=True)],
        t("quality.col.stated", lang): df["stated"].to_numpy(),
        t("quality.col.computed", lang): df["computed"].to_numpy(),
        t("quality.col.difference", lang): df["difference"].to_numpy(),
        t("quality.col.message", lang): df["message_en" if lang == "en" else "message_ja"].to_numpy(),
        t("quality.col.file", lang): [f or "" for f in df["file_name"]],
    })  # fmt: skip
