"""Faults in the real running system: the action server stopped, the database locked or
refusing connections. The bot must still answer with the crisis lines and a general route
to a person, and it must recover by itself when the part comes back.

These tests run on their own stack (actions, Rasa, web on free ports), not the shared
session stack, because they stop processes and break the database. The same stack checks the
rate limits live, through gunicorn: it trusts one proxy, so each test uses its own
X-Forwarded-For address and does not use up the others' limits.
"""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from robust_helpers import free_port, has_crisis_lines, has_general_route
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from signpost.config import ROOT
from signpost.stack import Ports, Stack

pytestmark = pytest.mark.rasa

MODEL = ROOT / "models" / "signpost.tar.gz"
PG_URL = os.environ.get("TEST_DATABASE_URL")
TOKEN = "fault-token-" + "f" * 24
LONELY = "I've been so lonely since my wife died, I'm 81 and live in Clacton"
SERVICES = ("Help with loneliness", "Community Agent", "Care Navigator")
LIMITS = {"SIGNPOST_RATE_LIMIT": "20/minute", "SIGNPOST_RATE_LIMIT_STATS": "5/minute",
          "SIGNPOST_RATE_LIMIT_LOGIN": "3/minute", "SIGNPOST_TRUSTED_PROXIES": "1",
          # The chat's limits (bot/channels.py); the other tests here stay well within them.
          "SIGNPOST_CHAT_RATE_LIMIT": "60/minute", "SIGNPOST_CHAT_RATE_LIMIT_CONVERSATION":
          "10/minute"}


def prepare_db(url: str) -> None:
    for args in (["db", "upgrade"], ["directory", "seed"]):
        subprocess.run([sys.executable, "-m", "signpost.cli", *args], check=True, cwd=ROOT,
                       env={**os.environ, "DATABASE_URL": url}, capture_output=True)


@pytest.fixture(scope="module")
def db_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("faults") / "signpost.db"
    prepare_db(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="module")
