"""Cell-level normalisation: text width, 和暦 and other dates, local-government codes, coded labels.

Each parser takes one distinct cell text and returns ``(value, reason_code)`` where exactly one is
None. The pipeline applies them per *distinct* value and joins the result back in DuckDB, so a
million rows with a few thousand distinct dates cost a few thousand calls.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from analytics import config, contract

REFERENCE_DIR = config.REFERENCE_DIR

# Full-width ASCII (U+FF01–U+FF5E) and the ideographic space, mapped to ASCII: the same mapping as NFKC
# for these characters, but usable in DuckDB's translate() so whole columns are converted in SQL.
FULLWIDTH = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000"
HALFWIDTH = "".join(chr(c) for c in range(0x21, 0x7F)) + " "
# Dash look-alikes that agencies type into IDs and codes (‐ ‑ ‒ – — ― − ｰ).
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff70"

_ID_TRANSLATION = str.maketrans(FULLWIDTH + DASHES, HALFWIDTH + "-" * len(DASHES))

Result = tuple[object, str | None]


def clean_text(value: object) -> str | None:
    """NFKC, trimmed; empty → None. ``'　ＩＤ－０１ '`` → ``'ID-01'``."""
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return text or None


def normalise_header(value: object) -> str:
    """Header text for alias matching: NFKC, lower case, without spaces, brackets' content kept.

    ``'相談年月日（西暦）'`` stays recognisable as ``'相談年月日'`` because bracketed notes are removed.
    """
    text = clean_text(value) or ""
    text = re.sub(r"[\(（\[【<＜].*?[\)）\]】>＞]", "", text)
    text = re.sub(r"[\s_・:：※*＊]+", "", text.lower())
    return text.replace("ヶ", "か").replace("ケ", "か").replace("カ月", "か月")


def normalise_person_id(value: object) -> str | None:
    """The canonical form of a person ID before pseudonymisation: ``'０１－０１０００'`` → ``'01-01000'``.

    Mirrors the SQL expression in ``pipeline._person_id_sql`` (tested to agree).
    """
    if value is None:
        return None
    text = "".join(str(value).translate(_ID_TRANSLATION).split()).upper()
    return text or None


# IDs made only of ASCII, full-width ASCII, the ideographic space and the dash look-alikes (what agencies
# type) are normalised by Arrow on whole arrays; anything else goes through normalise_person_id one by one.
_VECTOR_SAFE_ID = "^[\\x{0}-\\x{7F}\\x{FF01}-\\x{FF5E}\\x{3000}\\x{2010}-\\x{2015}\\x{2212}\\x{FF70}]*$"
_DASH_CLASS = "[\\x{2010}-\\x{2015}\\x{2212}\\x{FF70}]"
_PY_ASCII_SPACE = "[\\t\\n\\x{0B}\\x{0C}\\r\\x{1C}-\\x{1F} ]"  # what str.split() removes in ASCII


def normalise_person_id_array(array):
    """``normalise_person_id`` on an Arrow string array, returning one: Arrow compute on the common characters —
    dashes → ``-``, NFKC (full-width ASCII → ASCII, 　 → space), spaces removed, upper case — and the Python
    function for the (rare) IDs with other characters: other scripts, ligatures, …
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    fast = pc.replace_substring_regex(array, _DASH_CLASS, "-")
    fast = pc.utf8_normalize(fast, "NFKC")
    fast = pc.ascii_upper(pc.replace_substring_regex(fast, _PY_ASCII_SPACE, ""))
    out = pc.if_else(pc.equal(fast, ""), pa.scalar(None, pa.string()), fast)
    unsafe = pc.indices_nonzero(pc.invert(pc.match_substring_regex(array, _VECTOR_SAFE_ID))).to_pylist()
    if not unsafe:
        return out
    values, patched = array.to_pylist(), out.to_pylist()
    for i in unsafe:
        patched[i] = normalise_person_id(values[i])
    return pa.array(patched, type=pa.string())


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------

# First day of each era (元年). 平成31年4月30日 and 令和元年5月1日 are both valid; a date written in an
# era after that era ended (平成32年) is still converted arithmetically, as offices often do.
ERAS: dict[str, dt.date] = {
    "令和": dt.date(2019, 5, 1),
    "平成": dt.date(1989, 1, 8),
    "昭和": dt.date(1926, 12, 25),
}
ERA_LETTERS = {"R": "令和", "H": "平成", "S": "昭和", "r": "令和", "h": "平成", "s": "昭和"}
EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's serial day 0 (accounts for the 1900 leap-year bug)

