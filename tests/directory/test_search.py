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
    results = search_services(session, "loneliness", district="Tendring", age=78,
                              audience="resident")
    # The county's befriending service (JHWS 1.6) first, then one to ring wherever you are.
    assert results[0].slug == "befriending-scheme" and "1.6" in results[0].jhws_actions
    assert all(r.status == "active" and r.contact_confirmed for r in results)
    assert "national" in results[1].districts
    total = count_services(session, "loneliness", district="Tendring", age=78,
                           audience="resident")
    assert total == len(slugs(session, "loneliness", district="Tendring", age=78,
                              audience="resident")) > 3


def test_result_carries_everything_the_bot_and_pages_show(session):
    [result] = search_services(session, "crisis", text="samaritans", age=40, limit=1)
    assert result.to_dict() | {"score": 0, "reasons": []} == {
        "id": stable_id("service", "samaritans"), "slug": "samaritans", "name": "Samaritans",
        "description": result.description, "organization": "Samaritans", "status": "active",
        "needs": ["crisis", "mental_wellbeing"], "jhws_actions": [],
        "priority_measures": ["P1.suicide", "P1.self_harm_10_24", "P1.self_harm_all_ages"],
        "eligibility": result.eligibility, "minimum_age": None, "maximum_age": None,
        "districts": ["national"], "audience": ["resident"], "for_circumstances": [],
        "contact_phone": "116 123",
        "contact_email": "jo@samaritans.org", "contact_url": "https://www.samaritans.org",
        "contact_note": result.contact_note, "referral_routes": result.referral_routes,
        "source": result.source, "contact_confirmed": True, "hours": result.hours,
        "source_url": result.source_url, "source_date": result.source_date,
        "assured_date": result.assured_date, "score": 0, "reasons": [],
    }
    assert result.referral_routes[0] == {"kind": "self_referral",
                                         "instructions": "Call 116 123 free, any time.",
                                         "url": None}


def test_paging_with_offset_and_count(session):
    everything = slugs(session, "mental_wellbeing")
    assert len(everything) == count_services(session, "mental_wellbeing") > 10
    pages = [slugs(session, "mental_wellbeing", limit=5, offset=o)
             for o in range(0, len(everything), 5)]
    assert sum(pages, []) == everything
    assert slugs(session, "mental_wellbeing", limit=5, offset=40) == []


def test_only_active_services(session):
    planned = stable_id("service", "essex-drug-alcohol-charity")
    assert "essex-drug-alcohol-charity" not in slugs(session, "drugs")
    assert get_service(session, planned).status == "inactive"  # still readable by id


def test_age_filter_uses_minimum_and_maximum(session):
    assert "young-carers-support" in slugs(session, "loneliness", age=12)
    assert "young-carers-support" in slugs(session, "loneliness", age=24)  # young adult carers
    assert "young-carers-support" not in slugs(session, "loneliness", age=25)
    assert "befriending-scheme" not in slugs(session, "loneliness", age=17)
    assert "befriending-scheme" in slugs(session, "loneliness", age=18)
    assert "childline" in slugs(session, "crisis", age=18)
    assert "childline" not in slugs(session, "crisis", age=19)


def test_district_filter_and_local_services_first(session):
    # The Sport England pilot covers Basildon, Colchester and Tendring only.
    pilot = "sport-england-local-delivery-pilot"
    assert slugs(session, "physical_activity", district="Tendring")[0] == pilot
    assert slugs(session, "physical_activity", district="colchester")[0] == pilot
    assert pilot not in slugs(session, "physical_activity", district="Chelmsford")
    # Without a district it is not "local", so it does not come first.
    assert slugs(session, "physical_activity")[0] != pilot
    # Someone in Essex never gets a service only for Southend-on-Sea or Thurrock.
    thurrock = "thurrock-strength-balance-exercise"
    assert thurrock not in slugs(session, "physical_activity")
    assert thurrock in slugs(session, "physical_activity", district="Thurrock")


def test_main_need_ranks_above_secondary_other_things_equal(session):
    results = search_services(session, "loneliness", district="Tendring", limit=100)
    key = [(r.contact_confirmed, r.districts == ["national"]) for r in results]
    for kind in set(key):  # among services alike in contact and area
        primary = [r.needs[0] == "loneliness" for r, k in zip(results, key, strict=True)
                   if k == kind]
        assert primary == sorted(primary, reverse=True)
    assert any(r.needs[0] != "loneliness" for r in results)


def test_crisis_lines_last_for_other_needs_first_for_crisis(session):
    ranked = slugs(session, "mental_wellbeing")
    crisis_lines = {"nhs-111-mental-health", "samaritans", "shout-85258"}
    assert set(ranked[-3:]) == crisis_lines
    assert slugs(session, "crisis", limit=1) == ["emergency-999"]
    assert set(slugs(session, "crisis")) >= crisis_lines | {"childline"}


def test_ties_go_to_sourced_then_most_recently_checked_then_name(session):
    results = search_services(session, "independent_living", limit=100)
    for score in {r.score for r in results}:
        tied = [r for r in results if r.score == score]
        keys = [(r.source_url is None, -(r.assured_date.toordinal() if r.assured_date else 0))
                for r in tied]
        assert keys == sorted(keys)
        for key in set(keys):
            names = [r.name.casefold() for r, k in zip(tied, keys, strict=True) if k == key]
            assert names == sorted(names)
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)


