"""`signpost directory seed`: load seed/services.yml into the directory.

Ids are uuid5 of the slugs, so seeding again updates the same records; an
unchanged file changes nothing. Everything runs in one transaction.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from services_directory.ids import stable_id
from services_directory.importer import ImportFailed, ImportReport, import_records
from services_directory.records import (
    OrganizationRecord,
    PhoneRecord,
    Problem,
    RouteRecord,
    ServiceRecord,
    canonical_areas,
    clean,
    parse_date,
    whole_number,
)

SEED_FILE = Path(__file__).resolve().parent / "seed" / "services.yml"
ORG_KEYS = {"slug", "name", "description", "url", "email"}
SERVICE_KEYS = {
    "slug", "name", "organization", "description", "needs", "jhws_actions",
    "priority_measures", "source", "status", "minimum_age", "maximum_age", "eligibility",
    "service_areas", "audience", "for_circumstances", "contact", "referral_routes",
    "provenance",
}
CONTACT_KEYS = {"phone", "email", "url", "note", "hours"}
# Where the contact details come from: the page, the date it shows, the date we checked.
PROVENANCE_KEYS = {"source_url", "source_date", "assured_date"}
# libyaml's loader when PyYAML was built with it: the seed file is large.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
ROUTE_KEYS = {"kind", "instructions", "url"}


def organization_id(slug: str) -> str:
    return stable_id("organization", slug)


def service_id(slug: str) -> str:
    return stable_id("service", slug)


def _strings(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v).strip() for v in value if v is not None and str(v).strip())
    return (str(value).strip(),)


def _items(data: dict, key: str, name: str, problems: list[Problem]) -> list:
    value = data.get(key) or []
    if not isinstance(value, list):
        problems.append(Problem(name, key, "expected a list"))
        return []
    return value


def _section(raw: dict, key: str, allowed: set[str], label: str, problems: list[Problem]
             ) -> dict:
    """A nested mapping of a service entry (contact, provenance), its unknown keys named."""
    value = raw.get(key) or {}
    if not isinstance(value, dict):
        problems.append(Problem(label, key, "not a mapping"))
        return {}
    for name in sorted(set(value) - allowed):
        problems.append(Problem(label, f"{key}.{name}", "unknown key"))
    return value


def parse_seed(data: dict, name: str = "services.yml"
               ) -> tuple[list[OrganizationRecord], list[ServiceRecord], list[Problem]]:
    problems: list[Problem] = []
    if not isinstance(data, dict):
        return [], [], [Problem(name, "(file)", "expected a mapping with organizations and "
                                "services")]
    orgs: list[OrganizationRecord] = []
    for i, raw in enumerate(_items(data, "organizations", name, problems)):
        if not isinstance(raw, dict):
            problems.append(Problem(f"{name} organizations[{i}]", "(entry)", "not a mapping"))
            continue
        label = f"{name} organizations[{i}] ({raw.get('slug')})"
        for key in sorted(set(raw) - ORG_KEYS):
            problems.append(Problem(label, key, "unknown key"))
        slug = clean(raw.get("slug")) or ""
        orgs.append(OrganizationRecord(
            id=organization_id(slug), slug=slug, name=clean(raw.get("name")) or "",
            description=clean(raw.get("description")) or "", email=clean(raw.get("email")),
            website=clean(raw.get("url")), label=label))
    org_ids = {o.slug: o.id for o in orgs}

    services: list[ServiceRecord] = []
    for i, raw in enumerate(_items(data, "services", name, problems)):
        if not isinstance(raw, dict):
            problems.append(Problem(f"{name} services[{i}]", "(entry)", "not a mapping"))
            continue
        label = f"{name} services[{i}] ({raw.get('slug')})"
        for key in sorted(set(raw) - SERVICE_KEYS):
            problems.append(Problem(label, key, "unknown key"))
        contact = _section(raw, "contact", CONTACT_KEYS, label, problems)
        routes = []
        for j, route in enumerate(raw.get("referral_routes") or []):
            if not isinstance(route, dict):
                problems.append(Problem(label, f"referral_routes[{j}]", "not a mapping"))
                continue
            for key in sorted(set(route) - ROUTE_KEYS):
                problems.append(Problem(label, f"referral_routes[{j}].{key}", "unknown key"))
            routes.append(RouteRecord(kind=clean(route.get("kind")) or "",
                                      instructions=clean(route.get("instructions")) or "",
                                      url=clean(route.get("url"))))
        provenance = _section(raw, "provenance", PROVENANCE_KEYS, label, problems)
        org_slug = clean(raw.get("organization")) or ""
        if org_slug not in org_ids:
            problems.append(Problem(label, "organization",
                                    f"{org_slug!r} is not in this file's organizations"))
        slug = clean(raw.get("slug")) or ""
        phone = clean(contact.get("phone"))
        services.append(ServiceRecord(
            id=service_id(slug),
            slug=slug,
            name=clean(raw.get("name")) or "",
            organization_id=org_ids.get(org_slug, ""),
            description=clean(raw.get("description")) or "",
            status=clean(raw.get("status")) or "",
            needs=_strings(raw.get("needs")),
            jhws_actions=_strings(raw.get("jhws_actions")),
            priority_measures=_strings(raw.get("priority_measures")),
            source=clean(raw.get("source")),
            minimum_age=whole_number(raw.get("minimum_age"), label, "minimum_age", problems),
            maximum_age=whole_number(raw.get("maximum_age"), label, "maximum_age", problems),
            eligibility=clean(raw.get("eligibility")),
            districts=canonical_areas(_strings(raw.get("service_areas"))),
            audience=_strings(raw.get("audience")),
            for_circumstances=_strings(raw.get("for_circumstances")),
            phones=(PhoneRecord(phone),) if phone else (),
            contact_email=clean(contact.get("email")),
            contact_url=clean(contact.get("url")),
            contact_note=clean(contact.get("note")),
            referral_routes=tuple(routes),
            hours=clean(contact.get("hours")),
            source_url=clean(provenance.get("source_url")),
            source_date=parse_date(provenance.get("source_date"), label,
                                   "provenance.source_date", problems),
            assured_date=parse_date(provenance.get("assured_date"), label,
                                    "provenance.assured_date", problems),
            label=label,
        ))
    return orgs, services, problems


SEED_FIELD_NAMES = {"districts": "service_areas", "phones": "contact.phone",
                    "contact_email": "contact.email", "contact_url": "contact.url",
                    "hours": "contact.hours", "source_url": "provenance.source_url",
                    "source_date": "provenance.source_date",
                    "assured_date": "provenance.assured_date"}


def seed(url: str | None = None, path: Path = SEED_FILE) -> ImportReport:
    """Load the seed file in one transaction. Raises ImportFailed on bad data."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    except yaml.YAMLError as exc:
        raise ImportFailed([Problem(path.name, "(file)", f"not valid YAML: {exc}")]) from exc
    orgs, services, problems = parse_seed(data, path.name)
    return import_records(orgs, services, url, problems=problems,
                          field_names=SEED_FIELD_NAMES)
