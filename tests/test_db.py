"""The database module: named SQL files, their shared includes, and bound parameters."""

from __future__ import annotations

from analytics import db


def test_includes_are_expanded_once_and_everywhere():
    for path in db.SQL_DIR.rglob("*.sql"):
        name = str(path.relative_to(db.SQL_DIR).with_suffix(""))
        assert "{{include" not in db.sql_text(name), name


def test_the_dimension_filter_is_written_in_one_file_only():
    inline = [p.name for p in db.SQL_DIR.rglob("*.sql")
              if "list_contains($f_age_band" in p.read_text(encoding="utf-8")]
    assert inline == ["dimension_filter.sql"]
    expanded = db.sql_text("indicators/consultation_counts")
    assert expanded.count("list_contains($f_") == 9
    assert "次元フィルタ" not in expanded  # the include's header comment is left out


def test_bind_keeps_only_the_parameters_a_query_names():
    assert db.bind("select $a", {"a": 1, "b": 2}) == {"a": 1}


def test_unordered_inserts_is_limited_to_the_block_and_the_connection(tmp_path):
    import pytest

    con = db.connect(tmp_path / "u.duckdb")
    other = con.cursor()
    setting = "select current_setting('preserve_insertion_order')"
    with db.unordered_inserts(con):
        assert con.execute(setting).fetchone()[0] is False
        assert other.execute(setting).fetchone()[0] is True
    assert con.execute(setting).fetchone()[0] is True
    with pytest.raises(RuntimeError), db.unordered_inserts(con):
        raise RuntimeError("a failed load")
    assert con.execute(setting).fetchone()[0] is True


def test_threads_connecting_to_a_new_file_at_once_all_succeed(tmp_path):
    """Six threads of one process opening a fresh file: the migrations run once, in turn (issue 15, point 5).

    They share one DuckDB instance, so unserialised migrations failed with a catalog write-write conflict
    on 001_base.sql nearly every time.
    """
    import threading

    migrations = sorted(p.name for p in db.MIGRATIONS_DIR.glob("*.sql"))

    def open_it(path, start, errors):
        start.wait()
        try:
            db.connect(path).close()
        except Exception as exc:
            errors.append(exc)

    for attempt in range(4):
        path = tmp_path / f"fresh{attempt}.duckdb"
        start, errors = threading.Barrier(6), []
        threads = [threading.Thread(target=open_it, args=(path, start, errors)) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == [], f"attempt {attempt}: {errors[0]!r}"
        con = db.connect(path)
        try:
            applied = [r[0] for r in con.execute("select name from schema_migrations order by name").fetchall()]
        finally:
            con.close()
        assert applied == migrations
