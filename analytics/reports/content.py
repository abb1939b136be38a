"""The summary report's content, defined once for both formats: every table, label, note and rule.

:func:`build_report` reads numbers only from :func:`analytics.metrics.indicators.compute` and
:func:`analytics.metrics.progress.compute_progress`, hides small cells with
:func:`analytics.metrics.disclosure.suppress`,
and returns a :class:`Report` that :mod:`analytics.reports.excel` and :mod:`analytics.reports.pdf` lay out.
Scope: the nation or one prefecture (its regional table lists municipalities). Period: one fiscal year
(年度) or one stage (ステージ, several fiscal years). Language: Japanese, or English.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

import duckdb
import numpy as np
import pandas as pd

from analytics import contract
from analytics.metrics import disclosure, indicators, progress, reported
from analytics.metrics.stages import Stage, find_stage, load_stages, load_thresholds, stage_for_fiscal_year
from analytics.text import ui_text
from analytics.views import overview

Kind = Literal["label", "count", "rate", "days", "ratio", "change", "points", "number", "text", "by_row"]

# Indicators in the key table, the regional/group/agency tables and the trend, in this order.
KEY_INDICATORS = (
    "consultations",
    "persons",
    "new_persons",
    "placed_persons",
    "regular_placed_persons",
    "training_persons",
    "social_participation_persons",
    "regular_within_6m_rate",
    "placed_within_12m_rate",
    "retention_6m_rate",
    "median_days_to_placement",
)
TABLE_COUNTS = (
    "consultations",
    "persons",
    "new_persons",
    "placed_persons",
    "regular_placed_persons",
    "social_participation_persons",
)
TABLE_RATES = ("regular_within_6m_rate", "retention_6m_rate")
TREND_COUNTS = ("persons", "new_persons", "placed_persons", "regular_placed_persons", "social_participation_persons")
TREND_RATES = ("regular_within_6m_rate",)
QUALITY = ("unlinked_placements", "placements_before_first_consultation")
NOT_AVAILABLE = "…"  # 該当数値はあるが未確定・不詳 (e-Stat「…」): a cohort window not yet closed

# key -> (日本語, English)
TEXT: dict[str, tuple[str, str]] = {
    "title": ("就職氷河期世代支援 進捗レポート", "Employment Ice-Age Generation Support: Progress Report"),
    "scope": ("対象地域", "Scope"),
    "period": ("対象期間", "Period"),
    "as_of": ("データ時点", "Data as of"),
    "generated": ("作成日時", "Generated"),
    "batches": ("使用した取込データ", "Data loaded (batches used)"),
    "suppression": ("秘匿処理", "Disclosure control"),
    "symbols": ("記号", "Symbols"),
    "symbols_text": (
        "x: 秘匿　-: 該当数値なし（0）　…: 未確定（観察期間が終わっていない率）",
        "x: suppressed   -: zero   …: not final yet (cohort window still open)",
    ),
    "sheet.summary": ("概要", "Summary"),
    "sheet.progress": ("進捗", "Progress"),
    "sheet.regions": ("地域別", "By region"),
    "sheet.groups": ("対象者別", "By group"),
    "sheet.definitions": ("定義", "Definitions"),
    "sheet.notes": ("注記", "Notes"),
    "sheet.platforms": ("プラットフォーム", "Platforms"),
    "platforms.title": ("市町村プラットフォームの設置状況（調査時点 {as_of}）", "Municipal platforms (survey as of {as_of})"),
    "platforms.title_none": ("市町村プラットフォームの設置状況", "Municipal platforms"),
    "platforms.summary": (
        "設置済 {with_platform} / {municipalities}市町村（{share}）、連携機関の平均充足率 {coverage}、未回答 {not_reported}市町村"
        "（未回答は設置なしとして数えます）。",
        "{with_platform} of {municipalities} municipalities have a platform ({share}); mean partner coverage "
        "{coverage}; {not_reported} not reported (counted as without a platform).",
    ),
    "platforms.none": ("調査票が取り込まれていません。", "No platform survey has been loaded."),
    "col.platform_status": ("設置状況", "Status"),
    "col.secretariat": ("事務局（担当課）", "Secretariat"),
    "col.base_body": ("母体となる会議体", "Base body"),
    "col.partners": ("連携機関（/11）", "Partners (of 11)"),
    "col.missing_partners": ("欠けている連携機関", "Missing partner types"),
    "col.municipalities": ("市町村数", "Municipalities"),
    "col.with_platform": ("設置済", "With a platform"),
    "col.share_with_platform": ("設置率", "Share with a platform"),
    "col.mean_partner_coverage": ("連携機関の平均充足率", "Mean partner coverage"),
    "col.not_reported": ("未回答", "Not reported"),
    "key": ("主要指標", "Key indicators"),
    "trend": ("年度別の推移", "Trend by fiscal year"),
    "progress": ("目標に対する進捗", "Progress against targets"),
    "regions.prefecture": ("都道府県別", "By prefecture"),
    "regions.municipality": ("市区町村別", "By municipality"),
    "groups": ("対象者区分別", "By target group"),
    "agencies": ("相談機関の種類別", "By type of agency"),
    "definitions": ("指標の定義", "Indicator definitions"),
    "notes": ("注記（突合できない就職等・データの欠落など）", "Notes (unlinked placements, data gaps)"),
    "col.indicator": ("指標", "Indicator"),
    "col.unit": ("単位", "Unit"),
    "col.value": ("今期", "This period"),
    "col.previous.fy": ("前年度", "Previous year"),
    "col.previous.stage": ("前期間", "Previous period"),
    "col.previous.same_fy": ("前年同期", "Same period last year"),
    "col.previous.same_stage": ("前期間の同期間", "Same span of the previous period"),
    "col.change": ("増減", "Change"),
    "col.change_ratio": ("増減率", "Change %"),
    "col.fiscal_year": ("年度", "Fiscal year"),
    "col.target_period": ("目標の期間", "Target period"),
    "col.target_group": ("対象者区分", "Target group"),
    "col.target": ("目標", "Target"),
    "col.actual": ("実績", "Actual"),
    "col.achievement": ("達成率", "Achievement"),
    "col.expected": ("現時点の目安", "Expected by now"),
    "col.pace": ("進捗指数", "Pace index"),
    "col.projected": ("見込み達成率", "Projected achievement"),
    "col.status": ("状況", "Status"),
    "col.source": ("出所", "Source"),
    "source.records": ("記録", "Records"),
    "source.reported": ("報告値", "Reported"),
    "source.vintage": ("{date}時点", "as of {date}"),
    "col.prefecture": ("都道府県", "Prefecture"),
    "col.municipality": ("市区町村", "Municipality"),
    "col.agency_type": ("相談機関", "Agency type"),
    "col.id": ("指標ID", "Indicator ID"),
    "col.ja": ("日本語名", "Japanese name"),
    "col.en": ("英語名", "English name"),
    "col.definition": ("定義", "Definition"),
    "col.numerator": ("分子", "Numerator"),
    "col.denominator": ("分母", "Denominator"),
    "col.window": ("観察期間", "Window"),
    "col.caveats": ("注意", "Caveats"),
    "col.note": ("注記", "Note"),
    "col.chart_label": ("グラフの項目名", "Chart label"),
    "col.batch": ("バッチ", "Batch"),
    "col.file": ("ファイル名", "File"),
    "col.loaded_at": ("取込日時", "Loaded at"),
    "col.rows": ("登録行数", "Rows loaded"),
    "total.national": ("全国", "National"),
    "total.all": ("計", "Total"),
    "overall": ("全体", "All"),
    "unknown": ("不明", "Unknown"),
    "status.on_track": ("順調", "On track"),
    "status.at_risk": ("やや遅れ", "At risk"),
    "status.off_track": ("遅れ", "Off track"),
    "status.not_started": ("未開始", "Not started"),
    "status.no_data": ("報告なし", "Nothing reported"),
    "footer": ("データ時点 {as_of}", "Data as of {as_of}"),
    "page": ("{page} ページ", "Page {page}"),
    "chart.trend": ("年度別の推移（人）", "Trend by fiscal year (persons)"),
    "chart.progress": ("目標達成率", "Achievement of targets"),
}


def tr(key: str, lang: str = "ja", **values: object) -> str:
    ja, en = TEXT[key]
    text = en if lang == "en" else ja
    return text.format(**values) if values else text


class ReportError(ValueError):
    """The report cannot be built (no data, an unknown stage or prefecture); the message says what to do."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: Kind


