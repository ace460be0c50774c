"""Commissioner sessions (issue 16): signing out revokes the session cookie on the server
(before, logout only asked the browser to forget it, so a copied cookie stayed valid), and a
weak commissioner token is refused outside development. (The login limit is counted in
Redis when SIGNPOST_RATE_LIMIT_REDIS_URL is set: test_rate_limit.py and the cluster test.)"""
from __future__ import annotations

import pytest

from referral_log import auth
from web.app import create_app

TOKEN = "sessions-token-" + "abcdefgh" * 3


@pytest.fixture
def app(sqlite_url, tmp_path, monkeypatch):
    monkeypatch.setenv("SIGNPOST_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("COMMISSIONER_TOKEN", TOKEN)
    monkeypatch.delenv("SIGNPOST_ENV", raising=False)
    app = create_app(database_url=sqlite_url)
    app.config.update(TESTING=True, RATE_LIMITS={})
    return app


def signed_in(app):
    client = app.test_client()
    assert client.post("/commissioners/login", data={"token": TOKEN}).status_code == 303
    assert client.get("/commissioners").status_code == 200
    return client


def test_logout_revokes_the_cookie_not_only_this_browsers_copy(app):
    client = signed_in(app)
    stolen = client.get_cookie("session").value  # e.g. copied from a shared computer
    assert client.post("/commissioners/logout").status_code == 303
    assert client.get("/commissioners").status_code == 401

    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/commissioners").status_code == 401, "a signed-out cookie still works"
    assert signed_in(app)  # signing in again works


def test_the_revocation_holds_for_every_worker(app, sqlite_url):
    # Another gunicorn worker is another app object over the same var/ directory.
    client = signed_in(app)
    cookie = client.get_cookie("session").value
    other = create_app(database_url=sqlite_url)
    other.config.update(TESTING=True, RATE_LIMITS={})
    elsewhere = other.test_client()
    elsewhere.set_cookie("session", cookie)
    assert elsewhere.get("/commissioners").status_code == 200
    client.post("/commissioners/logout")
    assert elsewhere.get("/commissioners").status_code == 401


def test_logout_without_a_session_revokes_nothing(app):
    before = auth.session_version()
    assert app.test_client().post("/commissioners/logout").status_code == 303
    assert auth.session_version() == before


@pytest.mark.parametrize("weak", ["admin", "password123", "a" * 40, "abcabcabcabcabcabcabcabc"])
def test_a_weak_token_is_refused_outside_development(sqlite_url, tmp_path, monkeypatch, weak):
    monkeypatch.setenv("SIGNPOST_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("COMMISSIONER_TOKEN", weak)
    monkeypatch.delenv("SIGNPOST_ENV", raising=False)
    client = create_app(database_url=sqlite_url).test_client()
    assert client.post("/commissioners/login", data={"token": weak}).status_code == 401
    assert client.get("/api/stats/referrals",
                      headers={"Authorization": f"Bearer {weak}"}).status_code == 401

    monkeypatch.setenv("SIGNPOST_ENV", "development")  # a developer's machine
    assert client.post("/commissioners/login", data={"token": weak}).status_code == 303


def test_the_generated_token_is_strong(tmp_path, monkeypatch):
    monkeypatch.setenv("SIGNPOST_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("COMMISSIONER_TOKEN", raising=False)
    assert not auth.weak_token(auth.ensure_token())
