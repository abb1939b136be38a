"""Sign-in, roles and scope in the running app (AppTest with accounts in its secrets).

An unauthenticated session sees only the sign-in page whatever it asks for; a planner's crafted link cannot show
another prefecture's municipal rows; a manager's CSV downloads have small cells suppressed; every sign-in,
failure and download lands in the audit log; without accounts the app says it runs in local mode.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from analytics import config, db
from analytics.access import audit, auth
from analytics.sample import seed

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 90
PASSWORDS = {"admin": "admin-pass-1234", "aomori": "aomori-pass-1234", "tokyo_mgr": "tokyo-pass-1234",
             "ana": "analyst-pass-1234"}  # fmt: skip
ROLES = {
    "admin": ("admin", None),
    "aomori": ("planner", "02"),
    "tokyo_mgr": ("manager", "13"),
    "ana": ("analyst", None),
}


def _users() -> dict:
    users = {}
    for name, (role, pref) in ROLES.items():
        entry = {"role": role, "password_hash": auth.hash_password(PASSWORDS[name], n=2**10)}
        if pref:
            entry["prefecture_code"] = pref
        users[name] = entry
    users["boss@pref.example.lg.jp"] = {"role": "manager", "prefecture_code": "02"}
    return users


USERS = _users()
OIDC = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "c" * 48,
    "client_id": "dashboard",
    "client_secret": "s",
    "server_metadata_url": "https://idp.example/.well-known/openid-configuration",
}


@pytest.fixture
def data_dir(seeded_db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the seeded database (sign-ins write audit events; the session's copy stays untouched)."""
    target = tmp_path / "data"
    shutil.copytree(seeded_db_path.parent, target)
    monkeypatch.setenv(config.DATA_DIR_ENV, str(target))
    monkeypatch.setenv(config.DB_PATH_ENV, str(target / config.DB_FILE_NAME))
    monkeypatch.delenv(config.SECRET_PATH_ENV, raising=False)
    monkeypatch.setenv(seed.SEED_ENV, "0")
    return target


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """Bytes of every download button rendered, by the media file id in its URL."""
    seen: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def capture(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        if isinstance(path_or_data, bytes):
            seen[file_id] = path_or_data
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", capture)
    return seen


def new_app(*, secrets: dict | None = None, page: str | None = None, **params: str) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=TIMEOUT)
    at.secrets["auth"] = {"users": USERS} if secrets is None else secrets
    for key, value in params.items():
        at.query_params[key] = value
    if page:
        at.switch_page(page)  # before the first run: what a typed-in URL asks for
    return at


def sign_in(at: AppTest, username: str, password: str | None = None) -> AppTest:
    if not at.text_input:
        at.run()
    at.text_input(key="signin.username").input(username)
    at.text_input(key="signin.password").input(PASSWORDS.get(username, "") if password is None else password)
    next(b for b in at.button if b.label == "サインイン").click()
    return at.run()


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def everything_shown(at: AppTest) -> str:
    """Tables, charts (their data travels in the Plotly or Vega-Lite spec) and text of the page."""
    parts = [df.value.to_csv() for df in at.dataframe]
    parts += [json.dumps(json.loads(el.proto.spec), ensure_ascii=False)
              for el in [*at.get("plotly_chart"), *at.get("arrow_vega_lite_chart")]]
    parts += [el.value for el in [*at.markdown, *at.caption, *at.info, *at.warning]]
    return " ".join(parts)


def events(data_dir: Path) -> pd.DataFrame:
    con = db.connect(data_dir / config.DB_FILE_NAME, read_only=True)
    try:
        return audit.list_events(con)
    finally:
        con.close()


# -- signed out ----------------------------------------------------------------------------------


