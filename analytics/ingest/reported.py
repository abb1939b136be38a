"""Reported figures (集計値, issue 16): aggregate tables read cell by cell into figures, checks and targets.

The tables the program really publishes are aggregates, not records: a labour bureau's 47 prefectures × 4月…3月
table, a prefecture's KPI sheet (a block per project: 「KPI | 実績値」), a council paper's 目標 | 実績 | 進捗率 by
年度 with a 3か年計, a long list (年度, 都道府県, 指標, 値, 単位). This module reads one raw sheet (text cells, as
``readers`` gives them) into

- **figures**: one row per figure cell read (the columns of ``reported_figures``, migration 011), with its period
  (month / fiscal year / span), area, target group, agency type, project, measure (registry id via
  ``metrics.measures.measure_id``, else the name as written), unit after scaling (万人 → 人), value and status
  (「-」 none, 「x」 suppressed, 「…」 not available, blank — never zero), source, vintage and notes;
- **targets**: the 目標 / KPI cells, with their period (annual, or a span such as 「目標は令和2〜4年度の3年間」);
- **checks**: totals (合計 row, 累計 / 3か年計 column) that differ from the sum of their parts, and published rates
  (進捗率 / 達成率) more than 0.1 point from 実績 ÷ 目標 — warnings with both numbers;
- **issues**: cells that cannot be loaded (quarantined with the reason, file, sheet, row, column and value).

What a figure is about often stands only around the table (title rows, headings, ※ notes, the sheet and file
name): ``infer_context`` reads it from there and records where each piece came from; ``overrides`` (the CLI's
``--map measure=…``, the upload page) win over everything.

Accounting, per sheet, in figure cells: read = loaded (some with a warning) + quarantined + duplicates + excluded
(totals that restate parts present in the same table, published rates, empty 目標 cells).
Grain and codes: docs/data_contract.md (reported figures).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

from analytics import contract
from analytics.ingest import normalise as nz
from analytics.ingest.errors import ISSUE_COLUMNS
from analytics.metrics import measures

KIND = "reported_figures"
ALL_PREFECTURES = 47

# Figure columns as stored (reported_figures without batch_id), in the table's order.
FIGURE_COLUMNS = (
    "source_sheet",
    "source_row",
    "source_column",
    "measure",
    "measure_name",
    "unit",
    "period_start",
    "period_end",
    "period_kind",
    "fiscal_year",
    "is_cumulative",
    "prefecture_code",
    "municipality_code",
    "target_group",
    "agency_type",
    "project",
    "value",
    "value_status",
    "source",
    "vintage",
    "note",
)
# A figure already held: same cell (measure, unit, period, area, group, agency, project), same vintage and value.
FIGURE_KEY = (
    "measure",
    "unit",
    "period_start",
    "period_end",
    "is_cumulative",
    "prefecture_code",
    "municipality_code",
    "target_group",
    "agency_type",
    "project",
    "vintage",
    "value_status",
    "value",
)
TARGET_COLUMNS = (
    "source_sheet",
    "source_row",
    "indicator",
    "fiscal_year",
    "stage",
    "prefecture_code",
    "target_group",
    "value",
    "vintage",
    "period_start",
    "period_end",
    "target_kind",
    "municipality_code",
    "project",
    "unit",
    "source",
)
CHECK_COLUMNS = (
    "source_sheet",
    "source_row",
    "source_column",
    "check_code",
    "measure",
    "prefecture_code",
    "period_start",
    "period_end",
    "stated",
    "computed",
    "message_ja",
    "message_en",
)
# Where a piece of context was read (shown in the preview): override beats column beats heading beats title …
CONTEXT_SOURCES = {
    "override": ("指定（--map / 画面）", "override (--map / page)"),
    "column": ("表の列", "table column"),
    "row": ("表の行見出し", "row label"),
    "header": ("列見出し", "column header"),
    "heading": ("ブロックの見出し", "block heading"),
    "title": ("表題行", "title row"),
    "note": ("注記（※）", "note (※)"),
    "sheet": ("シート名", "sheet name"),
    "file": ("ファイル名", "file name"),
    "registry": ("指標の登録（単位）", "measure registry (unit)"),
    "none": ("見つからず", "not found"),
}
CONTEXT_FIELDS = {
    # field: (ja, en)
    "prefecture_code": ("都道府県", "Prefecture"),
    "measure": ("指標", "Measure"),
    "unit": ("単位", "Unit"),
    "fiscal_year": ("年度", "Fiscal year"),
    "period": ("期間", "Period"),
    "target_period": ("目標の期間", "Target period"),
    "vintage": ("時点（版）", "As of (vintage)"),
    "source": ("出典（報告元）", "Source"),
    "project": ("事業", "Project"),
    "target_group": ("対象者区分", "Target group"),
    "agency_type": ("機関種別", "Agency type"),
}
# --map keys that set context rather than map a header (``--map measure=正社員就職件数 --map prefecture=福島県``).
OVERRIDE_KEYS = {
    "measure": "measure",
    "指標": "measure",
    "unit": "unit",
    "単位": "unit",
    "prefecture": "prefecture_code",
    "prefecture_code": "prefecture_code",
    "都道府県": "prefecture_code",
    "fiscal_year": "fiscal_year",
    "年度": "fiscal_year",
    "period": "period",
    "期間": "period",
    "target_period": "target_period",
    "目標期間": "target_period",
    "vintage": "vintage",
    "as_of": "vintage",
    "時点": "vintage",
    "source": "source",
    "出典": "source",
    "project": "project",
    "事業": "project",
    "target_group": "target_group",
    "agency_type": "agency_type",
}

NONE_MARKS = {"-", "―", "－", "—", "‐", "−", "ー", "–", "--"}
SUPPRESSED_MARKS = {"x", "X", "ｘ", "Ｘ", "χ", "秘匿", "*"}
NOT_AVAILABLE_MARKS = {"…", "...", "‥", "・・・", "･･･", "..", "未集計", "集計中", "n.a.", "na", "N/A"}

RESULT_WORDS = ("実績値", "実績", "値", "数値", "件数", "人数", "結果", "value", "actual")
TARGET_WORDS = ("目標値", "目標", "KPI", "計画値", "計画", "target")
RATE_WORDS = ("進捗率", "達成率", "進捗", "達成度", "rate")
TOTAL_WORDS = ("合計", "計", "総計", "小計", "累計", "総合計", "全国計", "年度計", "合計値", "total", "sum")
NATIONAL_WORDS = ("全国", "全体", "national")
NOTE_START = re.compile(r"^(※|\*|＊|注[)）:：\s\d]|\(注|（注|注記|備考|出典|資料|【注)")
NOTE_MARKER = re.compile(r"(※\s*\d+|\*\s*\d+|\(注\s*\d*\)|（注\s*\d*）|注\d+)")

_ERA_YEAR = r"(?:令和|平成|R|H)\s*(?:元|\d{1,2})"
_YEAR = rf"(?:{_ERA_YEAR}|\d{{4}})"
_MONTH_ONLY = re.compile(r"^(\d{1,2})\s*月(?:分)?$")
_YEAR_MONTH = re.compile(rf"^({_YEAR})\s*[年./\-]\s*(\d{{1,2}})\s*月?(?:分)?$")
_FISCAL_YEAR = re.compile(rf"^(?:FY\s*)?({_YEAR})\s*年度(?:分)?$|^FY\s*(\d{{4}})$")
_YM_PART = rf"({_YEAR})\s*年\s*(\d{{1,2}})\s*月"
_MONTH_SPAN = re.compile(rf"{_YM_PART}\s*[〜~～\-－ー]\s*(?:({_YEAR})\s*年\s*)?(\d{{1,2}})\s*月")
_FY_SPAN = re.compile(rf"({_YEAR})\s*(?:年度)?\s*[〜~～\-－]\s*({_YEAR}|\d{{1,2}})\s*年度")
_N_YEAR_TOTAL = re.compile(r"^(\d|[一二三四五])\s*(?:か|カ|ヶ|ケ|箇)?\s*年(?:間)?\s*(?:計|合計|累計)$")
_UNIT_IN_BRACKETS = re.compile(r"[（(]\s*(?:単位\s*[:：]?\s*)?(万人|千人|万件|千件|件|人|名)\s*[)）]")
_UNIT_NOTE = re.compile(r"単位\s*[:：]?\s*(万人|千人|万件|千件|件|人|名)")
_NUMBER = re.compile(r"^[+]?(\d[\d,]*(?:\.\d+)?|\.\d+)\s*(件|人|名|%|％)?$")
_AS_OF = re.compile(
    rf"({_YEAR})\s*[年./\-]\s*(\d{{1,2}})\s*(?:[月./\-]\s*(\d{{1,2}})\s*日?|月\s*(末)?)?\s*(?:現在|時点|公表|更新|作成)"
)
_GENERATION = re.compile(r"就職氷河期世代(?:の|向け)?|氷河期世代(?:の)?")
SOURCE_WORDS = (
    ("労働局", "労働局"),
    ("ハローワーク", "労働局"),
    ("サポートステーション", "サポステ"),
    ("サポステ", "サポステ"),
    ("自立相談", "自立相談支援機関"),
    ("厚生労働省", "国"),
    ("内閣府", "国"),
    ("内閣官房", "国"),
    ("プラットフォーム", "県"),
    ("事業実施計画", "県"),
)


@dataclass
class Inferred:
    value: object
    source: str  # a key of CONTEXT_SOURCES
    text: str | None = None  # the text it was read from

    def to_dict(self, name: str) -> dict:
        ja, en = CONTEXT_FIELDS.get(name, (name, name))
        where_ja, where_en = CONTEXT_SOURCES.get(self.source, (self.source, self.source))
        return {
            "field": name,
            "label_ja": ja,
            "label_en": en,
            "value": _display(self.value),
            "source": self.source,
            "source_ja": where_ja,
            "source_en": where_en,
            "text": self.text,
        }


@dataclass
class Period:
    start: dt.date
    end: dt.date
    kind: str  # month | fiscal_year | span
    is_cumulative: bool = False

    @property
    def fiscal_year(self) -> int | None:
        fy = nz.fiscal_year_of(self.start)
        return fy if nz.fiscal_year_of(self.end) == fy else None

    def label(self) -> str:
        return f"{self.start.isoformat()}〜{self.end.isoformat()}"


@dataclass
class FigureSheet:
    """One sheet read as reported figures (before writing): rows to load and the accounting."""

    figures: pd.DataFrame
    targets: pd.DataFrame
    checks: pd.DataFrame
    issues: pd.DataFrame
    context: dict[str, Inferred]
    layout: str  # long | wide | blocks
    header_row: int
    header_rows: int
    cells_read: int = 0
    excluded: dict[str, int] = field(default_factory=dict)
    duplicates_in_file: int = 0
    warned: int = 0
    labels: list = field(default_factory=list)  # the first table's headers (for saved profiles)
    field_by_label: dict = field(default_factory=dict)  # long form: header → field
    overrides: dict = field(default_factory=dict)  # the --map / page overrides applied


# --------------------------------------------------------------------------------------------
# Small parsers
# --------------------------------------------------------------------------------------------


def _display(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, tuple):
        return "〜".join(_display(v) or "" for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _text(cell: object) -> str | None:
    text = nz.clean_text(cell)
    return re.sub(r"\s+", " ", text) if text else None


def _year(text: str) -> int | None:
    text = re.sub(r"\s+", "", text)
    if re.fullmatch(r"\d{4}", text):
        return int(text)
    fy, _ = nz.parse_fiscal_year(text)
    return int(fy) if fy is not None else None


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _fy_period(fy: int) -> Period:
    return Period(dt.date(fy, 4, 1), dt.date(fy + 1, 3, 31), "fiscal_year")


def _month_period(year: int, month: int) -> Period:
    return Period(dt.date(year, month, 1), _month_end(year, month), "month")


def strip_marks(text: str) -> tuple[str, list[str]]:
    """A label or cell without its note markers (※1, (注2)), and the markers."""
    marks = [re.sub(r"\s+", "", m) for m in NOTE_MARKER.findall(text)]
    return NOTE_MARKER.sub("", text).strip(), marks


def parse_period(label: str | None, fiscal_year: int | None = None) -> Period | None:
    """A column or row label as a period: 「4月」 (needs the fiscal year), 「令和3年4月」, 「令和3年度」, 「FY2021」,
    「令和2年4月〜令和4年1月」 (a span, cumulative), 「令和2〜4年度」 (a span of fiscal years)."""
    text = _text(label)
    if not text:
        return None
    text, _ = strip_marks(text)
    text = _UNIT_IN_BRACKETS.sub("", text).strip()
    inner = re.search(r"[（(]([^）)]*)[)）]", text)
    if inner and re.search(r"[〜~～]", inner[1]):  # 累計（令和2年4月〜令和4年1月）
        text = inner[1]
    try:
        if m := _MONTH_ONLY.match(text):
            month = int(m[1])
            if fiscal_year is None or not 1 <= month <= 12:
                return None
            return _month_period(fiscal_year if month >= 4 else fiscal_year + 1, month)
        if m := _YEAR_MONTH.match(text):
            year = _year(m[1])
            return _month_period(year, int(m[2])) if year and 1 <= int(m[2]) <= 12 else None
        if m := _FISCAL_YEAR.match(text):
            year = _year(m[1] or m[2])
            return _fy_period(year) if year else None
        if m := _MONTH_SPAN.search(text):
            first = _year(m[1])
            last = _year(m[3]) if m[3] else first
            if first and last:
                start, end = dt.date(first, int(m[2]), 1), _month_end(last, int(m[4]))
                if end >= start:
                    return Period(start, end, "span", True)
        if m := _FY_SPAN.search(text):
            first = _year(m[1])
            second = m[2]
            last = _year(second) if not re.fullmatch(r"\d{1,2}", second) else None
            if last is None and first and re.fullmatch(r"\d{1,2}", second):  # 令和2〜4年度: the era carries over
                last = first - _era_number(m[1]) + int(second)
            if first and last and last >= first:
                return Period(dt.date(first, 4, 1), dt.date(last + 1, 3, 31), "span", True)
    except ValueError:
        return None
    return None


def _era_number(text: str) -> int:
    m = re.search(r"(元|\d{1,2})\s*$", text.strip())
    return 1 if m is None or m[1] == "元" else int(m[1])


def is_total_label(label: str | None) -> bool:
    text = _text(label)
    if not text:
        return False
    key = re.sub(r"[\s　]", "", strip_marks(text)[0]).lower()
    key = _UNIT_IN_BRACKETS.sub("", key)
    key = re.sub(r"[（(].*[)）]$", "", key)
    return key in TOTAL_WORDS or bool(_N_YEAR_TOTAL.match(key)) or key.endswith(("年度計", "累計", "合計"))


def role_of(label: str | None) -> str | None:
    """result | target | rate for a column header (「実績」「目標」「KPI」「進捗率」), else None."""
    text = _text(label)
    if not text:
        return None
    key = _UNIT_IN_BRACKETS.sub("", strip_marks(text)[0]).replace(" ", "").lower()
    key = re.sub(r"[（(]%?[)）]$", "", key)
    for role, words in (("rate", RATE_WORDS), ("target", TARGET_WORDS), ("result", RESULT_WORDS)):
        if any(key == w.lower() for w in words):
            return role
    if key.endswith(("率", "率(%)")) and ("進捗" in key or "達成" in key):
        return "rate"
    if key.startswith(("目標", "kpi")) and len(key) <= 6:
        return "target"
    if key.startswith("実績") and len(key) <= 6:
        return "result"
    return None


def unit_in(text: str | None) -> str | None:
    if not text:
        return None
    text = unicodedata.normalize("NFKC", text)
    m = _UNIT_IN_BRACKETS.search(text) or _UNIT_NOTE.search(text)
    return m[1] if m else None


def parse_value(cell: object) -> tuple[float | None, str, str | None, list[str]]:
    """(value, status, reason, note markers) of one figure cell. Status: value | none | suppressed |
    not_available | blank; a reason (invalid_number / out_of_range) means the cell is quarantined."""
    raw = "" if cell is None else str(cell)
    text = _text(raw)
    if text is None:
        return None, "blank", None, []
    text, marks = strip_marks(text)
    if not text:
        return None, "blank", None, marks
    if text in NONE_MARKS or raw.strip() in NONE_MARKS:
        return None, "none", None, marks
    if text in SUPPRESSED_MARKS or raw.strip() in SUPPRESSED_MARKS:
        return None, "suppressed", None, marks
    if text in NOT_AVAILABLE_MARKS or raw.strip() in NOT_AVAILABLE_MARKS:
        return None, "not_available", None, marks
    if text.startswith("-") and re.fullmatch(r"-\d[\d,]*(\.\d+)?", text):
        return None, "value", "out_of_range", marks
    m = _NUMBER.match(text.replace(" ", ""))
    if not m:
        return None, "value", "invalid_number", marks
    number = float(m[1].replace(",", ""))
    return number, "value", None, marks + (["%"] if m[2] in ("%", "％") else [])


def parse_rate(cell: object) -> float | None:
    """A published rate in percent: 「85.3%」 → 85.3, 「0.853」 (a fraction) → 85.3."""
    value, status, reason, marks = parse_value(cell)
    if status != "value" or reason or value is None:
        return None
    if "%" in marks:
        return value
    return value * 100 if value <= 1.5 else value


# --------------------------------------------------------------------------------------------
# Context: what stands around the table
# --------------------------------------------------------------------------------------------


def _prefecture_in(text: str | None) -> str | None:
    if not text:
        return None
    text = unicodedata.normalize("NFKC", text)
    reference = nz.region_reference()
    for code, name in reference.prefectures.items():
        if name in text:
            return code
    for code, name in reference.prefectures.items():  # 「長崎」 without 県 (not 北海道 / 京都 ambiguity: longest)
        short = name.removesuffix("県").removesuffix("府").removesuffix("都") if name != "北海道" else name
        if len(short) >= 2 and re.search(rf"(?<![一-龥]){re.escape(short)}(?![一-龥])", text):
            return code
    return None


def _measure_in(text: str | None) -> tuple[str, str] | None:
    """(measure id or None, name as written) of a known measure named inside a title or heading."""
    if not text:
        return None
    text = unicodedata.normalize("NFKC", text)
    squeezed = re.sub(r"\s+", "", text)
    best = None
    for m in measures.MEASURES:
        for name in (m.ja, *m.aliases):
            if name in squeezed and (best is None or len(name) > len(best[1])):
                best = (m.id, name)
    return best


def _unknown_measure_name(text: str) -> str | None:
    """The measure named in a title the registry does not know: the title without years, areas, units."""
    text = unicodedata.normalize("NFKC", text)
    text = _UNIT_IN_BRACKETS.sub("", text)
    text = re.sub(rf"{_YEAR}\s*年度?|{_YEAR}\s*年\s*\d+\s*月", " ", text)
    text = _GENERATION.sub(" ", text)
    for name in nz.region_reference().prefectures.values():
        text = text.replace(name, " ")
    parts = [p for p in re.split(r"[\s・/]+", text) if p and not p.startswith("※") and not is_total_label(p)]
    parts = [
        p for p in parts if not re.search(r"(現在|時点|一覧|実績表|集計表|報告|について|状況)$", p) or len(parts) == 1
    ]
    return parts[-1] if parts else None


def vintage_in(text: str | None) -> dt.date | None:
    """An as-of date: 「※ 令和3年3月末現在」 → 2021-03-31, 「2022年1月31日時点」, 「令和4年2月公表」 → month end."""
    if not text:
        return None
    text = unicodedata.normalize("NFKC", text)
    m = _AS_OF.search(text)
    if not m:
        return None
    year = _year(m[1])
    month = int(m[2])
    if not year or not 1 <= month <= 12:
        return None
    try:
        return dt.date(year, month, int(m[3])) if m[3] else _month_end(year, month)
    except ValueError:
        return None


def _compact_vintage(name: str) -> dt.date | None:
    """A date in a file or sheet name: 20220131, 2022-01-31, R4.1.31 (a bare year is not a vintage)."""
    if m := re.search(r"(?<!\d)(20\d{2})[-_.]?(0[1-9]|1[0-2])[-_.]?([0-2]\d|3[01])(?!\d)", name):
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    if m := re.search(r"(?<![A-Za-z])([RH])(\d{1,2})[-_.](\d{1,2})[-_.](\d{1,2})(?!\d)", name):
        date, _ = nz.parse_date(f"{m[1]}{m[2]}.{m[3]}.{m[4]}")
        return date
    return None


def _source_in(text: str | None) -> str | None:
    if not text:
        return None
    text = unicodedata.normalize("NFKC", text)
    if m := re.match(r"^[※\s]*(?:出典|資料|報告元|作成)\s*[:：]\s*(.+)$", text):
        return m[1].strip()
    for word, source in SOURCE_WORDS:
        if word in text:
            return source
    return None


def _fiscal_year_in(text: str | None, *, file_name: bool = False) -> int | None:
    if not text:
        return None
    text = unicodedata.normalize("NFKC", text)
    if _FY_SPAN.search(text) or _MONTH_SPAN.search(text):
        return None
    if m := re.search(rf"({_YEAR})\s*年度", text):
        return _year(m[1])
    if file_name and (m := re.search(r"(?<![A-Za-z0-9])(?:R|r)(\d{1,2})(?![\d.\-])", text)):
        return 2018 + int(m[1])
    if file_name and (m := re.search(r"FY\s*(\d{4})", text, re.I)):
        return int(m[1])
    return None


def infer_context(
    titles: list[str], notes: list[str], sheet: str, file_name: str, overrides: dict[str, str] | None = None
) -> dict[str, Inferred]:
    """What the sheet's figures are about, from (in order) overrides, title rows, notes, the sheet and file name.

    Returns field → ``Inferred`` (value, where from, the text): prefecture_code, measure (id or name as written,
    with ``measure_name``), unit, fiscal_year, period, target_period, vintage, source. Fields not found are absent.
    """
    stem = file_name.rsplit(".", 1)[0]
    places = [*(("title", t) for t in titles), *(("note", n) for n in notes), ("sheet", sheet), ("file", stem)]
    found: dict[str, Inferred] = {}

    def first(name: str, finder, sources=None) -> None:
        if name in found:
            return
        for where, text in places:
            if sources and where not in sources:
                continue
            value = finder(text) if where != "file" or name != "fiscal_year" else _fiscal_year_in(text, file_name=True)
            if value is not None:
                found[name] = Inferred(value, where, text)
                return

    _apply_overrides(found, overrides or {})
    first("prefecture_code", _prefecture_in)
    first("unit", unit_in, ("title", "note", "sheet", "file"))
    first("vintage", vintage_in, ("title", "note"))
    if "vintage" not in found:
        first("vintage", _compact_vintage, ("sheet", "file"))
    first("source", _source_in)
    first("target_period", _target_period_in, ("title", "note", "sheet"))
    first("period", _span_in, ("title", "sheet", "file"))
    first("fiscal_year", _fiscal_year_in, ("title", "sheet", "file"))
    if "measure" not in found:
        for where, text in places:
            if where == "note":
                continue
            known = _measure_in(text)
            if known:
                found["measure"] = Inferred(known[0], where, text)
                found["measure_name"] = Inferred(known[1], where, text)
                break
        else:
            for where, text in places:
                if where == "title" and unit_in(
                    text
                ):  # 「福島県 ひきこもり相談件数（件）」: the unit marks the measure
                    name = _unknown_measure_name(text)
                    if name:
                        found["measure"] = Inferred(name, where, text)
                        found["measure_name"] = Inferred(name, where, text)
                        break
    return found


def _apply_overrides(found: dict[str, Inferred], overrides: dict[str, str]) -> None:
    for key, value in overrides.items():
        name = OVERRIDE_KEYS.get(key.strip().lower(), OVERRIDE_KEYS.get(key.strip()))
        if name is None or value is None or str(value).strip() == "":
            continue
        text = str(value).strip()
        parsed: object = text
        if name == "prefecture_code":
            parsed = nz.parse_prefecture(text)[0]
            if parsed is None and text in NATIONAL_WORDS:
                parsed = ""
        elif name == "fiscal_year":
            parsed = nz.parse_fiscal_year(text)[0]
        elif name in ("period", "target_period"):
            parsed = parse_period(text) or _target_period_in(text)
            parsed = (parsed.start, parsed.end) if isinstance(parsed, Period) else parsed
        elif name == "vintage":
            parsed = nz.parse_date(text)[0] or vintage_in(text + "現在")
        elif name == "measure":
            found["measure_name"] = Inferred(text, "override", text)
            parsed = measures.measure_id(text) or text
        elif name in ("target_group", "agency_type"):
            parsed = nz.parse_code(text, name)[0]
        if parsed is not None:
            found[name] = Inferred(parsed, "override", text)


def _target_period_in(text: str | None) -> tuple[dt.date, dt.date] | None:
    """「目標は令和2〜4年度の3年間」 → (2020-04-01, 2023-03-31): a span named next to the word 目標."""
    if not text or "目標" not in text:
        return None
    period = parse_period_in_text(text)
    return (period.start, period.end) if period and period.kind == "span" else None


def _span_in(text: str | None) -> tuple[dt.date, dt.date] | None:
    if not text or "目標" in text:
        return None
    period = parse_period_in_text(text)
    return (period.start, period.end) if period and period.kind == "span" else None


def parse_period_in_text(text: str) -> Period | None:
    text = unicodedata.normalize("NFKC", text)
    for pattern in (_MONTH_SPAN, _FY_SPAN):
        if m := pattern.search(text):
            return parse_period(m[0])
    return None


# --------------------------------------------------------------------------------------------
# Layout: where the tables are
# --------------------------------------------------------------------------------------------

# Long-form headers (one row per figure) → field.
LONG_HEADERS: dict[str, str] = {
    nz.normalise_header(w): f for f, words in contract.REPORTED_FIGURE_HEADERS.items() for w in words
}
FIGURE_FIELDS = frozenset(LONG_HEADERS.values())


def _long_field(label: str | None, mapping: dict[str, str]) -> str | None:
    if not label:
        return None
    if label in mapping:
        return mapping[label] or None
    key = nz.normalise_header(label)
    if key in mapping:
        return mapping[key] or None
    key = _UNIT_IN_BRACKETS.sub("", key)
    return LONG_HEADERS.get(key) or LONG_HEADERS.get(nz.normalise_header(_UNIT_IN_BRACKETS.sub("", label)))


def is_note_row(cells: list[str | None]) -> bool:
    filled = [c for c in cells if c]
    return bool(filled) and bool(NOTE_START.match(filled[0].strip()))


@dataclass
class _Header:
    row: int  # 0-based index of the last header row
    rows: int  # 1 or 2
    layout: str  # long | wide
    columns: dict[int, tuple]  # long: index → field; wide: index → (period label, role, header text)
    label_columns: list[int]


def _wide_header(rows: list[list[str | None]], i: int, merged: list, width: int) -> _Header | None:
    """Row ``i`` as the (upper) header of a wide table: period labels (4月 … / 令和2年度 … / 累計) across,
    optionally role words (目標 | 実績 | 進捗率) in the row below; or role words alone (a KPI block)."""
    row = rows[i]
    below = rows[i + 1] if i + 1 < len(rows) else [None] * width

    def period_like(cell):
        text = _text(cell)
        return (
            bool(text)
            and "目標" not in text
            and len(text) <= 30
            and (
                _MONTH_ONLY.match(strip_marks(_UNIT_IN_BRACKETS.sub("", text))[0]) is not None
                or parse_period(text, 2000) is not None
                or is_total_label(text)
            )
        )

    periods = [j for j, c in enumerate(row) if period_like(c)]
    real_periods = [j for j in periods if not is_total_label(row[j])]
    roles_here = [j for j, c in enumerate(row) if role_of(c)]
    roles_below = [j for j, c in enumerate(below) if role_of(c)]
    if real_periods and roles_below and min(roles_below) >= min(periods):
        upper = _spread(row, i, merged, width, below)
        first = min(min(periods), min(roles_below))
        columns = {
            j: (upper[j], role_of(below[j]), f"{upper[j] or ''} {below[j] or ''}".strip())
            for j in range(first, width)
            if role_of(below[j]) and upper[j]
        }
        return _Header(i + 1, 2, "wide", columns, [j for j in range(first) if any(r[j] for r in rows[i + 2 :])])
    if sum(1 for c in row if _text(c)) < 2:
        return None  # a title row (「福島県 … （令和2〜4年度）」) is not a header
    dated = [j for j in periods if parse_period(row[j], 2000) is not None]
    if len(real_periods) >= 2 or (real_periods and len(periods) > len(real_periods)) or dated:
        first = min(periods)
        if any(_text(row[j]) and not period_like(row[j]) and not role_of(row[j]) for j in range(first, width)):
            return None
        columns = {j: (row[j], None, row[j]) for j in periods}
        return _Header(i, 1, "wide", columns, [j for j in range(first) if any(r[j] for r in rows[i + 1 :])])
    if roles_here and any(role_of(row[j]) in ("result", "target") for j in roles_here):
        first = min(roles_here)
        if any(_text(row[j]) and not role_of(row[j]) for j in range(first, width)):
            return None
        if not any(role_of(row[j]) == "result" for j in roles_here) and not any(
            role_of(row[j]) == "target" for j in roles_here
        ):
            return None
        # the row label columns' headers may say what the labels are (年度, 指標)
        columns = {j: (None, role_of(row[j]), row[j]) for j in roles_here}
        return _Header(i, 1, "wide", columns, list(range(first)))
    return None


def _spread(row: list[str | None], i: int, merged: list, width: int, below: list[str | None]) -> list[str | None]:
    """A merged upper header (令和2年度 over 目標 | 実績 | 進捗率) spread over the columns it covers; without
    merge information (CSV) carried right across blank cells while the row below has a role word."""
    filled = list(row) + [None] * (width - len(row))
    for (r0, c0), (r1, c1) in merged or []:
        if r0 <= i <= r1 and filled[c0]:
            for c in range(c0, min(c1, width - 1) + 1):
                filled[c] = filled[c] or filled[c0]
    last = None
    for j in range(width):
        if filled[j]:
            last = filled[j]
        elif last and role_of(below[j]):
            filled[j] = last
        else:
            last = None
    return filled


def _long_header(row: list[str | None], mapping: dict[str, str], i: int) -> _Header | None:
    columns = {j: f for j, c in enumerate(row) if (f := _long_field(c, mapping))}
    fields = set(columns.values())
    if not ({"value", "target"} & fields):
        return None
    if not ({"measure", "fiscal_year", "month", "period", "prefecture_code"} & fields):
        return None
    if len(fields) < 2:
        return None
    return _Header(i, 1, "long", columns, [])


def find_tables(
    rows: list[list[str | None]], merged: list, width: int, mapping: dict[str, str]
) -> list[tuple[_Header, int]]:
    """The tables of a sheet: (header, end row exclusive), top to bottom. A table ends at a blank row, a note
    row or the next header."""
    headers: list[_Header] = []
    i = 0
    while i < len(rows):
        row = rows[i]
        if not any(row) or is_note_row(row):
            i += 1
            continue
        header = _long_header(row, mapping, i) or _wide_header(rows, i, merged, width)
        if header is not None:
            headers.append(header)
            i = header.row + 1
            continue
        i += 1
    tables = []
    for k, header in enumerate(headers):
        stop = headers[k + 1].row - headers[k + 1].rows + 1 if k + 1 < len(headers) else len(rows)
        end = header.row + 1
        # a table runs to the first blank row; ※ rows inside it (a template's ※記入例 row, notes right under the
        # 合計 row) are notes, not figures
        while end < stop and any(rows[end]):
            end += 1
        if header.layout == "wide" and any(v[0] is None for v in header.columns.values()):
            # a KPI block: its data ends where the next block's heading begins (a row with one text cell)
            pass
        tables.append((header, end))
    return tables


# --------------------------------------------------------------------------------------------
# Reading one sheet
# --------------------------------------------------------------------------------------------


@dataclass
class _Cell:
    row: int  # 0-based
    column: str | None  # header as written
    raw: object
    measure: str | None
    measure_name: str | None
    unit: str | None
    period: Period | None
    prefecture_code: str | None
    municipality_code: str | None
    target_group: str | None
    agency_type: str | None
    project: str | None
    role: str  # result | target | rate
    note: list[str]
    row_label: str | None = None
    is_total: str | None = None  # "row" | "column": a total restating parts in the same table
    source: str | None = None
    vintage: dt.date | None = None
    reason: str | None = None  # set: quarantine
    reason_value: object = None


def looks_like_figures(
    labels: list[str | None], head: list[list[str | None]] | None = None, merged: list | None = None
) -> bool:
    """A sheet that reads as reported figures, not a records' target sheet: a long table with a value column
    (指標 + 値 / 実績 …), or a wide table (periods across, or 目標 | 実績 under them) in its first rows."""
    fields = {_long_field(c, {}) for c in labels if c}
    if "value" in fields and bool({"measure", "fiscal_year", "month", "period"} & fields):
        return True
    if not head:
        return False
    width = max((len(r) for r in head), default=0)
    rows = [list(r) + [None] * (width - len(r)) for r in head]
    return any(h.layout == "wide" for h, _ in find_tables(rows, merged or [], width, {}))


def read_figures(
    rows: list[list[str | None]],
    sheet: str,
    file_name: str,
    *,
    merged: list | None = None,
    overrides: dict[str, str] | None = None,
    mapping: dict[str, str] | None = None,
) -> FigureSheet | None:
    """One raw sheet (all rows as text cells) as reported figures, or None when it holds no figure table."""
    width = max((len(r) for r in rows), default=0)
    rows = [list(r) + [None] * (width - len(r)) for r in rows]
    mapping = {k: v for k, v in (mapping or {}).items() if v == "" or v in FIGURE_FIELDS}
    tables = find_tables(rows, merged or [], width, mapping)
    if not tables:
        return None
    first_header = tables[0][0]
    top = first_header.row - first_header.rows + 1
    first_heading = _heading_rows(rows, 0, top) if len(tables) > 1 else []
    titles = [
        " ".join(_text(c) or "" for c in rows[r] if c).strip()
        for r in range(top)
        if any(rows[r]) and not is_note_row(rows[r]) and r not in first_heading
    ]
    notes = [
        text
        for r in rows
        if is_note_row(r) and not (text := " ".join(_text(c) or "" for c in r if c).strip()).startswith("※記入例")
    ]
    context = infer_context(titles, notes, sheet, file_name, overrides)
    note_map = _numbered_notes(notes)
    general_notes = [n for n in notes if not _numbered(n) and not _context_note(n)]

    cells: list[_Cell] = []
    headings_used: dict[int, Inferred] = {}
    previous_end = 0
    for header, end in tables:
        top = header.row - header.rows + 1
        # A block's heading: the rows right above its header (「…事業（人）」, 「目標は令和2〜4年度の3年間」); a single
        # table's rows above are the sheet's title rows instead.
        heading_rows = _heading_rows(rows, previous_end, top) if len(tables) > 1 else []
        heading = " ".join(" ".join(_text(c) or "" for c in rows[r] if c) for r in heading_rows).strip() or None
        table_context = _block_context(context, heading)
        if heading and len(tables) > 1:
            headings_used[top] = Inferred(heading, "heading", heading)
        if header.layout == "long":
            cells += _long_cells(rows, header, end, table_context, note_map)
        else:
            cells += _wide_cells(rows, header, end, table_context, note_map)
        previous_end = end
    if not cells:
        return None
    result = _finish(cells, context, sheet, file_name, tables, general_notes)
    first = tables[0][0]
    result.labels = [_text(c) for c in rows[first.row]]
    if first.layout == "long":
        result.field_by_label = {_text(rows[first.row][j]): f for j, f in first.columns.items()}
    result.overrides = dict(overrides or {})
    return result


def _heading_rows(rows: list[list[str | None]], start: int, top: int) -> list[int]:
    """The contiguous non-empty, non-note rows directly above a table's header (within ``start`` … ``top``)."""
    out: list[int] = []
    r = top - 1
    while r >= start and any(rows[r]) and not is_note_row(rows[r]):
        out.insert(0, r)
        r -= 1
    return out