@dataclass
class Table:
    """One table of the report: shown values (numbers, 「x」, ``None``) under localised headers.

    ``rows`` has one column per :class:`Column` key (plus ``_kind`` for ``by_row`` columns: the kind of
    that row's cells). ``total_row`` is the position of the total row, if any.
    """

    key: str
    title: str
    columns: list[Column]
    rows: pd.DataFrame
    total_row: int | None = None
    note: str = ""

    def kind_of(self, row: int, column: Column) -> str:
        if column.kind == "by_row":
            return str(self.rows["_kind"].iloc[row])
        return column.kind

    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


@dataclass(frozen=True)
class Period:
    kind: Literal["fiscal_year", "stage"]
    fiscal_years: tuple[int, ...]
    stage: Stage

    def label(self, lang: str = "ja") -> str:
        if self.kind == "fiscal_year":
            return ui_text.fiscal_year_label(self.fiscal_years[0], lang)
        first, last = self.fiscal_years[0], self.fiscal_years[-1]
        name = self.stage.name_en if lang == "en" else self.stage.name
        return f"{name} ({ui_text.fiscal_year_label(first, 'en')}–{ui_text.fiscal_year_label(last, 'en')})"

    @property
    def previous(self) -> tuple[int, ...]:
        n = len(self.fiscal_years)
        return tuple(y - n for y in self.fiscal_years)

    def previous_label(self, lang: str = "ja") -> str:
        years = self.previous
        if len(years) == 1:
            return ui_text.fiscal_year_label(years[0], lang)
        return f"FY{years[0]}–FY{years[-1]}"


@dataclass
class Report:
    """Everything a report shows, already suppressed and labelled; writers only lay it out."""

    lang: str
    title: str
    scope_code: str | None
    scope_label: str
    period: Period
    as_of: dt.date | None
    generated_at: dt.datetime
    threshold: int
    rule: str
    batches: Table
    key: Table
    trend: Table
    progress: Table
    regions: Table
    groups: Table
    agencies: Table
    definitions: Table
    notes: list[str]
    suppression: disclosure.SuppressionInfo
    indicator_ids: tuple[str, ...] = field(default=())
    comparison: indicators.Comparison | None = None  # what the key table's previous column covers
    platforms: Table | None = None  # 市町村プラットフォーム (issue 18): coverage of the latest survey vintage

    def text(self, key: str, **values: object) -> str:
        return tr(key, self.lang, **values)

    @property
    def period_label(self) -> str:
        return self.period.label(self.lang)

    @property
    def as_of_label(self) -> str:
        return ui_text.format_date(self.as_of, self.lang)

    def cover(self) -> list[tuple[str, str]]:
        """(label, value) lines of the cover: scope, period, as-of, generated, suppression rule, symbols."""
        return [
            (self.text("scope"), self.scope_label),
            (self.text("period"), self.period_label),
            (self.text("as_of"), self.as_of_label),
            (self.text("generated"), ui_text.format_date(self.generated_at.replace(microsecond=0), self.lang)),
            (self.text("suppression"), self.rule),
            (self.text("symbols"), self.text("symbols_text")),
        ]

    def tables(self) -> list[Table]:
        return [self.key, self.trend, self.progress, self.regions, self.groups, self.agencies]


