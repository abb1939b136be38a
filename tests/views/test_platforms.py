"""Coverage figures equal hand counts; the grid and the gap list agree with the loaded sheet; scope; CLI."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pandas as pd
import pytest

from analytics import cli, contract, db
from analytics.access import scope
from analytics.access.auth import Viewer
from analytics.ingest.pipeline import ingest_file
from analytics.sample import platforms as sample_platforms
from analytics.sample.platforms import SurveyRow
from analytics.views import platforms as vp

NONE = {p.code: False for p in contract.PARTNER_TYPES}


def answer(code, name, status="established", secretariat="福祉課", **partners):
    return SurveyRow(code, name, status, dt.date(2022, 4, 1), secretariat, "support_meeting", None, "single", None,
                     {**NONE, **partners}, None, 2, None)  # fmt: skip


@pytest.fixture
def db_path(tmp_path):
    """Aomori (40 municipalities): 4 answer in R5; R6 re-sends 3 of them changed and adds one. Akita: 2 answer."""
    path = tmp_path / "t.duckdb"
    con = db.connect(path)
    r5 = [answer("02201", "青森市", hello_work=True), answer("02202", "弘前市", "planned", None),
          answer("02203", "八戸市", hello_work=True, business=True), answer("02204", "黒石市", "undecided", None)]
    r6 = [answer("02201", "青森市", hello_work=True, self_reliance=True, local_media=True),
          answer("02202", "弘前市", secretariat=None, hello_work=True),
          answer("02204", "黒石市", "considering", None), answer("02205", "五所川原市", hello_work=True, business=True)]
    akita = [answer("05201", "秋田市", **{p: True for p in NONE}), answer("05202", "能代市", "undecided", None)]
    for name, pref, vintage, rows in (("r5.xlsx", "青森県", dt.date(2023, 4, 1), r5),
                                      ("r6.xlsx", "青森県", dt.date(2024, 4, 1), r6),
                                      ("akita.xlsx", "秋田県", dt.date(2024, 4, 1), akita)):  # fmt: skip
        (tmp_path / name).write_bytes(sample_platforms.survey_workbook(pref, vintage, rows))
        ingest_file(con, tmp_path / name)
    con.close()
    return path


@pytest.fixture
def con(db_path):
    c = db.connect(db_path, read_only=True)
    yield c
    c.close()


def test_latest_vintage_supersedes_per_municipality_and_as_of_picks_the_earlier(con):
    now = vp.latest(con, "02").set_index("municipality_code")
    assert list(now.index) == ["02201", "02202", "02203", "02204", "02205"]
    # 02203 did not answer in R6: its R5 answer still stands
    assert now.loc["02203", "as_of"] == dt.date(2023, 4, 1)
    assert now.loc["02201", "partners_connected"] == 3 and now.loc["02202", "status"] == "established"
    before = vp.latest(con, "02", dt.date(2023, 12, 31)).set_index("municipality_code")
    assert list(before.index) == ["02201", "02202", "02203", "02204"]
    assert before.loc["02202", "status"] == "planned" and before.loc["02201", "partners_connected"] == 1


def test_prefecture_coverage_equals_hand_counts(con):
    cov = vp.by_prefecture(con).set_index("prefecture_code")
    # Aomori, latest: established = 02201 (3 partners), 02202 (1), 02203 (2), 02205 (2) -> 4 of 40
    assert cov.loc["02", "municipalities"] == 40
    assert cov.loc["02", "with_platform"] == 4
    assert cov.loc["02", "share_with_platform"] == pytest.approx(4 / 40)
    assert cov.loc["02", "mean_partner_coverage"] == pytest.approx((3 + 1 + 2 + 2) / 4 / 11)
    assert cov.loc["02", "not_reported"] == 35
    # Akita: 05201 has all 11 partners, 05202 none
    assert (cov.loc["05", "with_platform"], cov.loc["05", "mean_partner_coverage"]) == (1, pytest.approx(1.0))
    assert cov.loc["05", "municipalities"] == 25
    assert cov.loc["13", "with_platform"] == 0 and pd.isna(cov.loc["13", "mean_partner_coverage"])
    assert len(cov) == 47
    r5 = vp.by_prefecture(con, "2023-04-01").set_index("prefecture_code")
    assert (r5.loc["02", "with_platform"], r5.loc["05", "with_platform"]) == (2, 0)
    trend = vp.over_time(con, "02")
    assert list(trend["as_of"]) == [dt.date(2023, 4, 1), dt.date(2024, 4, 1)]
    assert list(trend["with_platform"]) == [2, 4]


def test_grid_and_gap_list_agree_with_the_loaded_sheet(db_path, tmp_path):
    """Read the R6 sheet itself (openpyxl) and the grid/gap list: every ○ is a 1, every other cell a 0."""
    con = db.connect(db_path, read_only=True)
    try:
        frame = vp.latest(con, "02")
    finally:
        con.close()
    ws = openpyxl.load_workbook(tmp_path / "r6.xlsx").active
    header = [c.value for c in ws[4]]
    partner_row = [c.value for c in ws[5]]
    first = header.index("連携している機関")
    sheet = {}
    for row in ws.iter_rows(min_row=6, values_only=True):
        if row[2] and str(row[2]).isdigit():
            marks = {partner_row[i]: row[i] in ("○", "◯", "✓") for i in range(first, first + len(contract.PARTNER_TYPES))}
            sheet[str(row[2])] = (row[4], row[6], marks)
    grid = vp.partner_grid(frame)
    gaps = vp.gaps(frame)
    for code, (status, secretariat, marks) in sheet.items():
        if status.startswith("設置済") or status == "済":
            for p in contract.PARTNER_TYPES:
                assert grid.loc[code, p.code] == int(marks[p.ja]), (code, p.code)
            missing = gaps["missing_partners"].set_index("municipality_code").loc[code, "missing"]
            assert set(missing) == {p.code for p in contract.PARTNER_TYPES if not marks[p.ja]}
            assert (code in set(gaps["no_secretariat"]["municipality_code"])) == (not secretariat)
        else:
            assert code in set(gaps["no_platform"]["municipality_code"])
    # sorted so the gaps stand out: fewest partners first, most-missing partner type first
    assert list(grid.sum(axis=1)) == sorted(grid.sum(axis=1))
    assert grid.sum().is_monotonic_increasing
    words = " ".join(vp.gap_sentences(frame))
    assert "弘前市" in words and "黒石市（検討中）" in words


def test_planner_sees_municipal_rows_of_the_own_prefecture_only(con):
    planner = Viewer("aomori", "planner", "02")
    assert set(vp.latest(con, viewer=planner)["prefecture_code"]) == {"02"}  # clamped
    with pytest.raises(scope.ScopeError):
        vp.latest(con, "05", viewer=planner)
    assert len(vp.by_prefecture(con)) == 47  # prefecture coverage is open


def test_comparison_hides_small_groups_and_says_association():
    frame = pd.DataFrame({"has_platform": [True] * 6 + [False] * 3, **{c: range(9) for c in vp.OUTCOMES}})
    comp = vp.comparison(frame).set_index("group")
    assert comp.loc["with", "shown"] and not comp.loc["without", "shown"]
    assert comp.loc["with", "referrals_mean"] == pytest.approx(2.5) and pd.isna(comp.loc["without", "referrals_mean"])
    text = vp.comparison_sentence(comp.reset_index(), "en")
    assert "association, not effect" in text and "fewer than 5" in text


def test_cli_platforms_by_municipality_and_by_prefecture(db_path, capsys):
    assert cli.main(["platforms", "--db", str(db_path), "--prefecture", "02", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert list(rows[0])[:9] == vp.MUNICIPALITY_COLUMNS
    assert [k for k in rows[0] if k.startswith("partner_")] == list(contract.PARTNER_COLUMNS)
    by_code = {r["municipality_code"]: r for r in rows}
    assert by_code["02201"]["partners_connected"] == 3 and by_code["02201"]["partner_local_media"] == 1
    assert cli.main(["platforms", "--db", str(db_path), "--prefecture", "02", "--as-of", "2023-06-30"]) == 0
    out = capsys.readouterr().out
    assert "02205" not in out and "planned" in out
    assert cli.main(["platforms", "--db", str(db_path), "--by", "prefecture"]) == 0
    captured = capsys.readouterr()
    table = pd.read_csv(io.StringIO(captured.out), dtype={"prefecture_code": str})
    assert list(table.columns) == ["prefecture_code", "municipalities", "with_platform", "share_with_platform",
                                   "mean_partner_coverage"]  # fmt: skip
    assert len(table) == 47 and table["with_platform"].sum() == 5
    assert "not reported" in captured.err
