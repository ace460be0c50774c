"""Redis down in cluster mode: the real redis-server of the cluster's lock store (and of the
web app's rate limits) is killed, then started again on the same port.

While it is down, every message (to either replica directly, through nginx, over REST and
socket.io) must get, quickly, HTTP 200 with the fallback: the crisis lines and a general
route to a person, nothing about services. The web app must still serve pages (its rate
limits fail open). When Redis is back, the same Rasa processes answer normally again: nothing
is restarted. A Redis that hangs (SIGSTOP) instead gives the same fallback after the lock
store's socket timeout (2 s, endpoints.cluster.yml).
"""
from __future__ import annotations

import time

import pytest
from cluster_helpers import (
    LONELY,
    SERVICES,
    SHOWN,
    new_sender,
    say,
    socketio_conversation,
    web_get,
    websocket_conversation,
)

from bot.fallbacks import has_crisis_lines

pytestmark = [pytest.mark.rasa, pytest.mark.postgres]

BOUND_S = 15  # an answer while Redis is down must come well within the chat widget's wait
GENERAL_ROUTE = ("GP practice", "social prescriber", "NHS 111")  # as tests/robustness


def has_general_route(text: str) -> bool:
    return all(marker in text for marker in GENERAL_ROUTE)


def assert_fallback(out: str) -> None:
    assert has_crisis_lines(out) and has_general_route(out), out
    assert not any(name in out for name in SERVICES), out
    assert "Was this helpful?" not in out


def assert_services(out: str) -> None:
    assert "Tendring" in out and any(name in out for name in SERVICES), out


def timed_say(base: str, sender: str, message: str) -> str:
    started = time.monotonic()
    out = say(base, sender, message, timeout=BOUND_S + 5)  # 200, or the test fails
    assert time.monotonic() - started < BOUND_S, (base, message, "too slow")
    return out


def test_redis_down_then_back(cluster, cluster_redis):
    if cluster_redis is None:
        pytest.skip("redis-server is not installed: the cluster uses the machine's Redis, "
                    "which this test must not stop")
    replicas = [f"http://127.0.0.1:{port}" for port in cluster.ports.rasa]
    lb = f"http://127.0.0.1:{cluster.ports.rasa_lb}"
    pids = {name: proc.pid for name, proc in cluster.procs.items()}
    sender = new_sender("redis")
    assert_services(say(lb, sender, LONELY))

    cluster_redis.kill()  # the real process, as a crash would
    try:
        for base in (*replicas, lb):
            for message in (LONELY, "hello", "I want to stop smoking"):
                assert_fallback(timed_say(base, new_sender("redis-down"), message))
            assert_fallback(timed_say(base, sender, "I'd like to get more active"))
        for talk in (socketio_conversation, websocket_conversation):
            out = talk(lb, ["what can you help me with?"], until="0800 1111", timeout=BOUND_S)
            assert has_crisis_lines(out) and has_general_route(out), (talk.__name__, out)
        # The web app behind nginx still serves pages: its rate limits fail open.
        status, _, body = web_get(cluster.ports.web_lb, "/", source="127.0.0.21")
        assert status == 200, body[:300]
        assert all(proc.poll() is None for proc in cluster.procs.values()), "a process died"
    finally:
        cluster_redis.start()  # the same port, empty

    # Recovered by itself: the same processes, the same conversation, both replicas.
    assert {name: proc.pid for name, proc in cluster.procs.items()} == pids
    for base in replicas:
        assert_services(timed_say(base, new_sender("redis-back"), LONELY))
    out = say(lb, sender, "/more_options")
    assert "Here are more services" in out, out
    assert_services(say(lb, new_sender("redis-back"), LONELY))
    assert_services(socketio_conversation(lb, [LONELY], until=SHOWN))
    # The web app counts in Redis again (each worker tries Redis again 5 s after a failure).
    deadline = time.monotonic() + 30
    while not any(b"|127.0.0.22:" in key for key in
                  cluster_redis.client(db=cluster.redis_db).scan_iter()):
        assert time.monotonic() < deadline, "the web app does not count in Redis again"
        status, _, _ = web_get(cluster.ports.web_lb, "/accessibility", source="127.0.0.22")
        assert status in (200, 429), status
        time.sleep(1)


def test_redis_hung_then_resumed(cluster, cluster_redis):
    if cluster_redis is None:
        pytest.skip("redis-server is not installed: the cluster uses the machine's Redis, "
                    "which this test must not stop")
    replicas = [f"http://127.0.0.1:{port}" for port in cluster.ports.rasa]
    lb = f"http://127.0.0.1:{cluster.ports.rasa_lb}"
    cluster_redis.pause()
    try:
        for base in (*replicas, lb):
            assert_fallback(timed_say(base, new_sender("redis-hung"), LONELY))
        status, _, _ = web_get(cluster.ports.web_lb, "/", source="127.0.0.23")
        assert status == 200
    finally:
        cluster_redis.resume()
    for base in replicas:
        assert_services(timed_say(base, new_sender("redis-resumed"), LONELY))
