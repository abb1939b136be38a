"""Benchmark the pages in a real browser at national scale (a script, not a test).

1. Builds the national-scale database (``--consultations``, default 10 M; placements 30% of that): the sample
   data is seeded first (batches, targets, surveys), then two generated batches are written with the SQL
   generator of ``bench_indicators.py`` and the facts rebuilt, so the app takes it as loaded data.
2. Serves it with ``streamlit run app.py`` (``--processes N`` behind nothing: the first one is used for the
   single-user timings) and drives Debian's Chromium with Playwright: each page cold (first visit after the
   data changed) and warm (second visit, same filters), for the nation and for one prefecture; then
   ``--users`` browsers opening 概要 for different prefectures at the same moment. Also, in one tab, a click on
   each page's sidebar menu link, two rounds (how planners move after the first load); and ``--sessions``
   contexts held open on 概要 of different prefectures, for the app's memory with that many sessions.
3. Before all that (``--floor``, the default): the Streamlit floor, a one-line app served with the same flags and
   timed the same ways, so the table shows what Streamlit and Chromium cost here before any of our code.
4. Prints a Markdown table for docs/performance.md.

"Rendered" means: the page's main content is on screen — the element ``--ready`` names for each page (a
KPI card, a chart, a table) is visible and Streamlit shows no running spinner/skeleton any more.

Run: ``python benchmarks/bench_pages.py --consultations 2000000`` (mid scale) or without options (10 M).
``--db PATH`` keeps and reuses the built database; ``--pages``/``--users``/``--sessions 0``/``--no-floor`` narrow
the run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import duckdb  # noqa: E402

from analytics import config, db  # noqa: E402
from analytics.metrics import facts  # noqa: E402
from analytics.sample import seed  # noqa: E402

CHROMIUM = Path(os.environ.get("HYOGAKI_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]  # fmt: skip
BUILD_MEMORY_LIMIT = "6GB"

# (URL path, label, what marks the main content as rendered). Streamlit's test ids.
PAGES: list[tuple[str, str, str]] = [
    ("overview", "概要", "[data-testid='stMetric']"),
    ("progress", "進捗", "[data-testid='stPlotlyChart'], [data-testid='stMetric']"),
    ("regions", "地域", "[data-testid='stPlotlyChart']"),
    ("groups", "対象者", "[data-testid='stPlotlyChart']"),
    ("reports", "レポート", "[data-testid='stDownloadButton'], [data-testid='stButton']"),
]
# A few prefectures spread over the country (Hokkaido .. Okinawa) for the concurrent users.
# None of them is the single-user prefecture (--pref, 10): each user's view is a first visit after the change.
USER_PREFECTURES = ["01", "04", "09", "13", "14", "23", "27", "28", "34", "40", "47", "02", "05", "08", "11",
                    "12", "15", "20", "22", "26"]  # fmt: skip


# ---------------------------------------------------------------------------------------------------------
# 1. The database
# ---------------------------------------------------------------------------------------------------------


def _add_batch(con: duckdb.DuckDBPyConnection, file_name: str, kind: str, rows: int) -> int:
    batch_id = con.execute("select coalesce(max(batch_id), 0) + 1 from batches").fetchone()[0]
    con.execute(
        """insert into batches (batch_id, file_name, content_hash, kinds, loaded_at, loaded_by, status, rows_read,
               rows_loaded, rows_quarantined, rows_duplicate, rows_excluded)
           values (?, ?, ?, ?, now()::timestamp, 'bench_pages', 'loaded', ?, ?, 0, 0, 0)""",
        [batch_id, file_name, f"bench-{file_name}-{rows}", kind, rows, rows],
    )
    con.execute(
        """insert into batch_sheets (batch_id, sheet, kind, status, rows_read, rows_loaded, rows_quarantined,
               rows_duplicate, rows_excluded) values (?, ?, ?, 'loaded', ?, ?, 0, 0, 0)""",
        [batch_id, file_name, kind, rows, rows],
    )
    return batch_id


def build_database(path: Path, consultations: int, placements: int | None = None) -> dict[str, float]:
    """The sample data plus ``consultations`` generated consultations (and 30% as many placements), facts built.

    Grain and shape as in ``bench_indicators.py`` (47 prefectures, FY2020–FY2024, ~1 person per 3.3
    consultations); each generated kind is its own batch, so the app lists them and a rollback can remove them.
    """
    from bench_indicators import GENERATE_CONSULTATIONS, GENERATE_PLACEMENTS

    placements = int(consultations * 0.3) if placements is None else placements
    persons = max(1, int(consultations / 3.3))
    path.parent.mkdir(parents=True, exist_ok=True)
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)
    t0 = time.perf_counter()
    seed.ensure_seeded(path)
    seeded = time.perf_counter() - t0
    con = db.connect(path)
    con.execute(f"set memory_limit = '{BUILD_MEMORY_LIMIT}'")
    t0 = time.perf_counter()
    with db.unordered_inserts(con):
        con.execute("begin transaction")
        b = _add_batch(con, "national_consultations.csv", "consultations", consultations)
        con.execute(GENERATE_CONSULTATIONS, {"n": consultations, "persons": persons, "batch_id": b})
        b = _add_batch(con, "national_placements.csv", "placements", placements)
        con.execute(GENERATE_PLACEMENTS, {"n": placements, "persons": persons, "batch_id": b})
        con.execute("commit")
    generated = time.perf_counter() - t0
    t0 = time.perf_counter()
    con.execute("begin transaction")
    facts.refresh_facts(con, full=True)
    con.execute("commit")
    con.execute("checkpoint")
    refreshed = time.perf_counter() - t0
    con.close()
    return {"seed": seeded, "generate": generated, "facts": refreshed}


# ---------------------------------------------------------------------------------------------------------
# 2. Serving the app
# ---------------------------------------------------------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class App:
    """One ``streamlit run <script>`` process: by default the dashboard (``app.py`` of ``root``, the project when
    None) on the database at ``db_path``; with ``db_path`` None, any other script, given no database settings."""

    db_path: Path | None
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=_free_port)
    proc: subprocess.Popen | None = None
    log_path: Path | None = None
    script: str = "app.py"
    root: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> App:
        root = self.root or ROOT
        env = {**os.environ, **self.env}
        env.pop(config.SECRET_PATH_ENV, None)
        if self.db_path is not None:
            env.update({config.DATA_DIR_ENV: str(self.db_path.parent), config.DB_PATH_ENV: str(self.db_path),
                        seed.SEED_ENV: "0", **self.env})  # fmt: skip
        log_dir = self.db_path.parent if self.db_path is not None else root
        self.log_path = log_dir / f"streamlit_{self.port}.log"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", self.script, "--server.headless", "true",
             "--server.port", str(self.port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none", "--logger.level", "info"],
            cwd=root, env=env, stdout=self.log_path.open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited:\n{self.log()}")
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return self
            time.sleep(0.25)
        raise RuntimeError(f"streamlit did not start:\n{self.log()}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path and self.log_path.exists() else ""

    def memory_mb(self, field_name: str = "VmRSS") -> float:
        """Resident memory of the server process now (VmRSS) or at its peak (VmHWM), in MB."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(f"{field_name}:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def reset_peak_memory(self) -> bool:
        """Start the process's VmHWM (peak) again from its current resident size (Linux: ``5`` into clear_refs),
        so a later peak is the peak of what followed. False where the kernel refuses it (then VmHWM is since start)."""
        try:
            Path(f"/proc/{self.proc.pid}/clear_refs").write_text("5")
        except OSError:
            return False
        return True

    def warmups(self) -> int:
        """How many complete warm-ups the server has logged (ui/warmup.py)."""
        return len(re.findall(r"warm-up of data version .*: \d+ views in", self.log()))


