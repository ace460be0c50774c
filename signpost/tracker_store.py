"""Rasa's SQL tracker store, with personal details masked before anything is written.

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

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

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
