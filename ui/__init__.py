"""Streamlit-side helpers the pages share: the sidebar filters, chart rendering, cards and cached queries.

How a page gets its data (the design every page follows)::

    from ui import current_filters, query
    filters = current_filters()                      # the sidebar's (ui/shell.py), clamped to the viewer
    frame = query(overview.kpis, filters, lang)      # analytics function run on a read connection, cached

``query`` runs ``func(con, *args)`` on a short read-only connection and caches the result with
``st.cache_data`` keyed by the function, its arguments (a :class:`analytics.views.filters.Filters` is hashable)
and the data version (:func:`analytics.views.filters.data_version`), so a load or rollback shows at once and the
same filter never runs twice. The analytics function must be importable at module level.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

import streamlit as st

from analytics import config
from analytics.access import scope
from analytics.views import filters as filters_mod, status
from analytics.views.filters import Filters

T = TypeVar("T")

FILTERS_KEY = "filters"  # st.session_state key where the frame's sidebar (ui/shell.py) leaves the current Filters
VERSION_KEY = "data_version"  # st.session_state key: the data version seen by this script run


def db_path() -> str:
    return str(config.default_db_path())


def current_filters() -> Filters:
    """The sidebar's filters for this run (set by ui/shell.py), else the URL's (no frame ran), always clamped
    to the signed-in viewer's prefecture scope (:func:`analytics.views.filters.clamp_filters`).

    Code can run outside the frame (a test's function, a page file whose frame could not be drawn): then
    nothing has clamped the URL's filters, and a crafted link's municipality
    would reach the page. Clamping here, every time, means no page ever sees unclamped filters; with no viewer
    at all (nobody signed in) the municipality is dropped.
    """
    from ui.auth import current_viewer

    found = st.session_state.get(FILTERS_KEY)
    filters = found if isinstance(found, Filters) else Filters.from_query_params(st.query_params.to_dict())
    viewer = current_viewer()
    if viewer is None:
        return replace(filters, municipality_code=None) if filters.municipality_code else filters
    return filters_mod.clamp_filters(viewer, filters)


def data_version(refresh: bool = False) -> str:
    """The data version, read once per script run by the sidebar (or here when a page runs alone)."""
    version = st.session_state.get(VERSION_KEY)
    if version is None or refresh:
        with status.read_connection(db_path()) as con:
            version = filters_mod.data_version(con)
        st.session_state[VERSION_KEY] = version
    return version


@st.cache_data(show_spinner=False, max_entries=512, ttl=6 * 3600)
def _cached(target: str, path: str, version: str, scope_key: tuple[str, ...] | None, args: tuple, kwargs: dict
            ) -> Any:  # fmt: skip
    module, name = target.split(":")
    func = getattr(importlib.import_module(module), name)
    with scope.acting_as(scope.viewer_for_key(scope_key)), status.read_connection(path) as con:
        return func(con, *args, **kwargs)


def query(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``func(con, *args, **kwargs)`` on a read connection, cached per arguments, data version and the signed-in
    viewer's prefecture scope (analytics/access/scope.py: every indicator call inside obeys it)."""
    from ui.auth import require_viewer

    key = scope.scope_key(require_viewer())
    return _cached(f"{func.__module__}:{func.__qualname__}", db_path(), data_version(), key, args, kwargs)
