"""The hand-written migrations create exactly what models.py describes; 0003 fills the
search keys of services already there."""
from __future__ import annotations

from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Table, create_engine, inspect, select, text
from sqlalchemy.exc import IntegrityError

from services_directory import models
from signpost import migrate
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



def _downgraded_with_an_organisation(url: str, revision: str):
    """The schema at `revision`, holding one organisation (ORG_ID) for services to belong to."""
    migrate.downgrade(url, revision)
    engine = create_engine(url, future=True)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO organization (id, slug, name, description) "
                          "VALUES (:id, 'o', 'O', 'd')"), {"id": ORG_ID})
    return engine


def test_0003_fills_the_search_keys_of_existing_services(empty_db_url):
    """Upgrading a directory that holds services casefolds their names and text; a
    downgrade and upgrade keep the constraints (on SQLite both rebuild the table)."""
    engine = _downgraded_with_an_organisation(empty_db_url, "0002_referral_log")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO service (id, slug, organization_id, name, description, "
                          "status, eligibility_description, last_modified) VALUES "
                          "(:id, :slug, :org, :name, 'Fit Kids', 'active', :eligibility, :now)"),
                     [{"id": ORG_ID[:-1] + "1", "slug": "s1", "org": ORG_ID,
                       "name": "Straße WALKS", "eligibility": "Over 18s",
                       "now": datetime(2024, 1, 1)},
                      {"id": ORG_ID[:-1] + "2", "slug": "s2", "org": ORG_ID,
                       "name": "\u212aids", "eligibility": None, "now": datetime(2024, 1, 1)}])
    engine.dispose()
    migrate.upgrade(empty_db_url)
    with session_scope(empty_db_url) as session:
        keys = session.execute(select(models.Service.sort_name, models.Service.search_text)
                               .order_by(models.Service.slug)).all()
    assert [tuple(k) for k in keys] == [("strasse walks", "fit kids over 18s"),
                                        ("kids", "fit kids ")]
    assert model_diffs(empty_db_url) == []
    with pytest.raises(IntegrityError), session_scope(empty_db_url) as session:
        session.get(models.Service, ORG_ID[:-1] + "1").status = "open"


def test_0005_fills_the_reach_flags_of_existing_services(empty_db_url):
    """Upgrading a directory that holds services works out their stored reach flags from
    their phones, routes and areas, as models.reach would."""
    engine = _downgraded_with_an_organisation(empty_db_url, "0004_service_provenance")
    ids = [ORG_ID[:-1] + str(i) for i in (1, 2, 3)]
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO service (id, slug, organization_id, name, description, "
                          "status, url, last_modified, sort_name, search_text) VALUES "
                          "(:id, :slug, :org, 'S', 'd', 'active', :url, :now, 's', 'd')"),
                     [{"id": i, "slug": f"s{n}", "org": ORG_ID, "now": datetime(2024, 1, 1),
                       "url": "https://example.org" if n == 2 else None}
                      for n, i in enumerate(ids, start=1)])
        conn.execute(text("INSERT INTO phone (id, service_id, number, position) "
                          "VALUES (:id, :s, '0300 000 0000', 0)"), {"id": ids[0][:-1] + "9",
                                                                   "s": ids[0]})
        conn.execute(text("INSERT INTO referral_route (id, service_id, kind, instructions, "
                          "position) VALUES (:id, :s, :k, 'x', 0)"),
                     [{"id": ids[0][:-2] + "81", "s": ids[0], "k": "online_form"},
                      {"id": ids[0][:-2] + "82", "s": ids[2], "k": "professional_referral"}])
        conn.execute(text("INSERT INTO service_area (id, service_id, district, position) "
                          "VALUES (:id, :s, :d, 0)"),
                     [{"id": ids[0][:-2] + "71", "s": ids[0], "d": "all"},
                      {"id": ids[0][:-2] + "72", "s": ids[1], "d": "Thurrock"},
                      {"id": ids[0][:-2] + "73", "s": ids[2], "d": "national"}])
    engine.dispose()
    migrate.upgrade(empty_db_url)
    with session_scope(empty_db_url) as session:
        rows = session.execute(select(
            models.Service.has_contact, models.Service.self_route,
            models.Service.professional_route, models.Service.county_wide,
            models.Service.serves_essex).order_by(models.Service.slug)).all()
    assert [tuple(r) for r in rows] == [(True, True, False, True, True),
                                        (True, False, False, False, False),
                                        (False, False, True, False, True)]
    assert model_diffs(empty_db_url) == []
