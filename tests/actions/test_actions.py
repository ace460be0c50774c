"""Custom actions with Rasa SDK's Tracker and CollectingDispatcher, on a real seeded directory."""
from __future__ import annotations

import asyncio
import re

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions import actions as A
from actions import crisis_actions as CA
from actions import crisis_replies
from referral_log.models import referral_event
from signpost.config import ROOT
from signpost.db import get_engine

CRISIS_LINES = ("999", "116 123", "85258", "0800 1111")
DOMAIN: dict = {}


def tracker(text: str = "", intent: str = "", slots: dict | None = None, sender: str = "t1",
            message_id: str = "m1", parse: dict | None = None) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.99},
              "entities": [], "message_id": message_id, **(parse or {})}
    base = {"need": None, "district": None, "age": None, "practitioner": False,
            "results_offset": 0, "shown_service_ids": None, "fallback_count": 0,
            "requested_slot": None}
    return Tracker(sender, {**base, **(slots or {})}, latest, [], False, None, {}, "action_listen")


def run(action, t: Tracker) -> tuple[CollectingDispatcher, list]:
    d = CollectingDispatcher()
    result = action.run(d, t, DOMAIN)
    if asyncio.iscoroutine(result):
        result = asyncio.run(result)
    return d, result


def texts(d: CollectingDispatcher) -> str:
    return "\n".join(m.get("text") or "" for m in d.messages)


def events_in_log(url: str) -> list:
    with get_engine(url).connect() as conn:
        return conn.execute(select(referral_event)).mappings().all()


def test_set_need_reads_need_place_age_from_first_message(directory):
    _, events = run(A.ActionSetNeed(), tracker(
        "I'm 78 and live in Harwich, I'm so lonely", "loneliness"))
    assert SlotSet("need", "loneliness") in events
    assert SlotSet("district", "Tendring") in events
    assert SlotSet("age", "78") in events


def test_set_need_spots_practitioner_phrasing(directory):
    _, events = run(A.ActionSetNeed(), tracker(
        "patient, 80s, recently widowed, isolated - what can I refer to?", "loneliness"))
    assert SlotSet("practitioner", True) in events
    assert SlotSet("age", "85") in events


def test_show_services_lonely_in_tendring_and_logs_one_event_each(directory):
    d, events = run(A.ActionShowServices(), tracker(
        "Clacton, 81", "inform",
        {"need": "loneliness", "district": "Tendring", "age": "81"}))
    out = texts(d)
    assert "in Tendring" in out
    local = ("Help with loneliness", "Community Agents", "Care Navigator")
    assert any(n in out for n in local), out
    shown = next(e["value"] for e in events if e["name"] == "shown_service_ids")
    assert 1 <= len(shown) <= 3
    every = events_in_log(directory)
    logged = [r for r in every if r["kind"] == "signposted"]
    assert len(logged) == len(shown)
    # ...and the person once (people, not cards), and the conversation once.
    assert sorted(r["kind"] for r in every if r["kind"] != "signposted") == [
        "conversation", "person_signposted"]
    assert {r["need"] for r in logged} == {"loneliness"}
    assert {r["age_band"] for r in logged} == {"65+"}
    # the quick-reply buttons are offered
    buttons = [b["title"] for m in d.messages for b in (m.get("buttons") or [])]
    assert "Something else" in buttons and "Yes" in buttons and "No" in buttons
    # one prompt after the results: the helpful question, in the last message only
    assert sum("?" in (m.get("text") or "") for m in d.messages[-1:]) == 1
    assert not any("What would you like to do next" in (m.get("text") or "")
                   for m in d.messages)


def test_show_services_twice_for_the_same_message_logs_once(directory):
    t = tracker("Clacton, 81", "inform",
                {"need": "loneliness", "district": "Tendring", "age": "81"})
    run(A.ActionShowServices(), t)
    first = len(events_in_log(directory))
    run(A.ActionShowServices(), t)  # Rasa retrying the same action
    assert len(events_in_log(directory)) == first


