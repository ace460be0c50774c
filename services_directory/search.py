"""Ranked search of active services for a need. The bot's actions, the web
pages' JSON (/api/search) and `signpost directory search` all call this.

Filters (SQL), all strict:
  - status active, and the service serves the need (main or secondary);
  - area: a service the person can use where they live (districts.areas_serving): their
    district's, all-Essex and national ones; in Southend-on-Sea or Thurrock, that
    council's and national ones; elsewhere (place "outside"), national ones only; no
    place: anything but services only for Southend-on-Sea or Thurrock;
  - age within the service's minimum/maximum;
  - circumstances: a service only for people in certain circumstances (pregnant or a new
    parent, a carer, an employer...: signpost/circumstances.yml) is offered to a resident
    only when theirs include one (given, or implied by the need); so is a practitioner,
    for their patient (the API without an audience lists everything);
  - audience: residents see resident services only; practitioners also see services for
    practitioners; planning and commissioning items ("commissioner" only) are never a
    referral route, so neither sees them.

Ranking, a score (the "reasons" list says which parts applied):
  +55 local: the service names the person's district (or council)
  +35 county-wide: an all-Essex service, for someone in Essex or of unknown place
      (so a local service with a contact ranks before a national one, even for a
      secondary need, and a local one without a contact before a national secondary one)
  +30 main need: the need is the service's first need (a secondary need scores 0); for
      the crisis need every crisis line fits, so age and contact order them
  +40 direct contact: a phone number, email or web address to use today (it outweighs
      being county-wide and the main need: "ask your GP" is the last resort)
  +20 made for your situation: the service is for circumstances the person said they have
      (circumstances only implied by the need let a service show, without this)
  +15 made for this age: the person's age is given and the service is for an age group
      (maximum age 25 or under, or minimum age 50 or over), except in the last year of a
      young people's service: someone about to age out is better served by one they
      can stay with (an 18-year-old: Talking Therapies before CAMHS "up to 18")
  -40 for an age group, when the age is not known: it may well not be theirs, so it
      weighs as much as a direct contact (an adult carer who would rather not say gets
      the carers' service and Citizens Advice before Essex Young Carers)
  +10 self-referral or an online form, with a direct contact (residents) / takes
      professional referrals (practitioners)
  +15 per query word in the name, +5 per word only in description/eligibility
  -1000 a national crisis line (main need "crisis") when the need is not crisis
Ties: details confirmed from a public source (source_url) first, then the most recently
checked (assured_date; never checked last), then name
(casefolded, compared as Python compares str), then id. Text never removes a service:
the words of a chat message must not hide the only service that fits.

The database ranks (_score_sql, ORDER BY, LIMIT/OFFSET) so that only the requested page
is loaded with its relations; `_rank` is the reference it must agree with
(tests/directory/test_search_ranking.py checks it on random directories), and gives
each result's score and reasons. Identical order on SQLite and PostgreSQL: words are
found (instr / strpos) in `sort_name`/`search_text`, casefolded in Python when a service
is written (models.search_keys), and names and ids are compared byte-wise (COLLATE "C" /
BINARY), which for UTF-8 is code-point order, like Python's. Text with more than
MAX_SQL_WORDS words is ranked in Python over every match, as before.
"""
from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache

from sqlalchemy import and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import ColumnElement, Select

from services_directory import districts as districts_module
from services_directory import models as models_module
from services_directory import taxonomy as tx
from services_directory.ids import is_uuid
from services_directory.importer import LOAD_OPTIONS, service_record
from services_directory.models import (
    MAX_AGE,
    Attribute,
    Organization,
    Service,
    ServiceArea,
    TaxonomyTerm,
)
from services_directory.records import ServiceRecord
from signpost.circumstances import CIRCUMSTANCE_IDS, implied_by
from signpost.needs import get_need

log = logging.getLogger(__name__)

