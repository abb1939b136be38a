"""Background warm-up: after every load or rollback, the views people open most are computed into the cache the
pages read (``ui.query``), before anyone asks, in one thread per server process.

The thread looks once a second at the database's files (a ``stat`` of the main file and its WAL, and where the
published copy's symlink points: no DuckDB open), and only when they changed reads the data version. For a new
version it runs ``analytics.views.warmup.plan`` — the nation on every main page, then each prefecture's 概要 and
進捗, then their 地域 and 対象者 — through the same cached function as the pages, so the keys are the pages' keys.
Readers are never blocked: the work runs on short read connections (or cursors of the published copy), like a
page view, and a load from another process only waits for those (``db.connect`` retries) the way it waits for a
page view. A version that changes during a warm-up stops it and starts the new one.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.logger import get_logger

from analytics import db
from analytics.metrics import indicators
from analytics.views import filters as filters_mod, status, warmup as plan_mod

from . import _cached

log = get_logger(__name__)  # Streamlit's logger: the lines show in the server's log
POLL_SECONDS = 1.0
WRITER_GAP_SECONDS = 0.2
ENABLE_ENV = "HYOGAKI_WARMUP"  # "0" switches the warm-up off (the test suite: many short-lived servers)


def enabled() -> bool:
    return os.environ.get(ENABLE_ENV, "1").strip().lower() not in {"0", "false", "no"}


@dataclass
class WarmupState:
    """What the warm-up thread of this process has done (shown by tests and the benchmark's log)."""

    db_path: str
    version: str | None = None  # the data version last warmed (completely or in part)
    done: int = 0
    total: int = 0
    seconds: float | None = None  # time the last complete warm-up took
    most_opened_seconds: float | None = None  # time until 概要 and 進捗 of the nation and every prefecture were ready
    errors: int = 0
    finished: threading.Event = field(default_factory=threading.Event)


def _signature(path: str) -> tuple:
    """Changes when a writer touched the database or a new copy was published (cheap: no DuckDB open)."""
    parts: list = [str(db.current_published(path)) if db.publishing_enabled() else None]
    for p in (Path(path), Path(path + ".wal")):
        try:
            st = os.stat(p)
            parts.append((st.st_mtime_ns, st.st_size))
        except OSError:
            parts.append(None)
    return tuple(parts)


def _version(path: str) -> str:
    with status.read_connection(path, wait_seconds=2.0) as con:
        return filters_mod.data_version(con)


def warm(state: WarmupState, version: str) -> bool:
    """Compute every call of the plan for ``version`` into the page cache; False if the data changed meanwhile."""
    t0 = time.perf_counter()
    with status.read_connection(state.db_path, wait_seconds=2.0) as con:
        calls = plan_mod.plan(con)
    state.version, state.done, state.total = version, 0, len(calls)
    # The views people open most (概要 and 進捗, nation and every prefecture) come first in the plan: say when
    # they are all ready, before the other pages' views.
    most_opened = max((i for i, (func, _) in enumerate(calls) if func in plan_mod.MOST_OPENED), default=-1) + 1
    # Each page section is computed once for the whole country and sliced per prefecture
    # (indicators.prefecture_fan_out): the grouped results live for this warm-up of this version only.
    with indicators.prefecture_fan_out():
        for func, args in calls:
            try:
                _cached(f"{func.__module__}:{func.__qualname__}", state.db_path, version, None, args, {})
            except db.DatabaseBusyError:
                return False  # a load holds the file: the next look starts again with its version
            except Exception:  # one view's failure must not stop the others (the page shows its own error)
                state.errors += 1
                log.exception("warm-up of %s failed", func.__qualname__)
            state.done += 1
            if not db.publishing_enabled():
                # Reading the main file: leave a gap between views so that a load from another process, which
                # retries every 50 ms for the file lock (db.connect), is not kept out for the whole warm-up.
                time.sleep(WRITER_GAP_SECONDS)
            if state.done == most_opened:
                state.most_opened_seconds = time.perf_counter() - t0
                log.info("warm-up of data version %s: 概要 and 進捗 of the nation and every prefecture ready in %.1f s",
                         version, state.most_opened_seconds)  # fmt: skip
                _warm_report(state.db_path, version)
            if state.done % 10 == 0 and _version(state.db_path) != version:
                return False
    state.seconds = time.perf_counter() - t0
    log.info("warm-up of data version %s: %d views in %.1f s", version, len(calls), state.seconds)
    state.finished.set()
    return True


def _warm_report(path: str, version: str) -> None:
    """The national report the レポート page opens with (latest fiscal year, default threshold, Japanese)."""
    from analytics.metrics import disclosure
    from analytics.reports.content import ReportError, resolve_period

    from .report_cache import build

    with status.read_connection(path, wait_seconds=2.0) as con:
        as_of, _ = status.data_as_of(con)
    if as_of is None:
        return
    with contextlib.suppress(ReportError):  # the page says why; nothing to warm
        build(None, resolve_period(None, None, as_of).fiscal_years[0], None, "ja", disclosure.DEFAULT_THRESHOLD,
              version, None)  # fmt: skip


def _loop(state: WarmupState) -> None:
    seen_signature, warmed = None, None
    while True:
        try:
            signature = _signature(state.db_path)
            if signature != seen_signature:
                version = _version(state.db_path)
                if version != warmed:
                    state.finished.clear()
                    if warm(state, version):
                        warmed = version
                seen_signature = signature if warmed == version else None
        except db.DatabaseBusyError:
            pass  # a load is writing: look again in a second
        except Exception:
            log.exception("warm-up loop")
        time.sleep(POLL_SECONDS)


def start(db_path: str) -> WarmupState:
    """Start the warm-up thread for ``db_path`` (app.py: once per server process, through st.cache_resource)."""
    state = WarmupState(db_path)
    threading.Thread(target=_loop, args=(state,), name="hyogaki-warmup", daemon=True).start()
    return state


# ---------------------------------------------------------------------------------------------------------
# Priming a server that has just started
# ---------------------------------------------------------------------------------------------------------
# Streamlit runs no app code before the first session: a restarted process would start its warm-up (and the
# sample seeding and facts check of ui/shell.py) only when the first planner opens a page, who would then wait.
# `python -m ui.warmup http://127.0.0.1:8501` opens one session the way a browser does — Streamlit's WebSocket,
# one "run the script" message — and returns when the first run has finished; the shell has then started the
# warm-up thread. docs/deploy.md runs it after each app process starts (systemd ExecStartPost). The session is
# signed out (the sign-in form is all it is shown) and reads no data itself.


def prime(url: str, timeout: float = 120.0) -> float:
    """Open one session on the server at ``url`` and wait until its first script run has finished (seconds taken).

    Raises TimeoutError when the run does not finish within ``timeout``, ConnectionError when the server refuses.
    """
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.exceptions import InvalidHandshake, InvalidURI
    from websockets.sync.client import connect

    ws_url = url.rstrip("/").replace("http://", "ws://", 1).replace("https://", "wss://", 1) + "/_stcore/stream"
    started = time.perf_counter()
    rerun = BackMsg()
    rerun.rerun_script.query_string = ""
    rerun.rerun_script.page_script_hash = ""
    try:
        with connect(ws_url, subprotocols=["streamlit"], open_timeout=timeout, max_size=None) as ws:
            ws.send(rerun.SerializeToString())
            while True:
                left = timeout - (time.perf_counter() - started)
                if left <= 0:
                    raise TimeoutError(f"{url}: the first script run did not finish in {timeout:.0f} s")
                msg = ForwardMsg()
                msg.ParseFromString(ws.recv(timeout=left))
                if msg.WhichOneof("type") == "script_finished":
                    return time.perf_counter() - started
    except (OSError, InvalidHandshake, InvalidURI) as exc:
        raise ConnectionError(f"{url}: {exc}") from exc


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Open one session on a started app process so that it starts "
                                     "its warm-up before the first planner arrives (docs/deploy.md).")  # fmt: skip
    parser.add_argument("urls", nargs="+", help="the app processes, e.g. http://127.0.0.1:8501")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--retry", type=float, default=60.0, help="seconds to keep trying while a process starts")
    args = parser.parse_args(argv)
    status = 0
    for url in args.urls:
        deadline = time.monotonic() + args.retry
        while True:
            try:
                print(f"{url}: first run finished in {prime(url, args.timeout):.1f} s; warm-up started", flush=True)
                break
            except ConnectionError as exc:
                if time.monotonic() > deadline:
                    print(f"{url}: not reachable: {exc}", flush=True)
                    status = 1
                    break
                time.sleep(0.5)
            except TimeoutError as exc:
                print(str(exc), flush=True)
                status = 1
                break
    return status


if __name__ == "__main__":
    raise SystemExit(main())
