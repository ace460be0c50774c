"""People, not cards, through the real stack: real conversations on Rasa's REST channel, the
real action server writing the referral log, and `signpost stats report --raw --format json`
read back. Each person counts once per need however many services they saw."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections import Counter

import requests
from chat_clients import say, texts
from sqlalchemy import MetaData, select

from signpost.config import ROOT, rasa_api_token
from signpost.db import get_engine

CRISIS_LINES = ("999", "116 123", "85258")


def _report(url: str) -> dict[tuple, tuple[int, int]]:
    """(need, kind) -> (count, people), exact, from the analysts' command line."""
    out = subprocess.run(
        [sys.executable, "-m", "signpost.cli", "stats", "report", "--raw", "--format", "json",
         "--group-by", "need,kind", "--kind", "all", "--url", url],
        check=True, capture_output=True, text=True, cwd=ROOT, env=dict(os.environ))
    rows = json.loads(out.stdout)["rows"]
    return {(r["need"], r["kind"]): (r["count"], r["people"]) for r in rows}


def _delta(before: dict, after: dict) -> dict[tuple, tuple[int, int]]:
    out = {}
    for key in set(before) | set(after):
        b, a = before.get(key, (0, 0)), after.get(key, (0, 0))
        if a != b:
            out[key] = (a[0] - b[0], a[1] - b[1])
    return out


def _shown(rasa_url: str, sender: str) -> list[str]:
    tracker = requests.get(f"{rasa_url}/conversations/{sender}/tracker",
                           params={"token": rasa_api_token()}, timeout=30).json()
    return tracker["slots"].get("shown_service_ids") or []


def test_people_in_the_statistics_are_the_people_who_talked(rasa_url, stack_db):
    before = _report(stack_db)
    senders = {k: f"stats-{k}-{uuid.uuid4().hex}" for k in ("lonely", "smoker", "crisis",
                                                           "bins")}

    # One lonely person: a list of services, then "More options", then "Was this helpful?".
    lonely = senders["lonely"]
    first = say(rasa_url, lonely, "I'm 79 and lonely, I live in Clacton")
    assert "Tendring" in texts(first), texts(first)
    first_page = _shown(rasa_url, lonely)
    titles = [b["title"] for m in first for b in m.get("buttons", [])]
    if "More options" in titles:
        say(rasa_url, lonely, "/more_options")
    shown = _shown(rasa_url, lonely)
    assert len(shown) >= len(first_page) >= 2
    say(rasa_url, lonely, "/helpful_yes")

    # Someone who wants to stop smoking.
    out = texts(say(rasa_url, senders["smoker"],
                    "I want to stop smoking, I'm 40 and live in Harlow"))
    assert "services that can help with stopping smoking" in out, out
    smoker_shown = _shown(rasa_url, senders["smoker"])

    # Someone in crisis, who says it twice: two crisis responses, one person.
    responses = 0
    for _ in range(2):
        reply = texts(say(rasa_url, senders["crisis"],
                          "I'm going to take everything in the medicine cabinet tonight"))
        responses += all(line in reply for line in CRISIS_LINES)
    assert responses == 2

    # Someone who asks about something the assistant does not cover.
    assert "essex.gov.uk" in texts(say(rasa_url, senders["bins"], "when is my bin collection"))

    got = _delta(before, _report(stack_db))
    assert got[("loneliness", "signposted")] == (len(shown), 1)  # cards shown, one person
    assert got[("loneliness", "helpful_yes")] == (len(shown), 1)
    assert got[("smoking", "signposted")] == (len(smoker_shown), 1)
    assert got[("crisis", "crisis_shown")] == (responses, 1)
    assert got[("out_of_scope", "out_of_scope")] == (1, 1)
    assert got[(None, "conversation")] == (4, 4)
    assert set(got) == {("loneliness", "signposted"), ("loneliness", "helpful_yes"),
                        ("smoking", "signposted"), ("crisis", "crisis_shown"),
                        ("out_of_scope", "out_of_scope"), (None, "conversation")}, got
    people = Counter({k: v[1] for k, v in got.items() if k[1] != "conversation"})
    assert sum(people.values()) == 5  # lonely (signposted, answered), smoker, crisis, bins

    # Nothing in the database can be tied back to these conversations.
    engine = get_engine(stack_db)
    meta = MetaData()
    meta.reflect(engine, only=["referral_event", "referral_dedup"])
    with engine.connect() as conn:
        dump = repr([conn.execute(select(t)).all() for t in meta.sorted_tables])
    assert not any(s in dump or s.split("-")[-1] in dump for s in senders.values())
