"""`make run` keeps a conversation only while it is in use (issue 16): Rasa's in-memory
tracker store kept every conversation's full text until restart, while the resident page
said "We do not keep what you type". ExpiringInMemoryTrackerStore (signpost/tracker_store.py)
forgets a conversation after SIGNPOST_CONVERSATION_IDLE_MINUTES (30) without a message, and
the privacy notice says exactly that."""
from __future__ import annotations

import asyncio
import re
import time

import pytest
from rasa.core.tracker_store import create_tracker_store
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from signpost.config import DEFAULT_IDLE_MINUTES, ROOT, idle_minutes_from_env
from signpost.stack import Ports, Stack
from signpost.tracker_store import ExpiringInMemoryTrackerStore
from web.app import create_app


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def tracker(sender: str, text: str) -> DialogueStateTracker:
    t = DialogueStateTracker(sender, slots=[])
    t.update(UserUttered(text))
    return t


def run(coro):
    return asyncio.run(coro)


def test_a_conversation_is_forgotten_after_the_idle_time():
    clock = Clock()
    store = ExpiringInMemoryTrackerStore(Domain.empty(), idle_minutes=30, sweep_seconds=0,
                                         clock=clock)

    async def scenario() -> None:
        await store.save(tracker("old", "I live at 12 Station Road"))
        clock.now += 20 * 60
        await store.save(tracker("recent", "hello"))
        assert await store.retrieve("old") is not None  # 20 minutes: still there
        clock.now += 11 * 60  # "old" idle 31 minutes, "recent" 11
        assert await store.retrieve("old") is None
        assert list(await store.keys()) == ["recent"]
        assert "Station Road" not in repr(store.store)

    run(scenario())


def test_the_background_sweep_forgets_without_any_new_message():
    store = ExpiringInMemoryTrackerStore(Domain.empty(), idle_minutes=0.01, sweep_seconds=0.1)
    try:
        run(store.save(tracker("quiet", "my phone is 07700 900123")))
        deadline = time.monotonic() + 5
        while store.store and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not store.store, "an idle conversation was still held"
    finally:
        store.stop_sweeping()


def test_rasa_loads_it_from_the_endpoints_that_make_run_writes(monkeypatch):
    stack = Stack(ports=Ports(actions=1, rasa=2, web=3))
    monkeypatch.setenv("SIGNPOST_ACTION_SECRET", stack.action_secret)  # as Rasa's env has it
    try:
        from rasa.utils.endpoints import read_endpoint_config

        config = read_endpoint_config(str(stack._endpoints_file()), "tracker_store")
        assert isinstance(config, EndpointConfig)
        store = create_tracker_store(config, Domain.empty())
        inner = getattr(store, "_tracker_store", store)
        assert isinstance(inner, ExpiringInMemoryTrackerStore)
        assert inner.idle_seconds == DEFAULT_IDLE_MINUTES * 60
    finally:
        stack.stop()


def test_idle_setting_is_checked():
    assert idle_minutes_from_env({}) == DEFAULT_IDLE_MINUTES
    assert idle_minutes_from_env({"SIGNPOST_CONVERSATION_IDLE_MINUTES": "5"}) == 5
    for bad in ("0", "-1", "soon", "100000"):
        with pytest.raises(ValueError):
            idle_minutes_from_env({"SIGNPOST_CONVERSATION_IDLE_MINUTES": bad})


def test_the_privacy_notice_says_what_is_kept_where_and_for_how_long(sqlite_url):
    page = create_app(database_url=sqlite_url).test_client().get("/").get_data(as_text=True)
    notice = re.search(r'<section aria-labelledby="privacy-heading".*?</section>', page, re.S)
    assert notice, "no privacy notice on the resident page"
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", notice.group(0)))
    assert "We do not keep what you type" not in text  # it was not true
    assert f"{DEFAULT_IDLE_MINUTES} minutes" in text and "memory" in text
    assert "anonymous counts" in text  # the referral log: what it holds
    assert "no names" in text.lower() or "never your words" in text.lower()


def test_the_docs_and_the_notice_agree_on_the_cluster_retention():
    doc = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    assert f"{DEFAULT_IDLE_MINUTES} minutes" in doc and "TRACKER_RETENTION_DAYS" in doc


def test_in_the_cluster_the_notice_says_the_database_and_its_retention(sqlite_url,
                                                                        monkeypatch):
    monkeypatch.setenv("TRACKER_DATABASE_URL", "postgresql://example/tracker")
    monkeypatch.setenv("TRACKER_RETENTION_DAYS", "14")
    page = create_app(database_url=sqlite_url).test_client().get("/").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "kept in our database" in text and "deleted 14 days after" in text
    assert "never written to a database" not in text


def test_the_tab_forgets_after_the_same_idle_time_as_the_server(sqlite_url, monkeypatch):
    monkeypatch.setenv("SIGNPOST_CONVERSATION_IDLE_MINUTES", "12")
    page = create_app(database_url=sqlite_url).test_client().get("/").get_data(as_text=True)
    assert 'data-keep-minutes="12"' in page
    assert "This tab keeps the copy for 12 minutes" in page
