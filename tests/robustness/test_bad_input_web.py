"""Hostile input to every public web endpoint (Flask test client, on a seeded SQLite database).

Every answer must be a 4xx with a reason or a normal answer: never a 5xx or a crash, and the
database must be unchanged afterwards. Hypothesis runs 300 examples per endpoint family
(SIGNPOST_FUZZ_EXAMPLES raises it; see robust_helpers.py).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st
from robust_helpers import NASTY, URL_SAFE_TEXT, fuzz, has_crisis_lines, row_counts

from referral_log.dashboard import API_PARAMS, DASHBOARD_PARAMS
from referral_log.simulate import simulate
from services_directory.seed import seed
from signpost import migrate
from signpost.db import get_engine
from signpost.needs import NEED_IDS
from web.app import create_app
from web.pages import SEARCH_PARAMS

TOKEN = "robustness-token-" + "z" * 24
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ONE_MB = 1024 * 1024


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('robust-web') / 'signpost.db'}"
    migrate.upgrade(url)
    seed(url)
    simulate(url, 2_000, seed=7)  # statistics to report on
    yield url
    get_engine(url).dispose()


@pytest.fixture(scope="module")
def app(seeded):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COMMISSIONER_TOKEN", TOKEN)
        mp.setenv("SIGNPOST_SECRET_KEY", "s" * 40)
        mp.setenv("SIGNPOST_LOG_SECRET", "l" * 40)
        app = create_app(database_url=seeded)
        app.config["RATE_LIMITS"] = {}  # thousands of requests from one address: no limits
        app.testing = True  # an exception fails the test with its traceback
        yield app


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def ids(seeded) -> dict[str, str]:
    """One real id of each kind, read through the API."""
    app = create_app(database_url=seeded)
    app.config["RATE_LIMITS"] = {}
    c = app.test_client()
    service = c.get("/api/services?per_page=1").get_json()["contents"][0]["id"]
    taxonomy = c.get("/api/taxonomies?per_page=1").get_json()["contents"][0]["id"]
    term = c.get("/api/taxonomy_terms?per_page=1").get_json()["contents"][0]["id"]
    sal = c.get("/api/service_at_locations?per_page=1").get_json()["contents"][0]["id"]
    return {"service": service, "taxonomy": taxonomy, "term": term, "sal": sal}


def check(resp, *, json_api: bool) -> None:
    """A normal answer, or a 4xx that says why; never a 5xx."""
    assert resp.status_code < 500, (resp.status_code, resp.get_data(as_text=True)[:500])
    if json_api and resp.status_code >= 400:
        body = resp.get_json(silent=True)
        assert body and body.get("detail"), resp.get_data(as_text=True)[:300]
    elif resp.status_code >= 400:
        assert resp.get_data(), "an error with no text"


def value_of(need_ids: bool = False):
    valid = st.sampled_from(NEED_IDS) if need_ids else st.nothing()
    return st.one_of(URL_SAFE_TEXT, valid, st.integers(-10**40, 10**40).map(str))


PAGE_PATHS = ["/", "/practitioners", "/accessibility", "/commissioners/login", "/healthz",
              "/practitioners/services/{id}"]
API_PATHS = ["/api", "/api/", "/api/services", "/api/services/{id}", "/api/taxonomies",
             "/api/taxonomies/{id}", "/api/taxonomy_terms", "/api/taxonomy_terms/{id}",
             "/api/service_at_locations", "/api/service_at_locations/{id}", "/api/search",
             "/api/openapi.json"]
API_QUERY = ["page", "per_page", "search", "taxonomy_term_id", "taxonomy_id", "minimum_age",
             "maximum_age", "postcode", "need", "district", "age", "limit", "offset", "text",
             "audience"]


def queries(names: list[str], need_ids: bool = False):
    known = st.dictionaries(st.sampled_from(names), value_of(need_ids), max_size=5)
    unknown = st.dictionaries(URL_SAFE_TEXT.filter(bool), URL_SAFE_TEXT, max_size=2)
    return st.tuples(known, unknown).map(lambda kv: {**kv[1], **kv[0]})


def path_ids(ids_: dict[str, str]):
    real = st.sampled_from(sorted(ids_.values()))
    return st.one_of(real, URL_SAFE_TEXT.filter(bool)).map(lambda s: quote(s, safe=""))


# --- property tests, one per endpoint family ---------------------------------------------

def test_pages_fuzz(client, seeded, ids):
    before = row_counts(seeded)

    @fuzz(300)
    @given(path=st.sampled_from(PAGE_PATHS), some_id=path_ids(ids),
           query=queries(list(SEARCH_PARAMS), need_ids=True))
    def run(path, some_id, query):
        resp = client.get(path.format(id=some_id), query_string=query)
        check(resp, json_api=False)

    run()
    assert row_counts(seeded) == before


def test_oruk_api_fuzz(client, seeded, ids):
    before = row_counts(seeded)

    @fuzz(300)
    @given(path=st.sampled_from(API_PATHS), some_id=path_ids(ids),
           query=queries(API_QUERY, need_ids=True))
    def run(path, some_id, query):
        resp = client.get(path.format(id=some_id), query_string=query)
        check(resp, json_api=True)
        if resp.status_code == 200 and path != "/api/openapi.json":
            assert resp.is_json

    run()
    assert row_counts(seeded) == before


def test_statistics_fuzz(client, seeded):
    before = row_counts(seeded)
    auth = st.one_of(st.just(AUTH), st.just({}),
                     URL_SAFE_TEXT.map(lambda s: {"Authorization": re.sub(
                         r"[\r\n]", "", s.encode("utf-8", "replace").decode("latin-1"))[:200]}))

    @fuzz(300)
    @given(path=st.sampled_from(["/api/stats/referrals", "/commissioners", "/commissioners.csv"]),
           query=queries(sorted(API_PARAMS | DASHBOARD_PARAMS)), headers=auth)
    def run(path, query, headers):
        resp = client.get(path, query_string=query, headers=headers)
        check(resp, json_api=path.startswith("/api/"))

    run()
    assert row_counts(seeded) == before


def test_bodies_fuzz(client, seeded):
    """Any method, any body, any content type, on any endpoint."""
    before = row_counts(seeded)
    paths = [p.format(id="x") for p in PAGE_PATHS + API_PATHS] + [
        "/api/stats/referrals", "/commissioners", "/commissioners/login", "/commissioners/logout"]
    content_types = ["application/json", "application/x-www-form-urlencoded",
                     "multipart/form-data; boundary=xyz", "multipart/form-data", "text/plain",
                     "application/json; charset=latin-1", "\u00e9/\u00e9"]

    @fuzz(300)
    @given(method=st.sampled_from(["POST", "PUT", "PATCH", "DELETE", "GET", "OPTIONS"]),
           path=st.sampled_from(paths), ctype=st.sampled_from(content_types),
           body=st.one_of(st.binary(max_size=3000), st.sampled_from(
               [b"", b"{", b"null", b"\xff\xfe\xfa", b"token=" + b"%ff" * 100,
                b"--xyz\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\nabc\r\n--xyz--"])))
    def run(method, path, ctype, body):
        resp = client.open(path, method=method, data=body,
                           headers={"Content-Type": ctype.encode().decode("latin-1"), **AUTH})
        check(resp, json_api=path.startswith("/api"))

    run()
    assert row_counts(seeded) == before


# --- the named cases ---------------------------------------------------------------------

ENDPOINTS = ["/", "/practitioners", "/practitioners/services/x", "/accessibility", "/api/",
             "/api/services", "/api/search", "/api/stats/referrals", "/commissioners",
             "/commissioners/login"]


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("body", [b"", b"{not json", b"\xff\xfe\xfa\xfb", b"<script>",
                                  b"' OR 1=1 --"], ids=["empty", "bad-json", "bad-utf8",
                                                        "html", "sql"])
def test_bad_bodies_on_every_endpoint(client, seeded, path, body):
    before = row_counts(seeded)
    for ctype in ("application/json", "application/x-www-form-urlencoded"):
        resp = client.post(path, data=body, headers={"Content-Type": ctype, **AUTH})
        check(resp, json_api=path.startswith("/api"))
    assert row_counts(seeded) == before


def test_one_megabyte_body_is_413_with_a_friendly_text(client, seeded):
    before = row_counts(seeded)
    big = b"token=" + b"a" * ONE_MB
    resp = client.post("/commissioners/login", data=big,
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert resp.status_code == 413
    html = resp.get_data(as_text=True)
    assert "too large" in html.lower() and has_crisis_lines(html)
    resp = client.post("/api/services", data=b"{" + b" " * ONE_MB + b"}",
                       headers={"Content-Type": "application/json"})
    assert resp.status_code in (405, 413)  # the API is read-only: method refused first
    assert resp.get_json()["detail"]
    assert row_counts(seeded) == before


@pytest.mark.parametrize("url", [
    "/practitioners?need=loneliness&q=" + "a" * ONE_MB,
    "/api/services?search=" + "a" * ONE_MB,
    "/api/search?need=loneliness&text=" + "a" * ONE_MB,
    "/api/search?need=" + "a" * ONE_MB,
    "/api/stats/referrals?group_by=" + "a" * ONE_MB,
    "/practitioners/services/" + "a" * ONE_MB,
])
def test_one_megabyte_query_or_path_is_refused_politely(client, url):
    check(client.get(url, headers=AUTH), json_api=url.startswith("/api"))


@pytest.mark.parametrize("url,expected", [
    ("/practitioners?need=loneliness&page=99999999999999999999", 400),
    ("/practitioners?need=loneliness&page=10000", 200),
    ("/practitioners?need=loneliness&page=%C2%B2", 400),  # "²": a digit to str.isdigit()
    ("/practitioners?need=loneliness&age=%C2%B2", 400),
    # Pages and offsets are bounded (issue 16): past the bound, 400 with the range.
    ("/api/services?page=10000", 200),
    ("/api/services?page=1000000000", 400),
    ("/api/services?page=" + "9" * 400, 400),
    ("/api/services?page=" + "9" * 5000, 400),  # over Python's int() string limit
    ("/api/services?per_page=100000", 400),
    ("/api/taxonomy_terms?page=99999999999999999999999", 400),
    ("/api/search?need=loneliness&offset=100000000000000000000", 400),
    ("/api/search?need=loneliness&offset=9223372036854775807", 400),
    ("/api/search?need=loneliness&offset=100000", 200),
    ("/api/search?need=loneliness&age=%C2%B2", 400),
])
def test_very_large_page_numbers(client, url, expected):
    resp = client.get(url)
    assert resp.status_code == expected, resp.get_data(as_text=True)[:300]
    if url.startswith("/api/services?page") and expected == 200:
        assert resp.get_json()["contents"] == []
    if "offset=100000" in url and expected == 200:
        assert resp.get_json()["results"] == []
    if expected == 400 and url.startswith("/api/"):
        assert "must be" in resp.get_json()["detail"] and "9999" not in resp.get_json()["detail"]


@pytest.mark.parametrize("path", [
    "/vendor/nhsuk/../../../web/app.py", "/vendor/nhsuk/..%2F..%2F..%2Fweb%2Fapp.py",
    "/vendor/nhsuk/%2e%2e/%2e%2e/%2e%2e/web/app.py", "/assets/images/..%2F..%2F..%2Fpackage.json",
    "/static/../app.py", "/static/..%2fapp.py", "/commissioners/static/..%2f..%2fdashboard.py",
    "/practitioners/services/..%2F..%2F..%2Fetc%2Fpasswd", "/api/services/..%2F..%2Fetc%2Fpasswd",
    "/api/taxonomies/....%2F%2F....%2F%2Fetc%2Fpasswd", "/vendor/nhsuk//etc/passwd",
])
def test_path_traversal_never_reads_a_file(client, path):
    resp = client.get(path)
    assert resp.status_code in (400, 404, 308), (path, resp.status_code)
    body = resp.get_data(as_text=True)
    assert "def create_app" not in body and "root:" not in body and "import" not in body


def test_html_and_script_are_escaped(client):
    attack = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
    for url in (f"/practitioners?need=loneliness&q={quote(attack)}",
                f"/practitioners?need={quote(attack)}",
                f"/practitioners/services/{quote(attack, safe='')}",
                f"/commissioners?from={quote(attack)}"):
        resp = client.get(url, headers=AUTH)
        check(resp, json_api=False)
        html = resp.get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, url
    resp = client.get(f"/api/services/{quote(attack, safe='')}")
    assert resp.status_code == 404 and resp.is_json


def test_sql_metacharacters_are_just_text(client):
    total = client.get("/api/services").get_json()["total_items"]
    assert total > 10
    for text in ("' OR 1=1 --", "%", "_", "' OR ''='", '"; DROP TABLE service; --'):
        body = client.get("/api/services", query_string={"search": text}).get_json()
        assert body["total_items"] < total, text  # not "everything"
        resp = client.get("/practitioners", query_string={"need": "loneliness", "q": text})
        assert resp.status_code == 200
    assert client.get("/api/services").get_json()["total_items"] == total


def test_unknown_query_parameters(client):
    assert client.get("/api/services?colour=blue").status_code == 200  # ORUK: ignored
    assert client.get("/practitioners?colour=blue").status_code == 200
    assert client.get("/?utm_source=leaflet").status_code == 200
    resp = client.get("/api/stats/referrals?colour=blue", headers=AUTH)
    assert resp.status_code == 400 and "unknown parameter" in resp.get_json()["detail"]
    resp = client.get("/commissioners?colour=blue", headers=AUTH)
    assert resp.status_code == 400


def test_random_unicode_search_text_on_the_practitioner_page(client):
    @fuzz(100)
    @given(st.text(max_size=200))
    def run(text):
        resp = client.get("/practitioners", query_string={"need": "loneliness", "q": text})
        assert resp.status_code in (200, 400)
        # Only our own scripts: the widget's file and the help lines' JSON (not executable).
        page = resp.get_data(as_text=True).replace('<script src="/static/', "").replace(
            '<script type="application/json" id="help-lines">', "")
        assert not re.search(r"<script", page)

    run()


def test_limits_are_the_documented_ones(app):
    from bot.fallbacks import MAX_BODY_BYTES, MAX_MESSAGE_CHARS
    from web.ratelimit import DEFAULTS

    assert app.config["MAX_CONTENT_LENGTH"] == 64 * 1024
    assert (MAX_MESSAGE_CHARS, MAX_BODY_BYTES) == (2000, 16 * 1024)
    assert DEFAULTS == {"default": "120/minute", "stats": "30/minute", "login": "10/minute"}
    assert NASTY  # the shared hostile inputs are used by the Rasa tests too
