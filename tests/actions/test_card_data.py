"""Residents' results carry each card as data beside its text (issue 15): the chat widget's
compact cards and its short spoken summary come from it. Through Rasa's own REST output
channel, every card stays a readable text message for other clients, followed by its data."""
from __future__ import annotations

import asyncio
import json

from rasa.core.channels.channel import CollectingOutputChannel

from actions import actions as A
from actions import replies

from .test_actions import run, tracker

PERSONAL = ("79", "Clacton", "lonely and", "t1")  # what the person said, their sender id


def rest_reply(messages: list[dict]) -> list[dict]:
    """What Rasa's REST channel answers for these dispatcher messages."""
    out = CollectingOutputChannel()

    async def send() -> None:
        for m in messages:
            await out.send_response("t1", {k: v for k, v in m.items() if v})

    asyncio.run(send())
    return out.messages


def test_resident_cards_carry_their_data_and_the_rest_text_is_unchanged(directory):
    d, _ = run(A.ActionShowServices(), tracker(
        "I'm 79 and lonely and live in Clacton", "inform",
        {"need": "loneliness", "district": "Tendring", "age": "79"}))
    intro, *cards, closing = d.messages
    assert intro["custom"] == {"signpost": "services", "count": len(cards), "summary":
                               f"{len(cards)} services found for loneliness and social "
                               "isolation in Tendring"}
    for card in cards:
        data = card["custom"]
        assert data["signpost"] == "service" and card["text"].startswith(data["title"])
        assert data["summary"] and data["summary"].rstrip("\u2026") in card["text"]
        assert data["contact"] or data["no_contact"]
        if data["contact"]:
            assert data["contact"]["value"] in card["text"]  # never a detail the card lacks
    assert not closing.get("custom")
    # Rasa's REST output: each text as before, then its data; nothing personal in the data.
    rest = rest_reply(d.messages)
    assert [m["text"] for m in rest if "text" in m] == [m["text"] for m in d.messages]
    customs = [m["custom"] for m in rest if "custom" in m]
    assert customs == [m["custom"] for m in d.messages if m.get("custom")]
    blob = json.dumps(customs)
    assert not any(p in blob for p in PERSONAL), blob


def test_practitioner_cards_stay_text_only(directory):
    d, _ = run(A.ActionShowServices(), tracker(
        "", "inform", {"need": "loneliness", "district": "Tendring", "practitioner": True}))
    assert not any(m.get("custom") for m in d.messages)


def test_summary_wording():
    assert replies.results_summary("loneliness", None, 1, False)["summary"] == \
        "1 service found for loneliness and social isolation"
    assert replies.results_summary("loneliness", "Epping Forest", 2, True)["summary"] == \
        "2 more services found for loneliness and social isolation in Epping Forest"
