"""The one way events get into the referral log: `record_events`, called by the bot's actions.

It keeps only the whitelisted, coarse fields (see docs/statistics.md) and never
raises: a statistics problem must not break a conversation.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from referral_log import auth
from referral_log.models import (
    AGE_BANDS,
    CHANNELS,
    DISTRICT_IDS,
    DISTRICTS,
    KINDS,
    MEASURES_SEP,
    NEEDLESS_KINDS,
    SERVICE_ID_RE,
    SOURCES,
    UNKNOWN,
    referral_dedup,
    referral_event,
)
from signpost.config import database_url
from signpost.db import get_engine, sqlite_timeout_s
from signpost.needs import measures, needs

log = logging.getLogger(__name__)

DEDUP_KEEP_DAYS = 2
RETRY_DELAY_S = 0.1
# Waiting long on a lock would stall the conversation; fail fast and drop instead.
SQLITE_BUSY_MS = 2000
PG_TIMEOUT = "2s"


@dataclass(frozen=True)
class SignpostEvent:
    """One thing the bot did for someone, in the coarse terms the log keeps."""

    need: str | None  # None only for NEEDLESS_KINDS
    service_id: str | None
    jhws_actions: tuple[str, ...]
    district: str | None
    age_band: str | None
    channel: str
    kind: str


def age_band(age: int | None) -> str:
    """The band for an age in years; None (or an impossible age) -> "unknown"."""
    if age is None or isinstance(age, bool) or not 0 <= age <= 130:
        return UNKNOWN
    if age <= 15:
        return "0-15"
    if age <= 24:
        return "16-24"
    if age <= 64:
        return "25-64"
    return "65+"


def normalise_district(value: str | None) -> str:
    """A district id ("castle_point") from an id or a name ("Castle Point"); None -> unknown."""
    if value is None or not str(value).strip():
        return UNKNOWN
    slug = re.sub(r"[\s_-]+", "_", str(value).strip().lower())
    if slug in DISTRICT_IDS:
        return slug
    raise ValueError(f"district must be one of {', '.join(DISTRICTS)} or unknown")


def event_row(event: SignpostEvent, day: date, source: str = "live") -> dict:
    """Validate one event and turn it into a referral_event row; ValueError if invalid.

    Error messages name the field but never echo the value: a caller's bug could
    have put someone's words there, and they must not reach the logs either.
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}")
    if event.kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    need = needs().get(event.need) if isinstance(event.need, str) else None
    if need is None and not (event.need is None and event.kind in NEEDLESS_KINDS):
        raise ValueError("need is not a need id from signpost/needs.yml")
    if event.channel not in CHANNELS:
        raise ValueError(f"channel must be one of {', '.join(CHANNELS)}")
    band = UNKNOWN if event.age_band is None else event.age_band
    if band not in AGE_BANDS:
        raise ValueError(f"age_band must be one of {', '.join(AGE_BANDS)}")
    district = normalise_district(event.district)
    service_id = event.service_id
    if service_id is None:
        if event.kind == "signposted":
            raise ValueError("service_id is required for kind signposted")
    elif not isinstance(service_id, str) or not SERVICE_ID_RE.match(service_id):
        raise ValueError("service_id must be an identifier (letters, digits, . _ : -)")
    if isinstance(event.jhws_actions, str):
        raise ValueError("jhws_actions must be a sequence of action ids, not a string")
    known = measures()
    ids = set(need.priority_measures) if need else set()
    for action in event.jhws_actions:
        if action in known:
            ids.add(action)
        else:
            # An unmapped action should not lose the whole event; the directory can fix it.
            log.warning("referral log: ignoring unknown JHWS action id for need %s",
                        need.id if need else "-")
    order = {m: i for i, m in enumerate(known)}
    return {
        "day": day,
        "need": need.id if need else None,
        "service_id": service_id,
        "measures": MEASURES_SEP.join(sorted(ids, key=order.__getitem__)),
        "district": district,
        "age_band": band,
        "channel": event.channel,
        "kind": event.kind,
        "source": source,
    }


