"""The dashboard's shared filter state: one frozen value, its URL form, and the filters the engine accepts.

No streamlit here: ``ui/sidebar.py`` renders the widgets and keeps ``st.query_params`` in step with a
:class:`Filters`; pages pass :meth:`Filters.to_indicator_filters` to ``indicators.compute``. The URL form
uses short keys so a copied link stays readable::

    ?fy=2023&pref=13&muni=13101&tg=long_term_jobless,social_participation&agency=hello_work

Reading a URL is tolerant: a value that is not a known fiscal year, stage, prefecture, municipality,
target group or agency type is dropped (people edit links by hand and old links outlive code lists).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from analytics import contract
from analytics.metrics.stages import Stage, find_stage, load_stages, stage_for_fiscal_year
from analytics.text import ui_text

if TYPE_CHECKING:
    from analytics.access.auth import Viewer

# URL keys (short, stable: shared links depend on them).
QUERY_KEYS: dict[str, str] = {
    "fiscal_year": "fy",
    "stage": "stage",
    "prefecture_code": "pref",
    "municipality_code": "muni",
    "target_groups": "tg",
    "agency_types": "agency",
}
# Fiscal years a link may name: the program's predecessors start in the 1990s (contract.EARLIEST_RECORD_DATE).
MIN_FISCAL_YEAR, MAX_FISCAL_YEAR = 1990, 2100
TARGET_GROUP_CODES: tuple[str, ...] = tuple(c.code for c in contract.TARGET_GROUPS)
AGENCY_TYPE_CODES: tuple[str, ...] = tuple(c.code for c in contract.AGENCY_TYPES)
_FY_RE = re.compile(r"^(?:FY)?(\d{4})$", re.IGNORECASE)
_MUNI_RE = re.compile(r"^\d{5}$")


@dataclass(frozen=True)
class Filters:
    """What the reader has chosen in the sidebar. Empty fields mean "all".

    ``fiscal_year`` and ``stage`` are alternatives (a period is either one year or one stage); when both
    are set, the fiscal year wins. ``municipality_code`` (5 digits) lies in ``prefecture_code``.
    ``target_groups`` and ``agency_types`` hold contract codes in contract order.
    """

    fiscal_year: int | None = None
    stage: str | None = None
    prefecture_code: str | None = None
    municipality_code: str | None = None
    target_groups: tuple[str, ...] = ()
    agency_types: tuple[str, ...] = ()

    # -- derived -----------------------------------------------------------------------------

    def stage_obj(self) -> Stage | None:
        """The chosen stage, or the stage containing the chosen fiscal year (None if neither)."""
        if self.fiscal_year is not None:
            return stage_for_fiscal_year(self.fiscal_year)
        if self.stage is not None:
            try:
                return find_stage(self.stage)
            except KeyError:
                return None
        return None

    def fiscal_years(self) -> list[int]:
        """The fiscal years of the chosen period ([] = all years)."""
        if self.fiscal_year is not None:
            return [self.fiscal_year]
        stage = self.stage_obj() if self.stage is not None else None
        return stage.fiscal_years if stage else []

    def to_indicator_filters(self, *, period: bool = True) -> dict[str, list]:
        """The filters ``indicators.compute(con, filters=...)`` accepts; ``period=False`` leaves out the years.

        >>> Filters(fiscal_year=2023, prefecture_code="13", target_groups=("long_term_jobless",)).to_indicator_filters()
        {'fiscal_year': [2023], 'prefecture_code': ['13'], 'target_group': ['long_term_jobless']}
        """
        out: dict[str, list] = {}
        if period and (years := self.fiscal_years()):
            out["fiscal_year"] = years
        if self.municipality_code:
            out["prefecture_code"] = [self.municipality_code[:2]]
            out["municipality_code"] = [self.municipality_code]
        elif self.prefecture_code:
            out["prefecture_code"] = [self.prefecture_code]
        if self.target_groups:
            out["target_group"] = list(self.target_groups)
        if self.agency_types:
            out["agency_type"] = list(self.agency_types)
        return out

    def without_period(self) -> Filters:
        """The same scope over every year (for series that run across years, such as sparklines)."""
        return replace(self, fiscal_year=None, stage=None)

    def is_default(self) -> bool:
        return self == Filters()

    # -- URL ---------------------------------------------------------------------------------

    def to_query_params(self) -> dict[str, str]:
        """Short URL keys (fy, stage, pref, muni, tg, agency) with values; lists comma-joined, empties left out."""
        values: dict[str, Any] = {
            "fiscal_year": None if self.fiscal_year is None else str(self.fiscal_year),
            "stage": self.stage if self.fiscal_year is None else None,
            "prefecture_code": self.prefecture_code,
            "municipality_code": self.municipality_code,
            "target_groups": ",".join(self.target_groups) or None,
            "agency_types": ",".join(self.agency_types) or None,
        }
        return {QUERY_KEYS[k]: v for k, v in values.items() if v}

    @classmethod
    def from_query_params(cls, params: Mapping[str, Any]) -> Filters:
        """A ``Filters`` from URL parameters (``st.query_params`` or a dict); unknown values are ignored.

        A value may be a string or a list of strings (repeated keys); ``tg``/``agency`` may be comma-joined.
        A municipality without a prefecture brings its prefecture; one in another prefecture is dropped.
        """

        def raw(field_name: str) -> list[str]:
            value = params.get(QUERY_KEYS[field_name]) if hasattr(params, "get") else None
            if value is None:
                return []
            items = value if isinstance(value, (list, tuple)) else [value]
            return [part.strip() for item in items for part in str(item).split(",") if part.strip()]

        return cls.create(
            fiscal_year=next(iter(raw("fiscal_year")), None),
            stage=next(iter(raw("stage")), None),
            prefecture_code=next(iter(raw("prefecture_code")), None),
            municipality_code=next(iter(raw("municipality_code")), None),
            target_groups=raw("target_groups"),
            agency_types=raw("agency_types"),
        )

    @classmethod
    def create(
        cls,
        fiscal_year: object = None,
        stage: object = None,
        prefecture_code: object = None,
        municipality_code: object = None,
        target_groups: Iterable[object] = (),
        agency_types: Iterable[object] = (),
    ) -> Filters:
        """A valid ``Filters`` from loose values (widgets, URLs, tests): anything unknown becomes "all"."""
        fy = _fiscal_year(fiscal_year)
        stage_name = None if fy is not None else _stage_name(stage)
        pref = _prefecture(prefecture_code)
        muni = _municipality(municipality_code)
        if muni is not None:
            if pref is None:
                pref = muni[:2]
            elif muni[:2] != pref:
                muni = None
        return cls(
            fiscal_year=fy,
            stage=stage_name,
            prefecture_code=pref,
            municipality_code=muni,
            target_groups=_codes(target_groups, TARGET_GROUP_CODES),
            agency_types=_codes(agency_types, AGENCY_TYPE_CODES),
        )


# -------------------------------------------------------------------------------------------------
# Validation of single values (each returns None / () for anything it does not recognise)
# -------------------------------------------------------------------------------------------------


def _fiscal_year(value: object) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        fy = value
    else:
        match = _FY_RE.match(str(value).strip())
        if not match:
            return None
        fy = int(match.group(1))
    return fy if MIN_FISCAL_YEAR <= fy <= MAX_FISCAL_YEAR else None


def _stage_name(value: object) -> str | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        return find_stage(str(value)).name
    except KeyError:
        return None


def _prefecture(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if not text.isdigit() or len(text) > 2:
        return None
    code = text.zfill(2)
    return code if code in ui_text.prefecture_codes() else None


def _municipality(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if not _MUNI_RE.match(text):
        return None
    return text if text in _municipality_codes() else None


def _municipality_codes() -> frozenset[str]:
    from analytics.ingest.normalise import region_reference

    return frozenset(region_reference().municipalities)


def _codes(values: Iterable[object], known: tuple[str, ...]) -> tuple[str, ...]:
    if isinstance(values, str):
        values = values.split(",")
    chosen = {str(v).strip() for v in values or ()}
    return tuple(code for code in known if code in chosen)


def stages() -> tuple[Stage, ...]:
    """The configured stages in fiscal-year order (for the sidebar's stage choice)."""
    return load_stages()


# -------------------------------------------------------------------------------------------------
# What the sidebar can offer, and the cache key of everything computed from the data
# -------------------------------------------------------------------------------------------------

# -- Fiscal years and municipalities present in the records. Grain: one row per (fiscal_year,
# -- prefecture_code, municipality_code) with at least one consultation or placement.
_OPTIONS_SQL = """
select distinct fiscal_year, prefecture_code, municipality_code from consultations
union
select distinct fiscal_year, prefecture_code, municipality_code from placements
"""

# -- Data version: changes with every load and rollback (the cache key of page queries).
_VERSION_SQL = """
select count(*), coalesce(max(batch_id), 0), max(coalesce(rolled_back_at, loaded_at)) from batches
"""


@dataclass(frozen=True)
class FilterOptions:
    """Choices the sidebar offers: fiscal years with data (newest first), municipalities per prefecture."""

    fiscal_years: tuple[int, ...] = ()
    municipalities: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (prefecture_code, municipality codes)

    @property
    def latest_fiscal_year(self) -> int | None:
        return self.fiscal_years[0] if self.fiscal_years else None

    def municipalities_in(self, prefecture_code: str | None) -> tuple[str, ...]:
        return dict(self.municipalities).get(prefecture_code or "", ())


def filter_options(con: Any) -> FilterOptions:
    """Fiscal years and municipalities present in the loaded records (empty on an empty database)."""
    df = con.execute(_OPTIONS_SQL).df()
    if df.empty:
        return FilterOptions()
    years = sorted({int(y) for y in df["fiscal_year"].dropna()}, reverse=True)
    known = _municipality_codes()
    munis: dict[str, set[str]] = {}
    for pref, muni in df[["prefecture_code", "municipality_code"]].dropna().itertuples(index=False):
        if muni in known and str(muni).startswith(str(pref)):
            munis.setdefault(str(pref), set()).add(str(muni))
    return FilterOptions(tuple(years), tuple((p, tuple(sorted(m))) for p, m in sorted(munis.items())))


def data_version(con: Any) -> str:
    """A short text that changes whenever a batch is loaded or rolled back ('0' on an empty database)."""
    count, last, when = con.execute(_VERSION_SQL).fetchone()
    return f"{count}-{last}-{when}" if count else "0"


def municipality_label(code: str | None, lang: str = ui_text.DEFAULT_LANG) -> str:
    """A municipality's name from its 5-digit code (the code itself when unknown; 'all' for None)."""
    if not code:
        return ui_text.t("filter.all_municipalities", lang)
    from analytics.ingest.normalise import region_reference

    found = region_reference().municipalities.get(code)
    return found.name if found else code


def stage_label(name: str | None, lang: str = ui_text.DEFAULT_LANG) -> str:
    """A stage with its years: 第2ステージ（令和5〜6年度）/ Stage 2: extension (FY2023–FY2024)."""
    if name is None:
        return ui_text.t("unknown", lang)
    stage = find_stage(name)
    first, last = stage.first_fiscal_year, stage.last_fiscal_year
    if lang == "en":
        years = f"FY{first}" if first == last else f"FY{first}–FY{last}"
        return f"{stage.name_en} ({years})"
    a = ui_text.fiscal_year_label(first, lang).split(" ")[0]
    if first == last:
        return f"{stage.name}（{a}）"
    b = ui_text.fiscal_year_label(last, lang).split(" ")[0].replace("令和", "").replace("平成", "")
    return f"{stage.name}（{a.removesuffix('年度')}〜{b}）"


def clamp_filters(viewer: Viewer | None, filters: Filters) -> Filters:
    """The sidebar's filters with a municipality outside the viewer's scope removed (for crafted links).

    The prefecture stays: its aggregates are open to every role. Pages then ask ``compute`` for that
    prefecture's totals, which is allowed; a page that asks for its municipal rows gets a ScopeError.
    """
    if viewer is None or filters.municipality_code is None:
        return filters
    if viewer.can_see_municipalities_of(filters.municipality_code[:2]):
        return filters
    return replace(filters, municipality_code=None)