CRISIS = "crisis"
AUDIENCES = ("resident", "practitioner")  # who searches; "commissioner" items are not routes
OUTSIDE = districts_module.OUTSIDE  # a place beyond Essex, Southend-on-Sea and Thurrock
LOCAL, COUNTY, PRIMARY, DIRECT, AGE_GROUP = 55, 35, 30, 40, 15
AGE_UNKNOWN = -40  # for an age group, age not known: weighed like having no contact
NAME_WORD, TEXT_WORD, ROUTE, CRISIS_LINE, SITUATION = 15, 5, 10, -1000, 20
SELF_ROUTES = frozenset(models_module.SELF_ROUTES)  # routes a resident takes alone
YOUNG_MAX, OLDER_MIN = 25, 50  # "made for an age group": maximum age <= 25 or minimum >= 50
MAX_ROWS = 2**31  # more services than any directory holds: a page from here on is empty
MAX_SQL_WORDS = 30  # a chat message has a handful; more (a pasted text) rank in Python
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
    for_circumstances: list[str]  # only for people in one of these
    contact_phone: str | None
    contact_email: str | None
    contact_url: str | None
    contact_note: str | None
    referral_routes: list[dict]  # {kind, instructions, url}
    source: str | None
    contact_confirmed: bool  # False: show contact_note, never made-up details
    hours: str | None = None
    source_url: str | None = None  # where the contact details come from
    source_date: date | None = None  # the date that page shows
    assured_date: date | None = None  # when someone last checked them
    score: int = 0
    reasons: list[str] = field(default_factory=list)  # why it ranked where it did

    @property
    def title(self) -> str:
        """'Name (Provider)', without repeating a provider the name already gives."""
        name, org = self.name.casefold(), self.organization.casefold()
        if org in name or name in org:
            return self.name if org in name else self.organization
        return f"{self.name} ({self.organization})"

    @property
    def checked_month(self) -> str | None:
        """When the details were last checked, as cards show it: 'December 2026'."""
        return self.assured_date.strftime("%B %Y") if self.assured_date else None

    def to_dict(self) -> dict:
        """JSON-ready: dates as YYYY-MM-DD (as ORUK writes them)."""
        out = asdict(self)
        for key in ("source_date", "assured_date"):
            out[key] = out[key].isoformat() if out[key] else None
        return out


def _result(rec: ServiceRecord, organization: str, score: int = 0,
            reasons: list[str] | None = None) -> ServiceResult:
    return ServiceResult(
        id=rec.id, slug=rec.slug, name=rec.name, description=rec.description,
        organization=organization, status=rec.status, needs=list(rec.needs),
        jhws_actions=list(rec.jhws_actions), priority_measures=list(rec.priority_measures),
        eligibility=rec.eligibility, minimum_age=rec.minimum_age, maximum_age=rec.maximum_age,
        districts=list(rec.districts), audience=list(rec.audience),
        for_circumstances=list(rec.for_circumstances),
        contact_phone=rec.contact_phone, contact_email=rec.contact_email,
        contact_url=rec.contact_url, contact_note=rec.contact_note,
        referral_routes=[{"kind": r.kind, "instructions": r.instructions, "url": r.url}
                         for r in rec.referral_routes],
        source=rec.source, contact_confirmed=rec.contact_confirmed, hours=rec.hours,
        source_url=rec.source_url, source_date=rec.source_date, assured_date=rec.assured_date,
        score=score, reasons=reasons or [],
    )


def situation(need: str, circumstances: tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    """The person's circumstances, with those their need implies; ValueError for unknown ids."""
    given = tuple(circumstances or ())
    unknown = [c for c in given if c not in CIRCUMSTANCE_IDS]
    if unknown:
        raise ValueError(f"unknown circumstance {unknown[0]!r}; expected one of "
                         f"{', '.join(CIRCUMSTANCE_IDS)}")
    return tuple(dict.fromkeys(given + implied_by(need)))


def _check(need: str, district: str | None, age: int | None, audience: str | None
           ) -> str | None:
    """Raise ValueError with a clear message for bad filters; return the district."""
    get_need(need)
    if age is not None and (isinstance(age, bool) or not isinstance(age, int)
                            or not 0 <= age <= MAX_AGE):
        raise ValueError(f"age must be a whole number from 0 to {MAX_AGE}, not {age!r}")
    if audience is not None and audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}; expected one of {', '.join(AUDIENCES)}")
    if not district:
        return None
    return districts_module.canonical_place(district)


def _bytewise(expr: ColumnElement, dialect: str) -> ColumnElement:
    """Compare like Python's str: by code point, i.e. by UTF-8 byte. PostgreSQL's default
    collation (e.g. en_US.UTF-8) would skip spaces and punctuation at first."""
    return expr.collate("C" if dialect == "postgresql" else "BINARY")


# Parts that do not depend on the request are built once: on the seed directory, building
# SQLAlchemy expressions (aliased() above all) costs more than running them.
_AUDIENCE_TAG = aliased(Attribute, name="audience_tag")
_NEED_TAG = aliased(Attribute, name="need_tag")  # not the outer query's attribute


