"""Per-client rate limits for the web app: a fixed-window counter, kept in process or, when
SIGNPOST_RATE_LIMIT_REDIS_URL is set, in Redis (shared by every worker and node).

Why not Flask-Limiter: every release from 2.9 needs `limits>=2.8`, which needs
`packaging>=21`, and rasa 3.6 pins `packaging<21`. So it cannot sit in our pinned tree
with `pip check` clean.

How it works. Time is cut into windows of the rule's period (for "120/minute", windows
of 60 s). Each (rule, client) pair keeps a count for the current window. A request that
takes the count over the limit gets 429, with Retry-After set to the seconds left in the
window. A fixed window can let through up to twice the limit across a window boundary.
That is acceptable here, and it needs one small tuple per client.

Rules (the first that matches a request applies; each has its own count):

* no limit: /healthz and static files (/static/, /vendor/, /assets/,
  /commissioners/static/). They are cheap, and one page load fetches several of them.
* "login": POST /commissioners/login, SIGNPOST_RATE_LIMIT_LOGIN (default 10/minute),
  to slow down guessing the token.
* "stats": /api/stats/*, /commissioners*, SIGNPOST_RATE_LIMIT_STATS (default 30/minute).
* "default": every other page and the ORUK API, SIGNPOST_RATE_LIMIT (default 120/minute).

A rate is "N/second|minute|hour|day" (also "N/s", "N/min", "N/h", "N/d"), or "off".

The client is the TCP peer address. If SIGNPOST_TRUSTED_PROXIES=N (N>0) says that N
proxies we run are in front, the client is the N-th address from the right of
X-Forwarded-For, as with werkzeug's ProxyFix. Otherwise the header is ignored, because
any client could write it to get a fresh limit on every request.

Where the counts live:

* By default, in each process. gunicorn runs 2 workers (signpost/stack.py), and each worker
  counts on its own, so one node lets through up to the limit times the number of workers.
* With SIGNPOST_RATE_LIMIT_REDIS_URL (for example redis://127.0.0.1:6379/1), in Redis: one
  key per rule, client and window ("<prefix>:<rule>|<period>|<client>:<window>"), counted
  with INCR and given an EXPIRE in one MULTI/EXEC transaction, so every worker and node
  counts together. Windows follow the wall clock (time.time) so that all nodes agree.
  SIGNPOST_RATE_LIMIT_REDIS_PREFIX sets the key prefix (default "signpost:ratelimit").
  `make run-cluster` sets both, for its Redis. If Redis cannot be reached (0.5 s timeouts),
  the limiter fails open to the in-process counts (one warning per process, then Redis is
  tried again every 5 s): the app never fails (5xx) because Redis is down. A malformed URL
  stops the app at start-up.
"""
from __future__ import annotations

import logging
import math
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from flask import Flask, Response, current_app, request

log = logging.getLogger(__name__)

DEFAULTS = {"default": "120/minute", "stats": "30/minute", "login": "10/minute"}
ENV = {"default": "SIGNPOST_RATE_LIMIT", "stats": "SIGNPOST_RATE_LIMIT_STATS",
       "login": "SIGNPOST_RATE_LIMIT_LOGIN"}
TRUSTED_PROXIES_ENV = "SIGNPOST_TRUSTED_PROXIES"
REDIS_URL_ENV = "SIGNPOST_RATE_LIMIT_REDIS_URL"
REDIS_PREFIX_ENV = "SIGNPOST_RATE_LIMIT_REDIS_PREFIX"
DEFAULT_REDIS_PREFIX = "signpost:ratelimit"
EXEMPT_PREFIXES = ("/static/", "/vendor/", "/assets/", "/commissioners/static/")
EXEMPT_PATHS = ("/healthz",)
PERIODS = {"s": 1, "sec": 1, "second": 1, "seconds": 1, "m": 60, "min": 60, "minute": 60,
           "minutes": 60, "h": 3600, "hour": 3600, "hours": 3600, "d": 86400, "day": 86400,
           "days": 86400}
