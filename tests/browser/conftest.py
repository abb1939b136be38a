"""Real-browser fixtures: Streamlit servers on free ports, and headless Chromium from Debian via Playwright.

Browsers cannot be downloaded here (``playwright install`` needs the internet), so Playwright drives the
system's ``/usr/bin/chromium`` (``apt-get install chromium fonts-noto-cjk``). Without it the browser tests
are skipped locally, but fail in CI (``CI=true``), where ``.ci/run`` installs it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from analytics import config
from analytics.sample import seed

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("HYOGAKI_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_SECONDS = 90


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    message = f"{CHROMIUM} not found: install it with `apt-get install -y chromium fonts-noto-cjk`"
    if in_ci():
        pytest.fail(f"CI=true and {message}")
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser(chromium_path: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        yield b
        b.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A ``streamlit run app.py`` process serving one data directory."""

    name: str
    data_dir: Path
    seeding: bool
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        env = {
            **os.environ,
            config.DATA_DIR_ENV: str(self.data_dir),
            config.DB_PATH_ENV: str(self.data_dir / config.DB_FILE_NAME),
            seed.SEED_ENV: "1" if self.seeding else "0",
        }
        env.pop(config.SECRET_PATH_ENV, None)
        self.log_path = self.data_dir.parent / f"streamlit_{self.name}.log"
        log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", "app.py",
                "--server.headless", "true",
                "--server.port", str(self.port),
                "--server.address", "127.0.0.1",
                "--browser.gatherUsageStats", "false",
                "--server.fileWatcherType", "none",
            ],
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.proc.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"streamlit did not answer within {SERVER_START_SECONDS} s:\n{self.log()}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path and self.log_path.exists() else ""


PLANNER_PASSWORD = "planner-pass-1234"


def start_with_accounts(
    name: str, seeded_db_path: Path, root: Path, *, extra_secrets: str = "", env: dict[str, str | None] | None = None
) -> Server:
    """A server on a copy of the seeded data, with the planner account ``aomori`` (prefecture 02, password
    :data:`PLANNER_PASSWORD`) and ``extra_secrets`` in a secrets file of its own, and ``env`` set for its process
    (None removes a variable)."""
    from analytics.access import auth

    data_dir = root / "data"
    shutil.copytree(seeded_db_path.parent, data_dir)
    secrets = root / "secrets.toml"
    secrets.write_text(
        "[auth.users.aomori]\n"
        f'password_hash = "{auth.hash_password(PLANNER_PASSWORD, n=2**12)}"\n'
        'role = "planner"\nprefecture_code = "02"\ndisplay_name = "青森県 企画担当"\n' + extra_secrets,
        encoding="utf-8",
    )
    mp = pytest.MonkeyPatch()
    mp.setenv("STREAMLIT_SECRETS_FILES", str(secrets))  # read by the server process Server.start launches
    for key, value in (env or {}).items():
        if value is None:
            mp.delenv(key, raising=False)
        else:
            mp.setenv(key, value)
    try:
        return Server(name, data_dir, seeding=False).start()
    finally:
        mp.undo()


@pytest.fixture(scope="module")
def seeded_server(
    seeded_db_path: Path, tmp_path_factory: pytest.TempPathFactory, chromium_path: Path
) -> Iterator[Server]:
    """A server on a copy of the session's seeded database (the copy keeps the server's locks to itself)."""
    data_dir = tmp_path_factory.mktemp("server_seeded") / "data"
    shutil.copytree(seeded_db_path.parent, data_dir)
    server = Server("seeded", data_dir, seeding=False).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory: pytest.TempPathFactory, chromium_path: Path) -> Iterator[Server]:
    """A server with seeding switched off: the empty state every page must handle."""
    data_dir = tmp_path_factory.mktemp("server_empty") / "data"
    server = Server("empty", data_dir, seeding=False).start()
    yield server
    server.stop()


@pytest.fixture
def fresh_server(tmp_path_factory: pytest.TempPathFactory, chromium_path: Path) -> Iterator[Server]:
    """A server that has served nothing yet, on an empty data directory it will seed: a first start."""
    data_dir = tmp_path_factory.mktemp("server_fresh") / "data"
    server = Server("fresh", data_dir, seeding=True).start()
    yield server
    server.stop()
