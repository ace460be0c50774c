"""What tests/cluster needs to know about the machine: PostgreSQL, Redis, free ports."""
from __future__ import annotations

import os
import socket

from sqlalchemy import create_engine, text

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
REDIS = ("127.0.0.1", 6379)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_server() -> str | None:
    """TEST_DATABASE_URL, else PostgreSQL on 127.0.0.1:5432 if it answers, else None."""
    url = os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG
    try:
        engine = create_engine(url, future=True, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return url
    except Exception:  # noqa: BLE001 - any failure: no PostgreSQL here
        return None


def redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis(*REDIS, socket_timeout=3).ping())
    except Exception:  # noqa: BLE001 - any failure: no Redis here
        return False
