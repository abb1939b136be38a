"""The prefecture scope in the query layer: a planner of 02 (青森県) never gets 13's (東京都) municipal rows.

Every entry point the pages, downloads, reports and the CLI use — ``indicators.compute``,
``region_comparison``, ``cohort_curve``, ``progress.compute_progress`` — is attacked with crafted ``by`` and
``filters`` (aliases, integers, lists mixing prefectures, a municipality with the wrong prefecture) and
must either refuse (``ScopeError``) or answer exactly what the planner's own prefecture allows.
"""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from analytics import db
from analytics.access import auth, scope
from analytics.access.auth import Viewer
from analytics.access.scope import ScopeError
from analytics.metrics import downloads, indicators, progress
from analytics.views.filters import Filters, clamp_filters

PLANNER = Viewer("aomori", "planner", "02")
MANAGER = Viewer("tokyo_mgr", "manager", "13")
ANALYST = Viewer("ana", "analyst")
OTHER_MUNI = "13101"  # 千代田区
OWN_MUNI = "02201"  # 青森市


@pytest.fixture(scope="module")
def con(seeded_db_path):
    connection = db.connect(seeded_db_path, read_only=True)
    yield connection
    connection.close()


def municipalities(df: pd.DataFrame) -> set[str]:
    return set(df.get("municipality_code", pd.Series(dtype=object)).dropna())


def test_sample_has_both_prefectures(con):
    df = indicators.compute(con, by="municipality_code", indicators="consultations")
    prefs = {m[:2] for m in municipalities(df)}
    assert {"02", "13"} <= prefs


# -- compute -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "by",
    [
        "municipality_code",
        "municipality",
        ["prefecture", "municipality"],
        "fiscal_year,municipality_code",
        ["municipality_code", "target_group"],
    ],
)
def test_planner_municipal_grouping_is_clamped_to_own_prefecture(con, by):
    got = indicators.compute(con, by=by, indicators="consultations,persons", viewer=PLANNER)
    assert municipalities(got) and {m[:2] for m in municipalities(got)} == {"02"}
    expected = indicators.compute(con, by=by, filters={"prefecture_code": "02"}, indicators="consultations,persons")
    pd.testing.assert_frame_equal(got, expected)


@pytest.mark.parametrize(
    ("by", "filters"),
    [
        ([], {"municipality_code": OTHER_MUNI}),
        ([], {"municipality": 13101}),  # alias and an integer
        ([], {"municipality_code": [OWN_MUNI, OTHER_MUNI]}),  # one own, one other
        ([], {"municipality_code": OTHER_MUNI, "prefecture_code": "02"}),  # other municipality under own prefecture
        ("prefecture_code", {"municipality_code": OTHER_MUNI}),
        ("municipality_code", {"prefecture_code": "13"}),
        ("municipality_code", {"prefecture": 13}),
        ("municipality_code", {"prefecture_code": ["02", "13"]}),
        ("municipality_code", {"prefecture_code": "2", "municipality_code": "1310"}),  # padded to 01310: prefecture 01
        ("fiscal_year", {"municipality_code": ["13101"], "fiscal_year": 2023}),
    ],
)
def test_planner_requests_for_other_prefectures_municipal_rows_are_refused(con, by, filters):
    with pytest.raises(ScopeError, match="青森県（02）の担当のため"):
        indicators.compute(con, by=by, filters=filters, viewer=PLANNER)


@pytest.mark.parametrize(
    ("by", "filters"),
    [
        ([], {}),
        ("prefecture_code", {}),
        ("prefecture_code", {"prefecture_code": "13"}),
        (["fiscal_year", "prefecture_code", "target_group"], {"prefecture_code": ["13", "27"]}),
        ("age_band", {"prefecture_code": "13", "fiscal_year": 2023}),
    ],
)
def test_planner_gets_national_and_prefecture_aggregates_of_every_prefecture(con, by, filters):
    got = indicators.compute(con, by=by, filters=filters, viewer=PLANNER)
    pd.testing.assert_frame_equal(got, indicators.compute(con, by=by, filters=filters))
    if by == "prefecture_code" and not filters:
        assert {"02", "13", "47"} <= set(got["prefecture_code"].dropna())


def test_own_prefecture_municipal_detail_is_open(con):
    got = indicators.compute(con, filters={"municipality_code": OWN_MUNI}, viewer=PLANNER, indicators="consultations")
    assert (
        got["consultations"].iloc[0]
        == indicators.compute(con, filters={"municipality_code": OWN_MUNI}, indicators="consultations")[
            "consultations"
        ].iloc[0]
        > 0
    )


