"""How fast are statistics reports over a large referral log?

Creates a throwaway PostgreSQL database, migrates it, loads N synthetic events
with `simulate` (COPY), then times each report (median and worst of --repeat runs,
after one warm-up run). Figures go in docs/performance.md, "Statistics".

    .venv/bin/python -m bench.stats_bench --server postgresql://postgres@127.0.0.1:5432/test
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import date

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from referral_log import auth
from referral_log.dashboard import build_dashboard, dashboard_query
from referral_log.models import referral_event
from referral_log.report import build_report, parse_query
from referral_log.simulate import simulate
from signpost import migrate
from signpost.db import get_engine

DEFAULT_SERVER = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _months_back(n: int) -> str:
    today = date.today()
    y, m = today.year, today.month - n
    while m < 1:
        y, m = y - 1, m + 12
    return f"{y:04d}-{m:02d}"


def scenarios(url: str) -> list[tuple[str, Callable[[], object]]]:
    """(label, function) pairs: the reports commissioners and the dashboard run."""
    def report(label: str, **kw) -> tuple[str, Callable[[], object]]:
        return label, lambda: build_report(url, parse_query(**kw))

    window = dict(month_from=_months_back(2), month_to=_months_back(0))
    app_client = _api_client(url)
    return [
        report("by measure (all time)", group_by="measure", source="synthetic"),
        report("by measure, month", group_by="measure,month", source="synthetic"),
        report("by measure, district, month", group_by="measure,district,month",
               source="synthetic"),
        report("by need, age band, channel", group_by="need,age_band,channel",
               source="synthetic"),
        report("by area, district; last 3 months", group_by="area,district", source="synthetic",
               **window),
        report("by measure, month; one district", group_by="measure,month", source="synthetic",
               district="chelmsford"),
        report("by need, kind; all kinds", group_by="need,kind", source="synthetic", kind="all"),
        report("live only (none: index lookup)", group_by="measure,district,month"),
        ("dashboard data (3 scans)",
         lambda: build_dashboard(url, dashboard_query({"source": "synthetic"}))),
        ("dashboard HTML page", lambda: _get(app_client, "/commissioners?source=synthetic")),
        ("API measure,district,month (JSON)",
         lambda: _get(app_client, "/api/stats/referrals?group_by=measure,district,month"
                      "&source=synthetic")),
    ]


def _api_client(url: str):
    from web.app import create_app

    os.environ.setdefault(auth.TOKEN_ENV, "bench-token-" + uuid.uuid4().hex)
    return create_app(database_url=url).test_client()


def _get(client, path: str) -> None:
    resp = client.get(path, headers={"Authorization": f"Bearer {os.environ[auth.TOKEN_ENV]}"})
    assert resp.status_code == 200, resp.status_code


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    fn()  # warm-up: connection pool, plan cache, OS page cache
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs), max(runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default=DEFAULT_SERVER,
                        help="PostgreSQL URL; a throwaway database is created on its server")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)

    admin_url = make_url(args.server)
    name = f"signpost_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = str(admin_url.set(database=name))
    try:
        migrate.upgrade(url)
        t0 = time.perf_counter()
        simulate(url, args.events, seed=args.seed, months=12)
        load_s = time.perf_counter() - t0
        with get_engine(url).connect() as conn:
            n = conn.execute(select(func.count()).select_from(referral_event)).scalar()
            version = conn.execute(text("SHOW server_version")).scalar()
        print(f"# Statistics benchmark, {date.today().isoformat()}")
        print(f"PostgreSQL {version}; Python {platform.python_version()}; "
              f"{os.cpu_count()} CPUs; {n:,} synthetic events over 12 months; "
              f"load average before: {os.getloadavg()[0]:.1f}\n")
        print(f"simulate --events {args.events:,}: {load_s:.1f} s (COPY, then VACUUM ANALYZE)\n")
        print(f"| report | median (s) | worst of {args.repeat} (s) |")
        print("| --- | ---: | ---: |")
        for label, fn in scenarios(url):
            median, worst = timed(fn, args.repeat)
            print(f"| {label} | {median:.3f} | {worst:.3f} |", flush=True)
        print(f"\nload average after: {os.getloadavg()[0]:.1f} (other work on the machine "
              "shows up in the worst times)")
    finally:
        get_engine(url).dispose()
        if not args.keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        else:
            print(f"\nkept database: {url}")
        admin.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
