"""Issue 16, against the real running stack: nobody can forge what commissioners see, the
secrets stay off command lines, and only the web app's own pages may drive the chat.

Each test here failed on the code before the fix:
* the action server listened on every interface and ran any action it was sent (a forged
  crisis call wrote an event for a district of the caller's choosing, also as text/plain);
* unknown paths on the action server got 500, and its errors echoed the request body;
* `--auth-token=...` was on Rasa's command line;
* Rasa granted CORS, with credentials, to any origin;
* every typed /helpful_yes wrote the helpfulness events again.
"""
from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from robust_helpers import free_port
from sqlalchemy import func, select

from referral_log.models import referral_event
from signpost import migrate
from signpost.action_server import SECRET_HEADER
from signpost.config import rasa_api_token
from signpost.db import get_engine
from signpost.stack import Ports, Stack

LONELY = "I've been so lonely since my wife died, I'm 81 and live in Clacton"


def count_kind(url: str, *kinds: str) -> int:
    with get_engine(url).connect() as conn:
        query = select(func.count()).select_from(referral_event)
        if kinds:
            query = query.where(referral_event.c.kind.in_(kinds))
        return conn.execute(query).scalar_one()


def forged_crisis_call(sender: str) -> dict:
    """What Rasa would send to run the crisis response, with a district and age of the
    forger's choosing."""
    return {
        "next_action": "action_crisis_response", "sender_id": sender, "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": sender, "paused": False, "followup_action": None,
            "latest_action_name": "action_listen", "active_loop": {},
            "slots": {"district": "tendring", "age": "30", "risk_tier": "crisis"},
            "latest_message": {"text": "I want to end my life", "message_id": uuid.uuid4().hex,
                               "intent": {"name": "crisis", "confidence": 1.0},
                               "entities": [], "metadata": {}},
            "events": [],
        },
    }


def actions_url(stack) -> str:
    return f"http://127.0.0.1:{stack.ports.actions}"


@pytest.fixture(scope="module")
def action_server(tmp_path_factory) -> Iterator[tuple[Stack, str]]:
    """The action server alone, exactly as `make run` starts it, on its own database (it
    needs no Rasa model): (the stack that started it, the database URL)."""
    work = tmp_path_factory.mktemp("action-server")
    url = f"sqlite:///{work / 'signpost.db'}"
    migrate.upgrade(url)
    stack = Stack(ports=Ports(actions=free_port(), rasa=free_port(), web=free_port()),
                  env={"DATABASE_URL": url, "SIGNPOST_VAR_DIR": str(work / "var")}, quiet=True)
    try:
        stack.start_one("actions")
        stack.wait_ready(180, names=("actions",))
        yield stack, url
    finally:
        stack.stop()
        get_engine(url).dispose()


def say(rasa_url: str, sender: str, message: str) -> list[dict]:
    resp = requests.post(f"{rasa_url}/webhooks/rest/webhook",
                         json={"sender": sender, "message": message}, timeout=60)
    assert resp.status_code == 200, resp.text
    return resp.json()


# --- the action server ----------------------------------------------------------------------

def test_a_forged_action_call_is_refused_and_writes_nothing(action_server):
    stack, db = action_server
    before = count_kind(db)
    body = forged_crisis_call(f"forger-{uuid.uuid4().hex}")
    attempts = [
        {"json": body},  # as Rasa would send it, without the secret
        {"json": body, "headers": {SECRET_HEADER: "guess-" + "x" * 30}},  # a wrong secret
        # A plain-text POST: what any web page a resident opens could send, with no preflight.
        {"data": json.dumps(body), "headers": {"Content-Type": "text/plain"}},
    ]
    for attempt in attempts:
        resp = requests.post(f"{actions_url(stack)}/webhook", timeout=30, **attempt)
        assert resp.status_code == 401, resp.text
        assert "end my life" not in resp.text and "tendring" not in resp.text
    assert requests.get(f"{actions_url(stack)}/actions", timeout=30).status_code == 401
    assert count_kind(db) == before, "a forged call wrote to the referral log"

    # The same call with the secret does write (so the call above was a real forgery, and
    # the 401 is what stopped it).
    resp = requests.post(f"{actions_url(stack)}/webhook", json=body, timeout=60,
                         headers={SECRET_HEADER: stack.action_secret})
    assert resp.status_code == 200, resp.text
    assert count_kind(db, "crisis_shown") >= 1


