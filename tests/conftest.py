"""Shared fixtures: real databases (SQLite always, PostgreSQL when TEST_DATABASE_URL is set)."""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from signpost import migrate
from signpost.db import get_engine

PG_URL = os.environ.get("TEST_DATABASE_URL")


def _fresh_postgres_db() -> tuple[str, callable]:
    """Create a throwaway database on the PostgreSQL server of TEST_DATABASE_URL."""
    admin_url = make_url(PG_URL)
    name = f"signpost_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = str(admin_url.set(database=name))

    def drop() -> None:
        get_engine(url).dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


def _backends() -> list:
    params = [pytest.param("sqlite", id="sqlite")]
    params.append(
        pytest.param(
            "postgresql",
            id="postgresql",
            marks=[
                pytest.mark.postgres,
                pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL not set (no PostgreSQL)"),
            ],
        )
    )
    return params


@pytest.fixture(params=_backends())
def empty_db_url(request, tmp_path) -> Iterator[str]:
    """A migrated, empty database URL, on each backend in turn."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
        migrate.upgrade(url)
        yield url
        get_engine(url).dispose()
    else:
        url, drop = _fresh_postgres_db()
        migrate.upgrade(url)
        yield url
        drop()


@pytest.fixture
def sqlite_url(tmp_path) -> Iterator[str]:
    """A migrated, empty SQLite database (for tests that need only one backend)."""
    url = f"sqlite:///{tmp_path / 'test.db'}"
    migrate.upgrade(url)
    yield url
    get_engine(url).dispose()
