"""The atomic Redis lock store, against a real Redis: tickets issued at the same moment by
several "replicas" (store instances) are all different, and locks are cleaned up. With Redis
down or hung it fails quickly, and works again by itself once Redis is back."""
from __future__ import annotations

import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from cluster_helpers import REDIS, redis_up


@pytest.fixture
def stores():
    if not redis_up():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379: the cluster's lock store")
    from rasa.utils.endpoints import EndpointConfig

    from signpost.lock_store import AtomicRedisLockStore

    prefix = f"locktest{uuid.uuid4().hex[:10]}"
    config = EndpointConfig(url=REDIS[0], port=REDIS[1], db=1, key_prefix=prefix,
                            type="signpost.lock_store.AtomicRedisLockStore")
    made = [AtomicRedisLockStore(endpoint_config=config) for _ in range(2)]
    yield made
    for key in made[0].red.scan_iter(f"{prefix}:*"):
        made[0].red.delete(key)


def test_simultaneous_tickets_from_two_replicas_are_all_different(stores):
    conversation = "c-" + uuid.uuid4().hex
    n = 40
    barrier = threading.Barrier(n)

    def issue(i: int) -> int:
        barrier.wait(timeout=30)
        return stores[i % 2].issue_ticket(conversation, 60)

    with ThreadPoolExecutor(max_workers=n) as pool:
        tickets = list(pool.map(issue, range(n)))
    assert sorted(tickets) == list(range(n))  # Rasa numbers tickets from 0
    lock = stores[0].get_lock(conversation)
    assert len(lock.tickets) == n and lock.now_serving == 0

    for ticket in sorted(tickets)[:-1]:
        stores[ticket % 2].cleanup(conversation, ticket)
        assert stores[0].get_lock(conversation) is not None  # someone still waits
    stores[1].cleanup(conversation, n - 1)
    assert stores[0].get_lock(conversation) is None  # nobody waits: deleted


def test_lock_context_serves_in_ticket_order(stores):
    import asyncio

    conversation = "c-" + uuid.uuid4().hex
    order: list[int] = []

    async def hold(store, i: int) -> None:
        async with store.lock(conversation, wait_time_in_seconds=0.05):
            order.append(i)
            await asyncio.sleep(0.05)
            order.append(i)

    async def main() -> None:
        await asyncio.gather(*(hold(stores[i % 2], i) for i in range(6)))

    asyncio.run(main())
    # Never two holders at once: each start is followed by its own end.
    assert all(order[k] == order[k + 1] for k in range(0, len(order), 2)), order
    assert stores[0].get_lock(conversation) is None


# --- Redis down or hung: LockError, quickly; the same store works again once Redis is back ---

def _store(port: int, socket_timeout: float = 2):
    from rasa.utils.endpoints import EndpointConfig

    from signpost.lock_store import AtomicRedisLockStore

    return AtomicRedisLockStore(endpoint_config=EndpointConfig(
        url="127.0.0.1", port=port, db=0, key_prefix="downtest", socket_timeout=socket_timeout,
        type="signpost.lock_store.AtomicRedisLockStore"))


def test_redis_killed_then_back_on_the_same_port():
    from rasa.core.lock_store import LockError
    from real_servers import RedisServer, redis_server_binary

    if redis_server_binary() is None:
        pytest.skip("redis-server is not installed (a private Redis that can be stopped)")
    with RedisServer() as server:
        store = _store(server.port)
        conversation = "c-" + uuid.uuid4().hex
        store.cleanup(conversation, store.issue_ticket(conversation))
        server.kill()
        started = time.monotonic()
        with pytest.raises(LockError, match="Connection refused"):
            store.issue_ticket(conversation)
        assert time.monotonic() - started < 1  # refused at once
        server.start()
        ticket = store.issue_ticket(conversation)  # the same store: redis-py reconnects
        store.cleanup(conversation, ticket)
        assert store.get_lock(conversation) is None


def test_a_hung_redis_fails_within_the_socket_timeout():
    """A port that accepts connections and never answers (as a Redis that is stuck)."""
    from rasa.core.lock_store import LockError

    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen()
        store = _store(hung.getsockname()[1], socket_timeout=1)
        kwargs = store.red.connection_pool.connection_kwargs
        assert kwargs["socket_connect_timeout"] == kwargs["socket_timeout"] == 1
        started = time.monotonic()
        with pytest.raises(LockError, match="Timeout"):
            store.issue_ticket("c-" + uuid.uuid4().hex)
        assert time.monotonic() - started < 3
