"""Validate records, then upsert them by id in one transaction (or write nothing).

Used by `signpost directory seed` and `signpost directory import`. A record
that equals what the database already holds is left alone, so running the
same seed or import twice changes nothing (not even last_modified).
"""
from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from services_directory import csv_io, feed, oruk
from services_directory import districts as districts_module
from services_directory import taxonomy as tx
from services_directory.ids import is_uuid, stable_id
from services_directory.models import (
    LOCATION_TYPES,
    MAX_AGE,
    ROUTE_KINDS,
    STATUSES,
    Attribute,
    Location,
    Organization,
    Phone,
    ReferralRoute,
    Service,
    ServiceArea,
    ServiceAtLocation,
    reach,
    set_reach,
)
from services_directory.records import (
    LocationRecord,
    OrganizationRecord,
    PhoneRecord,
    Problem,
    RouteRecord,
    ServiceRecord,
    utc_now,
)
from signpost.circumstances import CIRCUMSTANCE_IDS
from signpost.db import session_scope
from signpost.needs import NEED_IDS

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9][0-9 ()-]*$")
Add = Callable[[str, str, str], None]  # add(record label, field, reason)
DEFAULT_LOCATION_DESCRIPTION = (
    "No venue is listed for this service: see its contact and referral details."
)
# Everything service_record reads; the many-to-one organisation and venue are joined in,
# so a batch of services loads in 5 queries.
LOAD_OPTIONS = (
    selectinload(Service.service_areas),
    selectinload(Service.attributes),
    selectinload(Service.phones),
    selectinload(Service.referral_routes),
    selectinload(Service.service_at_locations).joinedload(ServiceAtLocation.location),
    joinedload(Service.organization),
)


class ImportFailed(Exception):
    """Validation found problems; nothing was written."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        records = len({p.record for p in self.problems})
        super().__init__(
            f"{len(self.problems)} problem{'s' if len(self.problems) != 1 else ''} in "
            f"{records} record{'s' if records != 1 else ''}; nothing was written"
        )


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    organizations_created: int = 0
    organizations_updated: int = 0
    taxonomy_changes: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.organizations_created
                    or self.organizations_updated or self.taxonomy_changes)

    def summary(self) -> str:
        return (f"services: {self.created} created, {self.updated} updated, "
                f"{self.unchanged} unchanged; organizations: {self.organizations_created} "
                f"created, {self.organizations_updated} updated")


# --- validation -----------------------------------------------------------------
def validate(
    organizations: Sequence[OrganizationRecord],
    services: Sequence[ServiceRecord],
    session: Session | None = None,
    field_names: Mapping[str, str] | None = None,
) -> list[Problem]:
    """Every problem with every record. `field_names` renames record fields to
    the source's own names (e.g. districts -> service_areas) in messages."""
    names = dict(field_names or {})
    problems: list[Problem] = []

    def add(record: str, field: str, reason: str) -> None:
        problems.append(Problem(record, names.get(field, field), reason))

    for org in organizations:
        _check_organization(org, add)
    for svc in services:
        _check_service(svc, add)
    _check_batch(organizations, services, session, add)
    return problems


def _check_text(label: str, field: str, value: str | None, add: Add,
                max_len: int | None = None) -> None:
    if value is None or not str(value).strip():
        add(label, field, "required")
    elif max_len and len(value) > max_len:
        add(label, field, f"longer than {max_len} characters")


def _check_url(label: str, field: str, value: str | None, add: Add) -> None:
    if value is None:
        return
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
        add(label, field, f"{value!r} is not an http(s) web address")
    elif len(value) > 2048:
        add(label, field, "longer than 2048 characters")


def _check_email(label: str, field: str, value: str | None, add: Add) -> None:
    if value is not None and (not EMAIL.match(value) or len(value) > 255):
        add(label, field, f"{value!r} is not an email address")


