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


# Ages in words, decades, a child's age and link workers' notes (bot/spacy_pipeline.py).
@pytest.mark.parametrize(("text", "age"), [
    ("I'm in my sixties", 65),
    ("we are both in our eighties", 85),
    ("Rochford, mid forties", 45),
    ("in her early 80s", 82),
    ("late seventies", 78),
    ("he's 9", 9),
    ("my son is 9 and hates school", 9),
    ("she's just turned fourteen", 14),
    ("he's sixty six", 66),
    ("client 52 Harlow", 52),
    ("pt 67M Harlow, isolated", 67),
    ("45F Brentwood, low mood", 45),
    ("Link worker - 88F, Saffron Walden", 88),
    ("I have 34 years", 34),
    ("45 years old, lives in Harlow", 45),
])
def test_ages_in_words_decades_and_notes(text, age):
    assert extract_context(text).age == age


# Durations, counts, dates and list numbers are not ages, even in an answer to our question.
@pytest.mark.parametrize("text", [
    "off work 3 yrs, low mood",
    "smoked for 20 years",
    "its for me and my 2 kids",
    "lost 10kg in 2 months",
    "(1) lonely (2) Basildon",
    "I drink 4 pints a night",
    "smoke 20 a day since i was 16",
    "been sober 2 years now",
])
def test_durations_counts_and_list_numbers_are_not_ages(text):
    assert extract_context(text).age is None
    assert extract_context(text, answering=True).age is None


@pytest.mark.parametrize(("text", "age"), [
    ("CO15 1AB seventy two", 72),
    ("Basildon, 45", 45),
    ("Colchester 38", 38),
    ("78", 78),
    ("eighty one", 81),
])
def test_numbers_in_an_answer_are_the_age(text, age):
    assert extract_context(text, answering=True).age == age


def test_places_outside_the_county_council_area_are_flagged():
    ctx = extract_context("I live in Southend")
    assert ctx.district is None and ctx.outside_area


# Postcodes are looked up in the ONS Postcode Directory: the authorities asserted are what
# ONS gives these postcodes (see tests/directory/test_postcodes.py).
@pytest.mark.parametrize(("text", "district"), [
    ("I'm at CM3 5ZA", "Chelmsford"),  # CM3 reaches four districts: the full postcode decides
    ("cm3 6ng", "Maldon"),
    ("my postcode is CM3 2JH", "Braintree"),
    ("co151ab", "Tendring"),  # typed without the space
    ("I live in CO15", "Tendring"),  # an outcode wholly in Tendring
    ("Clacton, CM3", "Tendring"),  # a town named outright beats an outcode that spans
])
def test_a_full_postcode_resolves_exactly(text, district):
    ctx = extract_context(text)
    assert ctx.district == district
    assert (ctx.candidates, ctx.authority, ctx.outside_area, ctx.postcode_unknown) == (
        (), None, False, False)


@pytest.mark.parametrize(("text", "authority"), [
    ("I live in Southend", "Southend-on-Sea"), ("Leigh-on-Sea", "Southend-on-Sea"),
    ("SS1 1AA", "Southend-on-Sea"), ("ss0", "Southend-on-Sea"),
    ("I'm in Grays", "Thurrock"), ("RM17 5YJ", "Thurrock"),
    ("CM13 3EL", "Thurrock"),  # a Thurrock postcode in a Brentwood outcode
])
def test_southend_and_thurrock_are_told_apart_from_elsewhere(text, authority):
    ctx = extract_context(text)
    assert ctx.authority == authority and ctx.outside_area and ctx.district is None


@pytest.mark.parametrize("text", ["I live in London", "Ipswich", "E1 6AN", "EH1 1YZ",
                                  "I'm in CF10 1EP", "BT1 5GS", "IP4"])
def test_places_elsewhere_are_outside_with_no_authority(text):
    ctx = extract_context(text)
    assert ctx.outside_area and ctx.authority is None and ctx.district is None
    assert ctx.candidates == ()


def test_an_outcode_spanning_districts_gives_candidates_not_a_guess():
    ctx = extract_context("I live in CM3", answering=True)
    assert ctx.district is None and not ctx.outside_area and ctx.authority is None
    assert ctx.candidates == ("Chelmsford", "Maldon", "Braintree", "Uttlesford")
    assert extract_context("SS2").candidates == ("Southend-on-Sea", "Rochford")
    # partly outside Essex: the one district it reaches, for the caller to confirm
    assert extract_context("CO9").candidates == ("Braintree",)


def test_an_essex_postcode_ons_does_not_list_is_flagged_unknown():
    ctx = extract_context("CO15 1ZZ", answering=True)
    assert ctx.postcode_unknown and ctx.district is None and not ctx.outside_area
    assert ctx.age is None
    assert not extract_context("CO15 1AB").postcode_unknown
    # an unknown postcode does not hide a town named beside it
    both = extract_context("Clacton CO15 1ZZ")
    assert both.district == "Tendring" and not both.postcode_unknown


def test_times_are_not_postcodes():
    ctx = extract_context("can someone ring me b4 5pm")
    assert (ctx.district, ctx.outside_area, ctx.candidates) == (None, False, ())


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
