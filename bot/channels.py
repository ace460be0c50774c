"""Rasa input channels with the checks a public chat endpoint needs (credentials.yml names them).

`SignpostRestInput` replaces Rasa's REST channel. Its name is still "rest", so the URL stays
POST /webhooks/rest/webhook. It:

* refuses a body over `max_body_bytes` (16 KB) or a message over `max_message_chars`
  (2,000) with 413 and a friendly text that includes the crisis lines;
* refuses an empty body, invalid JSON or UTF-8, a missing or non-string message, or a
  missing sender with 400 and a reason. (Upstream Rasa answers 500 to an empty body, and
  a missing sender puts everyone into one shared "default" conversation);
* never answers a real message with nothing. If the action server is down or an action
  fails, Rasa logs the error, drops that action's events and carries on, so the reply is
  empty or only partial. Unless the reply already holds the crisis lines, this channel then
  answers with `fallback_text`: the crisis net's response for a risky message, otherwise
  `bot.fallbacks.SOMETHING_WENT_WRONG` (crisis lines plus a general route to a
  person). It replaces the rest of a failed turn ("Was this helpful?" about services never
  shown), and is added to a reply that is simply empty. Nothing needs resetting: Rasa calls
  the action server again on the next message, so the bot recovers by itself.

`SignpostSocketIOInput` adds the same message limit and the same "never nothing" fallback to
the socket.io channel (appended there: messages already sent cannot be taken back). It also
answers malformed payloads instead of failing silently. Its name stays "socketio", and
everything else is Rasa's.

How a failed action is noticed: `MessageProcessor._run_action` (rasa 3.6) catches the
exception and logs "Encountered an exception while running action ...". A logging filter on
that logger records the failure into a ContextVar that is set for the current message. The
log call runs in the request's own task, so only that request sees the failure. The fault
tests (tests/robustness/test_faults.py) would catch a change to this in a Rasa upgrade.
"""
from __future__ import annotations

import asyncio
import copy
import hashlib
import inspect
import json
import logging
import os
import re
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.channel import (
    CollectingOutputChannel,
    InputChannel,
    OutputChannel,
    UserMessage,
)
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from rasa.utils.endpoints import bool_arg
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import rasa_speedups
from bot.fallbacks import (
    HELP_NOW,
    MAX_BODY_BYTES,
    MAX_MESSAGE_CHARS,
    SOMETHING_WENT_WRONG,
    has_crisis_lines,
    too_long,
)

# Rasa loads this module (credentials.yml) in every server process that takes messages.
rasa_speedups.install()

log = logging.getLogger(__name__)

MAX_SENDER_CHARS = 200
MAX_INPUT_CHANNEL_CHARS = 64
NOT_TEXT = "Sorry, I couldn't read that message. Please type it as text.\n" + HELP_NOW

# --- noticing failed actions ---------------------------------------------------------------

# The failures seen while the current message was handled (None outside a message).
_failures: ContextVar[list[str] | None] = ContextVar("signpost_action_failures", default=None)
_FAILURE_PREFIX = "Encountered an exception while running action"