_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_KANJI = re.compile(r"^(\d{4})年\s*(\d{1,2})月\s*(\d{1,2})日?$")
_ERA = re.compile(r"^(令和|平成|昭和|[RHSrhs])\s*(元|\d{1,2})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^(\d{4,5})(?:\.0+)?$")


def parse_date(value: object) -> Result:
    """Parse one date cell; returns ``(datetime.date, None)`` or ``(None, 'invalid_date')``.

    Accepts ISO (``2021-04-05``), ``2021/4/5``, ``2021.4.5``, ``2021年4月5日``, 和暦 (``令和3年4月5日``,
    ``令和元年5月1日``, ``R3.4.5``, ``H31/4/30``) in half- or full-width digits, ``20210405``, ISO date-times
    (Excel date cells arrive as ``2021-04-05 00:00:00``) and Excel serial day numbers (``44291`` →
    2021-04-05) from General-formatted cells.
    """
    text = clean_text(value)
    if text is None:
        return None, None
    try:
        if m := _ISO.match(text):
            return dt.date(int(m[1]), int(m[2]), int(m[3])), None
        if m := _KANJI.match(text):
            return dt.date(int(m[1]), int(m[2]), int(m[3])), None
        if m := _ERA.match(text):
            era = ERA_LETTERS.get(m[1], m[1])
            era_year = 1 if m[2] == "元" else int(m[2])
            if era_year < 1:
                return None, "invalid_date"
            return dt.date(ERAS[era].year + era_year - 1, int(m[3]), int(m[4])), None
        if m := _COMPACT.match(text):
            return dt.date(int(m[1]), int(m[2]), int(m[3])), None
        if m := _SERIAL.match(text):
            serial = int(m[1])
            # 1 = 1900-01-01 … 73050 = 2099-12-31; 4-digit serials would be the 1900s: not plausible here,
            # but a bare year like "2021" is not a date either.
            if 10000 <= serial <= 73050:
                return EXCEL_EPOCH + dt.timedelta(days=serial), None
    except ValueError:  # e.g. 2021-02-30
        return None, "invalid_date"
    return None, "invalid_date"


def parse_fiscal_year(value: object) -> Result:
    """``2021``, ``FY2021``, ``2021年度``, ``令和3年度``, ``R3`` → 2021."""
    text = clean_text(value)
    if text is None:
        return None, None
    text = text.upper().removeprefix("FY").removesuffix("年度").removesuffix("年").strip()
    if re.fullmatch(r"\d{4}(\.0+)?", text):
        year = int(float(text))
        return (year, None) if 1990 <= year <= 2100 else (None, "invalid_fiscal_year")
    if m := re.fullmatch(r"(令和|平成|[RH])\s*(元|\d{1,2})", text):
        era = ERA_LETTERS.get(m[1], m[1])
        return ERAS[era].year + (1 if m[2] == "元" else int(m[2])) - 1, None
    return None, "invalid_fiscal_year"


def fiscal_year_of(date: dt.date) -> int:
    """年度 of a date: April–March, named by the starting year (2022-03-31 → 2021)."""
    return date.year if date.month >= 4 else date.year - 1


def parse_int(value: object, low: int, high: int) -> Result:
    """An integer cell within ``[low, high]``; ``'４２歳'`` → 42; out of range → ``'out_of_range'``."""
    text = clean_text(value)
    if text is None:
        return None, None
    text = text.removesuffix("歳").removesuffix("才").strip()
    if not re.fullmatch(r"-?\d+(\.0+)?", text):
        return None, "invalid_number"
    number = int(float(text))
    return (number, None) if low <= number <= high else (None, "out_of_range")


def parse_birth_year(value: object, low: int, high: int) -> Result:
    """Birth year from a year (``1979``, ``昭和54年``) or a full birth date, of which only the year is kept."""
    text = clean_text(value)
    if text is None:
        return None, None
    if m := re.fullmatch(r"(\d{4})年?", text):
        year = int(m[1])
    elif m := re.fullmatch(r"(昭和|平成|[SH])\s*(元|\d{1,2})年?", text):
        era = ERA_LETTERS.get(m[1], m[1])
        year = ERAS[era].year + (1 if m[2] == "元" else int(m[2])) - 1
    else:
        date, _ = parse_date(text)
        if date is None:
            return None, "invalid_number"
        year = date.year
    return (year, None) if low <= year <= high else (None, "out_of_range")