def _numbered(note: str) -> str | None:
    m = re.match(r"^\s*(※\s*\d+|\*\s*\d+|\(注\s*\d+\)|（注\s*\d+）|注\s*\d+)", unicodedata.normalize("NFKC", note))
    return re.sub(r"\s+", "", m[1]) if m else None


def _numbered_notes(notes: list[str]) -> dict[str, str]:
    out = {}
    for n in notes:
        mark = _numbered(n)
        if mark:
            out[unicodedata.normalize("NFKC", mark)] = n
    return out


def _context_note(note: str) -> bool:
    """A note that only says the unit, the as-of date or the source (read as context, not kept per figure)."""
    text = unicodedata.normalize("NFKC", note)
    rest = re.sub(r"^[※*\s]+", "", text)
    return bool(
        re.fullmatch(r"単位\s*[:：]?\s*\S+", rest)
        or (vintage_in(rest) and len(rest) <= 20)
        or re.match(r"^(出典|資料|報告元)\s*[:：]", rest)
    )


def _block_context(context: dict[str, Inferred], heading: str | None) -> dict[str, Inferred]:
    """The sheet's context refined by a block heading: 「地域若者サポートステーション 就職氷河期世代向け事業（人）」
    names the project and unit; 「目標は令和2〜4年度の3年間」 the target's span."""
    out = dict(context)
    if not heading:
        return out
    if (unit := unit_in(heading)) and out.get("unit", Inferred(None, "none")).source != "override":
        out["unit"] = Inferred(unit, "heading", heading)
    if (span := _target_period_in(heading)) and out.get("target_period", Inferred(None, "none")).source != "override":
        out["target_period"] = Inferred(span, "heading", heading)
    if (fy := _fiscal_year_in(heading)) and out.get("fiscal_year", Inferred(None, "none")).source != "override":
        out["fiscal_year"] = Inferred(fy, "heading", heading)
    known = _measure_in(heading)
    if known and out.get("measure", Inferred(None, "none")).source != "override":
        out["measure"] = Inferred(known[0], "heading", heading)
        out["measure_name"] = Inferred(known[1], "heading", heading)
    if (source := _source_in(heading)) and out.get("source", Inferred(None, "none")).source != "override":
        out["source"] = Inferred(source, "heading", heading)
    if out.get("project", Inferred(None, "none")).source != "override":
        project = re.split(r"[※]|目標は", heading)[0]
        project = _UNIT_IN_BRACKETS.sub("", unicodedata.normalize("NFKC", project)).strip(" 　:：-")
        project = re.sub(r"^[\d０-９]+[.．)）\s]+", "", project).strip()
        if (
            known and project.endswith(known[1]) and project != known[1]
        ):  # 「… 事業 進路決定者数」: the measure is not the project
            project = project[: -len(known[1])].strip()
        if project:
            out["project"] = Inferred(project, "heading", heading)
            if "measure" not in out:  # a KPI block that names only its project: the project is what is counted
                out["measure"] = Inferred(project, "heading", heading)
                out["measure_name"] = Inferred(project, "heading", heading)
    return out


