"""The warm-up's shortcuts give the engine's numbers: a prefecture answered from one call grouped by prefecture
(indicators.prefecture_fan_out), and the burn-up's running total from one query (indicators.cumulative_by_month)."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics import db
from analytics.metrics import indicators
from analytics.text import ui_text
from analytics.views import groups, overview, progress_view
from analytics.views.filters import Filters


@pytest.fixture(scope="module")
def con(seeded_db_path):
    c = db.connect(seeded_db_path, read_only=True)
    yield c
    c.close()


SHAPES = [
    {"by": []},
    {"by": ["fiscal_year"]},
    {"by": ["fiscal_year", "month"], "filters": {"fiscal_year": [2023, 2024]}},
    {"by": ["target_group"], "filters": {"fiscal_year": [2024]}},
    {"by": ["agency_type"], "filters": {"fiscal_year": [2022], "target_group": ["long_term_jobless"]}},
    {"by": [], "filters": {"month": ["2023-04", "2023-05"]}, "as_of_date": "2023-06-30"},
]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "+".join(s["by"]) or "total")
def test_a_prefecture_sliced_from_the_grouped_call_equals_the_filtered_call(con, shape):
    kwargs = {"as_of_date": shape.get("as_of_date")}
    # every prefecture for the plain total, a spread of them (and one with no rows in a year) for the rest
    codes = ui_text.prefecture_codes() if not shape["by"] else ["01", "02", "13", "27", "33", "40", "47"]
    with indicators.prefecture_fan_out():
        for code in codes:
            flt = {**shape.get("filters", {}), "prefecture_code": code}
            fanned = indicators.compute(con, by=shape["by"], filters=flt, **kwargs)
            token = indicators._FAN_OUT.set(None)  # the same call, computed directly
            try:
                direct = indicators.compute(con, by=shape["by"], filters=flt, **kwargs)
            finally:
                indicators._FAN_OUT.reset(token)
            pd.testing.assert_frame_equal(fanned, direct, check_dtype=True)
            assert fanned.attrs["filters"] == direct.attrs["filters"] and fanned.attrs["by"] == direct.attrs["by"]


def test_page_views_under_the_fan_out_equal_the_direct_ones(con):
    for code in ("01", "13", "47"):
        flt = Filters(fiscal_year=2024, prefecture_code=code)
        direct_ov, direct_groups = overview.build_overview(con, flt), groups.by_group(con, flt)
        with indicators.prefecture_fan_out():
            fan_ov, fan_groups = overview.build_overview(con, flt), groups.by_group(con, flt)
        assert fan_ov.kpis == direct_ov.kpis
        for name in ("by_year", "monthly", "by_group"):
            pd.testing.assert_frame_equal(getattr(fan_ov, name), getattr(direct_ov, name))
        pd.testing.assert_frame_equal(fan_groups, direct_groups)


def test_the_fan_out_leaves_municipal_and_multi_prefecture_calls_alone(con):
    with indicators.prefecture_fan_out():
        both = indicators.compute(con, filters={"prefecture_code": ["01", "02"]}, indicators=["persons"])
    direct = indicators.compute(con, filters={"prefecture_code": ["01", "02"]}, indicators=["persons"])
    pd.testing.assert_frame_equal(both, direct)


@pytest.mark.parametrize("indicator_id", indicators.CUMULATIVE_IDS)
@pytest.mark.parametrize("scope", [{}, {"prefecture_code": "13"}, {"target_group": "long_term_jobless"}])
def test_running_total_by_month_equals_one_engine_call_per_month(con, indicator_id, scope):
    months = [f"{y}-{m:02d}" for y, m in [(2023, 4), (2023, 5), (2023, 6), (2023, 7), (2023, 12), (2024, 1),
                                          (2024, 3)]]  # fmt: skip
    running = indicators.cumulative_by_month(con, indicator_id, months, scope)
    expected = [int(indicators.compute(con, filters={**scope, "month": months[: i + 1]},
                                       indicators=[indicator_id])[indicator_id].iloc[0]) for i in range(len(months))]
    assert list(running) == expected
    assert list(running.index) == months


def test_running_total_refuses_an_indicator_that_is_not_a_person_count(con):
    with pytest.raises(ValueError, match="累積"):
        indicators.cumulative_by_month(con, "consultations", ["2023-04"])


def test_burnup_actual_line_is_unchanged(con):
    view = progress_view.build_progress(con, Filters(fiscal_year=2024, prefecture_code="13"))
    assert view.burnups
    for burn, target in zip(view.burnups, view.targets.to_dict("records"), strict=True):
        months = [f"{d.year:04d}-{d.month:02d}" for d in burn["month_end"]][: burn["actual"].notna().sum()]
        scope = {"prefecture_code": "13"}
        for i, actual in enumerate(burn["actual"].dropna()):
            ref = indicators.compute(con, filters={**scope, "month": months[: i + 1]}, indicators=[target["indicator"]])
            assert int(actual) == int(ref[target["indicator"]].iloc[0])
