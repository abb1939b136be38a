"""AppTest for the overview, progress and definitions pages: sample data, empty database, filters and links.

Numbers on the page are checked against the engines (``indicators.compute``, ``progress.compute_progress``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.metrics import indicators, progress
from analytics.sample import seed
from analytics.text import ui_text
from analytics.views import status
from analytics.views.overview import KPI_IDS

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 180  # progress computes every target of a stage on its first (uncached) run
OVERVIEW, PROGRESS, DEFINITIONS = "pages/overview.py", "pages/progress.py", "pages/definitions.py"


def run(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def kpi_values(at: AppTest, lang: str = "ja") -> dict[str, str]:
    labels = {indicators.REGISTRY_BY_ID[i].ja if lang == "ja" else indicators.REGISTRY_BY_ID[i].en: i for i in KPI_IDS}
    return {labels[m.label]: m.value for m in at.metric if m.label in labels}


def expected_counts(db: Path, filters: dict) -> dict[str, str]:
    with status.read_connection(db) as con:
        df = indicators.compute(con, filters=filters, indicators=KPI_IDS)
    out = {}
    for ind_id in KPI_IDS:
        value = df[ind_id].iloc[0]
        if indicators.REGISTRY_BY_ID[ind_id].kind == "count":
            out[ind_id] = f"{int(value):,}"
        elif value == value:  # not NaN
            out[ind_id] = f"{value * 100:.1f}%"
    return out


# ---------------------------------------------------------------------------------------------
# 概要 Overview
# ---------------------------------------------------------------------------------------------


def test_overview_cards_show_the_engines_numbers_for_the_latest_year(seeded_db):
    at = run(OVERVIEW)
    assert at.session_state["filters"].fiscal_year == 2024  # the latest fiscal year with data
    shown = kpi_values(at)
    assert set(shown) == set(KPI_IDS)
    expected = expected_counts(seeded_db, {"fiscal_year": [2024]})
    for ind_id, value in expected.items():
        assert shown[ind_id] == value, ind_id
    assert shown["regular_within_6m_rate"] == ui_text.t("overview.not_final")  # FY2024's window is still open
    assert len(at.metric) >= 6


def test_cards_say_which_year_on_year_comparison_they_show(midyear_db):
    """Data to 2024-09-30: FY2024's cards compare April–September with April–September 2023, and say so."""
    at = run(OVERVIEW)
    assert at.session_state["filters"].fiscal_year == 2024
    consult = next(m for m in at.metric if m.label == indicators.REGISTRY_BY_ID["consultations"].ja)
    assert consult.proto.delta_description == "4〜9月の前年同期比"
    with status.read_connection(midyear_db) as con:
        now = indicators.compute(con, filters={"fiscal_year": [2024]}, indicators=["consultations"])
        same = indicators.compute(con, filters={"month": [f"2023-{m:02d}" for m in range(4, 10)]},
                                  indicators=["consultations"])  # fmt: skip
    change = now["consultations"].iloc[0] / same["consultations"].iloc[0] - 1
    assert consult.delta == f"{change * 100:+.1f}%"
    assert any("前年同期（4〜9月）比" in m.value for m in at.markdown)  # the summary sentence
    at.sidebar.selectbox(key="f.fy").set_value(2023).run()  # a finished year: the whole previous year
    consult = next(m for m in at.metric if m.label == indicators.REGISTRY_BY_ID["consultations"].ja)
    assert consult.proto.delta_description == "前年度比"


def test_changing_a_filter_changes_the_numbers_shown(seeded_db):
    at = run(OVERVIEW)
    before = kpi_values(at)
    at.sidebar.selectbox(key="f.pref").set_value("13").run()
    at.sidebar.selectbox(key="f.fy").set_value(2022).run()
    assert not at.exception
    after = kpi_values(at)
    assert after != before
    expected = expected_counts(seeded_db, {"fiscal_year": [2022], "prefecture_code": ["13"]})
    for ind_id, value in expected.items():
        assert after[ind_id] == value, ind_id
    assert at.query_params["pref"] in ("13", ["13"]) and at.query_params["fy"] in ("2022", ["2022"])


def test_target_group_filter_narrows_the_cards(seeded_db):
    at = run(OVERVIEW)
    at.sidebar.multiselect(key="f.tg").set_value(["long_term_jobless"]).run()
    expected = expected_counts(seeded_db, {"fiscal_year": [2024], "target_group": ["long_term_jobless"]})
    assert kpi_values(at)["consultations"] == expected["consultations"]


