"""The Rasa input channels' checks (bot/channels.py) as plain functions: no Rasa server."""
from __future__ import annotations

import json
import logging

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from robust_helpers import NASTY_TEXT, fuzz, has_crisis_lines, has_general_route

from bot import channels, fallbacks
from bot.channels import Incoming, Refusal, needs_fallback, parse_body, with_fallback
from signpost.config import ROOT

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | NASTY_TEXT,
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(NASTY_TEXT, inner, max_size=4), max_leaves=12)


def body(**fields) -> bytes:
    return json.dumps(fields).encode("utf-8")


def test_credentials_use_the_checked_channels_under_the_same_names():
    creds = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    assert set(creds) == {"bot.channels.SignpostRestInput", "bot.channels.SignpostSocketIOInput"}
    rest = channels.SignpostRestInput.from_credentials(creds["bot.channels.SignpostRestInput"])
    assert rest.name() == "rest" and rest.url_prefix() == "rest"
    assert (rest.max_message_chars, rest.max_body_bytes) == (2000, 16384)
    sio = channels.SignpostSocketIOInput.from_credentials(
        creds["bot.channels.SignpostSocketIOInput"])
    assert sio.name() == "socketio" and sio.session_persistence
    assert sio.max_message_chars == 2000 and sio.socketio_path == "/socket.io"


def test_a_good_message():
    got = parse_body(body(sender="abc", message="I feel lonely", metadata={"a": 1}))
    assert got == Incoming("abc", "I feel lonely", {"a": 1}, None)


@pytest.mark.parametrize("raw,reason", [
    (b"", "empty body"),
    (b"   \n", "empty body"),
    (b"{", "not valid JSON"),
    (b"\xff\xfe\x00{", "not valid UTF-8"),
    (b'{"sender": "a", "message": "\xff"}', "not valid UTF-8"),
    (b"[1, 2]", "JSON object"),
    (b'"hello"', "JSON object"),
    (b"null", "JSON object"),
    (b"[" * 5000, "not valid JSON"),
    (body(sender="a"), "message is required"),
    (body(sender="a", message=None), "message is required"),
    (body(sender="a", message=5), "message must be a string"),
    (body(sender="a", message=["hi"]), "message must be a string"),
    (body(message="hi"), "sender is required"),
    (body(sender="", message="hi"), "sender is required"),
    (body(sender=7, message="hi"), "sender is required"),
    (body(sender="a" * 201, message="hi"), "sender must be at most"),
    (body(sender="a", message="hi", metadata="x"), "metadata must be a JSON object"),
    (body(sender="a", message="hi", input_channel=["x"]), "input_channel"),
])
def test_bad_bodies_are_400_with_a_reason(raw, reason):
    got = parse_body(raw)
    assert isinstance(got, Refusal) and got.status == 400
    assert reason in got.body["detail"] and got.body["error"] == "Bad Request"


@pytest.mark.parametrize("raw", [
    body(sender="a", message="a" * 2001),
    body(sender="a", message="🙂" * 2001),
    body(sender="a", message="a" * 1_000_000),
    b"x" * (16 * 1024 + 1),
])
def test_too_large_is_413_with_a_friendly_text_and_the_crisis_lines(raw):
    got = parse_body(raw)
    assert isinstance(got, Refusal) and got.status == 413
    assert "limit" in got.body["detail"]
    assert "too long" in got.body["text"] and has_crisis_lines(got.body["text"])
    assert has_general_route(got.body["text"])
    assert got.body["messages"][0]["text"] == got.body["text"]


def test_the_limit_itself_is_accepted():
    assert isinstance(parse_body(body(sender="a", message="a" * 2000)), Incoming)


def test_lone_surrogates_become_replacement_characters():
    got = parse_body(b'{"sender": "s\\ud800", "message": "hi \\udfff there"}')
    assert got.text == "hi \ufffd there" and got.sender == "s\ufffd"
    got.text.encode("utf-8")


def test_any_bytes_are_answered_without_raising():
    @fuzz(300)
    @given(st.binary(max_size=4000))
    def run(raw):
        got = parse_body(raw)
        assert isinstance(got, Incoming | Refusal)
        if isinstance(got, Refusal):
            assert got.status in (400, 413) and got.body["detail"]

    run()


