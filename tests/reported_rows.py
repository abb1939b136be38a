"""Rows of reported figures and targets inserted straight into the tables of migration 011, for tests.

Part A's loader is not needed to test what reads the figures back: these helpers write the rows it would write
(one per figure cell; value null unless value_status = 'value'). Deterministic, no randomness.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pandas as pd

FIGURE_DEFAULTS: dict[str, Any] = {
    "batch_id": 900, "source_sheet": "Sheet1", "source_column": None, "municipality_code": None,
    "target_group": None, "agency_type": None, "project": None, "value_status": "value", "source": "労働局",
    "vintage": None, "note": None, "is_cumulative": False,
}


def month(year: int, m: int) -> tuple[dt.date, dt.date]:
    end = (pd.Period(f"{year:04d}-{m:02d}", "M").to_timestamp(how="end")).date()
    return dt.date(year, m, 1), end


def fy(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 4, 1), dt.date(year + 1, 3, 31)


def _fiscal_year(start: dt.date, end: dt.date) -> int | None:
    a = start.year if start.month >= 4 else start.year - 1
    b = end.year if end.month >= 4 else end.year - 1
    return a if a == b else None


def figure(measure: str, period: tuple[dt.date, dt.date], value: float | None, *, unit: str | None = None,
           prefecture_code: str | None = None, kind: str | None = None, **extra: Any) -> dict:
    """One reported_figures row; ``kind`` defaults from the period (month / fiscal_year / span)."""
    from analytics.metrics import measures

    start, end = period
    if kind is None:
        if (start.day, start.month) == (1, 4) and (end.day, end.month) == (31, 3) and end.year == start.year + 1:
            kind = "fiscal_year"
        elif start.replace(day=1) == end.replace(day=1):
            kind = "month"
        else:
            kind = "span"
    m = measures.MEASURES_BY_ID.get(measure)
    row = FIGURE_DEFAULTS | {
        "measure": measure, "measure_name": m.ja if m else measure, "unit": unit or (m.unit if m else "人"),
        "period_start": start, "period_end": end, "period_kind": kind, "fiscal_year": _fiscal_year(start, end),
        "prefecture_code": prefecture_code, "value": value,
    } | extra
    if row["value"] is None and row["value_status"] == "value":
        row["value_status"] = "blank"
    return row


def insert_figures(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> None:
    """Insert figure rows (``source_row`` numbered in order unless given)."""
    for i, row in enumerate(rows, start=2):
        row = {"source_row": i} | row
        cols = list(row)
        con.execute(f"insert into reported_figures ({', '.join(cols)}) values ({', '.join('?' * len(cols))})",
                    [row[c] for c in cols])


def insert_target(con: duckdb.DuckDBPyConnection, indicator: str, value: float, *, source_row: int = 1,
                  batch_id: int = 901, **extra: Any) -> None:
    """One targets row (period_start/period_end/target_kind/project/unit/source from migration 011)."""
    row = {"batch_id": batch_id, "source_row": source_row, "indicator": indicator, "value": value} | extra
    cols = list(row)
    con.execute(f"insert into targets ({', '.join(cols)}) values ({', '.join('?' * len(cols))})",
                [row[c] for c in cols])


NAGASAKI = "42"
KPI_PROJECT = "地域若者サポートステーション就職氷河期世代向け事業"


def nagasaki_scenario(con: duckdb.DuckDBPyConnection) -> None:
    """長崎県 (42) with only reported figures and targets, as the integrator's sample will have them.

    正社員就職件数: FY2020 100 件 and FY2021 110 件 (yearly), April–September 2022 10 件 a month (労働局); target 360 件
    for FY2020–FY2022 (vintage 2020-04), extended unchanged to FY2020–FY2024 (vintage 2023-04). Hand-computed
    progress of the extended target: actual 270 through 2022-09-30, 30 of 60 months, achievement 75.0%, expected
    180, pace 150.0%, run rate 10/month, projection 570, needed 3/month, on track.
    進路決定者数 (サポステ, the KPI project): cumulative 2020-04〜2022-01 reported as 150, restated as 155 by a later
    vintage; target 300 人 for FY2020–FY2022: pace 155 ÷ (300 × 22/36) = 84.5%, off track.
    新規登録者数: 4 人 in FY2021 against a target of 20 人 (a small count: 「x」 in published tables).
    """
    insert_figures(con, [
        figure("regular_placements", fy(2020), 100, prefecture_code=NAGASAKI, vintage=dt.date(2021, 6, 1)),
        figure("regular_placements", fy(2021), 110, prefecture_code=NAGASAKI, vintage=dt.date(2022, 6, 1)),
        *[figure("regular_placements", month(2022, m), 10, prefecture_code=NAGASAKI, vintage=dt.date(2022, 10, 5))
          for m in range(4, 10)],
        figure("career_decisions", (dt.date(2020, 4, 1), dt.date(2022, 1, 31)), 150, prefecture_code=NAGASAKI,
               project=KPI_PROJECT, is_cumulative=True, vintage=dt.date(2022, 2, 15), source="サポステ",
               batch_id=910),
        figure("career_decisions", (dt.date(2020, 4, 1), dt.date(2022, 1, 31)), 155, prefecture_code=NAGASAKI,
               project=KPI_PROJECT, is_cumulative=True, vintage=dt.date(2022, 3, 10), source="サポステ",
               batch_id=911),
        figure("new_registrations", fy(2021), 4, prefecture_code=NAGASAKI, source="サポステ"),
    ])  # fmt: skip
    insert_target(con, "新規登録者数", 20, source_row=4, prefecture_code=NAGASAKI, fiscal_year=2021, unit="人")
    insert_target(con, "正社員就職件数", 360, source_row=1, prefecture_code=NAGASAKI, period_start=dt.date(2020, 4, 1),
                  period_end=dt.date(2023, 3, 31), target_kind="period", vintage="2020-04", unit="件", source="県")
    insert_target(con, "正社員就職件数", 360, source_row=2, prefecture_code=NAGASAKI, period_start=dt.date(2020, 4, 1),
                  period_end=dt.date(2025, 3, 31), target_kind="period", vintage="2023-04", unit="件", source="県")
    insert_target(con, "進路決定者数", 300, source_row=3, prefecture_code=NAGASAKI, project=KPI_PROJECT,
                  period_start=dt.date(2020, 4, 1), period_end=dt.date(2023, 3, 31), target_kind="period", unit="人",
                  source="県")


def add_reported(db_path) -> None:
    """The Nagasaki scenario, a Tokyo figure for a month with records, and a total that does not add up.

    The seeded sample's own reported figures (and the targets read from them) are removed first, so the
    hand-computed expectations meet only the rows inserted here (the sample's figures are checked in
    tests/sample/test_seed.py and tests/browser/test_reported_browser.py).
    """
    con = duckdb.connect(str(db_path))
    try:
        con.execute("delete from reported_figures")
        con.execute("delete from reported_checks")
        con.execute("delete from targets where period_start is not null or project is not null")
        nagasaki_scenario(con)
        insert_figures(con, [figure("regular_placements", month(2023, 4), 999, prefecture_code="13",
                                    vintage=dt.date(2023, 5, 20))])  # fmt: skip
        con.execute("""
            insert into reported_checks (batch_id, source_sheet, source_row, source_column, check_code, measure,
                prefecture_code, period_start, period_end, stated, computed, message_ja, message_en)
            values (900, 'Sheet1', 49, '4月', 'total_mismatch', 'regular_placements', null, '2023-04-01',
                '2023-04-30', 1200, 1190, '合計行 1,200 が各行の和 1,190 と一致しません', 'Total 1,200 ≠ sum 1,190')""")
    finally:
        con.close()


def seeded_copy_with_reported(seeded_db_path, data_dir):
    """A copy of the session's seeded database directory in ``data_dir`` with :func:`add_reported`; its path."""
    import shutil

    from analytics import config

    shutil.copytree(seeded_db_path.parent, data_dir)
    db_path = data_dir / config.DB_FILE_NAME
    add_reported(db_path)
    return db_path
