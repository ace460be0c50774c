"""Matching a vocabulary of phrases as whole words on what someone typed: shared by the
circumstances (signpost/circumstances.yml) and the other-help topics (other_help.yml)."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping


def normalise(text: str | None, limit: int = 2000) -> str:
    """Casefolded, curly apostrophes straightened, whitespace collapsed, at most `limit`."""
    return " ".join((text or "").casefold().replace("’", "'").split())[:limit]


def phrase_pattern(phrases: Iterable[str]) -> re.Pattern:
    """One pattern for any of the phrases as whole words, longest first."""
    alternatives = sorted(phrases, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in alternatives) + r")\b")


def matching(text: str | None, patterns: Mapping[str, re.Pattern]) -> tuple[str, ...]:
    """The ids whose pattern the text matches, in the vocabulary's order."""
    norm = normalise(text)
    return tuple(pid for pid, pattern in patterns.items() if pattern.search(norm))
