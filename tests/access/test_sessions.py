"""Sign-in sessions that survive a reload (issue 19): valid while used, ended at sign-out, after the idle time, and
when the account's role, prefecture or password changes; the database holds only the id's hash."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from analytics import db
from analytics.access import sessions
from analytics.access.auth import User

T0 = dt.datetime(2026, 4, 1, 9, 0)
HOUR = dt.timedelta(hours=1)
AOMORI = User("aomori", "planner", password_hash="scrypt$1024$8$1$c2FsdA$aGFzaA", prefecture_code="02")
ACCOUNTS = {"aomori": AOMORI}


@pytest.fixture
def con(tmp_path):
    con = db.connect(tmp_path / "sessions.duckdb")
    yield con
    con.close()


def test_a_session_resumes_the_viewer_and_the_database_keeps_only_the_ids_hash(con):
    session_id = sessions.start(con, AOMORI, now=T0)
    assert len(session_id) >= 43  # 256 random bits
    viewer = sessions.resume(con, ACCOUNTS, session_id, idle=8 * HOUR, now=T0 + HOUR)
    assert viewer is not None and (viewer.username, viewer.role, viewer.prefecture_code) == ("aomori", "planner", "02")
    stored = con.execute("select * from signin_sessions").fetchall()
    assert session_id not in repr(stored) and sessions.digest(session_id) in repr(stored)
    assert AOMORI.password_hash not in repr(stored)
    assert sessions.resume(con, ACCOUNTS, "not-a-session", idle=8 * HOUR, now=T0) is None
    assert sessions.resume(con, ACCOUNTS, None, idle=8 * HOUR, now=T0) is None


def test_the_idle_time_counts_from_the_last_use(con):
    session_id = sessions.start(con, AOMORI, now=T0)
    assert sessions.resume(con, ACCOUNTS, session_id, idle=8 * HOUR, now=T0 + 7 * HOUR)  # used: clock restarts
    assert sessions.resume(con, ACCOUNTS, session_id, idle=8 * HOUR, now=T0 + 14 * HOUR) is not None
    assert sessions.resume(con, ACCOUNTS, session_id, idle=8 * HOUR, now=T0 + 23 * HOUR) is None
    # once ended for idleness it stays ended
    assert sessions.resume(con, ACCOUNTS, session_id, idle=8 * HOUR, now=T0 + 23 * HOUR) is None
    assert con.execute("select end_reason from signin_sessions").fetchone() == ("idle",)


def test_sign_out_ends_the_session_for_every_tab(con):
    session_id = sessions.start(con, AOMORI, now=T0)
    sessions.end(con, session_id, now=T0 + HOUR)
    assert sessions.resume(con, ACCOUNTS, session_id, idle=8 * HOUR, now=T0 + HOUR) is None
    assert con.execute("select end_reason from signin_sessions").fetchone() == ("sign_out",)


@pytest.mark.parametrize(("change", "reason"), [
    ({"role": "analyst", "prefecture_code": None}, "account_changed"),
    ({"prefecture_code": "13"}, "account_changed"),
    ({"password_hash": "scrypt$1024$8$1$b3RoZXI$bmV3"}, "account_changed"),
    ({"password_hash": None}, "account_removed"),  # now signs in through the identity provider only
    (None, "account_removed"),
])  # fmt: skip
def test_a_change_to_the_account_ends_its_sessions(con, change, reason):
    session_id = sessions.start(con, AOMORI, now=T0)
    accounts = {} if change is None else {"aomori": dataclasses.replace(AOMORI, **change)}
    assert sessions.resume(con, accounts, session_id, idle=8 * HOUR, now=T0 + HOUR) is None
    assert sessions.resume(con, ACCOUNTS, session_id, idle=8 * HOUR, now=T0 + HOUR) is None  # changed back: ended
    assert con.execute("select end_reason from signin_sessions").fetchone() == (reason,)


def test_the_idle_setting(monkeypatch):
    monkeypatch.delenv(sessions.IDLE_ENV, raising=False)
    assert sessions.idle_timeout() == 8 * HOUR
    monkeypatch.setenv(sessions.IDLE_ENV, "0.5")
    assert sessions.idle_timeout() == dt.timedelta(minutes=30)
    monkeypatch.setenv(sessions.IDLE_ENV, "0")  # resuming switched off: a reload asks for the password again
    assert sessions.idle_timeout() == dt.timedelta(0)
    monkeypatch.setenv(sessions.IDLE_ENV, "eight")
    assert sessions.idle_timeout() == 8 * HOUR


def test_idle_zero_never_resumes(con):
    session_id = sessions.start(con, AOMORI, now=T0)
    assert sessions.resume(con, ACCOUNTS, session_id, idle=dt.timedelta(0), now=T0) is None


def test_ended_sessions_are_deleted_a_day_later(con):
    old = sessions.start(con, AOMORI, now=T0)
    sessions.end(con, old, now=T0)
    sessions.start(con, AOMORI, now=T0 + 25 * HOUR)
    assert con.execute("select count(*) from signin_sessions").fetchone() == (1,)
