"""Words the screens show: Japanese/English UI strings, fiscal-year and prefecture labels, number formats.

No streamlit here: pages, the CLI and report writers format the same way. Japanese is the default;
every key has both languages (a test checks it).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal

Lang = Literal["ja", "en"]
LANGS: tuple[Lang, ...] = ("ja", "en")
LANG_LABELS: dict[str, str] = {"ja": "日本語", "en": "English"}
DEFAULT_LANG: Lang = "ja"

_REFERENCE_DIR = Path(__file__).resolve().parent / "reference"

# key -> (日本語, English). Keys are grouped by the screen that uses them.
TEXT: dict[str, tuple[str, str]] = {
    # app shell
    "app.title": ("就職氷河期世代支援 進捗ダッシュボード", "Employment Ice-Age Generation Support: Progress Dashboard"),
    "app.short_title": ("氷河期世代支援 進捗", "Ice-age support progress"),
    "sidebar.language": ("表示言語 / Language", "Language / 表示言語"),
    "sidebar.as_of": ("データ時点", "Data as of"),
    "sidebar.last_loaded": ("最終取込", "Last loaded"),
    "sidebar.no_data": ("データが未登録です", "No data loaded yet"),
    "sidebar.db_busy": (
        "データベースが取込中のため、最新の状態を表示できません。しばらくしてから再読み込みしてください。",
        "The database is busy loading data; reload the page in a moment.",
    ),
    "seed.failed": (
        "サンプルデータの初期登録で読み込めなかったファイルがあります: {files}",
        "Some sample files could not be loaded when seeding the database: {files}",
    ),
    # overview placeholder
    "overview.title": ("概要", "Overview"),
    "overview.caption": (
        "取り込まれているデータの概要です。相談記録・就職等実績・目標の件数、年度別・都道府県別の件数、取込バッチの一覧を示します。",
        "What is loaded: consultations, placements and targets, counts by fiscal year and prefecture, and the "
        "batches they came from.",
    ),
    "overview.consultations": ("相談記録", "Consultations"),
    "overview.placements": ("就職等実績", "Placements"),
    "overview.targets": ("目標", "Targets"),
    "overview.persons": ("相談者（実人数）", "Persons (distinct)"),
    "overview.rows": ("{n} 行", "{n} rows"),
    "overview.by_fiscal_year": ("年度別の件数", "Rows by fiscal year"),
    "overview.by_prefecture": ("都道府県別の件数", "Rows by prefecture"),
    "overview.batches": ("取込バッチ", "Loaded batches"),
    "overview.as_of": (
        "データ時点: {as_of}（記録の最新日付）。最終取込: {loaded}。",
        "Data as of {as_of} (latest record date). Last loaded: {loaded}.",
    ),
    "overview.empty": (
        "まだデータが登録されていません。コマンド `python -m analytics ingest ファイル名` で"
        "相談記録・就職等実績・目標の CSV/Excel を取り込むと、ここに件数が表示されます。",
        "No data has been loaded yet. Load consultation, placement or target files (CSV/Excel) with "
        "`python -m analytics ingest FILE` and the counts appear here.",
    ),
    # column labels
    "col.fiscal_year": ("年度", "Fiscal year"),
    "col.prefecture": ("都道府県", "Prefecture"),
    "col.prefecture_code": ("都道府県コード", "Prefecture code"),
    "col.consultations": ("相談件数", "Consultations"),
    "col.placements": ("就職等件数", "Placements"),
    "col.targets": ("目標（行）", "Targets (rows)"),
    "col.persons": ("相談者数", "Persons"),
    "col.batch_id": ("バッチ", "Batch"),
    "col.file_name": ("ファイル名", "File"),
    "col.kinds": ("種別", "Kinds"),
    "col.loaded_at": ("取込日時", "Loaded at"),
    "col.status": ("状態", "Status"),
    "col.rows_read": ("読込行", "Rows read"),
    "col.rows_loaded": ("登録", "Loaded"),
    "col.rows_quarantined": ("保留", "Quarantined"),
    "col.rows_duplicate": ("重複", "Duplicates"),
    "col.rows_excluded": ("除外", "Excluded"),
    "status.loaded": ("登録済", "Loaded"),
    "status.rolled_back": ("取消済", "Rolled back"),
    "kind.consultations": ("相談記録", "Consultations"),
    "kind.placements": ("就職等実績", "Placements"),
    "kind.targets": ("目標", "Targets"),
    "national": ("全国", "National"),
    "unknown": ("不明", "Unknown"),
    "summary.empty": ("この条件に当てはまるデータがありません。", "No data for these filters."),
    "overview.kpi_caption": (
        "{period}・{scope}。カードの下段は前年度との差、線は年度ごとの推移です。",
        "{period}, {scope}. Below each number: the change from the previous fiscal year; the line: the yearly trend.",
    ),
    "overview.vs_previous": ("前年度比", "vs previous fiscal year"),
    "overview.stage_total": ("ステージ累計（前年度比なし）", "stage total (no year-on-year change)"),
    "overview.no_previous": ("前年度のデータなし", "no data for the previous year"),
    "overview.not_final": ("未確定（観察期間中）", "not final (window still open)"),
    "overview.so_far": ("これまで {num}／{den}人", "so far {num} of {den}"),
    "overview.small": ("分母10未満（参考値）", "denominator under 10 (indicative)"),
    "overview.trend": ("月別の推移", "Monthly trend"),
    "overview.trend_indicator": ("指標", "Indicator"),
    "overview.trend_title": ("{indicator}の月別推移", "{indicator} by month"),
    "overview.by_group": ("対象者区分別", "By target group"),
    "overview.group_title": ("対象者区分別の人数", "Persons by target group"),
    "overview.group_rates_title": ("対象者区分別の率", "Rates by target group"),
    "overview.data_behind": ("データ時点と取込バッチ", "Data as of, and the batches behind it"),
    "overview.batches_behind": (
        "データ時点 {as_of}。{n} 件の取込バッチ（最終取込 {loaded}）の記録から計算しています。",
        "Data as of {as_of}, computed from {n} loaded batches (last loaded {loaded}).",
    ),
    "overview.no_filter_data": (
        "この絞り込み条件に当てはまる記録がありません。サイドバーで年度・地域・対象者区分を変えるか、「条件をクリア」を押してください。",
        "No records match these filters. Change the year, region or target group in the sidebar, or press "
        "'Clear filters'.",
    ),
    "overview.col_month": ("月", "Month"),
    "overview.col_target_group": ("対象者区分", "Target group"),
    "overview.col_denominator": ("分母", "denominator"),
    "overview.axis_month": ("月（年度は4月始まり）", "Month (fiscal year starts in April)"),
    "overview.axis_persons": ("人数（人）", "Persons"),
    "overview.go_upload": ("データ取込ページを開く", "Open the upload page"),
    # shared sidebar filters (ui/sidebar.py)
    "filter.heading": ("表示する範囲", "Show"),
    "filter.period": ("期間", "Period"),
    "filter.period_fiscal_year": ("年度", "Fiscal year"),
    "filter.period_stage": ("ステージ", "Stage"),
    "filter.fiscal_year": ("年度", "Fiscal year"),
    "filter.stage": ("ステージ", "Stage"),
    "filter.prefecture": ("都道府県", "Prefecture"),
    "filter.municipality": ("市区町村", "Municipality"),
    "filter.all_municipalities": ("すべての市区町村", "All municipalities"),
    "filter.target_groups": ("対象者区分", "Target groups"),
    "filter.agency_types": ("機関種別", "Agency types"),
    "filter.all": ("すべて", "All"),
    "filter.clear": ("条件をクリア", "Clear filters"),
    # shared chart conventions (ui/charts.py, analytics/charts)
    "chart.table_view": ("表で見る", "Table view"),
    "chart.download": ("CSVダウンロード", "Download CSV"),
    "chart.definitions": ("指標の定義", "Definitions"),
    "chart.source": (
        "出典: 取込済みの相談記録・就職等実績（データ時点 {as_of}）",
        "Source: loaded consultation and placement records (data as of {as_of})",
    ),
    "chart.small_denominator": ("※ 分母10未満（参考値）", "* denominator under 10 (indicative)"),
}


def lang_or_default(value: object) -> Lang:
    """A supported language code from a query parameter or session value; anything else -> Japanese."""
    return value if value in LANGS else DEFAULT_LANG  # type: ignore[return-value]


def t(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The string for ``key`` in ``lang``, with ``{placeholders}`` filled.

    >>> t("overview.rows", "ja", n="1,234")
    '1,234 行'
    """
    ja, en = TEXT[key]
    text = en if lang == "en" else ja
    return text.format(**values) if values else text