def fault_stack(db_path, tmp_path_factory) -> Iterator[Stack]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make model` (make test does this)")
    stack = Stack(
        ports=Ports(actions=free_port(), rasa=free_port(), web=free_port()),
        env={"DATABASE_URL": f"sqlite:///{db_path}",
             "SIGNPOST_VAR_DIR": str(tmp_path_factory.mktemp("faults-var")),
             "COMMISSIONER_TOKEN": TOKEN,
             "SIGNPOST_SQLITE_TIMEOUT": "2",  # a locked database fails after 2 s, not 15
             **LIMITS},
        model=MODEL, quiet=True)
    try:
        stack.start(timeout=300)
        yield stack
    finally:
        stack.stop()


def urls(stack: Stack) -> tuple[str, str]:
    return f"http://127.0.0.1:{stack.ports.rasa}", f"http://127.0.0.1:{stack.ports.web}"


def say(stack: Stack, sender: str, message: str) -> str:
    rasa, _ = urls(stack)
    started = time.monotonic()
    resp = requests.post(f"{rasa}/webhooks/rest/webhook",
                         json={"sender": sender, "message": message}, timeout=60)
    assert resp.status_code == 200, resp.text
    assert time.monotonic() - started < 30, "slower than the chat widget waits"
    return "\n".join(m.get("text", "") for m in resp.json())


def new_sender() -> str:
    return f"fault-{uuid.uuid4().hex}"


def assert_fallback(out: str) -> None:
    assert has_crisis_lines(out) and has_general_route(out), out
    assert not any(name in out for name in SERVICES)
    assert "Was this helpful?" not in out  # nothing about services that were never shown


def assert_services(out: str) -> None:
    assert "Tendring" in out and any(name in out for name in SERVICES), out


def web_get(stack: Stack, path: str, client: str = "198.51.100.1", **kw) -> requests.Response:
    _, web = urls(stack)
    headers = {"X-Forwarded-For": client, **kw.pop("headers", {})}
    return requests.get(f"{web}{path}", headers=headers, timeout=60, **kw)


# --- the action server -------------------------------------------------------------------

def socketio_turn(stack: Stack, message: str) -> str:
    """One message over socket.io; everything the bot said in reply."""
    import threading

    import socketio

    rasa, _ = urls(stack)
    got: list[dict] = []
    done = threading.Event()
    client = socketio.Client(reconnection=False)
    client.on("bot_uttered", lambda data: (got.append(data), done.set()))
    client.connect(rasa, socketio_path="/socket.io", transports=["polling"], wait_timeout=30)
    try:
        session = f"sio-{uuid.uuid4().hex}"
        client.emit("session_request", {"session_id": session})
        client.emit("user_uttered", {"message": message, "session_id": session})
        assert done.wait(60), "no answer on socket.io"
        time.sleep(0.5)  # any further messages of the same turn
    finally:
        client.disconnect()
    return "\n".join(m.get("text", "") for m in got)


def test_action_server_down_then_back(fault_stack):
    sender = new_sender()
    assert_services(say(fault_stack, sender, LONELY))

    fault_stack.stop_one("actions")  # the real process, as a crash or a deploy would
    try:
        down = new_sender()
        for message in (LONELY, "what can you help me with?", "I want to stop smoking"):
            assert_fallback(say(fault_stack, down, message))
        assert_fallback(say(fault_stack, sender, "I'd like to get more active"))
        crisis = say(fault_stack, down, "I'm going to take everything in the medicine "
                                        "cabinet tonight")
        assert crisis.startswith("I'm really sorry") and has_crisis_lines(crisis)
        assert "wellbeing" in say(fault_stack, new_sender(), "hello").lower()  # no action
        out = socketio_turn(fault_stack, "what can you help me with?")
        assert has_crisis_lines(out) and has_general_route(out), out
    finally:
        fault_stack.start_one("actions")
        fault_stack.wait_ready(120, names=("actions",))

    assert_services(say(fault_stack, sender, LONELY))  # the same conversation recovers
    assert_services(say(fault_stack, new_sender(), LONELY))


# --- SQLite locked -------------------------------------------------------------------------

def lock_exclusively(path: Path) -> sqlite3.Connection:
    """Hold an exclusive lock that even WAL readers wait on (locking_mode=EXCLUSIVE)."""
    conn = sqlite3.connect(path, timeout=20, isolation_level=None)
    conn.execute("PRAGMA locking_mode=EXCLUSIVE")
    conn.execute("BEGIN EXCLUSIVE")
    return conn


def unlock(conn: sqlite3.Connection) -> None:
    conn.execute("ROLLBACK")
    conn.execute("PRAGMA locking_mode=NORMAL")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchall()  # releases the file lock
    conn.close()


def test_sqlite_locked_then_released(fault_stack, db_path):
    sender = new_sender()
    assert_services(say(fault_stack, sender, LONELY))
    lock = lock_exclusively(db_path)
    try:
        out = say(fault_stack, new_sender(), LONELY)
        assert_fallback(out)
        assert "service directory" in out
        page = web_get(fault_stack, "/practitioners?need=loneliness")
        assert page.status_code == 503 and has_crisis_lines(page.text)
        api = web_get(fault_stack, "/api/services")
        assert api.status_code == 503 and api.json()["detail"] and api.headers["Retry-After"]
        stats = web_get(fault_stack, "/api/stats/referrals",
                        headers={"Authorization": f"Bearer {TOKEN}"})
        assert stats.status_code == 503 and stats.json()["detail"]
        assert web_get(fault_stack, "/").status_code == 200  # needs no database
    finally:
        unlock(lock)
    assert_services(say(fault_stack, sender, LONELY))
    assert web_get(fault_stack, "/practitioners?need=loneliness").status_code == 200
    assert web_get(fault_stack, "/api/services").status_code == 200


# --- rate limits, live through gunicorn (2 workers, each counting on its own) ----------------

def hit_until_429(send, limit: int) -> requests.Response:
    """The first 429: within 2 x limit + 1 requests (2 workers), or a little more if a new
    window starts half-way."""
    for _ in range(4 * limit + 2):
        resp = send()
        if resp.status_code == 429:
            return resp
        assert resp.status_code < 500
    pytest.fail("no 429")


def test_live_rate_limits_with_retry_after(fault_stack):
    _, web = urls(fault_stack)
    stats = hit_until_429(lambda: web_get(fault_stack, "/api/stats/referrals", "203.0.113.5",
                                          headers={"Authorization": f"Bearer {TOKEN}"}), 5)
    assert 1 <= int(stats.headers["Retry-After"]) <= 60
    assert "Too many" in stats.json()["error"] and "5 requests a minute" in stats.json()["detail"]

    page = hit_until_429(lambda: web_get(fault_stack, "/accessibility", "203.0.113.6"), 20)
    assert 1 <= int(page.headers["Retry-After"]) <= 60 and has_crisis_lines(page.text)
    assert web_get(fault_stack, "/accessibility", "203.0.113.66").status_code == 200  # others
    assert web_get(fault_stack, "/healthz", "203.0.113.6").status_code == 200  # never limited

    login = hit_until_429(lambda: requests.post(
        f"{web}/commissioners/login", data={"token": "guess"}, timeout=30,
        headers={"X-Forwarded-For": "203.0.113.7"}), 3)
    assert login.headers["Retry-After"] and has_crisis_lines(login.text)


def test_live_chat_rate_limits_per_client_and_per_conversation(fault_stack):
    rasa, _ = urls(fault_stack)
    webhook = f"{rasa}/webhooks/rest/webhook"

    def post(client: str, body: bytes) -> requests.Response:
        return requests.post(webhook, data=body, timeout=60,
                             headers={"X-Forwarded-For": client,
                                      "Content-Type": "application/json"})

    # Per client: every POST counts, even one refused as malformed (cheap: Rasa never sees it).
    for attempt in range(3):  # again from a new address if a minute's window ended meanwhile
        client = f"192.0.2.{10 + attempt}"
        codes = [post(client, b"").status_code for _ in range(61)]
        if codes[-1] == 429:
            break
    assert codes[:60] == [400] * 60 and codes[60] == 429, codes
    refused = post(client, json.dumps({"sender": new_sender(), "message": "hi"}).encode())
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert has_crisis_lines(refused.json()["text"])
    assert post("192.0.2.99", b"").status_code == 400  # another client is not limited

    # Per conversation: the 11th message of one conversation in a minute, from any address.
    for _ in range(3):
        sender = new_sender()
        codes = [post(f"192.0.2.{100 + i}", json.dumps(
            {"sender": sender, "message": "hello"}).encode()).status_code for i in range(11)]
        if codes[-1] == 429:
            break
    assert codes[:10] == [200] * 10 and codes[10] == 429, codes
    assert "wellbeing" in say(fault_stack, new_sender(), "hello").lower()  # others go on


# --- PostgreSQL refusing connections ------------------------------------------------------

@pytest.fixture
def pg_database() -> Iterator[tuple[str, str]]:
    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL not set: the PostgreSQL fault test needs a server")
    admin_url = make_url(PG_URL)
    name = f"signpost_fault_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = str(admin_url.set(database=name))
    try:
        prepare_db(url)
        yield url, name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def set_connections(name: str, allowed: bool) -> None:
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allowed).lower()}'))
        if not allowed:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :name AND pid <> pg_backend_pid()"),
                         {"name": name})
    admin.dispose()


def restart_on(stack: Stack, url: str) -> None:
    stack.env["DATABASE_URL"] = url
    for name in ("actions", "web"):
        stack.stop_one(name)
        stack.start_one(name)
    stack.wait_ready(120, names=("actions", "web"))


def test_postgres_refusing_connections_then_back(fault_stack, pg_database):
    """The module's last test: it leaves the stack on a database that is then dropped."""
    url, name = pg_database
    restart_on(fault_stack, url)
    sender = new_sender()
    assert_services(say(fault_stack, sender, LONELY))
    assert web_get(fault_stack, "/api/services").status_code == 200
    set_connections(name, False)
    try:
        out = say(fault_stack, new_sender(), LONELY)
        assert_fallback(out)
        assert "service directory" in out
        assert web_get(fault_stack, "/api/services").status_code == 503
        page = web_get(fault_stack, "/practitioners?need=loneliness")
        assert page.status_code == 503 and has_crisis_lines(page.text)
    finally:
        set_connections(name, True)
    assert_services(say(fault_stack, sender, LONELY))  # reconnects by itself
    assert web_get(fault_stack, "/api/services").status_code == 200
