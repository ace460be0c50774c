"""What the person's message says about their situation, turned into slots: place, age,
who the help is for, circumstances and other worries; and a place or age given as a
correction. Shared by the signposting actions (actions/actions.py) and the crisis path
(actions/crisis_actions.py)."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import crisis_replies
from bot import who_for
from bot.context import UNKNOWN, Context, extract_context
from bot.practitioner import is_practitioner_text
from services_directory.districts import OUTSIDE
from signpost import other_help
from signpost.circumstances import detect as detect_circumstances
from signpost.needs import SIGNPOST_NEEDS

FORM = "signpost_form"


def intent_of(tracker: Tracker) -> str:
    """The latest message's intent name."""
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


def text_of(tracker: Tracker) -> str:
    """The latest message's text, as typed."""
    return tracker.latest_message.get("text") or ""


def place_from(context: Context, asked: bool) -> tuple[str | None, list[EventType]]:
    """The `district` slot value for what the person said about where they live, and slot
    events for the place question: one of the 12 districts, Southend-on-Sea or Thurrock
    (their own councils), OUTSIDE (elsewhere: national services), UNKNOWN (declined, or not
    understood when asked), or None (ask, or ask again). An outward code spanning several
    areas sets `place_choices` and a postcode ONS does not list sets `postcode_unknown`, so
    that action_ask_district asks the right question instead of the plain one."""
    if context.district or context.authority:
        return context.district or context.authority, []
    if len(context.candidates) == 1:  # the rest of that postcode area is outside Essex
        return context.candidates[0], []
    if context.candidates:
        return None, [SlotSet("place_choices", list(context.candidates))]
    if context.outside_area:
        return OUTSIDE, []
    if context.postcode_unknown:
        return None, [SlotSet("postcode_unknown", True)]
    if asked and context.age is None:
        return UNKNOWN, []
    return None, []


def circumstance_events(tracker: Tracker, text: str) -> list[EventType]:
    """Add the circumstances this message shows (ids only; the text is not kept)."""
    known = list(tracker.get_slot("circumstances") or [])
    new = [c for c in detect_circumstances(text) if c not in known]
    return [SlotSet("circumstances", known + new)] if new else []


def context_events(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Slots for the place, age, circumstances and practitioner cues in the latest message."""
    text = text_of(tracker)
    events: list[EventType] = []
    if is_practitioner_text(text):
        events.append(SlotSet("practitioner", True))
    events += circumstance_events(tracker, text)
    context = extract_context(text, answering=intent_of(tracker) == "inform")
    place, place_events = place_from(context, asked=False)
    events += place_events
    if place:
        events.append(SlotSet("district", place))
    if context.age is not None:
        events.append(SlotSet("age", str(context.age)))
    elif "employer" in detect_circumstances(text) and not tracker.get_slot("age"):
        events.append(SlotSet("age", UNKNOWN))  # asking for their staff: no one age to ask
    events += person_events(tracker, text)
    topics = [t for t in other_help.detect(text)
              if t not in (tracker.get_slot("other_topics") or [])]
    if topics:
        events.append(SlotSet("other_topics", list(tracker.get_slot("other_topics") or [])
                              + topics))
    if (tracker.latest_message.get("risk") or {}).get("tier") == "mentioned":
        dispatcher.utter_message(text=crisis_replies.MENTIONED_LINE)
    return events


def person_events(tracker: Tracker, text: str) -> list[EventType]:
    """Who the help is for, if this message says: a carer's services are for the carer."""
    intent = intent_of(tracker)
    need = intent if intent in SIGNPOST_NEEDS else tracker.get_slot("need")
    person = who_for.detect(text, bool(tracker.get_slot("practitioner")))
    if need == "carer_support" and person not in (None, "patient"):
        person = who_for.SELF
    return [SlotSet("for_whom", person)] if person else []


def has_context(text: str) -> bool:
    """The message gives a place or an age (or declines to)."""
    c = extract_context(text, answering=True)
    return c.names_place or c.district == UNKNOWN or c.postcode_unknown \
        or c.age is not None or c.age_declined


def correction(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """A place or age given outside the form ("no, I meant Epping", "what about Manningtree
    then?", "actually I'm 58"): update them and show services again. None if the message
    gives neither, or there is no need to show services for."""
    need = tracker.get_slot("need")
    context = extract_context(text_of(tracker))
    place = context.district if context.district not in (None, UNKNOWN) else \
        context.authority or (OUTSIDE if context.outside_area else None)
    new_place = bool(context.candidates) or (place is not None
                                             and place != tracker.get_slot("district"))
    new_age = context.age is not None and str(context.age) != tracker.get_slot("age")
    gives = new_place or new_age  # "any that meet in Benfleet?" in Castle Point is a question
    if not need or not gives or tracker.active_loop.get("name"):
        return None  # in the form, its validation reads corrections
    events = context_events(dispatcher, tracker)
    return events + [SlotSet("fallback_count", 0)] + continue_need(
        dispatcher, tracker, need, None)


def continue_need(dispatcher: CollectingDispatcher, tracker: Tracker, need: str | None,
                  lead: str | None) -> list[EventType]:
    """Go on with the need (asking place and age if still unknown), or ask what it is."""
    if need in SIGNPOST_NEEDS:
        if lead:
            dispatcher.utter_message(text=lead)
        return [SlotSet("need", need), SlotSet("results_offset", 0), FollowupAction(FORM)]
    dispatcher.utter_message(text=(lead + " " if lead else "") + crisis_replies.TELL_ME)
    return []
