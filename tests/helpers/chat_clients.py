"""Talking to the running assistant as a client would: the REST webhook and socket.io
(python-socketio's client)."""
from __future__ import annotations

import time
import uuid

import requests


def say(rasa_url: str, sender: str, text: str) -> list[dict]:
    """One message on the REST channel; the replies."""
    r = requests.post(f"{rasa_url}/webhooks/rest/webhook",
                      json={"sender": sender, "message": text}, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


def texts(replies: list[dict]) -> str:
    return "\n".join(m.get("text", "") for m in replies)


def socketio_conversation(base: str, messages: list[str], until: str,
                          timeout: float = 120) -> str:
    """A socket.io conversation through `base` with python-socketio's client (long-polling:
    several HTTP requests per message, which must all reach the replica that holds the
    session). After the last message, waits until the bot says `until`. What the bot said."""
    import threading

    import socketio

    got: list[str] = []
    arrived = threading.Condition()
    client = socketio.Client(reconnection=False)

    @client.on("bot_uttered")
    def on_bot(data) -> None:
        with arrived:
            got.append(str((data or {}).get("text") or ""))
            arrived.notify_all()

    client.connect(base, socketio_path="/socket.io", transports=["polling"], wait_timeout=30)
    try:
        session = f"sio-{uuid.uuid4().hex}"
        client.emit("session_request", {"session_id": session})
        deadline = time.monotonic() + timeout
        for i, message in enumerate(messages):
            with arrived:
                seen = len(got)
            client.emit("user_uttered", {"message": message, "session_id": session})
            last = i == len(messages) - 1
            with arrived:
                done = arrived.wait_for(
                    lambda seen=seen, last=last: len(got) > seen and (
                        not last or until in "\n".join(got)),
                    max(0.0, deadline - time.monotonic()))
                assert done, f"no answer containing {until!r} on socket.io: {got}"
            time.sleep(0.5)  # the rest of that turn's messages
        with arrived:
            return "\n".join(got)
    finally:
        client.disconnect()
