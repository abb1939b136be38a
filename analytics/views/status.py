"""What is loaded: row counts per table, fiscal year and prefecture, the batches, and the data's as-of date.

Feeds the overview placeholder and the sidebar's "data as of" note. Reads only the contract tables
(migration 001), so it works on an empty database and before any derived table is built.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from analytics import db
from analytics.text import ui_text

# -- Counts per table (grain: one row). Unit: rows; persons = distinct pseudonymised person_id.
_TOTALS_SQL = """
select
    (select count(*) from consultations)                   as consultations,
    (select count(distinct person_id) from consultations)  as persons,
    (select count(*) from placements)                      as placements,
    (select count(*) from targets)                         as targets,
    (select count(*) from batches)                         as batches
"""

# -- 記録の最新日付 (as-of date) and the latest load. Grain: one row.
_AS_OF_SQL = """
with record_dates as (
    select max(consultation_date) as latest_date from consultations
    union all
    select max(placement_date) from placements
)
select
    (select max(latest_date) from record_dates)                  as as_of_date,
    (select max(loaded_at) from batches where status = 'loaded') as last_loaded_at
"""

# -- Rows per fiscal year (年度). Grain: fiscal_year. Whole-stage targets (no fiscal year) are not listed.
_BY_FISCAL_YEAR_SQL = """
with c as (
    select fiscal_year, count(*) as consultations, count(distinct person_id) as persons
    from consultations group by fiscal_year
),
p as (
    select fiscal_year, count(*) as placements from placements group by fiscal_year
),
t as (
    select fiscal_year, count(*) as targets from targets where fiscal_year is not null group by fiscal_year
),
final as (
    select
        fiscal_year,
        coalesce(c.consultations, 0) as consultations,
        coalesce(c.persons, 0)       as persons,
        coalesce(p.placements, 0)    as placements,
        coalesce(t.targets, 0)       as targets
    from c
    full outer join p using (fiscal_year)
    full outer join t using (fiscal_year)
)
select * from final order by fiscal_year
"""

# -- Rows per prefecture. Grain: prefecture_code (null = placements sent without a region; they take
# -- the person's region later, in the derived facts).
_BY_PREFECTURE_SQL = """
with c as (
    select prefecture_code, count(*) as consultations, count(distinct person_id) as persons
    from consultations group by prefecture_code
),
p as (
    select prefecture_code, count(*) as placements from placements group by prefecture_code
),
final as (
    select
        prefecture_code,
        coalesce(c.consultations, 0) as consultations,
        coalesce(c.persons, 0)       as persons,
        coalesce(p.placements, 0)    as placements
    from c
    full outer join p using (prefecture_code)
)
select * from final order by prefecture_code nulls last
"""


@dataclass(frozen=True)
class LoadedSummary:
    """What the database holds. Counts are rows; ``persons`` are distinct pseudonymised people."""

    consultations: int
    persons: int
    placements: int
    targets: int
    batches: int
    as_of_date: date | None
    last_loaded_at: datetime | None
    by_fiscal_year: pd.DataFrame  # fiscal_year, consultations, persons, placements, targets
    by_prefecture: pd.DataFrame  # prefecture_code (JIS order, null last), consultations, persons, placements

    @property
    def is_empty(self) -> bool:
        return self.consultations == 0 and self.placements == 0 and self.targets == 0


# How long a page view waits for a load from the command line to finish before saying the database is busy.
READ_WAIT_SECONDS = 30.0


@contextmanager
def read_connection(
    db_path: str | Path | None = None, *, wait_seconds: float | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-only connection, closed on exit, so the CLI can load while the app is open.

    DuckDB lets one process write a file while no other process has it open; holding a connection
    for the life of the app would lock every ``python -m analytics ingest`` out. Raises
    ``db.DatabaseBusyError`` after ``wait_seconds`` (default ``READ_WAIT_SECONDS``) if a load holds the file.
    """
    wait = READ_WAIT_SECONDS if wait_seconds is None else wait_seconds
    # With $HYOGAKI_PUBLISH=1 the app reads the published copy, which no writer opens: a cursor of this process's
    # held connection, no waiting for loads, and a warm cache of the file between page views (docs/deploy.md).
    con = db.published_cursor(db_path) if db.publishing_enabled() else db.connect(db_path, read_only=True,
                                                                                   wait_seconds=wait)
    try:
        yield con
    finally:
        con.close()


