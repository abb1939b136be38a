"""The views people open most, listed for the background warm-up after each load or rollback.

``plan(con)`` returns, in the order they should be computed, the calls the pages make through ``ui.query`` for
the sidebar's default filters (the latest fiscal year): first the nation on every main page, then each
prefecture's 概要 and 進捗, then each prefecture's 地域 and 対象者. The Streamlit side (``ui/warmup.py``) runs
them into the same cache the pages read, so the first planner to open a page after a load finds it computed.
Each entry is ``(function, args)`` exactly as the page passes them: the cache key is the function, the
arguments and the data version, so any difference would warm a key nobody asks for (tests/views pins them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb

from analytics.metrics import indicators
from analytics.text import ui_text
from analytics.views import filters as F, groups, overview, progress_view, regions, status

Call = tuple[Callable[..., Any], tuple]

# The views people open most: every plan lists all of their calls before any other page's.
MOST_OPENED = (overview.build_overview, progress_view.build_progress)
REGIONS_DEFAULT_INDICATOR = "retention_6m_rate"  # pages/regions.py DEFAULT_INDICATOR
GROUPS_DEFAULT_BREAKDOWN = ("agency_type", "regular_placed_persons")  # pages/groups.py defaults


def page_calls(filters: F.Filters) -> dict[str, list[Call]]:
    """The ``ui.query`` calls each main page makes for ``filters``, page by page."""
    return {
        "overview": [(status.loaded_summary, ()), (overview.build_overview, (filters,)), (status.batches, ())],
        "progress": [(status.loaded_summary, ()), (progress_view.build_progress, (filters,))],
        "regions": [(indicators.as_of, ()), (regions.prefecture_values, (REGIONS_DEFAULT_INDICATOR, filters))],
        "groups": [(indicators.as_of, ()), (groups.by_group, (filters,)), (groups.support_path, (filters,)),
                   (groups.cohort_curves, (filters,)), (groups.breakdown, (*GROUPS_DEFAULT_BREAKDOWN, filters)),
                   (groups.referral_flows, (filters,))],
    }  # fmt: skip


def plan(con: duckdb.DuckDBPyConnection, prefectures: list[str] | None = None) -> list[Call]:
    """Every call to warm, most wanted first, without repeats (empty on an empty database).

    ``prefectures``: the prefecture codes to warm (default: all 47, in JIS order).
    """
    options = F.filter_options(con)
    if options.latest_fiscal_year is None:
        return [(F.filter_options, ())]
    fy = options.latest_fiscal_year
    nation = F.Filters.create(fiscal_year=fy)
    codes = ui_text.prefecture_codes() if prefectures is None else prefectures
    prefs = [F.Filters.create(fiscal_year=fy, prefecture_code=code) for code in codes]
    calls: list[Call] = [(F.filter_options, ())]
    for page in page_calls(nation).values():
        calls += page
    for flt in prefs:
        pages = page_calls(flt)
        calls += pages["overview"] + pages["progress"]
    for flt in prefs:
        pages = page_calls(flt)
        calls += pages["regions"] + pages["groups"]
    seen: set = set()
    out = []
    for func, args in calls:
        key = (func, args)
        if key not in seen:
            seen.add(key)
            out.append((func, args))
    return out
