"""Actions on the crisis path: the response for each risk tier, the direct question and its
answer, and carrying on afterwards. The tier comes from the crisis net (bot/risk.py) through
`tracker.latest_message["risk"]`; the wording from actions/crisis_replies.py; hazards and
controls are in docs/hazard-log.md.

The person's need, place and age are kept through the crisis response, so the next turn can
offer local mental health support or go back to what they came about.
"""
from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import crisis_replies as R
from actions.conversation_state import continue_need, correction
from bot import follow_up
from bot.context import extract_context
from bot.practitioner import is_practitioner_text
from bot.risk import CRISIS, EMERGENCY, OTHER, SAFEGUARDING, UNCLEAR
from referral_log import outcomes
from signpost.needs import SIGNPOST_NEEDS, get_need

log = logging.getLogger(__name__)
# Tiers counted as "crisis lines shown" (never a negated mention, the question, or a No).
COUNTED = (EMERGENCY, CRISIS, OTHER)


def risk_of(tracker: Tracker) -> dict:
    return tracker.latest_message.get("risk") or {}


def _age(tracker: Tracker) -> int | None:
    value = tracker.get_slot("age")
    return int(value) if value and str(value).isdigit() else None


def _context_events(tracker: Tracker) -> tuple[list[EventType], int | None]:
    """Place and age given in this message, kept for later; and the best age we know."""
    context = extract_context(tracker.latest_message.get("text") or "")
    events: list[EventType] = []
    if context.district and not tracker.get_slot("district"):
        events.append(SlotSet("district", context.district))
    if context.age is not None:
        events.append(SlotSet("age", str(context.age)))
    return events, context.age if context.age is not None else _age(tracker)


def _need_events(tracker: Tracker) -> list[EventType]:
    """The need the model saw under the risk words ("...and I want to lose weight")."""
    need = risk_of(tracker).get("need")
    if need in SIGNPOST_NEEDS and not tracker.get_slot("need"):
        return [SlotSet("need", need)]
    return []


def previous_action(tracker: Tracker) -> str | None:
    """The last bot action before the latest user message."""
    seen_user = False
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            if seen_user:
                return None
            seen_user = True
        elif seen_user and event.get("event") == "action" and \
                event.get("name") not in ("action_listen", None):
            return event.get("name")
    return None


def carry_on_buttons(need: str | None) -> list[dict]:
    buttons = [R.LOCAL_SUPPORT_BUTTON]
    if need in SIGNPOST_NEEDS and need != "mental_wellbeing":
        label = get_need(need).label.lower()
        buttons.append({"title": f"Back to {label}", "payload": "/carry_on"})
    return buttons


def give_crisis_response(dispatcher: CollectingDispatcher, tracker: Tracker, tier: str,
                         events: list[EventType], action: str) -> list[EventType]:
    """Say the tier's response, count it where it counts, keep the context, stop any form."""
    context_events, age = _context_events(tracker)
    events = events + context_events + _need_events(tracker)
    practitioner = bool(tracker.get_slot("practitioner")) or is_practitioner_text(
        tracker.latest_message.get("text") or "")
    repeat = tier == CRISIS and previous_action(tracker) == action \
        and tracker.get_slot("risk_tier") == CRISIS
    text = R.for_tier(tier, practitioner, under_18=age is not None and age < 18, repeat=repeat)
    need = next((e["value"] for e in events if e.get("name") == "need"),
                tracker.get_slot("need"))
    dispatcher.utter_message(text=text, buttons=carry_on_buttons(need))
    if tier in COUNTED:
        district = next((e["value"] for e in events if e.get("name") == "district"),
                        tracker.get_slot("district"))
        message_id = tracker.latest_message.get("message_id") or len(tracker.events)
        outcomes.record_crisis(tracker.sender_id, f"{tracker.sender_id}:{message_id}:{action}",
                               district, age, practitioner)
    return events + [SlotSet("risk_tier", tier), SlotSet("practitioner", practitioner),
                     ActiveLoop(None), SlotSet("requested_slot", None)]


class ActionCrisisResponse(Action):
    """Emergency, crisis, someone else at risk, or safeguarding: the response comes first."""

    def name(self) -> str:
        return "action_crisis_response"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        tier = risk_of(tracker).get("tier") or CRISIS
        if tier not in (EMERGENCY, CRISIS, OTHER, SAFEGUARDING):
            tier = CRISIS  # the crisis intent without the net's verdict: err on safety
        return give_crisis_response(dispatcher, tracker, tier, [], self.name())