def _base(context: dict[str, Inferred], name: str) -> object:
    item = context.get(name)
    return None if item is None else item.value


def _label_meaning(text: str | None, context: dict[str, Inferred]) -> dict[str, object]:
    """What a row label says: an area, a target group, an agency type, a measure, a period, or a total."""
    label = _text(text)
    if not label:
        return {}
    plain, marks = strip_marks(label)
    out: dict[str, object] = {"marks": marks}
    if is_total_label(plain):
        out["total"] = True
        return out
    if plain in NATIONAL_WORDS:
        out["national"] = True
        return out
    pref, _ = nz.parse_prefecture(plain)
    if pref:
        out["prefecture_code"] = pref
        return out
    key = nz._label_key(plain)
    for list_name in ("target_group", "agency_type"):
        lookup = nz._code_lookup(list_name)
        if key in lookup:
            out[list_name] = lookup[key]
            return out
    period = parse_period(plain, _base(context, "fiscal_year"))
    if period:
        out["period"] = period
        return out
    unit = unit_in(plain)
    name = _UNIT_IN_BRACKETS.sub("", plain).strip()
    known = measures.measure_id(name)
    if known or _base(context, "measure") is None or unit:
        out["measure_name"], out["measure"] = name, known or name
        if unit:
            out["unit"] = unit
        return out
    muni, _ = nz.parse_municipality(plain, _base(context, "prefecture_code") or None)
    if muni:
        out["municipality_code"] = muni
        return out
    out["unknown"] = plain
    return out


