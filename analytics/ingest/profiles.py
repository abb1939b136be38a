"""Saved header mappings ("profiles"), named for their source (「〇〇県サポステ 月次」).

A profile stores the mapping of one header layout; the next file whose headers have the same
signature (``headers.header_signature``) is mapped by it automatically.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb

from analytics.ingest import headers as hdr, reported
from analytics.ingest.errors import IngestError
from analytics.ingest.readers import read_file


def list_profiles(con: duckdb.DuckDBPyConnection) -> list[tuple[str, dict[str, str]]]:
    """(header signature, mapping) of every saved profile, newest first."""
    rows = con.execute(
        "select header_signature, mapping_json from mapping_profiles order by created_at desc"
    ).fetchall()
    return [(signature, json.loads(mapping)) for signature, mapping in rows]


def save_profile(con: duckdb.DuckDBPyConnection, name: str, labels: list[str | None], mapping: dict[str, str]) -> str:
    """Save (or replace) a profile for this header layout; returns its signature."""
    signature = hdr.header_signature(labels)
    con.execute(
        "insert or replace into mapping_profiles values (?, ?, ?, ?)",
        [name, signature, json.dumps(mapping, ensure_ascii=False), dt.datetime.now()],
    )
    return signature


def save_profile_from_mapping(
    con: duckdb.DuckDBPyConnection, name: str, path: Path, mapping: dict[str, str], kind: str | None = None
) -> str:
    """Save ``mapping`` as a profile for the header layout found in ``path`` (CLI ``--save-profile``)."""
    stage = duckdb.connect()
    try:
        for raw in read_file(stage, Path(path).read_bytes(), Path(path).name):
            if reported.split_mapping(mapping)[2]:  # context for reported figures (measure=…): the figure table
                labels = _figure_labels(stage, raw, Path(path).name, mapping)
                if labels is not None:
                    return save_profile(con, name, labels, mapping)
            found = hdr.detect_header(raw.head, raw.width, raw.merged)
            if found is None:
                # The unknown headers may be exactly why a profile is needed: score them with the mapping.
                found = _detect_with_mapping(raw.head, mapping)
            if found is not None:
                return save_profile(con, name, found[2], mapping)
    finally:
        stage.close()
    raise IngestError("no_header", file=Path(path).name, sheets="")


def _figure_labels(stage: duckdb.DuckDBPyConnection, raw, file_name: str, mapping: dict[str, str]):
    """The first header of a reported-figures table in a raw sheet (its profile signature), or None."""
    _, figure_mapping, overrides = reported.split_mapping(mapping)
    rows = [list(r) for r in stage.execute(f"select * from {raw.table} order by rowid").fetchall()]
    figures = reported.read_figures(rows, raw.name, file_name, merged=raw.merged, overrides=overrides,
                                    mapping=figure_mapping)  # fmt: skip
    return figures.labels if figures is not None else None


def _detect_with_mapping(head: list[list[str | None]], mapping: dict[str, str]):
    keys = {hdr.normalise_header(k) for k in mapping}
    for i, row in enumerate(head):
        if sum(1 for cell in row if hdr.normalise_header(cell) in keys) >= max(1, len(keys) // 2):
            return i, 1, row
    return None
