"""Tracker stores: Rasa's SQL one with personal details masked before anything is written
(the cluster), and an in-memory one that forgets idle conversations (`make run`).

Configured by module path in endpoints.cluster.yml:

    tracker_store:
      type: signpost.tracker_store.MaskingSQLTrackerStore
      url: ${TRACKER_DATABASE_URL}     # a full SQLAlchemy URL (postgresql://...)

Only what is written is masked (signpost/privacy.py): the tracker Rasa holds in memory
while it handles a message keeps the person's words, so the actions see exactly what was
typed. Everything read back later (by the next turn on any replica, or through
GET /conversations/<id>/tracker) is the masked copy.

Old conversations are deleted by `signpost tracker purge` (signpost/tracker_cli.py).
"""
from __future__ import annotations

import json
import logging

from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from signpost.config import idle_minutes_from_env
from signpost.privacy import mask_event

log = logging.getLogger(__name__)


class MaskingSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose user and bot events are masked before they are saved."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.event_broker is not None:
            # The broker would get the unmasked events (TrackerStore.stream_events).
            raise ValueError("MaskingSQLTrackerStore: an event broker would receive "
                             "unmasked text; remove event_broker from the endpoints file")

    async def save(self, tracker: DialogueStateTracker) -> None:
        # Same as SQLTrackerStore.save (rasa 3.6.21), with mask_event() on each event.
        await self.stream_events(tracker)
        with self.session_scope() as session:
            for event in self._additional_events(session, tracker):
                data = mask_event(event.as_dict())
                intent = data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY)
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=intent,
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()
        log.debug("tracker %s saved (masked)", tracker.sender_id)


# --- `make run`: conversations in memory, forgotten after an idle time ------------------------

class ExpiringInMemoryTrackerStore(InMemoryTrackerStore):
    """Rasa's in-memory tracker store, which forgets a conversation once it has been idle
    for `idle_minutes` (SIGNPOST_CONVERSATION_IDLE_MINUTES, default 30).

    Rasa's own keeps every conversation's full text until the process stops, although the
    resident page said nothing was kept. Each save stamps the time; every read, save and
    listing first drops conversations idle for longer, and a background thread does the
    same each minute, so a conversation is gone at most a minute after its time even when
    nobody else is chatting. (The cluster uses MaskingSQLTrackerStore and its purge.)"""

    def __init__(self, domain, event_broker=None, idle_minutes: float | None = None,
                 sweep_seconds: float = 60, clock=None, **kwargs) -> None:
        import threading
        import time

        super().__init__(domain, event_broker, **kwargs)
        self.idle_seconds = 60 * (float(idle_minutes) if idle_minutes is not None
                                  else idle_minutes_from_env())
        self._clock = clock or time.monotonic
        self._last_seen: dict[str, float] = {}
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        if sweep_seconds > 0:
            def sweep() -> None:
                while not self._stopped.wait(sweep_seconds):
                    self.evict_idle()

            threading.Thread(target=sweep, name="tracker-idle-sweep", daemon=True).start()

    def stop_sweeping(self) -> None:
        self._stopped.set()

    def evict_idle(self) -> int:
        """Forget the conversations idle for longer than the limit; how many."""
        cutoff = self._clock() - self.idle_seconds
        with self._lock:
            old = [sid for sid, seen in self._last_seen.items() if seen < cutoff]
            for sid in old:
                self.store.pop(sid, None)
                del self._last_seen[sid]
        if old:
            log.info("tracker store: forgot %d idle conversation(s)", len(old))
        return len(old)

    async def save(self, tracker: DialogueStateTracker) -> None:
        self.evict_idle()
        await super().save(tracker)
        with self._lock:
            self._last_seen[tracker.sender_id] = self._clock()

    async def _retrieve(self, sender_id, fetch_all_sessions):
        self.evict_idle()
        return await super()._retrieve(sender_id, fetch_all_sessions)

    async def keys(self):
        self.evict_idle()
        return list(self.store.keys())
