"""Synthetic referral events for demos, load tests and the benchmark (source "synthetic").

The mix is plausible rather than real: need shares, district shares roughly by
population, age bands that depend on the need, a share of practitioners, and a
"Was it helpful?" answer after some signposts. Rows are bulk-loaded: COPY on
PostgreSQL, executemany in chunks elsewhere.
"""
from __future__ import annotations

import io
import logging
import random
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta

from sqlalchemy import insert, text

from referral_log.log import SignpostEvent, event_row
from referral_log.models import (
    AGE_BANDS,
    EVENT_COLUMNS,
    NEEDLESS_KINDS,
    PERSON_KIND,
    SHOWN_KINDS,
    referral_event,
)
from signpost.db import get_engine
from signpost.needs import needs

log = logging.getLogger(__name__)

CHUNK = 100_000
# Relative share of conversations per need (out_of_scope is never signposted).
NEED_WEIGHTS: dict[str, int] = {
    "mental_wellbeing": 20, "loneliness": 12, "physical_activity": 10, "weight": 9,
    "smoking": 7, "carer_support": 7, "alcohol": 6, "parenting": 6, "independent_living": 6,
    "employment_education": 5, "diabetes_prevention": 4, "drugs": 3,
    "workplace_wellbeing": 3, "crisis": 2,
}
# Roughly the 2021 census population (thousands), plus people who did not say.
DISTRICT_WEIGHTS: dict[str, int] = {
    "basildon": 188, "braintree": 157, "brentwood": 77, "castle_point": 90,
    "chelmsford": 181, "colchester": 193, "epping_forest": 135, "harlow": 94,
    "maldon": 66, "rochford": 87, "tendring": 148, "uttlesford": 92, "unknown": 200,
}
# Age band shares per need, in AGE_BANDS order: 0-15, 16-24, 25-64, 65+, unknown.
AGE_WEIGHTS: dict[str, tuple[int, ...]] = {
    "loneliness": (2, 8, 30, 45, 15), "mental_wellbeing": (8, 22, 50, 8, 12),
    "crisis": (8, 30, 45, 5, 12), "workplace_wellbeing": (0, 10, 75, 3, 12),
    "weight": (5, 8, 62, 13, 12), "physical_activity": (5, 10, 45, 28, 12),
    "diabetes_prevention": (0, 3, 55, 30, 12), "alcohol": (0, 10, 65, 13, 12),
    "drugs": (3, 30, 55, 2, 10), "smoking": (1, 12, 62, 13, 12),
    "carer_support": (6, 8, 48, 26, 12), "parenting": (2, 10, 76, 0, 12),
    "employment_education": (3, 35, 50, 0, 12), "independent_living": (0, 2, 30, 56, 12),
}
PRACTITIONER_SHARE = 0.2
HELPFUL_ANSWER_SHARE = 0.22  # of events, the share that are "Was it helpful?" answers
SERVICES_PER_NEED = 4


def _service_templates(need_id: str) -> list[tuple[str | None, str]]:
    """(service id, stored measures) for a need's pretend services; crisis lines have no id."""
    need = needs()[need_id]
    acts = need.jhws_actions
    out = []
    for k in range(1 if need_id == "crisis" else SERVICES_PER_NEED):
        chosen = {acts[k % len(acts)]} if acts else set()
        if acts and k % 2 == 0:
            chosen.add(acts[(k + 1) % len(acts)])
        service_id = None if need_id == "crisis" else f"synthetic-{need_id}-{k + 1}"
        # Measures exactly as live events get them (need's priority measures included).
        row = event_row(
            SignpostEvent(need_id, service_id, tuple(chosen), None, None, "resident",
                          "crisis_shown" if service_id is None else "signposted"),
            date.today(), "synthetic",
        )
        out.append((service_id, row["measures"]))
    return out


def _kind_mix(need_id: str, yes_share: float) -> dict[str, float]:
    """Shares of event kinds for one need: about 2.5 services shown per person signposted,
    answers from about a fifth, and some unmet need, out of scope and not understood."""
    first = "crisis_shown" if need_id == "crisis" else "signposted"
    answers = HELPFUL_ANSWER_SHARE
    mix = {first: 1 - answers, "helpful_yes": answers * yes_share,
           "helpful_no": answers * (1 - yes_share)}
    people = {first: 0.4 if first == "signposted" else 0.7, "helpful_yes": 0.4,
              "helpful_no": 0.4}
    mix.update({PERSON_KIND[k]: share * people[k] for k, share in list(mix.items())})
    person = mix[PERSON_KIND[first]]
    mix.update(unmet_need=0.08 * person, out_of_scope=0.06 * person,
               not_understood=0.1 * person, conversation=1.2 * person)
    return mix


