"""The prefecture scope rule, applied in the query layer so no page, download, report or link can show more.

Rule (issue 8): ``admin`` and ``analyst`` see everything. A ``planner`` or ``manager`` sees national and
prefecture-level aggregates of every prefecture, but municipal detail — grouping by or filtering on
``municipality_code``, ``region_comparison(level='municipality')``, municipal tables in reports and
downloads — only for their own prefecture. ``indicators.compute``, ``region_comparison``, ``cohort_curve``
and ``progress.compute_progress`` take ``viewer=`` and call :func:`scope_query` on their normalised
arguments: a municipal request without a prefecture filter is clamped to the viewer's prefecture; one that
names another prefecture or its municipalities raises :class:`ScopeError` (a Japanese message). No viewer
(``None``: the CLI, tests, local mode) leaves the query as it was.

Rows are read only through ``indicators.run_grain``, which applies :func:`scope_params`; every other function
that runs SQL is declared exempt, with its reason, in :mod:`analytics.access.sql_paths` (issue 15).

Downloads for roles that may not see small cells (``manager``) go through
:func:`analytics.metrics.downloads.for_download`; the sidebar's filters from a link are clamped by
:func:`analytics.views.filters.clamp_filters` (in app.py and again in ``ui.current_filters``). This module
knows nothing of indicators or pages, so the query layer (metrics) can import it without importing anything
back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from analytics.text import ui_text

if TYPE_CHECKING:
    from analytics.access.auth import Viewer

MUNICIPAL = "municipality_code"
PREFECTURE = "prefecture_code"


# The viewer a page acts for, set around a whole analytics call (ui.query, the reports page) so that
# helper modules calling indicators.compute without a viewer= argument obey the scope too.
_ACTIVE: ContextVar[Viewer | None] = ContextVar("hyogaki_viewer", default=None)


@contextmanager
def acting_as(viewer: Viewer | None) -> Iterator[None]:
    """Every scoped call inside the block (``compute``, ``region_comparison``, ``cohort_curve``,
    ``compute_progress``, ``run_grain``) applies ``viewer``'s scope unless given another viewer."""
    token = _ACTIVE.set(viewer)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def effective(viewer: Viewer | None) -> Viewer | None:
    """``viewer`` if given, else the one of the enclosing :func:`acting_as` block (None outside)."""
    return viewer if viewer is not None else _ACTIVE.get()


def scope_key(viewer: Viewer | None) -> tuple[str, ...] | None:
    """What a cached result depends on: None (sees everything) or the prefectures whose municipalities it may see."""
    allowed = None if viewer is None else viewer.municipal_prefectures
    return None if allowed is None else tuple(sorted(allowed))


def viewer_for_key(key: tuple[str, ...] | None) -> Viewer | None:
    """A viewer with exactly the scope :func:`scope_key` describes (for cached calls)."""
    from analytics.access.auth import Viewer

    if key is None:
        return None
    return Viewer("scope", "planner", key[0] if key else None)


class ScopeError(Exception):
    """The request asks for municipal detail outside the viewer's prefecture. The message is Japanese."""


def _pref_name(code: str) -> str:
    label = ui_text.prefecture_label(code) if code in ui_text.prefecture_codes() else ""
    return f"{label}（{code}）" if label and label != code else code


def _refuse(viewer: Viewer, asked: list[str]) -> ScopeError:
    allowed = viewer.municipal_prefectures or frozenset()
    asked_text = "、".join(_pref_name(p) for p in sorted(set(asked))) or "指定の地域"
    if not allowed:
        return ScopeError(
            f"市区町村別の数値を表示する権限がありません（{asked_text}）。全国・都道府県別の数値は表示できます。"
        )
    own = "、".join(_pref_name(p) for p in sorted(allowed))
    return ScopeError(
        f"{own}の担当のため、{asked_text}の市区町村別の数値は表示できません。全国・都道府県別の数値は表示できます。"
    )


def refusal_message(viewer: Viewer, prefecture_code: str | None) -> str:
    """Why ``viewer`` may not see the municipalities of ``prefecture_code`` (for a page's note)."""
    return str(_refuse(viewer, [prefecture_code] if prefecture_code else []))


def wants_municipal_detail(by: list[str], filters: dict[str, list]) -> bool:
    return MUNICIPAL in by or MUNICIPAL in filters


def scope_query(viewer: Viewer | None, by: list[str], filters: dict[str, list]) -> tuple[list[str], dict[str, list]]:
    """``by`` and ``filters`` (already normalised by ``indicators.normalise_by/normalise_filters``) made safe.

    - no viewer, or a viewer who sees every municipality: unchanged;
    - no municipal detail asked for: unchanged (national and prefecture aggregates are open to all roles);
    - municipal detail: every municipality filter value must lie in the viewer's prefecture (its first two
      digits), every prefecture filter value must be the viewer's; with no prefecture filter one is added
      (clamp). Anything else raises :class:`ScopeError`.

    The prefecture filter is always set, so rows are limited by the prefecture the data attributes them to,
    not only by the municipality code's digits.
    """
    if viewer is None:
        return by, filters
    allowed = viewer.municipal_prefectures
    if allowed is None or not wants_municipal_detail(by, filters):
        return by, filters
    munis = filters.get(MUNICIPAL) or []
    prefs = filters.get(PREFECTURE)
    if not allowed:
        raise _refuse(viewer, [m[:2] for m in munis] + list(prefs or []))
    outside = [m[:2] for m in munis if m[:2] not in allowed]
    outside += [p for p in (prefs or []) if p not in allowed]
    if outside:
        raise _refuse(viewer, outside)
    out = dict(filters)
    if prefs is None:
        out[PREFECTURE] = sorted(allowed)
    return list(by), out


def scope_params(viewer: Viewer | None, by: list[str], params: dict[str, Any]) -> dict[str, Any]:
    """:func:`scope_query` for a grain file's bound parameters (``$f_prefecture_code``, ``$f_municipality_code``)."""
    filters = {k[2:]: v for k, v in params.items() if k in (f"f_{PREFECTURE}", f"f_{MUNICIPAL}") and v is not None}
    _, scoped = scope_query(viewer, by, filters)
    if scoped == filters:
        return params
    return {**params, **{f"f_{k}": v for k, v in scoped.items()}}


def check_progress(viewer: Viewer | None, by: list[str] | None) -> None:
    """Progress is measured against national and prefecture targets; municipal levels need full scope."""
    if viewer is None or by is None:
        return
    if MUNICIPAL in by and viewer.municipal_prefectures is not None:
        raise _refuse(viewer, [])


def municipality_choices(viewer: Viewer | None, prefecture_code: str | None) -> bool:
    """Whether the sidebar may offer the municipalities of ``prefecture_code`` to this viewer."""
    return viewer is None or viewer.can_see_municipalities_of(prefecture_code)