_RATE = re.compile(r"^(\d{1,9})\s*(?:/|per)\s*([a-z]+)$")


@dataclass(frozen=True)
class Rate:
    limit: int
    period_s: int
    text: str

    def describe(self) -> str:
        unit = {1: "second", 60: "minute", 3600: "hour", 86400: "day"}[self.period_s]
        return f"{self.limit} requests a {unit}"


def parse_rate(value: str) -> Rate | None:
    """'120/minute' as a Rate; 'off' (or '0', 'none', '') as None. ValueError if malformed."""
    text = value.strip().lower()
    if text in ("", "off", "none", "0", "false"):
        return None
    match = _RATE.match(text)
    if not match or match.group(2) not in PERIODS:
        raise ValueError(f"rate {value!r} should look like '120/minute' or 'off'")
    limit = int(match.group(1))
    if limit == 0:
        return None
    return Rate(limit, PERIODS[match.group(2)], text)


def rates_from_env(env: dict[str, str] | None = None) -> dict[str, Rate | None]:
    env = os.environ if env is None else env
    out = {}
    for rule, default in DEFAULTS.items():
        try:
            out[rule] = parse_rate(env.get(ENV[rule], default))
        except ValueError as exc:
            raise ValueError(f"{ENV[rule]}: {exc}") from None
    return out


def trusted_proxies_from_env(env: dict[str, str] | None = None) -> int:
    raw = (os.environ if env is None else env).get(TRUSTED_PROXIES_ENV, "0").strip() or "0"
    if not raw.isdigit() or int(raw) > 10:
        raise ValueError(f"{TRUSTED_PROXIES_ENV} must be a whole number of proxies (0-10)")
    return int(raw)


class Limiter(Protocol):
    def hit(self, key: str, rate: Rate) -> tuple[bool, int]: ...

    def reset(self) -> None: ...


