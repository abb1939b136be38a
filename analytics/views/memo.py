"""Sub-results shared by several page views of one process, computed once per database and data version.

Some parts of a page do not depend on the sidebar's place: the progress page's full table of every target of a
stage (``progress.compute_progress``) is the same for the nation and all 47 prefectures. The page caches
(``ui.query``) key whole views by their filters, so without this each prefecture's first visit recomputed it.

:func:`shared` keys a result by the database file, its data version (``filters.data_version``: changes with
every load and rollback, so a rolled-back batch is never served from here), the active viewer's scope and the
arguments. Bounded (least recently used out first); results are returned as stored: callers must not change
them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import duckdb

from analytics.access import scope
from analytics.views import filters as filters_mod

T = TypeVar("T")
MAX_ENTRIES = 64
_MEMO: OrderedDict[tuple, Any] = OrderedDict()
_LOCK = threading.Lock()
_KEY_LOCKS: dict[tuple, threading.Lock] = {}


def database_key(con: duckdb.DuckDBPyConnection) -> str:
    """The file behind ``con`` (the published copy's own path when reading one)."""
    row = con.execute("select path from duckdb_databases() where database_name = current_database()").fetchone()
    return str(row[0]) if row else ""


def shared(con: duckdb.DuckDBPyConnection, func: Callable[..., T], *args: Any) -> T:
    """``func(con, *args)``, computed once per (file, data version, scope, func, args) in this process.

    Two sessions asking at once for the same key wait for one computation.
    """
    key = (database_key(con), filters_mod.data_version(con), scope.scope_key(scope.effective(None)),
           f"{func.__module__}:{func.__qualname__}", args)  # fmt: skip
    with _LOCK:
        if key in _MEMO:
            _MEMO.move_to_end(key)
            return _MEMO[key]
        key_lock = _KEY_LOCKS.setdefault(key, threading.Lock())
    with key_lock:
        with _LOCK:
            if key in _MEMO:
                return _MEMO[key]
        value = func(con, *args)
        with _LOCK:
            _MEMO[key] = value
            while len(_MEMO) > MAX_ENTRIES:
                _MEMO.popitem(last=False)
            _KEY_LOCKS.pop(key, None)
    return value


def clear() -> None:
    """Forget everything (tests)."""
    with _LOCK:
        _MEMO.clear()
