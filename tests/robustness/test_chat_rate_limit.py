"""The chat channels' rate limits (bot/channels.py ChatLimits): per client address and per
conversation, in process or shared through Redis by every Rasa replica. (Before issue 16 the
webhook had no limit at all.) The live checks are in test_faults.py (REST through the real
Rasa) and tests/cluster/test_cluster.py (two replicas sharing one count in Redis)."""
from __future__ import annotations

import uuid

import pytest
from real_servers import RedisServer, redis_server_binary

from bot.channels import (
    CLIENT_RATE_ENV,
    CONVERSATION_RATE_ENV,
    ChatLimits,
    _too_many,
)
from bot.fallbacks import has_crisis_lines


def limits(**env: str) -> ChatLimits:
    return ChatLimits({CLIENT_RATE_ENV: "5/minute", CONVERSATION_RATE_ENV: "3/minute", **env})


def test_a_conversation_is_limited_on_its_own():
    chat = limits()
    assert [chat.conversation_over("a") for _ in range(3)] == [None, None, None]
    wait = chat.conversation_over("a")
    assert wait is not None and 1 <= wait <= 60
    assert chat.conversation_over("b") is None  # another conversation is not


def test_a_client_is_limited_across_conversations():
    chat = limits()
    assert all(chat.client_over("203.0.113.9") is None for _ in range(5))
    assert chat.client_over("203.0.113.9") is not None
    assert chat.client_over("203.0.113.10") is None


def test_forwarded_for_counts_only_behind_trusted_proxies():
    assert limits().client_address("10.0.0.1", "1.2.3.4") == "10.0.0.1"  # spoofable: ignored
    behind = limits(SIGNPOST_TRUSTED_PROXIES="1")
    assert behind.client_address("127.0.0.1", "6.6.6.6, 1.2.3.4") == "1.2.3.4"
    assert behind.client_address("127.0.0.1", None) == "127.0.0.1"


def test_off_and_malformed_settings():
    chat = limits(**{CLIENT_RATE_ENV: "off", CONVERSATION_RATE_ENV: "off"})
    assert all(chat.client_over("x") is None and chat.conversation_over("x") is None
               for _ in range(100))
    with pytest.raises(ValueError, match=CONVERSATION_RATE_ENV):
        limits(**{CONVERSATION_RATE_ENV: "lots"})


def test_the_refusal_is_friendly_and_keeps_the_crisis_lines():
    refusal = _too_many(17, "someone")
    assert refusal.status == 429 and refusal.body["retry_after"] == 17
    assert has_crisis_lines(refusal.body["text"])
    assert refusal.body["messages"][0]["recipient_id"] == "someone"


@pytest.mark.skipif(redis_server_binary() is None, reason="redis-server is not installed")
def test_two_replicas_share_one_count_through_redis():
    with RedisServer() as redis:
        env = {"SIGNPOST_RATE_LIMIT_REDIS_URL": redis.url,
               "SIGNPOST_RATE_LIMIT_REDIS_PREFIX": f"t{uuid.uuid4().hex[:8]}"}
        one, two = limits(**env), limits(**env)
        assert one.conversation_over("c") is None
        assert two.conversation_over("c") is None
        assert one.conversation_over("c") is None
        assert two.conversation_over("c") is not None  # the 4th of 3, whichever replica
        keys = [k.decode() for k in redis.client().scan_iter("*")]
        assert keys and not any(":c:" in k or k.endswith("|c") for k in keys)  # ids hashed
