"""Person-ID pseudonymisation: HMAC-SHA256 with a secret key kept in a file beside, never inside, the database.

The key is created on first use (32 random bytes, file mode 0600). Anyone with the database but not the
key cannot recover or confirm an ID; the same normalised ID always gives the same pseudonym, so a
person's consultations and placements link across files. Losing the key breaks that link for new
files: back it up with the database.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tempfile
from pathlib import Path

from analytics import config

PSEUDONYM_HEX_CHARS = 32  # 128 bits: collision-free at national scale, half the storage of 256


def load_key(db_path: str | Path | None = None) -> bytes:
    """Read the key, creating it on first use."""
    path = config.secret_path(Path(db_path) if db_path else config.default_db_path())
    if path.exists():
        key = path.read_bytes()
        if len(key) < 32:
            raise RuntimeError(f"仮名化キー {path} が壊れています（32バイト未満）。")
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    # Written in full to a private temporary file, then linked into place: link() fails if the key exists,
    # so two processes (or threads) starting at once agree on one key and never read a half-written file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".pseudonym-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return path.read_bytes()
    finally:
        os.unlink(tmp)
    return key


def pseudonymise(person_id: str, key: bytes) -> str:
    """The pseudonym of one normalised ID (reference implementation; the pipeline does it in SQL)."""
    return hmac.new(key, person_id.encode("utf-8"), hashlib.sha256).hexdigest()[:PSEUDONYM_HEX_CHARS]


def hmac_sql(expr: str) -> str:
    """SQL computing ``pseudonymise(expr)`` for a whole column; bind ``$hmac_ipad`` and ``$hmac_opad``.

    HMAC(K, m) = H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)), built from DuckDB's sha256 so a million IDs are
    hashed in the engine, not in a Python loop. The pads are bound as BLOBs: ``unhex($pad)`` would be
    evaluated once per row (a third of the time at a million IDs).
    """
    return f"left(sha256($hmac_opad || unhex(sha256($hmac_ipad || encode({expr})))), {PSEUDONYM_HEX_CHARS})"


def hmac_params(key: bytes) -> dict[str, bytes]:
    block = key.ljust(64, b"\0") if len(key) <= 64 else hashlib.sha256(key).digest().ljust(64, b"\0")
    return {"hmac_ipad": bytes(b ^ 0x36 for b in block), "hmac_opad": bytes(b ^ 0x5C for b in block)}