def key_hash(idempotency_key: str) -> str:
    """HMAC-SHA256 of the caller's key: the key itself (with a conversation id) is never stored."""
    return hmac.new(auth.log_secret(), idempotency_key.encode("utf-8"), hashlib.sha256).hexdigest()


def record_events(
    events: Sequence[SignpostEvent],
    idempotency_key: str,
    *,
    url: str | None = None,
    source: str = "live",
    today: date | None = None,
) -> bool:
    """Record the events of one action run, once. True if they are (or already were) recorded.

    `idempotency_key` should be conversation id + user message id + action name, so
    that Rasa retrying the action does not count it twice. Never raises: invalid
    events or a database failure (after one quick retry) log a warning and return False.
    """
    return record_once([(idempotency_key, events)], url=url, source=source, today=today)


def record_once(
    batches: Sequence[tuple[str, Sequence[SignpostEvent]]],
    *,
    url: str | None = None,
    source: str = "live",
    today: date | None = None,
) -> bool:
    """Record each batch of events only if its key has not been seen: all in one transaction.

    A key such as conversation id + need + day makes its batch count once per conversation,
    need and day however often the action runs (people, not cards); a key with the user
    message id makes it count once per message (a retried action). Only HMACs of the keys
    are stored (referral_dedup), never beside the events. Never raises, like record_events.
    """
    day = today or date.today()
    count = sum(len(e) for _, e in batches if hasattr(e, "__len__"))
    try:
        prepared = []
        for key, events in batches:
            if not isinstance(key, str) or not key:
                raise ValueError("idempotency_key must be a non-empty string")
            rows = [event_row(e, day, source) for e in events]
            if rows:
                prepared.append((key_hash(key), rows))
    except Exception as exc:  # noqa: BLE001 - a caller's bug must not end the conversation
        log.error("referral log: %d event(s) not recorded, invalid: %s", count, exc)
        return False
    if not prepared:
        return True
    for attempt in (1, 2):
        try:
            _write(url or database_url(), prepared, day)
            return True
        except Exception as exc:  # noqa: BLE001 - see docstring
            if attempt == 1:
                time.sleep(RETRY_DELAY_S)
                continue
            # The exception's text can hold SQL parameters; they are validated, coarse values.
            log.warning(
                "referral log: write failed after retry, %d event(s) dropped: %s: %s",
                count, type(exc).__name__, str(getattr(exc, "orig", exc))[:200],
            )
    return False


def _write(url: str, batches: list[tuple[str, list[dict]]], day: date) -> None:
    engine = get_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        if sqlite:
            _sqlite_busy_timeout(conn, SQLITE_BUSY_MS)
        try:
            with conn.begin():
                if engine.dialect.name == "postgresql":
                    conn.exec_driver_sql(f"SET LOCAL statement_timeout = '{PG_TIMEOUT}'")
                    conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{PG_TIMEOUT}'")
                conn.execute(
                    delete(referral_dedup).where(
                        referral_dedup.c.day < day - timedelta(days=DEDUP_KEEP_DAYS)
                    )
                )
                rows = []
                for hashed, batch in batches:
                    if _claim_key(conn, hashed, day):
                        rows += batch
                if not rows:
                    log.info("referral log: already recorded (a retry or a repeat)")
                    return
                conn.execute(insert(referral_event), rows)
        finally:
            if sqlite:
                # signpost.db's connect timeout, restored afterwards
                _sqlite_busy_timeout(conn, int(sqlite_timeout_s() * 1000))


def _claim_key(conn: Connection, hashed: str, day: date) -> bool:
    """Insert the dedup row; False if it was already there (a retried action)."""
    values = {"key_hash": hashed, "day": day}
    dialect = conn.dialect.name
    if dialect in ("postgresql", "sqlite"):
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        stmt = dialect_insert(referral_dedup).values(**values).on_conflict_do_nothing()
        return conn.execute(stmt).rowcount == 1
    try:
        with conn.begin_nested():
            conn.execute(insert(referral_dedup).values(**values))
    except IntegrityError:
        return False
    return True


def _sqlite_busy_timeout(conn: Connection, ms: int) -> None:
    cur = conn.connection.cursor()
    try:
        cur.execute(f"PRAGMA busy_timeout = {int(ms)}")
    finally:
        cur.close()