def _check_organization(org: OrganizationRecord, add: Add) -> None:
    label = org.label or f"organization {org.slug or org.id}"
    if not is_uuid(org.id):
        add(label, "id", f"{org.id!r} is not a UUID")
    if not org.slug or not SLUG.match(org.slug) or len(org.slug) > 100:
        add(label, "slug", f"{org.slug!r} is not a slug (lower-case letters, digits, hyphens)")
    _check_text(label, "name", org.name, add, max_len=255)
    _check_text(label, "description", org.description, add)
    _check_email(label, "email", org.email, add)
    _check_url(label, "website", org.website, add)


def _check_list(label: str, field: str, values: Sequence[str], known: Iterable[str], what: str,
                add: Add, *, required: bool) -> None:
    if required and not values:
        add(label, field, f"at least one {what} is required")
    known = set(known)
    for value in values:
        if value not in known:
            add(label, field, f"unknown {what} {value!r}")
    for value, count in Counter(values).items():
        if count > 1:
            add(label, field, f"{value!r} is listed {count} times")


def _check_age(label: str, field: str, value: object, add: Add) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_AGE:
        add(label, field, f"{value!r} is not a whole number of years from 0 to {MAX_AGE}")


def _check_service(svc: ServiceRecord, add: Add) -> None:
    label = svc.label or f"service {svc.slug or svc.id}"
    if not is_uuid(svc.id):
        add(label, "id", f"{svc.id!r} is not a UUID")
    if not svc.slug or not SLUG.match(svc.slug) or len(svc.slug) > 100:
        add(label, "slug", f"{svc.slug!r} is not a slug (lower-case letters, digits, hyphens)")
    _check_text(label, "name", svc.name, add, max_len=255)
    _check_text(label, "description", svc.description, add)
    if not is_uuid(svc.organization_id):
        add(label, "organization", "missing or not a known organization")
    if svc.status not in STATUSES:
        add(label, "status", f"{svc.status!r} is not one of {', '.join(STATUSES)}")
    _check_list(label, "needs", svc.needs, NEED_IDS, "need id", add, required=True)
    _check_list(label, "jhws_actions", svc.jhws_actions, tx.jhws_action_ids(),
                "JHWS action id", add, required=False)
    _check_list(label, "priority_measures", svc.priority_measures, tx.priority_measure_ids(),
                "JHWS priority measure", add, required=False)
    _check_age(label, "minimum_age", svc.minimum_age, add)
    _check_age(label, "maximum_age", svc.maximum_age, add)
    if (isinstance(svc.minimum_age, int) and isinstance(svc.maximum_age, int)
            and svc.minimum_age > svc.maximum_age):
        add(label, "maximum_age",
            f"maximum age {svc.maximum_age} is below minimum age {svc.minimum_age}")
    _check_list(label, "districts", svc.districts, districts_module.AREAS, "service area",
                add, required=True)
    if districts_module.ALL in svc.districts and set(svc.districts) & set(
            districts_module.DISTRICTS):
        add(label, "districts", "'all' (all of Essex) cannot be combined with district names")
    if districts_module.NATIONAL in svc.districts and len(svc.districts) > 1:
        add(label, "districts", "'national' (all of England) cannot be combined with other "
            "areas")
    _check_url(label, "source_url", svc.source_url, add)
    if svc.source_url is None and svc.source_date:
        add(label, "source_url", "required when source_date is given (the date of which page?)")
    for key, value in (("source_date", svc.source_date), ("assured_date", svc.assured_date)):
        if value is not None and value > date.today():
            add(label, key, f"{value.isoformat()} is in the future")
    _check_list(label, "audience", svc.audience, tx.AUDIENCES, "audience", add, required=True)
    _check_list(label, "for_circumstances", svc.for_circumstances, CIRCUMSTANCE_IDS,
                "circumstance id", add, required=False)
    for phone in svc.phones:
        if not PHONE.match(phone.number) or len(phone.number) > 50:
            add(label, "phones", f"{phone.number!r} is not a phone number")
    _check_email(label, "contact_email", svc.contact_email, add)
    _check_url(label, "contact_url", svc.contact_url, add)
    for i, route in enumerate(svc.referral_routes, start=1):
        if route.kind not in ROUTE_KINDS:
            add(label, "referral_routes",
                f"route {i}: kind {route.kind!r} is not one of {', '.join(ROUTE_KINDS)}")
        if not (route.instructions or "").strip():
            add(label, "referral_routes", f"route {i}: instructions are required")
        _check_url(label, "referral_routes", route.url, add)
    for loc in svc.locations or ():
        if not is_uuid(loc.id) or not is_uuid(loc.location_id):
            add(label, "locations", f"service_at_location {loc.id!r}: ids must be UUIDs")
        if loc.location_type not in LOCATION_TYPES:
            add(label, "locations", f"location {loc.location_id}: location_type "
                f"{loc.location_type!r} is not one of {', '.join(LOCATION_TYPES)}")
        if loc.latitude is not None and not -90 <= loc.latitude <= 90:
            add(label, "locations", f"location {loc.location_id}: latitude out of range")
        if loc.longitude is not None and not -180 <= loc.longitude <= 180:
            add(label, "locations", f"location {loc.location_id}: longitude out of range")
        if loc.country is not None and len(loc.country) != 2:
            add(label, "locations", f"location {loc.location_id}: country must be a "
                "2-letter ISO code")


