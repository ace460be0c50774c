"""Directory fixtures: a seeded database per backend (module scope, read-only
tests share it), the web app, a live HTTP server and the ORUK schema."""
from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from services_directory import oruk
from services_directory.export import export_text
from services_directory.seed import seed
from signpost import migrate
from signpost.db import get_engine, session_scope

PG_URL = os.environ.get("TEST_DATABASE_URL")
SHARED_SCHEMA = Path("/work/shared/oruk-schema/compiled_service.json")

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=[
        pytest.mark.postgres,
        pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL not set (no PostgreSQL)"),
    ]),
]


def new_database(backend: str, tmp_dir: Path):
    """A migrated, empty database: (url, cleanup)."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_dir / f'{uuid.uuid4().hex[:8]}.db'}"
        migrate.upgrade(url)
        return url, lambda: get_engine(url).dispose()
    admin_url = make_url(PG_URL)
    name = f"signpost_dir_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = str(admin_url.set(database=name))
    migrate.upgrade(url)

    def drop() -> None:
        get_engine(url).dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


@pytest.fixture(scope="module", params=BACKENDS)
def seeded_url(request, tmp_path_factory) -> Iterator[str]:
    """A seeded database shared by a module's read-only tests, on each backend."""
    url, cleanup = new_database(request.param, tmp_path_factory.mktemp("seeded"))
    seed(url)
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


class LiveServer:
    def __init__(self, wsgi_app) -> None:
        self.server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


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


def export(url: str, fmt: str = "oruk-json") -> str:
    with session_scope(url) as session:
        return export_text(session, fmt)


def service_count(url: str) -> int:
    from sqlalchemy import func, select

    from services_directory.models import Service

    with session_scope(url) as session:
        return session.scalar(select(func.count()).select_from(Service))