def parse_float(value: object) -> Result:
    """A non-negative number; thousands separators allowed (``'5,643'``)."""
    text = clean_text(value)
    if text is None:
        return None, None
    text = text.replace(",", "").removesuffix("人").removesuffix("件").strip()
    try:
        number = float(text)
    except ValueError:
        return None, "invalid_number"
    return (number, None) if number >= 0 else (None, "out_of_range")


# --------------------------------------------------------------------------------------------
# Coded labels
# --------------------------------------------------------------------------------------------


@cache
def _code_lookup(list_name: str) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for code in contract.CODE_LISTS.get(list_name, ()):
        for label in (code.code, code.ja, code.en, *code.aliases):
            lookup.setdefault(_label_key(label), code.code)
    return lookup


def _label_key(label: str) -> str:
    return re.sub(r"[\s・･/／_\-]+", "", unicodedata.normalize("NFKC", label).lower())


def parse_code(value: object, list_name: str) -> Result:
    """A coded label → its canonical code (``'長期にわたり無業の状態にある方'`` → ``'long_term_jobless'``).

    Exact label first, then the longest known label contained in the text (``'ハローワーク青森'`` →
    ``hello_work``). Lenient lists (agency_type, channel) fall back to ``other``.
    """
    text = clean_text(value)
    if text is None:
        return None, None
    lookup = _code_lookup(list_name)
    key = _label_key(text)
    if key in lookup:
        return lookup[key], None
    contained = [label for label in lookup if len(label) >= 2 and not label.isdigit() and label in key]
    if contained:
        return lookup[max(contained, key=len)], None
    if list_name in contract.LENIENT_CODE_LISTS:
        return contract.LENIENT_CODE_LISTS[list_name], None
    return None, "unknown_code"


def parse_retention(value: object) -> Result:
    """6か月定着: True / False, or None for unknown (not an error: unknown is a real answer)."""
    code, reason = parse_code(value, "retention")
    if reason:
        return None, reason
    return {"true": True, "false": False}.get(code or "unknown"), None


@cache
def _indicator_lookup() -> dict[str, str]:
    lookup = {}
    for code in contract.TARGET_INDICATORS:
        for label in (code.code, code.ja, code.en, *code.aliases):
            lookup[_label_key(label)] = code.code
    return lookup


def parse_indicator(value: object) -> Result:
    text = clean_text(value)
    if text is None:
        return None, None
    code = _indicator_lookup().get(_label_key(text))
    return (code, None) if code else (None, "unknown_indicator")


# --------------------------------------------------------------------------------------------
# Regions: prefectures and 全国地方公共団体コード
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Municipality:
    code5: str
    code6: str
    pref_code: str
    name: str
    type: str
    parent_code5: str | None  # for 政令市の行政区: the city they belong to


@dataclass(frozen=True)
class RegionReference:
    prefectures: dict[str, str]  # code → name (北海道, 青森県, …) in JIS order
    prefecture_en: dict[str, str]  # code → English name
    municipalities: dict[str, Municipality]  # code5 → record (wards included)
    by_name: dict[str, list[str]]  # municipality name → code5s (several: 府中市, 伊達市, …)


