"""The dashboard's periods: presets and months typed as people write them."""
from __future__ import annotations

from datetime import date

import pytest

from referral_log.period import choose_period, parse_month_text, preset_period
from referral_log.report import ReportError


@pytest.mark.parametrize(("typed", "month"), [
    ("April 2024", "2024-04"), ("apr 2024", "2024-04"), ("Apr. 2024", "2024-04"),
    ("2024-04", "2024-04"), ("2024/4", "2024-04"), ("04/2024", "2024-04"),
    ("4 2024", "2024-04"), ("2024 April", "2024-04"), ("Sept 2023", "2023-09"),
    ("  DECEMBER   2025 ", "2025-12"),
])
def test_months_as_people_write_them(typed, month):
    assert parse_month_text(typed, "first") == month


@pytest.mark.parametrize("typed", ["January", "2024-13", "13/2024", "Smarch 2024", "2024",
                                   "1/1/2024", "April 1850", "<b>April</b> 2024"])
def test_a_month_that_cannot_be_read_says_how_to_write_it(typed):
    with pytest.raises(ReportError, match="for example April 2024 or 2024-04"):
        parse_month_text(typed, "first")


@pytest.mark.parametrize(("today", "start", "label"), [
    (date(2026, 2, 10), date(2026, 1, 1), "This quarter (January to March 2026)"),
    (date(2026, 4, 1), date(2026, 4, 1), "This quarter (April to June 2026)"),
    (date(2026, 12, 31), date(2026, 10, 1), "This quarter (October to December 2026)"),
])
def test_quarters_are_financial_quarters(today, start, label):
    period = preset_period("quarter", today)
    assert (period.start, period.end, period.label) == (start, today, label)


def test_presets_and_part_months():
    today = date(2026, 12, 1)
    days = preset_period("30d", today)
    assert (days.start, days.end) == (date(2026, 11, 2), today)
    assert days.part_months(today) == {"2026-11", "2026-12"}  # both cut
    year = preset_period("year", today)
    assert year.start == date(2026, 4, 1) and "April 2026 to March 2027" in year.label
    assert preset_period("year", date(2027, 2, 1)).start == date(2026, 4, 1)
    twelve = preset_period("12m", today)
    assert twelve.start == date(2026, 1, 1) and len(twelve.months()) == 12
    assert twelve.part_months(today) == {"2026-12"}  # only the month not over yet


def test_typed_months():
    today = date(2026, 12, 1)
    p = choose_period("30d", "April 2024", "June 2024", today)  # typed months win
    assert (p.start, p.end, p.label) == (date(2024, 4, 1), date(2024, 6, 30),
                                         "April 2024 to June 2024")
    assert choose_period(None, "Nov 2026", None, today).end == today
    with pytest.raises(ReportError, match="after"):
        choose_period(None, "June 2024", "April 2024", today)
    with pytest.raises(ReportError, match="60 months"):
        choose_period(None, "January 2010", "December 2020", today)
    with pytest.raises(ReportError, match="future"):
        choose_period(None, "January 2030", None, today)