def test_a_shared_link_with_filters_opens_the_same_view(seeded_db):
    at = run(OVERVIEW, fy="2021", pref="01", tg="unstable_employment")
    f = at.session_state["filters"]
    assert (f.fiscal_year, f.prefecture_code, f.target_groups) == (2021, "01", ("unstable_employment",))
    expected = expected_counts(
        seeded_db, {"fiscal_year": [2021], "prefecture_code": ["01"], "target_group": ["unstable_employment"]}
    )
    assert kpi_values(at)["regular_placed_persons"] == expected["regular_placed_persons"]
    assert any("令和3年度" in m.value and "北海道" in m.value for m in at.markdown)  # the summary sentence


def test_overview_summary_sentence_and_english(seeded_db):
    at = run(OVERVIEW, lang="en", fy="2023")
    assert at.title[0].value == "Overview"
    assert any(m.value.startswith("**In FY2023") for m in at.markdown)
    assert set(kpi_values(at, "en")) == set(KPI_IDS)


def test_stage_filter_shows_stage_totals(seeded_db):
    at = run(OVERVIEW, stage="第1ステージ")
    expected = expected_counts(seeded_db, {"fiscal_year": [2020, 2021, 2022]})
    assert kpi_values(at)["persons"] == expected["persons"]


def test_bad_link_values_fall_back_to_defaults(seeded_db):
    at = run(OVERVIEW, fy="abc", pref="99", tg="=1+1")
    f = at.session_state["filters"]
    assert f.prefecture_code is None and f.target_groups == () and f.fiscal_year == 2024


def test_overview_with_an_empty_database_says_what_to_do(empty_db):
    at = run(OVERVIEW)
    assert [i.value for i in at.info] == [ui_text.t("overview.empty")]
    assert not at.metric


# ---------------------------------------------------------------------------------------------
# 進捗 Progress
# ---------------------------------------------------------------------------------------------


def _stage_targets(db: Path, pref: str | None) -> dict[str, str]:
    with status.read_connection(db) as con:
        df = progress.compute_progress(con, stage="第2ステージ")
    here = df[(df["prefecture_code"] == pref) if pref else df["prefecture_code"].isna()]
    here = here[here["fiscal_year"].isna()]
    return {indicators.REGISTRY_BY_ID[r.indicator].ja: f"{r.actual:,} / {r.target:,.0f}" for r in here.itertuples()}


def test_progress_shows_the_national_stage_targets_and_every_prefecture(seeded_db):
    at = run(PROGRESS)
    shown = {m.label: m.value for m in at.metric if m.label != ui_text.t("prog.headline_card")}
    assert shown == _stage_targets(seeded_db, None)
    assert ui_text.t("prog.headline_card") in [m.label for m in at.metric]  # the headline stands beside
    table = at.dataframe[0].value
    table = getattr(table, "data", table)
    assert len(table) == 47
    assert table.iloc[0, 0] == "北海道" and table.iloc[-1, 0] == "沖縄県"  # JIS order
    assert table[ui_text.t("prog.col_status")].str.contains("順調|注意|遅れ").all()  # status in words
    assert any(ui_text.t("prog.headline_heading") == s.value for s in at.subheader)


def test_progress_follows_the_prefecture_filter(seeded_db):
    at = run(PROGRESS)
    at.sidebar.selectbox(key="f.pref").set_value("13").run()
    assert not at.exception
    shown = {m.label: m.value for m in at.metric if m.label != ui_text.t("prog.headline_card")}
    assert shown == _stage_targets(seeded_db, "13")


def test_progress_with_an_empty_database_says_what_to_do(empty_db):
    at = run(PROGRESS)
    assert [i.value for i in at.info] == [ui_text.t("prog.no_data")]


def test_progress_without_targets_points_to_the_template(tmp_db, tmp_path):
    sample = tmp_path / "only_consultations"
    sample.mkdir()
    for f in (PROJECT_ROOT / "sample_data" / "clean").glob("consultations*"):
        shutil.copy(f, sample)
    seed.ensure_seeded(tmp_db, sample_dir=sample)
    at = run(PROGRESS)
    assert [i.value for i in at.info] == [ui_text.t("prog.no_targets")]


# ---------------------------------------------------------------------------------------------
# 指標の定義 Definitions
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_definitions_lists_every_indicator_of_the_registry(seeded_db, lang):
    at = run(DEFINITIONS, lang=lang)
    names = {s.value for s in at.subheader}
    for ind in indicators.REGISTRY:
        assert (ind.en if lang == "en" else ind.ja) in names


def test_a_card_link_opens_the_definitions_at_its_indicator(seeded_db):
    at = run(DEFINITIONS, indicator="retention_6m_rate")
    assert at.markdown[0].value == f"#### {ui_text.t('defs.selected')}"
    assert at.subheader[0].value == indicators.REGISTRY_BY_ID["retention_6m_rate"].ja
    assert at.expander[0].proto.expanded
