"""The assistant through Rasa's REST channel, against the real running stack."""
from __future__ import annotations

import uuid

import pytest
import requests
from chat_clients import say, texts

from signpost.config import rasa_api_token

CRISIS_LINES = ("999", "116 123", "85258", "0800 1111")


@pytest.fixture
def sender() -> str:
    return f"test-{uuid.uuid4().hex}"


def test_greeting_gets_an_answer(rasa_url, sender):
    replies = say(rasa_url, sender, "hello")
    assert replies and "wellbeing" in texts(replies).lower()


def test_what_can_you_do_lists_needs_from_the_taxonomy(rasa_url, sender):
    out = texts(say(rasa_url, sender, "what can you help me with?"))
    assert "Loneliness" in out and "Stopping smoking" in out


def test_lonely_widower_in_clacton_gets_local_services_in_two_turns(rasa_url, sender):
    first = say(rasa_url, sender, "hi")
    assert first
    replies = say(rasa_url, sender,
                  "I've been so lonely since my wife died, I'm 81 and live in Clacton")
    out = texts(replies)
    assert "Tendring" in out, out
    assert any(name in out for name in ("Help with loneliness", "Community Agent",
                                        "Care Navigator")), out
    # answered without asking for place or age again
    assert "which town" not in out.lower()


def test_crisis_first_at_first_turn(rasa_url, sender):
    replies = say(rasa_url, sender,
                  "I'm going to take everything in the medicine cabinet tonight")
    first = replies[0]["text"]
    assert all(line in first for line in CRISIS_LINES), first


def test_crisis_first_mid_form(rasa_url, sender):
    out = texts(say(rasa_url, sender, "I've put on loads of weight and want to lose it"))
    assert "town" in out.lower()  # the form is asking where they live
    replies = say(rasa_url, sender,
                  "I'm going to take everything in the medicine cabinet tonight")
    assert all(line in replies[0]["text"] for line in CRISIS_LINES), replies


def test_practitioner_gets_referral_route(rasa_url, sender):
    replies = say(rasa_url, sender,
                  "referral route for a patient who wants to stop smoking in Braintree")
    out = texts(replies)
    if "how old" in out.lower():  # the form may still ask the patient's age
        out = texts(say(rasa_url, sender, "she's 52"))
    assert "Essex Lifestyle Service" in out, out
    assert "How to refer" in out, out


def test_out_of_scope_says_what_is_covered(rasa_url, sender):
    out = texts(say(rasa_url, sender, "when is my bin collection"))
    assert "essex.gov.uk" in out


def test_odd_text_never_crashes(rasa_url, sender):
    for text in ["", "   ", "\u0000\u202e", "<script>alert(1)</script>", "' OR 1=1 --",
                 "🙂" * 200, "a" * 5000]:
        r = requests.post(f"{rasa_url}/webhooks/rest/webhook",
                          json={"sender": sender, "message": text}, timeout=60)
        assert r.status_code < 500, (text[:20], r.status_code)


def test_start_again_forgets_the_conversation(rasa_url, sender):
    say(rasa_url, sender, "I'm 40 and live in Harlow")
    out = texts(say(rasa_url, sender, "/restart"))
    assert "start again" in out.lower()
    url = f"{rasa_url}/conversations/{sender}/tracker"
    assert requests.get(url, timeout=30).status_code == 401  # the HTTP API needs the token
    tracker = requests.get(url, params={"token": rasa_api_token()}, timeout=30).json()
    assert tracker["slots"].get("district") is None


def test_buttons_after_services(rasa_url, sender):
    replies = say(rasa_url, sender, "I want to stop smoking, I'm 40 and live in Harlow")
    titles = [b["title"] for m in replies for b in m.get("buttons", [])]
    assert "Something else" in titles  # "Start again" is on the widget itself
    assert "Yes" in titles and "No" in titles  # was this helpful?
    questions = [m["text"] for m in replies if "?" in (m.get("text") or "")]
    assert len(questions) == 1, questions  # one prompt after the results


def test_socketio_channel_answers_a_greeting(rasa_url):
    import threading

    import socketio

    got: list[dict] = []
    done = threading.Event()
    client = socketio.Client(reconnection=False)

    @client.on("bot_uttered")
    def on_bot(data):
        got.append(data)
        done.set()

    session = f"sio-{uuid.uuid4().hex}"
    client.connect(rasa_url, socketio_path="/socket.io", transports=["polling"], wait_timeout=30)
    try:
        client.emit("session_request", {"session_id": session})
        client.emit("user_uttered", {"message": "hello", "session_id": session})
        assert done.wait(60), "no bot_uttered event"
    finally:
        client.disconnect()
    assert "wellbeing" in got[0]["text"].lower()
