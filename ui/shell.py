"""The frame every page runs in: page config, first-start seeding, language, sign-in gate, menu, shared sidebar.

The app is a classic Streamlit multipage app: Streamlit serves ``pages/<name>.py`` at ``/<name>`` and ``app.py``
at ``/``, from the very first request a server sees (no ``st.navigation``, so no "Page not found" dialog while a
fresh server has not yet run it; issue 19). Streamlit runs the page file alone, without app.py, so the frame
comes from the page itself: its first statement is ``ui.auth.require_viewer()`` (or ``require(permission)``),
which calls :func:`frame` with the page's own file. :func:`frame` draws the shell, runs the page file inside it
(where the same call just returns the viewer) with the errors app.py used to catch turned into messages, and
stops the outer run. ``app.py`` calls :func:`frame` for the home page. The menu is built here from :data:`PAGES`
with ``st.page_link``, one link per page the viewer's role may open; Streamlit's own list of files is switched
off (``client.showSidebarNavigation = false`` in .streamlit/config.toml).
"""

from __future__ import annotations

import contextlib
import contextvars
import sys
import types
from pathlib import Path
from typing import NoReturn

import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.runtime.scriptrunner import get_script_run_ctx

from analytics import config
from analytics.access.auth import Viewer
from analytics.access.scope import ScopeError
from analytics.db import DatabaseBusyError
from analytics.metrics import facts
from analytics.sample import seed
from analytics.text import ui_text
from analytics.text.ui_text import t
from analytics.views import status
from analytics.views.filters import Filters, clamp_filters

from . import FILTERS_KEY, a11y, auth as ui_auth, signin, warmup
from .sidebar import sidebar_filters

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PAGES_DIR = PROJECT_ROOT / "pages"

# One line per page, in menu order: (file, URL path, 日本語の題, English title, icon). Streamlit serves a file in
# pages/ at its own name, so the URL path is the file's name without .py (tests/test_boundaries.py checks it).
# The first page is also the home page: app.py shows it at "/".
# fmt: off
PAGES: list[tuple[str, str, str, str, str]] = [
    ("pages/overview.py", "overview", "概要", "Overview", ":material/dashboard:"),
    ("pages/progress.py", "progress", "進捗", "Progress", ":material/trending_up:"),
    ("pages/regions.py", "regions", "地域", "Regions", ":material/map:"),
    ("pages/groups.py", "groups", "対象者", "Target groups", ":material/groups:"),
    ("pages/municipal-platforms.py", "municipal-platforms", "市町村プラットフォーム", "Municipal platforms", ":material/hub:"),  # noqa: E501
    ("pages/quality.py", "quality", "データ品質", "Data quality", ":material/fact_check:"),
    ("pages/reports.py", "reports", "レポート", "Reports", ":material/summarize:"),
    ("pages/upload.py", "upload", "データ取込", "Upload data", ":material/upload_file:"),
    ("pages/history.py", "history", "取込履歴", "Upload history", ":material/history:"),
    ("pages/definitions.py", "definitions", "指標の定義", "Definitions", ":material/menu_book:"),
    ("pages/audit.py", "audit", "監査ログ", "Audit log", ":material/policy:"),
]
# fmt: on
HOME = PAGES[0][0]
# Pages only some roles may open, by URL path -> permission (analytics/access/auth.py PERMISSIONS); the others are
# open to every signed-in role. A page a role may not open is left out of its menu, and the page refuses it
# itself (ui.auth.require) when its URL is typed in.
PAGE_PERMISSIONS: dict[str, str] = {
    "upload": "upload", "history": "upload", "reports": "download_reports", "audit": "view_audit",
}  # fmt: skip

# True while a page file runs inside frame(): then require_viewer() is only the gate, not the frame.
_IN_FRAME: contextvars.ContextVar[bool] = contextvars.ContextVar("hyogaki_in_frame", default=False)


def in_frame() -> bool:
    return _IN_FRAME.get()


def page_entry(page_file: str) -> tuple[str, str, str, str, str] | None:
    """The PAGES line of ``page_file`` (relative to the project, or absolute), None for a file not in the menu."""
    path = Path(page_file)
    rel = path.resolve().relative_to(PROJECT_ROOT).as_posix() if path.is_absolute() else path.as_posix()
    return next((p for p in PAGES if p[0] == rel), None)


