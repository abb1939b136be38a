"""Explicit limits on what a reader accepts, so a hostile or broken file fails fast with a clear message.

Each limit has a default sized for the largest real export (a national monthly file of about a million
rows) and an environment variable to change it. ``docs/security.md`` lists them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int  # the file as sent
    max_rows: int  # rows per sheet
    max_columns: int  # columns per sheet
    max_cell_chars: int  # characters in one cell
    max_unzipped_bytes: int  # total uncompressed size of an .xlsx (zip bombs)
    max_zip_ratio: int  # uncompressed ÷ compressed size of an .xlsx

    @classmethod
    def from_env(cls) -> Limits:
        return cls(
            max_file_bytes=_env_int("HYOGAKI_MAX_FILE_MB", 300) * 1024 * 1024,
            max_rows=_env_int("HYOGAKI_MAX_ROWS", 3_000_000),
            max_columns=_env_int("HYOGAKI_MAX_COLUMNS", 500),
            max_cell_chars=_env_int("HYOGAKI_MAX_CELL_CHARS", 10_000),
            max_unzipped_bytes=_env_int("HYOGAKI_MAX_UNZIPPED_MB", 2048) * 1024 * 1024,
            max_zip_ratio=_env_int("HYOGAKI_MAX_ZIP_RATIO", 200),
        )