def _wide_cells(
    rows: list[list[str | None]], header: _Header, end: int, context: dict[str, Inferred], note_map: dict[str, str]
) -> list[_Cell]:
    fy = _base(context, "fiscal_year")
    column_periods: dict[int, tuple[Period | None, bool]] = {}
    for j, (label, _role, _header) in header.columns.items():
        if label is None:
            column_periods[j] = (None, False)
        elif is_total_label(label):
            column_periods[j] = (parse_period(label, fy), True)
        else:
            column_periods[j] = (parse_period(label, fy), False)
    cells: list[_Cell] = []
    for r in range(header.row + 1, end):
        row = rows[r]
        if is_note_row(row):
            continue
        meaning: dict[str, object] = {}
        for j in header.label_columns:
            part = _label_meaning(row[j], context)
            for k, v in part.items():
                if k == "marks":
                    meaning.setdefault("marks", []).extend(v)
                elif k not in meaning:
                    meaning[k] = v
        if not any(row[j] for j in header.columns):
            continue
        row_label = " ".join(_text(row[j]) or "" for j in header.label_columns).strip() or None
        for j, (label, role, header_text) in header.columns.items():
            period, total_column = column_periods[j]
            cell = _make_cell(r, j, row[j], header_text, role, period, total_column, meaning, context, note_map, label)
            cell.row_label = row_label
            cells.append(cell)
    return cells


