"""The audit log (analytics/access/audit.py): append-only, hash-chained, listable and exportable by admins."""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import re
import subprocess
import sys
import threading

import pandas as pd
import pytest

from analytics import db
from analytics.access import audit
from analytics.access.auth import Viewer

ADMIN = Viewer("admin", "admin")
PLANNER = Viewer("aomori", "planner", "02")


@pytest.fixture
def path(tmp_path):
    return tmp_path / "audit.duckdb"


@pytest.fixture
def con(path):
    connection = db.connect(path)
    yield connection
    connection.close()


def test_events_are_recorded_with_who_when_what_and_scope(con):
    t = dt.datetime(2026, 4, 1, 9, 30)
    first = audit.record_for(con, "sign_in", PLANNER, client="10.0.0.5")
    second = audit.record(
        con,
        "download",
        username="aomori",
        role="planner",
        prefecture_code="02",
        scope="pref:02",
        details={"file": "指標_青森県.csv", "rows": 40},
        now=t,
    )
    assert (first, second) == (1, 2)
    events = audit.list_events(con)
    assert list(events.columns) == list(audit.COLUMNS)
    assert list(events["event_id"]) == [2, 1]  # newest first
    row = events.iloc[0]
    assert (row.username, row.role, row.prefecture_code, row.action, row.scope) == (
        "aomori",
        "planner",
        "02",
        "download",
        "pref:02",
    )
    assert row.occurred_at == pd.Timestamp(t)
    assert '"file": "指標_青森県.csv"' in row.details
    assert events.iloc[1].client == "10.0.0.5" and events.iloc[1].scope == "pref:02"


def test_unknown_actions_are_refused(con):
    with pytest.raises(ValueError, match="監査ログの種類"):
        audit.record(con, "delete_everything", username="x")


def test_list_filters_by_action_user_and_dates(con):
    for day, action, user in [
        (1, "sign_in", "admin"),
        (2, "upload", "Admin"),
        (3, "rollback", "admin"),
        (3, "sign_in_failed", "eve"),
    ]:
        audit.record(con, action, username=user, now=dt.datetime(2026, 4, day, 12))
    assert list(audit.list_events(con, action="upload")["action"]) == ["upload"]
    assert len(audit.list_events(con, action=["upload", "rollback"])) == 2
    assert len(audit.list_events(con, username="ADMIN")) == 3
    assert len(audit.list_events(con, since=dt.date(2026, 4, 2), until=dt.date(2026, 4, 2))) == 1
    assert len(audit.list_events(con, since=dt.date(2026, 4, 3))) == 2
    assert len(audit.list_events(con, limit=1)) == 1


def test_the_module_offers_no_way_to_change_or_remove_events():
    public = [
        name
        for name, obj in inspect.getmembers(audit, inspect.isfunction)
        if obj.__module__ == audit.__name__ and not name.startswith("_")
    ]
    assert not [n for n in public if re.search(r"update|delete|remove|edit|clear|purge|truncate|drop|modify", n)]
    source = inspect.getsource(audit)
    strings = [n.value for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    sql_writes = re.compile(r"\b(update\s+\w+\s+set|delete\s+from|truncate|drop\s+table|alter\s+table)\b", re.I)
    assert not [s for s in strings if sql_writes.search(s)]
    assert [s for s in strings if s.lower().startswith("insert into audit_log")]


def test_the_hash_chain_finds_an_altered_or_removed_event(con):
    for i in range(5):
        audit.record(con, "download", username=f"user{i}", details={"n": i})
    assert audit.verify_chain(con) is None
    con.execute("update audit_log set username = 'someone_else' where event_id = 3")  # behind the product's back
    assert audit.verify_chain(con) == 3
    con.execute("update audit_log set username = 'user2' where event_id = 3")
    assert audit.verify_chain(con) is None
    con.execute("delete from audit_log where event_id = 4")
    assert audit.verify_chain(con) == 4


def test_concurrent_writers_keep_one_linear_chain(path):
    connection = db.connect(path)
    connection.close()

    def write(n: int) -> None:
        con = db.connect(path)
        try:
            for i in range(10):
                audit.record(con, "download", username=f"t{n}", details={"i": i})
        finally:
            con.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    con = db.connect(path)
    try:
        events = audit.list_events(con)
        assert sorted(events["event_id"]) == list(range(1, 41))
        assert audit.verify_chain(con) is None
    finally:
        con.close()


def test_record_to_waits_for_read_only_connections_of_the_same_process(path):
    db.connect(path).close()
    reader = db.connect(path, read_only=True)
    timer = threading.Timer(0.3, reader.close)
    timer.start()
    event_id = audit.record_to(path, "sign_in", ADMIN, client="127.0.0.1", wait_seconds=5)
    timer.join()
    assert event_id == 1


def test_csv_export_opens_in_excel_and_keeps_formulas_inert(con):
    audit.record(con, "download", username='=HYPERLINK("http://x")', details={"file": "a.csv"})
    audit.record(con, "sign_in", username="admin")
    data = audit.export_csv(audit.list_events(con))
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "ダウンロード" in text and "サインイン" in text
    frame = pd.read_csv(__import__("io").StringIO(text))
    assert list(frame.columns[:7]) == [
        "event_id",
        "occurred_at",
        "username",
        "role",
        "prefecture_code",
        "action",
        "action_label",
    ]
    assert "Download" in audit.export_csv(audit.list_events(con), lang="en").decode("utf-8-sig")


def test_an_old_database_without_the_table_lists_nothing():
    import duckdb

    assert audit.list_events(duckdb.connect()).empty


def test_cli_lists_the_log_and_flags_a_broken_chain(path):
    con = db.connect(path)
    audit.record(con, "upload", username="ana", details={"file": "x.csv"})
    audit.record(con, "rollback", username="admin", scope="batch:1")
    con.close()
    out = subprocess.run(
        [sys.executable, "-m", "analytics", "audit", "--db", str(path), "--action", "rollback"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "batch:1" in out and "x.csv" not in out
    con = db.connect(path)
    con.execute("delete from audit_log where event_id = 1")
    con.close()
    broken = subprocess.run(
        [sys.executable, "-m", "analytics", "audit", "--db", str(path)], capture_output=True, text=True
    )
    assert broken.returncode == 4 and "途切れています" in broken.stderr


def test_the_screen_table_names_columns_in_the_users_language_and_shows_dashes_for_empty_fields(con):
    audit.record(con, "sign_in", username="admin")
    events = audit.list_events(con)
    ja = audit.display_table(events, "ja")
    assert list(ja.columns[:3]) == ["番号", "日時", "ユーザー名"] and "種類" in ja.columns
    assert "prev_hash" not in ja.columns and "row_hash" not in ja.columns
    assert ja["種類"].iloc[-1] == "サインイン" and ja["接続元"].iloc[-1] == "–"
    en = audit.display_table(events, "en")
    assert "Action" in en.columns and en["Action"].iloc[-1] == audit.action_label("sign_in", "en")