# ---------------------------------------------------------------------------------------------------------
# 3. The browser
# ---------------------------------------------------------------------------------------------------------


# Streamlit marks the script's state on the app view; "rendered" also means nothing is pending (no skeleton).
_RUN_FINISHED = (
    "() => { const a = document.querySelector('[data-testid=\"stApp\"]');"
    " return a && a.getAttribute('data-test-script-state') === 'notRunning'"
    " && !document.querySelector('[data-testid=\"stSkeleton\"]'); }"
)


def wait_rendered(page, ready: str, timeout: float = 120.0) -> None:
    """Until ``ready`` is visible on ``page`` and Streamlit has finished running the page's script."""
    page.wait_for_selector(ready, state="visible", timeout=timeout * 1000)
    page.wait_for_function(_RUN_FINISHED, timeout=timeout * 1000)


def open_page(context, url: str, ready: str, timeout: float = 120.0) -> float:
    """Seconds from navigation until ``ready`` is visible and Streamlit has finished running the page.

    ``context`` is a Playwright browser context: a person's browser. A new context has nothing cached (a first
    visit: Streamlit's scripts are downloaded and parsed too); the same context again is a second visit.
    """
    page = context.new_page()
    try:
        t0 = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=timeout * 1000)
        wait_rendered(page, ready, timeout)
        return time.perf_counter() - t0
    finally:
        page.close()