def _make_cell(r, j, raw, header_text, role, period, total_column, meaning, context, note_map, label) -> _Cell:
    unit = meaning.get("unit") or unit_in(header_text) or _base(context, "unit")
    row_period = meaning.get("period")
    if period is None and row_period is not None:
        period = row_period
    if period is None:
        span = _base(context, "period")
        if role == "target" and _base(context, "target_period"):
            start, end = _base(context, "target_period")
            period = Period(start, end, "span")
        elif span:
            period = Period(span[0], span[1], "span", True)
        elif _base(context, "fiscal_year"):
            period = _fy_period(int(_base(context, "fiscal_year")))
    marks = list(meaning.get("marks", [])) + (strip_marks(_text(header_text) or "")[1] if header_text else [])
    marks += strip_marks(_text(raw) or "")[1]  # 「352※1」: the ※1 note belongs to this figure
    pref = meaning.get("prefecture_code")
    if pref is None and not meaning.get("national"):
        pref = _base(context, "prefecture_code") or None
    cell = _Cell(
        row=r,
        column=_text(header_text),
        raw=raw,
        measure=meaning.get("measure") or _base(context, "measure"),
        measure_name=meaning.get("measure_name") or _base(context, "measure_name") or _base(context, "measure"),
        unit=unit,
        period=period,
        prefecture_code=pref,
        municipality_code=meaning.get("municipality_code"),
        target_group=meaning.get("target_group") or _base(context, "target_group"),
        agency_type=meaning.get("agency_type") or _base(context, "agency_type"),
        project=_base(context, "project"),
        role=role or "result",
        note=[note_map[m] for m in marks if m in note_map],
        source=_base(context, "source"),
        vintage=_base(context, "vintage"),
    )
    if meaning.get("total") and total_column:
        cell.is_total = "both"  # the grand total (合計 × 累計)
    elif meaning.get("total"):
        cell.is_total = "row"
    elif total_column:
        cell.is_total = "column"
    if meaning.get("unknown"):
        cell.reason, cell.reason_value = "unknown_row_label", meaning["unknown"]
    if total_column and period is None:
        cell.period = None
    cell.is_total = cell.is_total
    cell._national = bool(meaning.get("national"))  # type: ignore[attr-defined]
    cell._label = label  # type: ignore[attr-defined]
    return cell


