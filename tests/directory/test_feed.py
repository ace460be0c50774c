"""Importing a live Open Referral UK feed over real HTTP: our own API, served by
werkzeug on a free local port, and small misbehaving feeds."""
from __future__ import annotations

import json
import re
import socket

import pytest
from directory_helpers import export, seed_bodies, service_count
from flask import Flask, jsonify

from services_directory import feed
from services_directory.feed import FeedError, fetch_services
from services_directory.importer import ImportFailed, import_source
from signpost.cli import main

FAST = {"retries": 2, "backoff": 0.0, "timeout": (2.0, 5.0)}


@pytest.fixture(scope="module")
def directory_server(app):
    """The web app over the seeded database, on a real socket."""
    from directory_helpers import LiveServer

    with LiveServer(app) as server:
        yield server


def test_feed_import_reproduces_the_directory(directory_server, seeded_url, other_sqlite_url):
    """Served from each backend, imported into an empty database."""
    # per_page=7 makes the importer walk 8 pages of /api/services.
    report = import_source(directory_server.url + "/api/", other_sqlite_url, per_page=7, **FAST)
    assert report.created == service_count(seeded_url)
    assert export(other_sqlite_url) == export(seeded_url)
    again = import_source(directory_server.url + "/api/services", other_sqlite_url, **FAST)
    assert not again.changed


def test_feed_import_command(live_server, sqlite_url, capsys):
    bodies = seed_bodies()[:2]
    server = live_server(fake_feed(services={b["id"]: b for b in bodies}))
    command = ["directory", "import", server.url + "/api", "--url", sqlite_url,
               "--retries", "0"]
    assert main(command) == 0
    assert "services: 2 created" in capsys.readouterr().out
    assert main(command) == 0
    assert "services: 0 created, 0 updated, 2 unchanged" in capsys.readouterr().out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_feed_is_one_clear_error(sqlite_url, capsys):
    url = f"http://127.0.0.1:{free_port()}/api"
    with pytest.raises(FeedError, match=r"cannot reach http://127\.0\.0\.1:\d+/api/services"):
        fetch_services(url, **FAST)
    assert main(["directory", "import", url, "--url", sqlite_url, "--retries", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("signpost: error: cannot reach")
    assert service_count(sqlite_url) == 0


def fake_feed(pages: dict | None = None, services: dict | None = None,
              listing=None) -> Flask:
    """A tiny feed: `listing` overrides the /services response entirely."""
    app = Flask("fake_feed")
    app.hits = {"services": 0}

    @app.get("/api/services")
    def listing_view():
        app.hits["services"] += 1
        if listing is not None:
            return listing(app.hits["services"])
        contents = [{"id": i} for i in (services or {})]
        return jsonify(total_items=len(contents), total_pages=1, page_number=1,
                       size=len(contents), first_page=True, last_page=True,
                       empty=not contents, contents=contents)

    @app.get("/api/services/<service_id>")
    def detail(service_id):
        return jsonify((services or {})[service_id])

    return app


@pytest.mark.parametrize("listing, message", [
    (lambda n: ("<html>Council website</html>", 200), "did not return JSON"),
    (lambda n: jsonify(items=[]), re.escape("is not an Open Referral UK page (no 'contents'")),
    (lambda n: ("gone", 404), "answered HTTP 404"),
    (lambda n: jsonify(contents=[{"name": "no id"}], last_page=True), "has no id"),
])
def test_non_compliant_feeds_are_clear_errors(live_server, listing, message):
    server = live_server(fake_feed(listing=listing))
    with pytest.raises(FeedError, match=message):
        fetch_services(server.url + "/api", **FAST)


def test_transient_errors_are_retried(live_server, directory_server):
    """Two 503s, then the real listing: the retry policy gets through."""
    import requests

    real = requests.get(directory_server.url + "/api/services", timeout=5).json()
    real["contents"] = real["contents"][:1]
    real.update(total_pages=1, last_page=True)
    body = requests.get(f"{directory_server.url}/api/services/{real['contents'][0]['id']}",
                        timeout=5).json()
    app = fake_feed(services={body["id"]: body},
                    listing=lambda n: ("busy", 503) if n <= 2 else jsonify(real))
    server = live_server(app)
    assert [s["id"] for s in fetch_services(server.url + "/api", **FAST)] == [body["id"]]
    assert app.hits["services"] == 3

    stubborn = fake_feed(listing=lambda n: ("down", 503))
    with pytest.raises(FeedError, match="answered HTTP 503"):
        fetch_services(live_server(stubborn).url + "/api", **FAST)
    assert stubborn.hits["services"] == 1 + FAST["retries"]


def test_feed_with_invalid_services_writes_nothing(live_server, sqlite_url):
    good = seed_bodies()[:3]
    bad = json.loads(json.dumps(good[1]))
    bad["id"] = "6f1c5c1e-0000-4000-8000-000000000001"
    bad["essex_signpost"]["slug"] = "another-slug"
    del bad["name"]
    services = {s["id"]: s for s in (good[0], bad, good[2])}
    server = live_server(fake_feed(services=services))
    with pytest.raises(ImportFailed) as failure:
        import_source(server.url + "/api", sqlite_url, **FAST)
    [problem] = failure.value.problems
    assert (problem.field, problem.reason) == ("name", "'name' is a required property")
    assert problem.record.startswith(f"{server.url}/api [1]")
    assert service_count(sqlite_url) == 0


def test_base_url_forms():
    assert feed.base_url("https://x.org/api/services?page=2") == "https://x.org/api"
    assert feed.base_url("https://x.org/api/") == "https://x.org/api"
    with pytest.raises(FeedError):
        feed.base_url("ftp://x.org/api")
