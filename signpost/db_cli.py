"""`signpost db ...`: database migrations."""
from __future__ import annotations

import argparse

from signpost import migrate


def register(sub: argparse._SubParsersAction) -> None:
    db = sub.add_parser("db", help="database migrations").add_subparsers(dest="db_command")
    db.required = True
    up = db.add_parser("upgrade", help="create or migrate the database to the latest schema")
    up.add_argument("--url", help="database URL (default: DATABASE_URL or var/signpost.db)")
    up.set_defaults(func=lambda a: migrate.upgrade(a.url))
