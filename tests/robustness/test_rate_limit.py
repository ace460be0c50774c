"""The web app's per-client rate limits (web/ratelimit.py), counted in process and in Redis.
The live checks through gunicorn are in test_faults.py::test_live_rate_limits_with_retry_after
(in process) and tests/cluster/test_cluster.py (in Redis, behind nginx)."""
from __future__ import annotations

import socket
import time
import uuid

import pytest
from real_servers import RedisServer, redis_server_binary
from robust_helpers import free_port, has_crisis_lines

from web.app import create_app
from web.ratelimit import (
    DEFAULTS,
    FixedWindowLimiter,
    Rate,
    RedisWindowLimiter,
    limiter_from_env,
    parse_rate,
    rates_from_env,
    rule_for,
    trusted_proxies_from_env,
)

TOKEN = "rate-token-" + "r" * 24


class Clock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("text,expected", [
    ("120/minute", Rate(120, 60, "120/minute")),
    ("10/s", Rate(10, 1, "10/s")),
    ("5 per hour", Rate(5, 3600, "5 per hour")),
    ("1000/days", Rate(1000, 86400, "1000/days")),
    ("off", None), ("0", None), ("", None), ("0/minute", None),
])
def test_parse_rate(text, expected):
    assert parse_rate(text) == expected


@pytest.mark.parametrize("text", ["120", "ten/minute", "10/ms", "1/week", "-1/minute", "1/0"])
def test_malformed_rates_fail_at_start_up(text):
    with pytest.raises(ValueError, match="120/minute"):
        parse_rate(text)
    with pytest.raises(ValueError, match="SIGNPOST_RATE_LIMIT_STATS"):
        rates_from_env({"SIGNPOST_RATE_LIMIT_STATS": text})


def test_defaults_and_env():
    rates = rates_from_env({})
    assert {k: r.text for k, r in rates.items()} == DEFAULTS
    assert rates_from_env({"SIGNPOST_RATE_LIMIT": "off"})["default"] is None
    assert trusted_proxies_from_env({}) == 0
    assert trusted_proxies_from_env({"SIGNPOST_TRUSTED_PROXIES": "2"}) == 2
    with pytest.raises(ValueError):
        trusted_proxies_from_env({"SIGNPOST_TRUSTED_PROXIES": "yes"})


def test_fixed_window_counts_and_retry_after():
    clock = Clock(1000.0)  # 40 s into a 60 s window (1000 = 16 * 60 + 40)
    limiter = FixedWindowLimiter(clock)
    rate = Rate(3, 60, "3/minute")
    assert [limiter.hit("a", rate) for _ in range(3)] == [(True, 20)] * 3
    assert limiter.hit("a", rate) == (False, 20)
    assert limiter.hit("b", rate)[0]  # each client counts on its own
    clock.now = 1019.5
    assert limiter.hit("a", rate) == (False, 1)  # never "retry after 0"
    clock.now = 1020.0  # the next window
    assert limiter.hit("a", rate) == (True, 60)


def test_memory_stays_bounded():
    clock = Clock(0.0)
    limiter = FixedWindowLimiter(clock, max_keys=100)
    rate = Rate(1, 60, "1/minute")
    for i in range(1000):
        limiter.hit(f"default|60|10.0.{i // 256}.{i % 256}", rate)
        clock.now += 1
    assert len(limiter._counts) <= 101


@pytest.mark.parametrize("method,path,rule", [
    ("GET", "/", "default"), ("GET", "/practitioners", "default"),
    ("GET", "/api/services", "default"),
    ("GET", "/api/stats/referrals", "stats"), ("GET", "/commissioners", "stats"),
    ("GET", "/commissioners.csv", "stats"), ("GET", "/commissioners/login", "stats"),
    ("POST", "/commissioners/login", "login"), ("GET", "/healthz", None),
    ("GET", "/static/chat.js", None), ("GET", "/vendor/nhsuk/nhsuk.min.js", None),
    ("GET", "/commissioners/static/commissioners.css", None),
])
def test_rules(method, path, rule):
    assert rule_for(method, path) == rule


