"""Ranked search of active services for a need. The bot's actions, the web
pages' JSON (/api/search) and `signpost directory search` all call this.

Filters (SQL): status active; serves the need; covers the district (the
district itself or all of Essex); age within the service's minimum/maximum;
audience "resident" leaves out services written only for practitioners.

Ranking (Python, so that SQLite and PostgreSQL order identically), a score:
  +40 local: the service names the requested district (county-wide services don't)
  +30 primary: the need is the service's first need
  +15 per query word in the name, +5 per word only in description/eligibility
  +10 audience practitioner and the service takes professional referrals
  -1000 a national crisis line (primary need "crisis") when the need is not crisis
Ties: name (case-insensitive), then id. Text never removes a service: the
words of a chat message must not hide the only service that fits.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from services_directory import districts as districts_module
from services_directory import taxonomy as tx
from services_directory.ids import is_uuid
from services_directory.importer import LOAD_OPTIONS, service_record
from services_directory.models import MAX_AGE, Attribute, Service, ServiceArea
from services_directory.records import ServiceRecord
from signpost.needs import get_need

CRISIS = "crisis"
AUDIENCES = tx.AUDIENCES
LOCAL, PRIMARY, NAME_WORD, TEXT_WORD, PROFESSIONAL, CRISIS_LINE = 40, 30, 15, 5, 10, -1000
STOPWORDS = frozenset(
    "a an and are for from help i im i'm in is it me my need of on or please service services "
    "some someone support the to want with".split()
)


@dataclass(frozen=True)
class ServiceResult:
    id: str
    slug: str
    name: str
    description: str
    organization: str
    status: str
    needs: list[str]
    jhws_actions: list[str]
    priority_measures: list[str]
    eligibility: str | None
    minimum_age: int | None
    maximum_age: int | None
    districts: list[str]  # ["all"] for all of Essex
    audience: list[str]
    contact_phone: str | None
    contact_email: str | None
    contact_url: str | None
    contact_note: str | None
    referral_routes: list[dict]  # {kind, instructions, url}
    source: str | None
    contact_confirmed: bool  # False: show contact_note, never made-up details
    score: int = 0
    reasons: list[str] = field(default_factory=list)  # why it ranked where it did

    def to_dict(self) -> dict:
        return asdict(self)


def _result(rec: ServiceRecord, organization: str, score: int = 0,
            reasons: list[str] | None = None) -> ServiceResult:
    return ServiceResult(
        id=rec.id, slug=rec.slug, name=rec.name, description=rec.description,
        organization=organization, status=rec.status, needs=list(rec.needs),
        jhws_actions=list(rec.jhws_actions), priority_measures=list(rec.priority_measures),
        eligibility=rec.eligibility, minimum_age=rec.minimum_age, maximum_age=rec.maximum_age,
        districts=list(rec.districts), audience=list(rec.audience),
        contact_phone=rec.contact_phone, contact_email=rec.contact_email,
        contact_url=rec.contact_url, contact_note=rec.contact_note,
        referral_routes=[{"kind": r.kind, "instructions": r.instructions, "url": r.url}
                         for r in rec.referral_routes],
        source=rec.source, contact_confirmed=rec.contact_confirmed, score=score,
        reasons=reasons or [],
    )


def _check(need: str, district: str | None, age: int | None, audience: str | None
           ) -> str | None:
    """Raise ValueError with a clear message for bad filters; return the district."""
    get_need(need)
    if age is not None and (isinstance(age, bool) or not isinstance(age, int)
                            or not 0 <= age <= MAX_AGE):
        raise ValueError(f"age must be a whole number from 0 to {MAX_AGE}, not {age!r}")
    if audience is not None and audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}; expected one of {', '.join(AUDIENCES)}")
    return districts_module.canonical_district(district) if district else None


def _matching_ids(need: str, district: str | None, age: int | None, audience: str | None):
    """SELECT of the ids of active services that pass every filter."""
    query = (select(Service.id)
             .join(Attribute, Attribute.link_id == Service.id)
             .where(Attribute.taxonomy_term_id == tx.term_id(tx.NEEDS, need),
                    Service.status == "active"))
    if district:
        query = query.where(Service.id.in_(
            select(ServiceArea.service_id)
            .where(ServiceArea.district.in_([district, districts_module.ALL]))))
    if age is not None:
        query = query.where(or_(Service.minimum_age.is_(None), Service.minimum_age <= age),
                            or_(Service.maximum_age.is_(None), Service.maximum_age >= age))
    if audience == "resident":
        query = query.where(Service.id.in_(
            select(Attribute.link_id)
            .where(Attribute.taxonomy_term_id == tx.term_id(tx.AUDIENCE, "resident"))))
    return query


def query_words(text: str | None) -> list[str]:
    words = re.findall(r"[a-z0-9']+", (text or "").casefold())
    return list(dict.fromkeys(w for w in words if len(w) > 2 and w not in STOPWORDS))


def _stem(word: str) -> str:
    """Crude suffix stripping so that "walking" finds "walks" and "groups" finds "group"."""
    for suffix in ("ing", "ers", "es", "ed", "er", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _contains(haystack: str, word: str) -> bool:
    return _stem(word) in haystack


def _rank(rec: ServiceRecord, need: str, district: str | None, words: list[str],
          audience: str | None) -> tuple[int, list[str]]:
    score, reasons = 0, []
    if district and district in rec.districts:
        score += LOCAL
        reasons.append(f"local to {district}")
    if rec.needs and rec.needs[0] == need:
        score += PRIMARY
        reasons.append("main focus is this need")
    name = rec.name.casefold()
    body = f"{rec.description} {rec.eligibility or ''}".casefold()
    for word in words:
        if _contains(name, word):
            score += NAME_WORD
            reasons.append(f"name matches {word!r}")
        elif _contains(body, word):
            score += TEXT_WORD
            reasons.append(f"description matches {word!r}")
    if audience == "practitioner" and any(r.kind == "professional_referral"
                                          for r in rec.referral_routes):
        score += PROFESSIONAL
        reasons.append("takes professional referrals")
    if need != CRISIS and rec.needs and rec.needs[0] == CRISIS:
        score += CRISIS_LINE
        reasons.append("crisis line: listed last for non-urgent needs")
    return score, reasons


def search_services(
    session: Session,
    need: str,
    district: str | None = None,
    age: int | None = None,
    text: str | None = None,
    audience: str | None = None,
    limit: int = 3,
    offset: int = 0,
) -> list[ServiceResult]:
    """Active services for `need`, best first. Raises ValueError for an unknown
    need, district or audience, or a bad age/limit/offset."""
    district = _check(need, district, age, audience)
    if limit < 0 or offset < 0:
        raise ValueError("limit and offset must not be negative")
    ids = _matching_ids(need, district, age, audience)
    query = select(Service).where(Service.id.in_(ids)).options(*LOAD_OPTIONS)
    services = session.scalars(query).all()
    words = query_words(text)
    ranked = []
    for svc in services:
        rec = service_record(svc)
        score, reasons = _rank(rec, need, district, words, audience)
        ranked.append((-score, rec.name.casefold(), rec.id, rec, svc.organization.name, reasons))
    ranked.sort(key=lambda item: item[:3])
    return [_result(rec, org, -neg, reasons)
            for neg, _, _, rec, org, reasons in ranked[offset:offset + limit]]


def count_services(
    session: Session,
    need: str,
    district: str | None = None,
    age: int | None = None,
    text: str | None = None,
    audience: str | None = None,
) -> int:
    """How many services search_services can return for these filters (for
    "more options" paging). `text` only ranks, so it does not change the count."""
    del text  # accepted so that callers can pass the same filters to both functions
    district = _check(need, district, age, audience)
    ids = _matching_ids(need, district, age, audience).subquery()
    return session.scalar(select(func.count()).select_from(ids)) or 0


def get_service(session: Session, service_id: str) -> ServiceResult | None:
    """One service by id, whatever its status; None if there is no such service."""
    if not is_uuid(service_id):
        return None
    query = select(Service).where(Service.id == service_id).options(*LOAD_OPTIONS)
    svc = session.scalars(query).first()
    return _result(service_record(svc), svc.organization.name) if svc else None