def test_every_card_has_a_contact_or_says_none_is_listed_and_the_general_route_once(
        directory):
    for need in ("loneliness", "independent_living", "parenting", "mental_wellbeing"):
        d, _ = run(A.ActionShowServices(), tracker(
            "", "inform", {"need": need, "district": "Tendring", "age": "81"}))
        cards = [m["text"] for m in d.messages[1:-1]]
        assert cards
        for card in cards:
            assert listed(card) or "No phone number or website listed yet" in card \
                or "to be confirmed" in card, card
            for detail in re.findall(r"0\d{3} ?\d{3} ?\d{3,4}|https?://\S+", card):
                assert card.count(detail.rstrip(".,")) == 1, card  # each detail once
        closing = d.messages[-1]["text"]
        unlisted = any(not listed(card) for card in cards)
        general = "call NHS 111 for health advice at any time"  # replies.GENERAL_ROUTE
        assert (general in closing) == unlisted
        assert texts(d).count(general) <= 1


def listed(card: str) -> bool:
    """The card gives a way to get in touch: a contact line, or instructions with one."""
    return "Contact: " in card or re.search(r"How to get in touch: .*(\d{4}|https?://)",
                                            card) is not None


def test_practitioner_sees_how_to_refer(directory):
    d, _ = run(A.ActionShowServices(), tracker(
        "", "inform",
        {"need": "smoking", "district": "Braintree", "age": "52", "practitioner": True}))
    out = texts(d)
    assert "Referral routes" in out and "How to refer" in out
    assert "Essex Lifestyle Service" in out


def test_more_options_pages_on(directory):
    slots = {"need": "mental_wellbeing", "district": "Colchester", "age": "30"}
    _, first = run(A.ActionShowServices(), tracker("", "inform", slots))
    offset = next(e["value"] for e in first if e["name"] == "results_offset")
    shown = next(e["value"] for e in first if e["name"] == "shown_service_ids")
    d, more = run(A.ActionMoreOptions(), tracker(
        "more", "more_options", {**slots, "results_offset": offset, "shown_service_ids": shown},
        message_id="m2"))
    new = next(e["value"] for e in more if e["name"] == "shown_service_ids")
    assert len(new) > len(shown) and set(shown) < set(new)
    assert "more services" in texts(d).lower()


def risky(text: str, tier: str, need: str | None = None, intent: str = "crisis",
          slots: dict | None = None, events: list | None = None) -> Tracker:
    """A tracker whose latest message the crisis net gave `tier` (as bot/rasa_components.py)."""
    t = tracker(text, intent, slots)
    t.latest_message["risk"] = {"tier": tier, "need": need, "subject": "self"}
    t.events = events or []
    return t


def slot_events(events: list) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_crisis_rules_use_the_crisis_actions():
    rules = (ROOT / "data" / "rules.yml").read_text()
    assert "- intent: crisis\n      - action: action_crisis_response" in rules
    assert "- intent: risk_check\n      - action: action_risk_question" in rules
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    assert "utter_crisis" not in domain["responses"]  # the lines come from help_lines.yml


@pytest.mark.parametrize(("tier", "must"), [
    ("emergency", "call 999 now"),
    ("crisis", "You don't have to face it on your own"),
    ("other_at_risk", "stay with them"),
    ("safeguarding", "0808 2000 247"),
])
def test_each_tier_has_its_response_with_every_line(directory, tier, must):
    d, events = run(CA.ActionCrisisResponse(), risky("…", tier))
    out = texts(d)
    assert must in out and all(line in out for line in CRISIS_LINES), out
    assert slot_events(events)["risk_tier"] == tier
    assert any(e.get("event") == "active_loop" and e.get("name") is None for e in events)


def test_crisis_is_counted_without_text_and_safeguarding_is_not(directory):
    run(CA.ActionCrisisResponse(), risky("I want to end my life", "crisis"))
    run(CA.ActionCrisisResponse(), risky("my partner hits me", "safeguarding",
                                         slots={}, events=[]))
    rows = [r for r in events_in_log(directory) if r["kind"] == "crisis_shown"]
    assert [(r["need"], r["kind"]) for r in rows] == [("crisis", "crisis_shown")]
    assert "end my life" not in repr(rows)