def _long_cells(
    rows: list[list[str | None]], header: _Header, end: int, context: dict[str, Inferred], note_map: dict[str, str]
) -> list[_Cell]:
    by_field = {f: j for j, f in header.columns.items()}
    header_row = rows[header.row]
    cells: list[_Cell] = []
    for r in range(header.row + 1, end):
        row = rows[r]
        if is_note_row(row):
            continue

        def get(f: str, row: list = row) -> str | None:
            return row[by_field[f]] if f in by_field else None

        meaning: dict[str, object] = {}
        local = dict(context)
        if get("fiscal_year"):
            fy = nz.parse_fiscal_year(get("fiscal_year"))[0]
            if fy:
                local["fiscal_year"] = Inferred(fy, "column")
        period = None
        reason = None
        for f in ("month", "period"):
            if get(f):
                period = parse_period(get(f), _base(local, "fiscal_year"))
                if period is None:
                    date, _ = nz.parse_date(get(f))
                    period = _month_period(date.year, date.month) if date else None
                if period is None:
                    reason = ("invalid_period", get(f))
        if period is None and _base(local, "fiscal_year") and not get("month") and not get("period"):
            period = _fy_period(int(_base(local, "fiscal_year")))
        area = get("prefecture_code")
        if area:
            meaning.update(_label_meaning(area, local))
            if not {"prefecture_code", "national", "total"} & set(meaning):
                reason = reason or ("unknown_prefecture", area)
        if get("municipality_code"):
            muni, why = nz.parse_municipality(get("municipality_code"), meaning.get("prefecture_code"))
            if muni:
                meaning["municipality_code"] = muni
                meaning.setdefault("prefecture_code", nz.prefecture_of(muni) if hasattr(nz, "prefecture_of") else None)
            else:
                reason = reason or ("unknown_municipality", get("municipality_code"))
        for code in ("target_group", "agency_type"):
            if get(code):
                text = _text(get(code))
                if is_total_label(text) or text in ("全体", "全て", "すべて"):
                    continue
                value, why = nz.parse_code(text, code)
                if value:
                    meaning[code] = value
                else:
                    reason = reason or ("unknown_code", text)
        if get("measure"):
            name = _UNIT_IN_BRACKETS.sub("", _text(get("measure")) or "").strip()
            if is_total_label(name):
                meaning["total"] = True
            meaning["measure_name"], meaning["measure"] = name, measures.measure_id(name) or name
            if unit_in(get("measure")):
                meaning["unit"] = unit_in(get("measure"))
        if get("unit"):
            meaning["unit"] = _text(get("unit"))
        if get("project"):
            local["project"] = Inferred(_text(get("project")), "column")
        if get("source"):
            local["source"] = Inferred(_text(get("source")), "column")
        if get("vintage"):
            date = nz.parse_date(get("vintage"))[0] or vintage_in(f"{get('vintage')}現在")
            if date:
                local["vintage"] = Inferred(date, "column")
        row_note = _text(get("note"))
        marks = []
        for f in ("value", "target", "rate"):
            if f not in by_field:
                continue
            j = by_field[f]
            role = {"value": "result", "target": "target", "rate": "rate"}[f]
            cell = _make_cell(r, j, row[j], header_row[j], role, period, False, meaning, local, note_map, None)
            if row_note:
                cell.note.append(row_note)
            if reason and not cell.reason:
                cell.reason, cell.reason_value = reason
            if period is None and role != "target" and not cell.reason:
                cell.reason, cell.reason_value = "missing_figure_period", None
            cells.append(cell)
        del marks
    return cells