def _check_batch(orgs: Sequence[OrganizationRecord], services: Sequence[ServiceRecord],
                 session: Session | None, add: Add) -> None:
    """Duplicates in the batch, and clashes with what the database holds."""
    for attr, items, kind in (("id", orgs, "organization"), ("slug", orgs, "organization"),
                              ("id", services, "service"), ("slug", services, "service")):
        seen: dict[str, str] = {}
        for item in items:
            value = getattr(item, attr)
            label = item.label or f"{kind} {item.slug}"
            if value in seen:
                add(label, attr, f"{kind} {attr} {value!r} also used by {seen[value]}")
            else:
                seen[value] = label
    known_orgs = {o.id for o in orgs}
    missing = {s.organization_id for s in services} - known_orgs
    if session is not None and missing:
        known_orgs |= set(session.scalars(select(Organization.id).where(
            Organization.id.in_(list(missing)))))
    for svc in services:
        if is_uuid(svc.organization_id) and svc.organization_id not in known_orgs:
            add(svc.label or f"service {svc.slug}", "organization",
                f"organization {svc.organization_id} is neither in this import nor in the "
                "directory")
    if session is None:
        return
    for model, items, kind in ((Organization, orgs, "organization"),
                               (Service, services, "service")):
        by_slug = {i.slug: i for i in items}
        for row_id, slug in session.execute(
                select(model.id, model.slug).where(model.slug.in_(list(by_slug)))):
            item = by_slug[slug]
            if row_id != item.id:
                add(item.label or f"{kind} {slug}", "slug",
                    f"{slug!r} already belongs to another {kind} in the directory ({row_id})")


# --- models -> records ------------------------------------------------------------
def organization_record(org: Organization) -> OrganizationRecord:
    return OrganizationRecord(id=org.id, slug=org.slug, name=org.name,
                              description=org.description, email=org.email,
                              website=org.website)