def test_crisis_keeps_the_need_place_and_age_and_offers_to_carry_on(directory):
    d, events = run(CA.ActionCrisisResponse(), risky(
        "I'm 15 and live in Harlow and I want to die", "crisis", need="weight"))
    slots = slot_events(events)
    assert slots["need"] == "weight" and slots["district"] == "Harlow" and slots["age"] == "15"
    out = texts(d)
    assert out.index("0800 1111") < out.index("116 123")  # under 18: Childline first
    titles = [b["title"] for m in d.messages for b in m.get("buttons") or []]
    assert titles == ["Mental health support near me", "Back to weight and healthy eating"]


def test_practitioner_with_a_patient_at_risk_gets_professional_wording(directory):
    d, _ = run(CA.ActionCrisisResponse(), risky(
        "my patient has told me he plans to end his life", "other_at_risk",
        slots={"practitioner": True}))
    assert "patient or client at risk" in texts(d) and "safeguarding" in texts(d)


def test_the_same_crisis_again_gets_a_shorter_answer_not_a_loop(directory):
    previous = [{"event": "user"}, {"event": "action", "name": "action_crisis_response"},
                {"event": "action", "name": "action_listen"}, {"event": "user"}]
    d, _ = run(CA.ActionCrisisResponse(), risky(
        "what do I do", "crisis", slots={"risk_tier": "crisis"}, events=previous))
    assert texts(d).startswith("I'm still here with you")


def test_unclear_risk_asks_one_question_with_the_lines_and_yes_no(directory):
    d, events = run(CA.ActionRiskQuestion(), risky("feel hopeless about my weight", "unclear",
                                                   need="weight", intent="risk_check"))
    assert "thoughts of ending your life or of hurting yourself" in texts(d)
    assert all(line in texts(d) for line in CRISIS_LINES)
    assert [b["payload"] for b in d.messages[0]["buttons"]] == ["/risk_yes", "/risk_no"]
    assert slot_events(events) == {"need": "weight", "risk_tier": "unclear",
                                   "requested_slot": None}
    assert rows_in(directory) == 0  # the question is not a crisis count


def rows_in(url: str) -> int:
    """Crisis responses counted (each also counts the person and the conversation once)."""
    return sum(r["kind"] == "crisis_shown" for r in events_in_log(url))


def test_yes_gives_the_crisis_response_and_counts(directory):
    d, _ = run(CA.ActionRiskAnswer(), tracker("/risk_yes", "risk_yes",
                                              {"risk_tier": "unclear"}))
    assert "You don't have to face it on your own" in texts(d)
    assert rows_in(directory) == 1


@pytest.mark.parametrize(("text", "intent"), [("/risk_no", "risk_no"), ("no", "deny")])
def test_no_carries_on_with_the_need_and_counts_nothing(directory, text, intent):
    d, events = run(CA.ActionRiskAnswer(), tracker(text, intent,
                                                   {"risk_tier": "unclear", "need": "weight"}))
    assert "carry on" in texts(d).lower()
    assert {"event": "followup", "name": "signpost_form"} in [
        {k: e.get(k) for k in ("event", "name")} for e in events]
    assert rows_in(directory) == 0


def test_a_negated_mention_keeps_the_need_with_one_line_about_samaritans(directory):
    t = risky("I'm not suicidal, I just want to stop drinking", "mentioned", intent="alcohol")
    d, events = run(A.ActionSetNeed(), t)
    assert slot_events(events)["need"] == "alcohol"
    assert texts(d) == crisis_replies.MENTIONED_LINE and "116 123" in texts(d)


def test_place_and_age_after_the_crisis_lines_find_local_mental_health_support(directory):
    _, events = run(A.ActionSetNeed(), tracker("I'm 16, I live in Basildon", "inform",
                                               {"risk_tier": "crisis"}))
    slots = slot_events(events)
    assert slots["need"] == "mental_wellbeing" and slots["district"] == "Basildon"
    assert any(e.get("event") == "followup" for e in events)


def test_a_bare_age_after_the_crisis_lines_goes_on_with_the_need_kept(directory):
    _, events = run(A.ActionSetNeed(), tracker("im 34", "inform",
                                               {"risk_tier": "crisis", "need": "mental_wellbeing",
                                                "district": "Tendring"}))
    assert slot_events(events)["age"] == "34"
    assert any(e.get("event") == "followup" for e in events)


