"""The practitioner search: server-rendered (Flask test client) and, for escaping, in Chromium
against a directory that holds a record with HTML in it."""
from __future__ import annotations

import re

import pytest
from browser_helpers import screenshot
from playwright.sync_api import expect

from services_directory.importer import import_records
from services_directory.seed import parse_seed
from web.app import create_app
from web.pages import safe_url

XSS_NAME = '<img src=x onerror="window.__xss=1"> Befriending <script>window.__xss=1</script>'
XSS_SEED = {
    "organizations": [{"slug": "xss-org", "name": "<b>Bold</b> org",
                       "description": "An organisation <script>window.__xss=1</script>"}],
    "services": [{
        "slug": "xss-befriending", "name": XSS_NAME, "organization": "xss-org",
        "description": 'Calls <a href="javascript:window.__xss=1">here</a>',
        "needs": ["loneliness"], "jhws_actions": [], "priority_measures": [],
        "source": "test", "status": "active", "minimum_age": None, "maximum_age": None,
        "eligibility": "<iframe src=javascript:window.__xss=1></iframe>",
        "service_areas": ["Tendring"], "audience": ["resident", "practitioner"],
        "contact": {"phone": None, "email": None, "url": None,
                    "note": "<svg onload=window.__xss=1>"},
        "referral_routes": [{"kind": "professional_referral",
                             "instructions": "<img src=y onerror=window.__xss=1>"}],
    }],
}


@pytest.fixture(scope="module")
def client(seeded_db, tmp_path_factory, monkeypatch_module):
    monkeypatch_module.setenv("SIGNPOST_VAR_DIR", str(tmp_path_factory.mktemp("var")))
    return create_app(database_url=seeded_db).test_client()


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


@pytest.fixture(scope="module")
def xss_site(serve_app, tmp_path_factory) -> str:
    """A second web app on its own directory: the seed plus one record full of HTML."""
    from services_directory.seed import seed
    from signpost import migrate

    url = f"sqlite:///{tmp_path_factory.mktemp('xss') / 'signpost.db'}"
    migrate.upgrade(url)
    seed(url)
    orgs, services, problems = parse_seed(XSS_SEED, "xss.yml")
    assert not problems, problems
    import_records(orgs, services, url)
    return serve_app(url)


def text(resp) -> str:
    return resp.get_data(as_text=True)


def test_search_is_a_shareable_get_url_with_referral_routes(client):
    resp = client.get("/practitioners?q=lonely+widower&where=Clacton&age=79")
    assert resp.status_code == 200
    html = text(resp)
    assert re.search(r"Befriending|Community Agents|Care Navigator", html)
    assert "How to refer" in html and "JHWS actions" in html and "Eligibility" in html
    assert "Opening hours" in html or "Last checked" in html
    # the form keeps what was asked, so the URL alone reproduces the page
    assert 'value="lonely widower"' in html
    assert 'value="Clacton"' in html
    assert 'value="79"' in html


def test_each_result_has_its_own_page(client):
    html = text(client.get("/practitioners?need=smoking&where=Braintree"))
    link = re.search(r'href="(/practitioners/services/[a-z0-9-]+)\?back=', html).group(1)
    page = client.get(link)
    assert page.status_code == 200
    assert "Referral route for practitioners" in text(page)
    assert client.get("/practitioners/services/not-a-service").status_code == 404


def test_paging_links_keep_the_search(client):
    html = text(client.get("/practitioners?need=mental_wellbeing"))
    total = int(re.search(r"(\d+) services? found", html).group(1))
    if total <= 10:
        pytest.skip("the seed has too few services to page")
    nxt = re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    assert "need=mental_wellbeing" in nxt and "page=2" in nxt
    assert client.get(nxt).status_code == 200


@pytest.mark.parametrize("query, message", [
    ("need=nonsense", "Select a need from the list"),
    ("where=Southend", "Enter what the person needs help with"),
    ("need=loneliness&where=Narnia", "We do not recognise"),
    ("need=loneliness&district=Narnia", "We do not recognise"),
    ("need=loneliness&age=121", "Age must be a whole number from 0 to 120"),
    ("need=loneliness&age=-1", "Age must be a whole number from 0 to 120"),
    ("need=loneliness&age=old", "Age must be a whole number from 0 to 120"),
    ("need=loneliness&page=0", "Page must be a whole number"),
])
def test_bad_parameters_give_an_error_summary_and_400(client, query, message):
    resp = client.get(f"/practitioners?{query}")
    assert resp.status_code == 400
    html = text(resp)
    assert "There is a problem" in html and message in html
    assert "<title>Error:" in html
    assert "116 123" in html  # the help panel is still there


def test_blank_form_and_pages_have_help_panel_and_csp(client):
    for path in ("/practitioners", "/", "/accessibility"):
        resp = client.get(path)
        assert resp.status_code == 200
        assert "If you need help now" in text(resp)
        assert "script-src 'self'" in resp.headers["Content-Security-Policy"]


def test_only_web_addresses_become_links():
    assert safe_url("https://example.org/form") == "https://example.org/form"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url(" JavaScript:alert(1)") is None
    assert safe_url("data:text/html,<script>") is None
    assert safe_url("//evil.example") is None
    assert safe_url(None) is None


@pytest.mark.browser
def test_html_in_a_directory_record_is_inert_on_the_practitioner_pages(new_page, xss_site):
    # bypass_csp: prove the escaping itself, not just our Content-Security-Policy.
    page = new_page(bypass_csp=True)
    page.goto(xss_site + "/practitioners?need=loneliness&district=Tendring&q=befriending")
    card = page.locator(".service-card").filter(has_text="Befriending <script>")
    expect(card).to_have_count(1)
    expect(card.get_by_role("link", name=XSS_NAME)).to_be_visible()  # the name, as text
    expect(card).to_contain_text("<iframe src=javascript:window.__xss=1></iframe>")
    expect(card).to_contain_text("<img src=y onerror=window.__xss=1>")
    assert card.locator("img, script, iframe, svg").count() == 0
    card.get_by_role("link", name=XSS_NAME).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(XSS_NAME)
    expect(page.locator("main")).to_contain_text('<a href="javascript:window.__xss=1">here</a>')
    assert page.locator("main img, main script, main iframe, main svg").count() == 0
    assert not [h for h in page.locator("a").evaluate_all("as => as.map(a => a.href)")
                if h.startswith("javascript")]
    page.wait_for_timeout(200)
    assert page.evaluate("window.__xss") is None
    screenshot(page, "practitioner-service-xss-1280")