# ---------------------------------------------------------------------------------------------
# Building the report
# ---------------------------------------------------------------------------------------------


def resolve_period(fiscal_year: int | None, stage: str | None, as_of: dt.date | None) -> Period:
    """The report period: a fiscal year, a stage (by any alias), or by default the as-of date's fiscal year."""
    stages = load_stages()
    if fiscal_year is not None and stage is not None:
        raise ReportError("年度とステージは片方だけ指定してください (give a fiscal year or a stage, not both).")
    if stage is not None:
        try:
            found = find_stage(stage, stages)
        except KeyError as exc:
            names = "、".join(s.name for s in stages)
            raise ReportError(f"ステージ {stage!r} はありません。使えるステージ: {names}") from exc
        return Period("stage", tuple(found.fiscal_years), found)
    if fiscal_year is None:
        if as_of is None:
            raise ReportError("データがありません。先に `python -m analytics ingest` で取り込んでください。")
        fiscal_year = as_of.year if as_of.month >= 4 else as_of.year - 1
    fy = int(fiscal_year)
    found = stage_for_fiscal_year(fy, stages) or stages[-1]
    return Period("fiscal_year", (fy,), found)


def build_report(
    con: duckdb.DuckDBPyConnection,
    *,
    prefecture: str | None = None,
    fiscal_year: int | None = None,
    stage: str | None = None,
    lang: str = "ja",
    threshold: int = disclosure.DEFAULT_THRESHOLD,
    as_of_date: dt.date | str | None = None,
) -> Report:
    """Compute, suppress and label the whole report for one scope and period.

    ``prefecture``: a 2-digit JIS code (None = the nation). ``fiscal_year`` or ``stage`` (name or alias)
    choose the period; neither = the fiscal year of the as-of date. ``threshold``: counts 1..threshold-1
    are hidden (see :mod:`analytics.metrics.disclosure`). Raises :class:`ReportError` on an empty database, an
    unknown stage or prefecture.
    """
    lang = ui_text.lang_or_default(lang)
    asof = pd.Timestamp(as_of_date).date() if as_of_date is not None else indicators.as_of(con)
    if asof is None:
        raise ReportError("データがありません。先に `python -m analytics ingest` で取り込んでください。")
    pref = str(prefecture).zfill(2) if prefecture not in (None, "", "00") else None
    if pref is not None and pref not in ui_text.prefecture_codes():
        raise ReportError(f"都道府県コード {prefecture!r} はありません（01～47）。")
    period = resolve_period(fiscal_year, stage, asof)
    scope_filter: dict[str, Any] = {"prefecture_code": pref} if pref else {}
    period_filter = scope_filter | {"fiscal_year": list(period.fiscal_years)}

    ids = KEY_INDICATORS + QUALITY
    now = indicators.compute(con, filters=period_filter, indicators=ids, as_of_date=asof)
    # the year-on-year rule (as on the overview's cards): a running period against the same months before it
    comparison = indicators.year_comparison(period.fiscal_years, asof)
    before = indicators.compute(
        con, filters=comparison.previous_filters(scope_filter), indicators=KEY_INDICATORS, as_of_date=asof
    )
    infos: list[disclosure.SuppressionInfo] = []

    key = _key_table(now, before, period, comparison, lang, threshold, infos)
    trend = _trend_table(con, scope_filter, period, asof, lang, threshold, infos)
    prog = _progress_table(con, pref, period, asof, lang, threshold, infos)
    level = "municipality_code" if pref else "prefecture_code"
    regions = _breakdown(
        con,
        level,
        period_filter,
        now,
        asof,
        lang,
        threshold,
        infos,
        tr("regions.municipality" if pref else "regions.prefecture", lang),
        "regions",
    )
    groups = _breakdown(
        con, "target_group", period_filter, now, asof, lang, threshold, infos, tr("groups", lang), "groups"
    )
    agencies = _breakdown(
        con, "agency_type", period_filter, now, asof, lang, threshold, infos, tr("agencies", lang), "agencies"
    )

    suppression = disclosure.SuppressionInfo(threshold)
    for info in infos:
        suppression = suppression.merge(info)
    used = tuple(dict.fromkeys([*KEY_INDICATORS, *QUALITY]))
    scope_label = ui_text.prefecture_label(pref, lang) if pref else tr("total.national", lang)
    report = Report(
        lang=lang,
        title=tr("title", lang),
        scope_code=pref,
        scope_label=scope_label,
        period=period,
        as_of=asof,
        generated_at=dt.datetime.now(),
        threshold=threshold,
        rule=disclosure.rule_text(threshold, lang),
        batches=_batches_table(con, lang),
        key=key,
        trend=trend,
        progress=prog,
        regions=regions,
        groups=groups,
        agencies=agencies,
        definitions=_definitions_table(used, lang),
        notes=[],
        suppression=suppression,
        indicator_ids=used,
        comparison=comparison,
    )
    report.notes = _notes(report, now, regions, prog, pref, period, asof, threshold)
    report.platforms = _platforms_table(con, pref, period, lang)
    return report


