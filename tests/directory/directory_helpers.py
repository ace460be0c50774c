"""Helpers for the directory tests (a module of its own: importing from conftest is fragile)."""
from __future__ import annotations

import os
import threading
import uuid
from dataclasses import replace
from pathlib import Path

import yaml
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from services_directory import oruk
from services_directory.export import export_text
from services_directory.importer import default_location
from services_directory.models import Service
from services_directory.seed import SEED_FILE, YAML_LOADER, parse_seed
from signpost import migrate
from signpost.db import get_engine, session_scope

PG_URL = os.environ.get("TEST_DATABASE_URL")
SHARED_SCHEMA = Path("/work/shared/oruk-schema/compiled_service.json")


def new_database(backend: str, tmp_dir: Path, icu_locale: str | None = None):
    """A migrated, empty database: (url, cleanup). On PostgreSQL 15+, `icu_locale` (e.g.
    "en-US") makes that ICU locale the database's default collation, as a production
    server's en_US.UTF-8 would be (the test server's own default is C.UTF-8)."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_dir / f'{uuid.uuid4().hex[:8]}.db'}"
        migrate.upgrade(url)
        return url, lambda: get_engine(url).dispose()
    admin_url = make_url(PG_URL)
    name = f"signpost_dir_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as conn:
        locale = ""
        if icu_locale and conn.dialect.server_version_info >= (15,):
            locale = f" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE '{icu_locale}'"
        conn.execute(text(f'CREATE DATABASE "{name}"{locale}'))
    url = str(admin_url.set(database=name))
    migrate.upgrade(url)

    def drop() -> None:
        get_engine(url).dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


class LiveServer:
    def __init__(self, wsgi_app) -> None:
        self.server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def export(url: str, fmt: str = "oruk-json") -> str:
    with session_scope(url) as session:
        return export_text(session, fmt)


def service_count(url: str) -> int:
    with session_scope(url) as session:
        return session.scalar(select(func.count()).select_from(Service))


def seed_bodies() -> list[dict]:
    """ORUK bodies of the seed services, made without a database (for fake feeds)."""
    data = yaml.load(SEED_FILE.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    orgs, services, problems = parse_seed(data)
    assert not problems
    by_id = {o.id: o for o in orgs}
    return [oruk.service_body(replace(s, locations=(default_location(s),)),
                              by_id[s.organization_id]) for s in services]