@lru_cache(maxsize=2)
def _for_audience(audience: str) -> ColumnElement:
    """A service tagged for one of the audiences this searcher may be offered."""
    seen = ("resident",) if audience == "resident" else ("resident", "practitioner")
    return exists().where(
        _AUDIENCE_TAG.link_id == Service.id,
        _AUDIENCE_TAG.taxonomy_term_id.in_([tx.term_id(tx.AUDIENCE, a) for a in seen])
    ).correlate(Service)


_CIRCUMSTANCE_TAG = aliased(Attribute, name="circumstance_tag")


def _circumstance_terms(ids) -> list[str]:
    return [tx.term_id(tx.CIRCUMSTANCES, c) for c in ids]


def _for_situation(situation: tuple[str, ...]) -> ColumnElement:
    """Not only for particular circumstances, or for one of the person's (correlated EXISTS:
    one probe of attribute's unique index per candidate and circumstance)."""
    tagged = exists().where(_CIRCUMSTANCE_TAG.link_id == Service.id,
                            _CIRCUMSTANCE_TAG.taxonomy_term_id.in_(
                                _circumstance_terms(CIRCUMSTANCE_IDS))).correlate(Service)
    if not situation:
        return ~tagged
    fits = exists().where(_CIRCUMSTANCE_TAG.link_id == Service.id,
                          _CIRCUMSTANCE_TAG.taxonomy_term_id.in_(
                              _circumstance_terms(situation))).correlate(Service)
    return or_(~tagged, fits)


def _age_group(minimum: int | None, maximum: int | None) -> bool:
    return (maximum is not None and maximum <= YOUNG_MAX) or (
        minimum is not None and minimum >= OLDER_MIN)


def _made_for_age(minimum: int | None, maximum: int | None, age: int) -> bool:
    """For the person's age group, and not a young people's service in its last year."""
    return (maximum is not None and maximum <= YOUNG_MAX and age < maximum) or (
        minimum is not None and minimum >= OLDER_MIN)


@lru_cache(maxsize=4)
def _first_need(dialect: str) -> ColumnElement:
    """The term id of a service's primary need: first by position, as service_record
    orders a service's needs."""
    return (select(_NEED_TAG.taxonomy_term_id)
            .join(TaxonomyTerm, TaxonomyTerm.id == _NEED_TAG.taxonomy_term_id)
            .where(_NEED_TAG.link_id == Service.id,
                   TaxonomyTerm.taxonomy_id == tx.taxonomy_id(tx.NEEDS))
            .order_by(_NEED_TAG.position, _bytewise(TaxonomyTerm.term, dialect))
            .limit(1).correlate(Service).scalar_subquery())


def _matching(query: Select, need: str, district: str | None, age: int | None,
              audience: str | None, situation: tuple[str, ...] = ()) -> Select:
    """`query` (a SELECT from service) narrowed to the active services that pass every
    filter. Area and audience are correlated EXISTS: one probe of a unique index per
    candidate, where IN (...) listed every service in the area, or every resident service."""
    query = (query.join(Attribute, Attribute.link_id == Service.id)
             .where(Attribute.taxonomy_term_id == tx.term_id(tx.NEEDS, need),
                    Service.status == "active"))
    if district:
        query = query.where(exists().where(
            ServiceArea.service_id == Service.id,
            ServiceArea.district.in_(districts_module.areas_serving(district))
        ).correlate(Service))
    else:  # somewhere in Essex: not a service only for Southend-on-Sea or Thurrock
        query = query.where(Service.serves_essex)
    if age is not None:
        query = query.where(or_(Service.minimum_age.is_(None), Service.minimum_age <= age),
                            or_(Service.maximum_age.is_(None), Service.maximum_age >= age))
    if audience is not None:
        query = query.where(_for_audience(audience))
    if audience is not None:  # whoever searches; the bare API lists everything
        query = query.where(_for_situation(situation))
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
          audience: str | None, age: int | None = None, stated: tuple[str, ...] = ()
          ) -> tuple[int, list[str]]:
    """The reference ranking of one service: (score, reasons). _score_sql must agree."""
    score, reasons = 0, []
    if district and district in rec.districts:
        score += LOCAL
        reasons.append(f"local to {district}")
    elif districts_module.ALL in rec.districts and (
            district is None or district in districts_module.DISTRICTS):
        score += COUNTY
        reasons.append("covers all of Essex")
    if rec.needs and (rec.needs[0] == need or need == CRISIS):  # every crisis line fits
        score += PRIMARY
        reasons.append("main focus is this need")
    if rec.contact_confirmed:
        score += DIRECT
        reasons.append("has a direct contact")
    if set(rec.for_circumstances) & set(stated):
        score += SITUATION
        reasons.append("made for your situation")
    if age is None and _age_group(rec.minimum_age, rec.maximum_age):
        score += AGE_UNKNOWN
        reasons.append("for an age group: age not known")
    elif age is not None and _made_for_age(rec.minimum_age, rec.maximum_age, age):
        score += AGE_GROUP
        reasons.append("made for this age group")
    name = rec.name.casefold()
    body = f"{rec.description} {rec.eligibility or ''}".casefold()
    for word in words:
        if _contains(name, word):
            score += NAME_WORD
            reasons.append(f"name matches {word!r}")
        elif _contains(body, word):
            score += TEXT_WORD
            reasons.append(f"description matches {word!r}")
    kinds = {r.kind for r in rec.referral_routes}
    if audience == "practitioner" and "professional_referral" in kinds:
        score += ROUTE
        reasons.append("takes professional referrals")
    elif audience != "practitioner" and kinds & SELF_ROUTES and rec.contact_confirmed:
        score += ROUTE
        reasons.append("you can refer yourself")
    if need != CRISIS and rec.needs and rec.needs[0] == CRISIS:
        score += CRISIS_LINE
        reasons.append("crisis line: listed last for non-urgent needs")
    return score, reasons


