"""The Open Referral UK read API at /api, on both backends."""
from __future__ import annotations

import filecmp
import json

import pytest
import yaml
from directory_helpers import SHARED_SCHEMA

from services_directory import districts, oruk
from services_directory.ids import stable_id
from services_directory.records import canonical_areas
from services_directory.seed import SEED_FILE, YAML_LOADER
from services_directory.taxonomy import AUDIENCE, JHWS, NEEDS, taxonomies, term_id

SEED = yaml.load(SEED_FILE.read_text(encoding="utf-8"), Loader=YAML_LOADER)
PAGE_KEYS = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page",
             "empty", "contents"}


def get(client, path: str, status: int = 200) -> dict:
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.mimetype == "application/json"
    return response.get_json()


def all_pages(client, path: str) -> list[dict]:
    items, page = [], 1
    while True:
        body = get(client, f"{path}{'&' if '?' in path else '?'}page={page}&per_page=100")
        items += body["contents"]
        if body["last_page"]:
            return items
        page += 1


def test_every_seeded_service_validates_against_the_oruk_schema(client, schema_validator):
    listed = all_pages(client, "/api/services")
    assert len(listed) == len(SEED["services"])
    for item in listed:
        body = get(client, f"/api/services/{item['id']}")
        errors = [f"{list(e.absolute_path)}: {e.message}"
                  for e in schema_validator.iter_errors(body)]
        assert errors == [], body["name"]
        assert {k: body[k] for k in item} == item  # the list item is the body's 1:1 part


def test_service_body_carries_needs_jhws_and_our_extension(client):
    body = get(client, f"/api/services/{stable_id('service', 'community-agents')}")
    attrs = [(a["taxonomy_term"]["taxonomy_id"], a["taxonomy_term"]["term"])
             for a in body["attributes"]]
    tax = {slug: t.id for slug, t in taxonomies().items()}
    assert attrs == [(tax[NEEDS], "loneliness"), (tax[NEEDS], "independent_living"),
                     (tax[JHWS], "1.6"), (tax[AUDIENCE], "resident")]
    assert body["service_areas"] == [{
        "id": stable_id("service_area", body["id"], "all"), "service_id": body["id"],
        "name": "Essex", "uri": "http://statistics.data.gov.uk/id/statistical-geography/"
                                "E10000012"}]
    ext = body["essex_signpost"]
    assert ext["slug"] == "community-agents" and ext["source"].startswith("JHWS action plan")
    assert ext["contact_note"] == "Contact details to be confirmed."
    assert ext["contact_confirmed"] is False
    assert "url" not in body and "email" not in body and body["phones"] == []
    assert [r["kind"] for r in ext["referral_routes"]] == ["self_referral",
                                                            "professional_referral"]
    assert body["application_process"].startswith("Self-referral: Ask your GP practice")
    assert body["assured_date"] == "2026-12-01" and "source_url" not in ext
    assert body["organization"]["name"] == "Essex County Council"


