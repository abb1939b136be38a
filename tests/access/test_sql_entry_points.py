"""Every SQL entry point is scoped or declared exempt with a reason (issue 15; rule in analytics/access/sql_paths.py).

The entry points are found by parsing the source, not listed by hand: every function (and every module's top
level) in ``analytics/``, ``ui/``, ``pages/`` and ``app.py`` that calls ``.execute``/``.executemany``/``.sql``/
``.query`` on anything, or ``run_sql``/``sql_text``/``read_sql``. One is *scoped* when it is the scoped path
(``indicators.run_grain``: it also calls ``scope.scope_params``/``scope_query``); otherwise it must be in
``sql_paths.EXEMPT``. A function that only calls ``run_grain`` runs no SQL of its own and goes through the
scoped path. The detector is itself tested on synthetic source, including the unscoped ``referral_flows``
that issue 15 found.
"""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from analytics.access import sql_paths

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SOURCE_FILES = [
    *sorted((PROJECT_ROOT / "analytics").rglob("*.py")),
    *sorted((PROJECT_ROOT / "ui").rglob("*.py")),
    *sorted((PROJECT_ROOT / "pages").rglob("*.py")),
    PROJECT_ROOT / "app.py",
]

# Calls that run SQL: methods of a DuckDB connection or relation (any receiver: con, stage, duckdb) ...
SQL_METHODS = frozenset({"execute", "executemany", "sql", "query"})
# ... and our helpers that run or read named SQL files, however they are called (db.run_sql or run_sql).
SQL_HELPERS = frozenset({"run_sql", "sql_text", "read_sql"})
# Calls that apply the prefecture scope to a query (analytics/access/scope.py).
SCOPE_APPLIERS = frozenset({"scope_params", "scope_query"})
SCOPED_CALL = "run_grain"
# Receivers whose .query is not SQL: ui.query runs an analytics function on a read connection.
NOT_SQL_RECEIVERS = frozenset({"ui"})


@dataclass(frozen=True)
class Unit:
    """One function (qualified name) or a module's top level (``<module>``) and what it calls."""

    name: str
    sql_calls: frozenset[str]
    applies_scope: bool
    calls_scoped_path: bool

    @property
    def is_entry_point(self) -> bool:
        return bool(self.sql_calls)


def _call_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute):
        if func.attr in SQL_METHODS and isinstance(func.value, ast.Name) and func.value.id in NOT_SQL_RECEIVERS:
            return None
        if func.attr in SQL_METHODS or func.attr in SQL_HELPERS or func.attr in SCOPE_APPLIERS | {SCOPED_CALL}:
            return func.attr
        return None
    if isinstance(func, ast.Name) and (func.id in SQL_HELPERS or func.id in SCOPE_APPLIERS | {SCOPED_CALL}):
        return func.id
    return None


def units(source: str, module: str) -> dict[str, Unit]:
    """Every function of ``source`` (nested and methods by qualified name) and its top level, with its calls.

    A nested function's calls are its own, not its parent's; a lambda's belong to the function it is in.
    """
    found: dict[str, Unit] = {}

    def visit(node: ast.AST, qualname: str) -> None:
        names: list[str] = []
        stack = list(ast.iter_child_nodes(node))
        while stack:
            child = stack.pop()
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                visit(child, f"{qualname}.{child.name}" if qualname else child.name)
                continue
            if isinstance(child, ast.Call) and (name := _call_name(child)):
                names.append(name)
            stack.extend(ast.iter_child_nodes(child))
        called = set(names)
        full = f"{module}.{qualname or '<module>'}"
        found[full] = Unit(
            full,
            frozenset(called & (SQL_METHODS | SQL_HELPERS)),
            bool(called & SCOPE_APPLIERS),
            SCOPED_CALL in called,
        )

    visit(ast.parse(source), "")
    return found


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts)


def project_units() -> dict[str, Unit]:
    out: dict[str, Unit] = {}
    for path in SOURCE_FILES:
        out.update(units(path.read_text(encoding="utf-8"), module_name(path)))
    return out


def unscoped(found: dict[str, Unit], exempt: dict[str, str], scoped_path: str = sql_paths.SCOPED_PATH) -> list[str]:
    """Entry points that are neither the scoped path (applying the scope itself) nor exempt with a reason."""
    bad = []
    for name, unit in sorted(found.items()):
        if not unit.is_entry_point:
            continue
        if name == scoped_path and unit.applies_scope:
            continue
        if exempt.get(name, "").strip():
            continue
        bad.append(name)
    return bad


# -- the project ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def found() -> dict[str, Unit]:
    return project_units()


def test_every_sql_entry_point_is_scoped_or_declared_exempt(found):
    entry_points = sorted(n for n, u in found.items() if u.is_entry_point)
    assert len(entry_points) > 20, entry_points  # the scan sees the code at all
    bad = unscoped(found, sql_paths.EXEMPT)
    assert not bad, (
        "These functions run SQL without the prefecture scope. Read rows through indicators.run_grain (a grain file "
        "in analytics/sql), or, if they read no person-level or municipal rows, add them with the reason to "
        f"analytics/access/sql_paths.py EXEMPT: {bad}"
    )