def test_manager_of_13_sees_13_municipalities_and_analyst_sees_all(con):
    got = indicators.compute(con, by="municipality_code", indicators="consultations", viewer=MANAGER)
    assert {m[:2] for m in municipalities(got)} == {"13"}
    with pytest.raises(ScopeError):
        indicators.compute(con, filters={"municipality_code": OWN_MUNI}, viewer=MANAGER)
    everything = indicators.compute(con, by="municipality_code", indicators="consultations")
    pd.testing.assert_frame_equal(
        indicators.compute(con, by="municipality_code", indicators="consultations", viewer=ANALYST), everything
    )
    pd.testing.assert_frame_equal(
        indicators.compute(con, by="municipality_code", indicators="consultations", viewer=Viewer.local()), everything
    )


def test_a_scoped_role_without_a_prefecture_gets_no_municipal_detail(con):
    nobody = Viewer("x", "planner", None)
    with pytest.raises(ScopeError, match="市区町村別の数値を表示する権限がありません"):
        indicators.compute(con, by="municipality_code", viewer=nobody)
    assert not indicators.compute(con, by="prefecture_code", viewer=nobody).empty


# -- region comparison, cohort curve, progress -------------------------------------------------


def test_region_comparison_by_municipality_only_within_own_prefecture(con):
    got = indicators.region_comparison(con, "regular_within_6m_rate", level="municipality", viewer=PLANNER)
    assert not got.empty and {m[:2] for m in got["municipality_code"].dropna()} == {"02"}
    with pytest.raises(ScopeError):
        indicators.region_comparison(
            con, "regular_within_6m_rate", level="municipality", filters={"prefecture_code": "13"}, viewer=PLANNER
        )
    with pytest.raises(ScopeError):
        indicators.region_comparison(
            con, "regular_within_6m_rate", level="prefecture", filters={"municipality_code": OTHER_MUNI}, viewer=PLANNER
        )
    prefs = indicators.region_comparison(con, "regular_within_6m_rate", level="prefecture", viewer=PLANNER)
    pd.testing.assert_frame_equal(prefs, indicators.region_comparison(con, "regular_within_6m_rate"))


def test_cohort_curve_municipal_rows_only_within_own_prefecture(con):
    got = indicators.cohort_curve(con, by="municipality_code", max_months=3, viewer=PLANNER)
    assert {m[:2] for m in municipalities(got)} == {"02"}
    for filters in ({"municipality_code": OTHER_MUNI}, {"municipality": [OTHER_MUNI]}):
        with pytest.raises(ScopeError):
            indicators.cohort_curve(con, filters=filters, viewer=PLANNER)
    national = indicators.cohort_curve(con, by="fiscal_year", max_months=3, viewer=PLANNER)
    pd.testing.assert_frame_equal(national, indicators.cohort_curve(con, by="fiscal_year", max_months=3))


def test_progress_is_open_at_prefecture_level_and_refuses_a_municipal_level(con):
    national = progress.compute_progress(con, by=[], viewer=PLANNER)
    assert not national.empty
    pd.testing.assert_frame_equal(national, progress.compute_progress(con, by=[]))
    prefectures = progress.compute_progress(con, by="prefecture_code", viewer=PLANNER)
    assert {"02", "13"} <= set(prefectures["prefecture_code"])
    for by in ("municipality_code", "municipality", ["prefecture_code", "municipality"]):
        with pytest.raises(ScopeError):
            progress.compute_progress(con, by=by, viewer=PLANNER)


# -- any crafted combination -------------------------------------------------------------------

_DIMS = ["fiscal_year", "prefecture_code", "municipality_code", "target_group", "prefecture", "municipality"]
_VALUES = {
    "prefecture_code": st.sampled_from(["02", "13", "2", 13, "01", "47", "", "0213"]),
    "municipality_code": st.sampled_from([OWN_MUNI, OTHER_MUNI, "02", "1310", 13101, "13101 ", "", "02201'--"]),
    "fiscal_year": st.sampled_from([2022, 2023]),
}


