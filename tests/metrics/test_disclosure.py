"""Small-cell suppression: primary 1–9 → 「x」, complementary cells so nothing is recovered from totals, rates.

The property tests build random tables whose total row and total column really are sums, suppress them,
and then attack the result the way a reader could: solve the line equations for each hidden cell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from analytics.metrics import disclosure
from analytics.metrics.disclosure import MARK, suppress

TOTAL = "計"


def additive_table(cells: list[list[int]], *, with_total_col: bool) -> pd.DataFrame:
    """Rows r0.., columns c0.. plus a 計 row (column sums) and optionally a 計 column (row sums)."""
    cols = [f"c{j}" for j in range(len(cells[0]))]
    df = pd.DataFrame(cells, columns=cols, index=[f"r{i}" for i in range(len(cells))])
    if with_total_col:
        df[TOTAL] = df[cols].sum(axis=1)
    df.loc[TOTAL] = df.sum(axis=0)
    return df


def lines_of(df: pd.DataFrame, with_total_col: bool) -> list[tuple[list[tuple[str, str]], tuple[str, str]]]:
    """(parts, total) for each column over the rows and, with a total column, each row over the columns."""
    parts_rows = [r for r in df.index if r != TOTAL]
    parts_cols = [c for c in df.columns if c != TOTAL]
    lines = [([(r, c) for r in parts_rows], (TOTAL, c)) for c in df.columns]
    if with_total_col:
        lines += [([(r, c) for c in parts_cols], (r, TOTAL)) for r in df.index]
    return lines


def recoverable_cells(df: pd.DataFrame, shown: pd.DataFrame, with_total_col: bool) -> list[tuple[str, str]]:
    """Hidden cells a reader can solve exactly: e_i lies in the row space of the hidden cells' equations.

    Tested by rank: appending the unit vector of cell i does not raise the rank (a different method from
    the null-space check inside the module).
    """
    hidden = [(r, c) for r in df.index for c in df.columns if shown.at[r, c] == MARK]
    if not hidden:
        return []
    pos = {cell: k for k, cell in enumerate(hidden)}
    rows = []
    for parts, total in lines_of(df, with_total_col):
        row = np.zeros(len(hidden))
        for cell in parts:
            if cell in pos:
                row[pos[cell]] += 1
        if total in pos:
            row[pos[total]] -= 1
        if row.any():
            rows.append(row)
    if not rows:
        return hidden
    a = np.vstack(rows)
    rank = np.linalg.matrix_rank(a)
    out = []
    for cell, k in pos.items():
        e = np.zeros(len(hidden))
        e[k] = 1
        if np.linalg.matrix_rank(np.vstack([a, e])) == rank:
            out.append(cell)
    return out


# Values skewed towards the interesting range: zeros, small counts and ordinary ones.
values = st.one_of(st.just(0), st.integers(1, 9), st.integers(10, 40), st.integers(41, 500))
tables = st.integers(1, 7).flatmap(
    lambda ncols: st.lists(st.lists(values, min_size=ncols, max_size=ncols), min_size=1, max_size=9)
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=tables, with_total_col=st.booleans(), threshold=st.sampled_from([3, 5, 10]))
def test_random_tables_hide_small_counts_and_cannot_be_solved_from_totals(cells, with_total_col, threshold):
    df = additive_table(cells, with_total_col=with_total_col)
    counts = list(df.columns)
    shown, info = suppress(
        df, counts, total_row=TOTAL, total_col=TOTAL if with_total_col else None, threshold=threshold
    )
    # no count 1..threshold-1 survives; every shown cell keeps its number
    for r in df.index:
        for c in counts:
            v = shown.at[r, c]
            if v == MARK:
                continue
            assert v == df.at[r, c]
            assert not (0 < v < threshold), f"{r}/{c} = {v} shown"
    # every line with a total: no hidden cell, or at least two
    for parts, total in lines_of(df, with_total_col):
        hidden = [cell for cell in [*parts, total] if shown.at[cell] == MARK]
        assert len(hidden) != 1, f"one hidden cell in a line gives it away: {hidden}"
        # hidden parts whose total is shown add up to at least the threshold (2 hidden = 1 + 1 otherwise)
        if hidden and shown.at[total] != MARK:
            assert sum(df.at[cell] for cell in parts if shown.at[cell] == MARK) >= threshold
    # and no hidden cell follows from all the equations together
    assert recoverable_cells(df, shown, with_total_col) == []
    assert info.mask.sum().sum() == len(info.cells) == info.primary + info.secondary


@settings(max_examples=100, deadline=None)
@given(cells=tables)
def test_tables_without_totals_get_primary_suppression_only(cells):
    df = pd.DataFrame(cells, columns=[f"c{j}" for j in range(len(cells[0]))])
    shown, info = suppress(df, list(df.columns))
    small = ((df > 0) & (df < 10)).to_numpy()
    assert ((shown == MARK).to_numpy() == small).all()
    assert info.secondary == 0


def test_one_small_cell_in_a_column_takes_the_smallest_other_cell_with_it():
    df = pd.DataFrame({"地域": ["A", "B", "C", "全国"], "人数": [3, 40, 25, 68]})
    shown, info = suppress(df, ["人数"], total_row=3)
    assert shown["人数"].tolist() == [MARK, 40, MARK, 68]
    assert [(c.row, c.reason) for c in info.cells] == [(0, "primary"), (2, "secondary")]


def test_zero_is_shown_and_never_counts_as_small():
    df = pd.DataFrame({"人数": [0, 0, 120, 120]})
    shown, info = suppress(df, ["人数"], total_row=3)
    assert shown["人数"].tolist() == [0, 0, 120, 120]
    assert not info.applied
    assert disclosure.display(0) == "-"


def test_two_small_cells_that_add_up_to_less_than_the_threshold_take_a_third():
    # 1 + 1 = 2 would tell the reader both hidden cells are 1
    df = pd.DataFrame({"n": [1, 1, 30, 45, 77]})
    shown, _ = suppress(df, ["n"], total_row=4)
    assert shown["n"].tolist() == [MARK, MARK, MARK, 45, 77]


def test_a_small_total_is_hidden_and_its_row_is_protected():
    df = additive_table([[2, 3], [40, 50]], with_total_col=True)
    shown, _ = suppress(df, list(df.columns), total_row=TOTAL, total_col=TOTAL)
    assert shown.at["r0", TOTAL] == MARK  # 5 is itself small
    assert recoverable_cells(df, shown, True) == []


def test_two_lines_together_cannot_give_away_a_cell():
    """Each line has two hidden cells, yet a bridge between two blocks would be solvable: the audit catches it."""
    rng = np.random.default_rng(7)
    for _ in range(200):
        cells = rng.choice([0, 2, 5, 15, 30, 80], size=(6, 5)).tolist()
        df = additive_table(cells, with_total_col=True)
        shown, _ = suppress(df, list(df.columns), total_row=TOTAL, total_col=TOTAL)
        assert recoverable_cells(df, shown, True) == []


def test_rates_hide_with_a_small_denominator_a_small_numerator_or_a_hidden_count():
    df = pd.DataFrame(
        {
            "地域": ["A", "B", "C", "D", "全国"],
            "cohort": [8, 50, 60, 200, 318],
            "placed": [4, 5, 30, 100, 139],
            "rate": [0.5, 0.1, 0.5, 0.5, 139 / 318],
        }
    )
    shown, info = suppress(df, ["cohort", "placed"], {"rate": ("placed", "cohort")}, total_row=4)
    assert shown["rate"].tolist()[:2] == [MARK, MARK]  # A: denominator 8; B: numerator 5
    # every rate whose numerator or denominator is hidden is hidden (rate × denominator = numerator)
    for i in range(len(df)):
        if shown.at[i, "placed"] == MARK or shown.at[i, "cohort"] == MARK:
            assert shown.at[i, "rate"] == MARK
    assert shown.at[4, "rate"] == pytest.approx(139 / 318)  # computed from the unsuppressed data
    assert info.rates >= 2


def test_a_median_with_a_small_base_is_hidden():
    df = pd.DataFrame({"median_days": [40.0, 95.5, np.nan], "n": [3, 120, 0]})
    shown, _ = suppress(df, [], {"median_days": "n"})
    assert shown["median_days"].tolist()[:2] == [MARK, 95.5]
    assert pd.isna(shown["median_days"].iloc[2])


def test_threshold_one_hides_nothing_and_says_so():
    df = pd.DataFrame({"n": [1, 2, 3, 6]})
    shown, info = suppress(df, ["n"], total_row=3, threshold=1)
    assert shown["n"].tolist() == [1, 2, 3, 6]
    assert "秘匿処理は行っていません" in info.rule("ja")


def test_rule_text_names_the_threshold_in_both_languages():
    assert "1～9" in disclosure.rule_text(10, "ja") and "「x」" in disclosure.rule_text(10, "ja")
    assert "1–4" in disclosure.rule_text(5, "en")


def test_bad_input_is_refused():
    df = pd.DataFrame({"n": [1, -2]})
    with pytest.raises(ValueError, match="negative"):
        suppress(df, ["n"])
    with pytest.raises(ValueError, match="not in the table"):
        suppress(df, ["m"])
    with pytest.raises(ValueError, match="total row"):
        suppress(df, ["n"], total_row="計")


@pytest.mark.parametrize(
    "value, expected",
    [(MARK, "x"), (0, "-"), (1234, "1,234"), (None, ""), (float("nan"), "")],
)
def test_display(value, expected):
    assert disclosure.display(value) == expected


def test_display_of_a_rate():
    assert disclosure.display(0.1234, rate=True) == "12.3%"


def test_a_derived_column_hides_with_its_sources():
    df = pd.DataFrame({"今年度": [4, 120], "前年度": [30, 110], "増減": [-26, 10]})
    shown, _ = suppress(df, ["今年度", "前年度"], derived={"増減": ["今年度", "前年度"]})
    assert shown["増減"].tolist() == [MARK, 10]