def fiscal_year_label(fiscal_year: int | None, lang: str = DEFAULT_LANG) -> str:
    """A fiscal year (April–March, named by its starting year) as people write it.

    Japanese: 令和5年度 (FY2023); 令和元年度 for FY2019; 平成 before that. English: FY2023.

    >>> fiscal_year_label(2023)
    '令和5年度 (FY2023)'
    >>> fiscal_year_label(2019, "en")
    'FY2019'
    """
    if fiscal_year is None:
        return t("unknown", lang)
    fy = int(fiscal_year)
    if lang == "en":
        return f"FY{fy}"
    if fy >= 2019:
        era, n = "令和", fy - 2018
    elif fy >= 1989:
        era, n = "平成", fy - 1988
    else:
        era, n = "昭和", fy - 1925
    return f"{era}{'元' if n == 1 else n}年度 (FY{fy})"


@lru_cache(maxsize=1)
def _prefecture_names() -> dict[str, tuple[str, str]]:
    """JIS code -> (日本語名, English name), read from the bundled boundaries (JIS order)."""
    with (_REFERENCE_DIR / "japan_prefectures.geojson").open(encoding="utf-8") as f:
        features = json.load(f)["features"]
    names = {
        str(ft["properties"]["code"]).zfill(2): (ft["properties"]["name_ja"], ft["properties"]["name_en"])
        for ft in features
    }
    return dict(sorted(names.items()))


def prefecture_codes() -> tuple[str, ...]:
    """The 47 prefecture codes in JIS order (01 北海道 → 47 沖縄県)."""
    return tuple(_prefecture_names())


def prefecture_label(code: str | None, lang: str = DEFAULT_LANG) -> str:
    """A prefecture's name from its 2-digit code; ``None`` means national (全国)."""
    if code is None or code == "" or code == "00":
        return t("national", lang)
    ja, en = _prefecture_names().get(str(code).zfill(2), (str(code), str(code)))
    return en if lang == "en" else ja


def format_count(n: int | float | None, lang: str = DEFAULT_LANG) -> str:
    """A count with thousands separators (both languages use the comma)."""
    if n is None:
        return "–"
    return f"{int(n):,}"


def format_date(value: date | datetime | None, lang: str = DEFAULT_LANG) -> str:
    """A date as 2025年3月31日 (Japanese) or 2025-03-31 (English); a datetime keeps hours and minutes."""
    if value is None:
        return "–"
    if isinstance(value, datetime):
        if lang == "en":
            return value.strftime("%Y-%m-%d %H:%M")
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    if lang == "en":
        return value.isoformat()
    return f"{value.year}年{value.month}月{value.day}日"
