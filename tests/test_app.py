"""The Streamlit app in-process (AppTest): every page runs with the sample data and with an empty database."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.text import ui_text
from analytics.views import status

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60  # seconds; the first run of a page imports plotly and pandas


def run_app(page_file: str | None = None, *, lang: str | None = None) -> AppTest:
    """Run app.py (optionally switched to one page) the way a browser session would."""
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=TIMEOUT)
    if lang:
        at.query_params["lang"] = lang
    at.run()
    if page_file:
        at.switch_page(page_file).run()
    return at


def assert_no_error(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


# ---------------------------------------------------------------------------------------------
# Every page, both states
# ---------------------------------------------------------------------------------------------


def test_every_page_runs_in_the_app_with_the_sample_data(seeded_db, app_page):
    at = run_app(app_page.file)
    assert_no_error(at)
    assert [t.value for t in at.title], f"{app_page.file} shows no title"


def test_every_page_runs_in_the_app_with_an_empty_database(empty_db, app_page):
    at = run_app(app_page.file)
    assert_no_error(at)
    assert [t.value for t in at.title], f"{app_page.file} shows no title"


@pytest.mark.parametrize("state", ["seeded_db", "empty_db"])
def test_every_page_file_runs_on_its_own(state, request, app_page):
    request.getfixturevalue(state)
    at = AppTest.from_file(str(PROJECT_ROOT / app_page.file), default_timeout=TIMEOUT).run()
    assert_no_error(at)


def test_every_page_has_an_english_title(seeded_db, app_page):
    at = run_app(app_page.file, lang="en")
    assert_no_error(at)
    assert at.session_state["lang"] == "en"


# ---------------------------------------------------------------------------------------------
# The shell: seeding, language, data-as-of note
# ---------------------------------------------------------------------------------------------


def test_first_start_seeds_an_empty_database_from_the_sample(tmp_db):
    at = run_app()
    assert_no_error(at)
    with status.read_connection(tmp_db) as con:
        summary = status.loaded_summary(con)
    assert summary.batches > 0
    assert summary.consultations > 0
    assert any(ui_text.t("sidebar.as_of") in c.value for c in at.sidebar.caption)


def test_seeding_switched_off_leaves_the_database_empty(empty_db):
    at = run_app()
    assert_no_error(at)
    with status.read_connection(empty_db) as con:
        assert status.loaded_summary(con).batches == 0
    assert ui_text.t("sidebar.no_data") in [c.value for c in at.sidebar.caption]


def test_language_is_japanese_by_default_and_english_from_the_url(seeded_db):
    ja = run_app()
    assert ja.title[0].value == ui_text.t("overview.title", "ja")
    en = run_app(lang="en")
    assert en.title[0].value == ui_text.t("overview.title", "en")
    assert en.metric[0].label == ui_text.t("overview.consultations", "en")


def test_switching_the_language_rerenders_in_english(seeded_db):
    at = run_app()
    at.segmented_control(key="lang").set_value("en").run()
    assert_no_error(at)
    assert at.title[0].value == "Overview"
    assert at.sidebar.segmented_control(key="lang").value == "en"


def test_unknown_language_in_the_url_falls_back_to_japanese(seeded_db):
    at = run_app(lang="fr")
    assert_no_error(at)
    assert at.title[0].value == ui_text.t("overview.title", "ja")


# ---------------------------------------------------------------------------------------------
# The overview placeholder
# ---------------------------------------------------------------------------------------------

OVERVIEW = "pages/overview.py"


def test_overview_shows_the_loaded_counts_from_the_database(seeded_db):
    with status.read_connection(seeded_db) as con:
        summary = status.loaded_summary(con)
    at = run_app(OVERVIEW)
    assert_no_error(at)
    shown = {m.label: m.value for m in at.metric}
    assert shown[ui_text.t("overview.consultations")] == f"{summary.consultations:,}"
    assert shown[ui_text.t("overview.placements")] == f"{summary.placements:,}"
    assert shown[ui_text.t("overview.targets")] == f"{summary.targets:,}"
    assert shown[ui_text.t("overview.persons")] == f"{summary.persons:,}"


def test_overview_tables_cover_every_fiscal_year_prefecture_and_batch(seeded_db):
    with status.read_connection(seeded_db) as con:
        summary = status.loaded_summary(con)
        batches = status.batches(con)
    at = run_app(OVERVIEW)
    by_year = at.dataframe[-1].value  # one table at a time, the fiscal years first
    by_pref = at.segmented_control(key="ov.behind").set_value("by_prefecture").run().dataframe[-1].value
    batch_list = at.segmented_control(key="ov.behind").set_value("batches").run().dataframe[-1].value
    assert len(by_year) == len(summary.by_fiscal_year)
    assert by_year[ui_text.t("col.consultations")].sum() == summary.consultations
    assert by_pref[ui_text.t("col.prefecture")].iloc[0] == "北海道"  # JIS order
    assert by_pref[ui_text.t("col.consultations")].sum() == summary.consultations
    assert len(batch_list) == len(batches)


def test_overview_with_no_data_says_how_to_load_it(empty_db):
    at = run_app(OVERVIEW)
    assert_no_error(at)
    assert [i.value for i in at.info] == [ui_text.t("overview.empty")]
    assert not at.metric
    assert not at.dataframe


def test_a_load_holding_the_database_shows_a_busy_note_not_a_traceback(empty_db, tmp_path, monkeypatch):
    monkeypatch.setattr(status, "READ_WAIT_SECONDS", 0.5)
    ready = tmp_path / "writer_ready"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, pathlib; from analytics import db\n"
            "con = db.connect(sys.argv[1]); pathlib.Path(sys.argv[2]).touch(); time.sleep(60)",
            str(empty_db),
            str(ready),
        ],
        cwd=PROJECT_ROOT,
    )
    try:
        for _ in range(200):
            if ready.exists():
                break
            holder.poll()
            assert holder.returncode is None, "the writer process died"
            time.sleep(0.05)
        at = run_app()
        assert not at.exception, [e.value for e in at.exception]
        busy = ui_text.t("sidebar.db_busy")
        assert busy in [w.value for w in at.warning]
        assert busy in [c.value for c in at.sidebar.caption]
    finally:
        holder.kill()
        holder.wait()


def test_an_unwritable_data_directory_shows_a_japanese_message_not_a_traceback(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    blocker = tmp_path / "afile"
    blocker.write_text("x")
    monkeypatch.setenv("HYOGAKI_DATA_DIR", str(blocker / "data"))
    monkeypatch.delenv("HYOGAKI_DB", raising=False)
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert any("書き込めません" in e.value for e in at.error)


def test_start_up_rebuilds_facts_a_migration_left_stale(empty_db):
    """Issue 15, point 4: a migration that empties facts_meta (004) no longer leaves the pages reading the old
    facts: the app's start-up rebuilds them on a writable connection, and the overview computes."""
    from analytics import db
    from analytics.metrics import facts

    try:
        from tests.metrics.test_indicators import load_fixture
    except ImportError:
        from metrics.test_indicators import load_fixture

    con = db.connect(empty_db)
    try:
        load_fixture(con)
        con.execute("delete from facts_meta")
    finally:
        con.close()
    at = run_app()
    assert_no_error(at)
    with status.read_connection(empty_db) as con:
        assert facts.is_current(con)
    at.switch_page("pages/progress.py").run()
    assert_no_error(at)
