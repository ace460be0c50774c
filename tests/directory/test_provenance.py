"""Provenance of contact details (issue 12): the source page, the date it shows and the date
it was checked (ORUK assured_date) are kept by every path in and out of the directory, and
bad values are refused with a reason."""
from __future__ import annotations

from datetime import date

import pytest
from directory_helpers import export

from services_directory.csv_io import read_csv, write_csv
from services_directory.ids import stable_id
from services_directory.importer import ImportFailed, import_records
from services_directory.oruk import parse_services, service_body
from services_directory.records import OrganizationRecord, PhoneRecord, ServiceRecord
from services_directory.search import get_service
from signpost.db import session_scope

ORG = OrganizationRecord(id=stable_id("organization", "prov"), slug="prov", name="Prov",
                         description="Test provider.")


def service(**fields) -> ServiceRecord:
    values = dict(id=stable_id("service", "prov-1"), slug="prov-1", name="Walk and talk",
                  organization_id=ORG.id, description="Weekly walks.", status="active",
                  needs=("loneliness",), districts=("national",),
                  phones=(PhoneRecord("0300 123 4567"),), hours="Mon to Fri, 9am to 5pm",
                  source_url="https://example.org/walks", source_date=date(2025, 3, 1),
                  assured_date=date(2026, 12, 1))
    values.update(fields)
    return ServiceRecord(**values)


def test_provenance_is_stored_and_searched(empty_db_url):
    import_records([ORG], [service()], empty_db_url)
    with session_scope(empty_db_url) as session:
        result = get_service(session, service().id)
    assert (result.source_url, result.source_date, result.assured_date, result.hours) == (
        "https://example.org/walks", date(2025, 3, 1), date(2026, 12, 1),
        "Mon to Fri, 9am to 5pm")
    assert result.districts == ["national"]


def test_oruk_body_carries_it_and_reads_back(schema_validator):
    body = service_body(service(), ORG)
    assert body["assured_date"] == "2026-12-01"
    assert body["essex_signpost"]["source_url"] == "https://example.org/walks"
    assert body["essex_signpost"]["source_date"] == "2025-03-01"
    assert body["schedules"][0]["description"] == "Mon to Fri, 9am to 5pm"
    assert body["service_areas"][0]["name"] == "England"
    assert body["service_areas"][0]["uri"].endswith("/E92000001")
    assert not list(schema_validator.iter_errors(body))
    _, [back], problems = parse_services([body], "feed.json")
    assert not problems
    assert back == service()


def test_csv_round_trip_keeps_it():
    text = write_csv([service()], {ORG.id: ORG})
    assert "source_url,source_date,assured_date" in text.splitlines()[0]
    _, [back], problems = read_csv(text)
    assert not problems
    assert (back.source_url, back.source_date, back.assured_date, back.hours) == (
        "https://example.org/walks", date(2025, 3, 1), date(2026, 12, 1),
        "Mon to Fri, 9am to 5pm")


@pytest.mark.parametrize("fields, field, reason", [
    ({"source_url": None}, "source_url", "required when source_date is given"),
    ({"source_url": "www.example.org"}, "source_url", "is not an http(s) web address"),
    ({"assured_date": date(2999, 1, 1)}, "assured_date", "is in the future"),
    ({"districts": ("national", "Tendring")}, "districts", "cannot be combined"),
])
def test_bad_provenance_is_refused_and_nothing_written(empty_db_url, fields, field, reason):
    with pytest.raises(ImportFailed) as failure:
        import_records([ORG], [service(**fields)], empty_db_url)
    assert any(p.field == field and reason in p.reason for p in failure.value.problems), \
        failure.value.problems
    assert export(empty_db_url).strip() == "[]"


def test_a_date_that_is_not_a_date_is_named():
    text = write_csv([service()], {ORG.id: ORG}).replace("2025-03-01", "March 2025")
    _, _, problems = read_csv(text)
    assert [(p.field, p.reason) for p in problems] == [
        ("source_date", "'March 2025' is not a date (YYYY-MM-DD)")]


def test_stored_reach_flags_follow_changes_made_in_place(empty_db_url):
    """Search ranks on flags stored on the service row; re-importing a service whose
    route changed kind (the same route row, updated in place) and which lost its phone
    must update them."""
    from sqlalchemy import select

    from services_directory.models import Service
    from services_directory.records import RouteRecord

    first = service(referral_routes=(RouteRecord("self_referral", "Call us."),))
    import_records([ORG], [first], empty_db_url)
    changed = service(referral_routes=(RouteRecord("professional_referral", "GP refers."),),
                      phones=(), districts=("all",))
    import_records([ORG], [changed], empty_db_url)
    with session_scope(empty_db_url) as session:
        flags = session.execute(select(
            Service.has_contact, Service.self_route, Service.professional_route,
            Service.county_wide, Service.serves_essex)).one()
    assert tuple(flags) == (False, False, True, True, True)
