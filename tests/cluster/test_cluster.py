"""Two Rasa replicas sharing a PostgreSQL tracker store and a Redis lock store.

Each conversation's turns go alternately to the two replicas (directly, not through the
balancer), 50 conversations at once. Every conversation must keep its slots and end at the
right services; the tracker store must hold each event exactly once; the referral log must
hold exactly one event per service shown (and one "helpful" answer per service).
"""
from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import sqlalchemy as sa
from cluster_helpers import WEB_RATE, web_get

from bot.fallbacks import has_crisis_lines
from signpost.config import rasa_api_token

pytestmark = [pytest.mark.rasa, pytest.mark.postgres]

CONVERSATIONS = 50
TIMEOUT = 180
SHOWN = "Was this helpful?"
MORE = "Here are more services"

# A resident's flow: greeting, need, place and age, "More options" and "Yes, helpful"
# (the buttons' payloads). Each need has at least two pages of services in the seed data.
FLOWS = [
    {"turns": [("hello", None), ("I'm feeling really lonely", "town"),
               ("I'm 78 and live in Clacton", SHOWN), ("/more_options", MORE),
               ("/helpful_yes", "Thank you")],
     "slots": {"need": "loneliness", "district": "Tendring", "age": "78"},
     "place": "Tendring"},
    {"turns": [("good morning", None), ("I want to get more active and fitter", "town"),
               ("Chelmsford, I'm 52", SHOWN), ("/more_options", MORE),
               ("/helpful_yes", "Thank you")],
     "slots": {"need": "physical_activity", "district": "Chelmsford", "age": "52"},
     "place": "Chelmsford"},
    {"turns": [("hi", None), ("I've been feeling really low and anxious", "town"),
               ("I live in Colchester and I'm 29", SHOWN), ("/more_options", MORE),
               ("/helpful_yes", "Thank you")],
     "slots": {"need": "mental_wellbeing", "district": "Colchester", "age": "29"},
     "place": "Colchester"},
]


def _say(session: requests.Session, base: str, sender: str, message: str) -> list[dict]:
    r = session.post(f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": message},
                     timeout=TIMEOUT)
    assert r.status_code == 200, (sender, message, r.status_code, r.text[:300])
    return r.json()


def _text(replies: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in replies)


def _tracker(base: str, sender: str) -> dict:
    r = requests.get(f"{base}/conversations/{sender}/tracker",
                     params={"include_events": "ALL", "token": rasa_api_token()},
                     timeout=TIMEOUT)
    assert r.status_code == 200, r.text[:300]
    return r.json()


def _stored_events(cluster, senders) -> dict[str, list[dict]]:
    engine = sa.create_engine(cluster.tracker_url, future=True)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT sender_id, data FROM events WHERE sender_id = "
                                    "ANY(:s) ORDER BY id"), {"s": list(senders)}).all()
    engine.dispose()
    out: dict[str, list[dict]] = {s: [] for s in senders}
    for sender, data in rows:
        out[sender].append(json.loads(data))
    return out


def _referral_counts(cluster) -> Counter:
    engine = sa.create_engine(cluster.database_url, future=True)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT kind, service_id, count(*) FROM referral_event "
                                    "GROUP BY kind, service_id")).all()
    engine.dispose()
    return Counter({(kind, sid): n for kind, sid, n in rows})


def _key(event: dict) -> str:
    return json.dumps(event, sort_keys=True)


def test_conversations_alternating_between_replicas_lose_and_duplicate_nothing(cluster):
    replicas = [f"http://127.0.0.1:{port}" for port in cluster.ports.rasa]
    run = uuid.uuid4().hex[:8]
    convs = [(f"cluster-{run}-{i:02d}", FLOWS[i % len(FLOWS)], i % 2)
             for i in range(CONVERSATIONS)]
    local = threading.local()

    def converse(conv) -> list[str]:
        sender, flow, first = conv
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        sent_to = []
        for turn, (message, expect) in enumerate(flow["turns"]):
            base = replicas[(first + turn) % 2]
            sent_to.append(base)
            out = _text(_say(session, base, sender, message))
            assert out, (sender, message, "no reply")
            if expect:
                assert expect.lower() in out.lower(), (sender, message, out[:400])
            if expect == SHOWN:
                assert flow["place"] in out, (sender, out[:400])
        return sent_to

    before = _referral_counts(cluster)  # the cluster is shared with other test files
    with ThreadPoolExecutor(max_workers=CONVERSATIONS) as pool:
        routes = list(pool.map(converse, convs))
    assert all(len(set(r)) == 2 for r in routes)  # every conversation used both replicas

    stored = _stored_events(cluster, [c[0] for c in convs])
    expected_log: Counter = Counter()
    for sender, flow, first in convs:
        # Both replicas read the same tracker from the shared store.
        views = [_tracker(base, sender) for base in replicas]
        assert [_key(e) for e in views[0]["events"]] == [_key(e) for e in views[1]["events"]]
        tracker = views[first]
        events = tracker["events"]

        # Slots kept across replicas, and the conversation ended at the right services.
        for slot, value in flow["slots"].items():
            assert tracker["slots"][slot] == value, (sender, slot, tracker["slots"])
        shown = tracker["slots"]["shown_service_ids"]
        assert len(shown) == 6 and len(set(shown)) == 6, (sender, shown)

        # Every turn's events exactly once: user messages in order, each action once.
        user = [e["text"] for e in events if e["event"] == "user"]
        assert user == [m for m, _ in flow["turns"]], (sender, user)
        actions = Counter(e["name"] for e in events if e["event"] == "action")
        for name in ("action_show_services", "action_more_options", "action_record_helpful",
                     "action_session_start"):
            assert actions[name] == 1, (sender, name, actions)
        keys = [_key(e) for e in events]
        assert len(keys) == len(set(keys)), (sender, "duplicate events")
        # ...and the store holds exactly those events, in the same order, once each.
        assert [_key(e) for e in stored[sender]] == keys, sender

        for service_id in shown:
            expected_log[("signposted", service_id)] += 1
            expected_log[("helpful_yes", service_id)] += 1
        # ...and the person once: signposted, answered, and one conversation.
        for kind in ("person_signposted", "person_helpful_yes", "conversation"):
            expected_log[(kind, None)] += 1

    # The referral log: one event per service shown, one helpful answer per service, and
    # each person counted once however many replicas and lists they went through.
    assert _referral_counts(cluster) - before == expected_log
    assert sum(expected_log.values()) == CONVERSATIONS * 15


