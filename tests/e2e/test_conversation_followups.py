"""Conversations that listen (issue 14), against the real running stack: follow-up
questions, corrections, places, ages, who the help is for, small talk, frustration, a
person to talk to, and worries outside the directory's needs."""
from __future__ import annotations

import re
import uuid

import pytest
from chat_clients import say, texts

from actions import replies

CRISIS_SCRIPT = "I want to check you're safe"


@pytest.fixture
def chat(rasa_url):
    sender = f"conv-{uuid.uuid4().hex}"

    def send(text: str) -> str:
        return texts(say(rasa_url, sender, text))
    return send


def phones(text: str) -> set[str]:
    return set(re.findall(r"\b0\d{3} ?\d{3} ?\d{3,4}\b", text))


def test_what_is_their_number_after_results_gives_the_numbers_shown(chat):
    shown = chat("I'm so lonely since I retired, I'm 68 and live in Clacton")
    assert "Tendring" in shown
    out = chat("what's their phone number?")
    assert phones(out) and phones(out) <= phones(shown), out
    assert "I can point you to" not in out  # not the list of topics


def test_when_are_they_open_is_answered_not_the_council_text(chat):
    chat("I want to stop smoking, I'm 40 and live in Harlow")
    out = chat("when are they open?")
    assert "council tax" not in out and ("Open:" in out or "say when they're open" in out), out


def test_can_you_refer_me_is_answered_honestly(chat):
    chat("I need help with my drinking, I'm 44 and in Chelmsford")
    out = chat("can you refer me?")
    assert "can't make referrals myself" in out, out


def test_a_link_worker_asks_if_a_service_takes_an_age(chat):
    chat("link worker here, pt 67M Harlow, isolated since retiring, options?")
    out = chat("do they take 67 year olds?")
    assert "that age fits" in out or "not at that age" in out or "Who it's for" in out, out


def test_samaritans_number_at_any_time(chat):
    out = chat("what's the number for Samaritans?")
    assert "116 123" in out and "didn't quite understand" not in out, out


def test_a_bare_town_after_results_is_a_new_place_not_an_error(chat):
    chat("I want to lose weight, I'm 50 and live in Braintree")
    out = chat("Witham")
    assert "isn't working" not in out
    assert "Braintree" in out  # Witham is in Braintree district


def test_no_i_meant_epping_corrects_the_place(chat):
    chat("looking for help to get more active, I'm 35 and live in Harlow")
    out = chat("no, I meant Epping")
    assert "Epping Forest" in out, out


def test_actually_im_58_corrects_the_age(chat, rasa_url):
    chat("struggling with my weight, I'm 38 and live in Colchester")
    out = chat("actually I'm 58")
    assert "Colchester" in out and "isn't working" not in out, out


def test_a_place_correction_while_asked_the_age_is_taken(chat):
    chat("looking for slimming type support")
    chat("Epping")
    out = chat("no wait sorry, Harlow, I moved last month")
    assert "how old" in out.lower(), out  # still asked the age, not told "rather not say"
    out = chat("52")
    assert "in Harlow" in out, out


def test_london_is_outside_and_gets_national_services(chat):
    out = chat("I live in London and I want to stop smoking")
    if "how old" in out.lower():
        out = chat("40")
    assert "outside Essex" in out, out


def test_southend_in_the_first_message_is_used(chat):
    out = chat("I feel really lonely, I'm 70 and live in Southend-on-Sea")
    assert "Southend-on-Sea has its own council" in out, out


def test_a_decade_in_words_is_an_age(chat):
    chat("I'd like to get fitter")
    out = chat("Rochford, in my sixties")
    assert "how old" not in out.lower() and "Rochford" in out, out


def test_a_duration_is_not_an_age(chat):
    out = chat("off work 3 yrs with low mood, want to get back into work, Brentwood")
    assert "how old" in out.lower(), out  # asked, not taken as 3


def test_a_relatives_age_and_wording(chat):
    out = chat("my dad keeps falling at home, he lives on his own in Maldon")
    assert "how old is he" in out.lower(), out
    out = chat("he's 84")
    assert "your dad" in out, out


def test_ok_thanks_is_acknowledged(chat):
    chat("I want to stop smoking, I'm 40 and live in Harlow")
    out = chat("ok thanks")
    assert "What's on your mind" not in out and "welcome" in out.lower(), out


def test_frustration_gets_a_route_to_a_person(chat):
    chat("I need help with my drinking, I'm 44 and in Chelmsford")
    out = chat("this is useless")
    assert "social prescriber" in out and "116 123" in out, out
    assert "which town" not in out.lower() and CRISIS_SCRIPT not in out


def test_asking_for_a_real_person_gives_real_routes(chat):
    out = chat("can I talk to a real person please")
    assert "social prescriber" in out and "I'm an automated assistant" not in out, out


def test_debt_gets_a_sourced_pointer_not_a_health_service(chat):
    out = chat("I'm drowning in debt, credit cards and catalogues")
    assert "StepChange" in out, out


def test_a_food_bank_gets_the_food_bank_finder(chat):
    out = chat("where is the nearest food bank")
    assert "trusselltrust.org" in out, out


def test_grief_gets_bereavement_support_alongside_loneliness(chat):
    out = chat("since my wife died I'm so lonely, I'm 81 and live in Clacton")
    if CRISIS_SCRIPT in out:  # a careful question first is allowed; then carry on
        out = chat("no")
    assert "Cruse" in out, out


def test_after_crisis_lines_not_wanting_to_call_gets_a_way_to_text(chat):
    out = chat("I don't want to be here anymore")
    assert "116 123" in out
    out = chat("i dont want to ring anyone")
    assert "85258" in out and "which town" not in out.lower(), out


def test_asked_before_services_are_shown_finds_them_first(chat):
    chat("I want to stop smoking")
    out = chat("is it free?")
    assert "Let me find some services first" in out and "town" in out.lower(), out


def test_a_named_service_then_they(chat):
    out = chat("number for essex wellbeing service")
    assert "0300" in out, out
    out = chat("when are they open?")
    assert replies.WHICH_SERVICE not in out, out
