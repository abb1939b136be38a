"""Shared fixtures: a fresh database per test, and one database seeded from the clean sample per session.

- ``tmp_db``: an empty database path in ``tmp_path``; ``HYOGAKI_DATA_DIR``/``HYOGAKI_DB`` point there for
  the test, so the app (AppTest), the CLI and ``db.connect()`` all use it. Use it for anything that writes.
- ``seeded_db_path`` (session): a database seeded once from ``sample_data/clean/``. Treat it as
  read-only; a test that loads or rolls back uses ``tmp_db``.
- ``seeded_db``: the same database with ``HYOGAKI_DATA_DIR``/``HYOGAKI_DB`` exported for this test
  (and ``HYOGAKI_SEED=0``, so nothing is loaded again), for AppTest and the CLI.
- ``empty_db``: like ``tmp_db`` but with seeding switched off, for the app's empty state.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from analytics import config
from analytics.sample import seed

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CLEAN_DIR = PROJECT_ROOT / "sample_data" / "clean"
# No background warm-up thread (ui/warmup.py) in AppTest runs and test servers: it would keep computing after a
# test has ended, on two cores shared by the whole suite. The warm-up's own tests switch it on.
os.environ.setdefault("HYOGAKI_WARMUP", "0")


def _point_env_at(monkeypatch: pytest.MonkeyPatch, data_dir: Path, *, seeding: bool) -> Path:
    db_path = data_dir / config.DB_FILE_NAME
    monkeypatch.setenv(config.DATA_DIR_ENV, str(data_dir))
    monkeypatch.setenv(config.DB_PATH_ENV, str(db_path))
    monkeypatch.delenv(config.SECRET_PATH_ENV, raising=False)  # the key lives beside the test database
    monkeypatch.setenv(seed.SEED_ENV, "1" if seeding else "0")
    return db_path


@pytest.fixture
def tmp_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, not yet created database file; the environment points at it for this test."""
    return _point_env_at(monkeypatch, tmp_path / "data", seeding=True)


@pytest.fixture
def empty_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh database that the app will not seed (``HYOGAKI_SEED=0``): the first-run empty state."""
    return _point_env_at(monkeypatch, tmp_path / "data", seeding=False)


@pytest.fixture(scope="session")
def seeded_db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database loaded once per session from every file in ``sample_data/clean/`` (read-only by agreement)."""
    files = seed.sample_files(SAMPLE_CLEAN_DIR)
    if not files:
        pytest.fail(f"no sample files in {SAMPLE_CLEAN_DIR}: run `python -m analytics sample` to write them")
    db_path = tmp_path_factory.mktemp("seeded") / config.DB_FILE_NAME
    saved = os.environ.pop(config.SECRET_PATH_ENV, None)
    try:
        reports = seed.ensure_seeded(db_path, sample_dir=SAMPLE_CLEAN_DIR)
    finally:
        if saved is not None:
            os.environ[config.SECRET_PATH_ENV] = saved
    failed = seed.failed_files(reports)
    assert not failed, f"clean sample files failed to load: {failed}"
    assert len(reports) == len(files)
    return db_path


@pytest.fixture
def seeded_db(seeded_db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The session's seeded database, with the environment pointing at it for this test."""
    _point_env_at(monkeypatch, seeded_db_path.parent, seeding=False)
    return seeded_db_path


MID_YEAR_AS_OF = "2024-09-30"


@pytest.fixture(scope="session")
def midyear_db_path(seeded_db_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded database cut at 2024-09-30 (later records deleted, facts rebuilt): FY2024 half over, the
    state monthly loads leave the data in most of the year. Read-only by agreement, like the seeded one."""
    import shutil

    from analytics import db
    from analytics.metrics import facts

    data_dir = tmp_path_factory.mktemp("midyear") / "data"
    shutil.copytree(seeded_db_path.parent, data_dir)
    db_path = data_dir / config.DB_FILE_NAME
    con = db.connect(db_path)
    try:
        con.execute("begin transaction")
        con.execute("delete from consultations where consultation_date > $d::date", {"d": MID_YEAR_AS_OF})
        con.execute("delete from placements where placement_date > $d::date", {"d": MID_YEAR_AS_OF})
        facts.refresh_facts(con, full=True)
        con.execute("commit")
        con.execute("checkpoint")
    finally:
        con.close()
    return db_path


@pytest.fixture
def midyear_db(midyear_db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The mid-year database, with the environment pointing at it for this test."""
    _point_env_at(monkeypatch, midyear_db_path.parent, seeding=False)
    return midyear_db_path


# ---------------------------------------------------------------------------------------------
# The page registry: every test that takes an ``app_page`` argument runs once per page of the menu (ui/shell.py).
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppPage:
    """One line of ``PAGES`` in ui/shell.py."""

    file: str  # relative to the project root, e.g. "pages/overview.py"
    url_path: str  # the URL the page is opened at in the tests ("" for the home page)
    route: str  # the page's own URL (the file's name; the home page also answers there)
    title_ja: str
    title_en: str
    is_default: bool


def app_pages() -> list[AppPage]:
    """The pages of the menu (ui/shell.py ``PAGES``); the first one is also the home page, app.py at "/"."""
    from ui.shell import PAGES

    return [
        AppPage(f, "" if i == 0 else url, url, title_ja=ja, title_en=en, is_default=i == 0)
        for i, (f, url, ja, en, _icon) in enumerate(PAGES)
    ]


@pytest.fixture(scope="session")
def registered_pages() -> list[AppPage]:
    """Every page of the menu, in menu order."""
    return app_pages()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "app_page" in metafunc.fixturenames:
        pages = app_pages()
        metafunc.parametrize("app_page", pages, ids=[Path(p.file).stem for p in pages])