def service_record(svc: Service) -> ServiceRecord:
    """The record a service row holds (the inverse of _apply)."""
    index = tx.term_index()
    tagged: dict[str, list[tuple[int, str]]] = {tx.NEEDS: [], tx.JHWS: [], tx.AUDIENCE: [],
                                                tx.CIRCUMSTANCES: []}
    for attr in svc.attributes:
        found = index.get(attr.taxonomy_term_id)
        if found is None:  # a term no longer in needs.yml/jhws.yml: read it from the database
            term = attr.taxonomy_term
            found = (term.taxonomy.slug, tx.TermDef(term.term, term.name, term.description))
        tagged.setdefault(found[0], []).append((attr.position, found[1].term))
    jhws = [code for _, code in sorted(tagged[tx.JHWS])]
    measures = tx.priority_measure_ids()
    return ServiceRecord(
        id=svc.id,
        slug=svc.slug,
        name=svc.name,
        organization_id=svc.organization_id,
        description=svc.description,
        status=svc.status,
        needs=tuple(code for _, code in sorted(tagged[tx.NEEDS])),
        jhws_actions=tuple(c for c in jhws if c not in measures),
        priority_measures=tuple(c for c in jhws if c in measures),
        source=svc.source,
        minimum_age=svc.minimum_age,
        maximum_age=svc.maximum_age,
        eligibility=svc.eligibility_description,
        districts=tuple(a.district for a in svc.service_areas),
        audience=tuple(code for _, code in sorted(tagged[tx.AUDIENCE])),
        for_circumstances=tuple(code for _, code in sorted(tagged[tx.CIRCUMSTANCES])),
        phones=tuple(PhoneRecord(p.number, p.description) for p in svc.phones),
        contact_email=svc.email,
        contact_url=svc.url,
        contact_note=svc.contact_note,
        referral_routes=tuple(RouteRecord(r.kind, r.instructions, r.url)
                              for r in svc.referral_routes),
        hours=svc.hours,
        source_url=svc.source_url,
        source_date=svc.source_date,
        assured_date=svc.assured_date,
        locations=tuple(
            LocationRecord(
                id=sal.id, location_id=sal.location_id,
                location_type=sal.location.location_type, name=sal.location.name,
                description=sal.location.description, latitude=sal.location.latitude,
                longitude=sal.location.longitude, address_1=sal.location.address_1,
                city=sal.location.city, state_province=sal.location.state_province,
                postal_code=sal.location.postal_code, country=sal.location.country,
            )
            for sal in svc.service_at_locations
        ),
        last_modified=svc.last_modified,
    )


def load_services(session: Session, ids: Iterable[str] | None = None) -> list[Service]:
    """Services with everything a record needs, in a handful of queries."""
    query = select(Service).options(*LOAD_OPTIONS)
    if ids is not None:
        ids = list(ids)
        found: list[Service] = []
        for start in range(0, len(ids), 500):  # stay well under bind-parameter limits
            found += session.scalars(query.where(Service.id.in_(ids[start:start + 500]))).all()
        return found
    return list(session.scalars(query))


# --- records -> models ------------------------------------------------------------
def default_location(svc: ServiceRecord) -> LocationRecord:
    """Seed and CSV records have no venues; each service still gets one virtual
    service_at_location so that it appears in /api/service_at_locations."""
    return LocationRecord(
        id=stable_id("service_at_location", svc.id, "default"),
        location_id=stable_id("location", svc.id, "default"),
        location_type="virtual",
        name=svc.name,
        description=DEFAULT_LOCATION_DESCRIPTION,
    )


def _sync(session: Session, collection: list, model: type, wanted: list[tuple[str, dict]],
          **fixed: object) -> None:
    """Make a child collection hold exactly `wanted` (id, values), reusing rows by id.

    Stale rows are removed and flushed before new ones are added, so that a new
    row may reuse a unique key (e.g. the same location) that a stale row held.
    """
    existing = {obj.id: obj for obj in collection}
    wanted_ids = {obj_id for obj_id, _ in wanted}
    if set(existing) - wanted_ids:
        collection[:] = [obj for obj in collection if obj.id in wanted_ids]
        session.flush()
    result = []
    for obj_id, values in wanted:
        obj = existing.get(obj_id) or model(id=obj_id, **fixed)
        for key, value in values.items():
            if getattr(obj, key) != value:
                setattr(obj, key, value)
        result.append(obj)
    collection[:] = result