class _ActionFailureFilter(logging.Filter):
    """Records Rasa's "action failed" log lines for the message being handled; drops nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        failures = _failures.get()
        if failures is not None and str(record.msg).startswith(_FAILURE_PREFIX):
            name = re.search(r"'([^']+)'", str(record.msg))
            failures.append(name.group(1) if name else "an action")
        return True


def _install_filter() -> None:
    processor_log = logging.getLogger("rasa.core.processor")
    if not any(isinstance(f, _ActionFailureFilter) for f in processor_log.filters):
        processor_log.addFilter(_ActionFailureFilter())


_install_filter()


def fallback_text(text: str) -> str:
    """What to say when a turn failed. A message the crisis net finds risky still gets its
    tier's crisis response (the crisis actions run on the action server, which may be the
    part that is down); anything else gets the general fallback, which has the lines too."""
    from actions import crisis_replies  # pure wording over signpost/help_lines.yml
    from bot import risk
    from bot.practitioner import is_practitioner_text

    try:
        assessment = risk.assess(text)
    except Exception:  # noqa: BLE001 - the fallback itself must never fail
        log.exception("crisis net failed while answering with the fallback")
        return SOMETHING_WENT_WRONG
    if assessment.crisis_first:
        return crisis_replies.for_tier(assessment.tier, is_practitioner_text(text),
                                       under_18=False, repeat=False)
    if assessment.tier == risk.UNCLEAR:
        return crisis_replies.question()
    return SOMETHING_WENT_WRONG


def needs_fallback(text: str, replies: list[dict], failures: list[str]) -> bool:
    """True if the person would get no answer, or an answer broken by a failed action that
    does not already give the crisis lines."""
    if any(has_crisis_lines(str(m.get("text") or "")) for m in replies):
        return False
    if failures:
        return True
    said = any(str(m.get("text") or "").strip() or m.get("buttons") for m in replies)
    return bool(text.strip()) and not said


def with_fallback(text: str, replies: list[dict], failures: list[str],
                  fallback: dict) -> list[dict]:
    """The reply to send. After a failed action, the fallback alone: the rest of that turn
    ("Was this helpful?" about services never shown) would not make sense."""
    if not needs_fallback(text, replies, failures):
        return replies
    return [fallback] if failures else [*replies, fallback]


# --- request checks (pure: unit-tested without Rasa) ----------------------------------------

@dataclass
class Incoming:
    sender: str
    text: str
    metadata: dict | None
    input_channel: str | None


@dataclass
class Refusal:
    status: int
    body: dict


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean(text: str) -> str:
    """Lone surrogates (valid in JSON as \\ud800, not in UTF-8) become U+FFFD. (The JSON
    parser has already joined the valid pairs, so any surrogate left here is alone.)"""
    return _LONE_SURROGATE.sub("\ufffd", text)


def _bad(reason: str) -> Refusal:
    return Refusal(400, {"error": "Bad Request", "status": 400, "detail": reason})


def _too_large(detail: str, limit_chars: int, sender: str | None = None) -> Refusal:
    friendly = too_long(limit_chars)
    message: dict[str, Any] = {"text": friendly}
    if sender:
        message = {"recipient_id": sender, **message}
    return Refusal(413, {"error": "Payload Too Large", "status": 413, "detail": detail,
                         "text": friendly, "messages": [message]})


def parse_body(body: bytes | None, max_body_bytes: int = MAX_BODY_BYTES,
               max_message_chars: int = MAX_MESSAGE_CHARS) -> Incoming | Refusal:
    """The webhook body as an Incoming message, or why it is refused (400 or 413)."""
    body = body or b""
    if len(body) > max_body_bytes:
        return _too_large(f"the request body is {len(body):,} bytes; the limit is "
                          f"{max_body_bytes:,}", max_message_chars)
    if not body.strip():
        return _bad('empty body: send JSON {"sender": "<conversation id>", "message": "<text>"}')
    try:
        data = json.loads(body.decode("utf-8-sig"))  # JSON on the wire is UTF-8 (RFC 8259)
    except UnicodeDecodeError:
        return _bad("the body is not valid UTF-8")
    except (ValueError, RecursionError) as exc:
        return _bad(f"the body is not valid JSON: {str(exc)[:80]}")
    if not isinstance(data, dict):
        return _bad("the body must be a JSON object with sender and message")
    sender = data.get("sender")
    if not isinstance(sender, str) or not sender.strip():
        return _bad("sender is required: a string that identifies the conversation")
    if len(sender) > MAX_SENDER_CHARS:
        return _bad(f"sender must be at most {MAX_SENDER_CHARS} characters")
    sender = _clean(sender)
    if "message" not in data or data["message"] is None:
        return _bad("message is required")
    text = data["message"]
    if not isinstance(text, str):
        return _bad(f"message must be a string, not {type(text).__name__}")
    if len(text) > max_message_chars:
        return _too_large(f"the message is {len(text):,} characters; the limit is "
                          f"{max_message_chars:,}", max_message_chars, sender)
    metadata = data.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        return _bad("metadata must be a JSON object")
    channel = data.get("input_channel")
    if channel is not None and not (isinstance(channel, str)
                                    and len(channel) <= MAX_INPUT_CHANNEL_CHARS):
        return _bad(f"input_channel must be a string of at most {MAX_INPUT_CHANNEL_CHARS} "
                    "characters")
    return Incoming(sender, _clean(text), metadata, channel or None)


# --- rate limits ----------------------------------------------------------------------------

CLIENT_RATE_ENV = "SIGNPOST_CHAT_RATE_LIMIT"
CONVERSATION_RATE_ENV = "SIGNPOST_CHAT_RATE_LIMIT_CONVERSATION"
# A person types far slower than either; a script that floods the statistics does not.
# Per client address: several people can share one (a library, a care home's wifi).
CHAT_RATE_DEFAULTS = {CLIENT_RATE_ENV: "300/minute", CONVERSATION_RATE_ENV: "30/minute"}


def slow_down(seconds: int) -> str:
    return (f"You're sending messages faster than I can answer. Please wait {seconds} "
            "seconds and try again.\n" + HELP_NOW)


class ChatLimits:
    """Rate limits for the chat channels, per client address and per conversation.

    The same fixed windows as the web app (web/ratelimit.py): counted in this process, or in
    Redis when SIGNPOST_RATE_LIMIT_REDIS_URL is set (the cluster sets it, so both replicas
    share one count; if Redis is down they count in process). The client is the TCP peer, or
    with SIGNPOST_TRUSTED_PROXIES=N the N-th address from the right of X-Forwarded-For.
    Conversation ids are hashed before they are used as keys."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        from web.ratelimit import limiter_from_env, parse_rate, trusted_proxies_from_env

        env = os.environ if env is None else env
        rates = {}
        for name, default in CHAT_RATE_DEFAULTS.items():
            try:
                rates[name] = parse_rate(env.get(name, default))
            except ValueError as exc:  # a malformed setting stops Rasa at start-up
                raise ValueError(f"{name}: {exc}") from None
        self.client_rate = rates[CLIENT_RATE_ENV]
        self.conversation_rate = rates[CONVERSATION_RATE_ENV]
        self.trusted_proxies = trusted_proxies_from_env(env)
        self.limiter = limiter_from_env(env)

    def client_address(self, peer: str | None, forwarded: str | None) -> str:
        if self.trusted_proxies > 0 and forwarded:
            hops = [a.strip() for a in forwarded.split(",") if a.strip()]
            if len(hops) >= self.trusted_proxies:
                return hops[-self.trusted_proxies][:64]
        return (peer or "unknown")[:64]

    def _over(self, rule: str, rate: Any, who: str) -> int | None:
        if rate is None:
            return None
        allowed, retry_after = self.limiter.hit(f"{rule}|{rate.period_s}|{who}", rate)
        if allowed:
            return None
        log.warning("chat: rate limit %s exceeded (%s)", rule, rate.text)
        return retry_after

    def client_over(self, address: str) -> int | None:
        """Count one message from this client: None if allowed, else seconds to wait."""
        return self._over("chat-client", self.client_rate, address)

    def conversation_over(self, sender: str) -> int | None:
        """Count one message of this conversation: None if allowed, else seconds to wait."""
        key = hashlib.sha256(sender.encode("utf-8", "surrogatepass")).hexdigest()[:24]
        return self._over("chat-conversation", self.conversation_rate, key)


