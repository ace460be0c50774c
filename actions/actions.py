"""Custom actions. Thin by design: read slots, call bot.* and services_directory, reply."""
from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import crisis_actions, crisis_replies, follow_up, replies
from actions.conversation_state import (
    context_events,
    continue_need,
    correction,
    has_context,
    intent_of,
    place_from,
    text_of,
)
from bot import fallbacks, signposting, who_for
from bot.context import UNKNOWN, extract_context
from bot.need_reading import CLARIFY
from referral_log import outcomes
from signpost import other_help
from signpost.needs import SIGNPOST_NEEDS, needs

log = logging.getLogger(__name__)
# The crisis path's actions live in actions/crisis_actions.py; importing it registers them
# with the action server (which loads this module).
CRISIS_ACTIONS = (crisis_actions.ActionCrisisResponse, crisis_actions.ActionRiskQuestion,
                  crisis_actions.ActionRiskAnswer, crisis_actions.ActionCarryOn,
                  crisis_actions.ActionLocalSupport)
# Follow-up questions, a person to talk to and other help: actions/follow_up.py.
FOLLOW_UP_ACTIONS = (follow_up.ActionServiceQuestion, follow_up.ActionTalkToPerson,
                     follow_up.ActionOtherHelp)
ACTION_LISTEN = "action_listen"

# Acted on even in the middle of the form, whatever else the message says.
ALWAYS_ACTED_ON = {"crisis", "risk_check", "restart", CLARIFY}
SHORT_ANSWER_WORDS = 8
# Not answers to the form's question: small talk leaves the question to be asked again.
SMALL_TALK = {"thank", "greet", "affirm", "helpful_yes", "helpful_no"}
NOT_ANSWERS = set(SIGNPOST_NEEDS) | {"crisis", "risk_check", CLARIFY, "out_of_scope", "restart",
                                    "something_else", "more_options", "goodbye",
                                    "bot_challenge", "what_can_you_do", "service_question",
                                    "talk_to_person", "other_help"}


def _age(tracker: Tracker) -> int | None:
    value = tracker.get_slot("age")
    return int(value) if value and str(value).isascii() and str(value).isdigit() else None


def _turn_key(tracker: Tracker, action: str) -> str:
    """Same conversation + same user message + same action = same key, so a retry logs nothing."""
    message_id = tracker.latest_message.get("message_id") or len(tracker.events)
    return f"{tracker.sender_id}:{message_id}:{action}"


def _list_key(tracker: Tracker, action: str) -> str:
    """One key per list of services shown, so that only the first answer to its "Was this
    helpful?" counts: typing /helpful_yes again and again adds nothing (docs/security.md)."""
    shown_at = next((e.get("timestamp") for e in reversed(tracker.events or [])
                     if e.get("event") == "slot" and e.get("name") == "shown_service_ids"),
                    None)
    return f"{tracker.sender_id}:list-{shown_at}:{action}"


class ActionCapabilities(Action):
    def name(self) -> str:
        return "action_capabilities"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        if repeat_crisis_steps(dispatcher, tracker):
            # "What should I do?" after a crisis response: that response's steps again.
            return []
        topics = [n.label for n in needs().values() if n.id in SIGNPOST_NEEDS]
        dispatcher.utter_message(
            text="I can point you to local health and wellbeing services in Essex, for:\n- "
            + "\n- ".join(topics)
            + "\nTell me what's on your mind in your own words. If you work in health or care, "
            "say so and I'll show referral routes instead."
        )
        return []


