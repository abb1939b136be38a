"""Formula-safe text for spreadsheets and CSV: the one place that neutralises cells Excel would execute.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel (and
LibreOffice, and Google Sheets) as a formula when the file is opened — CSV/formula injection (OWASP). An
agency name like ``=HYPERLINK("http://…","詳細")`` in a shared report must stay text. The convention
followed is OWASP's: prefix such a cell with a single quote ``'``, which spreadsheets show as text.

- CSV and other plain-text outputs: write ``neutralise(text)``.
- openpyxl: ``write_text(cell, value)`` keeps the value unchanged and marks the cell as text with Excel's
  quote prefix (the ``'`` is not part of the value), so 「-5」 stays 「-5」 but never runs.

Numbers are never passed through here: a count stays a number, only text is neutralised.
"""

from __future__ import annotations

import math
from typing import Any

FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: object) -> bool:
    """True for text that a spreadsheet would read as a formula (see :data:`FORMULA_PREFIXES`)."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def neutralise(text: Any) -> Any:
    """``text`` with a leading ``'`` when it starts like a formula; anything else (numbers, None) unchanged.

    >>> neutralise("=1+1"), neutralise("-"), neutralise("東京都"), neutralise(5)
    ("'=1+1", "'-", '東京都', 5)
    """
    if is_formula_like(text):
        return "'" + text
    return text


def write_text(cell: Any, value: object) -> None:
    """Put ``value`` in an openpyxl ``cell``; text that Excel would read as a formula stays inert text.

    The stored value is unchanged; the cell is typed as a string with Excel's quote prefix, so the formula
    does not run on open and still does not after the cell is edited.

    >>> from openpyxl import Workbook
    >>> c = Workbook().active["A1"]; write_text(c, '=HYPERLINK("x")'); (c.value, c.data_type, c.quotePrefix)
    ('=HYPERLINK("x")', 's', True)
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        cell.value = None
        return
    if is_formula_like(value):
        cell.value = value
        cell.data_type = "s"  # openpyxl types text starting with "=" as a formula; keep it a string
        cell.quotePrefix = True
        return
    cell.value = value
