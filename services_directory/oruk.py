"""Open Referral UK 3.0 JSON, both ways: record -> service body, body -> record.

Where our data goes in a service body:
- needs, JHWS action ids / priority measures and audience: `attributes`, each
  linking a term of one of our taxonomies (taxonomy.py); the term's `term`
  is the code ("loneliness", "1.6", "P1.suicide", "resident");
- districts: `service_areas` (name, and the ONS GSS code as `uri`);
- contact web address and email: the service's `url` and `email`;
- eligibility and phones: `eligibility_description` and `phones`, the HSDS
  3.0 fields that the UK profile leaves out (its schema allows extra fields);
  `application_process` is a plain-text rendering of the referral routes;
- what ORUK has no place for (slug, source, contact note, structured referral
  routes): the `essex_signpost` extension object. On import it is optional.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker

from services_directory import districts
from services_directory import taxonomy as tx
from services_directory.ids import is_uuid, stable_id
from services_directory.records import (
    LocationRecord,
    OrganizationRecord,
    PhoneRecord,
    Problem,
    RouteRecord,
    ServiceRecord,
    canonical_areas,
    clean,
    format_timestamp,
    parse_date,
    parse_timestamp,
    slugify,
    whole_number,
)

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
EXTENSION = "essex_signpost"
ROUTE_LABELS = {
    "self_referral": "Self-referral",
    "professional_referral": "Professional referral",
    "online_form": "Online form",
}
# Record field -> where it lives in an ORUK body, for validation messages.
FIELD_NAMES = {
    "needs": "attributes (needs)", "jhws_actions": "attributes (jhws)",
    "priority_measures": "attributes (jhws)", "audience": "attributes (audience)",
    "for_circumstances": "attributes (circumstances)",
    "districts": "service_areas", "eligibility": "eligibility_description",
    "contact_url": "url", "contact_email": "email", "organization": "organization",
    "slug": f"{EXTENSION}.slug", "referral_routes": f"{EXTENSION}.referral_routes",
    "locations": "service_at_locations",
}
_RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$")


# --- schema -----------------------------------------------------------------------
def format_checker() -> FormatChecker:
    """jsonschema's checker, plus `uri` and `date-time`, which it only checks when
    optional packages are installed."""
    checker = FormatChecker()

    @checker.checks("uri")
    def _uri(value: object) -> bool:
        if not isinstance(value, str):
            return True
        return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", value))

    @checker.checks("date-time", raises=ValueError)
    def _date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if not _RFC3339.match(value):
            return False
        parse_timestamp(value)
        return True

    return checker


@lru_cache(maxsize=2)
def validator(schema_path: Path = SCHEMA_DIR / "compiled_service.json") -> Draft202012Validator:
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=format_checker())


def schema_problems(body: object, label: str) -> list[Problem]:
    """jsonschema errors against compiled_service.json, one Problem each."""
    problems = []
    for error in sorted(validator().iter_errors(body), key=lambda e: list(e.absolute_path)):
        parts = list(error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, dict):
            # Name the missing field itself, not the object that lacks it.
            parts += [next(k for k in error.validator_value if k not in error.instance)]
        path = ""
        for part in parts:
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
        problems.append(Problem(label, path or "(service)", error.message))
    return problems


# --- record -> ORUK -------------------------------------------------------------------
def _drop_none(data: dict) -> dict:
    # ORUK fields are typed string/number without null: leave absent ones out.
    return {k: v for k, v in data.items() if v is not None}


def organization_body(org: OrganizationRecord) -> dict:
    return _drop_none({
        "id": org.id, "name": org.name, "description": org.description,
        "email": org.email, "website": org.website, EXTENSION: {"slug": org.slug},
    })


def term_body(taxonomy_slug: str, term: tx.TermDef) -> dict:
    tax = tx.taxonomies()[taxonomy_slug]
    return _drop_none({
        "id": term.id(taxonomy_slug), "name": term.name, "description": term.description,
        "parent_id": tx.term_id(taxonomy_slug, term.parent_term) if term.parent_term else None,
        "taxonomy": tax.name, "taxonomy_id": tax.id, "term": term.term,
    })


def _attributes(rec: ServiceRecord) -> list[dict]:
    defs = {slug: {t.term: t for t in tax.terms} for slug, tax in tx.taxonomies().items()}
    out = []
    for slug, link_type, codes in ((tx.NEEDS, "need", rec.needs),
                                   (tx.JHWS, "jhws", rec.jhws_actions + rec.priority_measures),
                                   (tx.AUDIENCE, "audience", rec.audience),
                                   (tx.CIRCUMSTANCES, "circumstance", rec.for_circumstances)):
        for code in codes:
            term = defs[slug].get(code) or tx.TermDef(code, code, code)
            term_id = tx.term_id(slug, code)
            out.append({"id": stable_id("attribute", rec.id, term_id), "link_id": rec.id,
                        "link_type": link_type, "taxonomy_term_id": term_id,
                        "taxonomy_term": term_body(slug, term)})
    return out


def _location_body(loc: LocationRecord) -> dict:
    body = _drop_none({
        "id": loc.location_id, "location_type": loc.location_type, "name": loc.name,
        "description": loc.description, "latitude": loc.latitude, "longitude": loc.longitude,
    })
    parts = (loc.address_1, loc.city, loc.state_province, loc.postal_code, loc.country)
    if any(parts):
        body["addresses"] = [{
            "id": stable_id("address", loc.location_id), "location_id": loc.location_id,
            "address_1": loc.address_1 or "", "city": loc.city or "",
            "state_province": loc.state_province or "", "postal_code": loc.postal_code or "",
            "country": loc.country or "", "address_type": "physical",
        }]
    return body


def service_at_location_body(rec: ServiceRecord, loc: LocationRecord) -> dict:
    return {"id": loc.id, "service_id": rec.id, "location_id": loc.location_id,
            "location": _location_body(loc)}


def application_process(routes: tuple[RouteRecord, ...]) -> str | None:
    lines = [f"{ROUTE_LABELS.get(r.kind, r.kind)}: {r.instructions}"
             + (f" ({r.url})" if r.url else "") for r in routes]
    return "\n".join(lines) or None


def service_list_item(rec: ServiceRecord) -> dict:
    """The one-to-one fields (what /services lists)."""
    return _drop_none({
        "id": rec.id, "organization_id": rec.organization_id, "name": rec.name,
        "description": rec.description, "url": rec.contact_url, "email": rec.contact_email,
        "status": rec.status, "minimum_age": rec.minimum_age, "maximum_age": rec.maximum_age,
        "last_modified": format_timestamp(rec.last_modified) if rec.last_modified else None,
        "eligibility_description": rec.eligibility,
        "assured_date": rec.assured_date.isoformat() if rec.assured_date else None,
    })


def service_body(rec: ServiceRecord, org: OrganizationRecord) -> dict:
    """A fully nested service, as /services/{id} returns it."""
    body = service_list_item(rec)
    body["organization"] = organization_body(org)
    body["service_areas"] = [
        {"id": stable_id("service_area", rec.id, d), "service_id": rec.id,
         "name": districts.area_name(d), "uri": districts.area_uri(d)}
        for d in rec.districts
    ]
    body["service_at_locations"] = [service_at_location_body(rec, loc)
                                    for loc in rec.locations or ()]
    body["attributes"] = _attributes(rec)
    body["phones"] = [_drop_none({"id": stable_id("phone", rec.id, str(i)), "service_id": rec.id,
                                  "number": p.number, "description": p.description})
                      for i, p in enumerate(rec.phones)]
    process = application_process(rec.referral_routes)
    if process:
        body["application_process"] = process
    if rec.hours:
        body["schedules"] = [{"id": stable_id("schedule", rec.id, "hours"), "service_id": rec.id,
                              "description": rec.hours}]
    body[EXTENSION] = _drop_none({
        "slug": rec.slug,
        "source": rec.source,
        "source_url": rec.source_url,
        "source_date": rec.source_date.isoformat() if rec.source_date else None,
        "contact_note": rec.contact_note,
        "contact_confirmed": rec.contact_confirmed,
        "referral_routes": [_drop_none({"kind": r.kind, "instructions": r.instructions,
                                        "url": r.url}) for r in rec.referral_routes],
    })
    return body


# --- ORUK -> record ------------------------------------------------------------------
def _str(data: dict, key: str) -> str | None:
    value = data.get(key)
    return clean(value) if isinstance(value, (str, int, float)) else None


def _list(data: dict, key: str) -> list[dict]:
    value = data.get(key)
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _number(data: dict, key: str) -> float | None:
    value = data.get(key)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else None


def parse_service(body: object, label: str, default_source: str | None = None
                  ) -> tuple[ServiceRecord | None, OrganizationRecord | None, list[Problem]]:
    """One ORUK service body -> records, and the problems found on the way."""
    if not isinstance(body, dict):
        return None, None, [Problem(label, "(service)", "expected a JSON object")]
    problems = schema_problems(body, label)
    ext = body.get(EXTENSION) if isinstance(body.get(EXTENSION), dict) else {}
    service_id = _str(body, "id") or ""
    name = _str(body, "name") or ""

    org = None
    org_body = body.get("organization")
    if isinstance(org_body, dict):
        org_ext = org_body.get(EXTENSION) if isinstance(org_body.get(EXTENSION), dict) else {}
        org_id = _str(org_body, "id") or ""
        org_name = _str(org_body, "name") or ""
        org = OrganizationRecord(
            id=org_id,
            slug=_str(org_ext, "slug") or f"{slugify(org_name)}-{org_id[:8]}",
            name=org_name, description=_str(org_body, "description") or "",
            email=_str(org_body, "email"), website=_str(org_body, "website"),
            label=f"{label} organization")
        if _str(body, "organization_id") not in (None, org_id):
            problems.append(Problem(label, "organization_id",
                                    "differs from organization.id"))
    organization_id = org.id if org else (_str(body, "organization_id") or "")

    codes: dict[str, list[str]] = {tx.NEEDS: [], tx.JHWS: [], tx.AUDIENCE: [],
                                   tx.CIRCUMSTANCES: []}
    for i, attr in enumerate(_list(body, "attributes")):
        term = attr.get("taxonomy_term") if isinstance(attr.get("taxonomy_term"), dict) else {}
        known = tx.term_index().get(_str(attr, "taxonomy_term_id") or "")
        slug = tx.find_taxonomy(_str(term, "taxonomy_id")) or tx.find_taxonomy(
            _str(term, "taxonomy")) or (known[0] if known else None)
        if slug is None:
            continue  # another publisher's taxonomy: not ours to interpret
        code = _str(term, "term") or (known[1].term if known else None)
        if code is None:
            problems.append(Problem(label, f"attributes[{i}].taxonomy_term.term", "required "
                                    f"for terms of the {tx.taxonomies()[slug].name} taxonomy"))
            continue
        codes[slug].append(code)
    measures = tx.priority_measure_ids()

    area_names = []
    for i, area in enumerate(_list(body, "service_areas")):
        try:
            area_names.append(districts.district_from_area(_str(area, "name"), _str(area, "uri")))
        except ValueError:
            problems.append(Problem(label, f"service_areas[{i}].name",
                                    f"{_str(area, 'name')!r} is not one of the 12 Essex "
                                    "districts, 'Essex', Southend-on-Sea, Thurrock or "
                                    "'England'"))

    locations = []
    for i, sal in enumerate(_list(body, "service_at_locations")):
        loc = sal.get("location") if isinstance(sal.get("location"), dict) else None
        if loc is None:
            problems.append(Problem(label, f"service_at_locations[{i}].location", "required"))
            continue
        addresses = _list(loc, "addresses")
        address = addresses[0] if addresses else {}
        locations.append(LocationRecord(
            id=_str(sal, "id") or "", location_id=_str(loc, "id") or "",
            location_type=_str(loc, "location_type") or "", name=_str(loc, "name"),
            description=_str(loc, "description"), latitude=_number(loc, "latitude"),
            longitude=_number(loc, "longitude"), address_1=_str(address, "address_1"),
            city=_str(address, "city"), state_province=_str(address, "state_province"),
            postal_code=_str(address, "postal_code"), country=_str(address, "country")))

    last_modified = None
    if _str(body, "last_modified"):
        try:
            last_modified = parse_timestamp(body["last_modified"])
        except ValueError:
            pass  # the schema's date-time check has reported it

    routes = tuple(RouteRecord(kind=_str(r, "kind") or "",
                               instructions=_str(r, "instructions") or "", url=_str(r, "url"))
                   for r in _list(ext, "referral_routes"))
    record = ServiceRecord(
        id=service_id,
        slug=_str(ext, "slug") or f"{slugify(name)}-{service_id[:8]}",
        name=name,
        organization_id=organization_id if is_uuid(organization_id) else "",
        description=_str(body, "description") or "",
        status=_str(body, "status") or "",
        needs=tuple(codes[tx.NEEDS]),
        jhws_actions=tuple(c for c in codes[tx.JHWS] if c not in measures),
        priority_measures=tuple(c for c in codes[tx.JHWS] if c in measures),
        source=_str(ext, "source") or default_source,
        minimum_age=whole_number(body.get("minimum_age"), label, "minimum_age", problems),
        maximum_age=whole_number(body.get("maximum_age"), label, "maximum_age", problems),
        eligibility=_str(body, "eligibility_description"),
        districts=canonical_areas(tuple(area_names)),
        # A feed that does not tag an audience is a public directory.
        audience=tuple(codes[tx.AUDIENCE]) or ("resident",),
        for_circumstances=tuple(codes[tx.CIRCUMSTANCES]),
        phones=tuple(PhoneRecord(_str(p, "number") or "", _str(p, "description"))
                     for p in _list(body, "phones")),
        contact_email=_str(body, "email"),
        contact_url=_str(body, "url"),
        contact_note=_str(ext, "contact_note"),
        referral_routes=routes,
        hours=next((_str(sch, "description") for sch in _list(body, "schedules")
                    if _str(sch, "description")), None),
        source_url=_str(ext, "source_url"),
        source_date=parse_date(ext.get("source_date"), label, f"{EXTENSION}.source_date",
                               problems),
        assured_date=parse_date(body.get("assured_date"), label, "assured_date", problems),
        # No venues listed: like seed and CSV records, keep what the directory has
        # (or give a new service its default virtual location).
        locations=tuple(locations) or None,
        last_modified=last_modified,
        label=label,
    )
    return record, org, problems


def parse_services(bodies: object, source_name: str, default_source: str | None = None
                   ) -> tuple[list[OrganizationRecord], list[ServiceRecord], list[Problem]]:
    """A JSON list of service bodies -> records. Organizations are de-duplicated by id;
    different copies of one organization are a problem."""
    if not isinstance(bodies, list):
        return [], [], [Problem(source_name, "(file)",
                                "expected a JSON list of Open Referral UK services")]
    orgs: dict[str, OrganizationRecord] = {}
    services: list[ServiceRecord] = []
    problems: list[Problem] = []
    for i, body in enumerate(bodies):
        ident = body.get("id") if isinstance(body, dict) else None
        name = body.get("name") if isinstance(body, dict) else None
        label = f"{source_name} [{i}] ({name or ident or 'no name'})"
        record, org, found = parse_service(body, label, default_source)
        problems += found
        if record is not None:
            services.append(record)
        if org is not None:
            first = orgs.setdefault(org.id, org)
            if first != org:
                problems.append(Problem(label, "organization",
                                        f"organization {org.id} differs from the copy in "
                                        f"{first.label.removesuffix(' organization')}"))
    return list(orgs.values()), services, problems
