"""The municipal platform survey (市町村プラットフォーム調査, issue 18): what its sheets need beyond records.

The survey is one row per municipality and goes through the same pipeline as every other kind (header
detection with the two-row 「連携している機関」 header, ○/× marks, title/合計/※ rows, quarantine, dropped
personal columns, one batch per file). Two things are its own and live here:

- ``parse_set_up_date``: a set-up date may be a full date (西暦・和暦), a month (令和4年10月) or only a
  fiscal year (令和4年度 → 2022-04-01); a planned platform may name a date up to a few years ahead.
- ``find_vintage``: the survey's as-of date (版). A later vintage supersedes an earlier one per
  municipality and both are kept, so every row needs one: from the 調査時点 column, else a title row such
  as 「令和5年4月1日現在」, else the sheet name, else the file name; failing all, the day of loading.
"""

from __future__ import annotations

import datetime as dt
import re

from analytics.ingest import normalise as nz

# How far ahead a planned platform's set-up date may lie.
PLANNED_YEARS_AHEAD = 3

_ERA = r"(?:令和|平成|[RH])\s*(?:元|\d{1,2})"
_DATE_TEXT = re.compile(
    rf"({_ERA}\s*[年./\-]\s*\d{{1,2}}\s*[月./\-]\s*\d{{1,2}}\s*日?|\d{{4}}\s*[年./\-]\s*\d{{1,2}}\s*[月./\-]\s*\d{{1,2}}\s*日?)"
)
_MONTH_TEXT = re.compile(rf"^({_ERA}|\d{{4}})\s*[年./\-]\s*(\d{{1,2}})\s*月?$")
_FY_TEXT = re.compile(rf"({_ERA}|\d{{4}})\s*年度")
_COMPACT = re.compile(r"(?<!\d)(20\d{2})[-_.]?(0[1-9]|1[0-2])[-_.]?([0-2]\d|3[01])(?!\d)")
_ERA_COMPACT = re.compile(r"(?<![A-Za-z0-9])([RH])\s*(\d{1,2})[-_.](\d{1,2})[-_.](\d{1,2})(?!\d)")
_AS_OF_WORDS = ("現在", "時点", "調査", "基準")


def _era_year(text: str) -> int | None:
    """``令和5`` / ``R5`` / ``2023`` → 2023."""
    text = nz.clean_text(text) or ""
    if re.fullmatch(r"\d{4}", text):
        return int(text)
    fy, _ = nz.parse_fiscal_year(text)
    return int(fy) if fy is not None else None


def parse_set_up_date(value: object) -> tuple[object, str | None]:
    """A set-up date: a date, a month (→ the 1st) or a fiscal year (→ its April 1st), in 西暦 or 和暦."""
    text = nz.clean_text(value)
    if text is None:
        return None, None
    date, reason = nz.parse_date(text)
    if date is None:
        if m := _MONTH_TEXT.match(text):
            year = _era_year(m[1])
            if year is not None and 1 <= int(m[2]) <= 12:
                date, reason = dt.date(year, int(m[2]), 1), None
        elif m := re.fullmatch(rf"({_ERA}|\d{{4}})\s*年度?", text):
            year = _era_year(m[1])
            if year is not None:
                date, reason = dt.date(year, 4, 1), None
    if date is None:
        return None, reason or "invalid_date"
    latest = dt.date.today().replace(year=dt.date.today().year + PLANNED_YEARS_AHEAD)
    if not dt.date(1990, 1, 1) <= date <= latest:
        return None, "date_out_of_range"
    return date, None


def vintage_in_text(text: str | None, *, need_word: bool = True) -> dt.date | None:
    """The as-of date written in a title or name: 「令和5年4月1日現在」, 「2023.4.1時点」, 「R5.4.1」, 「20230401」.

    ``need_word``: in a title row a date counts only next to 現在/時点/調査/基準 (a title may also carry
    the date it was printed); in a sheet or file name any date does. A bare 「令和5年度」 gives April 1st.
    """
    text = nz.clean_text(text)
    if not text:
        return None
    if need_word and not any(w in text for w in _AS_OF_WORDS):
        return None
    for m in _DATE_TEXT.finditer(text):
        date, _ = nz.parse_date(re.sub(r"\s+", "", m[1]))
        if date is not None:
            return date
    if m := _ERA_COMPACT.search(text):
        date, _ = nz.parse_date(f"{m[1]}{m[2]}.{m[3]}.{m[4]}")
        if date is not None:
            return date
    if m := _COMPACT.search(text):
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    if m := _FY_TEXT.search(text):
        year = _era_year(m[1])
        if year is not None:
            return dt.date(year, 4, 1)
    return None


def find_vintage(
    title_rows: list[list[str | None]], sheet_name: str, file_name: str, *, today: dt.date | None = None
) -> tuple[dt.date, str]:
    """The sheet's as-of date and where it came from: ``title`` | ``sheet`` | ``file`` | ``loaded``."""
    today = today or dt.date.today()
    for row in title_rows:
        for cell in row:
            found = vintage_in_text(cell)
            if found is not None and found <= today:
                return found, "title"
    for text, source in ((sheet_name, "sheet"), (file_name.rsplit(".", 1)[0], "file")):
        found = vintage_in_text(text, need_word=False)
        if found is not None and found <= today:
            return found, source
    return today, "loaded"


def parse_connected(value: object) -> tuple[object, str | None]:
    """A partner cell: ○ / ◯ / ✓ / 1 / あり → True; × / なし / 0 → False; blank → None (read as not connected)."""
    code, reason = nz.parse_code(value, "connected")
    if reason:
        return None, reason
    return {"true": True, "false": False}.get(code or ""), None


def fill_vintage(result, title_rows: list[list[str | None]], sheet_name: str, file_name: str) -> None:
    """Give every row of a prepared survey sheet (``SheetResult``) its as-of date where the column left it empty."""
    import pyarrow as pa
    import pyarrow.compute as pc

    vintage, source = find_vintage(title_rows, sheet_name, file_name)
    result.as_of, result.as_of_source = vintage.isoformat(), source
    valid = result.valid
    if valid is None or "as_of" not in valid.column_names:
        return
    index = valid.column_names.index("as_of")
    column = valid.column(index).cast(pa.date32())
    if column.null_count == 0:
        result.as_of_source = "column"
        return
    filled = pc.fill_null(column, pa.scalar(vintage, type=pa.date32()))
    result.valid = valid.set_column(index, "as_of", filled)
    if result.preview is not None and "as_of" in result.preview.columns:
        result.preview["as_of"] = result.preview["as_of"].where(result.preview["as_of"].notna(), vintage)


MAX_MEETINGS = 1000  # meetings and case conferences of one platform in a year


def parse_meetings(value: object) -> tuple[object, str | None]:
    """Meetings in the year: ``4``, ``4回``, ``４回`` → 4."""
    text = nz.clean_text(value)
    if text is None:
        return None, None
    return nz.parse_int(text.removesuffix("回").strip(), 0, MAX_MEETINGS)
