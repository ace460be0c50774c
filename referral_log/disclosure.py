"""Statistical disclosure control, applied to every published number.

The NHS small-number rule, applied after grouping: 0 stays 0; 1 to 7 is shown as
"*"; 8 and above is rounded to the nearest 5. Totals are computed from the raw
counts and then rounded the same way, never summed from published cells, so an
exact total can never be used to work out a suppressed cell by subtraction.

Rounding alone is not quite enough: with cells [*, *, 45, 45] and a total of 110,
only 7 + 7 fits, so both suppressed cells are pinned. `disclose_total` therefore
applies secondary suppression: a total that, together with a breakdown published
beside it, leaves any suppressed cell a single possible value is itself shown as "*".
"""
from __future__ import annotations

from collections.abc import Sequence

SUPPRESSED = "*"
SUPPRESS_MAX = 7
ROUND_TO = 5

RULE = (
    "Numbers are rounded to the nearest 5; 1 to 7 is shown as * and 0 as 0. "
    "Totals are rounded from exact figures, so they may not equal the sum of the rows."
)
RAW_NOTICE = "NOT FOR PUBLICATION: exact counts without disclosure control. Analyst use only."

Published = int | str  # a rounded count, or SUPPRESSED


def disclose(n: int) -> Published:
    """One published cell from one raw count."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError("a count must be a non-negative integer")
    if n == 0:
        return 0
    if n <= SUPPRESS_MAX:
        return SUPPRESSED
    # Integer arithmetic: n/5 never ends in .5, so there are no ties to break.
    return ROUND_TO * ((n + ROUND_TO // 2) // ROUND_TO)


def published_range(value: Published) -> tuple[int, int]:
    """The raw counts that publish as `value` (what an onlooker can infer)."""
    if value == SUPPRESSED:
        return 1, SUPPRESS_MAX
    if value == 0:
        return 0, 0
    assert isinstance(value, int)
    return max(SUPPRESS_MAX + 1, value - ROUND_TO // 2), value + ROUND_TO // 2


def candidates(cells: Sequence[Published], i: int, total: Published) -> set[int]:
    """Raw values of cell i consistent with the published cells and total of a partition."""
    t_lo, t_hi = published_range(total)
    others = [published_range(c) for j, c in enumerate(cells) if j != i]
    s_lo, s_hi = sum(o[0] for o in others), sum(o[1] for o in others)
    lo, hi = published_range(cells[i])
    return {x for x in range(lo, hi + 1) if x + s_hi >= t_lo and x + s_lo <= t_hi}


def pins_a_cell(raw_cells: Sequence[int], total: int) -> bool:
    """Would publishing this breakdown with this total leave a suppressed cell one value?"""
    cells = [disclose(n) for n in raw_cells]
    published = disclose(total)
    return any(
        len(candidates(cells, i, published)) == 1
        for i, cell in enumerate(cells) if cell == SUPPRESSED
    )


def disclose_total(total: int, *breakdowns: Sequence[int]) -> Published:
    """The published total, suppressed if it would unmask a cell of any breakdown shown with it.

    Each breakdown is the list of raw counts of a table published beside the total
    whose cells add up to it (districts, age bands...).
    """
    if any(pins_a_cell(b, total) for b in breakdowns):
        return SUPPRESSED
    return disclose(total)


def helpful_rate(yes: Published, no: Published) -> float | str | None:
    """Share of "yes" answers, from the *published* counts.

    Suppressed when either count is suppressed (a rate from "*" would reveal it);
    None when there were no answers at all.
    """
    if yes == SUPPRESSED or no == SUPPRESSED:
        return SUPPRESSED
    assert isinstance(yes, int) and isinstance(no, int)
    if yes + no == 0:
        return None
    return yes / (yes + no)


def share(part: Published, whole: Published) -> float | str | None:
    """part / whole from *published* counts (any rate: out of scope, not understood...).

    Suppressed when either is suppressed; None when the whole is 0. Capped at 1, because
    two rounded counts can put the part above the whole.
    """
    if part == SUPPRESSED or whole == SUPPRESSED:
        return SUPPRESSED
    assert isinstance(part, int) and isinstance(whole, int)
    if whole == 0:
        return None
    return min(1.0, part / whole)


def format_rate(rate: float | str | None, none: str = "no answers") -> str:
    if rate is None:
        return none
    if rate == SUPPRESSED:
        return SUPPRESSED
    return f"{round(100 * float(rate))}%"
