"""The dashboard's date range: presets (last 30 days, this quarter, this financial year, last
12 months) and forgiving month input ("April 2024", "Apr 2024", "2024-04", "04/2024")."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from referral_log.report import ReportError

MAX_MONTHS = 60  # the trend stays readable
PRESETS: dict[str, str] = {
    "30d": "Last 30 days",
    "quarter": "This quarter",
    "year": "This financial year",
    "12m": "Last 12 months",
}
DEFAULT_PRESET = "12m"
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_NUMERIC = (re.compile(r"^(?P<y>\d{4})\s*[-/.\s]\s*(?P<m>\d{1,2})$"),
            re.compile(r"^(?P<m>\d{1,2})\s*[-/.\s]\s*(?P<y>\d{4})$"))
_WORDS = (re.compile(r"^(?P<name>[a-z]+)\.?,?\s*(?P<y>\d{4})$"),
          re.compile(r"^(?P<y>\d{4})\s*(?P<name>[a-z]+)$"))
EXAMPLE = "a month and year, for example April 2024 or 2024-04"


@dataclass(frozen=True)
class Period:
    start: date  # first day, inclusive
    end: date  # last day, inclusive
    label: str
    preset: str | None = None

    def months(self) -> list[str]:
        """"YYYY-MM" of every month the period touches."""
        out, y, m = [], self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def part_months(self, today: date) -> set[str]:
        """Months counted only in part: cut by the period, or not over yet."""
        out = set()
        for month in self.months():
            first, last = month_first(month), month_last(month)
            if first < self.start or last > self.end or first <= today <= last:
                out.add(month)
        return out


def month_first(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


def month_last(month: str) -> date:
    first = month_first(month)
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def month_name(month: str) -> str:
    return month_first(month).strftime("%B %Y")


def parse_month_text(value: str, field: str) -> str:
    """"YYYY-MM" from what a person types; ReportError naming the field and an example."""
    text = " ".join(value.strip().lower().split())
    year = month = None
    for pattern in _NUMERIC:
        if m := pattern.match(text):
            year, month = int(m["y"]), int(m["m"])
            break
    else:
        for pattern in _WORDS:
            if (m := pattern.match(text)) and m["name"] in _MONTHS:
                year, month = int(m["y"]), _MONTHS[m["name"]]
                break
    if year is None or not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise ReportError(f"Enter the {field} month as {EXAMPLE}")
    return f"{year:04d}-{month:02d}"


def preset_period(preset: str, today: date) -> Period:
    if preset == "30d":
        return Period(today - timedelta(days=29), today, PRESETS[preset], preset)
    if preset == "quarter":  # financial quarters (April-June...) start where calendar ones do
        start = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
        label = f"This quarter ({start:%B} to {date(today.year, start.month + 2, 1):%B %Y})"
        return Period(start, today, label, preset)
    if preset == "year":  # the financial year, April to March
        year = today.year if today.month >= 4 else today.year - 1
        return Period(date(year, 4, 1), today,
                      f"This financial year (April {year} to March {year + 1})", preset)
    if preset == "12m":
        y, m = today.year, today.month - 11
        if m < 1:
            y, m = y - 1, m + 12
        return Period(date(y, m, 1), today, PRESETS[preset], preset)
    raise ReportError(f"choose a period from: {', '.join(PRESETS.values())}")


def choose_period(preset: str | None, month_from: str | None, month_to: str | None,
                  today: date) -> Period:
    """The period asked for. Months typed win over a preset; ReportError if bad."""
    month_from, month_to = (month_from or "").strip(), (month_to or "").strip()
    if not month_from and not month_to:
        return preset_period(preset or DEFAULT_PRESET, today)
    first = parse_month_text(month_from, "first") if month_from else None
    last = parse_month_text(month_to, "last") if month_to else None
    if first and last and first > last:
        raise ReportError("The first month must not be after the last month")
    start = month_first(first) if first else month_first(last)
    end = min(month_last(last), today) if last else today
    if first and not last and start > today:
        raise ReportError("The first month must not be in the future")
    period = Period(start, max(end, start), "")
    if len(period.months()) > MAX_MONTHS:
        raise ReportError(f"Choose a range of {MAX_MONTHS} months or fewer")
    first_m, last_m = period.months()[0], period.months()[-1]
    label = month_name(first_m) if first_m == last_m else \
        f"{month_name(first_m)} to {month_name(last_m)}"
    return Period(period.start, period.end, label)
