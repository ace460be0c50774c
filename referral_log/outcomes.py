"""What the bot's actions record, counted in people rather than cards.

Each function turns one outcome of a conversation into anonymised events and writes them
with `record_once`, keyed so that:

* a service shown counts once per conversation, need, service and day (a re-shown list
  does not count again; "More options" adds the new services);
* a person counts once per conversation, need and day, at the moment they are first
  signposted (kind person_signposted, with the measures of the services shown then);
* unmet need, out of scope and not understood count once per conversation (and need) and day;
* every conversation with any of these outcomes counts once a day (kind conversation), the
  denominator of the rates on the dashboard;
* a crisis response counts every time it is given (crisis_shown), and the person once
  (person_crisis); a "Was this helpful?" answer counts per service shown, and the person's
  first answer for the need once (person_helpful_yes / _no).

The keys hold the conversation id, so they are only ever stored as HMACs in referral_dedup
(for two days), never beside the events. Every function never raises and returns False if
nothing could be written.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from referral_log.log import SignpostEvent, age_band, record_once
from referral_log.models import PERSON_KIND
from services_directory.districts import DISTRICTS
from signpost.needs import get_need

RESIDENT, PRACTITIONER = "resident", "practitioner"


class ShownService(Protocol):
    """What the log needs of a service shown (services_directory.search.ServiceResult)."""

    id: str
    jhws_actions: Sequence[str]
    priority_measures: Sequence[str]


class _Who:
    """The coarse context every event of one outcome shares."""

    def __init__(self, district: str | None, age: int | None, practitioner: bool) -> None:
        # The log counts the 12 districts; Southend-on-Sea, Thurrock and elsewhere are not
        # known (the county's measures are about its own residents).
        self.district = district if district in DISTRICTS else None
        self.age_band = age_band(age)
        self.channel = PRACTITIONER if practitioner else RESIDENT

    def event(self, kind: str, need: str | None, service_id: str | None = None,
              measures: Sequence[str] = ()) -> SignpostEvent:
        return SignpostEvent(need=need, service_id=service_id, jhws_actions=tuple(measures),
                             district=self.district, age_band=self.age_band,
                             channel=self.channel, kind=kind)


def _once(what: str, conversation_id: str, day: date, *parts: str | None) -> str:
    """A key that repeats for the same conversation, day and parts (so it counts once)."""
    return ":".join([what, conversation_id, day.isoformat(), *(p or "-" for p in parts)])


def _measures(service: ShownService) -> tuple[str, ...]:
    return tuple(service.jhws_actions) + tuple(service.priority_measures)


def _conversation(who: _Who, conversation_id: str, day: date) -> tuple[str, list]:
    return _once("conversation", conversation_id, day), [who.event("conversation", None)]


def record_signposting(conversation_id: str, need: str, services: Sequence[ShownService],
                       district: str | None, age: int | None, practitioner: bool, *,
                       url: str | None = None, today: date | None = None) -> bool:
    """Services shown for a need: each service once, the person once, the conversation once."""
    if not services:
        return True
    day = today or date.today()
    who = _Who(district, age, practitioner)
    batches = [(_once("signposted", conversation_id, day, need, s.id),
                [who.event("signposted", need, s.id, _measures(s))]) for s in services]
    reached = tuple(dict.fromkeys(m for s in services for m in _measures(s)))
    batches.append((_once("person", conversation_id, day, need),
                    [who.event(PERSON_KIND["signposted"], need, None, reached)]))
    batches.append(_conversation(who, conversation_id, day))
    return record_once(batches, url=url, today=day)


def record_unmet_need(conversation_id: str, need: str, district: str | None, age: int | None,
                      practitioner: bool, *, url: str | None = None,
                      today: date | None = None) -> bool:
    """No service fitted this need, place and age: unmet need, once per conversation and need."""
    day = today or date.today()
    who = _Who(district, age, practitioner)
    return record_once([(_once("unmet_need", conversation_id, day, need),
                         [who.event("unmet_need", need)]),
                        _conversation(who, conversation_id, day)], url=url, today=day)


def record_crisis(conversation_id: str, turn_key: str, district: str | None, age: int | None,
                  practitioner: bool, *, url: str | None = None,
                  today: date | None = None) -> bool:
    """A crisis response given: counted every time (per message), the person once."""
    day = today or date.today()
    who = _Who(district, age, practitioner)
    crisis = get_need("crisis")
    measures = crisis.priority_measures + crisis.jhws_actions
    return record_once([
        (turn_key, [who.event("crisis_shown", "crisis", None, measures)]),
        (_once("person_crisis", conversation_id, day),
         [who.event(PERSON_KIND["crisis_shown"], "crisis", None, measures)]),
        _conversation(who, conversation_id, day),
    ], url=url, today=day)


def record_helpful(conversation_id: str, turn_key: str, need: str,
                   services: Sequence[ShownService], district: str | None, age: int | None,
                   practitioner: bool, helpful: bool, *, url: str | None = None,
                   today: date | None = None) -> bool:
    """A "Was this helpful?" answer: against each service shown, and the person's first answer."""
    if not services:
        return True
    day = today or date.today()
    who = _Who(district, age, practitioner)
    kind = "helpful_yes" if helpful else "helpful_no"
    reached = tuple(dict.fromkeys(m for s in services for m in _measures(s)))
    return record_once([
        (turn_key, [who.event(kind, need, s.id, _measures(s)) for s in services]),
        (_once("person_helpful", conversation_id, day, need),
         [who.event(PERSON_KIND[kind], need, None, reached)]),
    ], url=url, today=day)


def record_out_of_scope(conversation_id: str, district: str | None, age: int | None,
                        practitioner: bool, *, url: str | None = None,
                        today: date | None = None) -> bool:
    """Asked for something the assistant does not cover: once per conversation and day."""
    day = today or date.today()
    who = _Who(district, age, practitioner)
    return record_once([(_once("out_of_scope", conversation_id, day),
                         [who.event("out_of_scope", "out_of_scope")]),
                        _conversation(who, conversation_id, day)], url=url, today=day)


def record_not_understood(conversation_id: str, district: str | None, age: int | None,
                          practitioner: bool, *, url: str | None = None,
                          today: date | None = None) -> bool:
    """A message not understood (asked to rephrase, or offered a person): once a day."""
    day = today or date.today()
    who = _Who(district, age, practitioner)
    return record_once([(_once("not_understood", conversation_id, day),
                         [who.event("not_understood", None)]),
                        _conversation(who, conversation_id, day)], url=url, today=day)
