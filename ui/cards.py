"""KPI cards: a number, the change on the previous year (its same months while the year runs), a sparkline and
a link to the definition."""

from __future__ import annotations

import streamlit as st

from analytics.metrics import indicators
from analytics.text.ui_text import fiscal_year_label, format_count, t
from analytics.views.overview import (
    Kpi,
    comparison_label,
    format_change,
    format_value,
    indicator_label,
    no_previous_label,
)
from ui.a11y import visually_hidden
from ui.charts import definitions_link


def kpi_card(kpi: Kpi, lang: str, *, stage_total: bool = False) -> None:
    """One bordered card: label, value, change (4〜9月の前年同期比 while the year runs, else 前年度比; rates in
    ポイント), yearly sparkline, definitions link."""
    ind = indicators.REGISTRY_BY_ID[kpi.id]
    factor = 100.0 if kpi.kind == "rate" else 1.0
    spark = [v * factor for _, v in kpi.series] if len(kpi.series) > 1 else None
    delta = format_change(kpi, lang)
    if kpi.value is None and kpi.kind == "rate" and not kpi.is_final:
        value = t("overview.not_final", lang)
        description = t("overview.so_far", lang, num=format_count(kpi.numerator), den=format_count(kpi.denominator))
    else:
        value = format_value(kpi.kind, kpi.value, lang)
        if stage_total:
            description = t("overview.stage_total", lang)
        elif delta is None:
            description = no_previous_label(kpi.comparison, lang)
        else:
            description = comparison_label(kpi.comparison, lang)
        if kpi.is_small:
            description = f"{description}・{t('overview.small', lang)}"
    with st.container(border=True):
        st.metric(
            indicator_label(kpi.id, lang), value, delta=delta, delta_description=description,
            help=ind.definition if lang == "en" else ind.definition_ja, chart_data=spark, chart_type="line",
            delta_color="normal" if ind.higher_is_better is not False else "inverse",
        )  # fmt: skip
        if spark:
            # The sparkline is hidden from screen readers (ui/a11y.py: Vega reads it as "x: 0; y: 3928"); its
            # values, as text, for them instead.
            values = ("; " if lang == "en" else "、").join(
                f"{fiscal_year_label(fy, lang)} {format_value(kpi.kind, v, lang)}" for fy, v in kpi.series
            )
            st.markdown(visually_hidden(t("overview.yearly_series", lang, values=values)), unsafe_allow_html=True)
        if kpi.source == "reported":  # issue 16: a scope without records shows the reported figure, marked
            st.badge(t("rep.badge", lang), color="blue", icon=":material/assignment:")
        definitions_link([kpi.id], lang)


def kpi_row(kpis: tuple[Kpi, ...], lang: str, *, stage_total: bool = False, per_row: int = 3) -> None:
    """The cards side by side (wrapping after ``per_row``)."""
    for start in range(0, len(kpis), per_row):
        for column, kpi in zip(st.columns(per_row), kpis[start : start + per_row], strict=False):
            with column:
                kpi_card(kpi, lang, stage_total=stage_total)
