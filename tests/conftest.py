"""Shared fixtures: real databases (SQLite always, PostgreSQL when TEST_DATABASE_URL is set),
and the real running system (`stack`, `rasa_url`, `web_url`) for tests/e2e and tests/browser.

The stack fixtures live here, not in tests/e2e/conftest.py, so that every test directory
shares one session-scoped stack: Rasa takes a minute to load, so it starts once per run."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from signpost import migrate
from signpost.config import ROOT
from signpost.db import get_engine
from signpost.stack import Ports, Stack

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


# --- the real running system: actions, Rasa and web app on free ports -----------------------

MODEL = ROOT / "models" / "signpost.tar.gz"
STACK_COMMISSIONER_TOKEN = "test-token-" + "x" * 20


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def stack_db(tmp_path_factory) -> str:
    """A migrated, seeded SQLite directory for the running stack."""
    path: Path = tmp_path_factory.mktemp("stack") / "signpost.db"
    url = f"sqlite:///{path}"
    signpost = [sys.executable, "-m", "signpost.cli"]
    for args in (["db", "upgrade"], ["directory", "seed"]):
        subprocess.run(signpost + args, check=True, cwd=ROOT,
                       env={**os.environ, "DATABASE_URL": url})
    return url


@pytest.fixture(scope="session")
def stack(stack_db, tmp_path_factory) -> Iterator[Stack]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make model` (make test does this)")
    var = tmp_path_factory.mktemp("var")
    s = Stack(
        ports=Ports(actions=free_port(), rasa=free_port(), web=free_port()),
        env={"DATABASE_URL": stack_db, "SIGNPOST_VAR_DIR": str(var),
             "COMMISSIONER_TOKEN": STACK_COMMISSIONER_TOKEN,
             # The whole test run is one client (127.0.0.1); the per-conversation limit
             # stays on. The limits are tested on their own stack (robustness/test_faults.py).
             "SIGNPOST_CHAT_RATE_LIMIT": "off"},
        model=MODEL,
        quiet=True,
    )
    try:
        s.start(timeout=300)
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="session")
def rasa_url(stack) -> str:
    return f"http://127.0.0.1:{stack.ports.rasa}"


@pytest.fixture(scope="session")
def web_url(stack) -> str:
    return f"http://127.0.0.1:{stack.ports.web}"
