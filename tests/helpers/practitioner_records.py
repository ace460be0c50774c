"""Made-up services for the practitioner page tests, added on top of the seed: local, county,
Southend-on-Sea and national loneliness services with phone numbers, and ones whose details
need checking. Every name says "Test"; the phone numbers are from Ofcom's range for drama
(01632 960000-960999), which is never given to a real line."""
from __future__ import annotations

from datetime import date, timedelta

from services_directory.ids import stable_id
from services_directory.importer import import_records
from services_directory.records import (
    OrganizationRecord,
    PhoneRecord,
    RouteRecord,
    ServiceRecord,
)

ORG = OrganizationRecord(id=stable_id("organization", "test-provider"), slug="test-provider",
                         name="Test provider", description="Made-up provider for tests.")
ROUTES = (RouteRecord("professional_referral", "Refer by phone."),
          RouteRecord("self_referral", "Call the line and ask for a chat."))

LOCAL = "test-tendring-befriending-line"
COUNTY = "test-essex-walk-and-talk"
SOUTHEND = "test-southend-befriending"
NATIONAL = "test-national-friendship-line"
NO_CONTACT = "test-tendring-no-contact"
OLD_CHECK = "test-tendring-old-check"
SLUGS = (LOCAL, COUNTY, SOUTHEND, NATIONAL, NO_CONTACT, OLD_CHECK)


def _service(slug: str, name: str, districts: tuple[str, ...], phone: str | None,
             checked_days_ago: int | None, **fields) -> ServiceRecord:
    today = date.today()
    values = dict(
        id=stable_id("service", slug), slug=slug, name=name, organization_id=ORG.id,
        description=f"{name}: weekly friendly phone calls for people who feel lonely.",
        status="active", needs=("loneliness",), districts=districts,
        audience=("resident", "practitioner"), referral_routes=ROUTES,
        phones=(PhoneRecord(phone),) if phone else (),
        contact_note=None if phone else "Contact details to be confirmed by the commissioner",
        hours="Monday to Friday, 9am to 5pm" if phone else None,
        source_url="https://example.org/test-services" if phone else None,
        assured_date=today - timedelta(days=checked_days_ago)
        if checked_days_ago is not None else None,
    )
    values.update(fields)
    return ServiceRecord(**values)


def records() -> list[ServiceRecord]:
    return [
        _service(LOCAL, "Test Tendring befriending line", ("Tendring",), "01632 960001", 30),
        _service(COUNTY, "Test Essex walk and talk", ("all",), "01632 960002", 60,
                 contact_url="https://example.org/walk-and-talk"),
        _service(SOUTHEND, "Test Southend befriending", ("Southend-on-Sea",), "01632 960003",
                 30),
        _service(NATIONAL, "Test national friendship line", ("national",), "01632 960004", 30),
        _service(NO_CONTACT, "Test Tendring coffee mornings", ("Tendring",), None, 30),
        _service(OLD_CHECK, "Test Tendring lunch club", ("Tendring",), "01632 960005", 500),
    ]


def add_test_services(url: str) -> None:
    import_records([ORG], records(), url)
