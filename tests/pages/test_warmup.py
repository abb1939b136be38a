"""The background warm-up (ui/warmup.py): after it ran, a planner's first visit to a prefecture's 概要 and 進捗 is
a cache hit (no engine call), and after a rollback the pages show the new numbers, never the warmed old ones."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.metrics import indicators
from analytics.views import filters as F, overview, progress_view, status, warmup as plan_mod
from ui import warmup

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MESSY = PROJECT_ROOT / "sample_data" / "messy"


@pytest.fixture
def db_copy(seeded_db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    shutil.copytree(seeded_db_path.parent, data)
    path = data / seeded_db_path.name
    monkeypatch.setenv("HYOGAKI_DATA_DIR", str(data))
    monkeypatch.setenv("HYOGAKI_DB", str(path))
    monkeypatch.setenv("HYOGAKI_SEED", "0")
    return path


def _run_page(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()  # app.py first (sidebar, filters), as a browser does; switch_page alone runs the page file bare
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _version(path: Path) -> str:
    with status.read_connection(path) as con:
        return F.data_version(con)


def test_the_plan_uses_the_pages_defaults():
    regions_page = (PROJECT_ROOT / "pages" / "regions.py").read_text(encoding="utf-8")
    assert f'DEFAULT_INDICATOR = "{plan_mod.REGIONS_DEFAULT_INDICATOR}"' in regions_page
    groups_page = (PROJECT_ROOT / "pages" / "groups.py").read_text(encoding="utf-8")
    dimension, indicator = plan_mod.GROUPS_DEFAULT_BREAKDOWN
    assert f'default="{dimension}"' in groups_page and f'index("{indicator}")' in groups_page


def test_the_plan_puts_the_nation_first_then_every_prefectures_overview_and_progress(db_copy):
    with status.read_connection(db_copy) as con:
        calls = plan_mod.plan(con)
    overviews = [args[0] for func, args in calls if func is overview.build_overview]
    assert overviews[0].prefecture_code is None
    assert {f.prefecture_code for f in overviews[1:]} == set(F.ui_text.prefecture_codes())
    assert all(f.fiscal_year == 2024 for f in overviews)  # the latest year: the sidebar's default
    first_regions = next(i for i, (func, _) in enumerate(calls) if func.__name__ == "prefecture_values"
                         and _[1].prefecture_code is not None)  # fmt: skip
    last_progress = max(i for i, (func, _) in enumerate(calls) if func is progress_view.build_progress)
    assert last_progress < first_regions  # 概要 and 進捗 of every prefecture before the other pages


def test_after_the_warm_up_a_prefectures_first_visit_runs_no_engine_call_and_a_rollback_shows_new_numbers(
    db_copy, monkeypatch
):
    real_plan = plan_mod.plan
    monkeypatch.setattr(plan_mod, "plan", lambda con: real_plan(con, ["13", "27"]))  # two prefectures: quicker
    state = warmup.WarmupState(str(db_copy))
    assert warmup.warm(state, _version(db_copy))
    assert state.errors == 0 and state.done == state.total > 20

    calls: list[str] = []
    real_run_grain = indicators.run_grain

    def counting(*args, **kwargs):
        calls.append(args[1])
        return real_run_grain(*args, **kwargs)

    monkeypatch.setattr(indicators, "run_grain", counting)  # every engine query passes here
    at = _run_page("pages/overview.py", pref="13")
    warmed_cards = [m.value for m in at.metric]
    _run_page("pages/progress.py", pref="27")
    assert calls == []  # both answered from the warm cache: not one engine query

    # A load changes the version: the same link computes again, and shows the load.
    from analytics.ingest.pipeline import ingest_path

    report = ingest_path(db_copy, MESSY / "a_cp932_consultations.csv")
    assert report.status == "loaded"
    loaded_cards = [m.value for m in _run_page("pages/overview.py", pref="13").metric]
    assert calls  # recomputed for the new version
    # The rollback brings the old numbers back, from a new version (never the load's cached view).
    from analytics.views import upload

    upload.rollback(report.batch_id, db_path=db_copy)
    rolled_back = [m.value for m in _run_page("pages/overview.py", pref="13").metric]
    assert rolled_back == warmed_cards
    assert _version(db_copy) != state.version
    assert loaded_cards  # (the file's rows may or may not be in Tokyo: the recount above is what matters)
