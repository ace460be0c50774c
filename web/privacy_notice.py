"""What the resident page's privacy notice says about conversations, from the same settings
the running system uses, so that the notice stays true in each mode:

* `make run`: held in the assistant's memory and forgotten after
  SIGNPOST_CONVERSATION_IDLE_MINUTES (30) without a message (signpost/tracker_store.py
  ExpiringInMemoryTrackerStore);
* the cluster (TRACKER_DATABASE_URL set): kept in the database with phone numbers, email
  addresses, postcodes and dates masked, and deleted after TRACKER_RETENTION_DAYS (30) by
  `signpost tracker purge`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from flask import Flask

from signpost.config import idle_minutes_from_env


@dataclass(frozen=True)
class ConversationKeeping:
    idle_minutes: int
    stored_days: int | None  # None: never written to a database


def conversation_keeping(env: dict[str, str] | None = None) -> ConversationKeeping:
    env = os.environ if env is None else env
    stored_days = None
    if env.get("TRACKER_DATABASE_URL", "").strip():
        from signpost.tracker_cli import retention_days

        stored_days = retention_days()
    return ConversationKeeping(round(idle_minutes_from_env(env)), stored_days)


def init_app(app: Flask) -> None:
    keeping = conversation_keeping()  # read once: the settings do not change while running

    @app.context_processor
    def _privacy() -> dict:
        return {"conversation_keeping": keeping}
