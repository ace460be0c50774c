"""Disclosure control: the NHS small-number rule, and totals that cannot unmask a cell."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from referral_log.disclosure import (
    SUPPRESSED,
    disclose,
    format_rate,
    helpful_rate,
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


def _candidates(cells: list, i: int, total) -> set[int]:
    """The raw values of cell i consistent with every published cell and the published total."""
    t_lo, t_hi = published_range(total)
    others = [published_range(c) for j, c in enumerate(cells) if j != i]
    s_lo, s_hi = sum(o[0] for o in others), sum(o[1] for o in others)
    lo, hi = published_range(cells[i])
    return {x for x in range(lo, hi + 1) if x + s_hi >= t_lo and x + s_lo <= t_hi}


@settings(max_examples=400)
@given(st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=8))
def test_totals_never_reveal_a_suppressed_cell(raw):
    """Published total = rounded raw total; no suppressed cell can be pinned to one value."""
    cells = [disclose(n) for n in raw]
    total = disclose(sum(raw))
    for i, cell in enumerate(cells):
        if cell == SUPPRESSED:
            options = _candidates(cells, i, total)
            assert raw[i] in options
            assert len(options) >= 2, (raw, cells, total)


def test_an_exact_total_would_have_revealed_the_cell():
    """Why totals are rounded: with an exact total the suppressed 3 is plain to see."""
    raw = [100, 3]
    cells = [disclose(n) for n in raw]
    assert cells == [100, "*"]
    assert disclose(sum(raw)) == 105  # published; 100 + * cannot be solved from this
    assert _candidates(cells, 1, disclose(sum(raw))) == {1, 2, 3, 4, 5, 6, 7}


def test_helpful_rate_from_published_counts():
    assert helpful_rate(disclose(40), disclose(12)) == pytest.approx(40 / 50)
    assert helpful_rate(disclose(40), disclose(3)) == SUPPRESSED
    assert helpful_rate(disclose(5), disclose(0)) == SUPPRESSED
    assert helpful_rate(0, 0) is None
    assert helpful_rate(0, 20) == 0
    assert format_rate(helpful_rate(30, 10)) == "75%"
    assert format_rate(SUPPRESSED) == "*" and format_rate(None) == "no answers"
