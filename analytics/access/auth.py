"""Who may use the dashboard: accounts, password hashes, roles, sign-in throttling and the signed-in ``Viewer``.

No streamlit here. The app reads the accounts from Streamlit's secrets (``st.secrets["auth"]["users"]``)
and passes that mapping to :func:`load_users`; tests and the CLI pass a plain dict::

    [auth.users.aomori_planner]
    password_hash = "scrypt$32768$8$1$<salt>$<hash>"   # python -m analytics hash-password
    role = "planner"                                   # admin | analyst | planner | manager
    prefecture_code = "02"                             # required for planner and manager
    display_name = "青森県 企画担当"

    [auth.users."tanaka@pref.example.lg.jp"]           # an identity-provider (st.login) account:
    role = "manager"                                   # no password_hash; matched by e-mail
    prefecture_code = "02"

No accounts configured = local single-user mode (one person on their own machine, full rights).
Passwords are stored only as salted scrypt hashes (:func:`hash_password`), compared in constant time.
Sign-in failures are counted in the database (table ``sign_in_failures``), per account, per (account, address)
pair and per address (at a much higher count), so a lockout survives restarts and holds across server
processes (:func:`check_throttle`, :class:`ThrottlePolicy`).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from analytics import config

# ---------------------------------------------------------------------------------------------
# Roles and what each may do
# ---------------------------------------------------------------------------------------------

ROLES: tuple[str, ...] = ("admin", "analyst", "planner", "manager")
ROLE_LABELS: dict[str, tuple[str, str]] = {
    "admin": ("管理者", "Administrator"),
    "analyst": ("分析担当", "Analyst"),
    "planner": ("企画担当", "Planner"),
    "manager": ("管理職", "Manager"),
}
# Roles whose municipal detail is limited to their own prefecture (analytics/access/scope.py applies it).
PREFECTURE_SCOPED_ROLES: frozenset[str] = frozenset({"planner", "manager"})

# permission -> roles that hold it. docs/security.md shows this table; tests/access/test_auth.py pins it.
PERMISSIONS: dict[str, frozenset[str]] = {
    "view": frozenset(ROLES),
    "download_data": frozenset(ROLES),  # CSV of what the page shows (within scope)
    "download_reports": frozenset({"admin", "analyst", "manager"}),
    "upload": frozenset({"admin", "analyst"}),  # データ取込, 取込履歴, quarantine rows
    "rollback": frozenset({"admin"}),
    "see_small_cells": frozenset({"admin", "analyst", "planner"}),  # manager: suppressed in downloads
    "all_municipalities": frozenset({"admin", "analyst"}),
    "view_audit": frozenset({"admin"}),
    "manage_users": frozenset({"admin"}),
}


@dataclass(frozen=True)
class Viewer:
    """The person the app or a CLI call acts for; every analytics call that takes ``viewer=`` obeys it.

    ``prefecture_code`` is the planner's or manager's own prefecture (2 digits). ``local_mode`` is the
    single-user mode used when no accounts are configured: full rights, nobody signed in.
    """

    username: str
    role: str
    prefecture_code: str | None = None
    local_mode: bool = False
    display_name: str | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"役割 {self.role!r} は使えません（{', '.join(ROLES)}）")

    @classmethod
    def local(cls) -> Viewer:
        """The local single-user mode: no accounts configured, everything allowed."""
        return cls(username="local", role="admin", local_mode=True, display_name="ローカル利用")

    def has(self, permission: str) -> bool:
        return self.role in PERMISSIONS[permission]

    @property
    def can_upload(self) -> bool:
        return self.has("upload")

    @property
    def can_rollback(self) -> bool:
        return self.has("rollback")

    @property
    def can_download_data(self) -> bool:
        return self.has("download_data")

    @property
    def can_download_reports(self) -> bool:
        return self.has("download_reports")

    @property
    def can_see_small_cells(self) -> bool:
        return self.has("see_small_cells")

    @property
    def can_view_audit(self) -> bool:
        return self.has("view_audit")

    @property
    def can_manage_users(self) -> bool:
        return self.has("manage_users")

    @property
    def municipal_prefectures(self) -> frozenset[str] | None:
        """Prefectures whose municipal detail this viewer may see: None = all; empty = none."""
        if self.has("all_municipalities"):
            return None
        if self.role in PREFECTURE_SCOPED_ROLES and self.prefecture_code:
            return frozenset({self.prefecture_code})
        return frozenset()

    def can_see_municipalities_of(self, prefecture_code: str | None) -> bool:
        allowed = self.municipal_prefectures
        return allowed is None or (prefecture_code is not None and prefecture_code in allowed)

    def label(self, lang: str = "ja") -> str:
        """'青森県 企画担当（企画担当・02）' style text for the sidebar and the audit log."""
        role = ROLE_LABELS[self.role][1 if lang == "en" else 0]
        name = self.display_name or self.username
        return f"{name}（{role}・{self.prefecture_code}）" if self.prefecture_code else f"{name}（{role}）"

    def scope_text(self) -> str:
        """What this viewer may see, as stored in the audit log: 'all' or 'pref:02'."""
        allowed = self.municipal_prefectures
        if allowed is None:
            return "all"
        return "pref:" + ",".join(sorted(allowed)) if allowed else "aggregates"


# ---------------------------------------------------------------------------------------------
# Accounts
# ---------------------------------------------------------------------------------------------


class AuthConfigError(ValueError):
    """The account configuration (secrets) is unusable; the message says what to fix, in Japanese."""


@dataclass(frozen=True)
class User:
    """One configured account. ``password_hash`` None = signs in through the identity provider only."""

    username: str
    role: str
    password_hash: str | None = None
    prefecture_code: str | None = None
    display_name: str | None = None

    def viewer(self) -> Viewer:
        return Viewer(self.username, self.role, self.prefecture_code, display_name=self.display_name)


def load_users(mapping: Mapping[str, Any] | None) -> dict[str, User]:
    """Accounts from ``st.secrets["auth"]["users"]`` (or a dict): username -> :class:`User`.

    Usernames are matched case-insensitively (stored lower-case: e-mail addresses from an identity
    provider differ in case). Raises :class:`AuthConfigError` for an unknown role, a planner or
    manager without a valid prefecture code, or a password that is not a hash.
    """
    from analytics.text import ui_text

    users: dict[str, User] = {}
    for raw_name, entry in (mapping or {}).items():
        name = str(raw_name).strip().lower()
        if not name or not isinstance(entry, Mapping):
            raise AuthConfigError(f"利用者 {raw_name!r} の設定は [auth.users.名前] の表で書いてください。")
        role = str(entry.get("role", "")).strip()
        if role not in ROLES:
            raise AuthConfigError(f"利用者 {name} の role {role!r} は使えません。使える役割: {', '.join(ROLES)}")
        pref = entry.get("prefecture_code")
        pref = str(pref).strip().zfill(2) if pref not in (None, "") else None
        if pref is not None and pref not in ui_text.prefecture_codes():
            raise AuthConfigError(
                f"利用者 {name} の prefecture_code {pref!r} は都道府県コード（01〜47）ではありません。"
            )
        if role in PREFECTURE_SCOPED_ROLES and pref is None:
            raise AuthConfigError(f"利用者 {name} は {role} なので prefecture_code（01〜47）が必要です。")
        pw = entry.get("password_hash")
        if pw is not None and not _looks_like_hash(str(pw)):
            raise AuthConfigError(
                f"利用者 {name} の password_hash がハッシュの形ではありません。パスワードそのものは書かず、"
                "`python -m analytics hash-password` で作った値を書いてください。"
            )
        users[name] = User(
            name,
            role,
            str(pw) if pw is not None else None,
            pref,
            str(entry["display_name"]) if entry.get("display_name") else None,
        )
    return users


# ---------------------------------------------------------------------------------------------
# Password hashes: scrypt$n$r$p$salt$hash (base64), standard library only
# ---------------------------------------------------------------------------------------------

# scrypt cost: one of OWASP's equivalent minimums (N=2^15, r=8, p=3: 32 MiB, about 0.5 s per check on an
# office server), chosen over N=2^17 / p=1 so that a sign-in does not need 128 MiB.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 3
SALT_BYTES, KEY_BYTES = 16, 32
PBKDF2_ITERATIONS = 600_000  # OWASP 2023 for PBKDF2-HMAC-SHA256 (fallback format)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=length, maxmem=132 * r * (n + p + 2) + 2**20
    )


def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """A salted scrypt hash, ``scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>``; a new random salt every call."""
    if not password:
        raise ValueError("空のパスワードは使えません。")
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(password, salt, n, r, p, KEY_BYTES)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(key)}"


def _looks_like_hash(value: str) -> bool:
    parts = value.split("$")
    return (parts[0] == "scrypt" and len(parts) == 6) or (parts[0] == "pbkdf2_sha256" and len(parts) == 4)


def verify_password(password: str, stored: str | None) -> bool:
    """True when ``password`` matches ``stored`` (scrypt or pbkdf2_sha256 format); compared in constant time.

    A malformed or missing hash is a failed check, never an exception (a typo in the secrets must not
    let anyone in, nor crash the sign-in page).
    """
    if not stored or not isinstance(password, str):
        return False
    try:
        parts = stored.split("$")
        if parts[0] == "scrypt" and len(parts) == 6:
            n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
            if not (2 <= n <= 2**20 and 1 <= r <= 32 and 1 <= p <= 16):
                return False
            salt, expected = base64.b64decode(parts[4], validate=True), base64.b64decode(parts[5], validate=True)
            actual = _scrypt(password, salt, n, r, p, len(expected))
        elif parts[0] == "pbkdf2_sha256" and len(parts) == 4:
            iterations = int(parts[1])
            if not 1 <= iterations <= 10_000_000:
                return False
            salt, expected = base64.b64decode(parts[2], validate=True), base64.b64decode(parts[3], validate=True)
            actual = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations, len(expected))
        else:
            return False
    except (ValueError, TypeError, MemoryError):
        return False
    return bool(expected) and hmac.compare_digest(actual, expected)


# A hash of a random password, checked when the username is unknown so that "no such user" and
# "wrong password" take the same time (no account enumeration by timing).
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
    return _DUMMY_HASH


# ---------------------------------------------------------------------------------------------
# Sign-in throttling (table sign_in_failures, migration 006)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThrottlePolicy:
    """Failures within ``window`` that lock sign-in, counted three ways (``sign_in_failures.key_kind``):

    - ``user``: the account, from any address: ``max_failures`` lock the account everywhere;
    - ``pair``: the account from one address: ``pair_max_failures`` (the normal count) lock that pair;
    - ``client``: the address, across accounts: only ``client_max_failures`` (much higher: an office or a
      municipality's network shares one address) lock the address for every account. So one colleague's
      typos do not keep the next person at the same address out, while guessing many accounts from one
      address is still stopped.

    The lockout starts at ``base_lockout`` after the last failure once a count reaches its limit and doubles
    with every further failure (5 → 1 min, 6 → 2 min, 7 → 4 min ...) up to ``max_lockout``. A successful
    sign-in clears the account's and that (account, address) pair's failures, never the address count: an
    attacker with one valid account must not reset it. ``$HYOGAKI_SIGNIN_ADDRESS_LIMIT`` sets
    ``client_max_failures`` for the app (:func:`default_policy`).
    """

    max_failures: int = 5
    window: dt.timedelta = dt.timedelta(minutes=30)
    base_lockout: dt.timedelta = dt.timedelta(minutes=1)
    max_lockout: dt.timedelta = dt.timedelta(hours=1)
    pair_max_failures: int = 5
    client_max_failures: int = 50

    def limit(self, kind: str) -> int:
        """The failure count at which a key of this kind (user | pair | client) is locked."""
        return {"user": self.max_failures, "pair": self.pair_max_failures,
                "client": self.client_max_failures}[kind]  # fmt: skip

    def lockout_for(self, failures: int, limit: int | None = None) -> dt.timedelta:
        limit = self.max_failures if limit is None else limit
        if failures < limit:
            return dt.timedelta(0)
        factor = 2 ** min(failures - limit, 16)
        return min(self.base_lockout * factor, self.max_lockout)


DEFAULT_POLICY = ThrottlePolicy()
ADDRESS_LIMIT_ENV = "HYOGAKI_SIGNIN_ADDRESS_LIMIT"


def default_policy() -> ThrottlePolicy:
    """The app's policy: :data:`DEFAULT_POLICY`, with ``client_max_failures`` from ``$HYOGAKI_SIGNIN_ADDRESS_LIMIT``
    when set to a whole number of at least the per-account count."""
    raw = os.environ.get(ADDRESS_LIMIT_ENV, "").strip()
    if raw.isdigit() and int(raw) >= DEFAULT_POLICY.max_failures:
        return dataclasses.replace(DEFAULT_POLICY, client_max_failures=int(raw))
    return DEFAULT_POLICY


@dataclass(frozen=True)
class Throttle:
    """Whether sign-in is allowed now; ``locked_until`` when it is not."""

    allowed: bool
    locked_until: dt.datetime | None = None
    failures: int = 0

    def message(self, lang: str = "ja") -> str:
        if self.allowed or self.locked_until is None:
            return ""
        at = self.locked_until.strftime("%H:%M:%S")
        return tr("signin.locked", lang, until=at)


def _now() -> dt.datetime:
    return dt.datetime.now()


def _keys(username: str, client: str | None) -> list[tuple[str, str]]:
    """The keys one attempt counts against: the account, and with an address the pair and the address."""
    user = username.strip().lower()
    keys = [("user", user)]
    if client:
        keys += [("pair", f"{user}|{client}"), ("client", client)]
    return keys


def check_throttle(
    con: duckdb.DuckDBPyConnection,
    username: str,
    client: str | None = None,
    *,
    policy: ThrottlePolicy | None = None,
    now: dt.datetime | None = None,
) -> Throttle:
    """Is a sign-in attempt for ``username`` from ``client`` (an IP address) allowed right now?

    Locked when the account, the (account, address) pair or the address has reached its own limit within
    the window (:class:`ThrottlePolicy`); the latest of their lockouts is reported.
    """
    policy = policy or default_policy()
    now = now or _now()
    worst = Throttle(True)
    for kind, key in _keys(username, client):
        failures, last = con.execute(
            "select count(*), max(failed_at) from sign_in_failures where key_kind = ? and key = ? and failed_at > ?",
            [kind, key, now - policy.window],
        ).fetchone()
        if not failures or last is None:
            continue
        until = last + policy.lockout_for(int(failures), policy.limit(kind))
        if until > now and (worst.locked_until is None or until > worst.locked_until):
            worst = Throttle(False, until, int(failures))
    return worst


def record_failure(
    con: duckdb.DuckDBPyConnection, username: str, client: str | None = None, *, now: dt.datetime | None = None
) -> None:
    """Count one failed sign-in against the account, and with an address against the pair and the address."""
    now = now or _now()
    for kind, key in _keys(username, client):
        con.execute("insert into sign_in_failures (key_kind, key, failed_at) values (?, ?, ?)", [kind, key, now])
    # old rows are no longer needed for any window; keep the table small
    con.execute("delete from sign_in_failures where failed_at < ?", [now - dt.timedelta(days=1)])


def clear_failures(con: duckdb.DuckDBPyConnection, username: str, client: str | None = None) -> None:
    """A successful sign-in clears the account's failures and that (account, address) pair's.

    Never the address-wide count: an attacker holding one valid account could otherwise reset it between
    guesses at the others.
    """
    keys = [(kind, key) for kind, key in _keys(username, client) if kind in ("user", "pair")]
    for kind, key in keys:
        con.execute("delete from sign_in_failures where key_kind = ? and key = ?", [kind, key])


# ---------------------------------------------------------------------------------------------
# Sign-in
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignInResult:
    """The outcome of one attempt: ``viewer`` when it succeeded, else ``reason`` (bad_credentials | locked)."""

    viewer: Viewer | None
    reason: str | None = None
    throttle: Throttle | None = None

    @property
    def ok(self) -> bool:
        return self.viewer is not None

    def message(self, lang: str = "ja") -> str:
        if self.ok:
            return ""
        if self.reason == "locked" and self.throttle is not None:
            return self.throttle.message(lang)
        return tr("signin.failed", lang)


def sign_in(
    con: duckdb.DuckDBPyConnection,
    users: Mapping[str, User],
    username: str,
    password: str,
    client: str | None = None,
    *,
    policy: ThrottlePolicy | None = None,
    now: dt.datetime | None = None,
) -> SignInResult:
    """Check a username and password against ``users`` with throttling; records failures in ``con``.

    The same message for an unknown account and a wrong password. A locked account or client is refused
    before the password is checked (and the attempt is not counted again). The caller writes the audit
    event (``analytics.access.audit.record``) with the result.
    """
    policy = policy or default_policy()
    name = (username or "").strip().lower()
    throttle = check_throttle(con, name, client, policy=policy, now=now)
    if not throttle.allowed:
        return SignInResult(None, "locked", throttle)
    user = users.get(name)
    ok = verify_password(password or "", user.password_hash if user and user.password_hash else _dummy_hash())
    if not (ok and user is not None and user.password_hash):
        record_failure(con, name or "(empty)", client, now=now)
        after = check_throttle(con, name, client, policy=policy, now=now)
        return SignInResult(None, "locked" if not after.allowed else "bad_credentials", after)
    clear_failures(con, name, client)
    return SignInResult(user.viewer())


def identity_viewer(users: Mapping[str, User], email: str | None) -> Viewer | None:
    """The viewer for an identity-provider sign-in (``st.user.email``), or None when no account lists it.

    Only accounts without a password hash match: a local account's name cannot be claimed through a
    provider that lets people choose their e-mail address.
    """
    if not email:
        return None
    user = users.get(str(email).strip().lower())
    return user.viewer() if user is not None and user.password_hash is None else None


SECRETS_FILE = config.PROJECT_ROOT / ".streamlit" / "secrets.toml"


def users_from_secrets_file(path: str | Path | None = None) -> dict[str, User]:
    """Accounts from a secrets.toml file's [auth.users] (for CLI calls made on someone's behalf)."""
    import tomllib

    file = Path(path) if path else SECRETS_FILE
    if not file.is_file():
        return {}
    with file.open("rb") as fh:
        data = tomllib.load(fh)
    return load_users((data.get("auth") or {}).get("users"))


def viewer_for(users: Mapping[str, User], username: str) -> Viewer:
    """The viewer of a configured account (CLI ``--as-user``); :class:`AuthConfigError` if there is none."""
    user = users.get(username.strip().lower())
    if user is None:
        raise AuthConfigError(f"利用者 {username!r} は設定されていません（secrets.toml の [auth.users]）。")
    return user.viewer()


# ---------------------------------------------------------------------------------------------
# Identity provider (st.login) configuration, read from the same [auth] secrets section
# ---------------------------------------------------------------------------------------------


def oidc_providers(auth_section: Mapping[str, Any] | None) -> list[str]:
    """Identity providers configured for ``st.login``: 'default' for a flat [auth] with client_id, plus
    each named [auth.<provider>] section with a client_id. Needs ``redirect_uri`` and ``cookie_secret``."""
    section = auth_section or {}
    if not (section.get("redirect_uri") and section.get("cookie_secret")):
        return []
    names = ["default"] if section.get("client_id") else []
    names += [k for k, v in section.items() if k != "users" and isinstance(v, Mapping) and v.get("client_id")]
    return names


def accounts_configured(auth_section: Mapping[str, Any] | None) -> bool:
    """True when sign-in is required: any account under [auth.users] or any identity provider."""
    section = auth_section or {}
    return bool(section.get("users")) or bool(oidc_providers(section))


# ---------------------------------------------------------------------------------------------
# Words (Japanese default, English)
# ---------------------------------------------------------------------------------------------

TEXT: dict[str, tuple[str, str]] = {
    "signin.title": ("サインイン", "Sign in"),
    "signin.caption": (
        "このダッシュボードは支援を受けている方々の統計を扱います。割り当てられたアカウントでサインインしてください。",
        "This dashboard holds statistics about people receiving support. Sign in with the account you were given.",
    ),
    "signin.username": ("ユーザー名", "Username"),
    "signin.password": ("パスワード", "Password"),
    "signin.submit": ("サインイン", "Sign in"),
    "signin.go_home": (
        "このページを見るにはサインインが必要です。トップページからサインインしてください。",
        "Sign in to see this page: sign in from the home page.",
    ),
    "signin.provider": ("組織のアカウントでサインイン", "Sign in with your organisation account"),
    "signin.failed": ("ユーザー名またはパスワードが違います。", "Wrong username or password."),
    "signin.locked": (
        "サインインの失敗が続いたため、{until} まで受け付けません。時間をおいて再度お試しください。",
        "Too many failed sign-ins: try again after {until}.",
    ),
    "signin.no_role": (
        "このアカウント（{email}）には権限が割り当てられていません。管理者に連絡してください。",
        "No role is assigned to this account ({email}). Ask an administrator.",
    ),
    "signin.busy": (
        "データベースが取込中のため、今はサインインできません。少し待ってから再度お試しください。",
        "The database is busy loading data; try signing in again in a moment.",
    ),
    "signin.session_note": (
        "サインインは、このブラウザで最後に操作してから{hours}時間続きます（再読み込みや新しいタブでも）。"
        "共用の端末では、使い終わったらサインアウトしてください。",
        "You stay signed in in this browser until {hours} hours after you last used it, reloads and new tabs "
        "included. On a shared computer, sign out when you are done.",
    ),
    "signin.session_off": (
        "再読み込みや新しいタブでは、もう一度サインインが必要です（この設定では、サインインはこのタブの中だけ有効です）。",
        "A reload or a new tab asks for the password again (with this setting a sign-in lasts for this tab only).",
    ),
    "sidebar.signed_in": ("サインイン中: {who}", "Signed in: {who}"),
    "sidebar.local_mode": (
        "ローカル利用モード（利用者が設定されていないため、サインインなしで全機能を使えます）",
        "Local single-user mode (no accounts configured: no sign-in, every function available)",
    ),
    "sidebar.sign_out": ("サインアウト", "Sign out"),
    "denied.page": ("このページを見る権限がありません。", "You do not have access to this page."),
    "denied.municipality": (
        "リンクで指定された市区町村は、担当の都道府県の外のため表示しません。",
        "The municipality in the link lies outside your prefecture and is not shown.",
    ),
    "denied.scope": ("表示できる範囲を超えています: {message}", "Outside what you may see: {message}"),
}


def tr(key: str, lang: str = "ja", **values: object) -> str:
    ja, en = TEXT[key]
    return (en if lang == "en" else ja).format(**values)


# ---------------------------------------------------------------------------------------------
# CLI: python -m analytics hash-password
# ---------------------------------------------------------------------------------------------
