"""Build the blank English spaCy pipeline used by Rasa (SpacyNLP) and by our actions.

No pretrained model can be downloaded here, so the pipeline is `spacy.blank("en")`
plus official extras: a lookup lemmatizer (spacy-lookups-data) and an EntityRuler
gazetteer that labels places (`place`, with the district, "Southend-on-Sea", "Thurrock" or
"outside" as entity id; "postcode" for a postcode, which bot/context.py looks up in the ONS
Postcode Directory) and ages (`age`). It is saved with `to_disk` and loaded by Rasa's SpacyNLP
from a path.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language

from bot.gazetteer import POSTCODE, place_names, postcode_outcodes
from signpost.config import ROOT

# Fixed path, relative to the repo: config.yml (SpacyNLP) names the same one.
DEFAULT_PATH = ROOT / "var" / "spacy" / "en_signpost"

_NUM = r"^\d{1,3}$"
# "im" is split by spaCy into "i" + "m", hence the bare "m".
_AGE_LEAD = ["aged", "age", "im", "i'm", "am", "'m", "m", "is", "'s", "of", "turned", "turning",
             "be", "'re", "are", "hes", "shes"]
# How link workers write about the person in a note: "client 52", "pt 67", "gentleman 80".
_PERSON_LEAD = ["client", "patient", "pt", "pt.", "resident", "gentleman", "lady", "man", "woman",
                "male", "female", "mr", "mrs", "ms", "gent"]
_AGE_UNIT = ["years", "year", "yrs", "yr", "yo", "y/o", "yrs.", "y.o."]
_OTHER_OUTWARD = r"^(cm|co|ss|ig|rm|en|cb|ip|sg|da|me|al|e|n|nw|se|sw|w|ec|wc)\d{1,2}[a-z]?$"
# Any UK outward code, and an inward code as Royal Mail writes them (never C, I, K, M, O or V:
# so "b4 5pm" is not a postcode).
_ANY_OUTWARD = r"^[a-z]{1,2}\d[a-z\d]?$"
_INWARD = r"^\d[abd-hjlnp-uw-z]{2}$"
_COMPACT = r"^[a-z]{1,2}\d[a-z\d]?\d[abd-hjlnp-uw-z]{2}$"  # "co151ab"
_TENS_WORDS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SMALL_WORDS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
                "eighteen", "nineteen"]
_DECADE_WORDS = ["twenties", "thirties", "forties", "fifties", "sixties", "seventies",
                 "eighties", "nineties"]


def age_patterns() -> list[dict]:
    num = {"TEXT": {"REGEX": _NUM}}
    word_num = {"LOWER": {"REGEX": rf"^({'|'.join(_TENS_WORDS)})(-\w+)?$"}}
    unit_word = {"LOWER": {"REGEX": r"^(one|two|three|four|five|six|seven|eight|nine)$"}}
    decade = {"LOWER": {"REGEX": r"^[1-9]0'?s$"}}
    decade_word = {"LOWER": {"IN": _DECADE_WORDS}}
    small_word = {"LOWER": {"IN": _SMALL_WORDS}}
    part = {"LOWER": {"IN": ["early", "mid", "mid-", "late"]}}
    possessive = {"LOWER": {"IN": ["my", "his", "her", "their", "our", "your"]}}
    return [
        {"label": "age", "pattern": [{"LOWER": {"IN": _AGE_LEAD}}, num]},
        {"label": "age", "pattern": [num, {"LOWER": {"IN": _AGE_UNIT}}]},
        {"label": "age", "pattern": [num, {"ORTH": "-"}, {"LOWER": {"IN": ["year", "years"]}}]},
        {"label": "age", "pattern": [{"LOWER": {"REGEX": r"^\d{1,3}(yo|yrs|y/o)$"}}]},
        {"label": "age", "pattern": [{"LOWER": {"IN": _AGE_LEAD}}, word_num, unit_word]},
        {"label": "age",
         "pattern": [{"LOWER": {"IN": _AGE_LEAD}}, word_num, {"ORTH": "-"}, unit_word]},
        {"label": "age", "pattern": [{"LOWER": {"IN": _AGE_LEAD}}, word_num]},
        {"label": "age", "pattern": [decade]},
        # "in my sixties", "in her early 80s", "mid forties", "late seventies"
        {"label": "age", "pattern": [{"LOWER": "in"}, possessive, part, {"OP": "?", "ORTH": "-"},
                                     {"LOWER": {"IN": _DECADE_WORDS}}]},
        {"label": "age", "pattern": [{"LOWER": "in"}, possessive, decade_word]},
        {"label": "age", "pattern": [part, {"OP": "?", "ORTH": "-"}, decade_word]},
        {"label": "age", "pattern": [part, {"OP": "?", "ORTH": "-"}, decade]},
        {"label": "age", "pattern": [{"LOWER": {"REGEX": r"^(early|mid|late)-?[1-9]0'?s$"}}]},
        # "she's just turned fourteen", "he is nine"
        {"label": "age", "pattern": [{"LOWER": {"IN": _AGE_LEAD}},
                                     {"LOWER": {"IN": ["just", "nearly", "almost", "about"]},
                                      "OP": "?"}, small_word]},
        {"label": "age", "pattern": [{"LOWER": {"IN": _AGE_LEAD}},
                                     {"LOWER": {"IN": ["just", "nearly", "almost", "about"]}},
                                     num]},
        # A link worker's note: "client 52", "pt 67M", "45F", "88 f"
        {"label": "age", "pattern": [{"LOWER": {"IN": _PERSON_LEAD}},
                                     {"LOWER": {"REGEX": r"^\d{1,3}[mf]?$"}}]},
        {"label": "age", "pattern": [{"LOWER": {"REGEX": r"^\d{2}[mf]$"}}]},
        {"label": "age", "pattern": [{"TEXT": {"REGEX": r"^\d{2}$"}},
                                     {"LOWER": {"IN": ["m", "f"]}}]},  # "67M" splits as 67 + m
    ]


def place_patterns() -> list[dict]:
    patterns = [
        {"label": "place", "pattern": name, "id": area}
        for name, area in place_names().items()
    ]
    essex = [code.lower() for code in postcode_outcodes()]
    # An Essex-area outward code with or without its inward part ("CO15", "CO15 1AB"); the
    # inward part is loose here so that a mistyped one is looked up and found unknown.
    loose_inward = {"LOWER": {"REGEX": r"^\d[a-z]{2}$"}, "OP": "?"}
    patterns += [
        {"label": "place", "pattern": [{"LOWER": {"IN": essex}}, loose_inward], "id": POSTCODE},
        # A full postcode anywhere in the UK ("EH1 1YZ", "co151ab").
        {"label": "place", "pattern": [{"LOWER": {"REGEX": _ANY_OUTWARD}},
                                       {"LOWER": {"REGEX": _INWARD}}], "id": POSTCODE},
        {"label": "place", "pattern": [{"LOWER": {"REGEX": _COMPACT}}], "id": POSTCODE},
        # Other outward codes of Essex's neighbours and London alone ("IP4", "E1").
        {"label": "place", "pattern": [{"LOWER": {"REGEX": _OTHER_OUTWARD, "NOT_IN": essex}}],
         "id": POSTCODE},
    ]
    return patterns


def build(path: Path = DEFAULT_PATH) -> Path:
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    # Ages before places: "co15" is a place, "15" after "I'm" is an age.
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER",
                                                 "overwrite_ents": True})
    nlp.initialize()  # loads the lemma lookup tables from spacy-lookups-data
    ruler.add_patterns(age_patterns() + place_patterns())
    nlp.meta["name"] = "en_signpost"
    nlp.meta["description"] = "Blank English pipeline with lookup lemmas and an Essex gazetteer"
    path.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(path)
    return path


@lru_cache(maxsize=2)
def load(path: str | None = None) -> Language:
    """Load the saved pipeline, building it first if it is missing."""
    p = Path(path) if path else DEFAULT_PATH
    if not (p / "meta.json").exists():
        build(p)
    return spacy.load(p)
