"""A Redis lock store whose ticket updates are atomic, for several Rasa replicas.

Rasa's RedisLockStore (3.6) updates a conversation's ticket lock by reading it, changing it
in Python and writing it back. Two replicas that get messages of one conversation at the
same moment both read "no lock", both issue ticket 1 and both go ahead: one turn's events
are then lost from the tracker store (tests/cluster shows it; upstream: RasaHQ/rasa#9213,
and the ConcurrentRedisLockStore of RasaHQ/rasa#11256 was reverted in #11428).

Here every change to a lock (issue a ticket, drop expired tickets, finish a ticket, delete
the lock when nobody waits) is one Redis transaction: WATCH the key, read, change, MULTI/EXEC,
retried if another replica changed the key in between. Reading (waiting for one's turn) is
Rasa's own code. Configured in endpoints.cluster.yml:

    lock_store:
      type: signpost.lock_store.AtomicRedisLockStore
      url: ..., port: ..., db: ..., key_prefix: ..., socket_timeout: ...
      (RedisLockStore's settings)

When Redis is down, taking the lock fails at once with LockError ("Connection refused"), the
message is not handled, and the channel (bot/channels.py) answers with the crisis-line
fallback; redis-py reconnects by itself on the next message once Redis is back. Redis is
called synchronously, in the replica's event loop, so a Redis that hangs or a host that does
not answer holds every conversation of that replica up for the timeout. Rasa sets a read
timeout (socket_timeout, 10 s by default) but no connect timeout, so connecting to a host
that is gone could block for the operating system's TCP timeout (minutes): here the connect
timeout is the socket timeout as well.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

log = logging.getLogger(__name__)
T = TypeVar("T")
SAVE, DELETE, KEEP = "save", "delete", "keep"


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        # Rasa builds a custom lock store as cls(endpoint_config=...).
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs,
                      **kwargs}
        super().__init__(**kwargs)
        connection = self.red.connection_pool.connection_kwargs
        if connection.get("socket_connect_timeout") is None:
            connection["socket_connect_timeout"] = connection.get("socket_timeout")

    def _change(self, conversation_id: str,
                change: Callable[[TicketLock | None], tuple[T, TicketLock | None, str]]) -> T:
        """Apply change(lock) atomically; it returns (result, lock, SAVE | DELETE | KEEP)."""
        key = self.key_prefix + conversation_id

        def transaction(pipe) -> T:
            raw = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(raw)) if raw else None
            result, lock, what = change(lock)
            pipe.multi()
            if what == SAVE and lock is not None:
                pipe.set(key, lock.dumps())
            elif what == DELETE:
                pipe.delete(key)
            return result

        return self.red.transaction(transaction, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def change(lock: TicketLock | None):
            lock = lock or self.create_lock(conversation_id)
            return lock.issue_ticket(lock_lifetime), lock, SAVE

        try:
            return self._change(conversation_id, change)
        except Exception as exc:  # same contract as LockStore.issue_ticket
            raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc

    def update_lock(self, conversation_id: str) -> None:
        def change(lock: TicketLock | None):
            if lock is None:
                return None, None, KEEP
            lock.remove_expired_tickets()
            return None, lock, SAVE

        self._change(conversation_id, change)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def change(lock: TicketLock | None):
            if lock is None:
                return None, None, KEEP
            lock.remove_ticket_for(ticket_number)
            return None, lock, SAVE

        self._change(conversation_id, change)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Finish the ticket; delete the lock in the same step if nobody else waits."""
        def change(lock: TicketLock | None):
            if lock is None:
                return None, None, KEEP
            lock.remove_ticket_for(ticket_number)
            return None, lock, (SAVE if lock.is_someone_waiting() else DELETE)

        self._change(conversation_id, change)
