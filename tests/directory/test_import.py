"""`signpost directory import` from ORUK JSON and CSV: validate everything,
report every problem, then write all or nothing; re-importing changes nothing."""
from __future__ import annotations

import csv
import io
import json
import uuid

import pytest
from directory_helpers import export, service_count

from services_directory import importer
from services_directory.ids import stable_id
from services_directory.importer import ImportFailed, import_source
from services_directory.search import get_service
from services_directory.seed import seed
from services_directory.taxonomy import NEEDS, taxonomies, term_id
from signpost.cli import main
from signpost.db import session_scope


@pytest.fixture(scope="module")
def oruk_export(tmp_path_factory) -> list[dict]:
    """The seeded directory as ORUK JSON (made once, on SQLite)."""
    from directory_helpers import new_database

    url, cleanup = new_database("sqlite", tmp_path_factory.mktemp("source"))
    seed(url)
    data = json.loads(export(url))
    cleanup()
    return data


@pytest.fixture(scope="module")
def csv_export(tmp_path_factory) -> str:
    from directory_helpers import new_database

    url, cleanup = new_database("sqlite", tmp_path_factory.mktemp("source"))
    seed(url)
    text = export(url, "csv")
    cleanup()
    return text


def write_json(tmp_path, data) -> str:
    path = tmp_path / "services.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def by_slug(data: list[dict], slug: str) -> dict:
    return next(s for s in data if s["essex_signpost"]["slug"] == slug)


# --- ORUK JSON -----------------------------------------------------------------------
def test_import_json_then_reimport_changes_nothing(empty_db_url, tmp_path, oruk_export):
    source = write_json(tmp_path, oruk_export)
    first = import_source(source, empty_db_url)
    orgs = len({body["organization"]["id"] for body in oruk_export})
    assert (first.created, first.organizations_created) == (len(oruk_export), orgs)
    before = export(empty_db_url)
    second = import_source(source, empty_db_url)
    assert not second.changed and second.unchanged == len(oruk_export)
    assert export(empty_db_url) == before


def test_import_updates_by_id(sqlite_url, tmp_path, oruk_export):
    import_source(write_json(tmp_path, oruk_export), sqlite_url)
    data = json.loads(json.dumps(oruk_export))
    care = by_slug(data, "care-navigator")
    care["description"] = "Changed description."
    care["last_modified"] = "2030-01-02T03:04:05.678Z"
    report = import_source(write_json(tmp_path, data), sqlite_url)
    assert (report.created, report.updated) == (0, 1)
    with session_scope(sqlite_url) as session:
        assert get_service(session, care["id"]).description == "Changed description."
    assert by_slug(json.loads(export(sqlite_url)), "care-navigator")["last_modified"] == \
        "2030-01-02T03:04:05.678Z"


def test_bad_json_reports_every_problem_and_writes_nothing(empty_db_url, tmp_path,
                                                           oruk_export):
    data = json.loads(json.dumps(oruk_export))
    first, middle, last = data[0], data[20], data[-1]
    first["status"] = "open"  # schema enum
    first["minimum_age"] = -1  # our rule
    middle["service_areas"][0]["name"] = "Ipswich"
    middle["service_areas"][0].pop("uri")
    middle["id"] = "not-a-uuid"
    last["attributes"][0]["taxonomy_term"]["term"] = "lonelyness"
    last["maximum_age"] = 3
    last["minimum_age"] = 10
    with pytest.raises(ImportFailed) as failure:
        import_source(write_json(tmp_path, data), empty_db_url)
    found = {(p.record, p.field, p.reason) for p in failure.value.problems}
    label = {i: f"services.json [{i}] ({data[i]['name']})" for i in (0, 20, len(data) - 1)}
    assert found == {
        (label[0], "status", "'open' is not one of ['active', 'inactive', 'defunct', "
                             "'temporarily closed']"),
        (label[0], "minimum_age", "-1 is not a whole number of years from 0 to 120"),
        (label[20], "id", "'not-a-uuid' is not a 'uuid'"),
        (label[20], "service_areas[0].name",
         "'Ipswich' is not one of the 12 Essex districts, 'Essex', Southend-on-Sea, "
         "Thurrock or 'England'"),
        (label[len(data) - 1], "attributes (needs)", "unknown need id 'lonelyness'"),
        (label[len(data) - 1], "maximum_age", "maximum age 3 is below minimum age 10"),
    }
    assert str(failure.value) == "6 problems in 3 records; nothing was written"
    assert service_count(empty_db_url) == 0


