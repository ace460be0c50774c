"""Simulated conversations against a Rasa REST channel (asyncio + aiohttp).

A conversation is a list of turns; each turn is a message and a check on the replies.
`run_conversations` runs N conversations with C at a time and reports throughput, turn
latency percentiles and errors (an HTTP error, a time-out or a failed check).
"""
from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import aiohttp

Check = Callable[[list[dict]], bool]
Turn = tuple[str, Check]


def _text(replies: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in replies)


def answered(replies: list[dict]) -> bool:
    return bool(replies)


def contains(fragment: str) -> Check:
    def check(replies: list[dict]) -> bool:
        return fragment.lower() in _text(replies).lower()

    check.__name__ = f"contains {fragment!r}"
    return check


SERVICES_SHOWN = contains("Was this helpful?")

# The resident flow: greeting, need, place and age, "More options", "Was this helpful?" yes.
# Three needs and places in turn; each has more than one page of services in the seed data.
OURS: list[list[Turn]] = [
    [("hello", answered), ("I'm feeling really lonely", contains("which town")),
     ("I'm 78 and live in Clacton", SERVICES_SHOWN),
     ("/more_options", contains("Here are more services")), ("/helpful_yes", contains("Thank"))],
    [("good morning", answered), ("I've put on weight and want to lose it", contains("town")),
     ("Chelmsford, I'm 52", SERVICES_SHOWN),
     ("/more_options", contains("Here are more services")), ("/helpful_yes", contains("Thank"))],
    [("hi", answered), ("I've been feeling really low and anxious", contains("town")),
     ("I live in Colchester and I'm 29", SERVICES_SHOWN),
     ("/more_options", contains("Here are more services")), ("/helpful_yes", contains("Thank"))],
]
# One signposting turn that runs the form, the action server and a directory search.
SIGNPOST_TURN: Turn = ("I'm lonely, I'm 78 and live in Clacton", SERVICES_SHOWN)

# Rasa's starter bot (`rasa init`): its sad path, then a bot challenge and goodbye.
STOCK: list[list[Turn]] = [
    [("hello", answered), ("I am very sad", contains("did that help")), ("yes", answered),
     ("are you a bot?", answered), ("bye", answered)],
]
STOCK_TURN: Turn = ("I am very sad", contains("did that help"))


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100) of the values, or None if there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass
class LoadResult:
    conversations: int = 0
    turns: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def error(self, what: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 5:
            self.error_samples.append(what)

    def summary(self, concurrency: int | None = None) -> dict:
        ms = [x * 1000 for x in self.latencies]
        out = {
            "conversations": self.conversations,
            "turns": self.turns,
            "errors": self.errors,
            "seconds": round(self.seconds, 2),
            "turns_per_s": round(self.turns / self.seconds, 2) if self.seconds else None,
            "conversations_per_s": (round(self.conversations / self.seconds, 3)
                                    if self.seconds else None),
            "p50_ms": _r(percentile(ms, 50)),
            "p95_ms": _r(percentile(ms, 95)),
            "max_ms": _r(max(ms) if ms else None),
        }
        if concurrency is not None:
            out = {"concurrency": concurrency, **out}
        if self.error_samples:
            out["error_samples"] = self.error_samples
        return out


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 1)


async def _turn(session: aiohttp.ClientSession, url: str, sender: str, turn: Turn,
                result: LoadResult, timeout: float) -> bool:
    message, check = turn
    t0 = time.perf_counter()
    try:
        async with session.post(f"{url}/webhooks/rest/webhook",
                                json={"sender": sender, "message": message},
                                timeout=aiohttp.ClientTimeout(total=timeout)) as resp:
            body = await resp.json(content_type=None)
            status = resp.status
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
        result.error(f"{message!r}: {type(exc).__name__}")
        return False
    result.latencies.append(time.perf_counter() - t0)
    result.turns += 1
    if status != 200:
        result.error(f"{message!r}: HTTP {status}")
        return False
    if not isinstance(body, list) or not check(body):
        result.error(f"{message!r}: {getattr(check, '__name__', 'check')} failed: "
                     f"{_text(body if isinstance(body, list) else [])[:120]!r}")
        return False
    return True


async def _run(url: str, flows: Sequence[Sequence[Turn]], n: int, concurrency: int,
               deadline: float | None, timeout: float, prefix: str) -> LoadResult:
    result = LoadResult()
    counter = iter(range(10**9))
    conn = aiohttp.TCPConnector(limit=concurrency + 5)
    async with aiohttp.ClientSession(connector=conn) as session:

        async def worker() -> None:
            while True:
                i = next(counter)
                if (deadline is None and i >= n) or (deadline and time.monotonic() > deadline):
                    return
                sender = f"{prefix}-{uuid.uuid4().hex[:12]}"
                for turn in flows[i % len(flows)]:
                    if not await _turn(session, url, sender, turn, result, timeout):
                        break
                result.conversations += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        result.seconds = time.perf_counter() - t0
    return result


def run_conversations(url: str, flows: Sequence[Sequence[Turn]], conversations: int,
                      concurrency: int, timeout: float = 60, prefix: str = "bench") -> LoadResult:
    """`conversations` conversations, `concurrency` at a time."""
    return asyncio.run(_run(url, flows, conversations, concurrency, None, timeout, prefix))


def run_for(url: str, flows: Sequence[Sequence[Turn]], seconds: float, concurrency: int,
            timeout: float = 60, prefix: str = "soak") -> LoadResult:
    """Conversations `concurrency` at a time until `seconds` have passed."""
    return asyncio.run(_run(url, flows, 0, concurrency, time.monotonic() + seconds, timeout,
                            prefix))


def single_turns(url: str, turn: Turn, n: int, timeout: float = 60) -> LoadResult:
    """n sequential one-turn conversations (a new sender each): latency of a cold turn."""
    return run_conversations(url, [[turn]], n, 1, timeout, prefix="turn")


def parse_latency(url: str, texts: Sequence[str], n: int) -> dict:
    """n sequential POST /model/parse calls (cycling through texts): p50/p95 in ms."""
    import requests

    times, errors = [], 0
    with requests.Session() as s:
        for i in range(n):
            t0 = time.perf_counter()
            try:
                r = s.post(f"{url}/model/parse", json={"text": texts[i % len(texts)]}, timeout=30)
                ok = r.status_code == 200 and "intent" in r.json()
            except (requests.RequestException, ValueError):
                ok = False
            if ok:
                times.append((time.perf_counter() - t0) * 1000)
            else:
                errors += 1
    return {"requests": n, "errors": errors, "p50_ms": _r(percentile(times, 50)),
            "p95_ms": _r(percentile(times, 95)),
            "mean_ms": _r(statistics.fmean(times) if times else None)}