def test_the_scoped_path_applies_the_scope_and_is_the_only_one(found):
    run_grain = found[sql_paths.SCOPED_PATH]
    assert run_grain.is_entry_point and run_grain.applies_scope
    assert [n for n, u in found.items() if u.is_entry_point and u.applies_scope] == [sql_paths.SCOPED_PATH]
    assert sql_paths.SCOPED_PATH not in sql_paths.EXEMPT


def test_the_exempt_list_names_only_real_entry_points_each_with_a_reason(found):
    stale = [n for n in sql_paths.EXEMPT if n not in found or not found[n].is_entry_point]
    assert not stale, f"no longer SQL entry points (remove them from sql_paths.EXEMPT): {stale}"
    assert all(len(reason.strip()) >= 15 for reason in sql_paths.EXEMPT.values())


@pytest.mark.parametrize(
    "name",
    [
        "analytics.views.groups.referral_flows",
        "analytics.views.groups.support_path",
        "analytics.metrics.indicators.compute",
        "analytics.metrics.indicators.cohort_curve",
    ],
)
def test_readers_of_person_level_rows_go_through_the_scoped_path(found, name):
    unit = found[name]
    assert unit.calls_scoped_path and not unit.is_entry_point and name not in sql_paths.EXEMPT


def test_pages_and_ui_run_no_sql(found):
    mine = [n for n, u in found.items() if u.is_entry_point and not n.startswith("analytics.")]
    assert not mine


# -- the detector can fail -----------------------------------------------------------------------

SYNTHETIC = """
from analytics import db
from analytics.metrics import indicators


def referral_flows(con, filters=None):  # issue 15: the SQL run directly, no scope
    flt = indicators.normalise_filters(filters)
    sql = db.sql_text("views/referral_flows")
    return con.execute(sql, db.bind(sql, _params(flt))).df()


def support_path(con, filters=None):
    return indicators.run_grain(con, "views/support_path", [], _params(filters))


def run_grain(con, name, by, params):
    params = scope.scope_params(scope.effective(None), by, params)
    return con.execute(render_sql(name, by), params).df()


def via_helper(con):
    return db.run_sql(con, "views/batch_coverage", {})


def via_relation(con):
    return con.sql("select * from consultations").df()


def metadata(con):
    return con.execute("select count(*) from batches").fetchone()


class Reader:
    def rows(self, con):
        def inner():
            return con.query("select person_id from placements")
        return inner


def page_query():
    import ui
    return ui.query(len, [])


con.execute("select 1")
"""


def test_the_detector_finds_every_kind_of_sql_call_and_what_applies_the_scope():
    got = units(textwrap.dedent(SYNTHETIC), "m")
    assert {n for n, u in got.items() if u.is_entry_point} == {
        "m.referral_flows", "m.run_grain", "m.via_helper", "m.via_relation", "m.metadata", "m.Reader.rows.inner",
        "m.<module>",
    }  # fmt: skip
    assert got["m.referral_flows"].sql_calls == {"sql_text", "execute"}
    assert got["m.run_grain"].applies_scope and not got["m.referral_flows"].applies_scope
    assert got["m.support_path"].calls_scoped_path and not got["m.support_path"].is_entry_point
    assert not got["m.Reader.rows"].is_entry_point  # the nested function is the entry point, not its parent
    assert not got["m.page_query"].is_entry_point  # ui.query is not SQL


def test_the_check_fails_on_an_unscoped_reader_and_passes_once_it_is_scoped_or_exempt():
    got = units(textwrap.dedent(SYNTHETIC), "m")
    exempt = {"m.metadata": "batch count only", "m.<module>": "a constant", "m.Reader.rows.inner": "x" * 20}
    assert unscoped(got, exempt, scoped_path="m.run_grain") == ["m.referral_flows", "m.via_helper", "m.via_relation"]
    # an empty reason does not count
    assert "m.metadata" in unscoped(got, {**exempt, "m.metadata": " "}, scoped_path="m.run_grain")
    # run_grain counts as the scoped path only while it applies the scope
    assert "m.run_grain" in unscoped(got, exempt, scoped_path="m.other")
    no_scope = units(textwrap.dedent(SYNTHETIC).replace("scope.scope_params(scope.effective(None), by, params)",
                                                        "params"), "m")  # fmt: skip
    assert "m.run_grain" in unscoped(no_scope, exempt, scoped_path="m.run_grain")
    fixed = textwrap.dedent(SYNTHETIC).replace(
        '    sql = db.sql_text("views/referral_flows")\n    return con.execute(sql, db.bind(sql, _params(flt))).df()',
        '    return indicators.run_grain(con, "views/referral_flows", [], _params(flt))',
    )
    assert "m.referral_flows" not in unscoped(units(fixed, "m"), exempt, scoped_path="m.run_grain")


def test_the_check_would_have_caught_the_unscoped_referral_flows():
    """The function as it was before issue 15, in its real module name, against the real registry."""
    old = textwrap.dedent(SYNTHETIC).split("def support_path")[0]
    got = units(old, "analytics.views.groups")
    assert unscoped(got, sql_paths.EXEMPT) == ["analytics.views.groups.referral_flows"]


def test_docs_security_states_the_rule_with_this_test():
    text = (PROJECT_ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    assert "every SQL entry point is scoped or declared exempt" in text
    assert "analytics/access/sql_paths.py" in text
    assert "test_every_sql_entry_point_is_scoped_or_declared_exempt" in text
    assert "test_every_sql_entry_point_is_scoped_or_declared_exempt" in globals()
