"""The small directory API the Rasa actions call: find services, by need or by name.

Actions stay thin: they read slots, call these functions and format replies. What they
record goes through the referral log's own API, referral_log.outcomes.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence

from bot import follow_up
from services_directory.search import (
    ServiceResult,
    count_services,
    get_service,
    name_index,
    search_services,
)
from signpost.db import session_scope

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


def services_by_ids(ids: Sequence[str]) -> list[ServiceResult]:
    """The services with these ids, in that order (ids no longer in the directory dropped)."""
    with session_scope() as session:
        return [s for s in (get_service(session, i) for i in ids) if s]


def named_services(text: str, limit: int = 2) -> list[ServiceResult]:
    """Active services the text names ("how do I contact Active Essex?"), best first."""
    with session_scope() as session:
        ids = follow_up.named(text, name_index(session))[:limit]
        return [s for s in (get_service(session, i) for i in ids) if s]