def sort_key(rec: ServiceRecord, score: int) -> tuple:
    """The reference order: score, then sourced, most recently checked, name and id."""
    checked = rec.assured_date.toordinal() if rec.assured_date else 0
    return (-score, rec.source_url is None, -checked, rec.name.casefold(), rec.id)


def _contains_sql(column: ColumnElement, stem: str, dialect: str) -> ColumnElement:
    """Python's `stem in column` as a plain substring search, not LIKE: nothing in the word
    is a wildcard, and SQLite refuses LIKE patterns over 50,000 bytes."""
    return (func.strpos if dialect == "postgresql" else func.instr)(column, stem) > 0


def _score_sql(need: str, district: str | None, words: list[str], audience: str | None,
               age: int | None, dialect: str, stated: tuple[str, ...] = ()
               ) -> ColumnElement:
    """_rank's score as one SQL expression over a service row (keep the two in step)."""
    parts: list[ColumnElement] = []
    in_essex = district is None or district in districts_module.DISTRICTS
    local = (exists().where(ServiceArea.service_id == Service.id,
                            ServiceArea.district == district).correlate(Service)
             if district else None)
    county = Service.county_wide if in_essex else None  # stored flag (models.reach)
    whens = [(cond, points) for cond, points in ((local, LOCAL), (county, COUNTY))
             if cond is not None]
    if whens:
        parts.append(case(*whens, else_=0))
    if need == CRISIS:  # every match is a crisis line (the need filter), and each fits
        parts.append(literal(PRIMARY))
    else:
        parts.append(case({tx.term_id(tx.NEEDS, need): PRIMARY,
                           tx.term_id(tx.NEEDS, CRISIS): CRISIS_LINE},
                          value=_first_need(dialect), else_=0))
    # Direct contact and routes: flags stored on the row (models.reach), not probes.
    if audience == "practitioner":
        parts.append(case((Service.has_contact, DIRECT), else_=0))
        parts.append(case((Service.professional_route, ROUTE), else_=0))
    else:  # referring yourself needs something to ring, write to or visit
        parts.append(case((and_(Service.has_contact, Service.self_route), DIRECT + ROUTE),
                          (Service.has_contact, DIRECT), else_=0))
    if stated:
        fits = exists().where(_CIRCUMSTANCE_TAG.link_id == Service.id,
                              _CIRCUMSTANCE_TAG.taxonomy_term_id.in_(
                                  _circumstance_terms(stated))).correlate(Service)
        parts.append(case((fits, SITUATION), else_=0))
    young, older = Service.maximum_age <= YOUNG_MAX, Service.minimum_age >= OLDER_MIN
    if age is None:
        parts.append(case((or_(young, older), AGE_UNKNOWN), else_=0))
    else:
        parts.append(case((or_(and_(young, Service.maximum_age > age), older), AGE_GROUP),
                          else_=0))
    for word in words:
        stem = _stem(word)
        parts.append(case((_contains_sql(Service.sort_name, stem, dialect), NAME_WORD),
                          (_contains_sql(Service.search_text, stem, dialect), TEXT_WORD),
                          else_=0))
    return sum(parts[1:], parts[0])


