"""Place and age from free text (bot/context.py, spaCy gazetteer)."""
from __future__ import annotations

import pytest

from bot.context import UNKNOWN, extract_context


@pytest.mark.parametrize(("text", "district"), [
    ("I live in Clacton", "Tendring"),
    ("clacton-on-sea", "Tendring"),
    ("CO15 1AB", "Tendring"),
    ("Tendring", "Tendring"),
    ("I'm in Canvey Island", "Castle Point"),
    ("saffron walden", "Uttlesford"),
    ("Billericay", "Basildon"),
    ("I'm 40 and live in Harlow", "Harlow"),
])
def test_town_postcode_or_district_becomes_a_district(text, district):
    assert extract_context(text).district == district


@pytest.mark.parametrize(("text", "age"), [
    ("I'm 78 and live in Harwich", 78),
    ("patient, 80s, recently widowed", 85),
    ("aged 16", 16),
    ("he's 82", 82),
    ("I am 40 years old", 40),
    ("im seventy-two", 72),
])
def test_ages(text, age):
    assert extract_context(text).age == age


def test_places_outside_the_county_council_area_are_flagged():
    ctx = extract_context("I live in Southend")
    assert ctx.district is None and ctx.outside_area


def test_refusals_count_only_when_answering_our_question():
    assert extract_context("rather not say", answering=True).district == UNKNOWN
    assert extract_context("rather not say", answering=True).age_declined
    # in a first message, "not sure" is not an answer about where someone lives
    assert extract_context("I'm not sure what to do, I'm lonely").district is None


def test_life_stages():
    assert extract_context("retired, Witham", answering=True).age == 70
    assert extract_context("I'm retired and lonely").age == 70
    assert extract_context("my child is struggling").age is None  # the child is not the asker


def test_a_bare_number_in_an_answer_is_the_age():
    assert extract_context("Basildon, 45", answering=True).age == 45
    assert extract_context("78", answering=True).age == 78
    assert extract_context("CM1 2AB", answering=True).age is None  # postcode digits are not ages
    assert extract_context("Basildon, 45").age is None  # only when answering our question