class FixedWindowLimiter:
    """Counts hits per key in fixed windows. Thread-safe; memory bounded by `max_keys`."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_keys: int = 50_000):
        self._clock = clock
        self._max_keys = max_keys
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, int]] = {}  # key -> (window number, hits)

    def hit(self, key: str, rate: Rate) -> tuple[bool, int]:
        """Count one request. (allowed, seconds until the window ends)."""
        now = self._clock()
        window = int(now // rate.period_s)
        retry_after = max(1, math.ceil((window + 1) * rate.period_s - now))
        with self._lock:
            seen_window, hits = self._counts.get(key, (window, 0))
            hits = hits + 1 if seen_window == window else 1
            self._counts[key] = (window, hits)
            if len(self._counts) > self._max_keys:
                self._prune(now)
        return hits <= rate.limit, retry_after

    def _prune(self, now: float) -> None:
        """Drop counts from past windows; if still too many, start afresh (fail open)."""
        # Keys are "rule|period|client"; a count whose window is over is worthless.
        self._counts = {k: v for k, v in self._counts.items()
                        if v[0] == int(now // int(k.split("|", 2)[1]))}
        if len(self._counts) > self._max_keys:
            self._counts.clear()

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()


class RedisWindowLimiter:
    """The same fixed windows, counted in Redis so that every worker and node shares them.

    While Redis cannot be reached it counts in process (`self.local`) instead: fail open,
    with a warning, and tries Redis again after `retry_s` seconds."""

    def __init__(self, url: str, prefix: str = DEFAULT_REDIS_PREFIX,
                 clock: Callable[[], float] = time.time, timeout_s: float = 0.5,
                 retry_s: float = 5.0) -> None:
        import redis  # a dependency of rasa; only needed when Redis is configured

        # Short timeouts: a Redis that hangs must not hold up a page for long.
        self.redis = redis.Redis.from_url(url, socket_timeout=timeout_s,
                                          socket_connect_timeout=timeout_s)
        self.prefix = prefix.rstrip(":")
        self.local = FixedWindowLimiter(clock)
        self._clock = clock
        self._retry_s = retry_s
        self._down_until: float | None = None  # time.monotonic() until which not to try
        self._state = threading.Lock()

    def hit(self, key: str, rate: Rate) -> tuple[bool, int]:
        """Count one request. (allowed, seconds until the window ends)."""
        with self._state:
            down = self._down_until is not None and time.monotonic() < self._down_until
        if down:
            return self.local.hit(key, rate)
        now = self._clock()
        window = int(now // rate.period_s)
        retry_after = max(1, math.ceil((window + 1) * rate.period_s - now))
        redis_key = f"{self.prefix}:{key}:{window}"
        try:
            pipe = self.redis.pipeline(transaction=True)  # MULTI/EXEC: both or neither
            pipe.incr(redis_key)
            pipe.expire(redis_key, rate.period_s + 60)  # gone soon after its window
            hits = int(pipe.execute()[0])
        except Exception as exc:  # noqa: BLE001 - fail open: never refuse a page for this
            with self._state:
                first = self._down_until is None
                self._down_until = time.monotonic() + self._retry_s
            if first:
                log.warning("rate limits: Redis unreachable (%s); counting in this process "
                            "until it is back", exc)
            return self.local.hit(key, rate)
        with self._state:
            if self._down_until is not None:
                log.warning("rate limits: Redis is back; counting there again")
                self._down_until = None
        return hits <= rate.limit, retry_after

    def reset(self) -> None:
        """Forget every count (in Redis, those under this prefix)."""
        self.local.reset()
        for key in self.redis.scan_iter(match=f"{self.prefix}:*", count=500):
            self.redis.delete(key)


def limiter_from_env(env: dict[str, str] | None = None) -> Limiter:
    """In Redis if SIGNPOST_RATE_LIMIT_REDIS_URL is set, else in process."""
    env = os.environ if env is None else env
    url = env.get(REDIS_URL_ENV, "").strip()
    if not url:
        return FixedWindowLimiter()
    try:
        return RedisWindowLimiter(url, env.get(REDIS_PREFIX_ENV, "").strip()
                                  or DEFAULT_REDIS_PREFIX)
    except ValueError as exc:  # a malformed URL: stop at start-up, as for a malformed rate
        raise ValueError(f"{REDIS_URL_ENV}: {exc}") from None


def rule_for(method: str, path: str) -> str | None:
    if path in EXEMPT_PATHS or path.startswith(EXEMPT_PREFIXES):
        return None
    if method == "POST" and path == "/commissioners/login":
        return "login"
    if path.startswith(("/api/stats/", "/commissioners")) or path == "/api/stats":
        return "stats"
    return "default"


def client_address(trusted_proxies: int) -> str:
    if trusted_proxies > 0:
        forwarded = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= trusted_proxies:
            return forwarded[-trusted_proxies][:64]
    return request.remote_addr or "unknown"


def too_many(rate: Rate, retry_after: int) -> Response:
    from web.errors import friendly_error

    detail = (f"Too many requests from your address (the limit is {rate.describe()}). "
              f"Please try again in {retry_after} seconds.")
    resp = friendly_error(429, "Too many requests", detail)
    resp.headers["Retry-After"] = str(retry_after)
    return resp


def init_app(app: Flask) -> None:
    """Read the limits from the environment (fail at start-up if malformed) and install."""
    app.config.setdefault("RATE_LIMITS", rates_from_env())
    app.config.setdefault("TRUSTED_PROXIES", trusted_proxies_from_env())
    app.extensions["signpost_ratelimit"] = limiter_from_env()

    @app.before_request
    def _rate_limit():
        rule = rule_for(request.method, request.path)
        rate = current_app.config["RATE_LIMITS"].get(rule) if rule else None
        if rate is None:
            return None
        client = client_address(current_app.config["TRUSTED_PROXIES"])
        limiter: Limiter = current_app.extensions["signpost_ratelimit"]
        allowed, retry_after = limiter.hit(f"{rule}|{rate.period_s}|{client}", rate)
        if allowed:
            return None
        current_app.logger.warning("rate limit %s exceeded (%s)", rule, rate.text)
        return too_many(rate, retry_after)

