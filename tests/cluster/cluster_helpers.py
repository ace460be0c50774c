"""What tests/cluster needs to know about the machine: Redis, free ports, and how to talk to
the cluster (REST, the web app from a chosen loopback address, socket.io).
PostgreSQL and the private redis-server are in tests/helpers/real_servers.py."""
from __future__ import annotations

import http.client
import socket
import uuid

import requests
from chat_clients import socketio_conversation  # noqa: F401 - shared with tests/e2e

REDIS = ("127.0.0.1", 6379)
TIMEOUT = 180
# A resident's first message that goes straight to services (need, age and place at once).
LONELY = "I've been so lonely since my wife died, I'm 81 and live in Clacton"
SERVICES = ("Help with loneliness", "Community Agent", "Care Navigator")
SHOWN = "Was this helpful?"
# The web app's page limit in the test cluster: low, so that a test reaches it quickly.
WEB_RATE = "5/hour"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis(*REDIS, socket_timeout=3).ping())
    except Exception:  # noqa: BLE001 - any failure: no Redis here
        return False


def new_sender(kind: str) -> str:
    return f"cluster-{kind}-{uuid.uuid4().hex[:10]}"


def say(base: str, sender: str, message: str, timeout: float = TIMEOUT) -> str:
    """One REST turn; everything the bot said. Fails unless the answer is 200."""
    r = requests.post(f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": message},
                      timeout=timeout)
    assert r.status_code == 200, (base, sender, message, r.status_code, r.text[:300])
    return "\n".join(m.get("text") or "" for m in r.json())


def web_get(port: int, path: str, source: str = "127.0.0.1") -> tuple[int, dict, str]:
    """GET from a chosen loopback address (127.x.y.z are all this machine), so that the web
    app behind nginx sees a client of the test's own: (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read().decode("utf-8", "replace")
    finally:
        conn.close()


def websocket_conversation(base: str, messages: list[str], until: str,
                           timeout: float = 120) -> str:
    """The same over a WebSocket opened directly (engine.io 4, transport=websocket), spoken
    by hand with the `websockets` package: python-socketio's async client needs a newer
    aiohttp than rasa allows. Through nginx this needs the Upgrade and Connection headers
    passed on (HTTP/1.1). What the bot said."""
    import asyncio
    import json

    import websockets

    url = base.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    got: list[str] = []

    async def receive(ws) -> list:
        """The next socket.io event ([name, data]); answers engine.io pings on the way."""
        while True:
            packet = await ws.recv()
            if packet == "2":  # ping
                await ws.send("3")
            elif packet.startswith("42"):
                return json.loads(packet[2:])

    async def talk() -> str:
        async with websockets.connect(url, open_timeout=30) as ws:
            opened = await ws.recv()
            assert opened.startswith("0{"), opened  # engine.io open
            await ws.send("40")  # socket.io: connect to namespace "/"
            while not (packet := await ws.recv()).startswith("40"):
                assert not packet.startswith("44"), packet  # connect refused
            session = f"ws-{uuid.uuid4().hex}"
            await ws.send("42" + json.dumps(["session_request", {"session_id": session}]))
            for i, message in enumerate(messages):
                seen = len(got)
                await ws.send("42" + json.dumps(["user_uttered", {"message": message,
                                                                  "session_id": session}]))
                last = i == len(messages) - 1
                while len(got) == seen or (last and until not in "\n".join(got)):
                    name, *data = await receive(ws)
                    if name == "bot_uttered":
                        got.append(str((data[0] if data else {}).get("text") or ""))
                try:  # the rest of that turn's messages
                    while True:
                        name, *data = await asyncio.wait_for(receive(ws), 0.5)
                        if name == "bot_uttered":
                            got.append(str((data[0] if data else {}).get("text") or ""))
                except asyncio.TimeoutError:
                    pass
            return "\n".join(got)

    try:
        return asyncio.run(asyncio.wait_for(talk(), timeout))
    except asyncio.TimeoutError:
        raise AssertionError(f"no answer containing {until!r} over WebSocket: {got}") from None
