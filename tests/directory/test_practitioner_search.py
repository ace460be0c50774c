"""The practitioner pages over HTTP (Flask test client, seeded database on SQLite and
PostgreSQL, plus made-up services from practitioner_records): free text to need, town or
postcode, readable service URLs, the back link, the patient list, and directory freshness."""
from __future__ import annotations

import html
import logging
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from practitioner_records import (
    COUNTY,
    LOCAL,
    NATIONAL,
    NO_CONTACT,
    OLD_CHECK,
    SOUTHEND,
    add_test_services,
)
from sqlalchemy import func, inspect, select, table

from services_directory.ids import stable_id
from signpost import cli as signpost_cli
from signpost.db import get_engine

TOKEN = "freshness-token-" + "q" * 24


@pytest.fixture(scope="module", autouse=True)
def test_services(seeded_url):
    add_test_services(seeded_url)


def row_counts(url: str) -> dict[str, int]:
    engine = get_engine(url)
    with engine.connect() as conn:
        return {n: conn.execute(select(func.count()).select_from(table(n))).scalar_one()
                for n in inspect(engine).get_table_names()}


def page(client, url: str, status: int = 200) -> str:
    resp = client.get(url)
    assert resp.status_code == status, (url, resp.status_code, resp.get_data(as_text=True)[:500])
    return html.unescape(resp.get_data(as_text=True))


