"""analytics/views/quality.py: coverage per prefecture × month with gaps as gaps, quarantine by reason, batches.

Uses the hand-built database of tests/views/test_regions.py: in fiscal year 2021 北海道 sent consultations in April
(20) and placements in June (11) only, so its other ten months are gaps — shown empty, never as zero.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from analytics.views import quality
from analytics.views.filters import Filters
from tests.views.test_regions import FY2021, fixture_rows, make_db


@pytest.fixture
def con():
    connection = make_db(*fixture_rows())
    yield connection
    connection.close()


def test_coverage_lists_every_prefecture_month_of_the_period(con):
    cov = quality.coverage(con, FY2021)
    assert len(cov) == 47 * 12
    assert cov["month"].min() == "2021-04" and cov["month"].max() == "2022-03"
    hokkaido = cov[cov["prefecture_code"] == "01"].set_index("month")
    assert hokkaido.loc["2021-04", ["consultations", "placements", "is_gap"]].tolist() == [20, 0, False]
    # 10 regular placements and A11's non-regular job
    assert hokkaido.loc["2021-06", ["consultations", "placements", "is_gap"]].tolist() == [0, 11, False]
    assert hokkaido.loc["2021-05", "is_gap"]
    assert hokkaido["is_gap"].sum() == 10


def test_a_missing_month_is_a_gap_in_the_matrix_not_a_zero(con):
    matrix = quality.coverage_matrix(quality.coverage(con, FY2021), "ja")
    assert list(matrix.index[:2]) == ["北海道", "青森県"]  # JIS order
    assert matrix.loc["北海道", "2021-04"] == 20
    assert np.isnan(matrix.loc["北海道", "2021-05"])
    assert not (matrix.fillna(-1) == 0).any().any()  # no cell says 0


def test_gaps_name_the_prefectures_and_months(con):
    gaps = quality.gaps(quality.coverage(con, FY2021), "ja").set_index("prefecture_code")
    assert gaps.loc["01", "months_missing"] == 10
    assert gaps.loc["01", "months"].startswith("2021-05, 2021-07")
    assert gaps.loc["02", "months_missing"] == 12  # 青森県 sent nothing at all
    assert gaps.loc["02", "prefecture"] == "青森県"


def test_the_span_runs_from_the_first_to_the_last_month_of_data(con):
    cov = quality.coverage(con)
    assert cov["month"].min() == "2021-04" and cov["month"].max() == "2022-10"
    one = quality.coverage(con, Filters(fiscal_year=2021, prefecture_code="13"))
    assert set(one["prefecture_code"]) == {"13"}


def test_empty_database_has_no_coverage():
    con = make_db([], [])
    assert quality.coverage(con).empty
    assert quality.gaps(quality.coverage(con)).empty
    assert quality.quarantine_by_reason(con).empty


def _batch(con, batch_id: int, status: str) -> None:
    con.execute(
        "insert into batches (batch_id, file_name, content_hash, kinds, loaded_at, status, rows_read, rows_loaded,"
        " rows_quarantined, rows_duplicate, rows_excluded) values (?, ?, ?, 'consultations', ?, ?, 5, 3, 2, 0, 0)",
        [batch_id, f"file{batch_id}.csv", f"h{batch_id}", dt.datetime(2024, 1, batch_id), status],
    )


def _issue(con, batch_id: int, row: int, reason: str) -> None:
    con.execute(
        "insert into quarantine (batch_id, kind, file_name, sheet, row_number, reason_code, message_ja, message_en)"
        " values (?, 'consultations', 'f.csv', 's', ?, ?, 'm', 'm')",
        [batch_id, row, reason],
    )


def test_quarantine_counts_rows_by_reason_for_loaded_batches_only(con):
    _batch(con, 1, "loaded")
    _batch(con, 9, "rolled_back")
    _issue(con, 1, 5, "invalid_date")
    _issue(con, 1, 5, "missing_required")  # one row, two problems
    _issue(con, 1, 6, "invalid_date")
    _issue(con, 9, 3, "unknown_code")  # a rolled-back batch does not count
    df = quality.quarantine_by_reason(con, "ja")
    got = {r.reason_code: (r.rows, r.issues, r.files) for r in df.itertuples()}
    assert got == {"invalid_date": (2, 2, 1), "missing_required": (1, 1, 1)}
    assert list(df["reason_code"]) == ["invalid_date", "missing_required"]  # most rows first
    assert (
        df.set_index("reason_code").loc["invalid_date", "reason"]
        == "は日付として読めません（例: 2021-04-05、令和3年4月5日）。"
    )
    assert quality.reason_label("missing_required", "ja") == "必須項目が空です。"


def test_batches_show_what_each_file_contributed(con):
    _batch(con, 1, "loaded")
    _batch(con, 2, "loaded")
    df = quality.batch_coverage(con).set_index("batch_id")
    assert df.loc[1, "records"] == 125  # 124 + D1
    assert str(df.loc[1, "first_date"])[:10] == "2021-04-10"
    assert df.loc[1, "prefectures"] == 3
    assert df.loc[2, "records"] == 108 + 1  # 108 regular + A11's non-regular job


# ---------------------------------------------------------------------------------------------
# The page (AppTest)
# ---------------------------------------------------------------------------------------------


def test_data_quality_page_calls_out_gaps_and_follows_the_year(seeded_db):
    from analytics.text import ui_text
    from analytics.views import status
    from tests.test_app import run_app

    at = run_app("pages/quality.py")
    assert not at.exception, [e.value for e in at.exception]
    latest = at.session_state["f.fy"]
    with status.read_connection(seeded_db) as connection:
        expected = quality.gaps(quality.coverage(connection, Filters(fiscal_year=latest)))
        older = quality.gaps(quality.coverage(connection, Filters(fiscal_year=latest - 1)))
    message = ui_text.t("quality.gaps_summary", prefectures=len(expected), months=int(expected["months_missing"].sum()))
    assert message in [w.value for w in at.warning]
    gap_table = at.dataframe[0].value
    assert list(gap_table["都道府県"]) == list(expected["prefecture"])
    at.selectbox(key="f.fy").set_value(latest - 1).run()
    assert list(at.dataframe[0].value["都道府県"]) == list(older["prefecture"])
    assert ui_text.t("quality.quarantine_none") in [i.value for i in at.info]  # the clean sample quarantines nothing


def test_data_quality_page_on_an_empty_database_says_what_to_do(empty_db):
    from analytics.text import ui_text
    from tests.test_app import run_app

    at = run_app("pages/quality.py")
    assert not at.exception
    assert [i.value for i in at.info] == [ui_text.t("quality.empty")]
