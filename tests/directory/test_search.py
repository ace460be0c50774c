"""search_services / count_services / get_service on the seeded directory,
on SQLite and PostgreSQL (results must be identical on both)."""
from __future__ import annotations

import json

import pytest

from services_directory.ids import stable_id
from services_directory.search import count_services, get_service, search_services
from signpost.cli import main
from signpost.db import session_scope


@pytest.fixture(scope="module")
def session(seeded_url):
    with session_scope(seeded_url) as s:
        yield s


def slugs(session, need, **filters) -> list[str]:
    filters.setdefault("limit", 100)
    return [r.slug for r in search_services(session, need, **filters)]


def test_done_when_loneliness_tendring_78(session):
    results = search_services(session, "loneliness", district="Tendring", age=78)
    assert [r.slug for r in results] == ["befriending-scheme", "care-navigator",
                                         "community-agents"]
    assert all("1.6" in r.jhws_actions and r.status == "active" for r in results)
    assert count_services(session, "loneliness", district="Tendring", age=78) == 8


def test_result_carries_everything_the_bot_and_pages_show(session):
    [result] = search_services(session, "crisis", text="samaritans", age=40, limit=1)
    assert result.to_dict() | {"score": 0, "reasons": []} == {
        "id": stable_id("service", "samaritans"), "slug": "samaritans", "name": "Samaritans",
        "description": result.description, "organization": "Samaritans", "status": "active",
        "needs": ["crisis", "mental_wellbeing"], "jhws_actions": [],
        "priority_measures": ["P1.suicide", "P1.self_harm_10_24", "P1.self_harm_all_ages"],
        "eligibility": result.eligibility, "minimum_age": None, "maximum_age": None,
        "districts": ["all"], "audience": ["resident"], "contact_phone": "116 123",
        "contact_email": "jo@samaritans.org", "contact_url": "https://www.samaritans.org",
        "contact_note": result.contact_note, "referral_routes": result.referral_routes,
        "source": result.source, "contact_confirmed": True, "score": 0, "reasons": [],
    }
    assert result.referral_routes[0] == {"kind": "self_referral",
                                         "instructions": "Call 116 123 free, any time.",
                                         "url": None}


def test_paging_with_offset_and_count(session):
    everything = slugs(session, "mental_wellbeing")
    assert len(everything) == count_services(session, "mental_wellbeing") == 16
    pages = [slugs(session, "mental_wellbeing", limit=5, offset=o) for o in (0, 5, 10, 15)]
    assert sum(pages, []) == everything
    assert slugs(session, "mental_wellbeing", limit=5, offset=40) == []


def test_only_active_services(session):
    planned = stable_id("service", "essex-drug-alcohol-charity")
    assert "essex-drug-alcohol-charity" not in slugs(session, "drugs")
    assert get_service(session, planned).status == "inactive"  # still readable by id


def test_age_filter_uses_minimum_and_maximum(session):
    assert "young-carers-support" in slugs(session, "loneliness", age=12)
    assert "young-carers-support" not in slugs(session, "loneliness", age=18)
    assert "befriending-scheme" not in slugs(session, "loneliness", age=17)
    assert "befriending-scheme" in slugs(session, "loneliness", age=18)
    assert "childline" in slugs(session, "crisis", age=18)
    assert "childline" not in slugs(session, "crisis", age=19)


def test_district_filter_and_local_services_first(session):
    # The Sport England pilot covers Basildon, Colchester and Tendring only.
    assert slugs(session, "weight", district="Tendring")[0] == \
        "sport-england-local-delivery-pilot"
    assert slugs(session, "weight", district="colchester")[0] == \
        "sport-england-local-delivery-pilot"
    assert "sport-england-local-delivery-pilot" not in slugs(session, "weight",
                                                              district="Chelmsford")
    # Without a district it is just one more service, ranked by name among secondaries.
    assert slugs(session, "weight")[0] != "sport-england-local-delivery-pilot"


