from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casework.core.disclosure import TOTAL, rate_withheld, suppress_table, with_totals

K = 5


def test_small_counts_are_withheld_and_zero_is_shown() -> None:
    table = suppress_table({("a", "x"): 3, ("a", "y"): 0, ("b", "x"): 10, ("b", "y"): 12}, K)
    assert table.values[("a", "y")] == 0
    assert table.values[("a", "x")] is None
    # the 3 is alone in its row and column: a second cell goes with it in each
    assert len(table.withheld()) >= 3


def test_a_rate_is_withheld_when_its_complement_is_small() -> None:
    assert rate_withheld(38, 40, K)  # 95% of 40 reveals the 2 who were not
    assert rate_withheld(3, 40, K)
    assert not rate_withheld(20, 40, K)
    assert not rate_withheld(0, 40, K) and not rate_withheld(40, 40, K)


def test_the_threshold_is_never_below_three() -> None:
    with pytest.raises(ValueError):
        suppress_table({("a", "x"): 1}, 2)


tables = st.dictionaries(
    st.tuples(st.sampled_from("ABCD"), st.sampled_from("wxyz")),
    st.integers(min_value=0, max_value=30),
    min_size=1,
    max_size=16,
)


@settings(max_examples=300, deadline=None)
@given(tables, st.integers(min_value=3, max_value=10))
def test_no_published_figure_or_difference_reveals_a_small_cell(cells: dict, k: int) -> None:
    truth = with_totals(cells)
    published = suppress_table(cells, k).values
    for key, value in published.items():
        if value is not None:
            assert value == truth[key]
            assert not 0 < value < k, (key, value)
    rows = {r for r, _ in truth}
    columns = {c for _, c in truth}
    lines = [[(r, c) for c in columns if (r, c) in truth] for r in rows]
    lines += [[(r, c) for r in rows if (r, c) in truth] for c in columns]
    for line in lines:
        hidden = [key for key in line if published[key] is None]
        # one unknown in a line could be recovered by subtraction from the others
        assert len(hidden) != 1, (line, published)
    assert (TOTAL, TOTAL) in published
