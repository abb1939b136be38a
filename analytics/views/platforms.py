"""Municipal platforms (市町村プラットフォーム, issue 18): which municipalities have one, who is in each network,
where the gaps are, and the outcomes beside them. Page-shaped answers for the page, the CLI and the reports.

The survey rows come from ``sql/views/platform_latest`` (each municipality's latest vintage on or before a
date; earlier vintages stay in the table). Municipal rows are municipal detail: :func:`latest` applies the
prefecture scope (:mod:`analytics.access.scope`) exactly like the indicator engine — a planner sees the
municipalities of the own prefecture only; prefecture-level coverage (:func:`by_prefecture`) is open to all.
The denominator of every share is the reference list of local governments (``reference/municipalities.csv``:
wards of designated cities count as their city; the Northern Territories are left out), so a municipality
that is in no sheet counts as without a platform and is reported as not reported. No streamlit.
"""

from __future__ import annotations

import csv
import datetime as dt
from functools import lru_cache
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from analytics import config, contract, db
from analytics.access import scope
from analytics.metrics import indicators
from analytics.text import ui_text

PARTNER_CODES: tuple[str, ...] = tuple(p.code for p in contract.PARTNER_TYPES)
PARTNER_COLUMNS: tuple[str, ...] = contract.PARTNER_COLUMNS
MUNICIPALITY_COLUMNS = [
    "prefecture_code", "municipality_code", "municipality_name", "status", "set_up_on", "secretariat", "base_body",
    "partners_connected", "partners_total",
]  # fmt: skip
PREFECTURE_COLUMNS = [
    "prefecture_code", "municipalities", "with_platform", "share_with_platform", "mean_partner_coverage",
    "reported", "not_reported",
]  # fmt: skip
ESTABLISHED = "established"
# Outcomes the network is meant to move (registered indicators) and referrals between agencies.
OUTCOME_INDICATORS: tuple[str, ...] = ("outreach_consultations", "new_persons", "social_participation_persons")
OUTCOMES: tuple[str, ...] = (*OUTCOME_INDICATORS, "referrals")
# A group of municipalities smaller than this is not compared (its mean says too little, and it may point at
# one or two places).
MIN_GROUP = 5


# --------------------------------------------------------------------------------------------
# Reference: the municipalities of each prefecture
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def reference_municipalities() -> pd.DataFrame:
    """Every local government a survey may list: ``prefecture_code``, ``municipality_code``, ``name``, ``type``."""
    with (config.REFERENCE_DIR / "municipalities.csv").open(encoding="utf-8") as f:
        rows = [
            (r["pref_code"], r["code5"], r["name"], r["type"])
            for r in csv.DictReader(f)
            if r["type"] != "prefecture" and r["is_seirei_ward"] != "1" and r["is_northern_territories"] != "1"
        ]
    return pd.DataFrame(rows, columns=["prefecture_code", "municipality_code", "name", "type"])


def municipality_name(code: str, lang: str = ui_text.DEFAULT_LANG) -> str:
    names = dict(zip(reference_municipalities()["municipality_code"], reference_municipalities()["name"], strict=True))
    return names.get(code, code)


def as_of_for(filters: Any) -> dt.date | None:
    """The survey date a page's filters ask for: the end of the chosen fiscal year (or stage); None = latest."""
    fy = getattr(filters, "fiscal_year", None)
    if fy is None and getattr(filters, "stage", None):
        from analytics.metrics import stages

        try:
            fy = stages.find_stage(filters.stage).last_fiscal_year
        except KeyError:
            fy = None
    return dt.date(int(fy) + 1, 3, 31) if fy is not None else None


def _date(value: dt.date | str | None) -> dt.date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


# --------------------------------------------------------------------------------------------
# Municipal rows (scoped)
# --------------------------------------------------------------------------------------------