@st.composite
def requests(draw):
    by = draw(st.lists(st.sampled_from(_DIMS), max_size=3, unique=True))
    filters = {}
    for key in draw(
        st.lists(
            st.sampled_from(["prefecture_code", "municipality_code", "fiscal_year", "prefecture", "municipality"]),
            max_size=3,
            unique=True,
        )
    ):
        base = indicators.DIMENSION_ALIASES.get(key, key)
        values = draw(st.lists(_VALUES[base], min_size=1, max_size=3))
        filters[key] = values if draw(st.booleans()) else values[0]
    return by, filters


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(request=requests())
def test_no_crafted_request_yields_another_prefectures_municipal_rows(con, request):
    by, filters = request
    try:
        got = indicators.compute(con, by=by, filters=filters, indicators="consultations", viewer=PLANNER)
    except ScopeError:
        return
    by_cols = indicators.normalise_by(by)
    flt = indicators.normalise_filters(filters)
    if "municipality_code" in by_cols or "municipality_code" in flt:
        assert all(m.startswith("02") for m in municipalities(got))
        expected = indicators.compute(
            con, by=by, filters={**flt, "prefecture_code": ["02"]}, indicators="consultations"
        )
    else:
        expected = indicators.compute(con, by=by, filters=filters, indicators="consultations")
    pd.testing.assert_frame_equal(got, expected)


# -- shared links ------------------------------------------------------------------------------


def test_a_crafted_link_loses_the_other_prefectures_municipality():
    crafted = Filters.from_query_params({"pref": "13", "muni": OTHER_MUNI})
    assert crafted.municipality_code == OTHER_MUNI
    clamped = clamp_filters(PLANNER, crafted)
    assert clamped.prefecture_code == "13" and clamped.municipality_code is None
    assert clamp_filters(ANALYST, crafted) == crafted
    own = Filters.from_query_params({"muni": OWN_MUNI})
    assert clamp_filters(PLANNER, own) == own


def test_the_unclamped_link_is_refused_by_the_engine_anyway(con):
    crafted = Filters.from_query_params({"pref": "13", "muni": OTHER_MUNI})
    with pytest.raises(ScopeError):
        indicators.compute(con, filters=crafted.to_indicator_filters(), viewer=PLANNER)


# -- downloads ---------------------------------------------------------------------------------


def test_manager_downloads_have_small_cells_suppressed(con):
    df = indicators.compute(
        con,
        by="municipality_code",
        indicators="consultations,persons,regular_within_6m_rate",
        filters={"prefecture_code": "13", "fiscal_year": 2023},
        viewer=MANAGER,
    )
    small = (df["persons"] > 0) & (df["persons"] < 10)
    assert small.any(), "the sample should have small municipal cells"
    shown = downloads.for_download(MANAGER, df)
    assert shown.attrs["suppressed"]
    assert (shown.loc[small, "persons"] == "x").all()
    assert not any(0 < v < 10 for v in shown["persons"] if not isinstance(v, str))
    hidden_rates = df["regular_within_6m_rate_denominator"].between(1, 9)
    assert (
        shown.loc[hidden_rates, "regular_within_6m_rate"].isin(["x"])
        | df.loc[hidden_rates, "regular_within_6m_rate"].isna()
    ).all()
    # roles that may see small cells download what they see
    assert downloads.for_download(PLANNER, df) is df and downloads.for_download(None, df) is df


# -- the command line on someone's behalf -------------------------------------------------------


def test_cli_as_user_applies_the_scope(seeded_db_path, tmp_path):
    import shutil

    db_copy = tmp_path / "copy.duckdb"  # the module's read-only connection keeps the session's file busy
    shutil.copy(seeded_db_path, db_copy)
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        f'[auth.users.aomori]\npassword_hash = "{auth.hash_password("pw-123456789", n=1024)}"\n'
        'role = "planner"\nprefecture_code = "02"\n',
        encoding="utf-8",
    )
    base = [
        sys.executable,
        "-m",
        "analytics",
        "indicators",
        "--db",
        str(db_copy),
        "--as-user",
        "aomori",
        "--secrets",
        str(secrets),
        "--indicators",
        "consultations",
    ]
    refused = subprocess.run([*base, "--municipality", OTHER_MUNI], capture_output=True, text=True)
    assert refused.returncode == 2 and "市区町村別の数値は表示できません" in refused.stderr
    own = subprocess.run([*base, "--by", "municipality"], capture_output=True, text=True, check=True)
    codes = {line.split(",")[0] for line in own.stdout.splitlines()[1:]}
    assert codes and all(c.startswith("02") for c in codes)
    progress_refused = subprocess.run(
        [
            sys.executable,
            "-m",
            "analytics",
            "progress",
            "--db",
            str(db_copy),
            "--as-user",
            "aomori",
            "--secrets",
            str(secrets),
            "--by",
            "municipality_code",
        ],
        capture_output=True,
        text=True,
    )
    assert progress_refused.returncode == 2


# -- the active viewer (ui.query wraps every page's analytics call in scope.acting_as) --------------


