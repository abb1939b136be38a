"""Plain-language summaries generated from the numbers (the overview's headline sentence and the charts'
text alternative). Pure functions on :class:`analytics.views.overview.Overview`; no database, no streamlit.
"""

from __future__ import annotations

from analytics.text import ui_text
from analytics.views.overview import Kpi, Overview, format_value, months_label, period_label, scope_label


def _direction_ja(change: float) -> str:
    return "増加" if change > 0 else "減少" if change < 0 else "横ばい"


def _base_ja(kpi: Kpi) -> str:
    """What the change compares with (indicators.year_comparison): 前年同期（4〜9月） or 前年度."""
    if kpi.comparison is not None and kpi.comparison.is_same_period:
        return f"前年同期（{months_label(kpi.comparison, 'ja')}）"
    return "前年度"


def _base_en(kpi: Kpi) -> str:
    if kpi.comparison is not None and kpi.comparison.is_same_period:
        return f"the same period last year, {months_label(kpi.comparison, 'en')}"
    return "the previous fiscal year"


def _change_ja(kpi: Kpi) -> str:
    """前年度比 +3.2%（前年度 921人）, or for a rate 前年度差 +1.2ポイント; while the year runs,
    前年同期（4〜9月）比 +3.2%（前年同期 921人）."""
    base = _base_ja(kpi)
    if kpi.kind == "rate":
        return f"{base}差 {kpi.change * 100:+.1f}ポイント"
    short = "前年同期" if base != "前年度" else base
    return f"{base}比 {kpi.change * 100:+.1f}%（{short} {format_value('count', kpi.previous)}人）"


def overview_sentence(overview: Overview, lang: str = ui_text.DEFAULT_LANG) -> str:
    """One or two sentences on the period's regular placements, consultations and the 6-month rate.

    >>> # 令和5年度 (FY2023)の全国の正社員就職者数は951人で、前年度比 +3.2%（前年度 921人）でした。…
    """
    if overview.is_empty or not overview.kpis:
        return ui_text.t("summary.empty", lang)
    period = period_label(overview, lang)
    scope = scope_label(overview.filters, lang)
    placed = overview.kpi("regular_placed_persons")
    consult = overview.kpi("consultations")
    rate = overview.kpi("regular_within_6m_rate")
    stage = overview.fiscal_year is None
    if lang == "en":
        return _sentence_en(period, scope, placed, consult, rate, stage)
    n = format_value("count", placed.value)
    head = f"{period}の{scope}の正社員就職者数は{'累計' if stage else ''}{n}人"
    if placed.change is not None:
        first = f"{head}で、{_change_ja(placed)}でした。"
    else:
        first = f"{head}でした。"
    parts = [f"相談件数は{format_value('count', consult.value)}件"]
    if consult.change is not None:
        parts[0] += f"（{_base_ja(consult)}比 {consult.change * 100:+.1f}%）"
    if rate.value is not None:
        r = f"6か月以内正社員就職率は{format_value('rate', rate.value)}"
        if rate.change is not None:
            r += f"（{_change_ja(rate)}）"
        if rate.is_small:
            r += "（分母が10人未満のため参考値）"
        parts.append(r)
    elif rate.denominator:
        parts.append(
            f"6か月以内正社員就職率は観察期間が終わっていないため未確定です"
            f"（これまでに{format_value('count', rate.numerator)}人／{format_value('count', rate.denominator)}人）"
        )
    ending = "。" if parts[-1].endswith("）") and "未確定です" in parts[-1] else "でした。"
    return first + "、".join(parts) + ending


def _sentence_en(period: str, scope: str, placed: Kpi, consult: Kpi, rate: Kpi, stage: bool) -> str:
    n = format_value("count", placed.value, "en")
    first = f"In {period}, regular placed persons ({scope}) numbered {n}{' in total' if stage else ''}"
    if placed.change is not None:
        word = "up" if placed.change > 0 else "down" if placed.change < 0 else "unchanged,"
        previous = format_value("count", placed.previous, "en")
        first += f", {word} {abs(placed.change) * 100:.1f}% on {_base_en(placed)} ({previous})"
    first += "."
    rest = f" Consultations: {format_value('count', consult.value, 'en')}"
    if consult.change is not None:
        rest += f" ({consult.change * 100:+.1f}%)"
    if rate.value is not None:
        rest += f"; regular placement within 6 months: {format_value('rate', rate.value, 'en')}"
        if rate.change is not None:
            rest += f" ({rate.change * 100:+.1f} points)"
    elif rate.denominator:
        rest += (f"; the 6-month regular placement rate is not final yet ({format_value('count', rate.numerator)} of "
                 f"{format_value('count', rate.denominator)} so far)")  # fmt: skip
    return first + rest + "."


# -------------------------------------------------------------------------------------------------
# The definitions catalogue as the definitions page shows it (from the registry, nothing restated)
# -------------------------------------------------------------------------------------------------

CATEGORY_ORDER: tuple[str, ...] = ("reach", "outcome", "cohort", "quality", "data_quality")


def catalogue(lang: str = ui_text.DEFAULT_LANG) -> list[tuple[str, list]]:
    """The registry grouped by category, in catalogue order: [(category, [Indicator, ...]), ...]."""
    from analytics.metrics.indicators import REGISTRY

    groups = [(c, [i for i in REGISTRY if i.category == c]) for c in CATEGORY_ORDER]
    others = [i for i in REGISTRY if i.category not in CATEGORY_ORDER]
    return [g for g in groups if g[1]] + ([("other", others)] if others else [])


def indicator_details(indicator_id: str, lang: str = ui_text.DEFAULT_LANG) -> list[tuple[str, str]]:
    """(label, text) rows of one indicator's definition: unit, kind, grain, numerator, denominator, window,
    attribution, caveats, practice, SQL file. Empty fields are left out."""
    from analytics.metrics.indicators import REGISTRY_BY_ID

    ind = REGISTRY_BY_ID[indicator_id]
    t = ui_text.t
    kind = t(f"defs.kind_{ind.kind}", lang)
    better = {True: t("defs.better_higher", lang), False: t("defs.better_lower", lang), None: "–"}
    rows = [
        (t("defs.id", lang), f"`{ind.id}`"),
        (t("defs.unit", lang), f"{ind.unit} ({ind.unit_en})"),
        (t("defs.kind", lang), kind),
        (t("defs.grain", lang), ind.grain),
        (t("defs.numerator", lang), ind.numerator),
        (t("defs.denominator", lang), ind.denominator),
        (t("defs.window", lang), ind.window),
        (t("defs.attribution", lang), ind.attribution),
        (t("defs.better", lang), better[ind.higher_is_better]),
        (t("defs.caveats", lang), " / ".join(ind.caveats)),
        (t("defs.practice", lang), ind.practice),
        (t("defs.sql", lang), f"`analytics/sql/{ind.sql}.sql`"),
    ]
    return [(label, text) for label, text in rows if text]