def latest(
    con: duckdb.DuckDBPyConnection,
    prefecture_code: str | None = None,
    as_of: dt.date | str | None = None,
    *,
    viewer: Any = None,
    include_unreported: bool = False,
) -> pd.DataFrame:
    """Each municipality's latest survey answer on or before ``as_of`` (None = the latest of all).

    Grain: one row per municipality of ``prefecture_code`` (every prefecture when None) that answered; with
    ``include_unreported`` also one row (status ``not_reported``, no partners) per municipality of the
    reference list that is in no sheet. Columns: :data:`MUNICIPALITY_COLUMNS`, then ``partner_<code>`` as 0/1
    (:data:`PARTNER_COLUMNS`), then ``as_of``, ``base_body_note``, ``area``, ``area_members``, ``partner_other``,
    ``meetings``, ``notes``, ``has_platform`` (status established), ``partner_coverage`` (connected ÷ total).
    Scope: municipal detail — clamped to the viewer's prefecture, refused outside it (``scope.ScopeError``).
    """
    filters: dict[str, list] = {"prefecture_code": [str(prefecture_code).zfill(2)]} if prefecture_code else {}
    _, scoped = scope.scope_query(scope.effective(viewer), ["municipality_code"], filters)
    prefs = scoped.get("prefecture_code")  # also limits the unreported rows of the reference list below
    params = {"as_of": _date(as_of), "f_prefecture_code": prefs, "f_municipality_code": None}
    with scope.acting_as(scope.effective(viewer)):  # the one scoped path (analytics/access/sql_paths.py)
        df = indicators.run_grain(con, "views/platform_latest", ["municipality_code"], params)
    df["municipality_name"] = [municipality_name(c) for c in df["municipality_code"]]
    if include_unreported:
        ref = reference_municipalities()
        ref = ref[ref["prefecture_code"].isin(prefs)] if prefs else ref
        missing = ref[~ref["municipality_code"].isin(df["municipality_code"])]
        if len(missing):
            extra = pd.DataFrame({
                "prefecture_code": missing["prefecture_code"].to_numpy(),
                "municipality_code": missing["municipality_code"].to_numpy(),
                "municipality_name": missing["name"].to_numpy(), "status": "not_reported",
                "partners_connected": 0, "partners_total": len(PARTNER_CODES),
            })  # fmt: skip
            df = pd.concat([df, extra], ignore_index=True) if len(df) else extra
    for col in PARTNER_COLUMNS:
        df[col] = df[col].fillna(False).astype(bool).astype(int) if col in df else 0
    df["partners_connected"] = df["partners_connected"].fillna(0).astype(int)
    df["partners_total"] = len(PARTNER_CODES)
    df["has_platform"] = df["status"].eq(ESTABLISHED)
    df["partner_coverage"] = df["partners_connected"] / df["partners_total"]
    for col in ("set_up_on", "as_of"):
        if col in df:
            df[col] = pd.to_datetime(df[col]).dt.date
    extra_cols = ["as_of", "base_body_note", "area", "area_members", "partner_other", "meetings", "notes",
                  "has_platform", "partner_coverage"]  # fmt: skip
    for col in extra_cols:
        if col not in df:
            df[col] = None
    out = df[[*MUNICIPALITY_COLUMNS, *PARTNER_COLUMNS, *extra_cols]]
    return out.sort_values(["prefecture_code", "municipality_code"], kind="stable").reset_index(drop=True)


def cli_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The CLI's ``--by municipality`` columns: :data:`MUNICIPALITY_COLUMNS` then one 0/1 column per partner."""
    return frame[[*MUNICIPALITY_COLUMNS, *PARTNER_COLUMNS]]


# --------------------------------------------------------------------------------------------
# Prefecture coverage (open to every role)
# --------------------------------------------------------------------------------------------


def _coverage(rows: pd.DataFrame, prefecture_codes: list[str]) -> pd.DataFrame:
    ref = reference_municipalities()
    out = []
    for pref in prefecture_codes:
        munis = int((ref["prefecture_code"] == pref).sum())
        mine = rows[rows["prefecture_code"] == pref]
        with_platform = mine[mine["status"] == ESTABLISHED]
        coverage = with_platform["partners_connected"] / len(PARTNER_CODES)
        out.append({
            "prefecture_code": pref, "municipalities": munis, "with_platform": len(with_platform),
            "share_with_platform": len(with_platform) / munis if munis else np.nan,
            "mean_partner_coverage": float(coverage.mean()) if len(coverage) else np.nan,
            "reported": len(mine), "not_reported": munis - len(mine),
        })  # fmt: skip
    return pd.DataFrame(out, columns=PREFECTURE_COLUMNS)


def _all_rows(con: duckdb.DuckDBPyConnection, prefs: list[str] | None, as_of: dt.date | None) -> pd.DataFrame:
    """Latest rows without scope: only ever aggregated to prefectures here, never shown per municipality."""
    sql = db.sql_text("views/platform_latest")
    return con.execute(sql, db.bind(sql, {"as_of": as_of, "f_prefecture_code": prefs, "f_municipality_code": None})).df()


