"""What a follow-up question asks and which service it means (bot/follow_up.py)."""
from __future__ import annotations

import pytest

from bot import follow_up as F
from services_directory.search import ServiceResult


def service(name: str, **kw) -> ServiceResult:
    base = dict(id=name, slug=name, name=name, description="A group.", organization="Org",
                status="active", needs=["loneliness"], jhws_actions=[], priority_measures=[],
                eligibility=None, minimum_age=None, maximum_age=None, districts=["Tendring"],
                audience=["resident"], for_circumstances=[], contact_phone=None,
                contact_email=None, contact_url=None, contact_note=None, referral_routes=[],
                source=None, contact_confirmed=False)
    return ServiceResult(**{**base, **kw})


@pytest.mark.parametrize(("text", "kinds"), [
    ("what's their number", ["phone"]),
    ("when are they open?", ["hours"]),
    ("is it free", ["cost"]),
    ("can you refer me", ["referral"]),
    ("do they take 17 year olds", ["eligibility"]),
    ("is there one near me", ["where"]),
    ("do they have a website or email", ["web", "email"]),
    ("how do I get in touch", []),
    ("any groups just for men?", ["other"]),  # no record holds it: said so
])
def test_what_a_question_asks(text, kinds):
    assert F.asked_details(text) == kinds


def test_the_first_one_and_names_pick_a_shown_service():
    shown = [service("Tendring Befriending"), service("Walking for Health"), service("Men's Shed")]
    assert F.pick_shown("is the first one free?", shown) == shown[:1]
    assert F.pick_shown("what about the last one", shown) == shown[-1:]
    assert F.pick_shown("when does the walking one meet", shown) == shown[1:2]
    assert F.pick_shown("are they free", shown) == shown


def test_a_name_is_found_forgiving_a_typo_but_not_from_generic_words():
    rows = [("a", "Active Essex Local Delivery Pilot", "Active Essex"),
            ("b", "Essex Wellbeing Service - healthy lifestyles", "Essex Wellbeing Service")]
    assert F.named("how do I contact Actve Essex", rows)[0] == "a"
    assert F.named("number for essex wellbeing service", rows)[0] == "b"
    assert F.named("is there a service in essex", rows) == []


def test_unlisted_details_are_said_once_with_how_to_ask():
    shown = [service("A", hours="Mondays 10am to 12pm", contact_phone="01255 000000"),
             service("B", contact_url="https://example.org"), service("C")]
    messages = F.answers(shown, ["hours"])
    assert messages[0] == "A (Org)\nOpen: Mondays 10am to 12pm"
    last = messages[-1]
    assert last.startswith("The listings don't say when they're open.")
    assert "B (Org): website https://example.org" in last and "C (Org): no contact" in last


def test_a_detail_no_record_holds_is_said_so_with_how_to_ask():
    messages = F.answers([service("A", contact_phone="01255 000000")], ["other"])
    assert messages == ["The listing doesn't say that. You can ask them:\n"
                        "- A (Org): phone 01255 000000."]


def test_eligibility_for_an_age_uses_the_age_limits():
    young = service("Youth", minimum_age=11, maximum_age=18)
    assert "Yes, that age fits" in F.answer(young, ["eligibility"], age=17)
    assert "No, not at that age" in F.answer(young, ["eligibility"], age=30)


def test_a_short_question_about_a_detail_counts_as_a_follow_up():
    assert F.is_question_about_services("Do they charge for this?")
    assert F.is_question_about_services("any that meet in Benfleet?")
    assert not F.is_question_about_services("I feel lonely")