@pytest.mark.parametrize("page", [None, "pages/regions.py", "pages/upload.py", "pages/audit.py"])
def test_an_unauthenticated_session_sees_only_the_sign_in_page(data_dir, page):
    at = new_app(page=page, pref="13", muni="13101").run()
    assert not at.exception
    assert titles(at) == ["サインイン"]
    assert not at.dataframe and not at.metric and not at.get("plotly_chart") and not at.get("download_button")
    assert not at.get("arrow_vega_lite_chart")
    assert not at.selectbox  # no sidebar filters, nothing read from the data
    assert not at.get("page_link")  # no menu either
    # the page's own URL (Streamlit runs pages/<name>.py alone) shows the sign-in form: its first call is the frame
    assert [w.key for w in at.text_input] == ["signin.username", "signin.password"]


def test_signing_in_at_a_pages_url_opens_that_page(data_dir):
    at = sign_in(new_app(page="pages/regions.py", pref="02"), "aomori")
    assert not at.exception, [e.value for e in at.exception]
    assert titles(at) == ["地域"]
    assert at.session_state["filters"].prefecture_code == "02"


def test_a_wrong_password_is_refused_and_recorded(data_dir):
    at = sign_in(new_app(), "aomori", "not-the-password")
    assert titles(at) == ["サインイン"]
    assert [e.value for e in at.error] == ["ユーザー名またはパスワードが違います。"]
    log = events(data_dir)
    assert list(log["action"]) == ["sign_in_failed"] and log.iloc[0]["username"] == "aomori"
    assert "not-the-password" not in log.to_csv()  # passwords never reach the log


def test_five_failures_lock_the_account_even_for_the_right_password(data_dir):
    at = new_app()
    for i in range(5):
        sign_in(at, "aomori", f"wrong-{i}")
    sign_in(at, "aomori")
    assert titles(at) == ["サインイン"]
    assert "まで受け付けません" in at.error[0].value


# -- signed in -----------------------------------------------------------------------------------


def test_sign_in_opens_the_dashboard_and_sign_out_closes_it(data_dir):
    at = sign_in(new_app(), "aomori")
    assert not at.exception, [e.value for e in at.exception]
    assert titles(at) == ["概要"]
    assert any("サインイン中" in c.value and "企画担当" in c.value for c in at.sidebar.caption)
    next(b for b in at.sidebar.button if b.key == "auth.sign_out").click()
    at.run()
    assert titles(at) == ["サインイン"]
    assert list(events(data_dir)["action"]) == ["sign_out", "sign_in"]


def menu(at: AppTest) -> list[str]:
    """The pages linked from the sidebar menu (ui/shell.py), by URL."""
    return [link.proto.page for link in at.sidebar.get("page_link")]


def test_pages_a_role_may_not_use_are_not_in_its_menu(data_dir):
    planner = sign_in(new_app(), "aomori")
    assert menu(planner) == ["overview", "progress", "regions", "groups", "municipal-platforms", "quality",
                             "definitions"]  # fmt: skip
    for page in ("pages/upload.py", "pages/history.py", "pages/reports.py", "pages/audit.py"):
        planner.switch_page(page).run()  # typed in by hand: the page refuses
        assert not planner.exception, [e.value for e in planner.exception]
        assert [w.value for w in planner.warning] == ["このページを見る権限がありません。"], page
        assert not planner.dataframe and not planner.get("file_uploader") and not planner.get("download_button")
    planner.switch_page("pages/regions.py").run()
    assert titles(planner) == ["地域"]
    manager = sign_in(new_app(), "tokyo_mgr")
    assert "reports" in menu(manager) and "upload" not in menu(manager)
    manager.switch_page("pages/reports.py").run()
    assert not manager.exception
    admin = sign_in(new_app(), "admin")
    assert len(menu(admin)) == 11
    admin.switch_page("pages/audit.py").run()
    assert titles(admin) == ["監査ログ"]
    assert set(events(data_dir)["username"]) >= {"aomori", "tokyo_mgr", "admin"}


