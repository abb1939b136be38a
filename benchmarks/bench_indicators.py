"""Benchmark the indicator engine at national scale (a script, not a test).

Generates consultations and placements directly in DuckDB with SQL (deterministic: hash of the row
number, no RNG), builds the facts, then times side by side in one run:

1. the full indicator table by fiscal_year × prefecture × target_group (``indicators.compute``),
2. one hand-written DuckDB query computing the same numbers from the same facts,
3. the same computation in pandas (in a child process, so its memory does not count against ours),
4. a filtered query (one prefecture, one fiscal year),
5. the national overview with no filter from a cold start (a new connection to the closed file).

Run: ``python benchmarks/bench_indicators.py`` (10 M consultations, 3 M placements; about two minutes on two
cores) or smaller with ``--consultations 1000000 --placements 300000``. Results go to stdout as a Markdown
table; copy them into docs/performance.md under "## Indicators".
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import duckdb
import pandas as pd

from analytics import db
from analytics.metrics import facts, indicators

MEMORY_LIMIT = "1GB"          # for the queries (this process)
BUILD_MEMORY_LIMIT = "6GB"    # for generating the data and the full facts rebuild (a child process)
BY = ["fiscal_year", "prefecture_code", "target_group"]

GENERATE_CONSULTATIONS = """
insert into consultations (batch_id, source_row, person_id, consultation_date, fiscal_year, prefecture_code,
    municipality_code, target_group, agency_type, channel, age, birth_year, gender)
with rows as (
    select
        i,
        (hash(i, 'person') % $persons)::bigint as p,
        date '2020-04-01' + (hash(i, 'day') % 1826)::integer as d
    from range($n) as t(i)
),
final as (
    select
        $batch_id::integer as batch_id,
        (i % 1000000)::integer + 2 as source_row,
        'P' || p as person_id,
        d as consultation_date,
        (year(d) - case when month(d) < 4 then 1 else 0 end)::smallint as fiscal_year,
        lpad(((hash(p, 'pref') % 47) + 1)::varchar, 2, '0') as prefecture_code,
        lpad(((hash(p, 'pref') % 47) + 1)::varchar, 2, '0') || lpad((hash(p, 'muni') % 40 * 10 + 100)::varchar, 3, '0')
            as municipality_code,
        -- one consultation in 20 records a different group than the person's usual one
        ['unstable_employment', 'long_term_jobless', 'social_participation']
            [((hash(p, 'grp') + case when hash(i, 'chg') % 20 = 0 then 1 else 0 end) % 3)::integer + 1]
            as target_group,
        ['hello_work', 'support_station', 'self_reliance_support', 'hikikomori_support_center', 'other']
            [(hash(i, 'agency') % 5)::integer + 1] as agency_type,
        ['visit', 'phone', 'online', 'outreach', 'other'][(hash(i, 'channel') % 5)::integer + 1] as channel,
        case when hash(i, 'agemiss') % 10 = 0 then null else (35 + hash(p, 'age') % 22)::smallint end as age,
        (1965 + hash(p, 'age') % 20)::smallint as birth_year,
        ['male', 'female', 'other', 'unknown'][(hash(p, 'gender') % 4)::integer + 1] as gender
    from rows
)
select * from final
"""

GENERATE_PLACEMENTS = """
insert into placements (batch_id, source_row, person_id, placement_date, fiscal_year, outcome_type,
    prefecture_code, municipality_code, target_group, retained_6m)