@lru_cache(maxsize=1)
def region_reference() -> RegionReference:
    """The bundled 全国地方公共団体コード list (出典：総務省『全国地方公共団体コード』)."""
    prefectures: dict[str, str] = {}
    municipalities: dict[str, Municipality] = {}
    by_name: dict[str, list[str]] = {}
    with open(REFERENCE_DIR / "municipalities.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    code6_to_5 = {r["code6"]: r["code5"] for r in rows}
    for r in rows:
        if r["type"] == "prefecture":
            prefectures[r["pref_code"]] = r["pref_name"]
            continue
        parent = code6_to_5.get(r["parent_code6"]) if r["parent_code6"] else None
        municipalities[r["code5"]] = Municipality(r["code5"], r["code6"], r["pref_code"], r["name"], r["type"], parent)
        by_name.setdefault(r["name"], []).append(r["code5"])
    prefecture_en = _prefecture_english_names()
    return RegionReference(dict(sorted(prefectures.items())), prefecture_en, municipalities, by_name)


def _prefecture_english_names() -> dict[str, str]:
    import json

    with open(REFERENCE_DIR / "japan_prefectures.geojson", encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    return {f["properties"]["code"]: f["properties"]["name_en"] for f in features}


def check_digit(code5: str) -> str:
    """全国地方公共団体コード check digit: weights 6,5,4,3,2; (11 − sum mod 11) mod 10."""
    total = sum(int(d) * w for d, w in zip(code5, (6, 5, 4, 3, 2), strict=True))
    return str((11 - total % 11) % 10)


@lru_cache(maxsize=1)
def _prefecture_lookup() -> dict[str, str]:
    ref = region_reference()
    lookup: dict[str, str] = {}
    for code, name in ref.prefectures.items():
        short = name if name == "北海道" else name[:-1]
        en = ref.prefecture_en.get(code, "")
        for label in (
            name,
            short,
            code,
            str(int(code)),
            en,
            en.lower(),
            f"{en.lower()} prefecture",
            en.lower().removesuffix("-to").removesuffix("-fu").removesuffix("-ken"),
        ):
            if label:
                lookup[label.lower()] = code
    return lookup


_NATIONAL = {label.lower() for label in contract.NATIONAL_LABELS}


def parse_prefecture(value: object) -> Result:
    """都道府県: ``'青森県'``, ``'青森'``, ``'02'``, ``'2'``, ``'Aomori'`` → ``'02'``."""
    text = clean_text(value)
    if text is None:
        return None, None
    text = re.sub(r"\s+", "", text)
    if text.lower() in _NATIONAL:
        return None, None  # 全国: a national target row, not a prefecture
    if re.fullmatch(r"\d{1,2}(\.0+)?", text):
        text = str(int(float(text)))
    code = _prefecture_lookup().get(text.lower())
    return (code, None) if code else (None, "unknown_prefecture")


def _city_of(muni: Municipality) -> str:
    """政令市の行政区 roll up to their city: indicators are by local government (市区町村)."""
    return muni.parent_code5 if muni.type == "ward" and muni.parent_code5 else muni.code5


def parse_municipality(value: object, prefecture_code: str | None = None) -> Result:
    """Municipality cell → 5-digit code (wards of 政令市 → the city).

    Accepts 5-digit codes, 6-digit codes with check digit, codes that lost a leading zero in Excel
    (``22012`` for ``022012``, ``1100`` for ``01100``) and names (``青森市``, ``青森県青森市``); a name
    found in several prefectures needs ``prefecture_code``. Reasons: ``invalid_check_digit``,
    ``unknown_municipality``, ``ambiguous_municipality``.
    """
    text = clean_text(value)
    if text is None:
        return None, None
    text = re.sub(r"\s+", "", text)
    ref = region_reference()
    if re.fullmatch(r"\d+(\.0+)?", text):
        digits = str(int(float(text))) if "." in text else text
        if len(digits) == 6:
            if digits[5] != check_digit(digits[:5]):
                return None, "invalid_check_digit"
            muni = ref.municipalities.get(digits[:5])
            return (_city_of(muni), None) if muni else (None, "unknown_municipality")
        readings = []  # every way the digits can be read, in order of preference
        if len(digits) in (4, 5) and (muni := ref.municipalities.get(digits.zfill(5))):
            readings.append(muni)
        if len(digits) == 5:  # a 6-digit code that lost its leading zero: 22012 → 022012
            padded = digits.zfill(6)
            if padded[5] == check_digit(padded[:5]) and (muni := ref.municipalities.get(padded[:5])):
                readings.append(muni)
        # "23213" is both 愛知県 23213 and 青森県 02321(3): the prefecture column decides; without one,
        # the 5-digit reading (the usual export format) wins.
        if prefecture_code and len(readings) > 1:
            readings = [m for m in readings if m.pref_code == prefecture_code] or readings
        return (_city_of(readings[0]), None) if readings else (None, "unknown_municipality")
    return _municipality_by_name(text, prefecture_code)


def _municipality_by_name(text: str, prefecture_code: str | None) -> Result:
    ref = region_reference()
    name = text
    for code, pref_name in ref.prefectures.items():
        if text.startswith(pref_name) and len(text) > len(pref_name):
            name, prefecture_code = text[len(pref_name) :], prefecture_code or code
            break
    candidates = ref.by_name.get(name, [])
    if prefecture_code:
        candidates = [c for c in candidates if ref.municipalities[c].pref_code == prefecture_code]
    cities = sorted({_city_of(ref.municipalities[c]) for c in candidates})
    if len(cities) == 1:
        return cities[0], None
    if len(cities) > 1:
        return None, "ambiguous_municipality"
    return None, "unknown_municipality"


def prefecture_of(municipality_code: str) -> str:
    return municipality_code[:2]
