"""Benchmark the pages in a real browser at national scale (a script, not a test).

1. Builds the national-scale database (``--consultations``, default 10 M; placements 30% of that): the sample
   data is seeded first (batches, targets, surveys), then two generated batches are written with the SQL
   generator of ``bench_indicators.py`` and the facts rebuilt, so the app takes it as loaded data.
2. Serves it with ``streamlit run app.py`` (``--processes N`` behind nothing: the first one is used for the
   single-user timings) and drives Debian's Chromium with Playwright: each page cold (first visit after the
   data changed) and warm (second visit, same filters), for the nation and for one prefecture; then
   ``--users`` browsers opening 概要 for different prefectures at the same moment.
3. Prints a Markdown table for docs/performance.md.

"Rendered" means: the page's main content is on screen — the element ``--ready`` names for each page (a
KPI card, a chart, a table) is visible and Streamlit shows no running spinner/skeleton any more.

Run: ``python benchmarks/bench_pages.py --consultations 2000000`` (mid scale) or without options (10 M).
``--db PATH`` keeps and reuses the built database; ``--pages``/``--users`` narrow the run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
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
    """One ``streamlit run app.py`` process on the database at ``db_path``."""

    db_path: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=_free_port)
    proc: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> App:
        env = {**os.environ, config.DATA_DIR_ENV: str(self.db_path.parent), config.DB_PATH_ENV: str(self.db_path),
               seed.SEED_ENV: "0", **self.env}  # fmt: skip
        env.pop(config.SECRET_PATH_ENV, None)
        self.log_path = self.db_path.parent / f"streamlit_{self.port}.log"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--server.port", str(self.port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none", "--logger.level", "info"],
            cwd=ROOT, env=env, stdout=self.log_path.open("w"), stderr=subprocess.STDOUT,
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

    def warmups(self) -> int:
        """How many complete warm-ups the server has logged (ui/warmup.py)."""
        return self.log().count("warm-up of data version")


# ---------------------------------------------------------------------------------------------------------
# 3. The browser
# ---------------------------------------------------------------------------------------------------------


def open_page(context, url: str, ready: str, timeout: float = 120.0) -> float:
    """Seconds from navigation until ``ready`` is visible and Streamlit has finished running the page.

    ``context`` is a Playwright browser context: a person's browser. A new context has nothing cached (a first
    visit: Streamlit's scripts are downloaded and parsed too); the same context again is a second visit.
    """
    page = context.new_page()
    try:
        t0 = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=timeout * 1000)
        page.wait_for_selector(ready, state="visible", timeout=timeout * 1000)
        # Streamlit marks the script's state on the app view; wait until the run is over and nothing is pending.
        page.wait_for_function(
            "() => { const a = document.querySelector('[data-testid=\"stApp\"]');"
            " return a && a.getAttribute('data-test-script-state') === 'notRunning'"
            " && !document.querySelector('[data-testid=\"stSkeleton\"]'); }",
            timeout=timeout * 1000,
        )
        return time.perf_counter() - t0
    finally:
        page.close()


def new_context(browser):
    return browser.new_context(viewport={"width": 1400, "height": 1000})


def concurrent_users(chromium_path: Path, base: str | list[str], prefectures: list[str], ready: str) -> list[float]:
    """Each user in a browser process of their own, all released at the same moment onto their prefecture's 概要."""
    from playwright.sync_api import sync_playwright

    bases = base if isinstance(base, list) else [base]
    barrier = threading.Barrier(len(prefectures))
    results: list[float | None] = [None] * len(prefectures)

    def user(i: int, pref: str) -> None:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
            try:
                context = new_context(browser)
                # A person's browser has been to the dashboard before: its scripts are cached.
                open_page(context, f"{bases[i % len(bases)]}/definitions", "h1")
                barrier.wait(timeout=300)
                results[i] = open_page(context, f"{bases[i % len(bases)]}/overview?pref={pref}", ready)
            finally:
                browser.close()

    threads = [threading.Thread(target=user, args=(i, p)) for i, p in enumerate(prefectures)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [r for r in results if r is not None]


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
            if all(f"warm-up of data version {before}:" in a.log() for a in apps):
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
    apps = [App(args.db, env=env) for _ in range(args.processes)]
    if args.app_root:
        global ROOT
        ROOT = args.app_root  # serve another checkout (the code before a change) on the same database
    try:
        for a in apps:
            a.start()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for a in apps:  # a first session starts each process's warm-up thread, as any visitor would
                floor = open_page(new_context(browser), f"{a.url}/definitions", "h1")
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
            context = new_context(browser)
            rows.append((f"floor: 指標の定義 (no data; a new browser, then the same browser again) "
                         f"(load {load_average()})", f"{floor:.2f} / "
                         f"{open_page(context, f'{apps[0].url}/definitions', 'h1'):.2f} s"))
            pages = [p for p in PAGES if not args.pages or p[0] in args.pages]
            for path, label, ready in pages:
                for scope, query in (("national", ""), (f"pref {args.pref}", f"?pref={args.pref}")):
                    context = new_context(browser)  # a new browser: nothing cached in it
                    cold = open_page(context, f"{apps[0].url}/{path}{query}", ready)
                    warm = open_page(context, f"{apps[0].url}/{path}{query}", ready)
                    context.close()
                    rows.append((f"{label} ({path}), {scope}: first visit after the change / second visit "
                                 f"(load {load_average()})", f"{cold:.2f} / {warm:.2f} s"))
                    print(rows[-1], flush=True)
            browser.close()
        for n in args.users:  # the same data version: every user's prefecture is a first visit after the change
            times = concurrent_users(CHROMIUM, [a.url for a in apps], USER_PREFECTURES[:n], PAGES[0][2])
            rows.append((f"{n} planners open 概要 for {n} prefectures at once: p50 / p95 / max "
                         f"(load {load_average()})",
                         f"{statistics.median(times):.2f} / {_p95(times):.2f} / {max(times):.2f} s"))
            print(rows[-1], flush=True)
        for i, a in enumerate(apps):
            rows.append((f"app process {i + 1} memory: now / peak", f"{a.memory_mb():,.0f} / "
                         f"{a.memory_mb('VmHWM'):,.0f} MB"))
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
    parser.add_argument("--users", type=int, nargs="*", default=[8, 20], help="concurrent users (one run each)")
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
