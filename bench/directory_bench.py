"""Directory search over many services: the seed's services copied into N synthetic ones.

Each copy gets a new id and name, a random district (or all of Essex) and age range,
and keeps the seed service's needs, measures, contact and referral routes, so that every
filter and the ranking do real work. Written with the importer (validation included).
"""
from __future__ import annotations

import random
import time
from dataclasses import replace

import yaml
from sqlalchemy import text

from bench.load import percentile
from services_directory.districts import DISTRICTS
from services_directory.ids import stable_id
from services_directory.importer import import_records
from services_directory.search import count_services, search_services
from services_directory.seed import SEED_FILE, YAML_LOADER, parse_seed
from signpost import migrate
from signpost.db import get_engine, session_scope

# What the bot asks the directory: (need, district, age), as in a resident's conversation.
QUERIES = [
    ("loneliness", "Tendring", 78), ("weight", "Chelmsford", 52),
    ("mental_wellbeing", "Colchester", 29), ("smoking", "Harlow", 40),
    ("alcohol", "Basildon", 45), ("physical_activity", "Braintree", 35),
    ("loneliness", None, None), ("carer_support", "Epping Forest", 17),
]


def synthetic_records(n: int, seed: int = 1):
    data = yaml.load(SEED_FILE.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    orgs, services, problems = parse_seed(data, SEED_FILE.name)
    assert not problems, problems
    rng = random.Random(seed)
    districts = list(DISTRICTS)
    out = []
    for i in range(n):
        base = services[i % len(services)]
        lo = rng.choice([None, None, 0, 16, 18, 25, 50, 65])
        hi = rng.choice([None, None, 17, 25, 64, 120]) if lo is None else rng.choice(
            [None, None, max(lo, 17) + 20])
        areas = ("all",) if rng.random() < 0.2 else tuple(sorted(rng.sample(districts, 1)))
        slug = f"synthetic-{i:05d}-{base.slug}"[:80]
        out.append(replace(base, id=stable_id("service", slug), slug=slug,
                           name=f"{base.name} ({i})", minimum_age=lo, maximum_age=hi,
                           districts=areas, locations=None))
    return orgs, out


def bench_search(url: str, services: int, searches: int, analyze: bool = False) -> dict:
    """Load `services` synthetic services into the (empty) database at url; time searches.
    The database has no planner statistics unless `analyze` (PostgreSQL's autovacuum
    gathers them within about a minute of a large import; SQLite never does by itself)."""
    migrate.upgrade(url)
    orgs, recs = synthetic_records(services)
    t0 = time.perf_counter()
    import_records(orgs, recs, url)
    load_s = time.perf_counter() - t0
    if analyze:
        with get_engine(url).begin() as conn:
            conn.execute(text("ANALYZE"))
    queries = QUERIES
    times: list[float] = []
    matched: list[int] = []
    with session_scope(url) as session:
        for q in queries:  # warm-up
            search_services(session, q[0], q[1], q[2], audience="resident", limit=3)
        for i in range(searches):
            need, district, age = queries[i % len(queries)]
            t = time.perf_counter()
            # What one bot turn does (bot/signposting.find_services): count, then one page.
            total = count_services(session, need, district, age, audience="resident")
            search_services(session, need, district, age, audience="resident", limit=3,
                            offset=0)
            times.append((time.perf_counter() - t) * 1000)
            matched.append(total)
    get_engine(url).dispose()
    return {
        "services": services, "load_s": round(load_s, 1), "searches": searches,
        "analyzed": analyze,
        "matching_services_mean": round(sum(matched) / len(matched)) if matched else 0,
        "p50_ms": round(percentile(times, 50) or 0, 1),
        "p95_ms": round(percentile(times, 95) or 0, 1),
        "max_ms": round(max(times), 1) if times else None,
    }


def main(argv: list[str] | None = None) -> int:
    import argparse
    import json
    import tempfile
    from pathlib import Path

    from bench.run import DEFAULT_PG, ThrowawayPG, pg_available

    parser = argparse.ArgumentParser(
        description="Directory search over N synthetic services, on SQLite and PostgreSQL "
                    "(the 'directory' part of bench.run), as JSON.")
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--searches", type=int, default=400, help="400 in bench.run, 80 --quick")
    parser.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL server URL (a throwaway "
                        "database is created on it and dropped)")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--analyze", action="store_true",
                        help="run ANALYZE after the import (bench.run does not)")
    args = parser.parse_args(argv)
    out: dict = {}
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory(prefix="signpost-dirbench-") as work:
            out["sqlite"] = bench_search(f"sqlite:///{Path(work) / 'directory.db'}",
                                         args.services, args.searches, args.analyze)
    if args.backend in ("postgresql", "both"):
        if pg_available(args.pg):
            with ThrowawayPG(args.pg, "dir") as url:
                out["postgresql"] = bench_search(url, args.services, args.searches,
                                                 args.analyze)
        else:
            out["postgresql"] = "skipped: PostgreSQL not reachable"
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
