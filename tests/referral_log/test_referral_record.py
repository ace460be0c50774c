"""record_events: validation, measures, idempotency, and never breaking a conversation."""
from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from referral_log import log as referral
from referral_log.log import SignpostEvent, age_band, event_row, record_events
from referral_log.models import referral_dedup, referral_event
from signpost.db import get_engine

DAY = date(2024, 6, 12)


def _event(**kw) -> SignpostEvent:
    base = dict(need="loneliness", service_id="svc-1", jhws_actions=("1.6",), district="Tendring",
                age_band="65+", channel="resident", kind="signposted")
    return SignpostEvent(**{**base, **kw})


def _rows(url: str) -> list[dict]:
    with get_engine(url).connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(referral_event))]


@pytest.mark.parametrize(("age", "band"), [
    (None, "unknown"), (0, "0-15"), (15, "0-15"), (16, "16-24"), (24, "16-24"), (25, "25-64"),
    (64, "25-64"), (65, "65+"), (101, "65+"), (-1, "unknown"), (200, "unknown"),
])
def test_age_band(age, band):
    assert age_band(age) == band


def test_events_are_written_with_measures_and_source(empty_db_url):
    events = [
        _event(),
        _event(need="crisis", service_id=None, jhws_actions=(), district=None, age_band=None,
               kind="crisis_shown", channel="practitioner"),
        _event(need="smoking", service_id="els-1", jhws_actions=("3.6", "3.6"),
               district="castle_point", age_band="25-64"),
    ]
    assert record_events(events, "c1:m1:action_show_services", url=empty_db_url, today=DAY)
    rows = sorted(_rows(empty_db_url), key=lambda r: r["need"])
    assert [(r["need"], r["measures"], r["district"], r["service_id"]) for r in rows] == [
        ("crisis", "P1.suicide,P1.self_harm_10_24,P1.self_harm_all_ages", "unknown", None),
        ("loneliness", "1.6", "tendring", "svc-1"),
        ("smoking", "3.6", "castle_point", "els-1"),
    ]
    assert {r["day"] for r in rows} == {DAY}
    assert {r["source"] for r in rows} == {"live"}
    assert rows[0]["age_band"] == "unknown" and rows[0]["channel"] == "practitioner"


def test_a_retried_action_is_counted_once(empty_db_url):
    key = "conv-1:msg-1:action_show_services"
    for _ in range(3):
        assert record_events([_event(), _event(service_id="svc-2")], key, url=empty_db_url)
    assert len(_rows(empty_db_url)) == 2
    # The next turn of the same conversation is a new key, so it counts.
    assert record_events([_event()], "conv-1:msg-2:action_show_services", url=empty_db_url)
    assert len(_rows(empty_db_url)) == 3


def test_old_dedup_rows_are_purged_on_write(empty_db_url):
    for i, days_ago in enumerate((5, 3, 2, 1, 0)):
        record_events([_event()], f"k{i}", url=empty_db_url, today=DAY - timedelta(days=days_ago))
    record_events([_event()], "now", url=empty_db_url, today=DAY)
    with get_engine(empty_db_url).connect() as conn:
        days = sorted(conn.execute(select(referral_dedup.c.day)).scalars())
    assert days == [DAY - timedelta(days=2), DAY - timedelta(days=1), DAY, DAY]


@pytest.mark.parametrize("bad", [
    dict(need="not_a_need"), dict(kind="shown"), dict(channel="web"), dict(age_band="65-70"),
    dict(district="Southend"), dict(service_id=None), dict(service_id="has spaces"),
    dict(jhws_actions="1.6"),
])
def test_invalid_events_are_refused_without_raising(sqlite_url, bad, caplog):
    good = _event(service_id="svc-ok")
    with caplog.at_level(logging.ERROR, logger="referral_log"):
        assert record_events([good, _event(**bad)], "k", url=sqlite_url) is False
    assert _rows(sqlite_url) == []  # all or nothing
    assert "not recorded" in caplog.text
    with pytest.raises(ValueError):
        event_row(_event(**bad), DAY)


def test_unknown_action_ids_are_dropped_but_the_event_kept(sqlite_url):
    assert record_events([_event(jhws_actions=("1.6", "9.9"))], "k", url=sqlite_url)
    assert _rows(sqlite_url)[0]["measures"] == "1.6"


def test_districts_by_name_or_id(sqlite_url):
    names = ["Epping Forest", "epping_forest", "EPPING-FOREST", " epping forest ", None, "unknown"]
    events = [_event(district=n) for n in names]
    assert record_events(events, "k", url=sqlite_url)
    assert sorted(r["district"] for r in _rows(sqlite_url)) == ["epping_forest"] * 4 + [
        "unknown"] * 2


def test_no_events_is_fine(sqlite_url):
    assert record_events([], "k", url=sqlite_url) is True


def test_a_database_failure_returns_false_and_warns(tmp_path, caplog, monkeypatch):
    monkeypatch.setattr(referral, "RETRY_DELAY_S", 0)
    url = f"sqlite:///{tmp_path / 'missing' / 'no.db'}"  # the directory does not exist
    with caplog.at_level(logging.WARNING, logger="referral_log"):
        assert record_events([_event()], "k", url=url) is False
    assert "dropped" in caplog.text


def test_an_unmigrated_database_returns_false(tmp_path, monkeypatch):
    monkeypatch.setattr(referral, "RETRY_DELAY_S", 0)
    assert record_events([_event()], "k", url=f"sqlite:///{tmp_path / 'empty.db'}") is False


def test_one_quick_retry_then_success(empty_db_url, monkeypatch):
    monkeypatch.setattr(referral, "RETRY_DELAY_S", 0)
    real_write, calls = referral._write, []

    def flaky(*args):
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("database restarted")
        return real_write(*args)

    monkeypatch.setattr(referral, "_write", flaky)
    assert record_events([_event()], "k", url=empty_db_url)
    assert len(calls) == 2 and len(_rows(empty_db_url)) == 1


def test_a_failed_write_leaves_no_dedup_row(empty_db_url, monkeypatch):
    """The dedup row is in the same transaction, so a later retry can still succeed."""
    monkeypatch.setattr(referral, "RETRY_DELAY_S", 0)
    bad_row = event_row(_event(), DAY) | {"channel": "x" * 50}  # breaks a CHECK constraint
    monkeypatch.setattr(referral, "event_row", lambda *a: bad_row)
    assert record_events([_event()], "k", url=empty_db_url) is False
    with get_engine(empty_db_url).connect() as conn:
        assert conn.execute(select(func.count()).select_from(referral_dedup)).scalar() == 0
    monkeypatch.setattr(referral, "event_row", event_row)
    assert record_events([_event()], "k", url=empty_db_url)
    assert len(_rows(empty_db_url)) == 1


def test_the_log_secret_is_generated_once(tmp_path, monkeypatch):
    from referral_log import auth

    monkeypatch.setenv("SIGNPOST_VAR_DIR", str(tmp_path / "v"))
    first = referral.key_hash("k")
    assert (tmp_path / "v" / "log_secret").stat().st_mode & 0o777 == 0o600
    assert referral.key_hash("k") == first
    monkeypatch.setenv(auth.LOG_SECRET_ENV, "from-env")
    assert referral.key_hash("k") != first
