"""The レポート page (AppTest): choices, a preview of the key numbers, and the file built only when asked."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PAGE = "pages/reports.py"
TIMEOUT = 120


def open_page(lang: str | None = None) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=TIMEOUT)
    if lang:
        at.query_params["lang"] = lang
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def downloads(at: AppTest) -> list:
    return at.get("download_button")


def test_preview_shows_the_key_numbers_and_builds_the_file_only_when_asked(seeded_db):
    at = open_page()
    assert at.title[0].value == "レポート"
    labels = [m.label for m in at.metric]
    assert "実支援者数" in labels and "正社員就職者数" in labels
    assert not downloads(at), "the file must not be built before 作成 is pressed"
    at.button(key="report_build").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(downloads(at)) == 1


def test_choosing_a_prefecture_and_a_stage_changes_the_preview(seeded_db):
    at = open_page()
    at.selectbox(key="report_prefecture").set_value("02").run()
    at.segmented_control(key="report_period_kind").set_value("stage").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("青森県" in s.value and "第2ステージ" in s.value for s in at.subheader)
    # the stage choices read as in the sidebar (filters.stage_label): the stage with its fiscal years
    choices = at.selectbox(key="report_stage").options
    assert all("年度）" in c for c in choices), choices
    assert any(c.startswith("第2ステージ（令和") for c in choices), choices
    at.segmented_control(key="report_format").set_value("pdf").run()
    at.button(key="report_build").click().run()
    assert len(downloads(at)) == 1


def test_english_page(seeded_db):
    at = open_page("en")
    assert at.title[0].value == "Reports"
    assert "Persons supported" in [m.label for m in at.metric]


def test_empty_database_explains_what_to_do(empty_db):
    at = open_page()
    assert any("データが未登録" in i.value for i in at.info)
    assert not at.metric and not downloads(at)
