"""Entry point: page config, first-start seeding, the page list and the shared sidebar. No logic."""

from __future__ import annotations

import streamlit as st

from analytics import config
from analytics.access.scope import ScopeError
from analytics.db import DatabaseBusyError
from analytics.metrics import facts
from analytics.sample import seed
from analytics.text import ui_text
from analytics.text.ui_text import t
from analytics.views import status
from analytics.views.filters import Filters, clamp_filters
from ui import FILTERS_KEY, a11y, auth as ui_auth, signin, warmup
from ui.sidebar import sidebar_filters

# One line per page: (file, URL path, 日本語の題, English title, icon). The first one is the home page.
# The URL path must differ from the file's name (overview_page.py -> "overview"): Streamlit treats a
# folder named pages/ as an old-style multipage app until st.navigation has run once, so on a fresh
# server a shared link /progress would run pages/progress.py alone, without this file (no sidebar,
# no seeding). With different names the old-style lookup misses and Streamlit starts here instead.
# tests/test_boundaries.py checks the rule.
PAGES: list[tuple[str, str, str, str, str]] = [
    ("pages/overview_page.py", "overview", "概要", "Overview", ":material/dashboard:"),
    ("pages/progress_page.py", "progress", "進捗", "Progress", ":material/trending_up:"),
    ("pages/regions_page.py", "regions", "地域", "Regions", ":material/map:"),
    ("pages/target_groups_page.py", "groups", "対象者", "Target groups", ":material/groups:"),
    ("pages/platforms_page.py", "municipal-platforms", "市町村プラットフォーム", "Municipal platforms", ":material/hub:"),
    ("pages/data_quality_page.py", "quality", "データ品質", "Data quality", ":material/fact_check:"),
    ("pages/reports_page.py", "reports", "レポート", "Reports", ":material/summarize:"),
    ("pages/upload_page.py", "upload", "データ取込", "Upload data", ":material/upload_file:"),
    ("pages/history_page.py", "history", "取込履歴", "Upload history", ":material/history:"),
    ("pages/definitions_page.py", "definitions", "指標の定義", "Definitions", ":material/menu_book:"),
    ("pages/audit_page.py", "audit", "監査ログ", "Audit log", ":material/policy:"),
]
# Pages only some roles may open, by URL path -> permission (analytics/access/auth.py PERMISSIONS); the others are
# open to every signed-in role. A page a role may not open is left out of its menu and its URL.
PAGE_PERMISSIONS: dict[str, str] = {
    "upload": "upload", "history": "upload", "reports": "download_reports", "audit": "view_audit",
}

st.set_page_config(page_title="就職氷河期世代支援 進捗ダッシュボード", page_icon="📈", layout="wide")


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
    st.stop()

# The language lives in the URL (?lang=en) so a copied link opens in the same language. Not
# bind="query-params": a bound widget writes its label (?lang=English), not the code.
if "lang" not in st.session_state:
    st.session_state["lang"] = ui_text.lang_or_default(st.query_params.get("lang"))
with st.sidebar:
    lang = st.segmented_control(
        t("sidebar.language"), ui_text.LANGS, required=True, format_func=ui_text.LANG_LABELS.get, key="lang"
    )
# A page switch by the menu can hand the widget back empty for one run: keep the language of the URL then,
# never write ?lang=None into the link.
lang = lang or ui_text.lang_or_default(st.query_params.get("lang"))
if lang == ui_text.DEFAULT_LANG:
    st.query_params.pop("lang", None)
else:
    st.query_params["lang"] = lang
# <html lang> for the language shown, sparklines hidden from screen readers, focus rings (ui/a11y.py).
a11y.apply(lang)

# Sign-in (ui/auth.py): with accounts configured in the secrets, nobody sees anything but the sign-in page
# until signed in — any URL lands on it, and no data is read. Without accounts: local single-user mode.
viewer = ui_auth.current_viewer()
if viewer is None:
    # The sign-in form answers at every page's URL, so a shared link opens it (then, once signed in, the page).
    title = "Sign in" if lang == "en" else "サインイン"
    signin_pages = [st.Page(signin.render, title=title, url_path="signin", default=True)]
    signin_pages += [st.Page(signin.render, title=title, url_path=url) for _, url, *_ in PAGES]
    st.navigation(signin_pages, position="hidden").run()
    st.stop()
ui_auth.sidebar_status(viewer, lang)

page = st.navigation(
    [
        st.Page(path, title=en if lang == "en" else ja, icon=icon, url_path=url, default=i == 0)
        for i, (path, url, ja, en, icon) in enumerate(PAGES)
        if viewer.has(PAGE_PERMISSIONS.get(url, "view"))
    ],
)
st.set_page_config(page_title=f"{page.title} | {t('app.title', lang)}")

# The shared filters (ui/sidebar.py): kept in the URL, left in st.session_state["filters"] for the pages,
# which read them with ui.current_filters().
linked = Filters.from_query_params(st.query_params.to_dict())
filters = sidebar_filters(lang)
# A shared or crafted link may name a municipality outside the viewer's prefecture: the sidebar does not offer
# it, and it is dropped here in any case (the engine would refuse it anyway; analytics/access/scope.py).
st.session_state[FILTERS_KEY] = clamp_filters(viewer, filters)
if clamp_filters(viewer, linked) != linked:
    with st.sidebar:
        st.caption(ui_auth.tr("denied.municipality", lang))

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

try:
    page.run()
except DatabaseBusyError:
    # A long load from the command line holds the file for writing; say so instead of a traceback.
    st.warning(t("sidebar.db_busy", lang), icon=":material/hourglass_top:")
except ScopeError as exc:
    # A link or selection asked for municipal detail outside the viewer's prefecture (analytics/access/scope.py).
    st.warning(ui_auth.tr("denied.scope", lang, message=str(exc)), icon=":material/lock:")
except facts.FactsStaleError as exc:
    # The database changed under the running app (the start-up rebuild above keeps the usual case away):
    # rebuild on a short writable connection and show the page again; no number is shown from stale facts.
    try:
        rebuilt = facts.rebuild_if_stale(db_path, wait_seconds=10.0)
    except DatabaseBusyError:
        rebuilt = False
    if rebuilt:
        st.rerun()
    st.error(str(exc), icon=":material/sync_problem:")
