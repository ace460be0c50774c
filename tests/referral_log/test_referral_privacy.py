"""The referral log keeps only whitelisted, coarse columns, and never a conversation's text."""
from __future__ import annotations

from datetime import date

from sqlalchemy import inspect, select, text

from referral_log import log as referral
from referral_log.log import SignpostEvent, age_band, record_events
from referral_log.models import EVENT_COLUMNS, referral_event
from signpost.db import get_engine

# The whole whitelist (docs/statistics.md explains each column). Adding a column
# here needs a privacy review: it is what makes the log anonymous.
WHITELIST = {
    "day", "need", "service_id", "measures", "district", "age_band", "channel", "kind", "source",
}
DEDUP_COLUMNS = {"key_hash", "day"}

# What the person typed, and identifiers the bot sees. None of it may be stored.
MESSAGE = ("My name is Zebedee Quarrington, I'm 71, I live at 4 Wisteria Lane CM77 8QZ, "
           "my phone is 07700 900123 and I feel so lonely since my wife died")
SENDER_ID = "conv-5b1e7d2a-sender-77aa"
MESSAGE_ID = "msg-9c0ffee-0042"
SECRETS = ("Zebedee", "Quarrington", "Wisteria", "CM77", "07700", "wife died", SENDER_ID,
           MESSAGE_ID, "lonely since")


def test_event_table_has_exactly_the_whitelisted_columns(empty_db_url):
    insp = inspect(get_engine(empty_db_url))
    columns = {c["name"] for c in insp.get_columns("referral_event")}
    assert columns == WHITELIST
    assert set(EVENT_COLUMNS) == WHITELIST == {c.name for c in referral_event.columns}
    # No surrogate id: an increasing id would record the order of conversations.
    assert not insp.get_pk_constraint("referral_event")["constrained_columns"]
    assert {c["name"] for c in insp.get_columns("referral_dedup")} == DEDUP_COLUMNS


def _tracker(text_: str) -> dict:
    """The shape of what a Rasa action sees (rasa_sdk Tracker.current_state())."""
    return {
        "sender_id": SENDER_ID,
        "slots": {"need": "loneliness", "district": "Braintree", "age": 71,
                  "practitioner": False, "shown_service_ids": ["svc-befriend-1"]},
        "latest_message": {"text": text_, "message_id": MESSAGE_ID,
                           "intent": {"name": "loneliness", "confidence": 0.93},
                           "entities": [{"entity": "age", "value": 71},
                                        {"entity": "place", "value": "CM77 8QZ"}]},
        "events": [{"event": "user", "text": text_, "timestamp": 1712345678.9}],
    }


def _action_records(tracker: dict, url: str) -> bool:
    """What action_show_services does: slots -> coarse events, turn -> idempotency key."""
    slots = tracker["slots"]
    events = [
        SignpostEvent(
            need=slots["need"], service_id=sid, jhws_actions=("1.6", "3.6"),
            district=slots["district"], age_band=age_band(slots["age"]),
            channel="practitioner" if slots["practitioner"] else "resident", kind="signposted",
        )
        for sid in slots["shown_service_ids"]
    ]
    key = f"{tracker['sender_id']}:{tracker['latest_message']['message_id']}:action_show_services"
    return record_events(events, key, url=url)


def _everything_stored(url: str) -> str:
    """Every value of every row of every table in the database, as one string."""
    engine = get_engine(url)
    out = []
    with engine.connect() as conn:
        for table in inspect(engine).get_table_names():
            for r in conn.execute(text(f'SELECT * FROM "{table}"')):
                out.append(" ".join(str(v) for v in r))
    return "\n".join(out)


def test_conversation_text_never_reaches_the_database(empty_db_url):
    tracker = _tracker(MESSAGE)
    assert _action_records(tracker, empty_db_url) is True
    assert _action_records(tracker, empty_db_url) is True  # Rasa retrying the action

    stored = _everything_stored(empty_db_url)
    for secret in SECRETS:
        assert secret.lower() not in stored.lower(), secret
    with get_engine(empty_db_url).connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(referral_event))]
    assert len(rows) == 1  # counted once despite the retry
    r = rows[0]
    assert (r["need"], r["district"], r["age_band"], r["channel"]) == (
        "loneliness", "braintree", "65+", "resident")
    assert "71" not in {str(v) for v in r.values()}  # only the band, never the age


def test_text_put_in_a_field_by_mistake_is_refused_not_stored(empty_db_url, caplog):
    """A caller bug that passes the message as an id or a place must not store it."""
    bad = [
        SignpostEvent("loneliness", MESSAGE, (), "Braintree", "65+", "resident", "signposted"),
        SignpostEvent("loneliness", "svc-1", (), MESSAGE, "65+", "resident", "signposted"),
        SignpostEvent(MESSAGE, "svc-1", (), None, None, "resident", "signposted"),
        SignpostEvent("loneliness", "svc-1", (MESSAGE,), None, None, "resident", "signposted"),
    ]
    for i, event in enumerate(bad):
        record_events([event], f"{SENDER_ID}:{i}:action_show_services", url=empty_db_url)
    stored = _everything_stored(empty_db_url)
    for secret in SECRETS:
        assert secret.lower() not in stored.lower()
        # ... nor in our log lines (they name the field, never echo the value).
        assert secret.lower() not in caplog.text.lower()


def test_the_idempotency_key_is_stored_only_as_an_hmac(empty_db_url):
    key = f"{SENDER_ID}:{MESSAGE_ID}:action_show_services"
    event = SignpostEvent("smoking", "svc-2", ("3.6",), None, None, "resident", "signposted")
    assert record_events([event], key, url=empty_db_url, today=date(2024, 5, 1))
    with get_engine(empty_db_url).connect() as conn:
        hashes = conn.execute(text("SELECT key_hash FROM referral_dedup")).scalars().all()
    assert hashes == [referral.key_hash(key)]
    assert len(hashes[0]) == 64 and SENDER_ID not in hashes[0]
