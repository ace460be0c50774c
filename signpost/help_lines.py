"""The crisis and safeguarding lines (help_lines.yml), rendered as chat text, HTML or JSON.

Every place that shows a help line renders it from here, so a number is written once.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class HelpLine:
    id: str
    label: str
    number: str
    href: str
    text: str  # with {link} where the label goes
    source_url: str
    names: tuple[str, ...] = ()  # how people ask for it: "samaritans", "child line"

    def as_text(self) -> str:
        return self.text.format(link=self.label)

    def as_html(self) -> str:
        parts = [html.escape(p) for p in self.text.split("{link}")]
        link = f'<a href="{html.escape(self.href)}">{html.escape(self.label)}</a>'
        return link.join(parts)


@lru_cache(maxsize=1)
def _data() -> dict:
    return yaml.safe_load((HERE / "help_lines.yml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def lines() -> dict[str, HelpLine]:
    return {key: HelpLine(id=key, names=tuple(str(n).casefold() for n in value.get("names", ())),
                          **{k: str(v) for k, v in value.items() if k != "names"})
            for key, value in _data()["lines"].items()}


def line(key: str) -> HelpLine:
    return lines()[key]


def help_now_ids() -> list[str]:
    return list(_data()["help_now"])


def help_now() -> list[HelpLine]:
    return [line(k) for k in help_now_ids()]


def as_bullets(keys: list[str]) -> str:
    """Chat text: one '- ' line per help line, in the order given."""
    return "\n".join(f"- {line(k).as_text()}" for k in keys)


def help_now_text(heading: str = "If you need help now:") -> str:
    return heading + "\n" + as_bullets(help_now_ids())


def widget_json() -> list[dict[str, str]]:
    """What the widget needs to show the lines when the assistant cannot be reached."""
    return [{"id": h.id, "text": h.as_text(), "label": h.label, "href": h.href}
            for h in help_now()]


# What a reply must carry to count as "showing the crisis lines" (tests and the channels).
CRISIS_MARKERS = tuple(line(k).label for k in ("emergency", "nhs111", "samaritans", "shout",
                                                "childline"))
