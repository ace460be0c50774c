"""`signpost directory seed`: loads services.yml, idempotent, one transaction,
stable ids, contact details never invented."""
from __future__ import annotations

import pytest
import yaml
from directory_helpers import export, service_count
from sqlalchemy import select

from services_directory import importer
from services_directory.ids import stable_id
from services_directory.importer import ImportFailed
from services_directory.models import Organization, Service
from services_directory.search import get_service
from services_directory.seed import SEED_FILE, YAML_LOADER, seed
from signpost.cli import main
from signpost.db import session_scope


def load_seed() -> dict:
    return yaml.load(SEED_FILE.read_text(encoding="utf-8"), Loader=YAML_LOADER)


SEED = load_seed()


def write_seed(tmp_path, data) -> object:
    path = tmp_path / "services.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_seed_loads_every_service_and_is_idempotent(empty_db_url):
    first = seed(empty_db_url)
    assert (first.created, first.organizations_created) == (len(SEED["services"]),
                                                            len(SEED["organizations"]))
    before = export(empty_db_url)
    with session_scope(empty_db_url) as session:
        stamps = dict(session.execute(select(Service.id, Service.last_modified)).all())

    second = seed(empty_db_url)
    assert not second.changed
    assert second.unchanged == len(SEED["services"])
    assert export(empty_db_url) == before
    with session_scope(empty_db_url) as session:
        assert dict(session.execute(select(Service.id, Service.last_modified)).all()) == stamps


def test_ids_are_uuid5_of_the_slug_and_never_change(sqlite_url):
    seed(sqlite_url)
    with session_scope(sqlite_url) as session:
        ids = dict(session.execute(select(Service.slug, Service.id)).all())
        org_ids = dict(session.execute(select(Organization.slug, Organization.id)).all())
    assert ids == {s["slug"]: stable_id("service", s["slug"]) for s in SEED["services"]}
    assert org_ids == {o["slug"]: stable_id("organization", o["slug"])
                       for o in SEED["organizations"]}
    # Pinned: if this changes, every id in every other system breaks.
    assert ids["befriending-scheme"] == "10098899-270e-5f1d-a5d1-238a6f74158c"


def test_contact_details_are_exactly_the_seed_file(sqlite_url):
    """Null stays null, notes are kept, and nothing is invented."""
    seed(sqlite_url)
    with session_scope(sqlite_url) as session:
        for raw in SEED["services"]:
            result = get_service(session, stable_id("service", raw["slug"]))
            contact = raw["contact"]
            assert (result.contact_phone, result.contact_email, result.contact_url,
                    result.contact_note) == (contact["phone"], contact["email"],
                                             contact["url"], contact["note"]), raw["slug"]
            assert result.contact_confirmed == any(
                contact[k] for k in ("phone", "email", "url"))
            assert result.referral_routes == [
                {"kind": r["kind"], "instructions": r["instructions"], "url": r["url"]}
                for r in raw["referral_routes"]]
            provenance = raw.get("provenance") or {}
            assert (result.source_url, result.source_date, result.assured_date) == (
                provenance.get("source_url"), provenance.get("source_date"),
                provenance.get("assured_date")), raw["slug"]
        agents = get_service(session, stable_id("service", "community-agents"))
    assert agents.contact_note == "Contact details to be confirmed."
    assert not agents.contact_confirmed


def test_every_contact_in_the_seed_has_a_source_or_is_a_well_known_line():
    """Honest data: a phone, email or web address comes with the page it was taken from
    and the date it was checked; only the national help lines held in
    signpost/help_lines.yml (999, 111, Samaritans, Shout, Childline) stand on their own."""
    from signpost.help_lines import lines

    known = {line.number for line in lines().values()}
    for raw in SEED["services"]:
        contact, provenance = raw["contact"], raw.get("provenance") or {}
        if not any(contact.get(k) for k in ("phone", "email", "url")):
            continue
        if contact.get("phone") in known:
            continue
        assert provenance.get("source_url") and provenance.get("assured_date"), raw["slug"]


def test_changed_seed_updates_only_that_service(sqlite_url, tmp_path):
    seed(sqlite_url)
    data = load_seed()
    data["services"][0]["description"] += " Updated."
    report = seed(sqlite_url, write_seed(tmp_path, data))
    assert (report.created, report.updated, report.unchanged) == (0, 1, len(data["services"]) - 1)
    with session_scope(sqlite_url) as session:
        svc = session.get(Service, stable_id("service", data["services"][0]["slug"]))
        assert svc.description.endswith(" Updated.")


def test_bad_seed_writes_nothing_and_names_each_problem(empty_db_url, tmp_path):
    data = load_seed()
    data["services"][-1]["needs"] = ["lonelyness"]
    data["services"][-1]["service_areas"] = ["Ipswich"]
    data["services"][3]["minimum_age"] = "old"
    data["services"][5]["colour"] = "blue"
    with pytest.raises(ImportFailed) as failure:
        seed(empty_db_url, write_seed(tmp_path, data))
    found = {(p.record.split(" (")[0], p.field, p.reason) for p in failure.value.problems}
    last = len(data["services"]) - 1
    assert found == {
        (f"services.yml services[{last}]", "needs", "unknown need id 'lonelyness'"),
        (f"services.yml services[{last}]", "service_areas", "unknown service area 'Ipswich'"),
        ("services.yml services[3]", "minimum_age", "'old' is not a whole number"),
        ("services.yml services[5]", "colour", "unknown key"),
    }
    assert service_count(empty_db_url) == 0


def test_seed_is_one_transaction(empty_db_url, monkeypatch):
    """A failure while writing the 10th service leaves the database untouched."""
    calls = {"n": 0}
    real_apply = importer._apply

    def failing_apply(session, svc, rec):
        calls["n"] += 1
        if calls["n"] == 10:
            raise RuntimeError("disk full")
        return real_apply(session, svc, rec)

    monkeypatch.setattr(importer, "_apply", failing_apply)
    with pytest.raises(RuntimeError, match="disk full"):
        seed(empty_db_url)
    assert calls["n"] == 10
    assert service_count(empty_db_url) == 0
    with session_scope(empty_db_url) as session:
        assert session.scalars(select(Organization)).all() == []


def test_seed_command(sqlite_url, capsys):
    assert main(["directory", "seed", "--url", sqlite_url]) == 0
    assert f"{len(SEED['services'])} created" in capsys.readouterr().out
    assert main(["directory", "seed", "--url", sqlite_url]) == 0
    assert f"0 created, 0 updated, {len(SEED['services'])} unchanged" in capsys.readouterr().out


def test_seed_command_reports_problems_and_exits_2(sqlite_url, tmp_path, capsys):
    data = load_seed()
    data["services"][0]["status"] = "open"
    assert main(["directory", "seed", "--url", sqlite_url,
                 "--file", str(write_seed(tmp_path, data))]) == 2
    err = capsys.readouterr().err
    assert "services.yml services[0] (emergency-999): status: 'open' is not one of" in err
    assert err.strip().endswith("1 problem in 1 record; nothing was written")
    assert service_count(sqlite_url) == 0
