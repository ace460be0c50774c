"""The hand-written migration 0001_directory creates exactly what models.py describes."""
from __future__ import annotations

from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Table, create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from services_directory import models
from signpost.db import Base, session_scope

TABLES = {"organization", "service", "service_area", "taxonomy", "taxonomy_term", "attribute",
          "phone", "referral_route", "location", "service_at_location"}


def table_of(diff) -> str | None:
    """The table an autogenerate diff is about: ("add_table", Table),
    ("add_index", Index), ("remove_column", schema, "service", Column),
    [("modify_nullable", schema, "service", "name", ...)], ..."""
    op = diff[0] if isinstance(diff, list) else diff
    for part in op[1:]:
        if isinstance(part, Table):
            return part.name
        if isinstance(part, str):
            return part
        if getattr(part, "table", None) is not None:
            return part.table.name
    return None


def model_diffs(url: str) -> list:
    engine = create_engine(url, future=True)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return [d for d in compare_metadata(context, Base.metadata) if table_of(d) in TABLES]
    finally:
        engine.dispose()


def test_migration_matches_models(empty_db_url):
    engine = create_engine(empty_db_url, future=True)
    with engine.connect() as conn:
        assert TABLES <= set(inspect(conn).get_table_names())
    engine.dispose()
    assert model_diffs(empty_db_url) == []


def test_the_comparison_would_notice_drift(sqlite_url):
    engine = create_engine(sqlite_url, future=True)
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_phone_service_id"))
        conn.execute(text("ALTER TABLE service DROP COLUMN contact_note"))
    engine.dispose()
    found = {(d[0], table_of(d)) for d in model_diffs(sqlite_url)}
    assert found == {("add_index", "phone"), ("add_column", "service")}


ORG_ID = "00000000-0000-0000-0000-000000000000"


BAD_ROWS = [{"status": "open"}, {"minimum_age": -1}, {"maximum_age": 121},
            {"minimum_age": 30, "maximum_age": 20}]


def test_database_enforces_status_and_ages(empty_db_url):
    with session_scope(empty_db_url) as session:
        session.add(models.Organization(id=ORG_ID, slug="o", name="O", description="d"))
    for bad in BAD_ROWS:
        values = {"id": "00000000-0000-0000-0000-000000000001", "slug": "s", "name": "S",
                  "description": "d", "status": "active", "last_modified": datetime(2024, 1, 1),
                  "organization_id": ORG_ID, **bad}
        with pytest.raises(IntegrityError), session_scope(empty_db_url) as session:
            session.add(models.Service(**values))
    values.update(BAD_ROWS[0] | {"status": "temporarily closed"})
    with session_scope(empty_db_url) as session:  # and a valid row goes in
        session.add(models.Service(**values | {"minimum_age": None, "maximum_age": None}))