class ActionRiskQuestion(Action):
    """Unclear risk: one direct, kind question, with the lines shown and Yes / No."""

    def name(self) -> str:
        return "action_risk_question"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        if not risk_of(tracker).get("concepts") and asked_before(tracker):
            # Asked already in this conversation, with the lines shown, and now only the
            # classifier is unsure (no risk words): the lines once more, then the turn is
            # answered as what it is (docs/hazard-log.md, H-17).
            dispatcher.utter_message(text=R.LINES_STILL_HERE)
            return answer_as(dispatcher, tracker)
        dispatcher.utter_message(text=R.question(), buttons=R.YES_NO)
        context_events, _ = _context_events(tracker)
        return context_events + _need_events(tracker) + [
            SlotSet("risk_tier", UNCLEAR), ActiveLoop(None), SlotSet("requested_slot", None)]


def without_a_call(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """After a crisis or safeguarding response, "I don't want to ring anyone" gets the ways
    to get help by text; False if this is not that."""
    if tracker.get_slot("risk_tier") not in COUNTED + (SAFEGUARDING, UNCLEAR):
        return False
    if not R.NO_CALL.search(tracker.latest_message.get("text") or ""):
        return False
    dispatcher.utter_message(text=R.without_a_call(),
                             buttons=carry_on_buttons(tracker.get_slot("need")))
    return True


def asked_before(tracker: Tracker) -> bool:
    """The direct question was asked earlier in this conversation (before this message)."""
    seen_user = False
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "action" and \
                event.get("name") == "action_risk_question":
            return True
    return False


# What a turn is answered as when the question is not asked again: its runner-up intent.
ANSWERED_BY = {"service_question": "action_service_question",
               "talk_to_person": "action_talk_to_person", "other_help": "action_other_help",
               "out_of_scope": "action_other_help", "thank": "utter_you_are_welcome"}


def answer_as(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    ranking = [r.get("name") for r in tracker.latest_message.get("intent_ranking") or []
               if r.get("name") not in ("crisis", "risk_check")]
    runner_up = ranking[0] if ranking else None
    if tracker.get_slot("shown_service_ids") and \
            follow_up.is_question_about_services(tracker.latest_message.get("text") or ""):
        return [FollowupAction("action_service_question")]
    if runner_up in ANSWERED_BY:
        return [FollowupAction(ANSWERED_BY[runner_up])]
    need = runner_up if runner_up in SIGNPOST_NEEDS else tracker.get_slot("need")
    corrected = correction(dispatcher, tracker)
    if corrected is not None:
        return corrected
    return continue_need(dispatcher, tracker, need, None)


class ActionRiskAnswer(Action):
    """Yes / No to the question (buttons or typed); outside the question, yes and no as before."""

    def name(self) -> str:
        return "action_risk_answer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        asked = tracker.get_slot("risk_tier") == UNCLEAR
        if intent not in ("risk_yes", "risk_no") and without_a_call(dispatcher, tracker):
            return []  # "I don't want to ring anyone" is not a No to the question
        yes = intent == "risk_yes" or (asked and intent == "affirm")
        no = intent == "risk_no" or (asked and intent == "deny")
        if yes:
            return give_crisis_response(dispatcher, tracker, CRISIS, [], self.name())
        if no:
            return [SlotSet("risk_tier", None)] + continue_need(
                dispatcher, tracker, tracker.get_slot("need"), R.ANSWER_NO)
        corrected = correction(dispatcher, tracker)  # "no, I meant Epping"
        if corrected is not None:
            return corrected
        if intent == "deny" or tracker.get_slot("shown_service_ids"):
            # "No" or "ok" with nothing asked: acknowledged, not a new question.
            dispatcher.utter_message(text=R.ACKNOWLEDGED)
            return []
        dispatcher.utter_message(text=R.CARRY_ON_ASK)
        return []


class ActionCarryOn(Action):
    """"Carry on": back to the need they came with, or ask what is on their mind."""

    def name(self) -> str:
        return "action_carry_on"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        need = tracker.get_slot("need")
        if need in SIGNPOST_NEEDS:
            return continue_need(dispatcher, tracker, need, None)
        dispatcher.utter_message(text=R.CARRY_ON_ASK)
        return []


class ActionLocalSupport(Action):
    """"Mental health support near me" after a crisis response: local services for the area."""

    def name(self) -> str:
        return "action_local_support"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        return continue_need(dispatcher, tracker, "mental_wellbeing", None)
