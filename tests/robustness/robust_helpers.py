"""Helpers for the robustness tests: fuzz settings, hostile inputs, row counts.

How many examples Hypothesis tries: each test has a default sized for a 2-core machine
(300 against the Flask test client per endpoint family, 100 against the live Rasa
webhook). SIGNPOST_FUZZ_EXAMPLES=N sets every fuzz test to N instead, e.g. 10000 for the
soak run: `SIGNPOST_FUZZ_EXAMPLES=10000 .venv/bin/pytest tests/robustness`.
"""
from __future__ import annotations

import os
import socket

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sqlalchemy import func, inspect, select, table

from bot.fallbacks import CRISIS_MARKERS
from signpost.db import get_engine

FUZZ_ENV = "SIGNPOST_FUZZ_EXAMPLES"


def examples(default: int) -> int:
    raw = os.environ.get(FUZZ_ENV, "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else default


def fuzz(default: int) -> settings:
    return settings(max_examples=examples(default), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


# Inputs people (or scanners) really send: markup, SQL, traversal, odd numbers and digits.
NASTY = [
    "", " ", "\x00", "\u202e", "\ufeff", "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>', "javascript:alert(1)", "' OR 1=1 --",
    "'; DROP TABLE service; --", '" OR ""="', "%", "%00", "%zz", "_", "\\", "*",
    "../../etc/passwd", "..\\..\\windows\\win.ini", "....//....//etc/passwd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/etc/passwd", "-1", "0", "1e309", "NaN", "inf",
    "-inf", "0x10", "1_000", "²", "١٢", "9" * 30, "9" * 5000, str(2**63), str(-(2**63) - 1),
    "00000000-0000-0000-0000-000000000000", "🙂" * 50, "a" * 5000,
]
NASTY_TEXT = st.one_of(st.sampled_from(NASTY), st.text(max_size=300),
                       st.text(alphabet=st.characters(codec="utf-8"), max_size=50))
URL_SAFE_TEXT = NASTY_TEXT.map(lambda s: s.replace("\x00", ""))


def row_counts(url: str) -> dict[str, int]:
    """Rows in every table of the database (not Alembic's version table)."""
    engine = get_engine(url)
    names = [n for n in inspect(engine).get_table_names() if n != "alembic_version"]
    with engine.connect() as conn:
        return {n: conn.execute(select(func.count()).select_from(table(n))).scalar_one()
                for n in names}


def has_crisis_lines(text: str) -> bool:
    return all(marker in text for marker in CRISIS_MARKERS)


GENERAL_ROUTE_MARKERS = ("GP practice", "social prescriber", "NHS 111")


def has_general_route(text: str) -> bool:
    return all(marker in text for marker in GENERAL_ROUTE_MARKERS)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