def by_prefecture(
    con: duckdb.DuckDBPyConnection, as_of: dt.date | str | None = None, prefecture_code: str | None = None
) -> pd.DataFrame:
    """Every prefecture's coverage at ``as_of`` (latest vintage on or before; None = latest of all).

    Grain: one row per prefecture (all 47 in JIS order, or the one asked for). Columns :data:`PREFECTURE_COLUMNS`:
    ``municipalities`` counts every municipality of the reference list (not in any sheet = without a platform);
    ``with_platform`` those whose status is 設置済; ``share_with_platform`` = with_platform ÷ municipalities;
    ``mean_partner_coverage`` = mean of connected ÷ 11 partner types over the municipalities with a platform
    (NaN when none); ``reported`` / ``not_reported`` = municipalities in / not in any sheet up to ``as_of``.
    """
    prefs = [str(prefecture_code).zfill(2)] if prefecture_code else list(ui_text.prefecture_codes())
    rows = _all_rows(con, prefs if prefecture_code else None, _date(as_of))
    return _coverage(rows, prefs)


def over_time(con: duckdb.DuckDBPyConnection, prefecture_code: str | None = None) -> pd.DataFrame:
    """Coverage at each survey vintage: ``as_of``, ``municipalities``, ``with_platform``, ``share_with_platform``,
    ``mean_partner_coverage``, ``reported``. For one prefecture, or the nation (all 47 summed) when None.

    At each vintage date every municipality counts with its latest answer on or before that date.
    """
    prefs = [str(prefecture_code).zfill(2)] if prefecture_code else None
    sql = db.sql_text("views/platform_vintages")
    vintages = con.execute(sql, db.bind(sql, {"f_prefecture_code": prefs})).df()
    out = []
    for as_of in sorted(set(pd.to_datetime(vintages["as_of"]).dt.date)):
        cov = _coverage(_all_rows(con, prefs, as_of), prefs or list(ui_text.prefecture_codes()))
        with_platform = int(cov["with_platform"].sum())
        munis = int(cov["municipalities"].sum())
        weights = cov["with_platform"].where(cov["with_platform"] > 0)
        mean_cov = float((cov["mean_partner_coverage"] * weights).sum() / weights.sum()) if weights.sum() else np.nan
        out.append({"as_of": as_of, "municipalities": munis, "with_platform": with_platform,
                    "share_with_platform": with_platform / munis if munis else np.nan,
                    "mean_partner_coverage": mean_cov, "reported": int(cov["reported"].sum())})  # fmt: skip
    return pd.DataFrame(out, columns=["as_of", "municipalities", "with_platform", "share_with_platform",
                                      "mean_partner_coverage", "reported"])  # fmt: skip


def ranking(coverage: pd.DataFrame) -> pd.DataFrame:
    """Prefectures with a survey, best first: share with a platform, then mean partner coverage."""
    shown = coverage[coverage["reported"] > 0].copy()
    shown = shown.sort_values(["share_with_platform", "mean_partner_coverage"], ascending=False, kind="stable")
    shown["rank"] = range(1, len(shown) + 1)
    return shown.reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Partners: the grid, the most often missing, the gaps in words
# --------------------------------------------------------------------------------------------


def partner_label(code: str, lang: str = ui_text.DEFAULT_LANG) -> str:
    for p in contract.PARTNER_TYPES:
        if p.code == code:
            return p.en if lang == "en" else p.ja
    return code


def status_label(code: str | None, lang: str = ui_text.DEFAULT_LANG) -> str:
    if code == "not_reported":
        return ui_text.t("platforms.not_reported", lang)
    return _code_label("platform_status", code, lang)


def _code_label(list_name: str, code: str | None, lang: str) -> str:
    if code is None or (isinstance(code, float) and np.isnan(code)):
        return ""
    for c in contract.CODE_LISTS[list_name]:
        if c.code == code:
            return c.en if lang == "en" else c.ja
    return str(code)


def missing_partners(frame: pd.DataFrame) -> pd.DataFrame:
    """Per partner type, among municipalities with a platform: ``partner``, ``connected``, ``missing``,
    ``share_missing``; most often missing first (ties in the plan's order)."""
    with_platform = frame[frame["has_platform"]]
    n = len(with_platform)
    rows = []
    for code, col in zip(PARTNER_CODES, PARTNER_COLUMNS, strict=True):
        connected = int(with_platform[col].sum()) if n else 0
        rows.append({"partner": code, "connected": connected, "missing": n - connected,
                     "share_missing": (n - connected) / n if n else np.nan})  # fmt: skip
    out = pd.DataFrame(rows, columns=["partner", "connected", "missing", "share_missing"])
    return out.sort_values("missing", ascending=False, kind="stable").reset_index(drop=True)