@pytest.fixture
def app(sqlite_url, monkeypatch):
    monkeypatch.setenv("COMMISSIONER_TOKEN", TOKEN)
    monkeypatch.setenv("SIGNPOST_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("SIGNPOST_RATE_LIMIT", "3/minute")
    monkeypatch.setenv("SIGNPOST_RATE_LIMIT_STATS", "2/minute")
    monkeypatch.setenv("SIGNPOST_RATE_LIMIT_LOGIN", "1/minute")
    monkeypatch.delenv("SIGNPOST_TRUSTED_PROXIES", raising=False)
    monkeypatch.delenv("SIGNPOST_RATE_LIMIT_REDIS_URL", raising=False)  # in process
    return create_app(database_url=sqlite_url)


def test_pages_get_429_with_retry_after_and_the_crisis_lines(app):
    client = app.test_client()
    assert [client.get("/accessibility").status_code for _ in range(3)] == [200] * 3
    resp = client.get("/")
    assert resp.status_code == 429 and 1 <= int(resp.headers["Retry-After"]) <= 60
    assert "3 requests a minute" in resp.get_data(as_text=True)
    assert has_crisis_lines(resp.get_data(as_text=True))
    assert client.get("/healthz").status_code == 200  # never limited
    assert client.get("/static/chat.js").status_code == 200


def test_api_gets_json_429(app):
    client = app.test_client()
    for _ in range(3):
        client.get("/api/")
    resp = client.get("/api/services")
    assert resp.status_code == 429 and resp.headers["Retry-After"]
    assert resp.get_json()["status"] == 429 and resp.get_json()["detail"]


def test_statistics_and_login_have_their_own_stricter_limits(app):
    client = app.test_client()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert client.get("/api/stats/referrals", headers=auth).status_code == 200
    assert client.get("/commissioners", headers=auth).status_code == 200
    resp = client.get("/api/stats/referrals", headers=auth)
    assert resp.status_code == 429 and resp.is_json and resp.headers["Retry-After"]
    assert client.get("/").status_code == 200  # the pages' count is separate
    assert client.post("/commissioners/login", data={"token": "guess"}).status_code == 401
    resp = client.post("/commissioners/login", data={"token": TOKEN})  # even the right one
    assert resp.status_code == 429


def test_x_forwarded_for_is_ignored_unless_a_proxy_is_trusted(app):
    client = app.test_client()
    for i in range(3):
        client.get("/", headers={"X-Forwarded-For": f"192.0.2.{i}"})
    # Not trusted: a made-up header does not buy a fresh limit.
    assert client.get("/", headers={"X-Forwarded-For": "192.0.2.99"}).status_code == 429

    app.config["TRUSTED_PROXIES"] = 1
    app.extensions["signpost_ratelimit"].reset()
    for _ in range(3):
        assert client.get("/", headers={"X-Forwarded-For": "192.0.2.1"}).status_code == 200
    assert client.get("/", headers={"X-Forwarded-For": "192.0.2.1"}).status_code == 429
    # The proxy appends the real address last; what the client wrote before it is ignored.
    spoofed = {"X-Forwarded-For": "192.0.2.200, 192.0.2.1"}
    assert client.get("/", headers=spoofed).status_code == 429
    assert client.get("/", headers={"X-Forwarded-For": "192.0.2.2"}).status_code == 200


def test_limits_off(app):
    app.config["RATE_LIMITS"] = rates_from_env({"SIGNPOST_RATE_LIMIT": "off",
                                                "SIGNPOST_RATE_LIMIT_STATS": "off",
                                                "SIGNPOST_RATE_LIMIT_LOGIN": "off"})
    client = app.test_client()
    assert all(client.get("/").status_code == 200 for _ in range(20))


# --- counts in Redis, shared by workers and nodes (SIGNPOST_RATE_LIMIT_REDIS_URL) ------------

REDIS_URL = "redis://127.0.0.1:6379/15"  # the machine's Redis; keys under a prefix of our own


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=3).ping())
    except Exception:  # noqa: BLE001 - any failure: no Redis here
        return False


@pytest.fixture
def redis_prefix():
    if not _redis_up():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379: the shared rate limit counts")
    import redis

    prefix = f"signpost-test:ratelimit:{uuid.uuid4().hex[:10]}"
    yield prefix
    r = redis.Redis.from_url(REDIS_URL)
    for key in r.scan_iter(match=f"{prefix}:*"):
        r.delete(key)


def test_two_workers_share_one_count_in_redis(redis_prefix):
    clock = Clock(1000.0)  # 40 s into a 60 s window
    workers = [RedisWindowLimiter(REDIS_URL, redis_prefix, clock=clock) for _ in range(2)]
    rate = Rate(3, 60, "3/minute")
    got = [workers[i % 2].hit("default|60|192.0.2.1", rate) for i in range(5)]
    assert got == [(True, 20)] * 3 + [(False, 20)] * 2  # 3 in all, not 3 each
    assert workers[1].hit("default|60|192.0.2.2", rate)[0]  # each client counts on its own
    key = f"{redis_prefix}:default|60|192.0.2.1:{1000 // 60}"
    assert int(workers[0].redis.get(key)) == 5
    assert 60 < workers[0].redis.ttl(key) <= 120  # gone a minute after its window ends
    clock.now = 1020.0  # the next window: a new key
    assert workers[0].hit("default|60|192.0.2.1", rate) == (True, 60)