def test_paged_list_shape_and_paging(client):
    first = get(client, "/api/services?per_page=20")
    assert set(first) == PAGE_KEYS
    total = len(SEED["services"])
    pages = -(-total // 20)
    assert (first["total_items"], first["total_pages"], first["page_number"], first["size"],
            first["first_page"], first["last_page"], first["empty"]) == (
        total, pages, 1, 20, True, False, False)
    last = get(client, f"/api/services?per_page=20&page={pages}")
    assert (last["size"], last["first_page"], last["last_page"]) == (
        total - 20 * (pages - 1), False, True)
    beyond = get(client, "/api/services?per_page=20&page=9")
    assert beyond["contents"] == [] and beyond["empty"] and beyond["last_page"]
    ids = [s["id"] for p in range(1, pages + 1)
           for s in get(client, f"/api/services?per_page=20&page={p}")["contents"]]
    assert len(set(ids)) == total
    assert get(client, "/api/services")["size"] == 50  # default per_page


@pytest.mark.parametrize("query, reason", [
    ("page=0", "page must be from 1 to 10000"),
    ("page=-3", "page must be from 1 to 10000"),
    ("page=10001", "page must be from 1 to 10000"),  # bounded (issue 16)
    ("page=abc%3Cscript%3E", "page must be a whole number"),
    ("per_page=abc", "per_page must be a whole number"),
    ("per_page=101", "per_page must be from 1 to 100"),
    ("per_page=0", "per_page must be from 1 to 100"),
    ("minimum_age=-1", "minimum_age must be from 0 to 120"),
    ("maximum_age=old", "maximum_age must be a number"),
    ("taxonomy_term_id=loneliness", "taxonomy_term_id must be a UUID"),
    ("taxonomy_id=123", "taxonomy_id must be a UUID"),
])
@pytest.mark.parametrize("endpoint", ["/api/services", "/api/service_at_locations"])
def test_bad_parameters_are_400_with_a_reason(client, endpoint, query, reason):
    body = get(client, f"{endpoint}?{query}", 400)
    assert body["status"] == 400 and body["error"] == "Bad Request"
    assert body["detail"].startswith(reason)


@pytest.mark.parametrize("path", [
    "/api/services/00000000-0000-4000-8000-000000000000", "/api/services/not-an-id",
    "/api/taxonomies/00000000-0000-4000-8000-000000000000",
    "/api/taxonomy_terms/loneliness", "/api/service_at_locations/123",
    "/api/no_such_endpoint",
])
def test_unknown_ids_and_paths_are_404_json(client, path):
    body = get(client, path, 404)
    assert body["status"] == 404 and body["detail"]


def test_taxonomy_term_filter_includes_child_terms(client):
    lonely = all_pages(client, f"/api/services?taxonomy_term_id={term_id(NEEDS, 'loneliness')}")
    assert {s["id"] for s in lonely} == {stable_id("service", s["slug"])
                                         for s in SEED["services"]
                                         if "loneliness" in s["needs"]}
    action = {s["id"] for s in all_pages(client,
                                         f"/api/services?taxonomy_term_id={term_id(JHWS, '1.6')}")}
    area = {s["id"] for s in all_pages(client,
                                       f"/api/services?taxonomy_term_id={term_id(JHWS, 'area-1')}")}
    assert action and action < area
    expected_area = {stable_id("service", s["slug"]) for s in SEED["services"]
                     if any(a.startswith("1.") for a in s["jhws_actions"])
                     or any(m.startswith("P1.") for m in s["priority_measures"])}
    assert area == expected_area
    by_taxonomy = all_pages(client, f"/api/services?taxonomy_id={taxonomies()[NEEDS].id}")
    assert len(by_taxonomy) == len(SEED["services"])


def test_search_and_age_filters(client):
    found = all_pages(client, "/api/services?search=BEFRIENDING")
    assert [s["name"] for s in found] == ["Help with loneliness (Essex Wellbeing Service)"]
    both_words = all_pages(client, "/api/services?search=falls%20balance")
    assert [s["name"] for s in both_words] == [
        "Community falls strength and balance exercise service (NELFT)"]
    assert all_pages(client, "/api/services?search=100%25") == []  # LIKE wildcards escaped
    # ORUK semantics, literally: minimum_age >= value; maximum_age <= value.
    adults = all_pages(client, "/api/services?minimum_age=18")
    assert adults and all(s["minimum_age"] >= 18 for s in adults)
    young = all_pages(client, "/api/services?maximum_age=18")
    assert young and all(s["maximum_age"] <= 18 for s in young)
    assert {s["name"] for s in young} == {
        s["name"] for s in SEED["services"] if (s["maximum_age"] or 999) <= 18}


def test_taxonomies_and_terms(client):
    listed = get(client, "/api/taxonomies")
    assert listed["total_items"] == len(taxonomies()) == 4
    needs = get(client, f"/api/taxonomies/{taxonomies()[NEEDS].id}")
    assert [t["term"] for t in needs["taxonomy_terms"]][:3] == ["loneliness",
                                                                "mental_wellbeing", "crisis"]
    term = get(client, f"/api/taxonomy_terms/{term_id(JHWS, '1.6')}")
    assert (term["term"], term["taxonomy_id"], term["parent_id"]) == (
        "1.6", taxonomies()[JHWS].id, term_id(JHWS, "area-1"))
    all_terms = all_pages(client, "/api/taxonomy_terms")
    assert len(all_terms) == sum(len(t.terms) for t in taxonomies().values())
    only_needs = all_pages(client, f"/api/taxonomy_terms?taxonomy_id={taxonomies()[NEEDS].id}")
    assert {t["term"] for t in only_needs} == {t.term for t in taxonomies()[NEEDS].terms}


def test_service_at_locations_and_postcode_coverage(client, schema_validator):
    everything = all_pages(client, "/api/service_at_locations")
    assert len(everything) == len(SEED["services"])  # one virtual location each
    pilot = stable_id("service", "sport-england-local-delivery-pilot")
    clacton = {s["service_id"] for s in all_pages(client,
                                                  "/api/service_at_locations?postcode=co15%201ab")}
    chelmsford = {s["service_id"] for s in all_pages(
        client, "/api/service_at_locations?postcode=CM2")}  # CM2: wholly Chelmsford (ONS)
    assert pilot in clacton and pilot not in chelmsford
    areas = {stable_id("service", s["slug"]): set(canonical_areas(tuple(s["service_areas"])))
             for s in SEED["services"]}

    def serving(place: str) -> set[str]:
        return {i for i, a in areas.items() if a & set(districts.areas_serving(place))}

    assert clacton == serving("Tendring") and chelmsford == serving("Chelmsford")
    # Southend: its own council's services and national ones; elsewhere: national ones only.
    southend = {s["service_id"] for s in all_pages(
        client, "/api/service_at_locations?postcode=SS1%201AA")}
    assert southend == serving("Southend-on-Sea")
    edinburgh = {s["service_id"] for s in all_pages(
        client, "/api/service_at_locations?postcode=EH1%201YZ")}
    assert edinburgh == {i for i, a in areas.items() if a == {"national"}} and edinburgh
    assert get(client, "/api/service_at_locations?postcode=hello", 400)["detail"] == (
        "postcode: 'hello' is not a UK postcode")
    # An outward code that spans districts is refused, not guessed; a full postcode in it is not.
    assert get(client, "/api/service_at_locations?postcode=cm3", 400)["detail"] == (
        "postcode: CM3 covers parts of Chelmsford, Maldon, Braintree and Uttlesford; "
        "give the full postcode")
    assert get(client, "/api/service_at_locations?postcode=RM14", 400)["detail"] == (
        "postcode: RM14 covers parts of Thurrock, Brentwood and elsewhere; "
        "give the full postcode")
    in_cm3 = {s["service_id"] for s in all_pages(
        client, "/api/service_at_locations?postcode=CM3%205ZA")}  # Chelmsford (ONS)
    assert in_cm3 == chelmsford
    assert get(client, "/api/service_at_locations?postcode=CO15%201ZZ", 400)["detail"] == (
        "postcode: CO15 1ZZ is not in the ONS Postcode Directory")

    one = everything[0]
    assert one["location"]["location_type"] == "virtual"
    full = get(client, f"/api/service_at_locations/{one['id']}")
    assert (full["id"], full["service_id"], full["location_id"]) == (
        one["id"], one["service_id"], one["location_id"])
    assert list(schema_validator.iter_errors(full["service"])) == []


def test_index_openapi_and_cors_on_errors(client):
    index = get(client, "/api/")
    assert index["version"] == "3.0" and index["openapi_url"].endswith("/api/openapi.json")
    spec = client.get("/api/openapi.json")
    assert spec.status_code == 200 and "/service_at_locations" in spec.get_json()["paths"]
    assert spec.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in client.get("/healthz").headers
    # commissioner statistics are not a public feed
    assert "Access-Control-Allow-Origin" not in client.get("/api/stats/referrals").headers


def test_signpost_search_endpoint(client):
    body = get(client, "/api/search?need=loneliness&district=tendring&age=78")
    assert body["total"] > 5 and len(body["results"]) == 3
    assert body["results"][0]["slug"] == "befriending-scheme"
    assert body["results"][0]["assured_date"] == "2026-12-01"
    more = get(client, "/api/search?need=loneliness&district=tendring&age=78&offset=3&limit=5")
    assert len(more["results"]) == 5
    assert get(client, "/api/search?need=lonely", 400)["detail"].startswith(
        "unknown need id 'lonely'")
    assert get(client, "/api/search", 400)["detail"] == "need is required"
    assert get(client, "/api/search?need=crisis&age=x", 400)["detail"].startswith(
        "age must be a whole number")
    resident = "/api/search?need=mental_wellbeing&audience=resident&limit=20"
    perinatal = "perinatal-emotional-wellbeing"
    assert perinatal not in [r["slug"] for r in get(client, resident)["results"]]
    said = get(client, resident + "&circumstances=pregnant_or_new_parent")
    assert perinatal in [r["slug"] for r in said["results"]]
    assert get(client, resident + "&circumstances=rich", 400)["detail"].startswith(
        "unknown circumstance 'rich'")


def test_vendored_schema_is_the_shared_one():
    if not SHARED_SCHEMA.exists():
        pytest.skip("no shared ORUK schema folder on this machine")
    for name in ("compiled_service.json", "openapi.json"):
        assert filecmp.cmp(oruk.SCHEMA_DIR / name, SHARED_SCHEMA.parent / name, shallow=False)
    assert json.loads((oruk.SCHEMA_DIR / "compiled_service.json").read_text())["required"] == [
        "id", "name", "status"]
