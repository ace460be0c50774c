"""Who the help is for (bot/people.yml): the person typing, or someone they ask for.

`detect` returns a relation id ("dad", "patient") or "self" for "it's for me", or None when
the message does not say. Replies use `your_them` ("your dad") and `pronoun` ("he").
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

FILE = Path(__file__).with_name("people.yml")
SELF = "self"
_SELF = re.compile(r"\bfor (me|myself)\b(?! to)|\bnot for (him|her|them)\b")


@lru_cache(maxsize=1)
def _data() -> dict:
    return yaml.safe_load(FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _words() -> dict[str, str]:
    return {w: pid for pid, p in _data()["people"].items() for w in p["words"]}


def _alt(items) -> str:
    return "|".join(re.escape(str(i)) for i in sorted(items, key=len, reverse=True))


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    d = _data()
    rel = rf"(?:my|our|me|the)\s+(?:[\w'-]+\s+){{0,3}}?(?P<rel>{_alt(_words())})s?"
    before = re.compile(rf"\b(?:{_alt(d['for_them_before'])})\s+{rel}\b")
    doing = re.compile(rf"\b{rel}(?:\s*|\b)(?:{_alt(d['them_doing'])})(?=\W|$)")
    not_after = re.compile(rf"\b{rel}\s+(?:\w+\s+)?(?:{_alt(d['not_for_them_after'])})\b")
    return before, doing, not_after


def _norm(text: str) -> str:
    return " ".join(text.casefold().replace("’", "'").split())[:2000]


def detect(text: str | None, practitioner: bool = False) -> str | None:
    norm = _norm(text or "")
    if _SELF.search(norm):
        return SELF
    before, doing, not_after = _patterns()
    excluded = {m.group("rel") for m in not_after.finditer(norm)}
    for pattern in (before, doing):
        for m in pattern.finditer(norm):
            if m.group("rel") not in excluded:
                return _words()[m.group("rel")]
    if practitioner or re.search(r"\b(pt|patient|client)\b", norm):
        return "patient" if re.search(r"\b(pt|patient|client|service user)\b", norm) else None
    return None


def your_them(person: str | None) -> str | None:
    """'your dad', 'your patient'; None for the person typing."""
    if not person or person == SELF:
        return None
    return "your " + ("patient or client" if person == "patient" else person)


def pronoun(person: str | None) -> str:
    if not person or person == SELF:
        return "you"
    return _data()["people"][person]["pronoun"]
