"""A throwaway PostgreSQL database for the tracker store tests.

Uses TEST_DATABASE_URL's server, else PostgreSQL on 127.0.0.1:5432 if one answers; the
tests skip (saying why) only when there is no PostgreSQL at all."""
from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from real_servers import pg_server
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@pytest.fixture
def tracker_pg_url() -> Iterator[str]:
    server = pg_server()
    if server is None:
        pytest.skip("PostgreSQL is not reachable (TEST_DATABASE_URL or 127.0.0.1:5432): "
                    "the tracker store runs on PostgreSQL")
    admin_url = make_url(server)
    name = f"signpost_tracker_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield str(admin_url.set(database=name))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
