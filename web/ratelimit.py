"""Per-client rate limits for the web app: a fixed-window counter, kept in process.

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

Scope: the counts live in each process. gunicorn runs 2 workers (signpost/stack.py), and
each worker counts on its own, so the effective limit on one node is up to the limit times
the number of workers. In a cluster, use a shared store (Redis, with INCR and EXPIRE on a
key per rule, client and window) so that all nodes count together.
"""
from __future__ import annotations

import math
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, Response, current_app, request

DEFAULTS = {"default": "120/minute", "stats": "30/minute", "login": "10/minute"}
ENV = {"default": "SIGNPOST_RATE_LIMIT", "stats": "SIGNPOST_RATE_LIMIT_STATS",
       "login": "SIGNPOST_RATE_LIMIT_LOGIN"}
TRUSTED_PROXIES_ENV = "SIGNPOST_TRUSTED_PROXIES"
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
    app.extensions["signpost_ratelimit"] = FixedWindowLimiter()

    @app.before_request
    def _rate_limit():
        rule = rule_for(request.method, request.path)
        rate = current_app.config["RATE_LIMITS"].get(rule) if rule else None
        if rate is None:
            return None
        client = client_address(current_app.config["TRUSTED_PROXIES"])
        limiter: FixedWindowLimiter = current_app.extensions["signpost_ratelimit"]
        allowed, retry_after = limiter.hit(f"{rule}|{rate.period_s}|{client}", rate)
        if allowed:
            return None
        current_app.logger.warning("rate limit %s exceeded (%s)", rule, rate.text)
        return too_many(rate, retry_after)