with rows as (
    select
        j,
        -- 1% of placements belong to persons who never consulted (unlinked)
        case when hash(j, 'unl') % 100 = 0 then $persons + j else (hash(j, 'person') % $persons)::bigint end as p,
        date '2020-06-01' + (hash(j, 'day') % 1765)::integer as d
    from range($n) as t(j)
),
final as (
    select
        $batch_id::integer as batch_id,
        (j % 1000000)::integer + 2 as source_row,
        'P' || p as person_id,
        d as placement_date,
        (year(d) - case when month(d) < 4 then 1 else 0 end)::smallint as fiscal_year,
        ['regular_employment', 'non_regular_employment', 'training', 'social_participation']
            [(hash(j, 'type') % 4)::integer + 1] as outcome_type,
        case when hash(j, 'own') % 3 = 0 then lpad(((hash(p, 'pref') % 47) + 1)::varchar, 2, '0') end
            as prefecture_code,
        null::varchar as municipality_code,
        case when hash(j, 'owng') % 4 = 0 then 'long_term_jobless' end as target_group,
        case hash(j, 'ret') % 3 when 0 then true when 1 then false end as retained_6m
    from rows
)
select * from final
"""

HAND_WRITTEN = """
with c as (
    select fiscal_year, prefecture_code, target_group,
        count(*) as consultations,
        count(*) filter (where channel = 'outreach') as outreach_consultations,
        count(distinct person_id) as persons
    from consultations
    group by all
),
n as (
    select first_fiscal_year as fiscal_year, first_prefecture_code as prefecture_code,
        first_target_group as target_group,
        count(*) as new_persons,
        count(*) filter (where first_regular_date <= (first_consultation_date + interval 6 month)::date) as r6,
        count(*) filter (where first_placement_date <= (first_consultation_date + interval 12 month)::date) as p12
    from person_facts
    group by all
),
p as (
    select fiscal_year, prefecture_code, target_group,
        count(distinct person_id) filter (where is_employment and not is_before_first_consultation) as placed_persons,
        count(distinct person_id) filter (where is_regular and not is_before_first_consultation)
            as regular_placed_persons,
        count(*) filter (where is_regular and not is_before_first_consultation) as regular_placements,
        count(distinct person_id) filter (where outcome_type = 'training' and not is_before_first_consultation)
            as training_persons,
        count(distinct person_id) filter (where outcome_type = 'social_participation'
            and not is_before_first_consultation) as social_participation_persons,
        count(*) filter (where is_regular and not is_before_first_consultation and retained_6m) as ret_num,
        count(*) filter (where is_regular and not is_before_first_consultation and retained_6m is not null) as ret_den,
        median(days_from_first_consultation) filter (where is_first_employment) as median_days,
        count(*) filter (where not is_linked) as unlinked_placements,
        count(*) filter (where is_before_first_consultation) as before_first
    from placement_facts
    group by all
),
final as (
    select *
    from c
    full outer join n using (fiscal_year, prefecture_code, target_group)
    full outer join p using (fiscal_year, prefecture_code, target_group)
)
select * from final
"""


def _connect(path: Path, memory_limit: str = MEMORY_LIMIT) -> duckdb.DuckDBPyConnection:
    con = db.connect(path)
    con.execute(f"set memory_limit = '{memory_limit}'")
    con.execute("set threads = 2")
    con.execute("set enable_progress_bar = false")
    return con


def _timed(fn, repeat: int = 3):
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def _build_child(path: str, consultations: int, placements: int, persons: int, queue: mp.Queue) -> None:
    """Generate the data and rebuild the facts in full (load-time work, measured on its own)."""
    con = _connect(Path(path), BUILD_MEMORY_LIMIT)
    t0 = time.perf_counter()
    con.execute(GENERATE_CONSULTATIONS, {"n": consultations, "persons": persons, "batch_id": 1})
    con.execute(GENERATE_PLACEMENTS, {"n": placements, "persons": persons, "batch_id": 2})
    con.execute("checkpoint")
    generate = time.perf_counter() - t0
    t0 = time.perf_counter()
    con.execute("begin transaction")
    facts.refresh_facts(con, full=True)
    con.execute("commit")
    refresh = time.perf_counter() - t0
    con.execute("checkpoint")
    # an incremental refresh after a small extra batch (10,000 consultations of existing persons)
    con.execute("""insert into consultations (batch_id, source_row, person_id, consultation_date, fiscal_year,
        prefecture_code, target_group)
        select 999, i + 2, 'P' || (i * 97), date '2025-03-01', 2024, '13', 'long_term_jobless'
        from range(10000) as t(i)""")
    t0 = time.perf_counter()
    con.execute("begin transaction")
    mode = facts.refresh_facts(con)
    con.execute("commit")
    incremental = time.perf_counter() - t0
    con.execute("checkpoint")
    con.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put({"generate": generate, "refresh": refresh, "incremental": incremental, "mode": mode,
               "peak_mb": peak_mb})


def _in_child(target, *args):
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=target, args=(*args, queue))
    child.start()
    result = queue.get()
    child.join()
    return result


def _pandas_child(path: str, queue: mp.Queue) -> None:
    """Same numbers in pandas from the same tables (fetch timed separately from computation)."""
    con = duckdb.connect(path, read_only=True)
    t0 = time.perf_counter()
    c = con.execute("select person_id, channel, fiscal_year, prefecture_code, target_group from consultations").df()
    pf = con.execute("select * from person_facts").df()
    pl = con.execute("select * from placement_facts").df()
    con.close()
    fetch = time.perf_counter() - t0
    t0 = time.perf_counter()
    keys = ["fiscal_year", "prefecture_code", "target_group"]
    c["is_outreach"] = c["channel"] == "outreach"
    gc = c.groupby(keys, dropna=False).agg(consultations=("person_id", "size"),
                                           outreach_consultations=("is_outreach", "sum"),
                                           persons=("person_id", "nunique"))
    pf = pf.rename(columns={"first_fiscal_year": "fiscal_year", "first_prefecture_code": "prefecture_code",
                            "first_target_group": "target_group"})
    start = pd.to_datetime(pf["first_consultation_date"])
    pf["r6"] = pd.to_datetime(pf["first_regular_date"]) <= start + pd.DateOffset(months=6)
    pf["p12"] = pd.to_datetime(pf["first_placement_date"]) <= start + pd.DateOffset(months=12)
    gn = pf.groupby(keys, dropna=False).agg(new_persons=("person_id", "size"), r6=("r6", "sum"), p12=("p12", "sum"))
    ok = pl[~pl["is_before_first_consultation"]]
    g = ok.groupby(keys, dropna=False)
    gp = pd.DataFrame({
        "placed_persons": ok[ok.is_employment].groupby(keys, dropna=False)["person_id"].nunique(),
        "regular_placed_persons": ok[ok.is_regular].groupby(keys, dropna=False)["person_id"].nunique(),
        "regular_placements": ok[ok.is_regular].groupby(keys, dropna=False).size(),
        "training_persons": ok[ok.outcome_type == "training"].groupby(keys, dropna=False)["person_id"].nunique(),
        "social_participation_persons": ok[ok.outcome_type == "social_participation"]
        .groupby(keys, dropna=False)["person_id"].nunique(),
        "ret_num": ok[ok.is_regular & (ok.retained_6m == True)].groupby(keys, dropna=False).size(),  # noqa: E712
        "ret_den": ok[ok.is_regular & ok.retained_6m.notna()].groupby(keys, dropna=False).size(),
        "median_days": pl[pl.is_first_employment].groupby(keys, dropna=False)["days_from_first_consultation"].median(),
        "unlinked_placements": pl[~pl.is_linked].groupby(keys, dropna=False).size(),
        "before_first": pl[pl.is_before_first_consultation].groupby(keys, dropna=False).size(),
    })
    del g
    out = gc.join(gn, how="outer").join(gp, how="outer")
    compute = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put({"fetch": fetch, "compute": compute, "rows": len(out), "peak_mb": peak_mb})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--consultations", type=int, default=10_000_000)
    parser.add_argument("--placements", type=int, default=3_000_000)
    parser.add_argument("--persons", type=int, default=None, help="default: consultations / 3.3")
    parser.add_argument("--db", type=Path, default=None, help="database file (default: a temporary file)")
    parser.add_argument("--skip-pandas", action="store_true")
    args = parser.parse_args()
    persons = args.persons or int(args.consultations / 3.3)
    tmp = tempfile.TemporaryDirectory(prefix="bench_indicators_")
    path = args.db or Path(tmp.name) / "bench.duckdb"
    if path.exists():
        path.unlink()
    figures: list[tuple[str, str]] = []

    build = _in_child(_build_child, str(path), args.consultations, args.placements, persons)
    figures += [
        ("generate data (SQL, child process)", f"{build['generate']:.1f} s"),
        (f"refresh_facts, full rebuild (child process, memory_limit {BUILD_MEMORY_LIMIT})",
         f"{build['refresh']:.1f} s"),
        ("refresh_facts after a 10,000-row batch (incremental)", f"{build['incremental']:.1f} s ({build['mode']})"),
        ("peak memory of the build child", f"{build['peak_mb']:,.0f} MB"),
    ]
    con = _connect(path)
    n_persons = con.execute("select count(*) from person_facts").fetchone()[0]

    t_engine, table = _timed(lambda: indicators.compute(con, by=BY))
    t_hand, hand = _timed(lambda: con.execute(HAND_WRITTEN).df())
    # the engine and the hand-written query agree
    merged = table.merge(hand, on=BY, suffixes=("", "_hand"))
    assert len(merged) == len(table) == len(hand), (len(table), len(hand))
    for col in ("consultations", "persons", "new_persons", "placed_persons", "regular_placements"):
        assert (merged[col] == merged[f"{col}_hand"].fillna(0)).all(), col
    t_filtered, _ = _timed(lambda: indicators.compute(con, filters={"prefecture_code": "13", "fiscal_year": 2022}))
    t_filtered_by, _ = _timed(lambda: indicators.compute(con, by=["target_group"],
                                                         filters={"prefecture_code": "13", "fiscal_year": 2022}))
    con.close()

    t0 = time.perf_counter()
    cold = _connect(path)
    national = indicators.compute(cold)
    t_cold = time.perf_counter() - t0
    cold.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    pandas_result = None if args.skip_pandas else _in_child(_pandas_child, str(path))

    figures += [
        ("rows: consultations / placements / persons",
         f"{args.consultations:,} (+10,000) / {args.placements:,} / {n_persons:,}"),
        (f"full indicator table by {' × '.join(BY)} ({len(table):,} rows, all {len(indicators.REGISTRY)} "
         "indicators)", f"{t_engine:.2f} s"),
        ("hand-written single DuckDB query, same numbers", f"{t_hand:.2f} s"),
        ("engine ÷ hand-written", f"{t_engine / t_hand:.2f}×"),
    ]
    if pandas_result:
        figures += [
            ("pandas, same computation (excluding fetch)", f"{pandas_result['compute']:.2f} s"),
            ("pandas fetch of the tables into DataFrames", f"{pandas_result['fetch']:.2f} s"),
            ("pandas ÷ engine", f"{pandas_result['compute'] / t_engine:.1f}×"),
            ("pandas child peak memory", f"{pandas_result['peak_mb']:,.0f} MB"),
        ]
    figures += [
        ("filtered: one prefecture, one fiscal year, all indicators", f"{t_filtered:.3f} s"),
        ("filtered, by target_group", f"{t_filtered_by:.3f} s"),
        ("national overview, no filter, cold start (new connection)", f"{t_cold:.3f} s"),
        (f"peak memory of the query process (DuckDB memory_limit {MEMORY_LIMIT})", f"{peak_mb:,.0f} MB"),
    ]
    print(f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"DuckDB {duckdb.__version__}, pandas {pd.__version__}")
    print(f"National overview: {int(national['persons'].iloc[0]):,} persons, "
          f"{int(national['consultations'].iloc[0]):,} consultations")
    print()
    print("| measure | result |")
    print("|---|---|")
    for name, value in figures:
        print(f"| {name} | {value} |")
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