def test_failure_while_writing_rolls_everything_back(sqlite_url, tmp_path, oruk_export,
                                                     monkeypatch):
    seed(sqlite_url)
    before = export(sqlite_url)
    data = json.loads(json.dumps(oruk_export))
    for body in data:
        body["description"] += " (v2)"
    calls = {"n": 0}
    real_apply = importer._apply

    def failing_apply(session, svc, rec):
        calls["n"] += 1
        if calls["n"] == len(data):  # the very last service
            raise RuntimeError("connection lost")
        return real_apply(session, svc, rec)

    monkeypatch.setattr(importer, "_apply", failing_apply)
    with pytest.raises(RuntimeError):
        import_source(write_json(tmp_path, data), sqlite_url)
    assert export(sqlite_url) == before


def test_slug_taken_by_another_service_is_a_problem(sqlite_url, tmp_path, oruk_export):
    seed(sqlite_url)
    body = json.loads(json.dumps(by_slug(oruk_export, "care-navigator")))
    body["id"] = str(uuid.uuid4())
    with pytest.raises(ImportFailed) as failure:
        import_source(write_json(tmp_path, [body]), sqlite_url)
    [problem] = failure.value.problems
    assert problem.field == "essex_signpost.slug"
    assert "already belongs to another service" in problem.reason


def test_other_publishers_services_import_with_derived_slug(sqlite_url, tmp_path):
    """No essex_signpost extension: slug from the name, default audience resident,
    other taxonomies ignored."""
    needs = taxonomies()[NEEDS]
    body = {
        "id": "6a0fbf0c-0d3d-4c79-9d2b-5c6b9a1b3c4d", "name": "Clacton Walking Group",
        "description": "Weekly walks.", "status": "active", "minimum_age": 16.0,
        "organization": {"id": "0b5a2a9e-3a3b-4e55-8a6b-1d2c3e4f5a6b", "name": "Walkers",
                         "description": "A walking club."},
        "service_areas": [{"id": "1b5a2a9e-3a3b-4e55-8a6b-1d2c3e4f5a6b", "name": "Tendring"}],
        "attributes": [
            {"id": "2b5a2a9e-3a3b-4e55-8a6b-1d2c3e4f5a6b",
             "taxonomy_term_id": term_id(NEEDS, "physical_activity"),
             "taxonomy_term": {"id": term_id(NEEDS, "physical_activity"), "name": "Active",
                               "description": "x", "taxonomy": needs.name,
                               "term": "physical_activity"}},
            {"id": "3b5a2a9e-3a3b-4e55-8a6b-1d2c3e4f5a6b",
             "taxonomy_term_id": "4b5a2a9e-3a3b-4e55-8a6b-1d2c3e4f5a6b",
             "taxonomy_term": {"id": "4b5a2a9e-3a3b-4e55-8a6b-1d2c3e4f5a6b",
                               "name": "Walking", "description": "LGA term",
                               "taxonomy": "esdServiceTypes"}},
        ],
        "phones": [{"id": "5b5a2a9e-3a3b-4e55-8a6b-1d2c3e4f5a6b", "number": "01255 000000"}],
    }
    assert import_source(write_json(tmp_path, [body]), sqlite_url).created == 1
    with session_scope(sqlite_url) as session:
        result = get_service(session, body["id"])
    assert result.slug == "clacton-walking-group-6a0fbf0c"
    assert (result.needs, result.districts, result.audience) == (
        ["physical_activity"], ["Tendring"], ["resident"])
    assert (result.minimum_age, result.contact_phone, result.contact_confirmed) == (
        16, "01255 000000", True)