def test_a_sourced_service_wins_a_tie_over_one_never_confirmed(session):
    """The GP link workers (an ICB page) before Care Navigator and Community Agents (no
    current source): equal score, so only provenance orders them."""
    results = search_services(session, "loneliness", audience="resident", limit=100)
    by_slug = {r.slug: (i, r) for i, r in enumerate(results)}
    gp, navigator = by_slug["gp-practice-social-isolation"], by_slug["care-navigator"]
    assert gp[1].score == navigator[1].score
    assert gp[1].source_url and not navigator[1].source_url
    assert gp[0] < navigator[0]


def test_age_group_points_follow_what_is_known_of_the_age(session):
    """Made for this age, except in a young people's service's last year; for an age
    group with the age unknown, points off (it may not be theirs)."""
    def reasons(slug, **filters):
        found = [r for r in search_services(session, "mental_wellbeing", audience="resident",
                                            limit=100, **filters) if r.slug == slug]
        return found[0].reasons
    camhs = "cyp-emotional-wellbeing-mental-health"  # SET CAMHS, up to 18
    assert "made for this age group" in reasons(camhs, age=15)
    assert "made for this age group" not in reasons(camhs, age=18)
    assert "for an age group: age not known" in reasons(camhs)
    assert not any("age" in reason for reason in reasons("nhs-talking-therapies", age=40))


def test_a_carer_who_gives_no_age_gets_the_adult_services_first(session):
    page = [r.slug for r in search_services(session, "carer_support", audience="resident")]
    assert page[:2] == ["carers-information-support", "citizens-advice-carers"]
    young = [r.slug for r in search_services(session, "carer_support", age=15,
                                             audience="resident")]
    assert young[0] == "young-carers-support"


def test_practitioners_prefer_professional_referral_routes(session):
    resident = search_services(session, "parenting", audience="resident", limit=100)
    ranked = search_services(session, "parenting", audience="practitioner", limit=100)
    takes = [any(r["kind"] == "professional_referral" for r in s.referral_routes)
             for s in ranked]
    assert all(("takes professional referrals" in s.reasons) == t
               for s, t in zip(ranked, takes, strict=True))
    assert not any("takes professional referrals" in s.reasons for s in resident)
    # Other things equal, a route for practitioners comes first.
    assert sum(takes[:3]) >= 2


def test_residents_do_not_see_practitioner_only_services(session):
    assert "psychiatric-liaison-24-hour" in slugs(session, "mental_wellbeing")
    assert "psychiatric-liaison-24-hour" not in slugs(session, "mental_wellbeing",
                                                       audience="resident")
    assert count_services(session, "mental_wellbeing", audience="resident") < \
        count_services(session, "mental_wellbeing", audience="practitioner")
    # Planning guidance is in the directory but is nobody's referral route.
    guide = "essex-design-guide-healthy-places"
    assert guide in slugs(session, "loneliness")
    assert guide not in slugs(session, "loneliness", audience="practitioner")
    assert guide not in slugs(session, "loneliness", audience="resident")


def test_text_boosts_but_never_filters(session):
    plain = slugs(session, "physical_activity")
    boosted = slugs(session, "physical_activity", text="walking groups")
    assert sorted(plain) == sorted(boosted)
    assert boosted.index("parkrun-gp-practices") < plain.index("parkrun-gp-practices")
    assert "description matches 'walking'" in next(
        r for r in search_services(session, "physical_activity", text="walking groups",
                                   limit=100) if r.slug == "parkrun-gp-practices").reasons
    # Case-insensitive, name matches weigh more than description matches.
    named = search_services(session, "physical_activity", text="PARKRUN", limit=100)
    parkrun = next(r for r in named if r.slug == "parkrun-gp-practices")
    assert "name matches 'parkrun'" in parkrun.reasons and named.index(parkrun) < \
        plain.index("parkrun-gp-practices")
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
    assert out["total"] == count_services_at(seeded_url, "loneliness", "Tendring", 78)
    assert out["results"][0]["slug"] == "befriending-scheme"
    assert out["results"][0]["assured_date"] == "2026-12-01"  # dates as ISO text


def test_search_command_text_and_errors(seeded_url, capsys):
    assert main(["directory", "search", "--need", "crisis", "--limit", "1",
                 "--url", seeded_url]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1. 999 Emergency Services (NHS)") and "more: use --offset 1" in out
    assert main(["directory", "search", "--need", "loneliness", "--district", "Narnia",
                 "--url", seeded_url]) == 2
    assert capsys.readouterr().err.startswith("signpost: error: unknown place 'Narnia'")


def count_services_at(url: str, need: str, district: str, age: int) -> int:
    with session_scope(url) as s:
        return count_services(s, need, district=district, age=age)


def test_services_for_particular_circumstances_need_them(session):
    """Perinatal care is for pregnant women and new parents: a resident sees it only when
    they said so; practitioners see it; a carers' service needs no words (the need implies
    it); a stated circumstance ranks its services higher."""
    perinatal = "perinatal-emotional-wellbeing"
    assert perinatal not in slugs(session, "mental_wellbeing", audience="resident")
    said = search_services(session, "mental_wellbeing", audience="resident", limit=100,
                           circumstances=("pregnant_or_new_parent",))
    assert perinatal in [r.slug for r in said[:3]]
    assert "made for your situation" in next(r for r in said if r.slug == perinatal).reasons
    assert perinatal not in slugs(session, "mental_wellbeing", audience="practitioner")
    assert perinatal in slugs(session, "mental_wellbeing")  # the bare API lists everything
    assert "young-carers-support" in slugs(session, "carer_support", audience="resident",
                                           age=15)
    assert "young-carers-support" not in slugs(session, "loneliness", audience="resident",
                                               age=15)
    with pytest.raises(ValueError, match="unknown circumstance 'rich'"):
        search_services(session, "loneliness", circumstances=("rich",))