def repeat_crisis_steps(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """After a crisis or safeguarding response, say its steps again; False if there was none."""
    tier = tracker.get_slot("risk_tier")
    if tier not in crisis_actions.COUNTED + ("safeguarding",):
        return False
    dispatcher.utter_message(text=crisis_replies.for_tier(
        tier, bool(tracker.get_slot("practitioner")), under_18=False, repeat=True),
        buttons=crisis_actions.carry_on_buttons(tracker.get_slot("need")))
    return True


class ActionIAmABot(Action):
    def name(self) -> str:
        return "action_iamabot"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        dispatcher.utter_message(text=replies.IAMABOT)
        return []


class ActionSetNeed(Action):
    """Remember the need (from the intent), and any place, age or practitioner cues given early."""

    def name(self) -> str:
        return "action_set_need"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        intent = intent_of(tracker)
        if crisis_actions.without_a_call(dispatcher, tracker):  # "i dont want to ring anyone"
            return [FollowupAction(ACTION_LISTEN)]  # not the form's question after it
        if intent in SIGNPOST_NEEDS and intent == tracker.get_slot("need"):
            rescued = follow_up.follow_up_rescue(tracker)  # "do they do anything in the water?"
            if rescued:
                return rescued
            if tracker.get_slot("shown_service_ids") and not tracker.active_loop.get("name") \
                    and not has_context(text_of(tracker)):
                # The same need again after its services: the next ones, not the same list.
                return [FollowupAction("action_more_options")]
        if intent in SIGNPOST_NEEDS and tracker.get_slot("need") not in (None, intent) \
                and tracker.get_slot("shown_service_ids") and corrects_only(tracker):
            intent = "inform"  # "sorry, it's for my dad, he's 80": the same need, for him
        events: list[EventType] = [SlotSet("fallback_count", 0)]
        if intent in SIGNPOST_NEEDS:
            also = tracker.latest_message.get("also_need")
            events += [SlotSet("need", intent), SlotSet("results_offset", 0),
                       SlotSet("also_need", also if also in SIGNPOST_NEEDS else None)]
            if intent in NO_AGE_NEEDS and not tracker.get_slot("age"):
                events.append(SlotSet("age", UNKNOWN))  # services for a workplace: no age
        events += context_events(dispatcher, tracker)
        if intent == "inform" and not tracker.active_loop.get("name"):
            if tracker.get_slot("need") and not has_context(text_of(tracker)) and \
                    (rescued := follow_up.follow_up_rescue(tracker)):
                return rescued
            need = tracker.get_slot("need")
            if not need and tracker.get_slot("risk_tier") in crisis_actions.COUNTED:
                need = "mental_wellbeing"  # after the crisis lines: local mental health support
            if need:
                # A place or age on its own, outside the form: (new) services for it.
                return events + continue_need(dispatcher, tracker, need, None)
            if "bereavement" in (tracker.get_slot("other_topics") or []):
                # A town or age after the bereavement pointers: support with loneliness,
                # which grief so often brings (the pointers are not repeated).
                return events + [SlotSet("other_topics", None)] + continue_need(
                    dispatcher, tracker, "loneliness", replies.AFTER_BEREAVEMENT)
            if crisis_actions.previous_action(tracker) == "action_other_help":
                # A town or age after money, food or housing help: those cover all of Essex.
                dispatcher.utter_message(text=replies.AFTER_OTHER_HELP,
                                         buttons=replies.OTHER_HELP_BUTTONS)
                return events
            dispatcher.utter_message(text=replies.ASK_NEED)
        return events


# Needs whose services do not depend on the person's age: the age is not asked.
NO_AGE_NEEDS = {"workplace_wellbeing"}
# A need read in a message that mostly corrects the place, age or person, after results:
# it is taken as that correction unless the model is at least this sure of a new need.
NEW_NEED_CONFIDENCE = 0.9


def corrects_only(tracker: Tracker) -> bool:
    text = text_of(tracker)
    confidence = (tracker.latest_message.get("intent") or {}).get("confidence") or 0.0
    gives = has_context(text) or who_for.detect(text) is not None
    return gives and confidence < NEW_NEED_CONFIDENCE and len(text.split()) <= 20


class ActionClarifyNeed(Action):
    """Two needs too close to call: one question with a button for each, not a guess."""

    def name(self) -> str:
        return "action_clarify_need"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        rescued = follow_up.follow_up_rescue(tracker)  # "any that meet in Benfleet?"
        if rescued:
            return rescued
        pair = [n for n in tracker.latest_message.get("need_choices") or []
                if n in SIGNPOST_NEEDS][:2]
        events: list[EventType] = [SlotSet("fallback_count", 0)]
        events += context_events(dispatcher, tracker)  # a place or age said now is kept
        if "bereavement" in other_help.detect(text_of(tracker)):
            # Grief read as two unrelated needs: bereavement support, and the two needs
            # grief most often brings.
            dispatcher.utter_message(text=replies.bereavement_first(_age(tracker)),
                                     buttons=replies.clarify_buttons("loneliness",
                                                                     "mental_wellbeing"))
            return events
        if len(pair) < 2:
            dispatcher.utter_message(text=replies.ASK_NEED)
            return events
        dispatcher.utter_message(text=replies.clarify_question(*pair),
                                 buttons=replies.clarify_buttons(*pair))
        return events


class ValidateSignpostForm(FormValidationAction):
    """Fill `district` and `age` from what the person says, in any order, or both at once."""

    def name(self) -> str:
        return "validate_signpost_form"

    def _answering(self, tracker: Tracker) -> bool:
        return tracker.get_slot("requested_slot") is not None

    def _skip(self, tracker: Tracker) -> bool:
        # A crisis, a question or a new need is not an answer: let the form reject so the
        # rules act. An answer that also reads like a need ("no wait, Harlow, I moved last
        # month") is still an answer when it gives a place or an age.
        intent = intent_of(tracker)
        if intent in ALWAYS_ACTED_ON or not self._answering(tracker):
            return intent in NOT_ANSWERS
        text = text_of(tracker)
        if intent in SIGNPOST_NEEDS or len(text.split()) <= SHORT_ANSWER_WORDS:
            # "Southend" read as out of scope, "no wait, Harlow" as another need: answers.
            return intent in NOT_ANSWERS and not has_context(text)
        return intent in NOT_ANSWERS

    async def extract_district(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        if self._skip(tracker) or intent_of(tracker) in SMALL_TALK:
            return {}
        context = extract_context(text_of(tracker), answering=self._answering(tracker))
        if tracker.get_slot("district") and not (context.names_place
                                                 or context.postcode_unknown):
            return {}  # already known; a new place in an answer corrects it
        asked = tracker.get_slot("requested_slot") == "district"
        place, events = place_from(context, asked=asked)
        if place == UNKNOWN and context.district != UNKNOWN:  # not understood, not declined
            if intent_of(tracker) in SMALL_TALK:
                return {}  # "ok thanks" is not a place: the question is asked again
            dispatcher.utter_message(text=replies.UNRECOGNISED_PLACE)
        slots = {e["name"]: e["value"] for e in events}
        return {"district": place, "place_choices": None, "postcode_unknown": None} if place \
            else slots

    async def extract_age(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        if self._skip(tracker):
            return {}
        context = extract_context(text_of(tracker), answering=self._answering(tracker))
        if context.age is not None:
            return {"age": str(context.age)}  # a new age corrects the one given before
        if tracker.get_slot("age"):
            return {}
        if context.age_declined:
            return {"age": UNKNOWN}
        if tracker.get_slot("requested_slot") == "age" and not context.names_place \
                and intent_of(tracker) not in SMALL_TALK:
            return {"age": UNKNOWN}  # a place correction while asked the age: ask again
        return {}


class ActionAskDistrict(Action):
    """One natural question for both place and age, unless the age is already known."""

    def name(self) -> str:
        return "action_ask_district"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        choices = tracker.get_slot("place_choices")
        if choices:
            text, buttons = replies.which_area(tuple(choices))
            dispatcher.utter_message(text=text, buttons=buttons)
        elif tracker.get_slot("postcode_unknown"):
            dispatcher.utter_message(text=replies.POSTCODE_UNKNOWN)
        else:
            dispatcher.utter_message(text=replies.ask_place_and_age(
                tracker.get_slot("for_whom"), bool(tracker.get_slot("age"))))
        return [SlotSet("place_choices", None), SlotSet("postcode_unknown", None)]


class ActionAskAge(Action):
    def name(self) -> str:
        return "action_ask_age"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        dispatcher.utter_message(text=replies.ask_age(tracker.get_slot("for_whom")))
        return []


class ActionShowServices(Action):
    def name(self) -> str:
        return "action_show_services"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        return show_page(dispatcher, tracker, offset=0, action=self.name())


class ActionMoreOptions(Action):
    def name(self) -> str:
        return "action_more_options"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        if not tracker.get_slot("need"):
            dispatcher.utter_message(text=replies.ASK_NEED)
            return []
        offset = int(tracker.get_slot("results_offset") or 0)
        return show_page(dispatcher, tracker, offset=offset, action=self.name())


def show_page(dispatcher: CollectingDispatcher, tracker: Tracker, offset: int, action: str) -> list:
    need = tracker.get_slot("need")
    district, age = tracker.get_slot("district"), _age(tracker)
    practitioner = bool(tracker.get_slot("practitioner"))
    if not need:
        dispatcher.utter_message(text=replies.ASK_NEED)
        return []
    try:
        services, total = signposting.find_services(
            need, district, age, practitioner, offset,
            circumstances=tracker.get_slot("circumstances") or ())
    except Exception:  # the directory is down: never leave the person with nothing
        log.exception("directory search failed")
        dispatcher.utter_message(text=fallbacks.DIRECTORY_DOWN)
        # Wait for the person: no "Was this helpful?" about services that were never shown.
        return [FollowupAction(ACTION_LISTEN)]
    if not services:
        more = offset > 0
        if not more:  # nothing fitted this need, place and age: unmet need, for commissioners
            outcomes.record_unmet_need(tracker.sender_id, need, district, age, practitioner)
        dispatcher.utter_message(
            text=("That's all the services I have for this." if more else
                  replies.nothing_found(district))
            + " " + replies.GENERAL_ROUTE,
            buttons=replies.NAV_BUTTONS[1:],
        )
        return []
    # Residents' answers also carry the cards as data (`custom`) for the widget's compact cards.
    dispatcher.utter_message(
        text=replies.intro(need, district, practitioner, more=offset > 0,
                           person=tracker.get_slot("for_whom"), services=services),
        json_message=None if practitioner else replies.results_summary(
            need, district, len(services), offset > 0))
    card = replies.practitioner_card if practitioner else replies.resident_card
    for service in services:
        dispatcher.utter_message(
            text=card(service),
            json_message=None if practitioner else replies.resident_card_data(service))
    has_more = offset + len(services) < total
    also = tracker.get_slot("also_need")
    also = also if also in SIGNPOST_NEEDS and also != need else None
    dispatcher.utter_message(
        text=replies.closing(services, also, tracker.get_slot("other_topics"), age),
        buttons=replies.closing_buttons(also, has_more),
    )
    # Each service once, the person once per need and day (referral_log/outcomes.py).
    outcomes.record_signposting(tracker.sender_id, need, services, district, age, practitioner)
    shown = list(tracker.get_slot("shown_service_ids") or []) if offset else []
    return [
        SlotSet("results_offset", offset + len(services)),
        SlotSet("shown_service_ids", shown + [s.id for s in services]),
        SlotSet("also_need", None),  # offered once
        SlotSet("other_topics", None),  # likewise
    ]


class ActionSomethingElse(Action):
    def name(self) -> str:
        return "action_something_else"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        dispatcher.utter_message(text="Of course. What else can I help with?")
        return [SlotSet("need", None), SlotSet("results_offset", 0), SlotSet("risk_tier", None),
                SlotSet("shown_service_ids", None), SlotSet("for_whom", None),
                SlotSet("other_topics", None), ActiveLoop(None),
                SlotSet("requested_slot", None)]


class ActionFallback(Action):
    """First time: ask to rephrase. After that: offer a person to talk to."""

    def name(self) -> str:
        return "action_fallback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        count = int(tracker.get_slot("fallback_count") or 0)
        if crisis_actions.previous_action(tracker) == "action_crisis_response" \
                and repeat_crisis_steps(dispatcher, tracker):
            # Not understood right after a crisis response: its steps again, not "rephrase".
            return []
        if crisis_actions.without_a_call(dispatcher, tracker):
            return [SlotSet("fallback_count", 0)]
        corrected = correction(dispatcher, tracker)
        if corrected is not None:
            return corrected
        rescued = follow_up.follow_up_rescue(tracker)  # "Do they charge for this?"
        if rescued:
            return rescued
        topics = other_help.detect(text_of(tracker))
        if topics:  # not understood, but about money, food, housing or grief: who can help
            dispatcher.utter_message(text=replies.other_help_text(topics, _age(tracker)),
                                     buttons=replies.OTHER_HELP_BUTTONS)
            return [SlotSet("fallback_count", count + 1)]
        outcomes.record_not_understood(tracker.sender_id, tracker.get_slot("district"),
                                       _age(tracker), bool(tracker.get_slot("practitioner")))
        if count == 0:
            dispatcher.utter_message(text=replies.REPHRASE)
        else:
            dispatcher.utter_message(text=replies.HUMAN_ROUTE, buttons=replies.HUMAN_ROUTE_BUTTONS)
        return [SlotSet("fallback_count", count + 1)]


class ActionPractitionerMode(Action):
    def name(self) -> str:
        return "action_practitioner_mode"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        dispatcher.utter_message(
            text="Thanks. I'll show referral routes: how to refer, eligibility and forms. "
            "What does your patient or client need help with, and where in Essex do they live?"
        )
        return [SlotSet("practitioner", True)]


class ActionRecordHelpful(Action):
    def name(self) -> str:
        return "action_record_helpful"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        helpful = intent_of(tracker) == "helpful_yes"
        ids = tracker.get_slot("shown_service_ids") or []
        need = tracker.get_slot("need")
        if need and ids:
            try:
                outcomes.record_helpful(
                    tracker.sender_id, _list_key(tracker, self.name()), need,
                    signposting.services_by_ids(ids), tracker.get_slot("district"),
                    _age(tracker), bool(tracker.get_slot("practitioner")), helpful,
                )
            except Exception:  # noqa: BLE001 - the database is down: still thank the person
                log.exception("recording the helpfulness answer failed")
        if helpful:
            dispatcher.utter_message(text="Thank you, that helps us improve. Take care.")
        else:
            dispatcher.utter_message(
                text="Thank you for telling me, and I'm sorry. " + replies.GENERAL_ROUTE,
                buttons=replies.NAV_BUTTONS[1:],
            )
        return []
