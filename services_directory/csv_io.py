"""The flat CSV format: one row per service, for editing in a spreadsheet.

Columns (docs/directory.md has the full description):
  list fields are separated by ';' (needs, jhws_actions, priority_measures,
  service_areas, audience, contact_phone); referral routes use numbered column
  groups route_1_kind, route_1_instructions, route_1_url, route_2_..., because
  instructions often contain ';'. Empty cells mean "none".
  `id` and `organization_id` may be left empty: they are then derived from the
  slugs, exactly as the seed does.
Venues (service_at_locations) are not part of CSV: importing a CSV keeps the
venues a service already has.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

from services_directory.ids import stable_id
from services_directory.records import (
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
    whole_number,
)

COLUMNS = (
    "id", "slug", "name", "description", "status",
    "organization", "organization_id", "organization_name", "organization_description",
    "organization_website", "organization_email",
    "needs", "jhws_actions", "priority_measures",
    "minimum_age", "maximum_age", "eligibility", "service_areas", "audience",
    "for_circumstances",
    "contact_phone", "contact_email", "contact_url", "contact_note", "hours",
    "source", "source_url", "source_date", "assured_date", "last_modified",
)
REQUIRED = ("slug", "name", "description", "status", "organization", "needs",
            "service_areas", "audience")
ROUTE_COLUMN = re.compile(r"^route_(\d+)_(kind|instructions|url)$")
MIN_ROUTE_GROUPS = 3
SEP = ";"
# Record field -> CSV column, for validation messages.
FIELD_NAMES = {"districts": "service_areas", "phones": "contact_phone",
               "referral_routes": "route_N_*", "organization": "organization"}


def _split(cell: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (cell or "").split(SEP) if part.strip())


def read_csv(text: str, source_name: str = "CSV"
             ) -> tuple[list[OrganizationRecord], list[ServiceRecord], list[Problem]]:
    """Parse CSV text into records; problems carry the row number as a spreadsheet shows it."""
    problems: list[Problem] = []
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = reader.fieldnames or []
    unknown = [c for c in header if c not in COLUMNS and not ROUTE_COLUMN.match(c)]
    missing = [c for c in REQUIRED if c not in header]
    for column in unknown:
        problems.append(Problem(f"{source_name} header", column, "unknown column"))
    for column in missing:
        problems.append(Problem(f"{source_name} header", column, "required column is missing"))
    if missing:
        return [], [], problems
    groups = sorted({int(m.group(1)) for c in header if (m := ROUTE_COLUMN.match(c))})

    orgs: dict[str, OrganizationRecord] = {}
    services: list[ServiceRecord] = []
    for row_number, row in enumerate(reader, start=2):  # row 1 is the header
        if None in row:
            problems.append(Problem(f"{source_name} row {row_number}", "(row)",
                                    "more cells than header columns"))
        cells = {k: clean(v) for k, v in row.items() if k is not None}
        if not any(cells.values()):
            continue  # blank line
        slug = cells.get("slug") or ""
        label = f"{source_name} row {row_number} ({slug or 'no slug'})"
        org_slug = cells.get("organization") or ""
        org = OrganizationRecord(
            id=cells.get("organization_id") or stable_id("organization", org_slug),
            slug=org_slug,
            name=cells.get("organization_name") or "",
            description=cells.get("organization_description") or "",
            email=cells.get("organization_email"),
            website=cells.get("organization_website"),
            label=f"{label} organization",
        )
        first = orgs.setdefault(org.id, org)
        if first != org:
            problems.append(Problem(label, "organization_*", "organization "
                                    f"{org_slug!r} differs from {first.label.split(' (')[0]}"))
        routes = []
        for n in groups:
            kind, instructions, url = (cells.get(f"route_{n}_{part}")
                                       for part in ("kind", "instructions", "url"))
            if kind or instructions or url:
                routes.append(RouteRecord(kind or "", instructions or "", url))
        last_modified = None
        if cells.get("last_modified"):
            try:
                last_modified = parse_timestamp(cells["last_modified"])
            except ValueError:
                problems.append(Problem(label, "last_modified",
                                        f"{cells['last_modified']!r} is not an ISO 8601 "
                                        "date-time"))
        services.append(ServiceRecord(
            id=cells.get("id") or stable_id("service", slug),
            slug=slug,
            name=cells.get("name") or "",
            organization_id=org.id,
            description=cells.get("description") or "",
            status=cells.get("status") or "",
            needs=_split(cells.get("needs")),
            jhws_actions=_split(cells.get("jhws_actions")),
            priority_measures=_split(cells.get("priority_measures")),
            source=cells.get("source"),
            minimum_age=whole_number(cells.get("minimum_age"), label, "minimum_age", problems),
            maximum_age=whole_number(cells.get("maximum_age"), label, "maximum_age", problems),
            eligibility=cells.get("eligibility"),
            districts=canonical_areas(_split(cells.get("service_areas"))),
            audience=_split(cells.get("audience")),
            for_circumstances=_split(cells.get("for_circumstances")),
            phones=tuple(PhoneRecord(n) for n in _split(cells.get("contact_phone"))),
            contact_email=cells.get("contact_email"),
            contact_url=cells.get("contact_url"),
            contact_note=cells.get("contact_note"),
            referral_routes=tuple(routes),
            hours=cells.get("hours"),
            source_url=cells.get("source_url"),
            source_date=parse_date(cells.get("source_date"), label, "source_date", problems),
            assured_date=parse_date(cells.get("assured_date"), label, "assured_date",
                                    problems),
            locations=None,
            last_modified=last_modified,
            label=label,
        ))
    return list(orgs.values()), services, problems


def write_csv(services: Iterable[ServiceRecord], orgs: dict[str, OrganizationRecord]) -> str:
    services = list(services)
    groups = max([MIN_ROUTE_GROUPS, *(len(s.referral_routes) for s in services)])
    route_columns = [f"route_{n}_{part}" for n in range(1, groups + 1)
                     for part in ("kind", "instructions", "url")]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*COLUMNS, *route_columns], lineterminator="\n")
    writer.writeheader()
    for svc in services:
        org = orgs[svc.organization_id]
        row = {
            "id": svc.id, "slug": svc.slug, "name": svc.name, "description": svc.description,
            "status": svc.status, "organization": org.slug, "organization_id": org.id,
            "organization_name": org.name, "organization_description": org.description,
            "organization_website": org.website, "organization_email": org.email,
            "needs": SEP.join(svc.needs), "jhws_actions": SEP.join(svc.jhws_actions),
            "priority_measures": SEP.join(svc.priority_measures),
            "minimum_age": svc.minimum_age, "maximum_age": svc.maximum_age,
            "eligibility": svc.eligibility, "service_areas": SEP.join(svc.districts),
            "audience": SEP.join(svc.audience),
            "for_circumstances": SEP.join(svc.for_circumstances),
            "contact_phone": SEP.join(p.number for p in svc.phones),
            "contact_email": svc.contact_email, "contact_url": svc.contact_url,
            "contact_note": svc.contact_note, "hours": svc.hours, "source": svc.source,
            "source_url": svc.source_url,
            "source_date": svc.source_date.isoformat() if svc.source_date else None,
            "assured_date": svc.assured_date.isoformat() if svc.assured_date else None,
            "last_modified": format_timestamp(svc.last_modified) if svc.last_modified else None,
        }
        for n, route in enumerate(svc.referral_routes, start=1):
            row.update({f"route_{n}_kind": route.kind, f"route_{n}_instructions":
                        route.instructions, f"route_{n}_url": route.url})
        writer.writerow(row)
    return out.getvalue()
