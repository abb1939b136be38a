"""What-is-loaded summary: totals, per fiscal year and prefecture, as-of date; empty databases included."""

from __future__ import annotations

import datetime as dt

from analytics import db
from analytics.sample import seed
from analytics.views import status

CONSULTATIONS_CSV = (
    "個人ID,相談日,市区町村コード,対象者区分\n"
    "A-1,2023-03-31,02201,長期無業\n"  # FY2022 (年度 ends in March)
    "A-1,2023-04-01,02201,長期無業\n"  # FY2023, same person
    "A-2,2024-02-10,13101,不安定就労\n"
)
PLACEMENTS_CSV = "個人ID,就職日,就職等区分\nA-1,2024-03-15,正社員\n"


def test_an_empty_database_summarises_to_zero(tmp_db):
    with status.read_connection(tmp_db) as con:
        summary = status.loaded_summary(con)
        assert status.data_as_of(con) == (None, None)
    assert summary.is_empty
    totals = (summary.consultations, summary.persons, summary.placements, summary.targets, summary.batches)
    assert totals == (0, 0, 0, 0, 0)
    assert summary.by_fiscal_year.empty
    assert status.fiscal_year_table(summary).empty
    assert status.prefecture_table(summary).empty


def test_counts_by_fiscal_year_and_prefecture(tmp_db, tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "c.csv").write_text(CONSULTATIONS_CSV, encoding="utf-8")
    (folder / "p.csv").write_text(PLACEMENTS_CSV, encoding="utf-8")
    seed.ensure_seeded(tmp_db, sample_dir=folder)
    with status.read_connection(tmp_db) as con:
        summary = status.loaded_summary(con)
        batches = status.batches(con)
    assert (summary.consultations, summary.persons, summary.placements, summary.batches) == (3, 2, 1, 2)
    assert summary.as_of_date == dt.date(2024, 3, 15)
    assert summary.last_loaded_at is not None
    by_year = summary.by_fiscal_year.set_index("fiscal_year")
    assert by_year.loc[2022, "consultations"] == 1
    assert by_year.loc[2023, "consultations"] == 2
    assert by_year.loc[2023, "placements"] == 1
    by_pref = status.prefecture_table(summary, "en")
    assert list(by_pref["Prefecture"]) == ["Aomori", "Tokyo", "Unknown"]  # the placement came without a region
    table = status.batches_table(batches)
    assert list(table["種別"]) == ["就職等実績", "相談記録"]
    assert set(table["状態"]) == {"登録済"}


def test_the_read_connection_lets_a_writer_in_as_soon_as_it_closes(tmp_db):
    with status.read_connection(tmp_db) as con:
        con.execute("select 1").fetchone()
    writer = db.connect(tmp_db, wait_seconds=1)  # would raise DatabaseBusyError if the reader still held it
    writer.close()