def _apply(session: Session, svc: Service, rec: ServiceRecord) -> None:
    for key, value in (("slug", rec.slug), ("name", rec.name),
                       ("organization_id", rec.organization_id),
                       ("description", rec.description), ("status", rec.status),
                       ("minimum_age", rec.minimum_age), ("maximum_age", rec.maximum_age),
                       ("eligibility_description", rec.eligibility), ("source", rec.source),
                       ("url", rec.contact_url), ("email", rec.contact_email),
                       ("contact_note", rec.contact_note), ("hours", rec.hours),
                       ("source_url", rec.source_url), ("source_date", rec.source_date),
                       ("assured_date", rec.assured_date)):
        if getattr(svc, key) != value:
            setattr(svc, key, value)
    _sync(session, svc.service_areas, ServiceArea, [
        (stable_id("service_area", rec.id, d), {"district": d, "position": i})
        for i, d in enumerate(rec.districts)
    ])
    tagged = ([(tx.NEEDS, "need", code) for code in rec.needs]
              + [(tx.JHWS, "jhws", code) for code in rec.jhws_actions + rec.priority_measures]
              + [(tx.AUDIENCE, "audience", code) for code in rec.audience]
              + [(tx.CIRCUMSTANCES, "circumstance", code) for code in rec.for_circumstances])
    _sync(session, svc.attributes, Attribute, [
        (stable_id("attribute", rec.id, tx.term_id(tax, code)),
         {"taxonomy_term_id": tx.term_id(tax, code), "link_type": link_type, "position": i})
        for i, (tax, link_type, code) in enumerate(tagged)
    ])
    set_reach(svc, reach(rec.contact_email, rec.contact_url, len(rec.phones),
                         {r.kind for r in rec.referral_routes}, set(rec.districts)))
    _sync(session, svc.phones, Phone, [
        (stable_id("phone", rec.id, str(i)),
         {"number": p.number, "description": p.description, "position": i})
        for i, p in enumerate(rec.phones)
    ])
    _sync(session, svc.referral_routes, ReferralRoute, [
        (stable_id("referral_route", rec.id, str(i)),
         {"kind": r.kind, "instructions": r.instructions, "url": r.url, "position": i})
        for i, r in enumerate(rec.referral_routes)
    ])
    locations = rec.locations
    if locations is None:
        # Keep real venues from an earlier ORUK import; refresh the default one.
        current = [sal.id for sal in svc.service_at_locations]
        default = default_location(rec)
        locations = (default,) if current in ([], [default.id]) else None
    if locations is not None:
        for loc in locations:
            _upsert_location(session, loc)
        _sync(session, svc.service_at_locations, ServiceAtLocation, [
            (loc.id, {"location_id": loc.location_id, "position": i})
            for i, loc in enumerate(locations)
        ])


def _preload_locations(session: Session, services: Sequence[ServiceRecord]) -> list[Location]:
    """Load every location the records name in one query, so that
    _upsert_location's session.get() finds them in the identity map."""
    ids = [loc.location_id for rec in services
           for loc in (rec.locations or (default_location(rec),))]
    found: list[Location] = []
    for start in range(0, len(ids), 500):
        found += session.scalars(select(Location).where(Location.id.in_(ids[start:start + 500])))
    return found


def _upsert_location(session: Session, loc: LocationRecord) -> None:
    row = session.get(Location, loc.location_id)
    if row is None:
        row = Location(id=loc.location_id)
        session.add(row)
    for key in ("location_type", "name", "description", "latitude", "longitude", "address_1",
                "city", "state_province", "postal_code", "country"):
        value = getattr(loc, key)
        if getattr(row, key) != value:
            setattr(row, key, value)


def _same(existing: ServiceRecord, incoming: ServiceRecord) -> bool:
    if incoming.locations is None:
        existing = replace(existing, locations=None)
    return existing == incoming


def write(session: Session, organizations: Sequence[OrganizationRecord],
          services: Sequence[ServiceRecord], now: datetime | None = None) -> ImportReport:
    """Upsert by id inside the caller's transaction. Records must be valid."""
    now = now or utc_now()
    report = ImportReport(taxonomy_changes=tx.sync_taxonomies(session))
    for org in organizations:
        row = session.get(Organization, org.id)
        if row is None:
            session.add(Organization(id=org.id, slug=org.slug, name=org.name,
                                     description=org.description, email=org.email,
                                     website=org.website))
            report.organizations_created += 1
        elif organization_record(row) != org:
            for key in ("slug", "name", "description", "email", "website"):
                setattr(row, key, getattr(org, key))
            report.organizations_updated += 1
    session.flush()

    existing = {svc.id: svc for svc in load_services(session, [s.id for s in services])}
    # Held until the end: the identity map only keeps weak references.
    preloaded = _preload_locations(session, services)
    for rec in services:
        row = existing.get(rec.id)
        if row is None:
            row = Service(id=rec.id, last_modified=rec.last_modified or now)
            with session.no_autoflush:  # never flush a half-built row
                _apply(session, row, rec)
            session.add(row)
            report.created += 1
        elif _same(service_record(row), rec):
            report.unchanged += 1
            continue
        else:
            with session.no_autoflush:
                _apply(session, row, rec)
            row.last_modified = rec.last_modified or now
            report.updated += 1
    session.flush()  # one flush: inserts go out as executemany batches
    del preloaded
    return report