def calling_page_file() -> str | None:
    """The page file (in pages/) on the current call stack, or None (a function run by a test, say)."""
    frame = sys._getframe(1)
    while frame is not None:
        path = Path(frame.f_code.co_filename)
        if path.suffix == ".py" and path.parent.resolve() == PAGES_DIR:
            return str(path.resolve())
        frame = frame.f_back
    return None


@st.cache_resource(show_spinner="サンプルデータを登録しています… (loading the sample data)")
def _seed_once(db_path: str, enabled: bool) -> list[dict]:
    """Seed an empty database once per server process and database file."""
    return seed.ensure_seeded(db_path) if enabled else []


@st.cache_resource(show_spinner="集計用の派生表を作り直しています… (rebuilding the derived facts)")
def _facts_current_once(db_path: str) -> bool:
    """Rebuild stale derived facts once per server process and database file (True if rebuilt).

    The pages read through read-only connections, which may not rebuild them (a migration such as 004
    empties facts_meta, and the pages would refuse to compute: facts.FactsStaleError); this short writable
    connection does it at start-up, under db.WRITE_TURN (facts.ensure_current).
    """
    return facts.rebuild_if_stale(db_path)


@st.cache_resource
def _warmup_once(db_path: str) -> object:
    """The background warm-up thread of this server process (ui/warmup.py): after each load or rollback it
    computes the most-opened views into the page cache. Off with $HYOGAKI_WARMUP=0 (the test suite)."""
    return warmup.start(db_path) if warmup.enabled() else None


def frame(page_file: str) -> NoReturn:
    """Draw the shell around ``page_file``, run it inside, and stop the script run (never returns).

    Signed out (accounts configured), the page's place shows the sign-in form instead and nothing is read.
    """
    token = _IN_FRAME.set(True)
    try:
        # The shell's widgets (language, filters, sign-in form) are created under the main script's hash, as
        # st.navigation would: Streamlit gives a widget on another page a new id, and a page switch would then
        # reset the language and the filters. The page itself runs under its own hash.
        ctx = get_script_run_ctx()
        with ctx.run_with_active_hash(ctx.pages_manager.main_script_hash) if ctx else contextlib.nullcontext():
            shown = _shell(page_file)
        if shown is not None:
            _run_inside(page_file, *shown)
    finally:
        _IN_FRAME.reset(token)
    st.stop()
    raise AssertionError("unreachable: st.stop() raises")  # for type checkers


def _shell(page_file: str) -> tuple[str, str] | None:
    """Draw the shell around ``page_file``: (database path, language) when the page may run, else None."""
    entry = page_entry(page_file)
    st.set_page_config(page_title=t("app.title", "ja"), page_icon="📈", layout="wide")

    db_path = str(config.default_db_path())
    seed_reports: list[dict] = []
    try:
        config.check_data_dir()  # unwritable folder or full disk: say so plainly instead of a traceback
        seed_reports = _seed_once(db_path, seed.seeding_enabled())
        _facts_current_once(db_path)
        _warmup_once(db_path)
    except DatabaseBusyError:
        pass  # another process is loading right now (and rebuilds the facts); the pages show what is there
    except config.DataDirError as exc:
        st.error(str(exc), icon=":material/error:")
        return None

    lang = _language()
    # <html lang> for the language shown, sparklines hidden from screen readers, focus rings (ui/a11y.py).
    a11y.apply(lang)

    # Sign-in (ui/auth.py): with accounts configured, nobody sees anything but the sign-in form until signed in,
    # whatever URL they came by (a shared link, /regions?pref=13&muni=13101); then the page it named.
    viewer = ui_auth.current_viewer()
    ui_auth.emit_cookie()  # the session cookie, when a sign-in, a renewal or a sign-out changed it
    if viewer is None:
        st.set_page_config(page_title=f"{ui_auth.tr('signin.title', lang)} | {t('app.title', lang)}")
        signin.render()
        return None
    title = (entry[3] if lang == "en" else entry[2]) if entry else t("app.title", lang)
    st.set_page_config(page_title=f"{title} | {t('app.title', lang)}")

    menu = st.sidebar.container()
    ui_auth.sidebar_status(viewer, lang)
    # The shared filters (ui/sidebar.py): kept in the URL, left in st.session_state["filters"] for the pages,
    # which read them with ui.current_filters().
    linked = Filters.from_query_params(st.query_params.to_dict())
    chosen = clamp_filters(viewer, sidebar_filters(lang))
    # A shared or crafted link may name a municipality outside the viewer's prefecture: the sidebar does not offer
    # it, and it is dropped here in any case (the engine would refuse it anyway; analytics/access/scope.py).
    st.session_state[FILTERS_KEY] = chosen
    if clamp_filters(viewer, linked) != linked:
        st.sidebar.caption(ui_auth.tr("denied.municipality", lang))
    with menu:
        _menu(viewer, lang, chosen)
    _data_as_of(db_path, lang, seed_reports)
    return db_path, lang


