"""Tracker privacy: masking before conversations are stored, and retention (purge)."""
from __future__ import annotations

import asyncio
import json
import time

import pytest
import sqlalchemy as sa

from signpost import cli
from signpost.config import ROOT
from signpost.privacy import mask_event, mask_text
from signpost.tracker_cli import purge

PII_MESSAGE = ("I'm Jo, born 14/03/1946, at CO15 1AB, phone 07700 900123 or +44 1206 123456, "
               "jo.bloggs@example.co.uk, I'm lonely")
RAW = ("14/03/1946", "CO15 1AB", "07700 900123", "1206 123456", "jo.bloggs@example.co.uk")


@pytest.mark.parametrize("text, expected", [
    ("call 07700 900123", "call [phone number]"),
    ("call +44 (0)7700 900123 now", "call [phone number] now"),
    ("ring (01206) 123456", "ring [phone number]"),
    ("my landline is 020 7946 0018.", "my landline is [phone number]."),
    ("0044 7700-900-123", "[phone number]"),
    ("mail me at a.b+c@mail.example.org", "mail me at [email address]"),
    ("I live at CO15 1AB", "I live at [postcode]"),
    ("postcode cm11ab", "postcode [postcode]"),
    ("born 1/2/45", "born [date of birth]"),
    ("dob 1946-03-14", "dob [date of birth]"),
    ("born on the 14th of March 1946", "born on the [date of birth]"),
    ("born March 14, 1946", "born [date of birth]"),
])
def test_personal_details_are_masked(text, expected):
    assert mask_text(text) == expected


@pytest.mark.parametrize("text", [
    "I'm 78 and live in Clacton", "I'm in CO15", "Samaritans on 116 123",
    "Childline 0800 1111, text SHOUT to 85258, or NHS 111", "see you at 2pm on Tuesday",
    "I was born in 1946", "I'm lonely",
])
def test_what_is_not_personal_stays(text):
    assert mask_text(text) == text


def test_mask_event_masks_user_text_parse_data_and_entities_only():
    event = {"event": "user", "text": "07700 900123", "timestamp": 1.0,
             "parse_data": {"text": "07700 900123", "intent": {"name": "inform"},
                            "entities": [{"entity": "phone", "value": "07700 900123"}]}}
    masked = mask_event(event)
    assert masked["text"] == masked["parse_data"]["text"] == "[phone number]"
    assert masked["parse_data"]["entities"][0]["value"] == "[phone number]"
    assert masked["parse_data"]["intent"] == {"name": "inform"}
    assert event["text"] == "07700 900123"  # the caller's copy is untouched
    slot = {"event": "slot", "name": "age", "value": "78"}
    assert mask_event(slot) is slot


# --- the store itself, on PostgreSQL ----------------------------------------------------------

def _store(url: str):
    from rasa.shared.core.domain import Domain

    from signpost.tracker_store import MaskingSQLTrackerStore

    return MaskingSQLTrackerStore(domain=Domain.load(str(ROOT / "domain.yml")), host=url)


def _rows(url: str, sender: str) -> list[dict]:
    engine = sa.create_engine(url, future=True)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT type_name, data FROM events WHERE sender_id = :s "
                                    "ORDER BY id"), {"s": sender}).all()
    engine.dispose()
    return [{"type": t, **json.loads(d)} for t, d in rows]


def test_store_masks_before_writing_and_keeps_the_live_tracker(tracker_pg_url):
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    store = _store(tracker_pg_url)
    tracker = DialogueStateTracker("resident-1", store.domain.slots)
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered(PII_MESSAGE, {"name": "loneliness", "confidence": 0.9},
                               parse_data={"text": PII_MESSAGE,
                                           "intent": {"name": "loneliness"}}))
    tracker.update(SlotSet("district", "Tendring"))
    tracker.update(BotUttered("We'll call you on 07700 900123"))
    asyncio.run(store.save(tracker))

    rows = _rows(tracker_pg_url, "resident-1")
    stored = json.dumps(rows)
    for raw in RAW:
        assert raw not in stored, raw
    user = next(r for r in rows if r["type"] == "user")
    assert user["text"] == user["parse_data"]["text"]
    assert "[date of birth]" in user["text"] and "[postcode]" in user["text"]
    assert "[email address]" in user["text"] and user["text"].count("[phone number]") == 2
    assert user["text"].endswith("I'm lonely")  # the need is kept
    assert user["parse_data"]["intent"]["name"] == "loneliness"
    bot = next(r for r in rows if r["type"] == "bot")
    assert bot["text"] == "We'll call you on [phone number]"
    # The tracker Rasa holds while handling the message keeps the words (actions need them).
    assert tracker.latest_message.text == PII_MESSAGE

    # A second save writes only the new events, and reading back gives the masked copy.
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered("thanks, email me at jo@example.com"))
    asyncio.run(store.save(tracker))
    rows = _rows(tracker_pg_url, "resident-1")
    assert [r["type"] for r in rows] == ["action", "user", "slot", "bot", "action", "user"]
    back = asyncio.run(store.retrieve("resident-1"))
    assert back.latest_message.text == "thanks, email me at [email address]"
    assert back.get_slot("district") == "Tendring"
    store.engine.dispose()