def test_a_planners_crafted_link_cannot_show_another_prefectures_municipal_rows(data_dir):
    at = sign_in(new_app(pref="13", muni="13101"), "aomori")
    assert not at.exception, [e.value for e in at.exception]
    filters = at.session_state["filters"]
    assert filters.prefecture_code == "13" and filters.municipality_code is None
    assert any("担当の都道府県の外" in c.value for c in at.sidebar.caption)
    at.switch_page("pages/regions.py").run()
    assert not at.exception, [e.value for e in at.exception]
    # the prefecture's aggregates are there; its municipalities are not
    shown = everything_shown(at)
    assert "東京都" in shown
    assert not re.search(r"(?<!\d)13\d{3}(?!\d)", shown), "a Tokyo municipality code is on the page"
    for name in ("千代田区", "八王子市", "新宿区"):
        assert name not in shown
    assert any("市区町村別の数値は表示できません" in w.value for w in [*at.warning, *at.info])


def test_the_planners_own_prefecture_shows_its_municipalities(data_dir):
    at = sign_in(new_app(pref="02"), "aomori")
    at.switch_page("pages/regions.py").run()
    assert not at.exception
    assert re.search(r"(?<!\d)02\d{3}(?!\d)", everything_shown(at)), "no Aomori municipality on the page"


def test_a_managers_csv_download_has_small_cells_suppressed(data_dir, downloads):
    at = sign_in(new_app(pref="13", fy="2023"), "tokyo_mgr")
    at.switch_page("pages/regions.py").run()
    assert not at.exception, [e.value for e in at.exception]
    button = next(b for b in at.get("download_button") if b.proto.label and "regions.muni" in b.id)
    data = downloads[button.proto.url.rsplit("/", 1)[1].split(".")[0]]
    table = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str)
    assert table["コード"].str.startswith("13").all()
    for col in ("分子", "分母"):  # numerator and denominator of the rate, per municipality
        numbers = pd.to_numeric(table[col], errors="coerce")
        assert not ((numbers > 0) & (numbers < 10)).any(), col
    assert (table["分母"] == "x").any(), "a municipal table of one prefecture and year has small cells"
    hidden = table["分母"] == "x"
    assert (table.loc[hidden, table.columns[2]] == "x").all()  # the rate on a hidden base is hidden too


def test_an_analyst_download_is_not_suppressed(data_dir, downloads):
    at = sign_in(new_app(pref="13", fy="2023"), "ana")
    at.switch_page("pages/regions.py").run()
    button = next(b for b in at.get("download_button") if "regions.muni" in b.id)
    data = downloads[button.proto.url.rsplit("/", 1)[1].split(".")[0]]
    assert b",x," not in data and b",x\r\n" not in data


# -- identity provider and local mode -------------------------------------------------------------


def test_identity_provider_users_get_the_role_their_email_has(data_dir):
    at = new_app(secrets={**OIDC, "users": USERS})
    at.user = {"is_logged_in": True, "email": "Boss@pref.example.lg.jp", "name": "課長"}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert titles(at) == ["概要"]
    assert any("boss@pref.example.lg.jp" in c.value for c in at.sidebar.caption)
    log = events(data_dir)
    assert list(log["action"]) == ["sign_in"] and '"oidc"' in log.iloc[0]["details"]


def test_identity_provider_users_without_a_role_see_why(data_dir):
    at = new_app(secrets={**OIDC, "users": USERS})
    at.user = {"is_logged_in": True, "email": "stranger@example.com"}
    at.run()
    assert titles(at) == ["サインイン"]
    assert "権限が割り当てられていません" in at.error[0].value
    signed_out = new_app(secrets={**OIDC, "users": USERS}).run()
    assert any(b.label.startswith("組織のアカウントでサインイン") for b in signed_out.button)


def test_without_accounts_the_sidebar_says_local_mode(data_dir):
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=TIMEOUT).run()
    assert titles(at) == ["概要"]
    assert any("ローカル利用モード" in c.value for c in at.sidebar.caption)


def test_every_page_file_checks_the_viewer_before_anything_else():
    """Streamlit can run a page file without app.py (old-style pages/ URL): its first call must be the gate."""
    import ast

    for path in sorted((PROJECT_ROOT / "pages").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [node for node in tree.body if not isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef))
                 and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]  # fmt: skip
        gate = next((i for i, node in enumerate(calls) if "require" in ast.unparse(node)), None)
        assert gate is not None, f"{path.name} never calls ui.auth.require_viewer()/require()"
        before = [ast.unparse(n) for n in calls[:gate]]
        assert all(line.startswith(("lang =", "viewer =")) or "lang_or_default" in line for line in before), (
            path.name,
            before,
        )