def _shaped(day: date, need_id: str, service: str | None, measures: str, district: str,
            band: str, channel: str, kind: str) -> tuple:
    """One row in EVENT_COLUMNS order; person and conversation rows have no service."""
    if kind in SHOWN_KINDS:
        return (day, need_id, service, measures, district, band, channel, kind, "synthetic")
    need: str | None = need_id
    if kind in NEEDLESS_KINDS:
        need, measures = None, ""
    elif kind == "out_of_scope":
        need, measures = "out_of_scope", ""
    return (day, need, None, measures, district, band, channel, kind, "synthetic")


def _days(months: int, today: date) -> tuple[list[date], list[float]]:
    """Days of the last `months` months, weighted: quieter weekends and slow growth."""
    start = date(today.year, today.month, 1)
    for _ in range(months - 1):
        start = (start - timedelta(days=1)).replace(day=1)
    days = [start + timedelta(days=i) for i in range((today - start).days + 1)]
    weights = [
        (0.6 if d.weekday() >= 5 else 1.0) * (1.0 + 0.5 * i / max(1, len(days) - 1))
        for i, d in enumerate(days)
    ]
    return days, weights


def generate(n: int, *, seed: int | None = None, months: int = 12,
             today: date | None = None, chunk: int = CHUNK) -> Iterator[list[tuple]]:
    """Chunks of synthetic rows, as tuples in EVENT_COLUMNS order."""
    if n < 0 or months < 1:
        raise ValueError("events must be >= 0 and months >= 1")
    rng = random.Random(seed)
    days, day_weights = _days(months, today or date.today())
    need_ids = list(NEED_WEIGHTS)
    districts = list(DISTRICT_WEIGHTS)
    templates = {nid: _service_templates(nid) for nid in need_ids}
    done = 0
    while done < n:
        size = min(chunk, n - done)
        rows: list[tuple] = []
        for need_id, count in Counter(rng.choices(need_ids, list(NEED_WEIGHTS.values()),
                                                  k=size)).items():
            yes_share = 0.55 + 0.3 * rng.random()  # each need is found more or less helpful
            mix = _kind_mix(need_id, yes_share)
            kinds = rng.choices(list(mix), list(mix.values()), k=count)
            rows.extend(
                _shaped(day, need_id, service, measures, district, band, channel, kind)
                for day, (service, measures), district, band, channel, kind in zip(
                    rng.choices(days, day_weights, k=count),
                    rng.choices(templates[need_id], k=count),
                    rng.choices(districts, list(DISTRICT_WEIGHTS.values()), k=count),
                    rng.choices(AGE_BANDS, AGE_WEIGHTS[need_id], k=count),
                    rng.choices(("resident", "practitioner"),
                                (1 - PRACTITIONER_SHARE, PRACTITIONER_SHARE), k=count),
                    kinds,
                    strict=True,
                )
            )
        done += size
        yield rows


def simulate(url: str | None, events: int, *, seed: int | None = None, months: int = 12,
             today: date | None = None) -> int:
    """Insert `events` synthetic events in one transaction; returns how many."""
    engine = get_engine(url)
    chunks = generate(events, seed=seed, months=months, today=today)
    if engine.dialect.name == "postgresql":
        _copy_postgres(engine, chunks)
    else:
        with engine.begin() as conn:
            for rows in chunks:
                if engine.dialect.name == "sqlite":
                    marks = ", ".join("?" * len(EVENT_COLUMNS))
                    conn.exec_driver_sql(
                        f"INSERT INTO referral_event ({', '.join(EVENT_COLUMNS)}) "
                        f"VALUES ({marks})",
                        [(d.isoformat(), *rest) for d, *rest in rows],
                    )
                else:
                    conn.execute(insert(referral_event),
                                 [dict(zip(EVENT_COLUMNS, r, strict=True)) for r in rows])
    log.info("simulated %d synthetic referral events", events)
    return events


def _copy_postgres(engine, chunks: Iterator[list[tuple]]) -> None:
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        for rows in chunks:
            buf = io.StringIO()
            # Every value is from a fixed vocabulary or a synthetic id: no escaping needed.
            buf.writelines(
                "\t".join(r"\N" if v is None else str(v) for v in row) + "\n" for row in rows
            )
            buf.seek(0)
            cur.copy_expert(
                f"COPY referral_event ({', '.join(EVENT_COLUMNS)}) FROM STDIN", buf
            )
        raw.commit()
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.close()
    # Fresh statistics and a visibility map, so the first report is as fast as later ones.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM (ANALYZE) referral_event"))
