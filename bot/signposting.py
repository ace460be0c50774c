"""The small domain API the Rasa actions call: find services, log what was shown.

Actions stay thin: they read slots, call these functions, and format replies.
Database access and the referral log live behind this module.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence

from bot import follow_up
from referral_log.log import SignpostEvent, age_band, record_events
from services_directory.districts import DISTRICTS
from services_directory.search import (
    ServiceResult,
    count_services,
    get_service,
    name_index,
    search_services,
)
from signpost.db import session_scope
from signpost.needs import get_need

log = logging.getLogger(__name__)
PAGE_SIZE = 3
RESIDENT, PRACTITIONER = "resident", "practitioner"


def find_services(
    need: str,
    district: str | None,
    age: int | None,
    practitioner: bool = False,
    offset: int = 0,
    limit: int = PAGE_SIZE,
    circumstances: Sequence[str] = (),
) -> tuple[list[ServiceResult], int]:
    """The best active services for this need, place, age and circumstances (ids from
    signpost/circumstances.yml), and how many there are in all."""
    district = district if district not in (None, "unknown") else None
    audience = PRACTITIONER if practitioner else RESIDENT
    with session_scope() as session:
        kwargs = dict(need=need, district=district, age=age, audience=audience,
                      circumstances=tuple(circumstances))
        total = count_services(session, **kwargs)
        return search_services(session, limit=limit, offset=offset, **kwargs), total


def _logged_district(district: str | None) -> str | None:
    """The referral log counts the 12 districts; Southend-on-Sea, Thurrock and elsewhere
    are counted as not known (the county's measures are about its own residents)."""
    return district if district in DISTRICTS else None


def _channel(practitioner: bool) -> str:
    return PRACTITIONER if practitioner else RESIDENT


def record_shown(
    services: Sequence[ServiceResult],
    need: str,
    district: str | None,
    age: int | None,
    practitioner: bool,
    idempotency_key: str,
    kind: str = "signposted",
) -> bool:
    """One anonymised event per service shown. Never raises; returns False if not written."""
    events = [
        SignpostEvent(
            need=need,
            service_id=s.id,
            jhws_actions=tuple(s.jhws_actions) + tuple(s.priority_measures),
            district=_logged_district(district),
            age_band=age_band(age),
            channel=_channel(practitioner),
            kind=kind,
        )
        for s in services
    ]
    return record_events(events, idempotency_key) if events else True


def record_crisis(practitioner: bool, district: str | None, age: int | None, key: str) -> bool:
    """Count that crisis lines were shown (need `crisis`), against the crisis measures."""
    measures = get_need("crisis").priority_measures + get_need("crisis").jhws_actions
    event = SignpostEvent(
        need="crisis", service_id=None, jhws_actions=tuple(measures),
        district=_logged_district(district),
        age_band=age_band(age), channel=_channel(practitioner), kind="crisis_shown",
    )
    return record_events([event], key)


def record_helpful(
    service_ids: Sequence[str],
    need: str,
    district: str | None,
    age: int | None,
    practitioner: bool,
    helpful: bool,
    idempotency_key: str,
) -> bool:
    """Count a yes/no answer to "Was this helpful?" against each service that was shown."""
    with session_scope() as session:
        services = [s for s in (get_service(session, i) for i in service_ids) if s]
    return record_shown(services, need, district, age, practitioner, idempotency_key,
                        kind="helpful_yes" if helpful else "helpful_no")


def services_by_ids(ids: Sequence[str]) -> list[ServiceResult]:
    """The services with these ids, in that order (ids no longer in the directory dropped)."""
    with session_scope() as session:
        return [s for s in (get_service(session, i) for i in ids) if s]


def named_services(text: str, limit: int = 2) -> list[ServiceResult]:
    """Active services the text names ("how do I contact Active Essex?"), best first."""
    with session_scope() as session:
        ids = follow_up.named(text, name_index(session))[:limit]
        return [s for s in (get_service(session, i) for i in ids) if s]
