"""Server-side SVG bar charts for the dashboard: horizontal bars, one row per item, so the
labels stay readable on a phone (the text is at least 14 units in a 360-unit-wide drawing,
about 13 px on a 360 px screen). Each chart is role="img" with a title and a description,
and is followed on the page by a table of the same figures."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from referral_log.disclosure import SUPPRESSED, Published

WIDTH, ROW, LABEL_W, VALUE_W, FONT = 360, 30, 120, 44, 14
BAR = "#005eb8"  # NHS blue
PART = "#768692"  # NHS mid grey: a month not over yet, or cut by the period
TEXT = "#212b32"


@dataclass(frozen=True)
class Bar:
    label: str
    value: Published
    part: bool = False  # drawn grey and marked "part" in the label


def bar_chart(chart_id: str, title: str, bars: Sequence[Bar], what: str) -> Markup:
    """`what` says what the bars count, for the description ("people signposted")."""
    cid = "chart-" + "".join(c if c.isalnum() else "-" for c in chart_id)
    height = ROW * max(1, len(bars)) + 8
    numbers = [b.value for b in bars if isinstance(b.value, int)]
    top = max(numbers, default=0) or 1
    plot = WIDTH - LABEL_W - VALUE_W
    parts = [
        f'<svg class="bar-chart" role="img" aria-labelledby="{cid}-title {cid}-desc" '
        f'viewBox="0 0 {WIDTH} {height}" xmlns="http://www.w3.org/2000/svg" focusable="false">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(describe(bars, what))}</desc>',
    ]
    for i, bar in enumerate(bars):
        y = 4 + i * ROW
        mid = y + ROW / 2 + FONT / 2 - 2
        label = bar.label + (" (part)" if bar.part else "")
        parts.append(f'<text x="{LABEL_W - 6}" y="{mid:.1f}" text-anchor="end" '
                     f'font-size="{FONT}" fill="{TEXT}">{escape(label)}</text>')
        w = plot * bar.value / top if isinstance(bar.value, int) else 0
        if w > 0:
            parts.append(f'<rect x="{LABEL_W}" y="{y + 5}" width="{w:.1f}" height="{ROW - 10}" '
                         f'fill="{PART if bar.part else BAR}"/>')
        parts.append(f'<text x="{LABEL_W + w + 4:.1f}" y="{mid:.1f}" font-size="{FONT}" '
                     f'fill="{TEXT}">{escape(str(bar.value))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def describe(bars: Sequence[Bar], what: str) -> str:
    if not bars:
        return "Nothing to show."
    numbers = [(b.value, b.label) for b in bars if isinstance(b.value, int)]
    text = f"Bar chart of {what}, {bars[0].label} to {bars[-1].label}."
    if numbers:
        peak, at = max(numbers, key=lambda p: p[0])
        text += f" Highest: {peak} ({at})."
    if any(b.part for b in bars):
        text += " Bars marked part are for part of a month only, so they look lower."
    if any(b.value == SUPPRESSED for b in bars):
        text += " * means between 1 and 7 (not shown to protect privacy)."
    return text + " The figures are also in the table after the chart."
