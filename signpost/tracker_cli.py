"""`signpost tracker ...`: the conversation tracker store (production / cluster mode).

    signpost tracker init                 # create the events table (Rasa would, at start-up)
    signpost tracker purge [--days N]     # delete conversations older than the retention

The tracker database is TRACKER_DATABASE_URL (or --url). Retention is
TRACKER_RETENTION_DAYS days (default 30): a conversation whose newest event is older
than that is deleted whole. Run `purge` daily (cron or a systemd timer); `make run-cluster`
also runs it at start-up.
"""
from __future__ import annotations

import argparse
import os
import time

import sqlalchemy as sa

DEFAULT_RETENTION_DAYS = 30
RETENTION_ENV = "TRACKER_RETENTION_DAYS"
URL_ENV = "TRACKER_DATABASE_URL"

# Rasa's SQLTrackerStore table (rasa/core/tracker_store.py, SQLEvent): only what purge needs,
# so that this command does not import Rasa.
EVENTS = sa.table("events", sa.column("sender_id", sa.String), sa.column("timestamp", sa.Float))


def retention_days(value: str | int | None = None) -> int:
    """--days, else TRACKER_RETENTION_DAYS, else 30. A positive whole number of days."""
    from signpost.cli import CommandError

    raw = value if value is not None else os.environ.get(RETENTION_ENV) or DEFAULT_RETENTION_DAYS
    try:
        days = int(raw)
    except (TypeError, ValueError):
        raise CommandError(f"{RETENTION_ENV} must be a whole number of days, not {raw!r}") \
            from None
    if days < 1:
        raise CommandError(f"retention must be at least 1 day, not {days}")
    return days


def tracker_url(value: str | None) -> str:
    from signpost.cli import CommandError

    url = value or os.environ.get(URL_ENV)
    if not url:
        raise CommandError(f"no tracker database: set {URL_ENV} or pass --url")
    return "postgresql://" + url[len("postgres://"):] if url.startswith("postgres://") else url


def purge(url: str, days: int, now: float | None = None, dry_run: bool = False
          ) -> tuple[int, int]:
    """Delete every conversation whose newest event is more than `days` days old.

    Returns (conversations, events) deleted (or that would be, with dry_run)."""
    cutoff = (now if now is not None else time.time()) - days * 86400
    old = (sa.select(EVENTS.c.sender_id).group_by(EVENTS.c.sender_id)
           .having(sa.func.max(EVENTS.c.timestamp) < cutoff))
    engine = sa.create_engine(url, future=True)
    try:
        with engine.begin() as conn:
            if not sa.inspect(conn).has_table("events"):
                return 0, 0
            senders = conn.execute(sa.select(sa.func.count()).select_from(old.subquery())
                                   ).scalar_one()
            where = EVENTS.c.sender_id.in_(old)
            if dry_run:
                events = conn.execute(sa.select(sa.func.count()).select_from(EVENTS)
                                      .where(where)).scalar_one()
            else:
                events = conn.execute(sa.delete(EVENTS).where(where)).rowcount
    finally:
        engine.dispose()
    return senders, events


def init(url: str) -> None:
    """Create Rasa's events table (and its index) if missing."""
    from signpost.tracker_store import MaskingSQLTrackerStore

    engine = sa.create_engine(url, future=True)
    try:
        MaskingSQLTrackerStore.Base.metadata.create_all(engine)
    finally:
        engine.dispose()


def _purge(args: argparse.Namespace) -> int:
    url, days = tracker_url(args.url), retention_days(args.days)
    senders, events = purge(url, days, dry_run=args.dry_run)
    verb = "would delete" if args.dry_run else "deleted"
    print(f"tracker purge: {verb} {senders} conversation(s), {events} event(s) "
          f"older than {days} day(s)")
    return 0


def _init(args: argparse.Namespace) -> int:
    init(tracker_url(args.url))
    print("tracker store: events table ready")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    tracker = sub.add_parser("tracker", help="conversation tracker store: retention").\
        add_subparsers(dest="tracker_command")
    tracker.required = True
    p = tracker.add_parser("purge", help=f"delete conversations older than {RETENTION_ENV} "
                           f"days (default {DEFAULT_RETENTION_DAYS})")
    p.add_argument("--url", help=f"tracker database URL (default: {URL_ENV})")
    p.add_argument("--days", help=f"retention in days (default: {RETENTION_ENV} or "
                   f"{DEFAULT_RETENTION_DAYS})")
    p.add_argument("--dry-run", action="store_true", help="count only, delete nothing")
    p.set_defaults(func=_purge)
    i = tracker.add_parser("init", help="create the tracker store's table")
    i.add_argument("--url", help=f"tracker database URL (default: {URL_ENV})")
    i.set_defaults(func=_init)