def test_what_should_i_do_after_a_crisis_response_repeats_its_steps(directory):
    d, _ = run(A.ActionCapabilities(), tracker("what should I do tonight", "what_can_you_do",
                                               {"risk_tier": "other_at_risk"}))
    assert "stay with them" in texts(d) and "116 123" in texts(d)
    d, _ = run(A.ActionCapabilities(), tracker("what can you do", "what_can_you_do"))
    assert "Loneliness" in texts(d)


def test_local_support_and_carry_on(directory):
    _, events = run(CA.ActionLocalSupport(), tracker("/local_support", "local_support"))
    assert slot_events(events)["need"] == "mental_wellbeing"
    d, events = run(CA.ActionCarryOn(), tracker("/carry_on", "carry_on"))
    assert "what's on your mind" in texts(d) and events == []
    _, events = run(CA.ActionCarryOn(), tracker("/carry_on", "carry_on", {"need": "smoking"}))
    assert slot_events(events)["need"] == "smoking"


def test_form_validation_fills_place_and_age_from_one_answer(directory):
    form = A.ValidateSignpostForm()
    t = tracker("Clacton, I'm 78", "inform",
                {"need": "loneliness", "requested_slot": "district"})
    d = CollectingDispatcher()
    assert asyncio.run(form.extract_district(d, t, DOMAIN))["district"] == "Tendring"
    assert asyncio.run(form.extract_age(d, t, DOMAIN)) == {"age": "78"}


def test_form_validation_ignores_crisis_so_the_crisis_rule_runs(directory):
    form = A.ValidateSignpostForm()
    t = tracker("I'm in Clacton and I'm going to kill myself", "crisis",
                {"need": "weight", "requested_slot": "district"})
    d = CollectingDispatcher()
    assert asyncio.run(form.extract_district(d, t, DOMAIN)) == {}


def test_form_validation_outside_area_and_refusal(directory):
    form = A.ValidateSignpostForm()
    d = CollectingDispatcher()
    t = tracker("Southend", "inform", {"need": "weight", "requested_slot": "district"})
    assert asyncio.run(form.extract_district(d, t, DOMAIN))["district"] == "Southend-on-Sea"
    t = tracker("I live in Grays", "inform", {"need": "weight", "requested_slot": "district"})
    assert asyncio.run(form.extract_district(d, t, DOMAIN))["district"] == "Thurrock"
    t = tracker("London", "inform", {"need": "weight", "requested_slot": "district"})
    assert asyncio.run(form.extract_district(d, t, DOMAIN))["district"] == "outside"
    t = tracker("rather not say", "deny", {"need": "weight", "requested_slot": "age",
                                           "district": "Harlow"})
    assert asyncio.run(form.extract_age(CollectingDispatcher(), t, DOMAIN)) == {"age": "unknown"}


def test_a_postcode_area_that_spans_districts_is_asked_about_not_guessed(directory):
    form = A.ValidateSignpostForm()
    t = tracker("CM3", "inform", {"need": "weight", "requested_slot": "district"})
    slots = asyncio.run(form.extract_district(CollectingDispatcher(), t, DOMAIN))
    assert "district" not in slots
    assert set(slots["place_choices"]) >= {"Chelmsford", "Maldon", "Braintree"}
    d, events = run(A.ActionAskDistrict(), tracker("CM3", "inform", {
        "need": "weight", "requested_slot": "district", "place_choices": slots["place_choices"]}))
    assert "covers parts of Chelmsford" in texts(d)
    buttons = [b["payload"] for m in d.messages for b in (m.get("buttons") or [])]
    assert buttons == slots["place_choices"]
    assert SlotSet("place_choices", None) in events
    # The answer, typed or a button: the district; a full postcode resolves exactly.
    for answer, district in (("Maldon", "Maldon"), ("CM3 5ZA", "Chelmsford")):
        t = tracker(answer, "inform", {"need": "weight", "requested_slot": "district"})
        got = asyncio.run(form.extract_district(CollectingDispatcher(), t, DOMAIN))
        assert got["district"] == district


def test_a_postcode_ons_does_not_list_is_queried(directory):
    form = A.ValidateSignpostForm()
    t = tracker("CO15 1ZZ", "inform", {"need": "weight", "requested_slot": "district"})
    assert asyncio.run(form.extract_district(CollectingDispatcher(), t, DOMAIN)) == {
        "postcode_unknown": True}
    d, _ = run(A.ActionAskDistrict(), tracker("", "inform", {"need": "weight",
                                                             "postcode_unknown": True}))
    assert "couldn't find that postcode" in texts(d)