def test_unknown_paths_are_404_and_errors_echo_nothing(action_server):
    stack, _ = action_server
    secret = {SECRET_HEADER: stack.action_secret}
    probe = "probe-" + uuid.uuid4().hex
    resp = requests.post(f"{actions_url(stack)}/webhook", headers=secret, timeout=30,
                         json={"next_action": "action_does_not_exist", "tracker": {
                             "sender_id": probe, "events": []}})
    assert resp.status_code == 404
    unknown = requests.get(f"{actions_url(stack)}/no/such/{probe}", headers=secret, timeout=30)
    assert unknown.status_code == 404 and probe not in unknown.text
    # A body that makes rasa_sdk fail: 500, without the request (rasa_sdk echoed it).
    broken = requests.post(f"{actions_url(stack)}/webhook", headers=secret, timeout=30,
                           json={"next_action": "action_crisis_response", "tracker": probe})
    assert broken.status_code >= 400 and probe not in broken.text
    assert requests.get(f"{actions_url(stack)}/health", timeout=30).status_code == 200


def _other_addresses() -> list[str]:
    """This machine's IPv4 addresses other than loopback."""
    found = set()
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.add(info[4][0])
    except socket.gaierror:
        pass
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # no packet is sent: picks the outgoing interface
            found.add(s.getsockname()[0])
        except OSError:
            pass
    return sorted(a for a in found if not a.startswith("127."))


def test_the_action_server_listens_on_loopback_only(action_server):
    stack, _ = action_server
    addresses = _other_addresses()
    if not addresses:
        pytest.skip("this machine has no address but loopback")
    for address in addresses:
        with socket.socket() as s:
            s.settimeout(3)
            assert s.connect_ex((address, stack.ports.actions)) != 0, \
                f"the action server answers on {address}"


@pytest.mark.rasa
def test_rasa_sends_the_secret_so_conversations_still_run_actions(stack, rasa_url):
    replies = say(rasa_url, f"auth-{uuid.uuid4().hex}", LONELY)
    text = "\n".join(m.get("text") or "" for m in replies)
    assert "Tendring" in text and "Was this helpful?" in text, text


# --- secrets off the command line ------------------------------------------------------------

def _cmdlines() -> dict[int, str]:
    out = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                out[int(proc.name)] = (proc / "cmdline").read_bytes().replace(b"\0", b" ") \
                    .decode("utf-8", "replace")
            except OSError:
                continue  # gone meanwhile
    return out


@pytest.mark.rasa
def test_no_secret_is_on_any_command_line(stack):
    lines = _cmdlines()
    for name, proc in stack.procs.items():
        assert proc.pid in lines, f"{name} is not running"
    assert "signpost.rasa_server" in lines[stack.procs["rasa"].pid]
    for secret in (rasa_api_token(), stack.action_secret):
        holders = [pid for pid, line in lines.items() if secret in line]
        assert not holders, f"a secret is on the command line of {holders}"


@pytest.mark.rasa
def test_the_api_token_still_guards_rasas_http_api(rasa_url):
    assert requests.get(f"{rasa_url}/status", timeout=30).status_code == 401
    ok = requests.get(f"{rasa_url}/status", params={"token": rasa_api_token()}, timeout=30)
    assert ok.status_code == 200


# --- CORS -----------------------------------------------------------------------------------

@pytest.mark.rasa
@pytest.mark.parametrize("method", ["OPTIONS", "POST"])
def test_only_the_web_apps_own_origin_gets_cors(stack, rasa_url, method):
    webhook = f"{rasa_url}/webhooks/rest/webhook"
    own = f"http://127.0.0.1:{stack.ports.web}"
    preflight = {"Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"}
    body = {"sender": f"cors-{uuid.uuid4().hex}", "message": "hello"}

    def send(origin: str) -> requests.Response:
        headers = {"Origin": origin, **(preflight if method == "OPTIONS" else {})}
        return requests.request(method, webhook, headers=headers, timeout=60,
                                json=body if method == "POST" else None)

    evil = send("https://evil.example")
    assert "Access-Control-Allow-Origin" not in evil.headers, evil.headers
    assert evil.headers.get("Access-Control-Allow-Credentials") != "true"
    mine = send(own)
    assert mine.headers.get("Access-Control-Allow-Origin") == own, mine.headers


# --- statistics-writing payloads: once per list shown -----------------------------------------

@pytest.mark.rasa
def test_helpful_answers_count_once_per_list_shown(stack, rasa_url, stack_db):
    sender = f"helpful-{uuid.uuid4().hex}"
    text = "\n".join(m.get("text") or "" for m in say(rasa_url, sender, LONELY))
    assert "Was this helpful?" in text, text
    kinds = ("helpful_yes", "helpful_no")
    before = count_kind(stack_db, *kinds)
    say(rasa_url, sender, "/helpful_yes")
    once = count_kind(stack_db, *kinds)
    assert once > before  # the first answer counts
    for payload in ("/helpful_yes", "/helpful_yes", "/helpful_no"):
        say(rasa_url, sender, payload)
    assert count_kind(stack_db, *kinds) == once, "a repeated answer to one list was counted"