def new_context(browser):
    return browser.new_context(viewport={"width": 1400, "height": 1000})


def concurrent_users(chromium_path: Path, n: int, prime_url: Callable[[int], str], url: Callable[[int], str],
                     ready: str, prime_ready: str = "h1") -> list[float]:
    """Seconds each of ``n`` users waited, each in a browser process of their own, all released at the same moment.

    User ``i`` first opens ``prime_url(i)`` (untimed: a person's browser has been to the site before, its scripts
    are cached), waits for the others, then opens ``url(i)`` and is timed until ``ready`` shows and the run is over.
    The dashboard's users: 指標の定義, then their prefecture's 概要; the Streamlit floor's: the one-line app twice.
    """
    from playwright.sync_api import sync_playwright

    barrier = threading.Barrier(n)
    results: list[float | None] = [None] * n

    def user(i: int) -> None:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
            try:
                context = new_context(browser)
                open_page(context, prime_url(i), prime_ready)
                barrier.wait(timeout=300)
                results[i] = open_page(context, url(i), ready)
            finally:
                browser.close()

    threads = [threading.Thread(target=user, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [r for r in results if r is not None]


def planners(bases: list[str], prefectures: list[str]) -> tuple[Callable[[int], str], Callable[[int], str]]:
    """URL builders for the dashboard's concurrent users: user i on process i mod N, 指標の定義 then 概要 of their
    prefecture."""
    return (lambda i: f"{bases[i % len(bases)]}/definitions",
            lambda i: f"{bases[i % len(bases)]}/overview?pref={prefectures[i]}")  # fmt: skip


def _h1_is(page, title: str, timeout: float) -> None:
    page.wait_for_function(
        "(t) => Array.from(document.querySelectorAll('h1')).some(h => h.innerText.trim() === t)",
        arg=title, timeout=timeout * 1000,
    )  # fmt: skip


def click_menu(page, path: str, title: str, ready: str, timeout: float = 120.0) -> float:
    """Seconds from a click on the sidebar menu's link to ``path`` until that page is rendered.

    Not timed as done on the previous page's stale elements: first the URL must be the new page's, then an ``h1``
    must read the new page's ``title`` (so the new script run has begun drawing), then ``ready`` and the finished
    run as in :func:`open_page` (Streamlit drops the previous page's stale elements when the run ends).
    """
    link = page.locator(f"[data-testid='stSidebar'] a[href*='{path}']").first
    link.wait_for(state="visible", timeout=timeout * 1000)
    url_is = re.compile(rf"/{re.escape(path)}(\?|#|$)")
    t0 = time.perf_counter()
    link.click(timeout=timeout * 1000)
    page.wait_for_url(url_is, wait_until="commit", timeout=timeout * 1000)
    _h1_is(page, title, timeout)
    wait_rendered(page, ready, timeout)
    return time.perf_counter() - t0


def menu_titles() -> dict[str, str]:
    """The Japanese title (the page's ``h1``) of each page by URL path, from the app's own menu (ui/shell.py)."""
    from ui.shell import PAGES as MENU  # imported here: it brings Streamlit in, which the build does not need

    return {path: ja for _, path, ja, _, _ in MENU}


def menu_rounds(context, base: str, pref: str, pages: list[tuple[str, str, str]], rounds: int = 2
                ) -> dict[str, list[float]]:
    """In one tab: 指標の定義 for ``pref``, then a click on each page's menu link in turn, ``rounds`` times round.

    Each round starts on 指標の定義 (clicked to, untimed) so every timed click leaves another page. The first round
    also loads each page's JavaScript chunks; the second is a planner's true second visit. Returns seconds per URL
    path, one per round.
    """
    titles = menu_titles()
    page = context.new_page()
    times: dict[str, list[float]] = {path: [] for path, _, _ in pages}
    try:
        page.goto(f"{base}/definitions?pref={pref}", wait_until="commit")
        _h1_is(page, titles["definitions"], 120.0)
        wait_rendered(page, "h1")
        for r in range(rounds):
            if r:
                click_menu(page, "definitions", titles["definitions"], "h1")
            for path, _, ready in pages:
                times[path].append(click_menu(page, path, titles[path], ready))
    finally:
        page.close()
    return times


def open_sessions(browser, urls: list[str], ready: str, timeout: float = 300.0) -> list:
    """One browser context (a person) per URL, each with a tab on it, all requested at once and left open once
    rendered (each is a live Streamlit session on the server). Returns the contexts; the caller closes them."""
    contexts = [new_context(browser) for _ in urls]
    tabs = [c.new_page() for c in contexts]
    for tab, url in zip(tabs, urls, strict=True):
        tab.goto(url, wait_until="commit", timeout=timeout * 1000)
    for tab in tabs:
        wait_rendered(tab, ready, timeout)
    return contexts


def sessions_memory(chromium_path: Path, app: App, urls: list[str], ready: str) -> str:
    """``app``'s memory with one session per URL open at once: "now / peak MB", the peak counted from just before
    the sessions were opened (or since the process started, where the kernel cannot reset it: said so)."""
    from playwright.sync_api import sync_playwright

    reset = app.reset_peak_memory()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        try:
            contexts = open_sessions(browser, urls, ready)
            now, peak = app.memory_mb(), app.memory_mb("VmHWM")
            for c in contexts:
                c.close()
        finally:
            browser.close()
    return f"{now:,.0f} / {peak:,.0f} MB" + ("" if reset else " (peak since the process started)")


def session_prefectures(n: int) -> list[str]:
    """``n`` prefecture codes, different ones first (USER_PREFECTURES, then the rest of the 47), repeating past 47."""
    codes = USER_PREFECTURES + [f"{c:02d}" for c in range(1, 48) if f"{c:02d}" not in USER_PREFECTURES]
    return [codes[i % len(codes)] for i in range(n)]


def _spread(times: list[float]) -> str:
    return f"{statistics.median(times):.2f} / {_p95(times):.2f} / {max(times):.2f} s"


# The Streamlit floor: the least a page can cost here, Streamlit and Chromium with none of our code.
FLOOR_APP = 'import streamlit as st\n\nst.title("floor")\n'


def streamlit_floor(users: list[int], sessions: int, repeat: int = 1) -> list[tuple[str, str]]:
    """Rows for a one-line Streamlit app served as the dashboard is (same ``streamlit run`` flags, the project's
    .streamlit/config.toml) and timed the same ways: cold / warm, ``users`` at once, ``sessions`` open."""
    from playwright.sync_api import sync_playwright

    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="bench_floor_") as tmp:
        root = Path(tmp)
        (root / "floor_app.py").write_text(FLOOR_APP, encoding="utf-8")
        (root / ".streamlit").mkdir()
        shutil.copy(ROOT / ".streamlit" / "config.toml", root / ".streamlit" / "config.toml")
        app = App(None, script="floor_app.py", root=root).start()
        home = f"{app.url}/"
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                try:
                    open_page(new_context(browser), home, "h1")  # the server's first session, as the app's is
                    colds, warms = [], []
                    for _ in range(repeat):
                        context = new_context(browser)
                        colds.append(open_page(context, home, "h1"))
                        warms.append(open_page(context, home, "h1"))
                        context.close()
                finally:
                    browser.close()
            rows.append((f"Streamlit floor: one-line app, new browser / same browser again (load {load_average()})",
                         f"{statistics.median(colds):.2f} / {statistics.median(warms):.2f} s (median of {repeat})"))
            say(rows[-1][0])
            for n in users:
                times = concurrent_users(CHROMIUM, n, lambda i: home, lambda i: home, "h1")
                rows.append((f"Streamlit floor: {n} users at once on a one-line app: p50 / p95 / max "
                             f"(load {load_average()})", _spread(times)))
                say(rows[-1][0])
            if sessions:
                rows.append((f"Streamlit floor: app process memory with {sessions} sessions open: now / peak",
                             sessions_memory(CHROMIUM, app, [home] * sessions, "h1")))
        finally:
            app.stop()
    return rows


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def change_data(db_path: Path) -> float:
    """Make the data change as a load does (a new version): roll back the placements batch and load it again
    is too slow at 10 M, so a small extra batch of 1,000 consultations is written and published. Returns seconds."""
    from bench_indicators import GENERATE_CONSULTATIONS

    t0 = time.perf_counter()
    with db.WRITE_TURN:
        con = db.connect(db_path)
        try:
            with db.unordered_inserts(con):
                con.execute("begin transaction")
                b = _add_batch(con, f"extra_{time.time_ns()}.csv", "consultations", 1000)
                con.execute(GENERATE_CONSULTATIONS, {"n": 1000, "persons": 1000, "batch_id": b})
                facts.refresh_facts(con)
                con.execute("commit")
        finally:
            con.close()
    db.publish_if_enabled(db_path)
    return time.perf_counter() - t0


def data_version(db_path: Path) -> str:
    from analytics.views.filters import data_version as version_of

    con = db.connect(db_path, read_only=True)
    try:
        return version_of(con)
    finally:
        con.close()


def wait_for_warmup(apps: list[App], before: list[int] | str, timeout: float = 1800.0) -> float:
    """Seconds until every server logged a finished warm-up: of data version ``before`` (a str), or one more than
    the counts in ``before``."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if isinstance(before, str):
            # the line of the whole warm-up (every view and the report), not the earlier "概要 and 進捗 … ready"
            done = rf"warm-up of data version {re.escape(before)}: \d+ views in"
            if all(re.search(done, a.log()) for a in apps):
                return time.perf_counter() - t0
        elif all(a.warmups() > b for a, b in zip(apps, before, strict=True)):
            return time.perf_counter() - t0
        time.sleep(0.5)
    raise RuntimeError("warm-up did not finish")


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# ---------------------------------------------------------------------------------------------------------
# 4. The run
# ---------------------------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> list[tuple[str, str]]:
    from playwright.sync_api import sync_playwright

    rows: list[tuple[str, str]] = []
    env = {"HYOGAKI_PUBLISH": "1" if args.publish else "0", "HYOGAKI_WARMUP": "0" if args.no_warmup else "1"}
    saved_env = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # this process's loads (change_data) publish like the command line's
    # --app-root serves another checkout (the code before a change) on the same database
    apps = [App(args.db, env=env, root=args.app_root) for _ in range(args.processes)]
    try:
        if args.floor:  # first, while nothing of ours runs: what Streamlit and Chromium cost on this machine
            say("timing the Streamlit floor")
            rows += streamlit_floor(args.users, args.sessions, args.repeat)
        for a in apps:
            a.start()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for a in apps:  # a first session starts each process's warm-up thread, as any visitor would
                open_page(new_context(browser), f"{a.url}/definitions", "h1")
            before = [a.warmups() for a in apps]
            say(f"primed; warm-ups logged so far {before}")
            if args.startup_warmup and not args.no_warmup:  # the start-up warm-up, then the change on its own
                wait_for_warmup(apps, before, timeout=args.warmup_timeout)
            before = [a.warmups() for a in apps]
            say("changing the data")
            changed = change_data(args.db)
            t_changed = time.perf_counter()
            rows.append(("data change (a 1,000-row batch, facts, publish)", f"{changed:.1f} s"))
            if not args.no_warmup:
                version = data_version(args.db)
                wait_for_warmup(apps, version, timeout=args.warmup_timeout)
                secs = time.perf_counter() - t_changed
                pattern = rf"warm-up of data version {re.escape(version)}: .* ready in ([0-9.]+) s"
                ready = re.findall(pattern, apps[0].log())
                if ready:
                    rows.append(("… of which 概要 and 進捗 of the nation and all 47 prefectures ready (warm-up's own "
                                 "timing, after noticing the change)", f"{float(ready[0]):.1f} s"))
                rows.append((f"background warm-up after the change, all processes ({load_average()})", f"{secs:.1f} s"))
            say("timing pages")
            colds, warms = [], []
            for _ in range(args.repeat):  # measured like the pages below (the priming visit above was the first ever)
                context = new_context(browser)
                colds.append(open_page(context, f"{apps[0].url}/definitions", "h1"))
                warms.append(open_page(context, f"{apps[0].url}/definitions", "h1"))
                context.close()
            rows.append((f"floor: 指標の定義 (no data; a new browser, then the same browser again) "
                         f"(load {load_average()})", f"{statistics.median(colds):.2f} / "
                         f"{statistics.median(warms):.2f} s (median of {args.repeat})"))
            pages = [p for p in PAGES if not args.pages or p[0] in args.pages]
            for path, label, ready in pages:
                for scope, query in (("national", ""), (f"pref {args.pref}", f"?pref={args.pref}")):
                    colds, warms = [], []
                    for _ in range(args.repeat):  # one sample is noise on two cores: the median of --repeat
                        context = new_context(browser)  # a new browser: nothing cached in it
                        colds.append(open_page(context, f"{apps[0].url}/{path}{query}", ready))
                        warms.append(open_page(context, f"{apps[0].url}/{path}{query}", ready))
                        context.close()
                    rows.append((f"{label} ({path}), {scope}: first visit after the change / second visit "
                                 f"(load {load_average()})", f"{statistics.median(colds):.2f} / "
                                 f"{statistics.median(warms):.2f} s (median of {args.repeat})"))
                    print(rows[-1], flush=True)
            say("moving through the menu")
            context = new_context(browser)  # a planner's tab after the first load: clicks in the sidebar menu
            clicks = menu_rounds(context, apps[0].url, args.pref, pages)
            context.close()
            for path, label, _ in pages:
                rows.append((f"{label} ({path}), pref {args.pref}: menu click, first round / second round "
                             f"(load {load_average()})", " / ".join(f"{t:.2f}" for t in clicks[path]) + " s"))
                print(rows[-1], flush=True)
            browser.close()
        for n in args.users:  # the same data version: every user's prefecture is a first visit after the change
            prime, overview = planners([a.url for a in apps], USER_PREFECTURES[:n])
            times = concurrent_users(CHROMIUM, n, prime, overview, PAGES[0][2])
            rows.append((f"{n} planners open 概要 for {n} prefectures at once: p50 / p95 / max "
                         f"(load {load_average()})", _spread(times)))
            print(rows[-1], flush=True)
        for i, a in enumerate(apps):
            rows.append((f"app process {i + 1} memory: now / peak", f"{a.memory_mb():,.0f} / "
                         f"{a.memory_mb('VmHWM'):,.0f} MB"))
        if args.sessions:  # after the row above: it resets the peak of process 1
            say(f"opening {args.sessions} sessions")
            urls = [f"{apps[0].url}/overview?pref={p}" for p in session_prefectures(args.sessions)]
            rows.append((f"app process memory with {args.sessions} sessions open: now / peak",
                         sessions_memory(CHROMIUM, apps[0], urls, PAGES[0][2])))
            print(rows[-1], flush=True)
    finally:
        for a in apps:
            a.stop()
        for key, value in saved_env.items():  # leave the caller's environment as it was
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--consultations", type=int, default=10_000_000)
    parser.add_argument("--db", type=Path, default=None, help="database file; built when missing (kept)")
    parser.add_argument("--rebuild", action="store_true", help="build the database even when --db exists")
    parser.add_argument("--processes", type=int, default=1, help="app processes (users are spread over them)")
    parser.add_argument("--publish", action="store_true", help="serve the published read-only copy (deploy.md)")
    parser.add_argument("--no-warmup", action="store_true", help="no background warm-up (as before issue 17)")
    parser.add_argument("--app-root", type=Path, default=None, help="serve app.py of another checkout")
    parser.add_argument("--pages", nargs="*", default=None, help="URL paths of the pages to time (default: all)")
    parser.add_argument("--pref", default="10", help="the prefecture of the single-user timings")
    parser.add_argument("--repeat", type=int, default=3, help="visits per page (new browsers; the median is shown)")
    parser.add_argument("--users", type=int, nargs="*", default=[8, 20], help="concurrent users (one run each)")
    parser.add_argument("--floor", action=argparse.BooleanOptionalAction, default=True,
                        help="also time a one-line Streamlit app served the same way (Streamlit's own floor)")
    parser.add_argument("--sessions", type=int, default=20,
                        help="sessions held open at once on app process 1 for its memory (0: skip)")
    parser.add_argument("--warmup-timeout", type=float, default=1800.0)
    parser.add_argument("--startup-warmup", action="store_true",
                        help="wait for the warm-up a server does at start before changing the data")
    args = parser.parse_args(argv)
    tmp = tempfile.TemporaryDirectory(prefix="bench_pages_")
    args.db = args.db or Path(tmp.name) / "data" / config.DB_FILE_NAME
    rows: list[tuple[str, str]] = []
    if args.rebuild or not args.db.exists():
        built = build_database(args.db, args.consultations)
        rows += [("build: seed the sample / generate / facts", " / ".join(f"{v:.1f} s" for v in built.values()))]
    con = db.connect(args.db, read_only=True)
    n_c, n_p, n_persons = con.execute("select (select count(*) from consultations), (select count(*) from "
                                      "placements), (select count(*) from person_facts)").fetchone()  # fmt: skip
    con.close()
    rows += run(args)
    print(f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"DuckDB {duckdb.__version__}; load average at the end {load_average()}")
    print(f"Database: {n_c:,} consultations, {n_p:,} placements, {n_persons:,} persons; processes "
          f"{args.processes}, publish {args.publish}, warm-up {not args.no_warmup}")
    print()
    print("| measure | result |")
    print("|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    print(f"(bench process peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB)")
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