@pytest.mark.parametrize("place, said, area", [
    ("Southend-on-Sea", "own council services", {"Southend-on-Sea", "national"}),
    ("Thurrock", "own council services", {"Thurrock", "national"}),
    ("outside", "outside Essex", {"national"}),
])
def test_services_beyond_the_county_council_area(directory, place, said, area):
    from services_directory.search import get_service
    from signpost.db import session_scope

    d, events = run(A.ActionShowServices(), tracker(
        "", "inform", {"need": "smoking", "district": place, "age": "40"}))
    assert said in texts(d)
    shown = next(e["value"] for e in events if e["name"] == "shown_service_ids")
    assert shown
    with session_scope(directory) as session:
        for service_id in shown:
            assert set(get_service(session, service_id).districts) <= area
    # The county's statistics count the 12 districts; these are "not known".
    assert {r["district"] for r in events_in_log(directory)} == {"unknown"}


def test_fallback_asks_to_rephrase_then_offers_a_person(directory):
    d1, _ = run(A.ActionFallback(), tracker("blorp", "nlu_fallback"))
    assert "say it another way" in texts(d1)
    d2, _ = run(A.ActionFallback(), tracker("blorp", "nlu_fallback", {"fallback_count": 1}))
    assert "social prescriber" in texts(d2) and "116 123" in texts(d2)


def test_helpful_answer_is_counted_per_service(directory):
    slots = {"need": "smoking", "district": "Harlow", "age": "40"}
    _, shown_events = run(A.ActionShowServices(), tracker("", "inform", slots))
    shown = next(e["value"] for e in shown_events if e["name"] == "shown_service_ids")
    run(A.ActionRecordHelpful(), tracker("/helpful_yes", "helpful_yes",
                                         {**slots, "shown_service_ids": shown}, message_id="m9"))
    kinds = [r["kind"] for r in events_in_log(directory)]
    assert kinds.count("helpful_yes") == len(shown)


def test_capabilities_come_from_the_taxonomy(directory):
    d, _ = run(A.ActionCapabilities(), tracker("what can you do", "what_can_you_do"))
    assert "Loneliness and social isolation" in texts(d)


def test_something_else_keeps_place_and_age_but_forgets_the_need(directory):
    d, events = run(A.ActionSomethingElse(), tracker(
        "something else", "something_else", {"need": "smoking", "district": "Harlow"}))
    assert SlotSet("need", None) in events
    assert not any(e.get("name") == "district" for e in events if e.get("event") == "slot")
    assert "what else" in texts(d).lower()


def test_practitioner_mode_switches_to_referral_routes(directory):
    d, events = run(A.ActionPractitionerMode(), tracker("I'm a GP", "practitioner_intro"))
    assert SlotSet("practitioner", True) in events
    assert "referral routes" in texts(d)


def test_ask_place_and_age_in_one_question_unless_age_known(directory):
    d, _ = run(A.ActionAskDistrict(), tracker("", "loneliness", {"need": "loneliness"}))
    assert "town" in texts(d) and "how old" in texts(d)
    d, _ = run(A.ActionAskDistrict(), tracker("", "inform", {"need": "loneliness", "age": "70"}))
    assert "town" in texts(d) and "how old" not in texts(d)
    d, _ = run(A.ActionAskAge(), tracker("", "inform", {"need": "loneliness"}))
    assert "how old" in texts(d)


def test_inform_without_a_need_asks_what_help_is_wanted(directory):
    d, events = run(A.ActionSetNeed(), tracker("I live in Witham", "inform"))
    assert SlotSet("district", "Braintree") in events
    assert "what would you like help with" in texts(d).lower()


