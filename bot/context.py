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
_SMALL = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
          "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
_DECADES = {"twenties": 20, "thirties": 30, "forties": 40, "fifties": 50, "sixties": 60,
            "seventies": 70, "eighties": 80, "nineties": 90}
# Where in a decade "early", "mid" and "late" put a representative age; no word: the middle.
_DECADE_PART = {"early": 2, "mid": 5, "late": 8}
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

    @property
    def names_place(self) -> bool:
        """The text names a place (in Essex or not), not only declines to say where."""
        return self.district not in (None, UNKNOWN) or self.authority is not None \
            or bool(self.candidates) or self.outside_area


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


def _decade_offset(text: str) -> int:
    return next((v for k, v in _DECADE_PART.items() if k in text), 5)


def _parse_age(span_text: str) -> int | None:
    t = span_text.lower()
    digits = re.search(r"\d{1,3}", t)
    if digits:
        value = int(digits.group())
        if re.search(r"\d0'?s\b", t):  # "80s" -> middle of the decade, "early 80s" -> 82
            value += _decade_offset(t)
        return value if 0 <= value <= 115 else None
    decade = next((v for k, v in _DECADES.items() if k in t), None)
    if decade is not None:  # "in my sixties" -> 65
        return decade + _decade_offset(t)
    small = next((v for k, v in _SMALL.items() if re.search(rf"\b{k}\b", t)), None)
    if small is not None:  # "just turned fourteen"
        return small
    tens = next((v for k, v in _TENS.items() if k in t), None)
    units = next((v for k, v in _UNITS.items() if re.search(rf"\b{k}\b", t)), None)
    if tens is None:
        return units  # "he's nine"
    return tens + (units or 0)


# "off work 3 yrs", "for 2 years", "clean 6 years": a span of time, not an age (unless "old").
_DURATION_LEADS = {"for", "past", "last", "over", "off", "since", "after", "within", "been",
                   "clean", "sober", "married", "together", "smoked", "smoking", "drinking",
                   "worked", "working", "lived", "living", "known", "waiting", "waited", "than",
                   "every", "in", "nearly", "almost", "few", "ago"}
_AGE_UNITS = {"years", "year", "yrs", "yr"}
# A bare number in an answer is an age only if no counted thing follows it: "2 kids",
# "20 a day", "4 pints", "10kg" are not ages; "45", "45 and lonely", "Harlow, 45" are.
_AFTER_BARE_AGE = {"and", "but", "in", "from", "living", "live", "lives", "now", "soon", "next",
                   "this", "ish", "or", "so", "m", "f", "male", "female", "years", "yrs",
                   "year", "yr", "old", "yo", "please", "pls", "thanks", "thank", "i", "he",
                   "she", "we", "my", "me", "at", "on", "last", "too"}
_BEFORE_NOT_AGE = {"lost", "gained", "lose", "gain", "owe", "about", "over", "under", "since",
                   "for", "had", "have", "got", "with", "smoke", "drink", "of", "number", "no",
                   "room", "flat", "house", "page", "step", "option", "day", "week", "month",
                   "times", "x", "was"}
_WORD_AGE = re.compile(rf"\b({'|'.join(_TENS)})(?:[ -]({'|'.join(_UNITS)}))?\b")


def _is_duration(doc, ent) -> bool:
    if ent[-1].lower_ not in _AGE_UNITS:
        return False
    after = doc[ent.end].lower_ if ent.end < len(doc) else ""
    if after in ("old", "of", "young"):
        return False
    before = {t.lower_ for t in doc[max(0, ent.start - 3):ent.start]}
    return bool(before & _DURATION_LEADS) or after in ("ago", "clean", "sober", "now", "since")


def _bare_number_age(text: str, place_starts: frozenset[int] = frozenset()) -> int | None:
    """The age in an answer that is only a number with little round it: "78", "Basildon, 45",
    "15 basildon" (a place may follow it: `place_starts` are where places begin)."""
    found = []
    for m in re.finditer(r"(?<![\w/£$.(#-])(\d{1,3})(?![\w/%.)])", text):
        before = re.findall(r"[a-z]+", text[:m.start()].lower())[-1:]
        after = re.findall(r"[a-z]+", text[m.end():].lower())[:1]
        nxt = re.match(r"\s*(?=[a-z])", text[m.end():].lower())
        glued = nxt is not None and m.end() + nxt.end() not in place_starts
        if before and before[0] in _BEFORE_NOT_AGE:
            continue
        lead = set(re.findall(r"[a-z]+", text[:m.start()].lower())[-3:])
        if after and after[0] in _AGE_UNITS and lead & _DURATION_LEADS:  # "off work 3 yrs"
            continue
        if glued and after and after[0] not in _AFTER_BARE_AGE:
            continue
        found.append(int(m.group(1)))
    return found[0] if len(found) == 1 and found[0] <= 115 else None


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
    place_starts = frozenset(e.start_char for e in doc.ents if e.label_ == "place")
    for ent in doc.ents:
        if ent.label_ == "place":
            if ent.ent_id_ == POSTCODE:
                places.add_postcode(ent.text)
            else:
                places.add_area(ent.ent_id_)
        elif ent.label_ == "age" and age is None and not _is_duration(doc, ent):
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
        if age is None:
            age = _bare_number_age(text, place_starts)
        if age is None and (words := _WORD_AGE.search(text.lower())):  # "CO15 1AB, seventy two"
            age = _TENS[words.group(1)] + (_UNITS[words.group(2)] if words.group(2) else 0)
    return Context(district=district, outside_area=outside, age=age, age_declined=declined_age,
                   authority=authority, candidates=candidates, postcode_unknown=postcode_unknown)