def _to_date(value: object) -> date | None:
    if value is None or pd.isna(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else pd.Timestamp(value).date()


def _to_datetime(value: object) -> datetime | None:
    if value is None or pd.isna(value):
        return None
    return value if isinstance(value, datetime) else pd.Timestamp(value).to_pydatetime()


def data_as_of(con: duckdb.DuckDBPyConnection) -> tuple[date | None, datetime | None]:
    """(latest consultation or placement date, time of the latest load still in force); ``None`` when empty."""
    as_of, loaded = con.execute(_AS_OF_SQL).fetchone()
    return _to_date(as_of), _to_datetime(loaded)


def loaded_summary(con: duckdb.DuckDBPyConnection) -> LoadedSummary:
    """Counts of what is loaded, in total, per fiscal year and per prefecture (see ``LoadedSummary``)."""
    consultations, persons, placements, targets, batches = con.execute(_TOTALS_SQL).fetchone()
    as_of, loaded = data_as_of(con)
    by_year = con.execute(_BY_FISCAL_YEAR_SQL).df()
    by_pref = con.execute(_BY_PREFECTURE_SQL).df()
    return LoadedSummary(
        consultations=int(consultations),
        persons=int(persons),
        placements=int(placements),
        targets=int(targets),
        batches=int(batches),
        as_of_date=as_of,
        last_loaded_at=loaded,
        by_fiscal_year=by_year,
        by_prefecture=by_pref,
    )


def batches(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The loaded batches, newest first (``analytics.ingest.load.list_batches``)."""
    from analytics.ingest.load import list_batches

    return list_batches(con)


# ---------------------------------------------------------------------------------------------
# Display tables: the same frames with labelled columns, for pages and reports.
# ---------------------------------------------------------------------------------------------


def fiscal_year_table(summary: LoadedSummary, lang: str = ui_text.DEFAULT_LANG) -> pd.DataFrame:
    """Rows per fiscal year with the year as 令和5年度 (FY2023) and labelled columns."""
    df = summary.by_fiscal_year.copy()
    df["fiscal_year"] = [ui_text.fiscal_year_label(fy, lang) for fy in df["fiscal_year"]]
    cols = ["fiscal_year", "consultations", "persons", "placements", "targets"]
    return df[cols].rename(columns={c: ui_text.t(f"col.{c}", lang) for c in cols})


def prefecture_table(summary: LoadedSummary, lang: str = ui_text.DEFAULT_LANG) -> pd.DataFrame:
    """Rows per prefecture in JIS order, named (北海道 → 沖縄県); rows without a region last, as 不明."""
    df = summary.by_prefecture.copy()
    df["prefecture"] = [
        ui_text.prefecture_label(c, lang) if isinstance(c, str) else ui_text.t("unknown", lang)
        for c in df["prefecture_code"]
    ]
    cols = ["prefecture", "consultations", "persons", "placements"]
    return df[cols].rename(columns={c: ui_text.t(f"col.{c}", lang) for c in cols})


_BATCH_COLUMNS = (
    "batch_id",
    "file_name",
    "kinds",
    "loaded_at",
    "status",
    "rows_read",
    "rows_loaded",
    "rows_quarantined",
    "rows_duplicate",
    "rows_excluded",
)


def batches_table(frame: pd.DataFrame, lang: str = ui_text.DEFAULT_LANG) -> pd.DataFrame:
    """The batches list with labelled columns and translated status and kinds."""
    df = frame[[c for c in _BATCH_COLUMNS if c in frame.columns]].copy()
    if "status" in df:
        df["status"] = [ui_text.t(f"status.{s}", lang) if f"status.{s}" in ui_text.TEXT else s for s in df["status"]]
    if "kinds" in df:
        df["kinds"] = [
            "、".join(
                ui_text.t(f"kind.{k.strip()}", lang) if f"kind.{k.strip()}" in ui_text.TEXT else k
                for k in str(v).split(",")
                if k.strip()
            )
            if isinstance(v, str)
            else v
            for v in df["kinds"]
        ]
    return df.rename(columns={c: ui_text.t(f"col.{c}", lang) for c in df.columns})