def _platforms_table(con: duckdb.DuckDBPyConnection, pref: str | None, period: Period, lang: str) -> Table:
    """Platform coverage at the end of the report period: a prefecture's municipalities, or the prefectures with a
    survey (national report). The note gives the counts in words; an empty table says no survey is loaded."""
    from analytics.views import platforms

    as_of = dt.date(period.fiscal_years[-1] + 1, 3, 31)
    cov = platforms.by_prefecture(con, as_of, pref)
    reported = cov[cov["reported"] > 0]
    pct = lambda v: "–" if v != v else f"{v * 100:.0f}%"  # noqa: E731
    if reported.empty:
        return Table("platforms", tr("platforms.title_none", lang), [Column("none", "", "text")],
                     pd.DataFrame({"none": []}), note=tr("platforms.none", lang))  # fmt: skip
    total = int(reported["municipalities"].sum())
    with_platform = int(reported["with_platform"].sum())
    frame = platforms.latest(con, pref, as_of, include_unreported=True) if pref else None
    coverage = (float(frame[frame["has_platform"]]["partner_coverage"].mean()) if frame is not None
                else float((reported["mean_partner_coverage"] * reported["with_platform"]).sum() / max(1, with_platform)))  # fmt: skip
    note = tr("platforms.summary", lang, with_platform=with_platform, municipalities=total,
              share=pct(with_platform / total if total else float("nan")), coverage=pct(coverage),
              not_reported=int(reported["not_reported"].sum()))  # fmt: skip
    title = tr("platforms.title", lang, as_of=ui_text.format_date(as_of, lang))
    if frame is not None:
        rows = pd.DataFrame({
            "municipality": frame["municipality_name"],
            "status": [platforms.status_label(v, lang) for v in frame["status"]],
            "secretariat": frame["secretariat"].fillna(""),
            "base_body": [platforms._code_label("base_body", v, lang) for v in frame["base_body"]],
            "partners": frame["partners_connected"].where(frame["has_platform"]),
            "missing": [", ".join(platforms.partner_label(c, lang) for c in platforms.PARTNER_CODES
                                  if not r[f"partner_{c}"]) if r["has_platform"] else ""
                        for _, r in frame.iterrows()],
        })  # fmt: skip
        columns = [Column("municipality", tr("col.municipality", lang), "label"),
                   Column("status", tr("col.platform_status", lang), "text"),
                   Column("secretariat", tr("col.secretariat", lang), "text"),
                   Column("base_body", tr("col.base_body", lang), "text"),
                   Column("partners", tr("col.partners", lang), "count"),
                   Column("missing", tr("col.missing_partners", lang), "text")]  # fmt: skip
        return Table("platforms", title, columns, rows, note=note)
    rows = pd.DataFrame({
        "prefecture": [ui_text.prefecture_label(c, lang) for c in reported["prefecture_code"]],
        "municipalities": reported["municipalities"], "with_platform": reported["with_platform"],
        "share": reported["share_with_platform"], "coverage": reported["mean_partner_coverage"],
        "not_reported": reported["not_reported"],
    }).reset_index(drop=True)  # fmt: skip
    columns = [Column("prefecture", tr("col.prefecture", lang), "label"),
               Column("municipalities", tr("col.municipalities", lang), "count"),
               Column("with_platform", tr("col.with_platform", lang), "count"),
               Column("share", tr("col.share_with_platform", lang), "rate"),
               Column("coverage", tr("col.mean_partner_coverage", lang), "rate"),
               Column("not_reported", tr("col.not_reported", lang), "count")]  # fmt: skip
    return Table("platforms", title, columns, rows, note=note)


def _label(ind: indicators.Indicator, lang: str) -> str:
    return ind.en if lang == "en" else ind.ja


def _unit(ind: indicators.Indicator, lang: str) -> str:
    if ind.kind == "rate":
        return "%"
    return ind.unit_en if lang == "en" else ind.unit


