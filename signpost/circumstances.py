"""Circumstances a service may be only for (signpost/circumstances.yml): the one vocabulary,
and reading them from what someone says. Only ids leave this module, never text."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from signpost.phrases import matching, phrase_pattern

FILE = Path(__file__).with_name("circumstances.yml")


@dataclass(frozen=True)
class Circumstance:
    id: str
    label: str
    phrases: tuple[str, ...]
    implied_by_needs: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def circumstances() -> dict[str, Circumstance]:
    raw = yaml.safe_load(FILE.read_text(encoding="utf-8"))["circumstances"]
    return {c["id"]: Circumstance(c["id"], c["label"], tuple(str(p).casefold()
                                                              for p in c["phrases"]),
                                  tuple(c.get("implied_by_needs") or ()))
            for c in raw}


CIRCUMSTANCE_IDS: tuple[str, ...] = tuple(circumstances())


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern]:
    return {c.id: phrase_pattern(c.phrases) for c in circumstances().values()}


def detect(text: str | None) -> tuple[str, ...]:
    """The circumstances a message shows: 'I'm 30 weeks pregnant' -> ('pregnant_or_new_parent',)."""
    return matching(text, _patterns())


def implied_by(need: str | None) -> tuple[str, ...]:
    """Circumstances that asking for this need implies (carer support: a carer)."""
    return tuple(c.id for c in circumstances().values() if need in c.implied_by_needs)
