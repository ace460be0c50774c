"""Disclosure control: the NHS small-number rule, and totals that cannot unmask a cell."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from referral_log.disclosure import (
    SUPPRESSED,
    candidates,
    disclose,
    disclose_total,
    format_rate,
    helpful_rate,
    pins_a_cell,
    published_range,
)


@pytest.mark.parametrize(("raw", "published"), [
    (0, 0), (1, "*"), (7, "*"), (8, 10), (12, 10), (13, 15), (2501, 2500),
    (2, "*"), (9, 10), (10, 10), (17, 15), (18, 20), (1_000_003, 1_000_005),
])
def test_edge_values(raw, published):
    assert disclose(raw) == published


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True, None])
def test_only_counts_are_accepted(bad):
    with pytest.raises(ValueError):
        disclose(bad)


@given(st.integers(min_value=0, max_value=10**7))
def test_published_value_is_consistent_with_its_range(n):
    lo, hi = published_range(disclose(n))
    assert lo <= n <= hi
    p = disclose(n)
    assert p == 0 or p == SUPPRESSED or (p % 5 == 0 and p >= 10)


@settings(max_examples=400)
@given(st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=8))
def test_totals_never_reveal_a_suppressed_cell(raw):
    """Published total = rounded raw total, or "*" where it would pin a suppressed cell."""
    cells = [disclose(n) for n in raw]
    total = disclose_total(sum(raw), raw)
    assert total in (disclose(sum(raw)), SUPPRESSED)
    for i, cell in enumerate(cells):
        if cell == SUPPRESSED and total != SUPPRESSED:
            options = candidates(cells, i, total)
            assert raw[i] in options
            assert len(options) >= 2, (raw, cells, total)


def test_a_total_that_would_pin_a_cell_is_suppressed():
    raw = [7, 7, 47, 47]  # published *, *, 45, 45: a total of 110 leaves only 7 + 7
    assert [disclose(n) for n in raw] == ["*", "*", 45, 45]
    assert pins_a_cell(raw, sum(raw))
    assert disclose_total(sum(raw), raw) == SUPPRESSED
    assert disclose_total(100 + 3, [100, 3]) == 105  # the usual case: rounded, not suppressed


def test_an_exact_total_would_have_revealed_the_cell():
    """Why totals are rounded: with an exact total the suppressed 3 is plain to see."""
    raw = [100, 3]
    cells = [disclose(n) for n in raw]
    assert cells == [100, "*"]
    assert disclose(sum(raw)) == 105  # published; 100 + * cannot be solved from this
    assert candidates(cells, 1, disclose(sum(raw))) == {1, 2, 3, 4, 5, 6, 7}


def test_helpful_rate_from_published_counts():
    assert helpful_rate(disclose(40), disclose(12)) == pytest.approx(40 / 50)
    assert helpful_rate(disclose(40), disclose(3)) == SUPPRESSED
    assert helpful_rate(disclose(5), disclose(0)) == SUPPRESSED
    assert helpful_rate(0, 0) is None
    assert helpful_rate(0, 20) == 0
    assert format_rate(helpful_rate(30, 10)) == "75%"
    assert format_rate(SUPPRESSED) == "*" and format_rate(None) == "no answers"