def test_store_refuses_an_event_broker(tracker_pg_url):
    from rasa.core.brokers.broker import EventBroker
    from rasa.shared.core.domain import Domain

    from signpost.tracker_store import MaskingSQLTrackerStore

    class Broker(EventBroker):
        def publish(self, event) -> None:  # pragma: no cover - never reached
            raise AssertionError

    with pytest.raises(ValueError, match="event broker"):
        MaskingSQLTrackerStore(domain=Domain.empty(), host=tracker_pg_url,
                               event_broker=Broker())


# --- retention ------------------------------------------------------------------------------

def _seed_events(url: str, conversations: dict[str, list[float]]) -> None:
    from signpost.tracker_cli import init

    init(url)
    engine = sa.create_engine(url, future=True)
    with engine.begin() as conn:
        for sender, stamps in conversations.items():
            for ts in stamps:
                conn.execute(sa.text("INSERT INTO events (sender_id, type_name, timestamp, data) "
                                     "VALUES (:s, 'user', :t, '{}')"), {"s": sender, "t": ts})
    engine.dispose()


def _senders(url: str) -> dict[str, int]:
    engine = sa.create_engine(url, future=True)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT sender_id, count(*) FROM events GROUP BY sender_id"))
        out = dict(rows.all())
    engine.dispose()
    return out


def test_purge_deletes_whole_conversations_older_than_the_retention(tracker_pg_url):
    day, now = 86400, time.time()
    _seed_events(tracker_pg_url, {
        "old": [now - 40 * day, now - 39 * day],
        "old-but-came-back": [now - 40 * day, now - 1 * day],  # newest event counts
        "recent": [now - 2 * day, now - 2 * day + 60],
        "just-inside": [now - 29 * day],
    })
    assert purge(tracker_pg_url, 30, dry_run=True) == (1, 2)
    assert len(_senders(tracker_pg_url)) == 4
    assert purge(tracker_pg_url, 30) == (1, 2)
    assert _senders(tracker_pg_url) == {"old-but-came-back": 2, "recent": 2, "just-inside": 1}
    assert purge(tracker_pg_url, 30) == (0, 0)
    assert purge(tracker_pg_url, 3) == (1, 1)  # just-inside (29 days) is older than 3 days


def test_purge_command_reads_retention_from_the_environment(tracker_pg_url, monkeypatch, capsys):
    now = time.time()
    _seed_events(tracker_pg_url, {"a": [now - 10 * 86400], "b": [now - 3600]})
    monkeypatch.setenv("TRACKER_DATABASE_URL", tracker_pg_url)
    assert cli.main(["tracker", "purge"]) == 0  # default 30 days: nothing is that old
    assert "deleted 0 conversation(s)" in capsys.readouterr().out
    monkeypatch.setenv("TRACKER_RETENTION_DAYS", "7")
    assert cli.main(["tracker", "purge"]) == 0
    assert "deleted 1 conversation(s), 1 event(s) older than 7 day(s)" in capsys.readouterr().out
    assert set(_senders(tracker_pg_url)) == {"b"}


def test_purge_command_errors_are_one_clear_line(monkeypatch, capsys):
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    assert cli.main(["tracker", "purge"]) == 2
    assert "TRACKER_DATABASE_URL" in capsys.readouterr().err
    monkeypatch.setenv("TRACKER_RETENTION_DAYS", "a month")
    assert cli.main(["tracker", "purge", "--url", "sqlite://"]) == 2
    assert "whole number of days" in capsys.readouterr().err


def test_purge_on_a_database_without_conversations_does_nothing(tracker_pg_url):
    assert purge(tracker_pg_url, 30) == (0, 0)
