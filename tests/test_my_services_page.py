"""/my-services: the resident's "Save or print these services" page (web/my_services.py), by
service id only, with the Flask test client on a seeded directory."""
from __future__ import annotations

import pytest

from services_directory.seed import seed
from signpost import help_lines
from web.app import create_app


@pytest.fixture
def client(sqlite_url):
    seed(sqlite_url)
    app = create_app(database_url=sqlite_url)
    app.testing = True
    return app.test_client()


def test_the_services_with_contacts_copy_text_and_their_own_link(client):
    r = client.get("/my-services?s=befriending-scheme&s=marmalade-trust&s=befriending-scheme")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in r.headers
    assert html.count('<li class="summary-service">') == 2  # each once
    assert 'href="tel:03003039988"' in html
    assert "http://localhost/my-services?s=befriending-scheme&amp;s=marmalade-trust" in html
    assert '<textarea class="nhsuk-textarea" id="summary-text"' in html
    for line in help_lines.help_now():
        assert line.label in html


def test_other_parameters_never_reach_the_page_or_its_link(client):
    r = client.get("/my-services?s=befriending-scheme&msg=I+am+lonely&name=Jo")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "msg=" not in html and "I am lonely" not in html and "name=Jo" not in html


@pytest.mark.parametrize(("query", "status", "reason"), [
    ("", 400, "no services"),
    ("?s=", 400, "no services"),
    ("?" + "&".join(f"s=x{i}" for i in range(11)), 400, "up to 10"),
    ("?s=" + "x" * 101, 400, "not one the chat made"),
    ("?s=no-such-service", 404, "in the directory any more"),
])
def test_a_bad_link_gets_a_clear_reason(client, query, status, reason):
    r = client.get("/my-services" + query)
    html = r.get_data(as_text=True)
    assert r.status_code == status
    assert "There is a problem" in html and reason in html.lower()
    assert "85258" in html  # the help lines are still there


def test_a_service_gone_from_the_directory_is_said_and_the_rest_shown(client):
    r = client.get("/my-services?s=no-such-service&s=befriending-scheme")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "1 of the services in this link is no longer in the directory" in html
    assert html.count('<li class="summary-service">') == 1