def test_primary_need_ranks_above_secondary(session):
    results = search_services(session, "loneliness", limit=100)
    primary = [r.needs[0] == "loneliness" for r in results]
    assert primary == sorted(primary, reverse=True) and any(primary) and not all(primary)


def test_crisis_lines_last_for_other_needs_first_for_crisis(session):
    ranked = slugs(session, "mental_wellbeing")
    crisis_lines = {"nhs-111-mental-health", "samaritans", "shout-85258", "childline"}
    assert set(ranked[-4:]) == crisis_lines
    assert slugs(session, "crisis", limit=3) == ["emergency-999", "childline",
                                                  "nhs-111-mental-health"]


def test_ties_are_broken_by_name(session):
    results = search_services(session, "independent_living", limit=100)
    for score in {r.score for r in results}:
        names = [r.name.casefold() for r in results if r.score == score]
        assert names == sorted(names)
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)


def test_practitioners_prefer_professional_referral_routes(session):
    # "Adoption and fostering" sorts first by name but takes no professional referrals.
    assert slugs(session, "parenting")[0] == "adoption-fostering"
    ranked = search_services(session, "parenting", audience="practitioner", limit=100)
    assert ranked[0].slug != "adoption-fostering"
    assert all(any(r["kind"] == "professional_referral" for r in s.referral_routes)
               for s in ranked[:3])
    assert "takes professional referrals" in ranked[0].reasons


def test_residents_do_not_see_practitioner_only_services(session):
    assert "psychiatric-liaison-24-hour" in slugs(session, "mental_wellbeing")
    assert "psychiatric-liaison-24-hour" not in slugs(session, "mental_wellbeing",
                                                       audience="resident")
    assert count_services(session, "mental_wellbeing", audience="resident") == 15


def test_text_boosts_but_never_filters(session):
    plain = slugs(session, "physical_activity")
    boosted = slugs(session, "physical_activity", text="walking groups")
    assert sorted(plain) == sorted(boosted)
    assert boosted[:2] == ["parkrun-gp-practices", "the-daily-mile"]  # "walks", "walk"
    assert plain.index("the-daily-mile") > 2
    # Case-insensitive, name matches weigh more than description matches.
    assert slugs(session, "physical_activity", text="PARKRUN")[0] == "parkrun-gp-practices"
    assert slugs(session, "physical_activity", text="xyzzy") == plain


@pytest.mark.parametrize("filters, message", [
    ({"need": "lonely"}, "unknown need id 'lonely'"),
    ({"need": "loneliness", "district": "Ipswich"}, "unknown place 'Ipswich'"),
    ({"need": "loneliness", "district": "all"}, "unknown place 'all'"),
    ({"need": "loneliness", "age": -1}, "age must be a whole number"),
    ({"need": "loneliness", "audience": "everyone"}, "unknown audience 'everyone'"),
])
def test_bad_filters_raise_value_error(session, filters, message):
    with pytest.raises(ValueError, match=message):
        search_services(session, **filters)
    with pytest.raises(ValueError, match=message):
        count_services(session, **filters)


def test_get_service_unknown_ids(session):
    assert get_service(session, "not-a-uuid") is None
    assert get_service(session, stable_id("service", "no-such-service")) is None


def test_search_command_json(seeded_url, capsys):
    assert main(["directory", "search", "--need", "loneliness", "--district", "Tendring",
                 "--age", "78", "--json", "--url", seeded_url]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["total"] == 8
    assert [r["name"] for r in out["results"]] == ["Befriending Scheme", "Care Navigator",
                                                   "Community Agents"]


def test_search_command_text_and_errors(seeded_url, capsys):
    assert main(["directory", "search", "--need", "crisis", "--limit", "1",
                 "--url", seeded_url]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1. 999 Emergency Services (NHS)") and "more: use --offset 1" in out
    assert main(["directory", "search", "--need", "loneliness", "--district", "Narnia",
                 "--url", seeded_url]) == 2
    assert capsys.readouterr().err.startswith("signpost: error: unknown district 'Narnia'")
