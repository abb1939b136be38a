"""analytics/views/groups.py on the hand-built database of tests/views/test_regions.py (fiscal year 2021).

Groups: 不安定就労 = 北海道's 20 persons (10 regular placements, 5 retained; A11 a non-regular job);
長期無業 = 東京都's 100 (95 regular, 60 retained); 社会参加支援 = 沖縄県's 4 (3 regular, none retained).
"""

from __future__ import annotations

import pytest

from analytics.metrics import indicators
from analytics.views import groups
from analytics.views.filters import Filters
from tests.views.test_regions import FY2021, fixture_rows, make_db


@pytest.fixture
def con():
    connection = make_db(*fixture_rows())
    yield connection
    connection.close()


def test_support_path_stages_are_nested_and_hand_counted(con):
    path = groups.support_path(con, FY2021).set_index("target_group")
    stages = list(groups.PATH_STAGES)
    assert path.loc["unstable_employment", stages].tolist() == [20, 11, 10, 5]
    assert path.loc["long_term_jobless", stages].tolist() == [100, 95, 95, 60]
    assert path.loc["social_participation", stages].tolist() == [4, 3, 3, 0]
    assert path.loc["long_term_jobless", "retained_persons_share"] == pytest.approx(0.60)
    assert list(path.index) == list(groups.GROUP_CODES)  # contract order


def test_support_path_cohort_equals_new_persons_indicator(con):
    path = groups.support_path(con, FY2021).set_index("target_group")
    engine = indicators.compute(con, by=["target_group"], filters=FY2021, indicators=["new_persons"])
    assert path["cohort_persons"].to_dict() == engine.set_index("target_group")["new_persons"].to_dict()


def test_by_group_has_every_indicator_for_the_three_groups(con):
    df = groups.by_group(con, Filters(fiscal_year=2021))
    assert list(df["target_group"])[:3] == list(groups.GROUP_CODES)
    for ind in indicators.REGISTRY:
        assert ind.id in df
    assert df.set_index("target_group").loc["long_term_jobless", "regular_within_6m_rate"] == pytest.approx(0.95)


def test_path_long_is_what_the_funnel_draws(con):
    long = groups.path_long(groups.support_path(con, FY2021), "ja")
    assert len(long) == 3 * 4
    first = long.iloc[0]
    assert (first["group"], first["stage_label"], first["persons"]) == ("不安定就労", "新規相談者", 20)


def test_cohort_curves_by_start_year_and_group(con):
    curves = groups.cohort_curves(con, Filters(fiscal_year=2021))
    ltj = curves[(curves["fiscal_year"] == 2021) & (curves["target_group"] == "long_term_jobless")]
    by_k = ltj.set_index("months_since_first_consultation")
    # first consultation 2021-05-10, placed 2021-07-01: within 2 calendar months, not within 1
    assert by_k.loc[1, "placed_persons"] == 0
    assert by_k.loc[2, "placed_persons"] == 95 and by_k.loc[2, "rate"] == pytest.approx(0.95)
    assert 2022 in set(curves["fiscal_year"])  # every start year is drawn; the chosen one is highlighted


def test_breakdown_by_gender_in_contract_order(con):
    df = groups.breakdown(con, "gender", "new_persons", FY2021)
    got = {(r.target_group, r.gender): r.new_persons for r in df.itertuples()}
    assert got == {
        ("unstable_employment", "male"): 20,
        ("long_term_jobless", "male"): 50,
        ("long_term_jobless", "female"): 50,
        ("social_participation", "female"): 4,
    }
    ltj = df[df["target_group"] == "long_term_jobless"]
    assert list(ltj["gender"]) == ["male", "female"]
    with pytest.raises(ValueError, match="内訳"):
        groups.breakdown(con, "channel", "new_persons", FY2021)


def test_referral_flows_between_agency_types(con):
    flows = groups.referral_flows(con, FY2021)
    got = {(r.agency_type, r.referred_to): (r.consultations, r.persons) for r in flows.itertuples()}
    assert got == {("hello_work", "self_reliance_support"): (3, 3), ("support_station", "hello_work"): (1, 1)}
    assert groups.referral_flows(con, {"fiscal_year": [2022]}).empty


def test_code_labels_in_both_languages():
    assert groups.code_label("target_group", "long_term_jobless", "ja") == "長期無業"
    assert groups.code_label("agency_type", "hello_work", "en") == "Hello Work"
    assert groups.code_label("gender", None, "ja") == "不明"


# ---------------------------------------------------------------------------------------------
# The page (AppTest)
# ---------------------------------------------------------------------------------------------


def test_target_groups_page_follows_the_filters(seeded_db):
    from analytics.views import status
    from tests.test_app import run_app

    at = run_app("pages/groups.py")
    assert not at.exception, [e.value for e in at.exception]
    latest = at.session_state["f.fy"]
    titles = [str(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(titles) >= 5  # indicators, path, curves, breakdown, referrals
    with status.read_connection(seeded_db) as connection:
        before = groups.support_path(connection, Filters(fiscal_year=latest))
        after = groups.support_path(connection, Filters(fiscal_year=latest - 1))
    assert f"{int(before['cohort_persons'].iloc[0]):,}" in titles[1]  # the path chart shows the engine's persons
    at.selectbox(key="f.fy").set_value(latest - 1).run()
    assert not at.exception
    spec = str(at.get("plotly_chart")[1].proto.spec)
    assert f"{int(after['cohort_persons'].iloc[0]):,}" in spec


def test_target_groups_page_on_an_empty_database_says_what_to_do(empty_db):
    from analytics.text import ui_text
    from tests.test_app import run_app

    at = run_app("pages/groups.py")
    assert not at.exception
    assert [i.value for i in at.info] == [ui_text.t("groups.empty")]
