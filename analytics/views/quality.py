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
from analytics.metrics import facts
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