def test_any_json_is_answered_without_raising():
    @fuzz(300)
    @given(st.one_of(JSON, st.fixed_dictionaries(
        {"sender": st.one_of(NASTY_TEXT, JSON), "message": st.one_of(NASTY_TEXT, JSON)},
        optional={"metadata": JSON, "input_channel": JSON})))
    def run(value):
        got = parse_body(json.dumps(value).encode("utf-8"))
        if isinstance(got, Incoming):
            got.text.encode("utf-8")  # always sendable on
            assert len(got.text) <= fallbacks.MAX_MESSAGE_CHARS
        else:
            assert got.status in (400, 413) and got.body["detail"]

    run()


# --- the fallback decision ----------------------------------------------------------------

FALLBACK = {"recipient_id": "a", "text": fallbacks.SOMETHING_WENT_WRONG}
CRISIS = {"text": "Please call 999, NHS 111, 116 123, text 85258, Childline 0800 1111"}
GREETING = {"text": "Hello."}
HELPFUL = {"text": "Was this helpful?", "buttons": [{"title": "Yes", "payload": "/helpful_yes"}]}


@pytest.mark.parametrize("text,replies,failures,expected", [
    ("hello", [GREETING], [], [GREETING]),  # all well
    ("hello", [], [], [FALLBACK]),  # nothing said to a real message
    ("   ", [], [], []),  # nothing to answer
    ("lonely", [HELPFUL], ["action_show_services"], [FALLBACK]),  # broken turn: fallback only
    ("end it", [CRISIS], ["action_crisis_response"], [CRISIS]),  # lines already given
    ("", [], ["action_fallback"], [FALLBACK]),
    ("hi", [{"text": ""}], [], [{"text": ""}, FALLBACK]),
])
def test_with_fallback(text, replies, failures, expected):
    assert with_fallback(text, replies, failures, FALLBACK) == expected
    assert needs_fallback(text, replies, failures) == (expected != replies)


def test_a_failed_turn_still_gives_a_risky_message_its_crisis_response():
    from bot.channels import fallback_text

    assert fallback_text("I've taken all my tablets").startswith("Please call 999 now")
    assert fallback_text("I want to kill myself").startswith("I'm really sorry")
    assert fallback_text("I want to stop smoking") == fallbacks.SOMETHING_WENT_WRONG


def test_fallback_texts_keep_the_crisis_lines_and_a_general_route():
    for text in (fallbacks.SOMETHING_WENT_WRONG, fallbacks.DIRECTORY_DOWN, fallbacks.too_long()):
        assert has_crisis_lines(text) and has_general_route(text), text
        assert "\n\n" not in text  # socket.io splits messages on blank lines


def test_rasa_action_failures_are_noticed_only_inside_a_message():
    processor_log = logging.getLogger("rasa.core.processor")
    message = ("Encountered an exception while running action 'action_show_services'."
               "Bot will continue, but the actions events are lost.")
    processor_log.error(message)  # outside a message: nothing to record, nothing breaks
    failures: list[str] = []
    token = channels._failures.set(failures)
    try:
        processor_log.error(message)
        logging.getLogger("rasa.core.actions.action").error(message)  # another logger
    finally:
        channels._failures.reset(token)
    assert failures == ["action_show_services"]


def test_custom_card_data_goes_out_over_socketio_as_one_custom_message():
    """Rasa 3.6's SocketIOOutput spreads custom data into sio.emit(**data), which raises on
    a card's keys, so the whole results action counted as failed on socket.io."""
    import asyncio

    class Sio:
        def __init__(self) -> None:
            self.emitted: list[tuple] = []

        async def emit(self, event, data=None, room=None):  # python-socketio's signature
            self.emitted.append((event, data, room))

    class Original:
        sio, bot_message_evt = Sio(), "bot_uttered"

    out = channels._CountingOutput(Original())
    card = {"name": "Help with loneliness", "phone": "0300 303 9988", "type": "service_card"}
    asyncio.run(out.send_custom_json("sid-1", card))
    assert Original.sio.emitted == [("bot_uttered", {"custom": card}, "sid-1")]
    assert out.sent == [{"custom": card}]
