"""Deterministic crisis detection: a spaCy Matcher over lemmas.

This layer runs after the trained classifier (see bot/rasa_components.py) and
can only ever ADD a crisis intent: low model confidence cannot switch it off.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from spacy.matcher import Matcher

from bot import spacy_pipeline

HERE = Path(__file__).resolve().parent
WILDCARD = [{"OP": "?"}] * 3

# Normalise spellings so that one pattern covers "don't", "dont" and "do not".
_REWRITES = [
    (r"[’`´]", "'"),
    (r"\b(do|does|did)(n't|nt)\b", r"\1 not"),
    (r"\b(can't|cant|cannot)\b", "can not"),
    (r"\b(won't|wont)\b", "will not"),
    (r"\b(is|was|are|were|have|has)(n't|nt)\b", r"\1 not"),
    (r"\b(wanna)\b", "want to"),
    (r"\b(gonna)\b", "going to"),
    (r"\b(i'm|im)\b", "i am"),
    (r"\b(ive|i've)\b", "i have"),
    (r"\b(idk)\b", "i do not know"),
    (r"[-_/]", " "),
]


def normalise(text: str) -> str:
    text = text.lower()
    for pattern, repl in _REWRITES:
        text = re.sub(pattern, repl, text)
    return text


def _token_pattern(token: str, nlp) -> list[dict]:
    if token == "*":
        return list(WILDCARD)
    words = set(token.split("|"))
    # Match on lemmas, listing each word's own lemma too ("better" lemmatises to
    # "well"; a typo such as "killin" has no lemma entry and stays itself).
    forms = words | {nlp(w)[0].lemma_ for w in words}
    return [{"LEMMA": {"IN": sorted(forms)}}]


def _compile(phrase: str, nlp) -> list[dict]:
    pattern: list[dict] = []
    for token in phrase.split():
        pattern.extend(_token_pattern(token, nlp))
    return pattern


@lru_cache(maxsize=1)
def _matchers() -> tuple[Matcher, Matcher]:
    data = yaml.safe_load((HERE / "crisis_patterns.yml").read_text(encoding="utf-8"))
    nlp = spacy_pipeline.load()
    risk, exempt = Matcher(nlp.vocab), Matcher(nlp.vocab)
    for i, phrase in enumerate(data["phrases"]):
        risk.add(f"risk{i}", [_compile(phrase, nlp)])
    for i, phrase in enumerate(data["exceptions"]):
        exempt.add(f"exempt{i}", [_compile(phrase, nlp)])
    return risk, exempt


def crisis_spans(text: str) -> list[tuple[int, int]]:
    """Token spans that signal risk, after removing those inside an exception phrase."""
    nlp = spacy_pipeline.load()
    doc = nlp(normalise(text[:5000]))
    risk, exempt = _matchers()
    exempt_tokens = {i for _, s, e in exempt(doc) for i in range(s, e)}
    return [(s, e) for _, s, e in risk(doc) if not set(range(s, e)) <= exempt_tokens]


def is_crisis(text: str) -> bool:
    return bool(text) and bool(crisis_spans(text))