def visible(body: str) -> str:
    """The page's text without tags, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", body).split()).replace(" ,", ",").replace(" .", ".")


def areas_on(body: str) -> set[str]:
    """The "Areas" of every result card."""
    areas = set(re.findall(r'Areas</dt>\s*<dd class="nhsuk-summary-list__value">([^<]*)</dd>',
                           body))
    assert areas, "no result cards"
    return areas


NATIONAL_AREA = "National (anywhere in England)"


def slugs_on(body: str) -> list[str]:
    return re.findall(r'href="/practitioners/services/([a-z0-9-]+)\?back=', body)


# --- free text to need ---------------------------------------------------------------------

def test_free_text_finds_the_need_and_ranks_by_it(client):
    body = page(client, "/practitioners?q=lonley+widower&where=Clacton")
    assert ("Showing results for: Loneliness and social isolation (from what you typed)"
            in visible(body))
    assert slugs_on(body)[0] == LOCAL  # local, direct contact, recently checked
    assert 'value="lonley widower"' in body  # the form keeps what was typed


@pytest.mark.parametrize("typed, label", [
    ("wieght", "Weight and healthy eating"),
    ("anxeity and not sleeping", "Mental health and emotional wellbeing"),
    ("carer for mum with dementia", "Support for carers"),
])
def test_typos_and_plain_words_find_the_need(client, typed, label):
    body = page(client, f"/practitioners?q={typed}")
    assert f"Showing results for: {label}" in visible(body)


def test_unsure_text_asks_with_the_likeliest_needs(client):
    body = page(client, "/practitioners?q=asdfgh&where=Clacton")
    assert "Which of these does the person need help with?" in body
    assert "Results</h2>" not in body
    choice_links = re.findall(r'<li><a href="(/practitioners\?[^"]+)">', body)
    assert len(choice_links) == 3
    for link in choice_links:
        args = parse_qs(urlsplit(link).query)
        assert args["q"] == ["asdfgh"] and args["where"] == ["Clacton"] and args["need"]
    # following a choice gives results for that need
    assert "Results</h2>" in page(client, choice_links[0])


def test_a_chosen_need_overrides_the_words(client):
    body = page(client, "/practitioners?q=lonely&need=smoking")
    assert "Showing results for: Stopping smoking," in visible(body)
    assert "(from what you typed)" not in body
    assert '<option value="smoking" selected>' in body


def test_no_words_and_no_need_is_an_error(client):
    body = page(client, "/practitioners?where=Clacton", 400)
    assert "There is a problem" in body and "Enter what the person needs help with" in body
    assert 'href="#q"' in body


def test_old_need_and_district_links_still_work(client):
    body = page(client, "/practitioners?need=loneliness&district=Tendring&age=79")
    assert "for people living in Tendring" in visible(body)
    assert LOCAL in slugs_on(body)
    assert 'value="Tendring"' in body  # shown in the town field from now on


def test_links_from_results_leave_empty_fields_out(client):
    body = page(client, "/practitioners?q=stop+smoking&where=&age=&need=")
    assert "Showing results for: Stopping smoking" in visible(body)
    assert '?back=q%3Dstop%2Bsmoking"' in body


# --- town or postcode ---------------------------------------------------------------------

def test_town_and_full_postcode_search_their_district(client):
    for where in ("Clacton", "CO15 1AB", "co151ab", "Tendring"):
        body = page(client, f"/practitioners?q=lonely&where={where}")
        assert "for people living in Tendring" in visible(body), where
        found = slugs_on(body)
        assert LOCAL in found and COUNTY in found and NATIONAL in found, where
        assert SOUTHEND not in found
        assert areas_on(body) <= {"Tendring", "All of Essex", NATIONAL_AREA}


def test_an_outward_code_across_districts_is_asked_about(client):
    body = page(client, "/practitioners?q=lonely&where=CM3")
    assert "The postcode area CM3 covers more than one council area" in body
    assert "Results</h2>" not in body  # never silently one of them
    places = [parse_qs(urlsplit(u).query)["where"][0] for u in
              re.findall(r'<li><a href="(/practitioners\?[^"]+)">', body)]
    assert places == ["Chelmsford", "Maldon", "Braintree", "Uttlesford"]
    maldon = page(client, "/practitioners?q=lonely&where=Maldon")
    assert "for people living in Maldon" in visible(maldon)


def test_southend_is_its_own_council(client):
    for where in ("SS1", "Leigh-on-Sea", "Southend"):
        body = page(client, f"/practitioners?q=lonely&where={where}")
        assert "Southend-on-Sea is a separate council from Essex County Council" in body
        found = slugs_on(body)
        assert SOUTHEND in found and NATIONAL in found
        assert LOCAL not in found and COUNTY not in found  # Essex services are not theirs
        assert areas_on(body) <= {"Southend-on-Sea", NATIONAL_AREA}


def test_thurrock_is_its_own_council(client):
    body = page(client, "/practitioners?q=lonely&where=Grays")
    assert "Thurrock is a separate council from Essex County Council" in body
    assert NATIONAL in slugs_on(body) and SOUTHEND not in slugs_on(body)
    assert areas_on(body) <= {"Thurrock", NATIONAL_AREA}


def test_outside_essex_shows_national_services(client):
    for where in ("SW1A 1AA", "London"):
        body = page(client, f"/practitioners?q=lonely&where={where}")
        assert f"{where} is outside Essex" in body
        assert NATIONAL in slugs_on(body)
        assert areas_on(body) == {NATIONAL_AREA}


@pytest.mark.parametrize("where, message", [
    ("Narnia", "We do not recognise “Narnia”. Enter a town or district in Essex, or a postcode"),
    ("CO15 1ZZ", "We cannot find the postcode CO15 1ZZ"),
    ("ZZ9", "We cannot find the postcode ZZ9"),
    ("x" * 101, "Town or postcode must be 100 characters or fewer"),
])
def test_an_unrecognised_place_is_a_field_error(client, where, message):
    body = page(client, f"/practitioners?q=lonely&where={where}", 400)
    assert "There is a problem" in body and body.count(message) == 2  # summary and field
    assert 'href="#where"' in body and 'aria-describedby="where-hint where-error"' in body


def test_a_near_miss_town_suggests_the_right_one(client):
    body = page(client, "/practitioners?q=lonely&where=Chelmsferd", 400)
    assert 'Did you mean <a href="/practitioners?q=lonely&where=Chelmsford">Chelmsford</a>' \
        in body


# --- service pages, back link --------------------------------------------------------------

def test_results_link_to_readable_service_urls_that_carry_the_search(client):
    body = page(client, "/practitioners?q=lonely&where=Clacton&age=80")
    link = re.search(rf'href="(/practitioners/services/{LOCAL}\?back=[^"]+)"', body).group(1)
    assert parse_qs(urlsplit(link).query)["back"] == ["q=lonely&where=Clacton&age=80"]
    service = page(client, link)
    assert "<h1>Test Tendring befriending line</h1>" in service
    assert '<a class="nhsuk-back-link" href="/practitioners?q=lonely&where=Clacton&age=80">' \
           "Back to results</a>" in service
    assert "Monday to Friday, 9am to 5pm" in service  # opening hours
    assert re.search(r"Last checked</dt>\s*<dd[^>]*>\s*\w+ \d{4}", service)


def test_old_uuid_urls_redirect_to_the_slug(client):
    uuid = stable_id("service", LOCAL)
    resp = client.get(f"/practitioners/services/{uuid}")
    assert resp.status_code == 301
    assert resp.headers["Location"] == f"/practitioners/services/{LOCAL}"
    resp = client.get(f"/practitioners/services/{uuid}?back=q%3Dlonely")
    assert resp.headers["Location"] == f"/practitioners/services/{LOCAL}?back=q%3Dlonely"
    assert client.get("/practitioners/services/" + "0" * 8 + "-0000-4000-8000-" + "0" * 12
                      ).status_code == 404


def test_unknown_slug_is_404_with_the_help_panel(client):
    body = page(client, "/practitioners/services/no-such-service", 404)
    assert "Service not found" in body and "116 123" in body
    page(client, "/practitioners/services/" + "a" * 5000, 404)


@pytest.mark.parametrize("back", [
    "https://evil.example/practitioners?q=x", "//evil.example", "/\\evil.example",
    "javascript:alert(1)", "q=lonely&next=https://evil.example", "\r\nLocation: x",
])
def test_the_back_link_only_ever_points_to_the_search(client, back):
    resp = client.get(f"/practitioners/services/{LOCAL}", query_string={"back": back})
    body = html.unescape(resp.get_data(as_text=True))
    link = re.search(r'class="nhsuk-back-link" href="([^"]*)"', body).group(1)
    assert link.startswith("/practitioners") and "evil" not in link and "javascript" not in link
    assert urlsplit(link).netloc == "" and urlsplit(link).path == "/practitioners"
    resp = client.get(f"/practitioners/services/{stable_id('service', LOCAL)}",
                      query_string={"back": back})
    location = urlsplit(resp.headers["Location"])
    assert location.netloc == "" and location.path == f"/practitioners/services/{LOCAL}"
    assert "evil" not in parse_qs(location.query).get("back", [""])[0].split("=")[0]


# --- the patient list -----------------------------------------------------------------------

def test_results_have_a_labelled_checkbox_per_service_in_a_get_form(client):
    body = page(client, "/practitioners?q=lonely&where=Clacton")
    assert '<form method="get" action="/practitioners/summary" id="patient-list"' in body
    assert f'name="s" type="checkbox" value="{LOCAL}"' in body
    assert re.search(r'Add to patient list<span class="nhsuk-u-visually-hidden"> for '
                     r"Test Tendring befriending line</span></label>", body)
    assert '<input type="hidden" name="back" value="q=lonely&where=Clacton">' in body


def test_the_patient_list_shows_how_to_get_in_touch(client):
    body = page(client, f"/practitioners/summary?s={LOCAL}&s={COUNTY}&s={NO_CONTACT}"
                        "&back=q%3Dlonely%26where%3DClacton")
    for name in ("Test Tendring befriending line", "Test Essex walk and talk",
                 "Test Tendring coffee mornings"):
        assert f'<h2 class="nhsuk-heading-m">{name}</h2>' in body
    assert '<a href="tel:01632960001">01632 960001</a>' in body
    assert '<a href="tel:01632960002">01632 960002</a>' in body
    assert '<a href="https://example.org/walk-and-talk" rel="noopener noreferrer">' in body
    assert "Opening hours:</strong> Monday to Friday, 9am to 5pm" in body
    assert "How to start:</strong> Call the line and ask for a chat." in body
    assert "We do not have a phone number or website for this service yet" in body
    assert len(re.findall(r"Details last checked: [A-Z][a-z]+ \d{4}<", body)) == 3
    assert "Nothing about you is stored" in body
    assert 'href="/practitioners?q=lonely&where=Clacton">Back to results' in body
    # the same list as text, to copy
    text = re.search(r'<textarea[^>]*id="summary-text"[^>]*>(.*?)</textarea>', body, re.S)
    assert "1. Test Tendring befriending line" in text.group(1)
    assert "Phone: 01632 960001" in text.group(1) and "116 123" in text.group(1)
    assert 'id="print-list" hidden' in body and "summary.js" in body  # enhancement only


def test_the_patient_list_is_not_stored_cached_or_logged(client, seeded_url, caplog):
    before = row_counts(seeded_url)
    with caplog.at_level(logging.DEBUG):
        resp = client.get(f"/practitioners/summary?s={LOCAL}&s={NATIONAL}")
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in resp.headers
    assert row_counts(seeded_url) == before
    assert not [r for r in caplog.records if LOCAL in r.getMessage()
                or NATIONAL in r.getMessage()]


def test_repeated_services_are_listed_once(client):
    body = page(client, f"/practitioners/summary?s={LOCAL}&s={LOCAL}&s=+{LOCAL}+")
    assert body.count('<h2 class="nhsuk-heading-m">Test Tendring befriending line</h2>') == 1


def test_at_most_ten_services(client, seeded_url):
    from sqlalchemy import select

    from services_directory.models import Service
    from signpost.db import session_scope

    with session_scope(seeded_url) as s:
        slugs = sorted(s.scalars(select(Service.slug)))[:11]
    ten = "&".join(f"s={slug}" for slug in slugs[:10])
    assert page(client, f"/practitioners/summary?{ten}").count("summary-service") == 10
    body = page(client, f"/practitioners/summary?{ten}&s={slugs[10]}", 400)
    assert "Choose 10 services or fewer for one patient list (you chose 11)" in body


@pytest.mark.parametrize("query, message", [
    ("", "Choose at least one service for the patient list"),
    ("s=&s=+", "Choose at least one service for the patient list"),
    (f"s={LOCAL}&s=no-such-service", "not in the directory: no-such-service"),
    ("s=%3Cscript%3Ealert(1)%3C/script%3E", "not in the directory: <script>"),
])
def test_a_bad_patient_list_is_a_clear_400(client, query, message):
    resp = client.get(f"/practitioners/summary?{query}")
    assert resp.status_code == 400
    raw = resp.get_data(as_text=True)
    assert "<script>alert" not in raw  # escaped
    body = html.unescape(raw)
    assert "There is a problem" in body and message in body and "116 123" in body


# --- directory freshness (commissioners) ----------------------------------------------------

@pytest.fixture
def token(monkeypatch) -> str:
    monkeypatch.setenv("COMMISSIONER_TOKEN", TOKEN)
    return TOKEN


def test_freshness_needs_the_commissioner_sign_in(client, token):
    resp = client.get("/commissioners/directory-freshness")
    assert resp.status_code == 401
    assert "Sign in to commissioner statistics" in resp.get_data(as_text=True)
    resp = client.get("/commissioners/directory-freshness",
                      headers={"Authorization": "Bearer wrong"})
    assert resp.status_code == 401


def test_freshness_lists_services_to_check(client, token):
    resp = client.get("/commissioners/directory-freshness",
                      headers={"Authorization": f"Bearer {TOKEN}"})
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    body = html.unescape(resp.get_data(as_text=True))
    row = body[body.index("Test Tendring coffee mornings"):]
    row = row[:row.index("</tr>")]
    assert "Test provider" in row and "No phone, email or website" in row
    assert f'href="/practitioners/services/{OLD_CHECK}"' in body
    old = body[body.index("Test Tendring lunch club"):]
    assert "Last checked over 12 months ago" in old[:old.index("</tr>")]
    assert "Test Tendring befriending line" not in body  # a phone, checked last month
    listed = int(re.search(r'id="count-listed">(\d+)<', body).group(1))
    assert listed == body.count('<tr class="nhsuk-table__row">') - 1  # minus the header row
    assert int(re.search(r'id="count-no-contact">(\d+)<', body).group(1)) >= 1


def test_freshness_months_can_be_changed_and_are_checked(client, token):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    body = client.get("/commissioners/directory-freshness?months=36", headers=auth
                      ).get_data(as_text=True)
    assert "Test Tendring lunch club" not in body  # checked 500 days ago: within 36 months
    resp = client.get("/commissioners/directory-freshness?months=0", headers=auth)
    assert resp.status_code == 400
    assert "Months must be a whole number from 1 to 120" in resp.get_data(as_text=True)


def test_freshness_command(seeded_url, capsys):
    assert signpost_cli.main(["directory", "freshness", "--url", seeded_url]) == 0
    out = capsys.readouterr().out
    assert re.match(r"\d+ of \d+ active services need checking", out)
    assert "- Test Tendring coffee mornings (Test provider): no phone, email or website." in out
    assert "Test Tendring lunch club (Test provider): last checked over 12 months ago." in out
    assert "Test Tendring befriending line" not in out
    assert signpost_cli.main(["directory", "freshness", "--url", seeded_url,
                              "--months", "36"]) == 0
    assert "Test Tendring lunch club" not in capsys.readouterr().out


def test_the_dashboard_links_to_the_freshness_list(client, token):
    body = client.get("/commissioners", headers={"Authorization": f"Bearer {TOKEN}"}
                      ).get_data(as_text=True)
    assert 'href="/commissioners/directory-freshness"' in body
