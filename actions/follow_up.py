"""Actions for what people ask after (or instead of) a list of services: a question about a
service, a person to talk to, and worries outside the directory's needs. Each answers from
the directory (bot/signposting.py, bot/follow_up.py) or from signpost/other_help.yml."""
from __future__ import annotations

import logging
import re

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import replies
from actions.conversation_state import FORM, intent_of, text_of
from bot import follow_up, signposting
from bot.context import extract_context
from bot.practitioner import is_practitioner_text
from referral_log import outcomes
from services_directory.search import ServiceResult
from signpost import other_help

log = logging.getLogger(__name__)
PAGE = 3  # the services on the last page shown are the ones "they" means
_REFER_ME = re.compile(r"\b(can|could|will|would) you\b.{0,20}\b(refer|sign|book|put)\b", re.I)


def _age(tracker: Tracker, text: str) -> int | None:
    said = extract_context(text).age
    if said is not None:
        return said
    value = tracker.get_slot("age")
    return int(value) if value and str(value).isdigit() else None


def shown_services(tracker: Tracker) -> list[ServiceResult]:
    """The services on the last page shown, still in the directory."""
    ids = list(tracker.get_slot("shown_service_ids") or [])[-PAGE:]
    if not ids:
        return []
    try:
        return signposting.services_by_ids(ids)
    except Exception:  # noqa: BLE001 - the directory is down: answer without it
        log.exception("reading shown services failed")
        return []


class ActionServiceQuestion(Action):
    """"What's their number?", "is it free?", "can you refer me?", "number for Samaritans?"."""

    def name(self) -> str:
        return "action_service_question"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        text = text_of(tracker)
        practitioner = bool(tracker.get_slot("practitioner")) or is_practitioner_text(text)
        kinds = follow_up.asked_details(text)
        named_lines = follow_up.named_lines(text)
        try:
            named = [] if named_lines else signposting.named_services(text)
        except Exception:  # noqa: BLE001
            log.exception("finding a named service failed")
            named = []
        shown = shown_services(tracker)
        targets = named or follow_up.pick_shown(text, shown)
        if _other_topic_instead(text, kinds, named or named_lines, targets, shown):
            return [FollowupAction("action_other_help")]
        if named_lines and not named:
            dispatcher.utter_message(text="\n".join(replies.line_answer(x) for x in named_lines))
            return []
        if not targets:
            return self._nothing_shown(dispatcher, tracker)
        if follow_up.WHERE in kinds and not named and not tracker.get_slot("district"):
            dispatcher.utter_message(text=replies.ASK_PLACE_FOR_NEAR)
            return [SlotSet("district", None)]
        if _REFER_ME.search(text) and not practitioner:
            dispatcher.utter_message(text=replies.CANNOT_REFER)
        age = _age(tracker, text)
        for message in follow_up.answers(targets[:PAGE], kinds, age, practitioner):
            dispatcher.utter_message(text=message)
        dispatcher.utter_message(text=replies.AFTER_ANSWER, buttons=replies.AFTER_ANSWER_BUTTONS)
        # A service named now is what "they" means in the next question.
        return [SlotSet("shown_service_ids", [s.id for s in named[:PAGE]])] if named else []

    @staticmethod
    def _nothing_shown(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        need = tracker.get_slot("need")
        if need:  # asked before the services: find them first, then they can ask again
            dispatcher.utter_message(text=replies.NOTHING_SHOWN_YET)
            return [FollowupAction(FORM)]
        dispatcher.utter_message(text=replies.WHICH_SERVICE)
        return []


def _other_topic_instead(text: str, kinds: list[str], named: list, targets: list,
                         shown: list) -> bool:
    """"What about for the bereavement?" after alcohol services: no detail asked, no service
    picked out, but a topic of other help (grief, money, housing...) named."""
    return (set(kinds) <= {follow_up.ABOUT, follow_up.OTHER} and not named
            and len(targets) == len(shown) and bool(other_help.detect(text)))


def follow_up_rescue(tracker: Tracker) -> list[EventType] | None:
    """A short question about a detail, after services were shown, that the model read as a
    need, a clarifying question or nothing: answered as a question about those services."""
    if tracker.get_slot("shown_service_ids") and \
            follow_up.is_question_about_services(text_of(tracker)):
        return [FollowupAction("action_service_question")]
    return None


class ActionTalkToPerson(Action):
    """A real person to talk to: lines with people on them, the GP practice's social
    prescriber, and the phone numbers of the services just shown; never only a disclaimer."""

    def name(self) -> str:
        return "action_talk_to_person"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        phones = [s for s in shown_services(tracker) if s.contact_phone][:2]
        dispatcher.utter_message(text=replies.talk_to_person(phones),
                                 buttons=replies.NAV_BUTTONS[1:])
        return [SlotSet("fallback_count", 0)]


class ActionOtherHelp(Action):
    """Money, food, energy, housing or grief: a short sourced pointer, kindly. Anything else
    outside the needs: what the assistant can help with."""

    def name(self) -> str:
        return "action_other_help"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        text = text_of(tracker)
        found = other_help.detect(text)
        if not found or intent_of(tracker) == "out_of_scope":
            # Outside the directory's needs: counted for commissioners (referral_log/outcomes.py).
            outcomes.record_out_of_scope(tracker.sender_id, tracker.get_slot("district"),
                                         _age(tracker, text),
                                         bool(tracker.get_slot("practitioner")))
        if not found:
            dispatcher.utter_message(text=replies.OUT_OF_SCOPE)
            return []
        if found == ("bereavement",):  # grief: kindly, and the support grief often needs
            dispatcher.utter_message(text=replies.bereavement_first(_age(tracker, text)),
                                     buttons=replies.clarify_buttons("loneliness",
                                                                     "mental_wellbeing"))
            return [SlotSet("other_topics", ["bereavement"])]
        dispatcher.utter_message(text=replies.other_help_text(found, _age(tracker, text)),
                                 buttons=replies.OTHER_HELP_BUTTONS)
        return [SlotSet("other_topics", None)]

