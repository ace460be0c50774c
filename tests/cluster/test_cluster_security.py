"""Issue 16 in the production-shaped cluster: the action servers (each replica and nginx's
action port) refuse a forged call that lacks the shared secret and it writes nothing; no
secret is on any process's command line; only the web app's origin gets CORS; and the chat's
per-conversation rate limit is one count for both Rasa replicas (through Redis)."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from signpost.action_server import SECRET_HEADER
from signpost.config import rasa_api_token

pytestmark = [pytest.mark.rasa, pytest.mark.postgres]


def _events(cluster) -> int:
    engine = sa.create_engine(cluster.database_url, future=True)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM referral_event")).scalar_one()
    finally:
        engine.dispose()


def test_forged_action_calls_are_refused_everywhere_and_write_nothing(cluster):
    before = _events(cluster)
    sender = f"forger-{uuid.uuid4().hex}"
    body = {"next_action": "action_crisis_response", "sender_id": sender, "domain": {},
            "tracker": {"sender_id": sender, "slots": {"district": "tendring"}, "events": [],
                        "latest_message": {"text": "I want to end my life",
                                           "intent": {"name": "crisis"}}}}
    for port in (cluster.ports.actions_lb, *cluster.ports.actions):
        resp = requests.post(f"http://127.0.0.1:{port}/webhook", json=body, timeout=30)
        assert resp.status_code == 401, (port, resp.status_code, resp.text[:200])
        plain = requests.post(f"http://127.0.0.1:{port}/webhook", timeout=30, data=str(body),
                              headers={"Content-Type": "text/plain"})
        assert plain.status_code == 401
    unknown = requests.get(f"http://127.0.0.1:{cluster.ports.actions_lb}/nope", timeout=30,
                           headers={SECRET_HEADER: cluster.action_secret})
    assert unknown.status_code == 404
    assert _events(cluster) == before


def test_no_secret_is_on_any_command_line_in_the_cluster(cluster):
    lines = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                lines.append((proc / "cmdline").read_bytes().decode("utf-8", "replace"))
            except OSError:
                continue
    assert any("signpost.rasa_server" in line for line in lines)
    for secret in (rasa_api_token(), cluster.action_secret):
        assert not any(secret in line for line in lines)


def test_only_the_web_apps_origin_gets_cors_through_the_balancer(cluster):
    webhook = f"http://127.0.0.1:{cluster.ports.rasa_lb}/webhooks/rest/webhook"
    preflight = {"Access-Control-Request-Method": "POST"}
    evil = requests.options(webhook, headers={"Origin": "https://evil.example", **preflight},
                            timeout=30)
    assert "Access-Control-Allow-Origin" not in evil.headers
    own = f"http://127.0.0.1:{cluster.ports.web_lb}"
    mine = requests.options(webhook, headers={"Origin": own, **preflight}, timeout=30)
    assert mine.headers.get("Access-Control-Allow-Origin") == own


def test_one_conversations_rate_limit_is_shared_by_both_replicas(cluster):
    replicas = [f"http://127.0.0.1:{p}/webhooks/rest/webhook" for p in cluster.ports.rasa]
    for _ in range(3):  # again with a new conversation if a minute's window ended meanwhile
        sender = f"cluster-rate-{uuid.uuid4().hex[:8]}"
        codes = [requests.post(replicas[i % 2], json={"sender": sender, "message": "hello"},
                               timeout=120).status_code for i in range(31)]
        if codes[-1] == 429:
            break
    assert codes[:30] == [200] * 30 and codes[30] == 429, codes
