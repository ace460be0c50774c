"""Issue 16, in the web app: the security headers are on every response (pages, the API,
static files, errors), 404 and 500 are our one page with the crisis lines, no error body
repeats what the request sent, page numbers and offsets are bounded, and there is a favicon.

Before the fix: /api/*, static files and the default 404 had no security headers, the 404 was
werkzeug's page without the help-now panel, JSON errors echoed the input, and huge pages and
offsets went to the database."""
from __future__ import annotations

import re

import pytest
from robust_helpers import has_crisis_lines

from web.app import create_app
from web.security_headers import HEADERS

PROBE = "zq<script>alert(1)</script>"


@pytest.fixture
def app(sqlite_url):
    app = create_app(database_url=sqlite_url)
    app.config.update(TESTING=True, RATE_LIMITS={})
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.mark.parametrize("path", [
    "/", "/accessibility", "/api/", "/api/services", "/api/services/not-a-service",
    "/static/site.css", "/vendor/nhsuk/nhsuk-frontend.min.css", "/no/such/page",
    "/api/no/such", "/healthz", "/favicon.ico", "/commissioners/login",
])
def test_every_response_carries_the_security_headers(client, path):
    resp = client.get(path)
    for name in HEADERS:
        assert resp.headers.get(name), f"{path} ({resp.status_code}) has no {name}"
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]


def test_a_missing_page_is_our_page_with_the_crisis_lines_and_no_echo(client):
    resp = client.get(f"/{PROBE}")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 404 and resp.mimetype == "text/html"
    assert "Page not found" in body and has_crisis_lines(body)
    assert "zq" not in body and "alert" not in body


def test_a_wrong_method_is_the_same_page(client):
    resp = client.delete("/accessibility")
    assert resp.status_code == 405 and has_crisis_lines(resp.get_data(as_text=True))


def test_a_crash_is_our_500_page_with_the_crisis_lines_and_headers(app):
    @app.get("/boom-test")
    def boom():
        raise RuntimeError(PROBE)

    app.config["PROPAGATE_EXCEPTIONS"] = False
    resp = app.test_client().get("/boom-test")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 500 and has_crisis_lines(body)
    assert "zq" not in body and resp.headers.get("X-Frame-Options") == "DENY"


@pytest.mark.parametrize("url", [
    f"/api/services/{PROBE}", f"/api/taxonomies/{PROBE}", f"/api/taxonomy_terms/{PROBE}",
    f"/api/service_at_locations/{PROBE}", f"/api/services?page={PROBE}",
    f"/api/services?minimum_age={PROBE}", f"/api/services?taxonomy_term_id={PROBE}",
    f"/api/no-such-thing/{PROBE}", f"/api/stats/referrals?{PROBE}=1",
])
def test_json_errors_do_not_echo_the_input(client, url):
    resp = client.get(url, headers={"Authorization": "Bearer " + "x" * 40})
    assert 400 <= resp.status_code < 500
    assert "zq" not in resp.get_data(as_text=True), resp.get_data(as_text=True)


@pytest.mark.parametrize("url", [
    "/api/services?page=10001", "/api/taxonomy_terms?page=99999999999999999999",
    "/api/search?need=loneliness&offset=100001",
    "/api/search?need=loneliness&offset=9223372036854775808",
])
def test_pages_and_offsets_are_bounded(client, url):
    resp = client.get(url)
    assert resp.status_code == 400 and "must be from" in resp.get_json()["detail"]


def test_there_is_a_favicon(client):
    resp = client.get("/favicon.ico")
    assert resp.status_code == 200 and resp.mimetype == "image/svg+xml"
    assert 'rel="icon"' in client.get("/accessibility").get_data(as_text=True)


@pytest.mark.parametrize("css", ["/vendor/nhsuk/nhsuk-frontend.min.css", "/static/site.css"])
def test_no_stylesheet_loads_anything_from_another_host(client, css):
    resp = client.get(css)
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200 and resp.mimetype == "text/css" and len(text) > 100
    assert not re.search(r"url\(\s*['\"]?https?://", text)  # fonts from assets.nhs.uk were
