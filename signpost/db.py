"""Database engine and sessions (SQLAlchemy 1.4 with the 2.0-style API).

The directory and the referral log share one database: SQLite by default,
PostgreSQL in production (DATABASE_URL).
"""
from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, declarative_base, sessionmaker

from signpost.config import database_url

# Named constraints so that Alembic migrations are portable (SQLite batch mode).
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
Base = declarative_base(metadata=MetaData(naming_convention=NAMING))
SQLITE_TIMEOUT_ENV = "SIGNPOST_SQLITE_TIMEOUT"
SQLITE_TIMEOUT_S = 15.0


def sqlite_timeout_s() -> float:
    """How long an SQLite connection waits for a lock before "database is locked" (seconds):
    SIGNPOST_SQLITE_TIMEOUT, else 15. The bot answers with its fallback after this wait."""
    raw = os.environ.get(SQLITE_TIMEOUT_ENV, "").strip()
    try:
        value = float(raw) if raw else SQLITE_TIMEOUT_S
    except ValueError:
        value = -1.0
    if not 0 <= value <= 600:
        logging.getLogger(__name__).warning("%s=%r is not a number of seconds from 0 to 600; "
                                            "using %s", SQLITE_TIMEOUT_ENV, raw, SQLITE_TIMEOUT_S)
        return SQLITE_TIMEOUT_S
    return value


def make_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    kwargs: dict = {"future": True, "pool_pre_ping": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": sqlite_timeout_s(), "check_same_thread": False}
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
            cur.close()

    return engine


def get_engine(url: str | None = None) -> Engine:
    """One engine per URL per process (None: DATABASE_URL, read now, or the SQLite default)."""
    return _engine_for(url or database_url())


@lru_cache(maxsize=16)
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def session_factory(url: str | None = None) -> sessionmaker:
    return sessionmaker(bind=get_engine(url), future=True, expire_on_commit=False)


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A transaction: commit on success, roll back on any error."""
    session = session_factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def database_answers(url: str, timeout_s: int = 3) -> bool:
    """True if the PostgreSQL server at `url` accepts a connection and answers SELECT 1."""
    from sqlalchemy import text

    try:
        engine = create_engine(url, future=True, connect_args={"connect_timeout": timeout_s})
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        finally:
            engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - any failure means: no database here
        return False
