"""Directory fixtures: a seeded database per backend (module scope, read-only
tests share it), the web app, a live HTTP server and the ORUK schema."""
from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from directory_helpers import PG_URL, SHARED_SCHEMA, LiveServer, new_database
from jsonschema import Draft202012Validator

from services_directory import oruk
from services_directory.seed import seed

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=[
        pytest.mark.postgres,
        pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL not set (no PostgreSQL)"),
    ]),
]


@pytest.fixture(scope="module", params=BACKENDS)
def seeded_url(request, tmp_path_factory) -> Iterator[str]:
    """A seeded database shared by a module's read-only tests, on each backend."""
    url, cleanup = new_database(request.param, tmp_path_factory.mktemp("seeded"))
    seed(url)
    yield url
    cleanup()


@pytest.fixture(scope="module", params=BACKENDS)
def scratch_url(request, tmp_path_factory) -> Iterator[str]:
    """An empty database shared by a module's tests, on each backend; each test fills it
    as it needs (tests/directory/test_search_ranking.py). PostgreSQL's default collation
    is ICU en-US, not byte order, so that ordering bugs show."""
    url, cleanup = new_database(request.param, tmp_path_factory.mktemp("scratch"),
                                icu_locale="en-US")
    yield url
    cleanup()


@pytest.fixture
def other_sqlite_url(tmp_path) -> Iterator[str]:
    """A second empty database, for export -> import round trips."""
    url, cleanup = new_database("sqlite", tmp_path)
    yield url
    cleanup()


@pytest.fixture(scope="module")
def app(seeded_url):
    from web.app import create_app

    application = create_app(seeded_url)
    application.config["TESTING"] = True
    # The module's tests (and the feed importer paging through it) make far more than the
    # web app's 120 requests a minute from one address; rate limits: tests/robustness.
    application.config["RATE_LIMITS"] = {}
    return application


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def schema_validator() -> Draft202012Validator:
    """compiled_service.json from the shared ORUK schema folder (vendored copy if absent)."""
    path = SHARED_SCHEMA if SHARED_SCHEMA.exists() else oruk.SCHEMA_DIR / SHARED_SCHEMA.name
    return Draft202012Validator(json.loads(path.read_text()),
                                format_checker=oruk.format_checker())


@pytest.fixture
def live_server():
    """live_server(app) -> a started LiveServer on a free port of 127.0.0.1."""
    servers: list[LiveServer] = []

    def start(wsgi_app) -> LiveServer:
        server = LiveServer(wsgi_app).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__()