def test_the_lock_store_serialises_simultaneous_messages_across_replicas(cluster):
    """Two messages of one conversation arriving at both replicas at the same moment: the
    Redis lock makes one wait, so both turns are stored whole, one after the other."""
    replicas = [f"http://127.0.0.1:{port}" for port in cluster.ports.rasa]
    senders = [f"cluster-lock-{uuid.uuid4().hex[:8]}-{i}" for i in range(10)]
    barrier = threading.Barrier(2 * len(senders))

    def send(args) -> None:
        sender, base, message = args
        with requests.Session() as session:
            barrier.wait(timeout=60)
            _say(session, base, sender, message)

    jobs = [(s, replicas[i], msg) for s in senders
            for i, msg in enumerate(("hello", "what can you help me with?"))]
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        list(pool.map(send, jobs))

    stored = _stored_events(cluster, senders)
    for sender in senders:
        events = _tracker(replicas[0], sender)["events"]
        kinds = [e["event"] for e in events]
        assert sorted(e["text"] for e in events if e["event"] == "user") == \
            ["hello", "what can you help me with?"], (sender, kinds)
        # Turns are not interleaved: each user message is answered before the next one.
        user_at = [i for i, k in enumerate(kinds) if k == "user"]
        between = events[user_at[0] + 1:user_at[1]]
        assert any(e["event"] == "bot" for e in between), (sender, kinds)
        assert between[-1]["event"] == "action" and between[-1]["name"] == "action_listen"
        assert [_key(e) for e in stored[sender]] == [_key(e) for e in events], sender


def test_personal_details_are_masked_in_the_shared_tracker_store(cluster):
    replicas = [f"http://127.0.0.1:{port}" for port in cluster.ports.rasa]
    sender = f"cluster-pii-{uuid.uuid4().hex[:8]}"
    message = "hello, I'm Jo, 07700 900123, jo@example.com, CO15 1AB, born 14/03/1946"
    with requests.Session() as session:
        assert _say(session, replicas[0], sender, message)
    raw = json.dumps(_stored_events(cluster, [sender])[sender])
    for detail in ("07700 900123", "jo@example.com", "CO15 1AB", "14/03/1946"):
        assert detail not in raw, detail
    user = [e for e in _tracker(replicas[1], sender)["events"] if e["event"] == "user"]
    assert user[0]["text"] == ("hello, I'm Jo, [phone number], [email address], [postcode], "
                               "born [date of birth]")


def test_the_balancer_serves_a_whole_conversation(cluster):
    lb = f"http://127.0.0.1:{cluster.ports.rasa_lb}"
    assert requests.get(f"http://127.0.0.1:{cluster.ports.actions_lb}/health",
                        timeout=30).status_code == 200
    sender = f"cluster-lb-{uuid.uuid4().hex[:8]}"
    flow = FLOWS[0]
    with requests.Session() as session:
        for message, expect in flow["turns"]:
            out = _text(_say(session, lb, sender, message))
            assert out and (expect is None or expect.lower() in out.lower()), (message, out)
    tracker = _tracker(lb, sender)
    assert {k: tracker["slots"][k] for k in flow["slots"]} == flow["slots"]
    conf = (cluster.var_dir / "nginx.conf").read_text(encoding="utf-8")
    assert all(f"127.0.0.1:{p}" in conf for p in (*cluster.ports.rasa, *cluster.ports.actions))


def test_the_web_app_behind_nginx_counts_each_client_once_for_both_workers(cluster):
    """gunicorn's 2 workers count in the cluster's Redis: a client gets exactly the limit,
    whichever worker takes each request. nginx passes on the client's address (one trusted
    proxy), so another client is not affected."""
    limit = int(WEB_RATE.split("/")[0])
    for attempt in range(3):  # again from a new address if an hour's window ended meanwhile
        source = f"127.0.0.{30 + attempt}"
        window = int(time.time() // 3600)
        answers = [web_get(cluster.ports.web_lb, "/accessibility", source)
                   for _ in range(2 * limit + 2)]
        if int(time.time() // 3600) == window:
            break
    statuses = [status for status, _, _ in answers]
    assert statuses == [200] * limit + [429] * (limit + 2), statuses
    _, headers, body = answers[-1]
    assert 1 <= int(headers["Retry-After"]) <= 3600 and has_crisis_lines(body)
    assert web_get(cluster.ports.web_lb, "/accessibility", "127.0.0.40")[0] == 200
