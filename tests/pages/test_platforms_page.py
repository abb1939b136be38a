"""AppTest for the 市町村プラットフォーム page: the nation and a prefecture in Japanese and English, numbers from
the view, and the scope rule (a planner sees municipal rows of the own prefecture only)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from analytics.text import ui_text
from analytics.views import platforms, status
from tests.pages.test_auth_pages import data_dir, everything_shown, new_app, sign_in  # noqa: F401 (fixture)

PAGE = "pages/municipal-platforms.py"
TIMEOUT = 120


def run(**params: str) -> AppTest:
    from tests.test_app import PROJECT_ROOT

    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def metric(at: AppTest, key: str, lang: str = "ja") -> list[str]:
    return [m.value for m in at.metric if m.label == ui_text.t(key, lang)]


def test_prefecture_view_shows_the_views_numbers_and_the_gaps_in_words(seeded_db):
    at = run(pref="02", fy="2024")
    with status.read_connection(seeded_db) as con:
        cov = platforms.by_prefecture(con, platforms.as_of_for(type("F", (), {"fiscal_year": 2024})()))
        frame = platforms.latest(con, "02", "2025-03-31", include_unreported=True)
    row = cov.set_index("prefecture_code").loc["02"]
    assert metric(at, "platforms.metric.with_platform")[-1] == f"{int(row['with_platform']):,}"
    assert [t.value for t in at.title] == ["市町村プラットフォーム"]
    shown = everything_shown(at)
    for sentence in platforms.gap_sentences(frame, "ja"):
        assert sentence in shown
    assert "関連を示すだけで、効果を示すものではありません" in shown
    names = set(frame[frame["has_platform"]]["municipality_name"])
    assert names and all(n in shown for n in names)


def test_national_view_in_english_asks_for_a_prefecture(seeded_db):
    at = run(lang="en")
    assert [t.value for t in at.title] == ["Municipal platforms"]
    assert any(i.value == ui_text.t("platforms.pick_prefecture", "en") for i in at.info)
    assert metric(at, "platforms.metric.with_platform", "en")


def test_empty_database_says_how_to_load_a_survey(empty_db):
    at = run()
    assert any("python -m analytics ingest" in i.value for i in at.info)


def test_a_planner_sees_municipal_rows_of_the_own_prefecture_only(data_dir):  # noqa: F811
    own = sign_in(new_app(pref="02"), "aomori")
    own.switch_page(PAGE).run()
    assert not own.exception, [e.value for e in own.exception]
    assert "青森市" in everything_shown(own)
    other = sign_in(new_app(pref="05"), "aomori")
    other.switch_page(PAGE).run()
    assert not other.exception, [e.value for e in other.exception]
    shown = everything_shown(other)
    assert ui_text.t("platforms.scope_note") in shown
    assert "秋田市" not in shown and "能代市" not in shown
    assert metric(other, "platforms.metric.share")  # the prefecture's aggregate is there
