"""refresh_facts: per-person and per-placement facts, on an empty database and on the fixture rows."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from analytics import db
from analytics.metrics import facts

try:
    from tests.metrics.test_indicators import load_fixture
except ImportError:  # tests/ itself on sys.path (pytest's default import mode)
    from test_indicators import load_fixture


@pytest.fixture
def con():
    connection = duckdb.connect()
    db.migrate(connection)
    yield connection
    connection.close()


def test_refresh_on_empty_database(con):
    con.execute("begin transaction")
    facts.refresh_facts(con)
    con.execute("commit")
    assert con.execute("select count(*) from person_facts").fetchone()[0] == 0
    assert con.execute("select count(*) from placement_facts").fetchone()[0] == 0
    assert con.execute("select as_of_date, consultations, placements from facts_meta").fetchall() == [(None, 0, 0)]
    assert facts.is_current(con)


def test_person_facts_from_fixture(con):
    load_fixture(con)
    rows = {r[0]: r[1:] for r in con.execute(
        "select person_id, first_consultation_date, first_fiscal_year, first_target_group, first_age_band,"
        " consultations, first_placement_date, first_regular_date, placements_before_first from person_facts"
    ).fetchall()}
    assert set(rows) == {"P1", "P2", "P3", "P5", "P6"}  # Z9 has no consultation
    assert rows["P1"] == (dt.date(2021, 3, 20), 2020, "long_term_jobless", "40-44", 2,
                          dt.date(2021, 9, 20), dt.date(2021, 9, 20), 0)
    assert rows["P2"][5:] == (dt.date(2021, 7, 1), dt.date(2021, 11, 11), 0)
    assert rows["P3"][5:] == (None, None, 1)  # its only placement predates the first consultation
    months = dict(con.execute("select person_id, (months_to_first_placement, months_to_first_regular)"
                              " from person_facts").fetchall())
    assert months["P1"] == (6, 6)  # 2021-03-20 -> 2021-09-20: exactly 6 calendar months
    assert months["P2"] == (2, 7)  # 2021-05-10 -> 2021-07-01 (2); -> 2021-11-11, one day past 6 months (7)
    assert months["P3"] == (None, None)


def test_placement_facts_attribution(con):
    load_fixture(con)
    got = {(r[0], r[1].isoformat()): r[2:] for r in con.execute(
        "select person_id, placement_date, prefecture_code, municipality_code, target_group, region_source,"
        " group_source, is_linked, is_before_first_consultation, is_first_employment from placement_facts"
    ).fetchall()}
    assert got[("P1", "2021-09-20")] == ("13", "13101", "long_term_jobless", "consultation_before",
                                         "consultation_before", True, False, True)
    assert got[("P2", "2021-11-11")][2] == "social_participation"  # after the group change
    assert got[("P2", "2021-07-01")][2] == "unstable_employment"
    assert got[("P3", "2021-04-01")] == ("13", "13102", "long_term_jobless", "placement",
                                         "first_consultation", True, True, False)
    assert got[("Z9", "2021-10-01")] == (None, None, None, "none", "none", False, False, False)
    assert got[("P5", "2023-03-15")][:3] == ("14", None, "unstable_employment")
    meta = con.execute("select as_of_date, unlinked_placements, placements_before_first_consultation"
                       " from facts_meta").fetchone()
    assert meta == (dt.date(2023, 6, 30), 1, 1)


def test_same_day_consultations_resolve_deterministically(con):
    con.execute("""insert into consultations (batch_id, source_row, person_id, consultation_date, fiscal_year,
        prefecture_code, target_group) values
        (1, 5, 'S', '2021-05-01', 2021, '01', 'long_term_jobless'),
        (2, 3, 'S', '2021-05-01', 2021, '02', 'unstable_employment')""")
    con.execute("""insert into placements (batch_id, source_row, person_id, placement_date, fiscal_year, outcome_type)
        values (3, 2, 'S', '2021-05-01', 2021, 'regular_employment')""")
    facts.refresh_facts(con)
    # first consultation: lowest batch; reference consultation on the same day: the latest batch
    assert con.execute("select first_prefecture_code from person_facts").fetchone()[0] == "01"
    assert con.execute("select prefecture_code, target_group from placement_facts").fetchone() == (
        "02", "unstable_employment")


def test_refresh_inside_callers_transaction_rolls_back_with_it(con):
    load_fixture(con)
    con.execute("begin transaction")
    con.execute("delete from consultations where person_id = 'P6'")
    facts.refresh_facts(con)
    assert con.execute("select count(*) from person_facts").fetchone()[0] == 4
    con.execute("rollback")
    assert con.execute("select count(*) from person_facts").fetchone()[0] == 5


def _facts_snapshot(con):
    return (con.execute("select * from person_facts order by person_id").fetchall(),
            con.execute("select * from placement_facts order by batch_id, source_row").fetchall())


def test_added_batch_refreshes_only_its_persons_and_matches_full_rebuild(con):
    load_fixture(con)
    con.execute("""insert into consultations (batch_id, source_row, person_id, consultation_date, fiscal_year,
        prefecture_code, target_group) values (7, 2, 'P2', '2021-05-01', 2021, '27', 'long_term_jobless'),
        (7, 3, 'N1', '2022-01-05', 2021, '01', 'long_term_jobless')""")
    con.execute("""insert into placements (batch_id, source_row, person_id, placement_date, fiscal_year, outcome_type)
        values (8, 2, 'Z9', '2021-12-01', 2021, 'training')""")
    assert facts.refresh_facts(con) == "incremental"
    incremental = _facts_snapshot(con)
    # P2's first consultation is now 2021-05-01 (was 2021-05-10); everyone else untouched
    assert con.execute("select first_consultation_date, first_target_group from person_facts"
                       " where person_id = 'P2'").fetchone() == (dt.date(2021, 5, 1), "long_term_jobless")
    assert facts.refresh_facts(con) == "unchanged"
    assert facts.refresh_facts(con, full=True) == "full"
    assert _facts_snapshot(con) == incremental


def test_removed_batch_triggers_full_rebuild(con):
    load_fixture(con)
    con.execute("delete from placements where batch_id = 2")
    assert facts.refresh_facts(con) == "full"
    assert con.execute("select count(*) from placement_facts").fetchone()[0] == 0
    assert con.execute("select max(first_placement_date) from person_facts").fetchone()[0] is None


def test_facts_built_inside_the_load_transaction_equal_a_rebuild_after_it(tmp_path):
    # The loader refreshes the facts in the same transaction as the insert, where DuckDB gives the new rows
    # transaction-local row ids (from 2^62): the facts must not depend on what those numbers look like.
    from pathlib import Path

    from analytics.ingest.pipeline import ingest_file

    clean = Path(__file__).resolve().parents[2] / "sample_data" / "clean"
    connection = db.connect(tmp_path / "facts.duckdb")
    try:
        for name in ("consultations_FY2020-2024.csv", "placements_FY2020-2024.csv"):
            ingest_file(connection, clean / name)
        queries = {
            "person_facts": "select * from person_facts order by all",
            "placement_facts": "select * from placement_facts order by all",
            "facts_meta": "select * exclude (refreshed_at) from facts_meta",
        }
        at_load = {k: connection.execute(q).fetchall() for k, q in queries.items()}
        connection.execute("begin transaction")
        assert facts.refresh_facts(connection, full=True) == "full"
        connection.execute("commit")
        rebuilt = {k: connection.execute(q).fetchall() for k, q in queries.items()}
    finally:
        connection.close()
    assert len(at_load["person_facts"]) > 10_000 and len(at_load["placement_facts"]) > 5_000
    for table in queries:
        assert at_load[table] == rebuilt[table], table


def _stale_like_migration_004(path):
    """A file database with the fixture's facts built, then left as migration 004 left existing databases:
    new facts columns empty and facts_meta emptied so that "the next refresh" would fill them."""
    connection = db.connect(path)
    try:
        load_fixture(connection)
        expected = indicator_numbers(connection)
        connection.execute("update person_facts set months_to_first_placement = null, months_to_first_regular = null")
        connection.execute("delete from facts_meta")
    finally:
        connection.close()
    return expected


def indicator_numbers(connection):
    from analytics.metrics import indicators

    df = indicators.compute(connection, indicators=["new_persons", "placed_within_12m_rate", "regular_within_6m_rate"])
    return {c: int(df[c].iloc[0]) for c in
            ("new_persons", "placed_within_12m_rate_numerator", "regular_within_6m_rate_numerator")}


def test_read_only_connection_refuses_stale_facts_instead_of_computing_zero(tmp_path):
    """Issue 15, point 4: after migration 004 emptied facts_meta, read-only pages read cohort numerators of 0
    from the old facts until the next load. Now they refuse (FactsStaleError); a writable open rebuilds."""
    path = tmp_path / "stale.duckdb"
    expected = _stale_like_migration_004(path)
    assert expected["placed_within_12m_rate_numerator"] > 0 and expected["regular_within_6m_rate_numerator"] > 0

    reader = db.connect(path, read_only=True)
    try:
        assert not facts.is_current(reader)
        with pytest.raises(facts.FactsStaleError, match="派生表"):
            indicator_numbers(reader)
        from analytics.metrics import indicators

        with pytest.raises(facts.FactsStaleError):
            indicators.cohort_curve(reader)
    finally:
        reader.close()

    assert facts.rebuild_if_stale(path) is True  # what app start-up does
    assert facts.rebuild_if_stale(path) is False  # and only once
    reader = db.connect(path, read_only=True)
    try:
        assert facts.is_current(reader)
        assert indicator_numbers(reader) == expected
    finally:
        reader.close()


def test_writable_connection_rebuilds_stale_facts_under_the_write_turn(tmp_path):
    import threading

    path = tmp_path / "stale.duckdb"
    expected = _stale_like_migration_004(path)
    connection = db.connect(path)
    try:
        held = threading.Event()
        release = threading.Event()

        def hold_turn():
            with db.WRITE_TURN:
                held.set()
                release.wait(5)

        holder = threading.Thread(target=hold_turn)
        holder.start()
        held.wait(5)
        result = {}
        worker = threading.Thread(target=lambda: result.update(indicator_numbers(connection)))
        worker.start()
        worker.join(0.3)
        assert worker.is_alive(), "the rebuild did not wait for the write turn"
        release.set()
        worker.join(10)
        holder.join(5)
        assert result == expected
        assert facts.is_current(connection)
    finally:
        connection.close()