def test_helper_modules_obey_the_active_viewer(con):
    from analytics.views import groups, regions

    with scope.acting_as(PLANNER):
        with pytest.raises(ScopeError):
            regions.municipality_values(con, "consultations", "13")
        with pytest.raises(ScopeError):
            groups.support_path(con, {"municipality_code": [OTHER_MUNI]})
        with pytest.raises(ScopeError):
            indicators.compute(con, by="municipality_code", filters={"prefecture_code": "13"})
        own = regions.municipality_values(con, "consultations", "02")
        assert {c[:2] for c in own["municipality_code"].dropna()} == {"02"}
        by_pref = indicators.compute(con, by="prefecture_code", indicators="consultations")
    assert "13" in set(by_pref["prefecture_code"])
    # outside the block nothing is scoped (the CLI and tests as before)
    assert not regions.municipality_values(con, "consultations", "13").empty


def test_an_explicit_viewer_wins_over_the_active_one(con):
    with scope.acting_as(PLANNER):
        got = indicators.compute(
            con, filters={"municipality_code": OTHER_MUNI}, indicators="consultations", viewer=MANAGER
        )
    assert got["consultations"].iloc[0] > 0


def test_display_tables_are_suppressed_for_managers_without_touching_years_or_codes():
    table = pd.DataFrame(
        {
            "年度": [2023, 2023, 2024],
            "市区町村コード": ["13101", "13102", "13101"],
            "月": [4, 5, 6],
            "就職者数": [3, 25, 40],
            "相談件数": [120, 0, 9],
            "就職率": [0.25, 0.4, 0.5],
        }
    )
    shown = downloads.for_download(MANAGER, table)
    assert list(shown["年度"]) == [2023, 2023, 2024] and list(shown["月"]) == [4, 5, 6]
    assert list(shown["就職者数"]) == ["x", 25, 40]
    assert list(shown["相談件数"]) == [120, 0, "x"]  # a true zero stays
    assert list(shown["就職率"]) == ["x", 0.4, "x"]  # rates of rows with a hidden count go too
    assert downloads.for_download(PLANNER, table) is table


def test_report_cli_as_user_applies_the_scope(seeded_db_path, tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        f'[auth.users.aomori]\npassword_hash = "{auth.hash_password("pw-123456789", n=1024)}"\n'
        'role = "planner"\nprefecture_code = "02"\n',
        encoding="utf-8",
    )
    base = [sys.executable, "-m", "analytics", "report", "--db", str(seeded_db_path), "--fiscal-year", "2023",
            "--as-user", "aomori", "--secrets", str(secrets)]  # fmt: skip
    refused = subprocess.run([*base, "--prefecture", "13", "--out", str(tmp_path / "t.xlsx")], capture_output=True,
                             text=True)  # fmt: skip
    assert refused.returncode == 2 and "市区町村別の数値は表示できません" in refused.stderr
    assert not (tmp_path / "t.xlsx").exists()
    own = subprocess.run([*base, "--prefecture", "02", "--out", str(tmp_path / "a.xlsx")], capture_output=True,
                         text=True)  # fmt: skip
    assert own.returncode == 0, own.stderr


# -- every reader of rows: referral flows (issue 15) -----------------------------------------------


REFERRING_MUNI = "13118"  # 荒川区: has consultations with referred_to filled in the sample


def test_referral_flows_obey_the_active_viewer_like_support_path(con):
    from analytics.views import groups

    other = {"municipality_code": [REFERRING_MUNI]}
    assert not groups.referral_flows(con, other).empty, "the sample should have referrals in 13118"
    national = groups.referral_flows(con, {})
    tokyo = groups.referral_flows(con, {"prefecture_code": "13"})
    own = groups.referral_flows(con, {"municipality_code": OWN_MUNI})
    with scope.acting_as(PLANNER):
        with pytest.raises(ScopeError, match="青森県（02）の担当のため"):
            groups.referral_flows(con, other)
        with pytest.raises(ScopeError):
            groups.referral_flows(con, {"prefecture_code": "02", "municipality_code": REFERRING_MUNI})
        with pytest.raises(ScopeError):  # as support_path does for the same request
            groups.support_path(con, other)
        # national and prefecture aggregates stay open; the own prefecture's municipalities too
        pd.testing.assert_frame_equal(groups.referral_flows(con, {}), national)
        pd.testing.assert_frame_equal(groups.referral_flows(con, {"prefecture_code": "13"}), tokyo)
        pd.testing.assert_frame_equal(groups.referral_flows(con, {"municipality_code": OWN_MUNI}), own)
