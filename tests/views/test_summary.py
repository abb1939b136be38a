"""Tests for analytics/views/summary.py: the generated summary sentence says the engine's numbers in plain words."""

from __future__ import annotations

import pandas as pd

from analytics.views import summary
from analytics.views.filters import Filters
from analytics.views.overview import Kpi, Overview


def make(placed=(951, 912), consult=(5559, 5200), rate=(0.254, 0.266), fy=2023, final=True, small=False) -> Overview:
    def kpi(i, kind, pair):
        value, prev = pair
        change = (value - prev) if kind == "rate" else (value / prev - 1)
        return Kpi(
            i,
            kind,
            value if final or kind != "rate" else None,
            prev,
            change if value is not None else None,
            numerator=100,
            denominator=400,
            is_final=final,
            is_small=small,
        )

    kpis = (
        kpi("consultations", "count", consult),
        kpi("persons", "count", (1, 1)),
        kpi("new_persons", "count", (1, 1)),
        kpi("regular_placed_persons", "count", placed),
        kpi("regular_within_6m_rate", "rate", rate),
        kpi("retention_6m_rate", "rate", (0.8, 0.8)),
    )
    empty = pd.DataFrame()
    return Overview(Filters(fiscal_year=fy, prefecture_code="13"), fy, (fy,), None, kpis, empty, empty, empty, empty)


def test_japanese_sentence_names_year_place_count_and_change():
    text = summary.overview_sentence(make())
    assert text.startswith(
        "令和5年度 (FY2023)の東京都の正社員就職者数は951人で、前年度比 +4.3%（前年度 912人）でした。"
    )
    assert "相談件数は5,559件（前年度比 +6.9%）" in text
    assert "6か月以内正社員就職率は25.4%（前年度差 -1.2ポイント）でした。" in text


def test_a_running_year_says_it_compares_the_same_period(midyear_db_path):
    """Data to 2024-09-30: FY2024 is compared with April–September 2023, and the sentence says so."""
    from analytics.metrics import indicators
    from analytics.views import overview, status

    with status.read_connection(midyear_db_path) as con:
        ov = overview.build_overview(con, Filters(fiscal_year=2024))
        months = [f"2023-{m:02d}" for m in range(4, 10)]
        same = indicators.compute(
            con, filters={"month": months}, indicators=["consultations", "regular_placed_persons"]
        )
    placed, consult = ov.kpi("regular_placed_persons"), ov.kpi("consultations")
    assert placed.previous == same["regular_placed_persons"].iloc[0]
    text = summary.overview_sentence(ov)
    prev = f"{int(placed.previous):,}"
    assert f"前年同期（4〜9月）比 {placed.change * 100:+.1f}%（前年同期 {prev}人）" in text
    assert f"相談件数は{int(consult.value):,}件（前年同期（4〜9月）比 {consult.change * 100:+.1f}%）" in text
    assert "前年度比" not in text
    english = summary.overview_sentence(ov, "en")
    assert f"on the same period last year, Apr–Sep ({prev})" in english


def test_unfinished_rate_is_called_not_final():
    text = summary.overview_sentence(make(final=False))
    assert "未確定" in text and "100人／400人" in text and "%" not in text.split("就職率")[1].split("（")[0]


def test_small_denominator_is_marked():
    assert "参考値" in summary.overview_sentence(make(small=True))


def test_english_sentence():
    text = summary.overview_sentence(make(placed=(900, 1000)), "en")
    assert text.startswith("In FY2023, regular placed persons (Tokyo) numbered 900, down 10.0% on the previous")


def test_catalogue_covers_the_registry():
    from analytics.metrics.indicators import REGISTRY

    listed = [i.id for _, members in summary.catalogue() for i in members]
    assert sorted(listed) == sorted(i.id for i in REGISTRY)
    rows = dict(summary.indicator_details("regular_within_6m_rate"))
    assert "分母" in rows and "観察期間" in rows