def test_only_admins_roll_back_and_the_rollback_is_recorded(data_dir):
    analyst = sign_in(new_app(), "ana")
    analyst.switch_page("pages/history.py").run()
    assert not analyst.exception
    assert not [b for b in analyst.button if b.key == "history.rollback"]
    admin = sign_in(new_app(), "admin")
    admin.switch_page("pages/history.py").run()
    next(b for b in admin.button if b.key == "history.rollback").click()
    admin.run()
    next(b for b in admin.button if b.key == "history.rollback_confirm").click()
    admin.run()
    assert not admin.exception, [e.value for e in admin.exception]
    log = events(data_dir)
    rollback = log[log["action"] == "rollback"]
    assert len(rollback) == 1 and rollback.iloc[0]["username"] == "admin"
    assert rollback.iloc[0]["scope"].startswith("batch:") and '"removed"' in rollback.iloc[0]["details"]


def test_a_manager_reports_on_the_nation_or_their_prefecture_with_the_threshold_kept(data_dir):
    at = sign_in(new_app(), "tokyo_mgr")
    at.switch_page("pages/reports.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert list(at.selectbox(key="report_prefecture").options) == ["全国", "東京都"]
    threshold = at.number_input(key="report_threshold")
    assert threshold.min == 10 and threshold.value == 10


def test_admins_see_and_export_the_audit_log(data_dir, downloads):
    sign_in(new_app(), "aomori", "wrong")
    at = sign_in(new_app(), "admin")
    at.switch_page("pages/audit.py").run()
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    shown = at.dataframe[0].value
    assert {"sign_in", "sign_in_failed"} <= set(shown["種類コード"]) and "サインイン失敗" in set(shown["種類"])
    button = at.get("download_button")[0]
    data = downloads[button.proto.url.rsplit("/", 1)[1].split(".")[0]].decode("utf-8-sig")
    assert "sign_in_failed" in data and "サインイン失敗" in data and "aomori" in data


# -- a page run without app.py (issue 15): the URL's filters are clamped all the same ------------------------


def _filters_probe() -> None:
    import streamlit as st

    import ui

    st.session_state["probe"] = ui.current_filters()


def _probe(viewer: auth.Viewer | None, **params: str):
    at = AppTest.from_function(_filters_probe, default_timeout=TIMEOUT)
    at.secrets["auth"] = {"users": USERS}
    if viewer is not None:
        from ui.auth import VIEWER_KEY

        at.session_state[VIEWER_KEY] = viewer
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at.session_state["probe"]


def test_current_filters_clamps_the_urls_filters_when_app_py_did_not_run(data_dir):
    planner = auth.Viewer("aomori", "planner", "02")
    crafted = _probe(planner, pref="13", muni="13101")
    assert crafted.prefecture_code == "13" and crafted.municipality_code is None  # the prefecture's totals stay open
    assert _probe(planner, muni="02201").municipality_code == "02201"  # own prefecture: kept
    assert _probe(auth.Viewer("ana", "analyst"), pref="13", muni="13101").municipality_code == "13101"
    assert _probe(None, pref="13", muni="13101").municipality_code is None  # nobody signed in: never municipal


def test_a_page_file_run_on_its_own_shows_no_other_prefectures_municipality(data_dir):
    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / "groups.py"), default_timeout=TIMEOUT)
    at.secrets["auth"] = {"users": USERS}
    from ui.auth import VIEWER_KEY

    at.session_state[VIEWER_KEY] = auth.Viewer("aomori", "planner", "02")
    at.query_params["pref"] = "13"
    at.query_params["muni"] = "13118"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    shown = everything_shown(at)
    assert "荒川区" not in shown and "13118" not in shown