# --------------------------------------------------------------------------------------------
# Totals, rates, units, statuses → the rows to load
# --------------------------------------------------------------------------------------------


def _key_value(value: object) -> object:
    return value


def _finish(
    cells: list[_Cell], context: dict[str, Inferred], sheet: str, file_name: str, tables, general_notes: list[str]
) -> FigureSheet:
    """Totals and rates checked, units scaled, measures resolved: the figure, target, check and issue rows."""
    # Parse values once.
    parsed = {id(c): parse_value(c.raw) for c in cells}
    # A national row is a total when the table also has prefecture rows (same column).
    # A 全国 row is the total of the prefecture rows only when all 47 are in the table (a labour bureau's table);
    # beside a few prefectures it is a national figure of its own.
    prefectures_by_column: dict[tuple, set] = {}
    for c in cells:
        if c.prefecture_code and not c.is_total and not getattr(c, "_national", False):
            key = (c.column, c.role, c.measure, _plabel(c))
            prefectures_by_column.setdefault(key, set()).add(c.prefecture_code)
    for c in cells:
        if getattr(c, "_national", False):
            if len(prefectures_by_column.get((c.column, c.role, c.measure, _plabel(c)), ())) >= ALL_PREFECTURES:
                c.is_total = "both" if c.is_total == "column" else "row"
    checks: list[dict] = []
    warned: set[int] = set()
    excluded = {"total": 0, "rate": 0, "no_target": 0}

    def number(c: _Cell) -> float | None:
        value, status, reason, _ = parse_value(c.raw)
        if reason or c.reason:
            return None
        if status == "none":
            return 0.0
        if status != "value":
            return None
        _, factor = measures.scale_unit(c.unit)
        return value * factor

    # Totals: a 合計 row against the rows of its column; a 累計 / 3か年計 column against the columns of its row.
    parts_by_column: dict[tuple, list[_Cell]] = {}
    parts_by_row: dict[tuple, list[_Cell]] = {}
    for c in cells:
        if c.is_total or c.reason:
            continue
        parts_by_column.setdefault((c.column, c.role, c.measure, c.unit, _plabel(c)), []).append(c)
        parts_by_row.setdefault((c.row, c.role, c.measure, c.unit), []).append(c)
    for c in cells:
        if not c.is_total:
            continue
        if c.is_total == "both":
            parts = [
                p
                for p in cells
                if p.is_total == "column"
                and p.column == c.column
                and p.role == c.role
                and p.measure == c.measure
                and p.unit == c.unit
                and p.row != c.row
                and not p.reason
            ]
            parts = parts or list(parts_by_row.get((c.row, c.role, c.measure, c.unit), []))
            if not parts:
                parts = [c]  # nothing to compare with: still a total, never a figure of its own
        elif c.is_total == "row":
            parts = [
                p for p in parts_by_column.get((c.column, c.role, c.measure, c.unit, _plabel(c)), []) if p.row != c.row
            ]
        else:
            parts = [
                p
                for p in parts_by_row.get((c.row, c.role, c.measure, c.unit), [])
                if p.period is not None and p.period.kind != "span"
            ]
        if not parts:
            # a total with no parts in the table (a 全国 row alone, a 累計 column alone): a figure of its own
            if c.is_total == "column" and c.period is None:
                span = _base(context, "period")
                if span:
                    c.period = Period(span[0], span[1], "span", True)
                else:
                    c.reason = c.reason or "missing_figure_period"
            if c.is_total == "row" and getattr(c, "_national", False):
                c.prefecture_code = None
            c.is_total = None if c.period is not None or c.reason else c.is_total
            if c.is_total is None and c.role == "result" and c.period is not None and c.period.kind == "span":
                c.period.is_cumulative = True
            continue
        if c.period is None and parts and all(p.period is not None for p in parts):
            c.period = Period(min(p.period.start for p in parts), max(p.period.end for p in parts), "span", True)
        if c.role == "rate":
            continue  # a rate in a total column is checked below with the total's own 実績 and 目標
        stated = number(c)
        values = [number(p) for p in parts if p is not c]
        if not values:
            continue
        if stated is not None and all(v is not None for v in values):
            computed = sum(values)
            if abs(stated - computed) > 0.5:
                checks.append(_check(c, "total_mismatch", stated, computed, sheet))
                warned.update(id(p) for p in parts)
        if c.role == "target" and c.is_total == "column":
            c.is_total = None  # a 3か年計 target is the period target itself (checked above against the annual ones)
            c.period.kind = "span"
            c.period.is_cumulative = False
            continue

    # Rates: 進捗率 = 実績 ÷ 目標 for the same row and period.
    by_slot: dict[tuple, dict[str, _Cell]] = {}
    for c in cells:
        by_slot.setdefault((c.row, _plabel(c), c.column if c.period is None else None), {})[c.role] = c
    for slot in by_slot.values():
        rate = slot.get("rate")
        if rate is None:
            continue
        stated = parse_rate(rate.raw)
        result, target = slot.get("result"), slot.get("target")
        if stated is not None and result is not None and target is not None:
            a, t = number(result), number(target)
            if a is not None and t:
                computed = a / t * 100
                if abs(stated - computed) > 0.1:
                    checks.append(_check(rate, "rate_mismatch", stated, round(computed, 3), sheet, result))
                    warned.add(id(result))

    figures, targets, issues = [], [], []
    for c in cells:
        value, status, reason, _ = parsed[id(c)]
        if c.role == "rate":
            excluded["rate"] += 1
            continue
        if c.is_total:
            excluded["total"] += 1
            continue
        reason_code, reason_value = c.reason, c.reason_value
        if not reason_code and reason:
            reason_code, reason_value = reason, c.raw
        if not reason_code and not c.measure:
            reason_code = "missing_measure"
        if not reason_code and c.period is None:
            reason_code = "missing_figure_period"
        unit_written = c.unit
        measure = c.measure
        if not reason_code:
            registry = measures.MEASURES_BY_ID.get(measure) if measure else None
            if not unit_written and registry:
                unit_written = registry.unit
            if not unit_written:
                reason_code = "missing_unit"
        if reason_code:
            issues.append(_issue(c, reason_code, reason_value, sheet, file_name))
            continue
        base_unit, factor = measures.scale_unit(unit_written)
        registry = measures.MEASURES_BY_ID.get(measure)
        if registry and registry.unit != base_unit:
            measure = c.measure_name or measure  # 件 vs 人: not the registry's measure, kept under its own name
        notes = list(dict.fromkeys(c.note))
        notes += [n for n in general_notes if n not in notes]
        if c.role == "target":
            if status != "value" or value is None:
                excluded["no_target"] += 1
                continue
            annual = c.period.kind == "fiscal_year"
            targets.append(
                {
                    "source_sheet": sheet,
                    "source_row": c.row + 1,
                    "indicator": measure,
                    "fiscal_year": c.period.fiscal_year if annual else None,
                    "stage": None,
                    "prefecture_code": c.prefecture_code,
                    "target_group": c.target_group,
                    "value": value * factor,
                    "vintage": c.vintage.isoformat() if c.vintage else None,
                    "period_start": c.period.start,
                    "period_end": c.period.end,
                    "target_kind": "annual" if annual else "period",
                    "municipality_code": c.municipality_code,
                    "project": c.project,
                    "unit": base_unit,
                    "source": c.source,
                }
            )
            continue
        figures.append(
            {
                "source_sheet": sheet,
                "source_row": c.row + 1,
                "source_column": c.column,
                "measure": measure,
                "measure_name": c.measure_name or measure,
                "unit": base_unit,
                "period_start": c.period.start,
                "period_end": c.period.end,
                "period_kind": c.period.kind,
                "fiscal_year": c.period.fiscal_year,
                "is_cumulative": bool(c.period.is_cumulative),
                "prefecture_code": c.prefecture_code,
                "municipality_code": c.municipality_code,
                "target_group": c.target_group,
                "agency_type": c.agency_type,
                "project": c.project,
                "value": value * factor if status == "value" else None,
                "value_status": status,
                "source": c.source,
                "vintage": c.vintage,
                "note": "\n".join(notes) or None,
                "_warned": id(c) in warned,
            }
        )
    frame = pd.DataFrame(figures, columns=[*FIGURE_COLUMNS, "_warned"])
    duplicates = 0
    if len(frame):
        dup = frame.duplicated(subset=list(FIGURE_KEY), keep="first")
        duplicates = int(dup.sum())
        frame = frame[~dup].reset_index(drop=True)
    target_frame = pd.DataFrame(targets, columns=list(TARGET_COLUMNS))
    if len(target_frame):
        key = [c for c in contract.TARGETS.duplicate_key if c in target_frame.columns]
        dup = target_frame.duplicated(subset=key, keep="first")
        duplicates += int(dup.sum())
        target_frame = target_frame[~dup].reset_index(drop=True)
    warned_count = int(frame["_warned"].sum()) if len(frame) else 0
    frame = frame.drop(columns="_warned")
    first = tables[0][0]
    return FigureSheet(
        figures=frame,
        targets=target_frame,
        checks=pd.DataFrame(checks, columns=list(CHECK_COLUMNS)),
        issues=pd.DataFrame(issues, columns=list(ISSUE_COLUMNS)),
        context=context,
        layout="blocks" if len(tables) > 1 else first.layout,
        header_row=first.row + 1,
        header_rows=first.rows,
        cells_read=len(cells),
        excluded=dict(excluded),
        duplicates_in_file=duplicates,
        warned=warned_count,
    )


