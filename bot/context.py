"""Where the person lives and how old they are, read from free text with spaCy.

Used on the first message (answers given early) and on answers to the bot's
"where do you live and how old are you?" question. Only the district and an age
band leave this module's callers for statistics; the text itself is never kept.

A postcode is looked up in the ONS Postcode Directory (services_directory/postcodes.py): a full
one gives exactly one district or authority; an outward code ("CM3") that reaches several (or
lies partly outside them) gives `candidates` instead, for the caller to ask which town.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot import spacy_pipeline
from bot.gazetteer import DISTRICTS, OUTSIDE, POSTCODE, UNITARY, unknown_place_phrases
from services_directory import postcodes

HERE = Path(__file__).resolve().parent
UNKNOWN = "unknown"
_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
          "eight": 8, "nine": 9}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}


@dataclass(frozen=True)
class Context:
    """What the text says about place and age. Of the place fields at most one is set, in this
    order: district, authority (outside_area too), candidates, outside_area, postcode_unknown."""

    district: str | None = None  # one of the 12 districts, "unknown" (declined), or None
    outside_area: bool = False  # named a place outside the county council's area
    age: int | None = None  # exact or representative age; used for filtering only
    age_declined: bool = False
    authority: str | None = None  # "Southend-on-Sea" or "Thurrock": named a place there
    # An outward code that is not wholly in one district or authority: the districts (and
    # "Southend-on-Sea"/"Thurrock") it reaches, most postcodes first. One entry when the
    # rest of it lies outside them all (e.g. "CO9": Braintree, and a little of Suffolk).
    candidates: tuple[str, ...] = ()
    postcode_unknown: bool = False  # a well-formed Essex-area full postcode ONS does not list


@dataclass
class _Places:
    """The first place of each kind named in one text."""

    district: str | None = None
    authority: str | None = None
    candidates: tuple[str, ...] = ()
    outside: bool = False
    postcode_unknown: bool = False

    def add_area(self, area: str) -> None:
        if area in DISTRICTS:
            self.district = self.district or area
        elif area in UNITARY:
            self.authority = self.authority or area
        elif area == OUTSIDE:
            self.outside = True

    def add_postcode(self, text: str) -> None:
        try:
            found = postcodes.lookup(text)
        except ValueError:  # the gazetteer's patterns are looser than a postcode
            return
        if not found.known:
            self.postcode_unknown |= found.full and postcodes.in_essex_area(found.code)
        elif found.authority:
            self.add_area(found.authority)
        elif found.authorities:
            self.candidates = self.candidates or found.authorities
        elif found.elsewhere:
            self.outside = True


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
    places = _Places()
    age: int | None = None
    for ent in doc.ents:
        if ent.label_ == "place":
            if ent.ent_id_ == POSTCODE:
                places.add_postcode(ent.text)
            else:
                places.add_area(ent.ent_id_)
        elif ent.label_ == "age" and age is None:
            age = _parse_age(ent.text)
    district, authority = places.district, None if places.district else places.authority
    candidates = () if district or authority else places.candidates
    outside = not (district or candidates) and (authority is not None or places.outside)
    postcode_unknown = places.postcode_unknown and not (district or candidates or outside)
    if age is None:
        age = _life_stage_age(text, answering)
    declined_age = False
    if answering:
        refusals = _life_stages()["refusals"]
        named = district or candidates or outside or postcode_unknown
        if not named and _has_phrase(text, unknown_place_phrases()):
            district = UNKNOWN
        if age is None and _has_phrase(text, refusals):
            declined_age = True
        if age is None:  # a bare number in an answer is the age: "78", "Basildon, 45"
            numbers = [int(n) for n in re.findall(r"(?<![\w/])(\d{1,3})(?![\w/])", text)]
            if len(numbers) == 1 and numbers[0] <= 115:
                age = numbers[0]
    return Context(district=district, outside_area=outside, age=age, age_declined=declined_age,
                   authority=authority, candidates=candidates, postcode_unknown=postcode_unknown)
