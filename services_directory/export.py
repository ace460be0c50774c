"""`signpost directory export`: the whole directory as ORUK JSON or CSV.

Output is deterministic (services sorted by name, then id) so that two
exports of the same directory are byte-for-byte equal.
"""
from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from services_directory import csv_io, oruk
from services_directory.importer import load_services, organization_record, service_record
from services_directory.models import Organization
from services_directory.records import OrganizationRecord, ServiceRecord

FORMATS = ("oruk-json", "csv")


def directory_records(session: Session
                      ) -> tuple[dict[str, OrganizationRecord], list[ServiceRecord]]:
    orgs = {o.id: organization_record(o) for o in session.scalars(select(Organization))}
    services = [service_record(s) for s in load_services(session)]
    services.sort(key=lambda s: (s.name.casefold(), s.id))
    return orgs, services


def export_oruk(session: Session) -> list[dict]:
    """A list of fully nested services, as /api/services/{id} returns each."""
    orgs, services = directory_records(session)
    return [oruk.service_body(s, orgs[s.organization_id]) for s in services]


def export_text(session: Session, fmt: str) -> str:
    if fmt == "oruk-json":
        return json.dumps(export_oruk(session), indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        orgs, services = directory_records(session)
        return csv_io.write_csv(services, orgs)
    raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
