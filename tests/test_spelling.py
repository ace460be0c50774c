"""bot/spelling.py: misspelt words become domain words; nothing else is touched."""
from __future__ import annotations

import pytest

from bot.spelling import Corrector, domain_vocabulary, place_words

DOMAIN = ["lonely", "loneliness", "diabetes", "exercise", "weight", "vaping", "alcohol",
          "carers", "toddler", "drinking", "smoking", "anxiety", "canvey", "worried"]


@pytest.fixture(scope="module")
def corrector() -> Corrector:
    return Corrector(DOMAIN + ["reablement"], protected=place_words())


@pytest.mark.parametrize("typed,meant", [
    ("lonley", "lonely"),          # transposition
    ("diabetis", "diabetes"),      # substitution
    ("excercise", "exercise"),     # insertion, long word
    ("wieght", "weight"),
    ("vapeing", "vaping"),         # a domain word no English list has
    ("allcohol", "alcohol"),
    ("Lonley", "lonely"),          # case does not matter
    ("reablment", "reablement"),
])
def test_misspelt_domain_words_are_corrected(corrector, typed, meant):
    assert corrector.correct(typed) == meant


@pytest.mark.parametrize("word", [
    "lonely", "weight",          # already right
    "house", "garden",           # English words are never changed, domain or not
    "ADHD", "GCSEs", "SEND",     # acronyms
    "gp", "im", "u",             # too short to judge
    "stairlift",                 # unknown, but no domain word within reach
    "xyzzyq",                    # gibberish stays gibberish
    "co15",                      # not a plain word
])
def test_other_words_are_left_alone(corrector, word):
    assert corrector.correct(word) == word.lower()


def test_place_names_are_protected():
    # "frinton" is one edit from no domain word here, but "witham" and "maldon" must never be
    # read as something else even with a domain word close by.
    c = Corrector(["within", "mallon"], protected=place_words())
    assert c.correct("witham") == "witham"
    assert c.correct("maldon") == "maldon"


def test_the_first_letter_must_match(corrector):
    # "moking" is one edit from "smoking", but typos rarely lose the first letter.
    assert corrector.correct("moking") == "moking"


def test_a_closer_english_word_wins_over_a_further_domain_word():
    # "hospitol" is one edit from "hospital" (English, not a domain word here) and two from
    # the domain word "hospitals": it is not forced into the domain.
    assert Corrector(["hospitals"]).correct("hospitol") == "hospitol"
    assert Corrector(["hospital"]).correct("hospitol") == "hospital"


def test_at_equal_distance_the_domain_word_wins():
    # "parentsd" is one edit from "parents" (English) and from "parented" (domain).
    assert Corrector(["parented"]).correct("parentsd") == "parented"


def test_domain_vocabulary_keeps_words_used_at_least_twice():
    vocab = domain_vocabulary([["vaping", "is", "bad"], ["vaping", "lonley"], ["lonely"]])
    assert "vaping" in vocab and "lonley" not in vocab


def test_round_trip_through_json(corrector):
    again = Corrector.from_json(corrector.to_json())
    assert again.correct("diabetis") == "diabetes"
