"""Alembic environment: one schema for the directory and the referral log."""
from __future__ import annotations

import importlib

from alembic import context
from sqlalchemy import create_engine

from signpost.db import Base

# Import every models module so Base.metadata knows all tables (for autogenerate).
for _mod in ("services_directory.models", "referral_log.models"):
    try:
        importlib.import_module(_mod)
    except ModuleNotFoundError:
        pass

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url"), future=True)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=True)  # batch mode: ALTERs work on SQLite too
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
