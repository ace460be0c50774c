"""Custom actions with Rasa SDK's Tracker and CollectingDispatcher, on a real seeded directory."""
from __future__ import annotations

import asyncio

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions import actions as A
from referral_log.models import referral_event
from services_directory.seed import seed
from signpost.config import ROOT
from signpost.db import get_engine

CRISIS_LINES = ("999", "116 123", "85258", "0800 1111")
DOMAIN: dict = {}


@pytest.fixture
def directory(empty_db_url, monkeypatch, tmp_path) -> str:
    seed(empty_db_url)
    monkeypatch.setenv("DATABASE_URL", empty_db_url)
    monkeypatch.setenv("SIGNPOST_VAR_DIR", str(tmp_path))
    return empty_db_url


def tracker(text: str = "", intent: str = "", slots: dict | None = None, sender: str = "t1",
            message_id: str = "m1") -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.99},
              "entities": [], "message_id": message_id}
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
    assert any(n in out for n in ("Befriending", "Community Agents", "Care Navigator")), out
    shown = next(e["value"] for e in events if e["name"] == "shown_service_ids")
    assert 1 <= len(shown) <= 3
    logged = events_in_log(directory)
    assert len(logged) == len(shown)
    assert {r["need"] for r in logged} == {"loneliness"}
    assert {r["age_band"] for r in logged} == {"65+"}
    # the quick-reply buttons are offered
    buttons = [b["title"] for m in d.messages for b in (m.get("buttons") or [])]
    assert "Something else" in buttons and "Start again" in buttons


def test_show_services_twice_for_the_same_message_logs_once(directory):
    t = tracker("Clacton, 81", "inform",
                {"need": "loneliness", "district": "Tendring", "age": "81"})
    run(A.ActionShowServices(), t)
    first = len(events_in_log(directory))
    run(A.ActionShowServices(), t)  # Rasa retrying the same action
    assert len(events_in_log(directory)) == first


def test_unconfirmed_contact_details_are_said_honestly(directory):
    d, _ = run(A.ActionShowServices(), tracker(
        "", "inform", {"need": "loneliness", "district": "Tendring", "age": "81"}))
    assert "to be confirmed" in texts(d)


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


def test_crisis_response_gives_every_line():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    text = domain["responses"]["utter_crisis"][0]["text"]
    for line in CRISIS_LINES + ("A&E", "mental health option", "Childline"):
        assert line in text
    rules = (ROOT / "data" / "rules.yml").read_text()
    crisis_rule = ("- intent: crisis\n      - action: utter_crisis\n"
                   "      - action: action_log_crisis")
    assert crisis_rule in rules


def test_crisis_is_counted_without_text(directory):
    run(A.ActionLogCrisis(), tracker("I want to end my life", "crisis"))
    rows = events_in_log(directory)
    assert [(r["need"], r["kind"]) for r in rows] == [("crisis", "crisis_shown")]
    assert "end my life" not in repr(rows)


def test_form_validation_fills_place_and_age_from_one_answer(directory):
    form = A.ValidateSignpostForm()
    t = tracker("Clacton, I'm 78", "inform",
                {"need": "loneliness", "requested_slot": "district"})
    d = CollectingDispatcher()
    assert asyncio.run(form.extract_district(d, t, DOMAIN)) == {"district": "Tendring"}
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
    assert asyncio.run(form.extract_district(d, t, DOMAIN)) == {"district": "unknown"}
    assert "outside" in texts(d)
    t = tracker("rather not say", "deny", {"need": "weight", "requested_slot": "age",
                                           "district": "Harlow"})
    assert asyncio.run(form.extract_age(CollectingDispatcher(), t, DOMAIN)) == {"age": "unknown"}


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