def search_services(
    session: Session,
    need: str,
    district: str | None = None,
    age: int | None = None,
    text: str | None = None,
    audience: str | None = None,
    limit: int = 3,
    offset: int = 0,
    circumstances: tuple[str, ...] | list[str] | None = None,
) -> list[ServiceResult]:
    """Active services for `need`, best first. Raises ValueError for an unknown
    need, district, audience or circumstance, or a bad age/limit/offset."""
    district = _check(need, district, age, audience)
    situation_ = situation(need, circumstances)
    stated = tuple(circumstances or ())
    if limit < 0 or offset < 0:
        raise ValueError("limit and offset must not be negative")
    if limit == 0 or offset >= MAX_ROWS:
        return []
    limit = min(limit, MAX_ROWS)  # LIMIT/OFFSET take 64-bit integers; Python's do not end
    words = query_words(text)
    if len(words) > MAX_SQL_WORDS:
        return _search_in_python(session, need, district, age, audience, words, limit, offset,
                                 situation_, stated)
    dialect = session.get_bind().dialect.name
    score = _score_sql(need, district, words, audience, age, dialect, stated).label("score")
    # One statement ranks and pages; the eager loads then fetch only this page's relations.
    page = session.execute(
        _matching(select(Service, score), need, district, age, audience, situation_)
        .order_by(score.desc(), Service.source_url.is_(None),
                  Service.assured_date.is_(None), Service.assured_date.desc(),
                  _bytewise(Service.sort_name, dialect), _bytewise(Service.id, dialect))
        .limit(limit).offset(offset).options(*LOAD_OPTIONS)).all()
    results = []
    for svc, sql_score in page:
        rec = service_record(svc)
        points, reasons = _rank(rec, need, district, words, audience, age, stated)
        if points != sql_score:  # e.g. a row written around the ORM, with stale search keys
            log.warning("service %s: SQL score %s, reference score %s", rec.id, sql_score,
                        points)
        results.append(_result(rec, svc.organization.name, points, reasons))
    return results


def _search_in_python(session: Session, need: str, district: str | None, age: int | None,
                      audience: str | None, words: list[str], limit: int, offset: int,
                      situation_: tuple[str, ...] = (), stated: tuple[str, ...] = ()
                      ) -> list[ServiceResult]:
    """Every match loaded and ranked by _rank, for text with more words than one SQL
    statement should carry (each is two bound parameters; SQLite allows 32,766)."""
    ranked = []
    for svc in session.scalars(_matching(select(Service), need, district, age, audience,
                                         situation_).options(*LOAD_OPTIONS)):
        rec = service_record(svc)
        score, reasons = _rank(rec, need, district, words, audience, age, stated)
        ranked.append((sort_key(rec, score), rec, svc.organization.name, score, reasons))
    ranked.sort(key=lambda item: item[0])
    return [_result(rec, org, score, reasons)
            for _, rec, org, score, reasons in ranked[offset:offset + limit]]


def count_services(
    session: Session,
    need: str,
    district: str | None = None,
    age: int | None = None,
    text: str | None = None,
    audience: str | None = None,
    circumstances: tuple[str, ...] | list[str] | None = None,
) -> int:
    """How many services search_services can return for these filters (for
    "more options" paging). `text` only ranks, so it does not change the count."""
    del text  # accepted so that callers can pass the same filters to both functions
    district = _check(need, district, age, audience)
    ids = _matching(select(Service.id), need, district, age, audience,
                    situation(need, circumstances)).subquery()
    return session.scalar(select(func.count()).select_from(ids)) or 0


def get_service(session: Session, service_id: str) -> ServiceResult | None:
    """One service by id, whatever its status; None if there is no such service."""
    if not is_uuid(service_id):
        return None
    query = select(Service).where(Service.id == service_id).options(*LOAD_OPTIONS)
    svc = session.scalars(query).first()
    return _result(service_record(svc), svc.organization.name) if svc else None


def name_index(session: Session) -> list[tuple[str, str, str]]:
    """(id, name, organisation name) of every active service: for finding one by name."""
    rows = session.execute(select(Service.id, Service.name, Organization.name)
                           .join(Service.organization).where(Service.status == "active")
                           .order_by(Service.sort_name, Service.id))
    return [tuple(r) for r in rows]
