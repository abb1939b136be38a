"""Accounts, password hashes, roles and sign-in throttling (analytics/access/auth.py)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from analytics import db
from analytics.access import auth
from analytics.access.auth import ROLES, User, Viewer

FAST = {"n": 2**10}  # a cheap scrypt cost for tests; the stored parameters travel with the hash


def fast_hash(password: str) -> str:
    return auth.hash_password(password, **FAST)


@pytest.fixture
def con(tmp_path):
    connection = db.connect(tmp_path / "auth.duckdb")
    yield connection
    connection.close()


@pytest.fixture
def users():
    return auth.load_users(
        {
            "admin": {"password_hash": fast_hash("admin-secret-pw"), "role": "admin"},
            "Aomori": {
                "password_hash": fast_hash("aomori-secret-pw"),
                "role": "planner",
                "prefecture_code": "2",
                "display_name": "青森県 企画担当",
            },
            "boss@pref.example.lg.jp": {"role": "manager", "prefecture_code": "02"},
        }
    )


# -- hashes ------------------------------------------------------------------------------------


def test_password_hash_is_salted_scrypt_and_verifies():
    first, second = auth.hash_password("correct horse"), auth.hash_password("correct horse")
    assert first.startswith("scrypt$32768$8$3$") and len(first.split("$")) == 6
    assert first != second  # a new salt each time
    assert "correct horse" not in first
    assert auth.verify_password("correct horse", first) and auth.verify_password("correct horse", second)
    assert not auth.verify_password("correct horsE", first)
    assert not auth.verify_password("", first)


@pytest.mark.parametrize(
    "stored",
    [
        None,
        "",
        "plain-text-password",
        "scrypt$1$2$3",
        "scrypt$x$8$1$AA==$AA==",
        "scrypt$1024$8$1$!!!$AA==",
        "scrypt$1024$8$1$AA==$",
        "md5$abc",
        "scrypt$4294967296$8$1$AA==$AA==",
        "pbkdf2_sha256$0$AA==$AA==",
    ],
)
def test_malformed_hashes_never_verify_and_never_raise(stored):
    assert auth.verify_password("anything", stored) is False


def test_pbkdf2_hashes_verify_too():
    import base64
    import hashlib

    salt = b"0123456789abcdef"
    key = hashlib.pbkdf2_hmac("sha256", b"pw-12345678", salt, 1000)
    stored = f"pbkdf2_sha256$1000${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"
    assert auth.verify_password("pw-12345678", stored)
    assert not auth.verify_password("pw-12345679", stored)


def test_comparison_is_constant_time(monkeypatch):
    calls = []
    real = auth.hmac.compare_digest
    monkeypatch.setattr(auth.hmac, "compare_digest", lambda a, b: calls.append(1) or real(a, b))
    auth.verify_password("x", fast_hash("y"))
    assert calls == [1]


def test_hash_password_cli_prints_a_hash_that_verifies():
    out = subprocess.run(
        [sys.executable, "-m", "analytics", "hash-password", "--stdin"],
        input="a long passphrase\n",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert auth.verify_password("a long passphrase", out)
    short = subprocess.run(
        [sys.executable, "-m", "analytics", "hash-password", "--stdin"], input="short\n", capture_output=True, text=True
    )
    assert short.returncode == 2 and "12 文字以上" in short.stderr


# -- accounts ----------------------------------------------------------------------------------


def test_accounts_load_with_lower_case_names_and_padded_prefecture(users):
    assert set(users) == {"admin", "aomori", "boss@pref.example.lg.jp"}
    assert users["aomori"].prefecture_code == "02"
    assert users["boss@pref.example.lg.jp"].password_hash is None


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ({"password_hash": "x", "role": "admin"}, "ハッシュ"),  # a plain password is refused
        ({"role": "superuser"}, "role"),
        ({"role": "planner"}, "prefecture_code"),  # planner needs a prefecture
        ({"role": "manager", "prefecture_code": "99"}, "都道府県コード"),
    ],
)
def test_unusable_account_settings_are_refused_with_a_japanese_message(entry, words):
    with pytest.raises(auth.AuthConfigError, match=words):
        auth.load_users({"someone": entry})


def test_accounts_and_providers_decide_whether_sign_in_is_required():
    assert not auth.accounts_configured(None) and not auth.accounts_configured({})
    assert auth.accounts_configured({"users": {"a": {"role": "admin"}}})
    oidc = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "s" * 32,
        "client_id": "id",
        "client_secret": "x",
        "server_metadata_url": "https://idp/.well-known/openid-configuration",
    }
    assert auth.oidc_providers(oidc) == ["default"] and auth.accounts_configured(oidc)
    named = {"redirect_uri": "r", "cookie_secret": "c", "microsoft": {"client_id": "id"}, "users": {}}
    assert auth.oidc_providers(named) == ["microsoft"]
    assert auth.oidc_providers({"client_id": "id"}) == []  # without redirect_uri and cookie_secret: not usable


def test_identity_provider_accounts_match_by_email_and_cannot_claim_local_accounts(users):
    viewer = auth.identity_viewer(users, "Boss@Pref.Example.LG.JP")
    assert viewer == Viewer("boss@pref.example.lg.jp", "manager", "02")
    assert auth.identity_viewer(users, "admin") is None  # a password account
    assert auth.identity_viewer(users, "stranger@example.com") is None
    assert auth.identity_viewer(users, None) is None


# -- roles -------------------------------------------------------------------------------------

EXPECTED_PERMISSIONS = {
    # role: upload, rollback, download_reports, see_small_cells, view_audit, all_municipalities
    "admin": (True, True, True, True, True, True),
    "analyst": (True, False, True, True, False, True),
    "planner": (False, False, False, True, False, False),
    "manager": (False, False, True, False, False, False),
}


@pytest.mark.parametrize("role", ROLES)
def test_role_permissions(role):
    v = Viewer("u", role, "02")
    got = (
        v.can_upload,
        v.can_rollback,
        v.can_download_reports,
        v.can_see_small_cells,
        v.can_view_audit,
        v.municipal_prefectures is None,
    )
    assert got == EXPECTED_PERMISSIONS[role]
    assert v.can_download_data


def test_municipal_scope_per_role():
    assert Viewer("p", "planner", "02").municipal_prefectures == {"02"}
    assert Viewer("m", "manager", "13").can_see_municipalities_of("13")
    assert not Viewer("m", "manager", "13").can_see_municipalities_of("02")
    assert not Viewer("m", "manager", "13").can_see_municipalities_of(None)
    assert Viewer("a", "analyst").can_see_municipalities_of("47")
    assert Viewer.local().local_mode and Viewer.local().municipal_prefectures is None
    with pytest.raises(ValueError, match="役割"):
        Viewer("x", "root")


# -- sign-in and throttling --------------------------------------------------------------------


def test_sign_in_with_the_right_password(con, users):
    result = auth.sign_in(con, users, " AOMORI ", "aomori-secret-pw", "10.0.0.1")
    assert result.ok and result.viewer == Viewer("aomori", "planner", "02", display_name="青森県 企画担当")


def test_wrong_password_and_unknown_account_get_the_same_answer(con, users):
    wrong = auth.sign_in(con, users, "aomori", "nope", "10.0.0.1")
    unknown = auth.sign_in(con, users, "nobody", "nope", "10.0.0.2")
    assert not wrong.ok and not unknown.ok
    assert wrong.message() == unknown.message() == "ユーザー名またはパスワードが違います。"
    # an identity-provider account has no password: it can never sign in with one
    assert not auth.sign_in(con, users, "boss@pref.example.lg.jp", "", "10.0.0.3").ok


def test_five_failures_lock_the_account_with_growing_backoff(con, users):
    t0 = dt.datetime(2026, 1, 5, 9, 0, 0)
    for i in range(4):
        assert auth.sign_in(con, users, "aomori", f"bad{i}", f"10.0.1.{i}", now=t0).reason == "bad_credentials"
    fifth = auth.sign_in(con, users, "aomori", "bad4", "10.0.1.9", now=t0)
    assert fifth.reason == "locked" and fifth.throttle.locked_until == t0 + dt.timedelta(minutes=1)
    assert "09:01:00 まで" in fifth.message()
    # locked: even the right password is refused, from any client, until the lockout ends
    during = auth.sign_in(con, users, "aomori", "aomori-secret-pw", "10.9.9.9", now=t0 + dt.timedelta(seconds=30))
    assert during.reason == "locked"
    after = auth.sign_in(con, users, "aomori", "bad5", "10.0.1.10", now=t0 + dt.timedelta(minutes=2))
    assert after.reason == "locked" and after.throttle.locked_until == t0 + dt.timedelta(minutes=4)  # 6th: 2 min
    ok = auth.sign_in(con, users, "aomori", "aomori-secret-pw", "10.0.1.11", now=t0 + dt.timedelta(minutes=5))
    assert ok.ok
    # success clears the account's count
    assert auth.check_throttle(con, "aomori", now=t0 + dt.timedelta(minutes=5)).allowed
    assert auth.check_throttle(con, "aomori", now=t0 + dt.timedelta(minutes=5)).failures == 0


def test_one_client_trying_many_accounts_is_locked_out_at_the_address_count(con, users):
    """Guessing across accounts from one address: the address is throttled, at the much higher count."""
    t0 = dt.datetime(2026, 1, 5, 9, 0, 0)
    limit = auth.DEFAULT_POLICY.client_max_failures
    assert limit == 50
    for i in range(limit - 1):
        auth.sign_in(con, users, f"guess{i}", "pw", "192.0.2.7", now=t0)
    assert auth.sign_in(con, users, "admin", "admin-secret-pw", "192.0.2.7", now=t0 + dt.timedelta(seconds=1)).ok
    last = auth.sign_in(con, users, "guess-last", "pw", "192.0.2.7", now=t0 + dt.timedelta(seconds=2))
    assert last.reason == "locked" and last.throttle.failures == limit
    blocked = auth.sign_in(con, users, "aomori", "aomori-secret-pw", "192.0.2.7", now=t0 + dt.timedelta(seconds=5))
    assert blocked.reason == "locked"
    # the same account from another address is fine (its own counts are zero)
    assert auth.sign_in(con, users, "aomori", "aomori-secret-pw", "192.0.2.8", now=t0 + dt.timedelta(seconds=5)).ok


def test_a_colleagues_typos_do_not_lock_out_another_account_at_the_same_address(con, users):
    """The office case: one person mistypes six times; the next person at the same address signs in."""
    t0 = dt.datetime(2026, 1, 5, 9, 0, 0)
    office = "203.0.113.10"
    for i in range(6):
        auth.sign_in(con, users, "aomori", f"typo{i}", office, now=t0 + dt.timedelta(seconds=i))
    # the colleague's own account is locked (the per-account lockout is unchanged) ...
    assert auth.sign_in(con, users, "aomori", "aomori-secret-pw", office, now=t0 + dt.timedelta(seconds=10)
                        ).reason == "locked"  # fmt: skip
    # ... but another account from the same address is not
    assert auth.sign_in(con, users, "admin", "admin-secret-pw", office, now=t0 + dt.timedelta(seconds=10)).ok


def test_the_account_address_pair_locks_at_the_normal_count(con):
    t0 = dt.datetime(2026, 1, 5, 9, 0, 0)
    # a per-account limit raised above the pair's: the pair still locks at its own (normal) count
    policy = auth.ThrottlePolicy(max_failures=20, pair_max_failures=5)
    for _ in range(5):
        auth.record_failure(con, "aomori", "10.2.2.2", now=t0)
    assert not auth.check_throttle(con, "aomori", "10.2.2.2", policy=policy, now=t0).allowed
    assert auth.check_throttle(con, "aomori", "10.2.2.3", policy=policy, now=t0).allowed
    assert auth.check_throttle(con, "admin", "10.2.2.2", policy=policy, now=t0).allowed


def test_success_clears_the_account_and_the_pair_but_not_the_address_count(con, users):
    t0 = dt.datetime(2026, 1, 5, 9, 0, 0)
    address = "198.51.100.4"

    def count(kind, key):
        return con.execute("select count(*) from sign_in_failures where key_kind = ? and key = ?",
                           [kind, key]).fetchone()[0]  # fmt: skip

    for i in range(3):
        auth.sign_in(con, users, "admin", f"wrong{i}", address, now=t0)
    for i in range(4):
        auth.sign_in(con, users, f"other{i}", "pw", address, now=t0)
    assert (count("user", "admin"), count("pair", f"admin|{address}"), count("client", address)) == (3, 3, 7)
    assert auth.sign_in(con, users, "admin", "admin-secret-pw", address, now=t0 + dt.timedelta(seconds=1)).ok
    assert (count("user", "admin"), count("pair", f"admin|{address}"), count("client", address)) == (0, 0, 7)
    # an attacker holding one valid account cannot reset the address count by signing in between guesses
    policy = auth.ThrottlePolicy(client_max_failures=10)
    for i in range(2):  # 8, 9 failures from the address
        auth.sign_in(con, users, f"guess{i}", "pw", address, policy=policy, now=t0 + dt.timedelta(seconds=2))
        assert auth.sign_in(con, users, "admin", "admin-secret-pw", address, policy=policy,
                            now=t0 + dt.timedelta(seconds=3)).ok  # fmt: skip
    assert count("client", address) == 9
    auth.sign_in(con, users, "guess-10th", "pw", address, policy=policy, now=t0 + dt.timedelta(seconds=3))
    assert auth.sign_in(con, users, "admin", "admin-secret-pw", address, policy=policy,
                        now=t0 + dt.timedelta(seconds=4)).reason == "locked"  # fmt: skip


def test_the_address_limit_is_configurable(monkeypatch):
    assert auth.default_policy().client_max_failures == 50
    monkeypatch.setenv(auth.ADDRESS_LIMIT_ENV, "200")
    assert auth.default_policy().client_max_failures == 200
    monkeypatch.setenv(auth.ADDRESS_LIMIT_ENV, "2")  # below the per-account count: ignored
    assert auth.default_policy().client_max_failures == 50


def test_failures_outside_the_window_do_not_count(con):
    t0 = dt.datetime(2026, 1, 5, 9, 0, 0)
    for i in range(4):
        auth.record_failure(con, "aomori", now=t0 + dt.timedelta(minutes=i))
    later = t0 + dt.timedelta(minutes=40)
    auth.record_failure(con, "aomori", now=later)
    assert auth.check_throttle(con, "aomori", now=later).allowed


def test_lockout_is_stored_in_the_database_and_survives_a_restart(tmp_path, users):
    path = tmp_path / "shared.duckdb"
    now = dt.datetime.now()
    first = db.connect(path)
    for i in range(5):
        auth.sign_in(first, users, "admin", f"wrong{i}", "10.1.1.1", now=now)
    first.close()
    # a new process (here: a new connection after the first closed) sees the lock
    code = (
        "import datetime as dt, sys; from analytics import db; from analytics.access import auth;"
        "con = db.connect(sys.argv[1]);"
        "print(auth.check_throttle(con, 'admin').allowed)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_policy_backoff_is_capped():
    policy = auth.ThrottlePolicy()
    assert policy.lockout_for(4) == dt.timedelta(0)
    assert policy.lockout_for(5) == dt.timedelta(minutes=1)
    assert policy.lockout_for(7) == dt.timedelta(minutes=4)
    assert policy.lockout_for(50) == dt.timedelta(hours=1)


def test_users_from_secrets_file_and_cli_viewer(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        f'[auth.users.aomori]\npassword_hash = "{fast_hash("pw-123456789")}"\nrole = "planner"\n'
        'prefecture_code = "02"\n',
        encoding="utf-8",
    )
    users = auth.users_from_secrets_file(secrets)
    assert auth.viewer_for(users, "Aomori") == Viewer("aomori", "planner", "02")
    with pytest.raises(auth.AuthConfigError):
        auth.viewer_for(users, "tokyo")
    assert auth.users_from_secrets_file(tmp_path / "missing.toml") == {}


def test_users_are_frozen_records(users):
    assert isinstance(users["admin"], User)
    with pytest.raises(AttributeError):
        users["admin"].role = "planner"  # type: ignore[misc]
