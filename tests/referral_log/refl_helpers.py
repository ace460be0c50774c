"""Helpers for the referral log tests (a unique module name: tests/ is not a package)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import insert

from referral_log.models import EVENT_COLUMNS, referral_event
from signpost.db import get_engine

TOKEN = "test-commissioner-token-0123456789"


def row(day: date = date(2024, 3, 5), need: str = "loneliness", service_id: str | None = "svc-1",
        measures: str = "1.6", district: str = "braintree", age_band: str = "65+",
        channel: str = "resident", kind: str = "signposted", source: str = "live") -> dict:
    return dict(day=day, need=need, service_id=service_id, measures=measures, district=district,
                age_band=age_band, channel=channel, kind=kind, source=source)


def add_rows(url: str, rows: Iterable[dict]) -> None:
    """Insert rows directly (tests of reporting, not of record_events)."""
    rows = list(rows)
    assert all(set(r) == set(EVENT_COLUMNS) for r in rows)
    with get_engine(url).begin() as conn:
        conn.execute(insert(referral_event), rows)
