"""Where the person lives and how old they are, read from free text with spaCy.

Used on the first message (answers given early) and on answers to the bot's
"where do you live and how old are you?" question. Only the district and an age
band leave this module's callers for statistics; the text itself is never kept.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot import spacy_pipeline
from bot.gazetteer import DISTRICTS, OUTSIDE, unknown_place_phrases

HERE = Path(__file__).resolve().parent
UNKNOWN = "unknown"
_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
          "eight": 8, "nine": 9}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}


@dataclass(frozen=True)
class Context:
    district: str | None = None  # one of the 12 districts, "unknown" (declined), or None
    outside_area: bool = False  # named a place outside the county council's area
    age: int | None = None  # exact or representative age; used for filtering only
    age_declined: bool = False


@lru_cache(maxsize=1)
def _life_stages() -> dict:
    return yaml.safe_load((HERE / "life_stages.yml").read_text(encoding="utf-8"))


def _parse_age(span_text: str) -> int | None:
    t = span_text.lower()
    digits = re.search(r"\d{1,3}", t)
    if digits:
        value = int(digits.group())
        if re.search(r"\d0'?s\b", t):  # "80s" -> middle of the decade
            value += 5
        return value if 0 <= value <= 115 else None
    tens = next((v for k, v in _TENS.items() if k in t), None)
    if tens is None:
        return None
    units = next((v for k, v in _UNITS.items() if re.search(rf"\b{k}\b", t)), 0)
    return tens + units


def _has_phrase(text: str, phrases: list[str]) -> bool:
    norm = " " + re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("’", "'")) + " "
    return any(f" {p} " in norm for p in phrases)


def _life_stage_age(text: str, answering: bool) -> int | None:
    norm = " " + re.sub(r"[^a-z0-9' -]+", " ", text.lower().replace("’", "'")) + " "
    stages = _life_stages()["life_stages"]
    for stage in sorted(stages, key=len, reverse=True):
        if answering and f" {stage} " in norm:
            return int(stages[stage])
        # On a first message only "I'm (a) retired/student..." counts: "my child" is not an age.
        if re.search(rf"\b(i'm|im|i am)( an?)? {re.escape(stage)}\b", norm):
            return int(stages[stage])
    return None


def extract_context(text: str, answering: bool = False) -> Context:
    """Read district and age from `text`.

    `answering` is True when the text answers our place/age question: then bare
    life stages ("retired") and refusals ("rather not say") count too.
    """
    doc = spacy_pipeline.load()(text.lower()[:2000])
    district: str | None = None
    outside = False
    age: int | None = None
    for ent in doc.ents:
        if ent.label_ == "place":
            if ent.ent_id_ in DISTRICTS and district is None:
                district = ent.ent_id_
            elif ent.ent_id_ == OUTSIDE:
                outside = True
        elif ent.label_ == "age" and age is None:
            age = _parse_age(ent.text)
    if age is None:
        age = _life_stage_age(text, answering)
    declined_age = False
    if answering:
        refusals = _life_stages()["refusals"]
        if district is None and not outside and _has_phrase(text, unknown_place_phrases()):
            district = UNKNOWN
        if age is None and _has_phrase(text, refusals):
            declined_age = True
        if age is None:  # a bare number in an answer is the age: "78", "Basildon, 45"
            numbers = [int(n) for n in re.findall(r"(?<![\w/])(\d{1,3})(?![\w/])", text)]
            if len(numbers) == 1 and numbers[0] <= 115:
                age = numbers[0]
    return Context(district=district, outside_area=outside and district is None, age=age,
                   age_declined=declined_age)
