"""The web app's own pages (Flask test client; the running server is covered in tests/e2e)."""
from __future__ import annotations

import pytest

from web.app import create_app


@pytest.fixture
def client(sqlite_url):
    app = create_app(database_url=sqlite_url)
    app.testing = True
    return app.test_client()


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.get_json() == {"status": "ok"}


def test_home_page_shows_crisis_lines_and_privacy_notice(client):
    html = client.get("/").get_data(as_text=True)
    for line in ("999", "116 123", "85258", "0800 1111"):
        assert line in html
    assert "privacy" in html.lower()
    assert 'href="/accessibility"' in html


def test_unknown_api_path_is_json_404(client):
    r = client.get("/api/no-such-thing")
    assert r.status_code == 404
    assert r.is_json