def test_json_that_is_not_a_list_or_not_json(sqlite_url, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(ImportFailed, match="1 problem"):
        import_source(str(path), sqlite_url)
    path.write_text('{"id": "x"}', encoding="utf-8")
    with pytest.raises(ImportFailed) as failure:
        import_source(str(path), sqlite_url)
    assert failure.value.problems[0].reason == ("expected a JSON list of Open Referral UK "
                                                "services")


# --- CSV -----------------------------------------------------------------------------
def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def to_csv(data: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(data[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(data)
    return out.getvalue()


def test_csv_import_then_reimport_changes_nothing(empty_db_url, tmp_path, csv_export):
    path = tmp_path / "services.csv"
    path.write_text(csv_export, encoding="utf-8")
    assert import_source(str(path), empty_db_url).created == len(rows(csv_export))
    assert not import_source(str(path), empty_db_url).changed
    assert export(empty_db_url, "csv") == csv_export


def test_hand_written_csv_rows_get_ids_from_slugs(sqlite_url, tmp_path):
    """A commissioner's spreadsheet: no ids, any-case districts, ';' lists."""
    text = (
        "slug,name,description,status,organization,organization_name,"
        "organization_description,needs,jhws_actions,service_areas,audience,minimum_age,"
        "contact_note,route_1_kind,route_1_instructions\n"
        "tendring-lunch-club,Tendring Lunch Club,A weekly lunch.,active,tendring-cvs,"
        "Tendring CVS,Volunteers.,loneliness;independent_living,1.6,tendring; colchester,"
        "resident,65,Contact details to be confirmed by the commissioner,self_referral,"
        "\"Ask your GP; or just turn up.\"\n"
    )
    path = tmp_path / "new.csv"
    path.write_text(text, encoding="utf-8")
    assert import_source(str(path), sqlite_url).created == 1
    with session_scope(sqlite_url) as session:
        result = get_service(session, stable_id("service", "tendring-lunch-club"))
    assert result.districts == ["Tendring", "Colchester"]
    assert result.needs == ["loneliness", "independent_living"]
    assert result.referral_routes == [{"kind": "self_referral",
                                       "instructions": "Ask your GP; or just turn up.",
                                       "url": None}]
    assert (result.contact_phone, result.contact_confirmed) == (None, False)


def test_bad_csv_reports_rows_and_fields_and_writes_nothing(empty_db_url, tmp_path,
                                                            csv_export):
    data = rows(csv_export)
    data[0]["needs"] = "loneliness;lonelyness"
    data[1]["service_areas"] = "Tendring;Ipswich"
    data[2]["minimum_age"] = "sixty"
    data[3]["status"] = "closed"
    data[4]["route_1_kind"] = "phone_call"
    data[5]["contact_email"] = "not an email"
    data[-1]["audience"] = ""
    path = tmp_path / "bad.csv"
    path.write_text(to_csv(data), encoding="utf-8")
    with pytest.raises(ImportFailed) as failure:
        import_source(str(path), empty_db_url)
    found = {(p.record.split(" (")[0], p.field, p.reason.split(" is not")[0])
             for p in failure.value.problems}
    assert found == {
        ("bad.csv row 2", "needs", "unknown need id 'lonelyness'"),
        ("bad.csv row 3", "service_areas", "unknown service area 'Ipswich'"),
        ("bad.csv row 4", "minimum_age", "'sixty'"),
        ("bad.csv row 5", "status", "'closed'"),
        ("bad.csv row 6", "route_N_*", "route 1: kind 'phone_call'"),
        ("bad.csv row 7", "contact_email", "'not an email'"),
        (f"bad.csv row {len(data) + 1}", "audience", "at least one audience is required"),
    }
    assert service_count(empty_db_url) == 0


def test_csv_header_problems(sqlite_url, tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("slug,name,colour\nx,X,red\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as failure:
        import_source(str(path), sqlite_url)
    fields = {p.field for p in failure.value.problems}
    assert "colour" in fields and {"description", "status", "needs"} <= fields


# --- the command -------------------------------------------------------------------
def test_import_command_lists_problems_and_exits_2(sqlite_url, tmp_path, oruk_export, capsys):
    data = json.loads(json.dumps(oruk_export))
    data[1]["status"] = "gone"
    code = main(["directory", "import", write_json(tmp_path, data), "--url", sqlite_url])
    err = capsys.readouterr().err
    assert code == 2
    assert f"services.json [1] ({data[1]['name']}): status: 'gone' is not one of" in err
    assert err.strip().splitlines()[-1] == ("signpost: error: 1 problem in 1 record; nothing "
                                            "was written")
    assert service_count(sqlite_url) == 0


def test_import_command_missing_file(sqlite_url, capsys):
    assert main(["directory", "import", "/nonexistent/x.csv", "--url", sqlite_url]) == 2
    assert "cannot read /nonexistent/x.csv" in capsys.readouterr().err


def test_import_command_success(sqlite_url, tmp_path, oruk_export, capsys):
    assert main(["directory", "import", write_json(tmp_path, oruk_export),
                 "--url", sqlite_url]) == 0
    assert f"{len(oruk_export)} created" in capsys.readouterr().out
