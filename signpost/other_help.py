"""Other help (signpost/other_help.yml): worries outside the directory's needs, such as
money, food, energy, housing and grief, read from what someone says, with sourced pointers.
Only topic ids leave this module, never the text."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml

from signpost.phrases import matching, phrase_pattern

FILE = Path(__file__).with_name("other_help.yml")


@dataclass(frozen=True)
class Pointer:
    name: str
    say: str  # what it is, in our words
    source_url: str
    phone: str | None = None
    url: str | None = None
    source_date: date | None = None
    maximum_age: int | None = None

    def as_text(self) -> str:
        contact = ", or see ".join(x for x in (self.phone and f"Call {self.phone}", self.url)
                                   if x)
        if contact and not self.phone:
            contact = "See " + contact[len(", or see "):] if contact.startswith(", or") \
                else "See " + contact
        return f"{self.name}: {self.say}." + (f" {contact}" if contact else "")


@dataclass(frozen=True)
class Topic:
    id: str
    label: str
    phrases: tuple[str, ...]
    pointers: tuple[Pointer, ...]


@lru_cache(maxsize=1)
def _data() -> dict:
    return yaml.safe_load(FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def topics() -> dict[str, Topic]:
    return {t["id"]: Topic(t["id"], t["label"],
                           tuple(str(p).casefold() for p in t["phrases"]),
                           tuple(Pointer(**p) for p in t["pointers"]))
            for t in _data()["topics"]}


def checked() -> date:
    return _data()["checked"]


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern]:
    return {t.id: phrase_pattern(t.phrases) for t in topics().values()}


def detect(text: str | None) -> tuple[str, ...]:
    """The topics a message raises: 'we've got a section 21 notice' -> ('housing',)."""
    return matching(text, _patterns())


def pointers_text(topic_id: str, age: int | None = None) -> str:
    """The topic's pointers as chat lines, without those for another age group."""
    topic = topics()[topic_id]
    chosen = [p for p in topic.pointers
              if p.maximum_age is None or (age is not None and age <= p.maximum_age)]
    return "\n".join("- " + p.as_text() for p in chosen)