def test_two_apps_share_the_limit_through_redis(sqlite_url, monkeypatch, redis_prefix):
    monkeypatch.setenv("SIGNPOST_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("SIGNPOST_RATE_LIMIT", "3/hour")
    monkeypatch.setenv("SIGNPOST_RATE_LIMIT_REDIS_URL", REDIS_URL)
    monkeypatch.setenv("SIGNPOST_RATE_LIMIT_REDIS_PREFIX", redis_prefix)
    monkeypatch.delenv("SIGNPOST_TRUSTED_PROXIES", raising=False)
    apps = [create_app(database_url=sqlite_url).test_client() for _ in range(2)]
    assert isinstance(apps[0].application.extensions["signpost_ratelimit"], RedisWindowLimiter)
    statuses = [apps[i % 2].get("/accessibility").status_code for i in range(5)]
    if statuses != [200, 200, 200, 429, 429]:  # an hour's window may have ended meanwhile
        apps[0].application.extensions["signpost_ratelimit"].reset()
        statuses = [apps[i % 2].get("/accessibility").status_code for i in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


def test_redis_down_fails_open_to_counting_in_process(caplog):
    """Nothing listens on the port: every request is still answered, counted in process."""
    limiter = RedisWindowLimiter(f"redis://127.0.0.1:{free_port()}/0", "t")
    rate = Rate(2, 60, "2/minute")
    with caplog.at_level("WARNING", logger="web.ratelimit"):
        assert [limiter.hit("k", rate)[0] for _ in range(4)] == [True, True, False, False]
    warnings = [r for r in caplog.records if "Redis unreachable" in r.getMessage()]
    assert len(warnings) == 1  # one warning, not one per request


def test_a_redis_that_never_answers_costs_at_most_the_timeout():
    """A port that accepts connections and says nothing (a hung Redis)."""
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen()
        limiter = RedisWindowLimiter(f"redis://127.0.0.1:{hung.getsockname()[1]}/0", "t",
                                     timeout_s=0.3)
        rate = Rate(5, 60, "5/minute")
        started = time.monotonic()
        assert limiter.hit("k", rate)[0]
        assert time.monotonic() - started < 2
        started = time.monotonic()
        assert all(limiter.hit("k", rate)[0] for _ in range(3))  # in process meanwhile
        assert time.monotonic() - started < 0.1


def test_the_app_answers_when_redis_is_down_and_uses_redis_again_when_back(
        sqlite_url, monkeypatch):
    """A private redis-server, killed and started again on the same port."""
    if redis_server_binary() is None:
        pytest.skip("redis-server is not installed (a private Redis that can be stopped)")
    with RedisServer() as server:
        monkeypatch.setenv("SIGNPOST_SECRET_KEY", "s" * 40)
        monkeypatch.setenv("SIGNPOST_RATE_LIMIT", "100/hour")
        monkeypatch.setenv("SIGNPOST_RATE_LIMIT_REDIS_URL", server.url)
        monkeypatch.delenv("SIGNPOST_TRUSTED_PROXIES", raising=False)
        app = create_app(database_url=sqlite_url)
        limiter: RedisWindowLimiter = app.extensions["signpost_ratelimit"]
        limiter._retry_s = 0.2  # try Redis again soon (5 s in service)
        client = app.test_client()
        assert client.get("/").status_code == 200
        assert server.client().keys("signpost:ratelimit:*")

        server.kill()
        assert [client.get("/").status_code for _ in range(3)] == [200] * 3  # never a 5xx
        api = client.get("/api/services")
        assert api.status_code == 200

        server.start()
        time.sleep(0.3)
        assert client.get("/").status_code == 200
        assert server.client().keys("signpost:ratelimit:*"), "not counting in Redis again"


def test_a_malformed_redis_url_stops_the_app_at_start_up():
    with pytest.raises(ValueError, match="SIGNPOST_RATE_LIMIT_REDIS_URL"):
        limiter_from_env({"SIGNPOST_RATE_LIMIT_REDIS_URL": "127.0.0.1:6379"})
    assert isinstance(limiter_from_env({}), FixedWindowLimiter)