def partner_grid(frame: pd.DataFrame) -> pd.DataFrame:
    """Municipality × partner type, 1 = connected, 0 = not, for municipalities with a platform.

    Sorted so the gaps stand out: municipalities with the fewest partners first (then by code), partner types
    most often missing first. Index: municipality codes; columns: partner codes; ``attrs['names']`` maps codes
    to names.
    """
    with_platform = frame[frame["has_platform"]]
    order = missing_partners(frame)["partner"].tolist()
    grid = with_platform.set_index("municipality_code")[[f"partner_{c}" for c in order]]
    grid.columns = order
    counts = grid.sum(axis=1)
    grid = grid.assign(_n=counts).sort_values(["_n"], kind="stable").drop(columns="_n")
    grid = grid.loc[sorted(grid.index, key=lambda c: (int(counts[c]), c))]
    grid.attrs["names"] = dict(zip(with_platform["municipality_code"], with_platform["municipality_name"], strict=True))
    return grid.astype(int)


def gaps(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The places to act on: ``no_platform`` (status other than 設置済, incl. not reported), ``no_secretariat``
    (a platform with no named 事務局), ``missing_partners`` (municipality → the partner types it lacks)."""
    no_platform = frame[~frame["has_platform"]][["municipality_code", "municipality_name", "status"]]
    secretariat = frame["secretariat"].fillna("").astype(str).str.strip()
    no_secretariat = frame[frame["has_platform"] & secretariat.eq("")][["municipality_code", "municipality_name"]]
    lacking = []
    for _, r in frame[frame["has_platform"]].iterrows():
        missing = [c for c, col in zip(PARTNER_CODES, PARTNER_COLUMNS, strict=True) if not r[col]]
        if missing:
            lacking.append({"municipality_code": r["municipality_code"], "municipality_name": r["municipality_name"],
                            "missing": missing})  # fmt: skip
    return {
        "no_platform": no_platform.reset_index(drop=True),
        "no_secretariat": no_secretariat.reset_index(drop=True),
        "missing_partners": pd.DataFrame(lacking, columns=["municipality_code", "municipality_name", "missing"]),
    }


def gap_sentences(frame: pd.DataFrame, lang: str = ui_text.DEFAULT_LANG) -> list[str]:
    """The gaps in plain words, one sentence per kind (empty kinds say so)."""
    g = gaps(frame)
    sep = ", " if lang == "en" else "、"

    def names(df: pd.DataFrame, with_status: bool = False) -> str:
        items = []
        for _, r in df.iterrows():
            name = r["municipality_name"] if lang != "en" else f"{r['municipality_name']} ({r['municipality_code']})"
            items.append(f"{name}（{status_label(r['status'], lang)}）" if with_status and lang != "en"
                         else f"{name} [{status_label(r['status'], lang)}]" if with_status else name)  # fmt: skip
        return sep.join(items)

    out = []
    if len(g["no_platform"]):
        out.append(ui_text.t("platforms.gap_no_platform", lang, n=len(g["no_platform"]),
                             names=names(g["no_platform"], with_status=True)))  # fmt: skip
    else:
        out.append(ui_text.t("platforms.gap_no_platform_none", lang))
    if len(g["no_secretariat"]):
        out.append(ui_text.t("platforms.gap_no_secretariat", lang, n=len(g["no_secretariat"]),
                             names=names(g["no_secretariat"])))  # fmt: skip
    else:
        out.append(ui_text.t("platforms.gap_no_secretariat_none", lang))
    top = missing_partners(frame)
    top = top[top["missing"] > 0].head(3)
    if len(top):
        parts = sep.join(f"{partner_label(r.partner, lang)} ({r.missing})" for r in top.itertuples())
        out.append(ui_text.t("platforms.gap_top_missing", lang, partners=parts))
    return out


def municipality_table(frame: pd.DataFrame, lang: str = ui_text.DEFAULT_LANG) -> pd.DataFrame:
    """The page's table of municipalities: names, status, set-up date, secretariat, base body, partners in words."""
    t = ui_text.t
    return pd.DataFrame({
        t("platforms.col.municipality", lang): frame["municipality_name"],
        t("platforms.col.code", lang): frame["municipality_code"],
        t("platforms.col.status", lang): [status_label(s, lang) for s in frame["status"]],
        t("platforms.col.set_up_on", lang): [ui_text.format_date(d, lang) if d is not None and not pd.isna(d) else ""
                                             for d in frame["set_up_on"]],
        t("platforms.col.secretariat", lang): frame["secretariat"].fillna(""),
        t("platforms.col.base_body", lang): [
            _code_label("base_body", b, lang) + (f"（{n}）" if isinstance(n, str) and n else "")
            for b, n in zip(frame["base_body"], frame["base_body_note"], strict=True)
        ],
        t("platforms.col.area", lang): [
            _code_label("platform_area", a, lang) + (f"（{m}）" if isinstance(m, str) and m else "")
            for a, m in zip(frame["area"], frame["area_members"], strict=True)
        ],
        t("platforms.col.partners", lang): [f"{c} / {n}" for c, n in zip(frame["partners_connected"],
                                                                           frame["partners_total"], strict=True)],
        t("platforms.col.meetings", lang): frame["meetings"],
    })  # fmt: skip


# --------------------------------------------------------------------------------------------
# Outcomes beside the structure
# --------------------------------------------------------------------------------------------


def outcomes(
    con: duckdb.DuckDBPyConnection,
    prefecture_code: str,
    fiscal_year: int | None = None,
    as_of: dt.date | str | None = None,
    *,
    viewer: Any = None,
) -> pd.DataFrame:
    """Per municipality of the prefecture: the platform status and the outcomes the network is meant to move.

    Grain: one row per municipality of the reference list. Columns: ``municipality_code``, ``municipality_name``,
    ``status``, ``has_platform``, ``partners_connected``, then :data:`OUTCOMES` (outreach consultations, new
    persons and social-participation transitions from the indicator engine; referrals = consultations with a
    紹介先) for ``fiscal_year`` (all years when None). Scoped like :func:`latest`.
    """
    frame = latest(con, prefecture_code, as_of, viewer=viewer, include_unreported=True)
    flt: dict[str, Any] = {"prefecture_code": str(prefecture_code).zfill(2)}
    if fiscal_year is not None:
        flt["fiscal_year"] = int(fiscal_year)
    ind = indicators.compute(con, by=["municipality_code"], filters=flt, indicators=list(OUTCOME_INDICATORS),
                             viewer=viewer)  # fmt: skip
    params = {f"f_{d}": indicators.normalise_filters(flt).get(d) for d in indicators.DIMENSIONS}
    with scope.acting_as(scope.effective(viewer)):
        ref = indicators.run_grain(con, "views/platform_referrals", ["municipality_code"], params)
    out = frame[["municipality_code", "municipality_name", "status", "has_platform", "partners_connected"]]
    out = out.merge(ind[["municipality_code", *OUTCOME_INDICATORS]], on="municipality_code", how="left")
    out = out.merge(ref, on="municipality_code", how="left")
    for col in OUTCOMES:
        out[col] = out[col].fillna(0).astype(int)
    return out


def comparison(frame: pd.DataFrame, min_group: int = MIN_GROUP) -> pd.DataFrame:
    """Municipalities with and without a platform side by side: mean and median of each outcome per municipality.

    Grain: two rows, ``group`` = ``with`` / ``without`` (not reported counts as without). Columns: ``group``,
    ``municipalities``, ``shown`` (False when the group has fewer than ``min_group`` municipalities: its figures
    are blanked), then ``<outcome>_mean`` and ``<outcome>_median`` per outcome. An association, not an effect.
    """
    rows = []
    for group, part in (("with", frame[frame["has_platform"]]), ("without", frame[~frame["has_platform"]])):
        shown = len(part) >= min_group
        row: dict[str, Any] = {"group": group, "municipalities": len(part), "shown": shown}
        for col in OUTCOMES:
            row[f"{col}_mean"] = float(part[col].mean()) if shown else np.nan
            row[f"{col}_median"] = float(part[col].median()) if shown else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def comparison_sentence(comp: pd.DataFrame, lang: str = ui_text.DEFAULT_LANG, min_group: int = MIN_GROUP) -> str:
    """What the comparison may and may not say, in words."""
    hidden = comp[~comp["shown"]]
    base = ui_text.t("platforms.association_note", lang)
    if len(hidden):
        groups = ", ".join(ui_text.t(f"platforms.group.{g}", lang) for g in hidden["group"])
        return base + " " + ui_text.t("platforms.group_hidden", lang, groups=groups, n=min_group)
    return base


def outcome_label(code: str, lang: str = ui_text.DEFAULT_LANG) -> str:
    if code == "referrals":
        return ui_text.t("platforms.referrals", lang)
    ind = indicators.REGISTRY_BY_ID[code]
    return ind.en if lang == "en" else ind.ja