def _key_table(
    now: pd.DataFrame,
    before: pd.DataFrame,
    period: Period,
    comparison: indicators.Comparison,
    lang: str,
    threshold: int,
    infos: list,
) -> Table:
    """Key indicators: this period, the previous period of the same length (its same months while this one
    is running: ``indicators.year_comparison``), change and change ratio."""
    prev_key = "col.previous.fy" if period.kind == "fiscal_year" else "col.previous.stage"
    prev_label = period.previous_label(lang)
    if comparison.is_same_period:
        prev_key = "col.previous.same_fy" if period.kind == "fiscal_year" else "col.previous.same_stage"
        months = overview.months_label(comparison, lang, previous=True)
        prev_label = f"{prev_label} {months}" if period.kind == "fiscal_year" else months
    counts, rates = [], []
    for ind_id in KEY_INDICATORS:
        ind = indicators.REGISTRY_BY_ID[ind_id]
        v, p = _scalar(now, ind_id), _scalar(before, ind_id)
        row = {"indicator": _label(ind, lang), "unit": _unit(ind, lang), "value": v, "previous": p, "id": ind_id}
        if ind.kind == "count":
            v, p = int(v), int(p)
            row |= {
                "value": v,
                "previous": p,
                "change": v - p,
                "change_ratio": (v - p) / p if p else np.nan,
                "_kind": "count",
            }
            counts.append(row)
        else:
            base = f"{ind_id}_denominator" if ind.kind == "rate" else f"{ind_id}_n"
            num = f"{ind_id}_numerator" if ind.kind == "rate" else None
            change = (v - p) * (100 if ind.kind == "rate" else 1) if pd.notna(v) and pd.notna(p) else np.nan
            row |= {
                "change": change,
                "change_ratio": np.nan,
                "_kind": "rate" if ind.kind == "rate" else "days",
                "_change_kind": "points" if ind.kind == "rate" else "change",
                "value_base": _scalar(now, base),
                "previous_base": _scalar(before, base),
                "value_num": _scalar(now, num) if num else np.nan,
                "previous_num": _scalar(before, num) if num else np.nan,
            }
            rates.append(row)
    count_df = pd.DataFrame(counts)
    shown_counts, info = disclosure.suppress(
        count_df,
        ["value", "previous"],
        derived={"change": ["value", "previous"], "change_ratio": ["value", "previous"]},
        threshold=threshold,
    )
    infos.append(info)
    rate_df = pd.DataFrame(rates)
    shown_rates, info = disclosure.suppress(
        rate_df,
        [],
        {"value": ("value_num", "value_base"), "previous": ("previous_num", "previous_base")},
        derived={"change": ["value", "previous"]},
        threshold=threshold,
    )
    infos.append(info)
    shown = pd.concat([shown_counts.astype(object), shown_rates.astype(object)], ignore_index=True)
    order = {i: k for k, i in enumerate(KEY_INDICATORS)}
    shown = shown.sort_values("id", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
    # A cohort rate whose window has not closed is not a number yet: 「…」 (not zero, not hidden).
    for col in ("value", "previous"):
        shown[col] = [
            NOT_AVAILABLE if (k in ("rate", "days") and not isinstance(x, str) and pd.isna(x)) else x
            for k, x in zip(shown["_kind"], shown[col], strict=True)
        ]
    shown["_change_kind"] = shown.get("_change_kind", pd.Series(dtype=object)).fillna("change")
    columns = [
        Column("indicator", tr("col.indicator", lang), "label"),
        Column("unit", tr("col.unit", lang), "text"),
        Column("value", f"{tr('col.value', lang)} {period.label(lang)}", "by_row"),
        Column("previous", f"{tr(prev_key, lang)} {prev_label}", "by_row"),
        Column("change", tr("col.change", lang), "change"),
        Column("change_ratio", tr("col.change_ratio", lang), "ratio"),
    ]
    note = "率の増減はポイント（%の差）です。" if lang != "en" else "Changes of rates are in percentage points."
    return Table("key", tr("key", lang), columns, shown, note=note)


def _scalar(df: pd.DataFrame, col: str | None) -> float:
    if col is None or df.empty or col not in df:
        return np.nan if (col and "rate" in col) or (col and col.startswith("median")) else 0
    value = df[col].iloc[0]
    return float(value) if pd.notna(value) else np.nan


def _trend_table(
    con, scope_filter: dict, period: Period, asof: dt.date, lang: str, threshold: int, infos: list
) -> Table:
    """One row per fiscal year up to the period's last year (counts and the 6-month cohort rate)."""
    df = indicators.compute(
        con, by=["fiscal_year"], filters=scope_filter, indicators=TREND_COUNTS + TREND_RATES, as_of_date=asof
    )
    df = df[df["fiscal_year"].notna() & (df["fiscal_year"] <= period.fiscal_years[-1])].reset_index(drop=True)
    shown, info = disclosure.suppress(
        df, list(TREND_COUNTS), {r: (f"{r}_numerator", f"{r}_denominator") for r in TREND_RATES}, threshold=threshold
    )
    infos.append(info)
    for r in TREND_RATES:
        shown[r] = [NOT_AVAILABLE if not isinstance(x, str) and pd.isna(x) else x for x in shown[r]]
    shown["label"] = [ui_text.fiscal_year_label(int(y), lang) for y in df["fiscal_year"]]
    shown["fiscal_year"] = df["fiscal_year"].astype(int)
    columns = [Column("label", tr("col.fiscal_year", lang), "label")]
    columns += [Column(i, _label(indicators.REGISTRY_BY_ID[i], lang), "count") for i in TREND_COUNTS]
    columns += [Column(i, _label(indicators.REGISTRY_BY_ID[i], lang), "rate") for i in TREND_RATES]
    return Table("trend", tr("trend", lang), columns, shown, note=tr_rows_note(lang))


def tr_rows_note(lang: str) -> str:
    if lang == "en":
        return "Persons are distinct within each row: rows need not add up to the total."
    return "人数は各行の中で重複を除いて数えるため、行の合計は全体と一致しないことがあります。"


def _progress_table(
    con, pref: str | None, period: Period, asof: dt.date, lang: str, threshold: int, infos: list
) -> Table:
    """Targets at the report's level (national, or the prefecture's) in the period, with status."""
    thresholds = load_thresholds()
    if pref is None:
        frames = [
            progress.compute_progress(con, stage=period.stage.name, by=by, as_of_date=asof)
            for by in ([], ["target_group"])
        ]
        df = pd.concat([f for f in frames if not f.empty] or [frames[0]], ignore_index=True)
    else:
        df = progress.compute_progress(con, stage=period.stage.name, by=None, as_of_date=asof)
        df = df[df["prefecture_code"] == pref]
    if period.kind == "fiscal_year" and not df.empty:
        # the year's own targets, and the stage-wide ones (their progress so far)
        df = df[df["fiscal_year"].isna() | (df["fiscal_year"] == period.fiscal_years[0])]
    df = df.reset_index(drop=True)
    groups = {c.code: (c.en if lang == "en" else c.ja) for c in contract.TARGET_GROUPS}
    rows = pd.DataFrame(
        {
            "indicator": [_target_label(i, p, lang) for i, p in zip(df["indicator"], df["project"], strict=True)],
            "target_period": [
                ui_text.fiscal_year_label(int(y), lang)
                if pd.notna(y)
                else (_span_label(start, end, lang) if kind is not None and not pd.isna(kind)
                      else (period.stage.name_en if lang == "en" else str(s)))
                for y, s, start, end, kind in zip(df["fiscal_year"], df["stage"], df["period_start"], df["period_end"],
                                                  df["target_kind"], strict=True)
            ],
            "target_group": [
                groups.get(g, tr("overall", lang)) if isinstance(g, str) else tr("overall", lang)
                for g in df["target_group"]
            ],
            "target": df["target"].astype(float),
            "actual": df["actual"].astype(float),
            "achievement": df["achievement"].astype(float),
            "expected": df["expected_by_now"].astype(float),
            "pace": df["pace_index"].astype(float),
            "projected": df["projected_achievement"].astype(float),
            "status": [tr(f"status.{s}", lang) for s in df["status"]],
            "status_code": df["status"].astype(str),
            "indicator_id": df["indicator"].astype(str),
            "source": [_source_text(r, lang) for r in df.to_dict("records")],
        }
    )
    rows["chart_label"] = [
        f"{i} {p}" + ("" if g == tr("overall", lang) else f" {g}")
        for i, p, g in zip(rows["indicator"], rows["target_period"], rows["target_group"], strict=True)
    ]
    shown, info = disclosure.suppress(
        rows, ["actual"], derived={c: ["actual"] for c in ("achievement", "pace", "projected")}, threshold=threshold
    )
    infos.append(info)
    columns = [
        Column("indicator", tr("col.indicator", lang), "label"),
        Column("target_period", tr("col.target_period", lang), "text"),
        Column("target_group", tr("col.target_group", lang), "text"),
        Column("target", tr("col.target", lang), "number"),
        Column("actual", tr("col.actual", lang), "count"),
        Column("achievement", tr("col.achievement", lang), "ratio"),
        Column("expected", tr("col.expected", lang), "number"),
        Column("pace", tr("col.pace", lang), "ratio"),
        Column("projected", tr("col.projected", lang), "ratio"),
        Column("status", tr("col.status", lang), "text"),
        Column("source", tr("col.source", lang), "text"),
        Column("chart_label", tr("col.chart_label", lang), "text"),
    ]
    if lang == "en":
        note = (
            f"Status by pace index (actual ÷ expected by now on a linear monthly path): on track ≥ "
            f"{thresholds.on_track:.0%}, at risk ≥ {thresholds.at_risk:.0%}, off track below. Actuals are "
            "cumulative over the target's period up to the as-of date. Source: the reported figure (who reported it, "
            "as of when) where one exists, else the records; reported actuals run to the end of the last period "
            "reported, and small reported counts are suppressed like any other."
        )
    else:
        note = (
            f"状況は進捗指数（実績 ÷ 期間に比例した現時点の目安）で判定: 順調 {thresholds.on_track:.0%}以上、"
            f"やや遅れ {thresholds.at_risk:.0%}以上、遅れ それ未満。実績は目標の期間の初めからデータ時点までの累計。"
            "出所は報告値（報告元・時点）があれば報告値、なければ記録。報告値の実績は報告された最後の期間の末まで。"
            "報告値の小さな数も記録と同じく秘匿します。"
        )
    return Table("progress", tr("progress", lang), columns, shown, note=note)


def _target_label(indicator_id: str, project: object, lang: str) -> str:
    """An indicator's label, or a measure's for a target measured by reported figures; a project KPI names it."""
    ind = indicators.REGISTRY_BY_ID.get(indicator_id)
    name = _label(ind, lang) if ind is not None else reported.measure_label(indicator_id, lang)
    return f"{name}（{project}）" if isinstance(project, str) and project else name


def _span_label(start: dt.date, end: dt.date, lang: str) -> str:
    first, last = (start.year if start.month >= 4 else start.year - 1), (end.year if end.month >= 4 else end.year - 1)
    if first == last:
        return ui_text.fiscal_year_label(first, lang)
    if lang == "en":
        return f"FY{first}–FY{last}"
    return "〜".join(ui_text.fiscal_year_label(y, lang).split(" (")[0] for y in (first, last))


def _source_text(row: dict, lang: str) -> str:
    """「記録」 or 「報告値（労働局）2022年10月5日時点」: where a progress row's actual comes from."""
    if row.get("source") != "reported":
        return tr("source.records", lang)
    text = tr("source.reported", lang)
    if row.get("reported_by"):
        text += f"（{row['reported_by']}）" if lang != "en" else f" ({row['reported_by']})"
    vintage = row.get("figure_vintage")
    if vintage is not None and not pd.isna(vintage):
        text += (" " if lang == "en" else "") + tr("source.vintage", lang, date=ui_text.format_date(vintage, lang))
    return text


def _region_label(level: str, code: object, lang: str) -> str:
    if not isinstance(code, str) or not code:
        return tr("unknown", lang)
    if level == "prefecture_code":
        return ui_text.prefecture_label(code, lang)
    if level == "municipality_code":
        from analytics.ingest.normalise import region_reference

        found = region_reference().municipalities.get(code)
        return found.name if found else code
    codes = contract.TARGET_GROUPS if level == "target_group" else contract.AGENCY_TYPES
    for c in codes:
        if c.code == code:
            return c.en if lang == "en" else c.ja
    return code


def _breakdown(
    con,
    level: str,
    period_filter: dict,
    total: pd.DataFrame,
    asof: dt.date,
    lang: str,
    threshold: int,
    infos: list,
    title: str,
    key: str,
) -> Table:
    """One row per prefecture / municipality / group / agency type, then the total row (the scope's figure)."""
    ids = TABLE_COUNTS + TABLE_RATES
    df = indicators.compute(con, by=[level], filters=period_filter, indicators=ids, as_of_date=asof)
    if level == "prefecture_code":  # every prefecture, in JIS order, so a missing one shows as a gap (-)
        df = pd.DataFrame({level: list(ui_text.prefecture_codes())}).merge(df, on=level, how="outer")
        known = df[level].isin(ui_text.prefecture_codes())
        df = pd.concat([df[known].sort_values(level), df[~known]], ignore_index=True)
    elif level in ("target_group", "agency_type"):  # the contract's order, unknown last
        order = {c.code: k for k, c in enumerate(contract.CODE_LISTS[level])}
        df = df.sort_values(level, key=lambda s: s.map(order).fillna(len(order)), kind="stable")
        df = df.reset_index(drop=True)
    cols = [c for c in df.columns if c != level]
    for c in cols:
        if (c in ids and indicators.REGISTRY_BY_ID[c].kind == "count") or c.endswith(("_numerator", "_denominator")):
            df[c] = df[c].fillna(0).astype("int64")
    total_row = {level: None} | {c: total[c].iloc[0] if c in total and not total.empty else np.nan for c in cols}
    df = pd.concat([df, pd.DataFrame([total_row])], ignore_index=True)
    df["label"] = [_region_label(level, c, lang) for c in df[level]]
    df.loc[len(df) - 1, "label"] = (
        tr("total.all", lang)
        if level in ("target_group", "agency_type")
        else (
            ui_text.prefecture_label(period_filter["prefecture_code"], lang) + " " + tr("total.all", lang)
            if "prefecture_code" in period_filter
            else tr("total.national", lang)
        )
    )
    shown, info = disclosure.suppress(
        df,
        list(TABLE_COUNTS),
        {r: (f"{r}_numerator", f"{r}_denominator") for r in TABLE_RATES},
        total_row=len(df) - 1,
        threshold=threshold,
    )
    infos.append(info)
    for r in TABLE_RATES:
        shown[r] = [
            NOT_AVAILABLE if not isinstance(x, str) and pd.isna(x) and n else x
            for x, n in zip(shown[r], df[f"{r}_denominator"].fillna(0), strict=True)
        ]
    shown["code"] = df[level]
    header = {
        "prefecture_code": "col.prefecture",
        "municipality_code": "col.municipality",
        "target_group": "col.target_group",
        "agency_type": "col.agency_type",
    }[level]
    columns = [Column("label", tr(header, lang), "label")]
    columns += [Column(i, _label(indicators.REGISTRY_BY_ID[i], lang), "count") for i in TABLE_COUNTS]
    columns += [Column(i, _label(indicators.REGISTRY_BY_ID[i], lang), "rate") for i in TABLE_RATES]
    return Table(key, title, columns, shown, total_row=len(shown) - 1, note=tr_rows_note(lang))


def _batches_table(con, lang: str) -> Table:
    from analytics.ingest.load import list_batches

    df = list_batches(con)
    df = df[df["status"] == "loaded"].sort_values("batch_id").reset_index(drop=True)
    rows = pd.DataFrame(
        {
            "batch": df["batch_id"].astype("int64"),
            "file": df["file_name"].astype(str),
            "loaded_at": [
                ui_text.format_date(pd.Timestamp(v).to_pydatetime().replace(microsecond=0), lang) if pd.notna(v) else ""
                for v in df["loaded_at"]
            ],
            "rows": df["rows_loaded"].fillna(0).astype("int64"),
        }
    )
    columns = [
        Column("batch", tr("col.batch", lang), "number"),
        Column("file", tr("col.file", lang), "text"),
        Column("loaded_at", tr("col.loaded_at", lang), "text"),
        Column("rows", tr("col.rows", lang), "number"),
    ]
    return Table("batches", tr("batches", lang), columns, rows)


def _definitions_table(ids: tuple[str, ...], lang: str) -> Table:
    rows = []
    for i in ids:
        ind = indicators.REGISTRY_BY_ID[i]
        rows.append(
            {
                "id": ind.id,
                "ja": ind.ja,
                "en": ind.en,
                "unit": _unit(ind, lang),
                "definition": ind.definition if lang == "en" else ind.definition_ja,
                "numerator": ind.numerator,
                "denominator": ind.denominator,
                "window": ind.window,
                "caveats": " / ".join(ind.caveats),
            }
        )
    columns = [
        Column(k, tr(f"col.{k}", lang), "text")
        for k in ("id", "ja", "en", "unit", "definition", "numerator", "denominator", "window", "caveats")
    ]
    note = (
        "全文は docs/indicators.md（指標カタログ）。" if lang != "en" else "The full catalogue is docs/indicators.md."
    )
    return Table("definitions", tr("definitions", lang), columns, pd.DataFrame(rows), note=note)


def _count_text(n: float, threshold: int, unit: str, lang: str) -> str:
    """A count for a sentence, hidden the same way as in the tables."""
    n = int(n)
    if 0 < n < threshold:
        return f"{threshold}{unit}未満（秘匿）" if lang != "en" else f"fewer than {threshold} (suppressed)"
    return f"{n:,}{unit}" if lang != "en" else f"{n:,}"


def _notes(
    report: Report,
    now: pd.DataFrame,
    regions: Table,
    prog: Table,
    pref: str | None,
    period: Period,
    asof: dt.date,
    threshold: int,
) -> list[str]:
    lang = report.lang
    en = lang == "en"
    unlinked = _scalar(now, "unlinked_placements")
    before = _scalar(now, "placements_before_first_consultation")
    notes = []
    if en:
        notes.append(
            f"Unlinked placements (placement records whose person has no consultation in the data): "
            f"{_count_text(unlinked, threshold, '', lang)}. They stay in the outcome counts, attributed "
            "by their own region and group; usually an agency's consultation file is missing or IDs differ."
        )
        notes.append(
            f"Placements dated before the person's first consultation: "
            f"{_count_text(before, threshold, '', lang)}; not outcomes of support, left out of every "
            "outcome indicator."
        )
    else:
        notes.append(
            "相談記録と突合できない就職等（相談記録のない個人IDの就職等）: "
            f"{_count_text(unlinked, threshold, '件', lang)}。"
            "成果の件数には含め、就職等の記録自体の地域・区分で集計しています。相談記録ファイルの未取込や"
            "機関間のID不一致が主な原因です。"
        )
        notes.append(
            f"初回相談より前の日付の就職等: {_count_text(before, threshold, '件', lang)}。支援の成果ではないため、"
            "すべての成果指標から除いています。"
        )
    end = dt.date(period.fiscal_years[-1] + 1, 3, 31)
    if asof < end:
        notes.append(
            f"Data run to {asof.isoformat()}: the period ({period.label(lang)}) is not complete."
            if en
            else f"データは{ui_text.format_date(asof, lang)}までです。対象期間（{period.label(lang)}）の途中の値です。"
        )
    if report.comparison is not None and report.comparison.is_same_period:
        months = overview.months_label(report.comparison, lang, previous=True)
        if period.kind == "fiscal_year":
            notes.append(
                f"Changes compare the same months: the year is still running, so the previous year is taken "
                f"over {months} as well (whole months up to the as-of month), not in full."
                if en
                else f"増減は前年同期比です。対象年度が途中のため、前年度も同じ月（{months}、データ時点の月までの"
                "月単位）の値としています。"
            )
        else:
            notes.append(
                f"Changes compare the same span: the period is still running, so the previous period is taken "
                f"over {months} (whole months up to the as-of month), not in full."
                if en
                else f"増減は前期間の同期間との比較です。対象期間が途中のため、前期間は{months}（データ時点の月までの"
                "月単位）の値としています。"
            )
    if any(x == NOT_AVAILABLE for x in report.key.rows["value"]):
        notes.append(
            "Cohort rates shown as … are not final: the follow-up window of the period's last members "
            "has not closed by the as-of date."
            if en
            else "「…」の率は未確定です（期間の最後の相談者の観察期間がデータ時点までに終わっていないため）。"
        )
    if regions.total_row is not None:
        body = regions.rows.iloc[: regions.total_row]
        gaps = [
            str(lbl)
            for lbl, p, code in zip(body["label"], body["persons"], body["code"], strict=True)
            if isinstance(code, str) and not isinstance(p, str) and p == 0
        ]
        if gaps:
            place = "prefectures" if pref is None else "municipalities"
            notes.append(
                f"No consultation records in the period for: {', '.join(gaps)} ({place}; data gap or no activity)."
                if en
                else f"期間内に相談記録がない地域（データの欠落または実績なし）: {'、'.join(gaps)}。"
            )
    if prog.rows.empty:
        notes.append("No targets at this level for the period." if en else "この地域・期間の目標は登録されていません。")
    notes.append(tr_rows_note(lang))
    info = report.suppression
    notes.append(
        f"Disclosure control applied: {info.primary} cells under the threshold, {info.secondary} complementary "
        f"cells and {info.rates} rates or derived values hidden (threshold {threshold})."
        if en
        else f"秘匿の状況: 閾値未満 {info.primary} セル、二次秘匿 {info.secondary} セル、率・派生値 {info.rates} セルを"
        f"「x」としました（閾値 {threshold}）。"
    )
    notes.append(
        "Program records are flows. The national headline target (+300,000 regular employees of the generation "
        "against 2019) is a stock from the Labour Force Survey; it is never added to these figures."
        if en
        else "これらは支援機関の記録（フロー）です。政府の目標（正規雇用者30万人増、2019年比）は"
        "労働力調査によるストックの変化であり、本レポートの数値と足し合わせたり直接比べたりしないでください。"
    )
    return notes


def preview(report: Report) -> list[tuple[str, str, str]]:
    """(label, value, change) of the key indicators as display text, for the reports page."""
    out = []
    for _, row in report.key.rows.iterrows():
        kind = row["_kind"]
        value = row["value"]
        if isinstance(value, str):
            text = value
        elif kind == "rate":
            text = disclosure.display(value, rate=True)
        elif kind == "days":
            text = f"{value:,.0f}" + ("" if report.lang == "en" else "日")
        else:
            text = disclosure.display(value)
        change = row["change"]
        if isinstance(change, str) or change is None or pd.isna(change):
            delta = ""
        elif kind == "rate":
            delta = f"{change:+.1f}pt"
        else:
            delta = f"{change:+,.0f}"
        out.append((row["indicator"], text, delta))
    return out