def _language() -> str:
    """The language control; the language lives in the URL (?lang=en) so a copied link opens in the same language.

    Not ``bind="query-params"``: a bound widget writes its label (?lang=English), not the code.
    """
    if "lang" not in st.session_state:
        st.session_state["lang"] = ui_text.lang_or_default(st.query_params.get("lang"))
    with st.sidebar:
        lang = st.segmented_control(
            t("sidebar.language"), ui_text.LANGS, required=True, format_func=ui_text.LANG_LABELS.get, key="lang"
        )
    # A page switch can hand the widget back empty for one run: keep the language of the URL then, never write
    # ?lang=None into the link.
    lang = lang or ui_text.lang_or_default(st.query_params.get("lang"))
    if lang == ui_text.DEFAULT_LANG:
        st.query_params.pop("lang", None)
    else:
        st.query_params["lang"] = lang
    return lang


def menu_pages(viewer: Viewer) -> list[tuple[str, str, str, str, str]]:
    """The PAGES lines the viewer's role may open, in menu order."""
    return [p for p in PAGES if viewer.has(PAGE_PERMISSIONS.get(p[1], "view"))]


def _menu(viewer: Viewer, lang: str, filters: Filters) -> None:
    """One link per page the role may open. Each link carries the language and the shared filters, so a link
    copied from the menu opens the same view."""
    params = filters.to_query_params()
    if lang != ui_text.DEFAULT_LANG:
        params["lang"] = lang
    try:
        for path, _url, ja, en, icon in menu_pages(viewer):
            st.page_link(path, label=en if lang == "en" else ja, icon=icon, query_params=params or None)
    except StreamlitAPIException:
        return  # a page file run as the main script (a test): Streamlit knows no other page to link to
    st.divider()


def _data_as_of(db_path: str, lang: str, seed_reports: list[dict]) -> None:
    with st.sidebar:
        try:
            with status.read_connection(db_path, wait_seconds=min(5.0, status.READ_WAIT_SECONDS)) as con:
                as_of, last_loaded = status.data_as_of(con)
            if as_of is None:
                st.caption(t("sidebar.no_data", lang))
            else:
                st.caption(
                    f"{t('sidebar.as_of', lang)}: {ui_text.format_date(as_of, lang)}  \n"
                    f"{t('sidebar.last_loaded', lang)}: {ui_text.format_date(last_loaded, lang)}"
                )
        except DatabaseBusyError:
            st.caption(t("sidebar.db_busy", lang))
        if failed := seed.failed_files(seed_reports):
            st.warning(t("seed.failed", lang, files="、".join(failed)))


def _run_inside(page_file: str, db_path: str, lang: str) -> None:
    """Run the page file (as Streamlit would: a fresh ``__main__`` module) with the known failures as messages."""
    try:
        _exec_page(page_file)
    except DatabaseBusyError:
        # A long load from the command line holds the file for writing; say so instead of a traceback.
        st.warning(t("sidebar.db_busy", lang), icon=":material/hourglass_top:")
    except ScopeError as exc:
        # A link or selection asked for municipal detail outside the viewer's prefecture (analytics/access/scope.py).
        st.warning(ui_auth.tr("denied.scope", lang, message=str(exc)), icon=":material/lock:")
    except facts.FactsStaleError as exc:
        # The database changed under the running app (the start-up rebuild keeps the usual case away): rebuild on
        # a short writable connection and show the page again; no number is shown from stale facts.
        try:
            rebuilt = facts.rebuild_if_stale(db_path, wait_seconds=10.0)
        except DatabaseBusyError:
            rebuilt = False
        if rebuilt:
            st.rerun()
        st.error(str(exc), icon=":material/sync_problem:")


def _exec_page(page_file: str) -> None:
    path = Path(page_file)
    path = path if path.is_absolute() else PROJECT_ROOT / path
    ctx = get_script_run_ctx()
    code = (
        ctx.pages_manager.get_page_script_byte_code(str(path))
        if ctx is not None
        else compile(path.read_text(encoding="utf-8"), str(path), "exec")
    )
    module = types.ModuleType("__main__")
    module.__dict__["__file__"] = str(path)
    exec(code, module.__dict__)  # the page file, as Streamlit itself runs it