def _plabel(c: _Cell) -> str | None:
    return c.period.label() if c.period else None


def _check(c: _Cell, code: str, stated: float, computed: float, sheet: str, about: _Cell | None = None) -> dict:
    about = about or c
    where = " × ".join(x for x in (c.row_label, c.column) if x) or f"{c.row + 1}行目"
    if code == "total_mismatch":
        difference = _fmt(stated - computed)
        ja = f"合計「{where}」（{_fmt(stated)}）が内訳の和（{_fmt(computed)}）と一致しません（差 {difference}）。"
        en = f"Total '{where}' ({_fmt(stated)}) differs from the sum of its parts ({_fmt(computed)})."
    else:
        ja = f"「{where}」の公表の率 {_fmt(stated)}% が 実績÷目標 = {computed:.1f}% と0.1ポイントを超えて異なります。"
        en = (
            f"'{where}': published rate {_fmt(stated)}% differs from actual ÷ target = {computed:.1f}% "
            "by more than 0.1 point."
        )
    return {
        "source_sheet": sheet,
        "source_row": c.row + 1,
        "source_column": c.column,
        "check_code": code,
        "measure": about.measure,
        "prefecture_code": about.prefecture_code,
        "period_start": about.period.start if about.period else None,
        "period_end": about.period.end if about.period else None,
        "stated": stated,
        "computed": computed,
        "message_ja": ja,
        "message_en": en,
    }


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"


def _issue(c: _Cell, code: str, value: object, sheet: str, file_name: str) -> dict:
    from analytics.ingest.errors import ALL_REASONS as REASONS

    ja, en = REASONS.get(code, (code, code))
    shown = "" if value is None else str(value)
    column = c.column or ""
    return {
        "kind": KIND,
        "file_name": file_name,
        "sheet": sheet,
        "row_number": c.row + 1,
        "column_name": c.column,
        "value": None if c.raw is None else str(c.raw),
        "reason_code": code,
        "message_ja": ja.replace("{value}", shown).replace("{column}", column),
        "message_en": en.replace("{value}", shown).replace("{column}", column),
        "raw_row": None,
    }


def context_frame(context: dict[str, Inferred], lang: str = "ja") -> pd.DataFrame:
    """The inferred context as a table for the preview: field, value, where it came from, the text read."""
    rows = []
    for name in (
        "prefecture_code",
        "measure",
        "unit",
        "fiscal_year",
        "period",
        "target_period",
        "vintage",
        "source",
        "project",
        "target_group",
        "agency_type",
    ):
        item = context.get(name)
        if item is None:
            if name in ("prefecture_code", "measure", "unit", "fiscal_year", "vintage", "source"):
                rows.append(Inferred(None, "none").to_dict(name))
            continue
        row = item.to_dict(name)
        if name == "prefecture_code":
            row["value"] = nz.region_reference().prefectures.get(
                str(item.value), "全国" if not item.value else item.value
            )
        if name == "measure" and "measure_name" in context:
            row["value"] = (
                f"{context['measure_name'].value}（{item.value}）"
                if item.value != context["measure_name"].value
                else item.value
            )
        rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    label, where = ("label_ja", "source_ja") if lang == "ja" else ("label_en", "source_en")
    return frame[["field", label, "value", where, "text"]].rename(columns={label: "label", where: "source_label"})


def context_dict(context: dict[str, Inferred]) -> dict[str, dict]:
    return {k: {"value": _display(v.value), "source": v.source, "text": v.text} for k, v in context.items()}


# --------------------------------------------------------------------------------------------
# The pipeline's side: a raw sheet in, a SheetResult out
# --------------------------------------------------------------------------------------------


def split_mapping(mapping: dict[str, str] | None) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """``--map`` entries as (record header mapping, figure header mapping, context overrides).

    ``年度=fiscal_year`` maps a header; ``measure=正社員就職件数``, ``prefecture=福島県``, ``fiscal_year=2021``,
    ``unit=人``, ``vintage=2022-01-31``, ``source=労働局``, ``period=令和2年4月〜令和4年1月`` set what the figures are
    about (a key naming a context field whose value is not a column name).
    """
    columns = {c for t in contract.TABLES.values() for c in t.column_names}
    records, figures, overrides = {}, {}, {}
    for header, column in (mapping or {}).items():
        is_column = column == "" or column in columns or column in FIGURE_FIELDS
        key = header.strip()
        if not is_column and (key in OVERRIDE_KEYS or key.lower() in OVERRIDE_KEYS):
            overrides[key] = column
            continue
        if column == "" or column in FIGURE_FIELDS:
            figures[header] = column
        if column == "" or column in columns or column not in FIGURE_FIELDS:
            records[header] = column
    return records, figures, overrides