def test_circumstances_said_open_services_only_for_them_and_only_ids_are_kept(directory):
    _, events = run(A.ActionSetNeed(), tracker(
        "I'm 30 weeks pregnant and feeling really low", "mental_wellbeing"))
    assert SlotSet("circumstances", ["pregnant_or_new_parent"]) in events
    slots = {"need": "mental_wellbeing", "district": "Chelmsford", "age": "29"}
    d, _ = run(A.ActionShowServices(), tracker("", "inform", {
        **slots, "circumstances": ["pregnant_or_new_parent"]}))
    assert "perinatal" in texts(d).lower()
    d, _ = run(A.ActionShowServices(), tracker("", "inform", slots, message_id="m2"))
    assert "perinatal" not in texts(d).lower()
    # Said again: nothing new to set.
    _, events = run(A.ActionSetNeed(), tracker(
        "still pregnant", "inform", {"circumstances": ["pregnant_or_new_parent"]}))
    assert not [e for e in events if e.get("name") == "circumstances"]


# --- need reading: the clarifying question and a second need (bot/need_reading.py) ---------

def test_clarify_asks_with_a_button_for_each_need_and_keeps_the_place(directory):
    d, events = run(A.ActionClarifyNeed(), tracker(
        "I'm 58 in Witham and my sugar is high and I'm heavy", "clarify_need",
        parse={"need_choices": ["weight", "diabetes_prevention"]}))
    assert "weight and healthy eating" in texts(d).lower()
    assert "preventing type 2 diabetes" in texts(d).lower()
    payloads = [b["payload"] for b in d.messages[-1]["buttons"]]
    assert payloads[:2] == ["/weight", "/diabetes_prevention"]
    assert SlotSet("district", "Braintree") in events and SlotSet("age", "58") in events
    assert not any(e.get("name") == "need" for e in events)  # not guessed


def test_clarify_without_two_choices_asks_for_the_need(directory):
    d, _ = run(A.ActionClarifyNeed(), tracker("hmm", "clarify_need",
                                              parse={"need_choices": ["weight"]}))
    assert d.messages[-1]["text"] == A.replies.ASK_NEED


def test_set_need_keeps_a_second_need_and_services_offer_it_once(directory):
    _, events = run(A.ActionSetNeed(), tracker(
        "I drink too much since I lost my job", "alcohol",
        parse={"also_need": "employment_education"}))
    assert SlotSet("also_need", "employment_education") in events
    slots = {"need": "alcohol", "district": "Chelmsford", "age": "45",
             "also_need": "employment_education"}
    d, shown = run(A.ActionShowServices(), tracker("45", "inform", slots))
    closing = d.messages[-1]
    assert "You also mentioned work, training and education" in closing["text"]
    assert closing["buttons"][0] == {"title": "Also: Work, training and education",
                                     "payload": "/employment_education"}
    assert SlotSet("also_need", None) in shown  # offered once


def test_no_second_need_button_when_it_is_the_need_itself(directory):
    slots = {"need": "alcohol", "district": "Chelmsford", "age": "45", "also_need": "alcohol"}
    d, _ = run(A.ActionShowServices(), tracker("45", "inform", slots))
    assert not any(b["payload"] == "/alcohol" for b in d.messages[-1]["buttons"])
    assert "also mentioned" not in d.messages[-1]["text"]


def test_set_need_ignores_a_second_need_that_is_not_a_signposting_need(directory):
    _, events = run(A.ActionSetNeed(), tracker("lonely", "loneliness",
                                               parse={"also_need": "crisis"}))
    assert SlotSet("also_need", None) in events


def _after_crisis_response(text: str, slots: dict) -> Tracker:
    events = [{"event": "user", "text": "my daughter told me she's been cutting"},
              {"event": "action", "name": "action_crisis_response"},
              {"event": "action", "name": "action_listen"},
              {"event": "user", "text": text}]
    base = tracker(text, "nlu_fallback", slots)
    return Tracker(base.sender_id, base.slots, base.latest_message, events, False, None, {},
                   "action_listen")


def test_not_understood_right_after_a_crisis_response_repeats_its_steps(directory):
    d, events = run(A.ActionFallback(), _after_crisis_response(
        "what should I do tonight", {"risk_tier": "other_at_risk"}))
    out = texts(d)
    assert all(line in out for line in CRISIS_LINES[1:3]) and A.replies.REPHRASE not in out
    assert events == []  # not counted as a failed turn


def test_not_understood_with_no_crisis_response_asks_to_rephrase(directory):
    d, _ = run(A.ActionFallback(), tracker("blah blah", "nlu_fallback"))
    assert texts(d) == A.replies.REPHRASE
