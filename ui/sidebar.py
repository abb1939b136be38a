"""The shared sidebar filters: period (fiscal year or stage), prefecture then municipality, target groups,
agency types. Their state lives in the URL (``st.query_params``) so a copied link opens the same view.

The frame (ui/shell.py) calls :func:`sidebar_filters` once per run, before the page; it leaves the result in
``st.session_state["filters"]`` and pages read it with ``ui.current_filters()``. Widgets are not bound with
``bind="query-params"`` (that writes labels, not codes): the URL is read once per session into the widgets'
state and written back from them on every run, as the frame does for ``lang``.
"""

from __future__ import annotations

import streamlit as st

from analytics.contract import AGENCY_TYPES, TARGET_GROUPS
from analytics.db import DatabaseBusyError
from analytics.text import ui_text
from analytics.text.ui_text import t
from analytics.views import filters as F
from analytics.views.filters import Filters, stage_label

from . import FILTERS_KEY, data_version, query
from .auth import current_viewer

PERIOD_FY, PERIOD_STAGE = "fiscal_year", "stage"
_KEYS = ("f.period", "f.fy", "f.stage", "f.pref", "f.muni", "f.tg", "f.agency")
_LABELS = {
    "target_group": {c.code: (c.ja, c.en) for c in TARGET_GROUPS},
    "agency_type": {c.code: (c.ja, c.en) for c in AGENCY_TYPES},
}


def code_label(kind: str, code: str | None, lang: str) -> str:
    """Label of a target group or agency type code in ``lang`` (the code itself when unknown)."""
    ja, en = _LABELS[kind].get(code or "", (code or "", code or ""))
    return en if lang == "en" else ja


def _init_from_url(options: F.FilterOptions) -> None:
    """Once per session: put the URL's filters (or the defaults) into the widgets' state."""
    if st.session_state.get("f.init"):
        return
    url = Filters.from_query_params(st.query_params.to_dict())
    st.session_state["f.period"] = PERIOD_STAGE if url.stage else PERIOD_FY
    st.session_state["f.fy"] = url.fiscal_year if url.fiscal_year is not None else options.latest_fiscal_year
    default_stage = url.stage_obj() or Filters(fiscal_year=options.latest_fiscal_year).stage_obj()
    st.session_state["f.stage"] = default_stage.name if default_stage else F.stages()[-1].name
    st.session_state["f.pref"] = url.prefecture_code or ""
    st.session_state["f.muni"] = url.municipality_code or ""
    st.session_state["f.tg"] = list(url.target_groups)
    st.session_state["f.agency"] = list(url.agency_types)
    st.session_state["f.init"] = True


def _keep_valid(key: str, options: list) -> None:
    """Drop a remembered choice the current options no longer offer (e.g. a municipality of another prefecture)."""
    value = st.session_state.get(key)
    if isinstance(value, list):
        st.session_state[key] = [v for v in value if v in options]
    elif value not in options:
        st.session_state[key] = options[0] if options else None


def _clear() -> None:
    for key in _KEYS:
        st.session_state.pop(key, None)
    st.session_state.pop("f.init", None)
    for key in F.QUERY_KEYS.values():
        st.query_params.pop(key, None)


def sidebar_filters(lang: str) -> Filters:
    """Render the filters in the sidebar, sync them to the URL and return them (also in session state)."""
    try:
        data_version(refresh=True)
        options = query(F.filter_options)
    except DatabaseBusyError:
        options = F.FilterOptions()
    _init_from_url(options)
    stage_names = [s.name for s in F.stages()]
    years = list(options.fiscal_years)
    if st.session_state.get("f.fy") is not None and st.session_state["f.fy"] not in years:
        years = sorted({*years, st.session_state["f.fy"]}, reverse=True)  # a linked year without data yet
    prefs = ["", *ui_text.prefecture_codes()]  # "" = national (None would show as an empty choice)

    with st.sidebar:
        st.markdown(f"**{t('filter.heading', lang)}**")
        period = st.segmented_control(
            t("filter.period", lang), [PERIOD_FY, PERIOD_STAGE], required=True, key="f.period",
            format_func=lambda p: t(f"filter.period_{p}", lang),
        )  # fmt: skip
        fiscal_year = stage = None
        if period == PERIOD_STAGE:
            _keep_valid("f.stage", stage_names)
            stage = st.selectbox(
                t("filter.stage", lang), stage_names, key="f.stage", format_func=lambda s: stage_label(s, lang)
            )
        elif years:
            _keep_valid("f.fy", years)
            fiscal_year = st.selectbox(
                t("filter.fiscal_year", lang), years, key="f.fy",
                format_func=lambda y: ui_text.fiscal_year_label(y, lang),
            )  # fmt: skip
        _keep_valid("f.pref", prefs)
        pref = (
            st.selectbox(
                t("filter.prefecture", lang),
                prefs,
                key="f.pref",
                format_func=lambda c: ui_text.prefecture_label(c, lang),
            )
            or None
        )
        muni = None
        # Municipalities only where the viewer may see them (analytics/access/scope.py; planners: their own prefecture).
        if pref is not None and current_viewer() is not None and current_viewer().can_see_municipalities_of(pref):
            munis = ["", *options.municipalities_in(pref)]
            _keep_valid("f.muni", munis)
            muni = st.selectbox(
                t("filter.municipality", lang), munis, key="f.muni",
                format_func=lambda c: F.municipality_label(c, lang) if c else t("filter.all_municipalities", lang),
            ) or None  # fmt: skip
        groups = st.multiselect(
            t("filter.target_groups", lang), list(F.TARGET_GROUP_CODES), key="f.tg",
            format_func=lambda c: code_label("target_group", c, lang), placeholder=t("filter.all", lang),
        )  # fmt: skip
        agencies = st.multiselect(
            t("filter.agency_types", lang), list(F.AGENCY_TYPE_CODES), key="f.agency",
            format_func=lambda c: code_label("agency_type", c, lang), placeholder=t("filter.all", lang),
        )  # fmt: skip
        st.button(t("filter.clear", lang), on_click=_clear, icon=":material/filter_alt_off:", key="f.clear",
                  type="tertiary")  # fmt: skip

    chosen = Filters.create(
        fiscal_year=fiscal_year, stage=stage, prefecture_code=pref, municipality_code=muni,
        target_groups=groups or (), agency_types=agencies or (),
    )  # fmt: skip
    sync_url(chosen)
    st.session_state[FILTERS_KEY] = chosen
    return chosen


def sync_url(filters: Filters) -> None:
    """Write the filters to the URL (only the filter keys: ``lang`` and page parameters stay)."""
    wanted = filters.to_query_params()
    for key in F.QUERY_KEYS.values():
        if key in wanted:
            if st.query_params.get(key) != wanted[key]:
                st.query_params[key] = wanted[key]
        elif key in st.query_params:
            del st.query_params[key]