def _too_many(retry_after: int, sender: str | None = None) -> Refusal:
    friendly = slow_down(retry_after)
    message: dict[str, Any] = {"text": friendly}
    if sender:
        message = {"recipient_id": sender, **message}
    return Refusal(429, {"error": "Too Many Requests", "status": 429,
                         "detail": f"too many messages; try again in {retry_after} seconds",
                         "text": friendly, "messages": [message],
                         "retry_after": retry_after})


# --- REST -----------------------------------------------------------------------------------

class SignpostRestInput(RestInput):
    """Rasa's REST channel with size limits, input checks and the crisis-line fallback."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def __init__(self, max_body_bytes: int = MAX_BODY_BYTES,
                 max_message_chars: int = MAX_MESSAGE_CHARS,
                 limits: ChatLimits | None = None) -> None:
        self.max_body_bytes = max_body_bytes
        self.max_message_chars = max_message_chars
        self.limits = limits or ChatLimits()

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        return cls(int(credentials.get("max_body_bytes", MAX_BODY_BYTES)),
                   int(credentials.get("max_message_chars", MAX_MESSAGE_CHARS)))

    async def _handle(self, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                      message: UserMessage) -> list[str]:
        """Run one message through Rasa; the failures noticed on the way."""
        failures: list[str] = []
        token = _failures.set(failures)
        try:
            await on_new_message(message)
        except asyncio.CancelledError:  # as upstream: a timeout or the client went away
            log.error("rest: message handling was cancelled (timeout)")
            failures.append("cancelled")
        except Exception:  # noqa: BLE001 - answer the person anyway, with the fallback
            log.exception("rest: message handling failed")
            failures.append("exception")
        finally:
            _failures.reset(token)
        return failures

    def _fallback(self, sender: str, text: str) -> dict:
        return {"recipient_id": sender, "text": fallback_text(text)}

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        module = inspect.getmodule(self)
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}",
                            module.__name__ if module else None)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            client = self.limits.client_address(request.ip,
                                                request.headers.get("X-Forwarded-For"))
            wait = self.limits.client_over(client)
            parsed = parse_body(request.body, self.max_body_bytes, self.max_message_chars)
            if wait is None and isinstance(parsed, Incoming):
                wait = self.limits.conversation_over(parsed.sender)
            if wait is not None:
                parsed = _too_many(wait, getattr(parsed, "sender", None))
            if isinstance(parsed, Refusal):
                log.info("rest: refused with %d: %s", parsed.status, parsed.body["detail"])
                headers = {"Retry-After": str(parsed.body["retry_after"])} \
                    if parsed.status == 429 else None
                return response.json(parsed.body, status=parsed.status, headers=headers)
            channel = parsed.input_channel or self.name()
            if bool_arg(request, "stream", default=False):
                return response.stream(self._stream(on_new_message, parsed, channel),
                                       content_type="text/event-stream")
            collector = CollectingOutputChannel()
            failures = await self._handle(on_new_message, UserMessage(
                parsed.text, collector, parsed.sender, input_channel=channel,
                metadata=parsed.metadata))
            replies = with_fallback(parsed.text, collector.messages, failures,
                                    self._fallback(parsed.sender, parsed.text))
            if replies is not collector.messages:
                log.warning("rest: answered with the fallback (failed: %s)",
                            ", ".join(failures) or "nothing said")
            return response.json(replies)

        return webhook

    def _stream(self, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                parsed: Incoming, channel: str) -> Callable[[Any], Awaitable[None]]:
        """?stream=true: one JSON line per reply, then the fallback line if needed."""

        async def stream(resp: Any) -> None:
            from rasa.core.channels.rest import QueueOutputChannel

            queue: asyncio.Queue = asyncio.Queue()
            sent: list[dict] = []

            async def run() -> list[str]:
                try:
                    return await self._handle(on_new_message, UserMessage(
                        parsed.text, QueueOutputChannel(queue), parsed.sender,
                        input_channel=channel, metadata=parsed.metadata))
                finally:
                    await queue.put("DONE")  # upstream would wait forever after an error

            task = asyncio.ensure_future(run())
            while (item := await queue.get()) != "DONE":
                sent.append(item)
                await resp.write(json.dumps(item) + "\n")
            if needs_fallback(parsed.text, sent, await task):
                await resp.write(json.dumps(self._fallback(parsed.sender, parsed.text)) + "\n")

        return stream


# --- socket.io ------------------------------------------------------------------------------

class _CountingOutput(SocketIOOutput):
    """Rasa's socket.io output, counting what it sends (and keeping a copy of the text)."""

    def __init__(self, original: SocketIOOutput) -> None:
        super().__init__(original.sio, original.bot_message_evt)
        self.sent: list[dict] = []

    async def _send_message(self, socket_id: str, response: Any) -> None:
        self.sent.append(copy.copy(response) if isinstance(response, dict) else {})
        await super()._send_message(socket_id, response)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any],
                               **kwargs: Any) -> None:
        # Rasa 3.6 spreads the custom dict into sio.emit(**json_message), which fails on any
        # key emit() does not take (a card's "name", "phone"...), so the action counted as
        # failed. Sent instead as {"custom": ...}, the shape the REST channel gives.
        await self._send_message(recipient_id, {"custom": json_message})


class SignpostSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel with the message size limit and the crisis-line fallback."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        channel = super().from_credentials(credentials)
        channel.max_message_chars = int((credentials or {}).get("max_message_chars",
                                                                MAX_MESSAGE_CHARS))
        return channel

    max_message_chars: int = MAX_MESSAGE_CHARS
    limits: ChatLimits | None = None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        if self.limits is None:
            self.limits = ChatLimits()

        async def guarded(message: UserMessage) -> None:
            out: OutputChannel = message.output_channel
            text = message.text
            assert self.limits is not None
            wait = self.limits.conversation_over(str(message.sender_id))
            if wait is not None:
                await out.send_text_message(message.sender_id, slow_down(wait))
                return
            if not isinstance(text, str):
                await out.send_text_message(message.sender_id, NOT_TEXT)
                return
            if len(text) > self.max_message_chars:
                log.info("socketio: refused a message of %d characters", len(text))
                await out.send_text_message(message.sender_id, too_long(self.max_message_chars))
                return
            message.text = _clean(text)
            if isinstance(out, SocketIOOutput):
                out = message.output_channel = _CountingOutput(out)
            failures: list[str] = []
            token = _failures.set(failures)
            try:
                await on_new_message(message)
            except Exception:  # noqa: BLE001 - answer the person anyway, with the fallback
                log.exception("socketio: message handling failed")
                failures.append("exception")
            finally:
                _failures.reset(token)
            sent = out.sent if isinstance(out, _CountingOutput) else [{"text": "?"}]
            if needs_fallback(message.text, sent, failures):
                log.warning("socketio: answered with the fallback (failed: %s)",
                            ", ".join(failures) or "nothing said")
                await out.send_text_message(message.sender_id, fallback_text(message.text))

        webhook = super().blueprint(guarded)
        self._check_payloads_first()
        return webhook

    def _check_payloads_first(self) -> None:
        """Put a check in front of Rasa's user_uttered handler. Rasa's handler would fail on
        a payload that is not an object, on a non-string message (before `guarded` runs),
        and on metadata that is not JSON. In those cases the person got no answer at all."""
        sio = self.sio
        assert sio is not None
        namespace = self.namespace or "/"
        rasa_handler = sio.handlers[namespace][self.user_message_evt]

        async def checked(sid: str, data: Any) -> None:
            assert self.limits is not None
            environ = sio.get_environ(sid, namespace) or {}
            peer = getattr(environ.get("sanic.request"), "ip", None)
            wait = self.limits.client_over(self.limits.client_address(
                peer, environ.get("HTTP_X_FORWARDED_FOR")))
            if wait is not None:
                await sio.emit(self.bot_message_evt, {"text": slow_down(wait)}, room=sid,
                               namespace=self.namespace)
                return
            ok = isinstance(data, dict) and isinstance(data.get("message", ""), str) and \
                isinstance(data.get("session_id") or "", str) and \
                len(data.get("session_id") or "") <= MAX_SENDER_CHARS
            if not ok:
                log.info("socketio: refused a malformed %s payload", type(data).__name__)
                await sio.emit(self.bot_message_evt, {"text": NOT_TEXT}, room=sid,
                               namespace=self.namespace)
                return
            metadata = data.get(self.metadata_key)
            readable = metadata is None or isinstance(metadata, dict)
            if isinstance(metadata, str):  # Rasa accepts metadata as a JSON string too
                try:
                    readable = isinstance(json.loads(metadata), dict)
                except (ValueError, RecursionError):
                    readable = False
            if not readable:
                data = {**data, self.metadata_key: {}}  # unreadable metadata: answer anyway
            await rasa_handler(sid, data)

        sio.on(self.user_message_evt, checked, namespace=self.namespace)
