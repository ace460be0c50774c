"""The referral log tables and their fixed vocabularies.

`referral_event` is deliberately a narrow table (see docs/statistics.md): it has no
surrogate id, because an increasing id records the order of events and, next to a
web or bot log, would let someone link a row back to a conversation. The columns
below are the whole whitelist; tests/referral_log/test_whitelist.py enforces it.
"""
from __future__ import annotations

import re

from sqlalchemy import CheckConstraint, Column, Date, Index, String, Table

from services_directory.districts import DISTRICTS as DIRECTORY_DISTRICTS
from signpost.db import Base

# The 12 district, borough and city councils in the Essex County Council area
# (Southend and Thurrock are unitary authorities outside the strategy's area).
DISTRICTS: dict[str, str] = {  # id in the log -> name; one list: services_directory
    name.lower().replace(" ", "_"): name for name in DIRECTORY_DISTRICTS
}
UNKNOWN = "unknown"
DISTRICT_IDS: tuple[str, ...] = (*DISTRICTS, UNKNOWN)
AGE_BANDS: tuple[str, ...] = ("0-15", "16-24", "25-64", "65+", UNKNOWN)
CHANNELS: tuple[str, ...] = ("resident", "practitioner")
# What happened. The first four are per service shown (or per crisis response): their rows
# count services, not people. Each has a person kind, written once per conversation, need
# and day (deduplicated through referral_dedup), which is what "people" counts.
SHOWN_KINDS: tuple[str, ...] = ("signposted", "crisis_shown", "helpful_yes", "helpful_no")
PERSON_KIND: dict[str, str] = {
    "signposted": "person_signposted", "crisis_shown": "person_crisis",
    "helpful_yes": "person_helpful_yes", "helpful_no": "person_helpful_no",
}
# Once per conversation (and need, where there is one) and day: each row is one conversation.
# unmet_need: no service fitted; out_of_scope: asked for something the assistant does not
# cover; not_understood: asked to rephrase or offered a person; conversation: any of these
# outcomes or a signposting happened (the denominator of the rates).
CONVERSATION_KINDS: tuple[str, ...] = ("unmet_need", "out_of_scope", "not_understood",
                                       "conversation")
# The kinds a report can be asked for (person kinds are read through their shown kind).
REPORT_KINDS: tuple[str, ...] = (*SHOWN_KINDS, *CONVERSATION_KINDS)
KINDS: tuple[str, ...] = (*REPORT_KINDS, *PERSON_KIND.values())
# Kinds with no need of their own (need is NULL).
NEEDLESS_KINDS: tuple[str, ...] = ("not_understood", "conversation")
SOURCES: tuple[str, ...] = ("live", "synthetic")
# Kinds counted in the measure reports by default: services shown to people.
REFERRAL_KINDS: tuple[str, ...] = ("signposted",)
HELPFUL_KINDS: tuple[str, ...] = ("helpful_yes", "helpful_no")

# The only free-form column is service_id, so it must look like an identifier:
# this stops a caller's bug from ever putting message text into the log.
SERVICE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")
MEASURES_SEP = ","

EVENT_COLUMNS: tuple[str, ...] = (
    "day", "need", "service_id", "measures", "district", "age_band", "channel", "kind", "source",
)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


referral_event = Table(
    "referral_event",
    Base.metadata,
    Column("day", Date, nullable=False),  # the day only: never a time
    # A need id from signpost/needs.yml; NULL only for NEEDLESS_KINDS.
    Column("need", String(40), nullable=True),
    Column("service_id", String(100), nullable=True),  # NULL for crisis lines
    # Sorted JHWS action / priority measure ids, comma-separated ("" when none).
    Column("measures", String(200), nullable=False),
    Column("district", String(20), nullable=False),
    Column("age_band", String(8), nullable=False),
    Column("channel", String(12), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("source", String(9), nullable=False),
    CheckConstraint(_in("district", DISTRICT_IDS), name="district"),
    CheckConstraint(_in("age_band", AGE_BANDS), name="age_band"),
    CheckConstraint(_in("channel", CHANNELS), name="channel"),
    CheckConstraint(_in("kind", KINDS), name="kind"),
    CheckConstraint(_in("source", SOURCES), name="source"),
    CheckConstraint(f"need IS NOT NULL OR {_in('kind', NEEDLESS_KINDS)}", name="need"),
    # Every report filters on source and a day range first.
    Index("ix_referral_event_source_day", "source", "day"),
)

# Idempotency for retried actions: only an HMAC of the caller's key is kept, and
# only for two days, so it cannot be joined back to a conversation id.
referral_dedup = Table(
    "referral_dedup",
    Base.metadata,
    Column("key_hash", String(64), primary_key=True),
    Column("day", Date, nullable=False, index=True),
)