def import_records(
    organizations: Sequence[OrganizationRecord],
    services: Sequence[ServiceRecord],
    url: str | None = None,
    *,
    problems: Sequence[Problem] = (),
    field_names: Mapping[str, str] | None = None,
) -> ImportReport:
    """Validate and write in one transaction. Raises ImportFailed (nothing written).

    `problems` are those the parser already found (bad JSON types, schema
    errors); own-rule problems on a field already reported are not repeated.
    """
    with session_scope(url) as session:
        found = list(problems)
        reported = {(p.record, p.field.split(".")[0].split("[")[0]) for p in found}
        for problem in validate(organizations, services, session, field_names):
            if (problem.record, problem.field.split(".")[0].split("[")[0]) not in reported:
                found.append(problem)
        if found:
            raise ImportFailed(found)
        return write(session, organizations, services)


# --- sources ------------------------------------------------------------------------
SOURCE_FORMATS = ("auto", "oruk-json", "csv", "feed")


class SourceError(Exception):
    """The source cannot be read at all (missing file, unknown format)."""


def detect_format(source: str) -> str:
    if source.startswith(("http://", "https://")):
        return "feed"
    suffix = Path(source).suffix.casefold()
    if suffix == ".csv":
        return "csv"
    if suffix == ".json":
        return "oruk-json"
    try:
        with open(source, encoding="utf-8-sig") as handle:
            head = handle.read(1024).lstrip()
    except OSError as exc:
        raise SourceError(f"cannot read {source}: {exc.strerror}") from exc
    return "oruk-json" if head[:1] in ("[", "{") else "csv"


def read_source(source: str, fmt: str = "auto", **feed_options: object
                ) -> tuple[list[OrganizationRecord], list[ServiceRecord], list[Problem],
                           dict[str, str]]:
    """Parse a file or feed: (organizations, services, problems, field names)."""
    if fmt not in SOURCE_FORMATS:
        raise SourceError(f"unknown format {fmt!r}; expected one of {', '.join(SOURCE_FORMATS)}")
    fmt = detect_format(source) if fmt == "auto" else fmt
    if fmt == "feed":
        bodies = feed.fetch_services(source, **feed_options)  # raises feed.FeedError
        orgs, services, problems = oruk.parse_services(
            bodies, feed.base_url(source), default_source=f"Open Referral UK feed "
                                                          f"{feed.base_url(source)}")
        return orgs, services, problems, oruk.FIELD_NAMES
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SourceError(f"cannot read {source}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise SourceError(f"{source} is not UTF-8 text") from exc
    if fmt == "csv":
        orgs, services, problems = csv_io.read_csv(text, path.name)
        return orgs, services, problems, csv_io.FIELD_NAMES
    try:
        bodies = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [], [Problem(path.name, "(file)", f"not valid JSON: {exc}")], {}
    except RecursionError:  # e.g. [[[[...]]]] nested deeper than Python's recursion limit
        return [], [], [Problem(path.name, "(file)", "not valid JSON: nested too deeply")], {}
    orgs, services, problems = oruk.parse_services(bodies, path.name)
    return orgs, services, problems, oruk.FIELD_NAMES


def import_source(source: str, url: str | None = None, fmt: str = "auto",
                  **feed_options: object) -> ImportReport:
    """Read, validate and write a source in one transaction (or nothing).

    Raises SourceError, feed.FeedError or ImportFailed."""
    orgs, services, problems, names = read_source(source, fmt, **feed_options)
    return import_records(orgs, services, url, problems=problems, field_names=names)
