"""`make bench`: every performance figure, measured in one run on this machine, as JSON.

    .venv/bin/python -m bench.run            # full run (about 20 minutes, soak 600 s)
    .venv/bin/python -m bench.run --quick    # about 5 minutes: soak 30 s, fewer requests

Measures, for our assistant and for Rasa's stock starter bot (`rasa init`) in the same run:
training time, Rasa's resident memory after loading the model, start-up time to the first
answer, /model/parse latency, the latency of one full turn through the REST channel, and
throughput with 1, 10 and 50 concurrent multi-turn conversations. Then, for ours only:
directory search over 10,000 synthetic services (SQLite and PostgreSQL), statistics reports
over 1,000,000 referral events (PostgreSQL) and a soak with memory sampled every 10 s.

Progress goes to stderr; the JSON report to stdout (and to --out). Figures are recorded
by hand in docs/performance.md. This measures and reports: it never fails on a target.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

from bench import load
from bench.procs import BIN, Bot, tree_rss_mib
from signpost.config import ROOT

MODEL = ROOT / "models" / "signpost.tar.gz"
DEFAULT_PG = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
PARSE_TEXTS = [
    "I'm lonely, I'm 78 and live in Clacton", "I want to stop smoking",
    "I've put on weight and want to lose it", "I've been feeling really low and anxious",
    "hello", "I look after my mum and I'm exhausted", "can you help me find a walking group",
    "I'm drinking too much",
]


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def machine() -> dict:
    mem_kib = 0
    with open("/proc/meminfo", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    cpu = ""
    with open("/proc/cpuinfo", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"cpus": os.cpu_count(), "memory_gib": round(mem_kib / 1024**2, 1), "cpu": cpu,
            "python": platform.python_version(), "load_average_start": os.getloadavg()}


def timed_command(cmd: list[str], cwd: Path, log_file: Path) -> float:
    # An empty training cache of its own: with the project's .rasa/cache, `rasa train`
    # reuses the components trained by `make model` and "trains" in seconds.
    cache = log_file.with_suffix(".cache")
    t0 = time.perf_counter()
    with open(log_file, "w", encoding="utf-8") as out:
        subprocess.run(cmd, cwd=cwd, check=True, stdout=out, stderr=subprocess.STDOUT,
                       env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2",
                            "RASA_CACHE_DIRECTORY": str(cache)})
    return round(time.perf_counter() - t0, 1)


def train_ours(work: Path) -> float:
    log("training our model into a temp dir (project config, 2 threads)")
    return timed_command([str(BIN / "rasa"), "train", "--config", "config.yml", "--domain",
                          "domain.yml", "--data", "data", "--out", str(work / "models"),
                          "--fixed-model-name", "bench", "--num-threads", "2"],
                         ROOT, work / "train-ours.log")


def init_stock(work: Path) -> tuple[float, Path]:
    log("rasa init --no-prompt (scaffold + training of the starter bot)")
    stock = work / "stock"
    stock.mkdir()
    seconds = timed_command([str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(stock)],
                            work, work / "train-stock.log")
    models = sorted((stock / "models").glob("*.tar.gz"))
    if not models:
        raise RuntimeError(f"rasa init trained no model; see {work / 'train-stock.log'}")
    return seconds, models[-1]


def seeded_sqlite(work: Path) -> str:
    url = f"sqlite:///{work / 'serving.db'}"
    env = {**os.environ, "DATABASE_URL": url, "SIGNPOST_VAR_DIR": str(work / "var")}
    for args in (["db", "upgrade"], ["directory", "seed"]):
        subprocess.run([sys.executable, "-m", "signpost.cli", *args], cwd=ROOT, env=env,
                       check=True, stdout=subprocess.DEVNULL)
    return url


def measure_serving(bot: Bot, flows, turn, sizes: dict) -> dict:
    """Start-up, memory, parse and turn latency, concurrency levels, for one bot."""
    log(f"{bot.name}: starting the action server and Rasa")
    t0 = time.perf_counter()
    bot.start_actions()
    actions_s = time.perf_counter() - t0
    startup_s = bot.start_rasa()
    time.sleep(2)
    rss_loaded = bot.rss()
    log(f"{bot.name}: first answer after {startup_s:.1f}s; RSS {rss_loaded}")
    out: dict = {
        "startup_to_first_answer_s": round(startup_s, 1),
        "action_server_ready_s": round(actions_s, 1),
        "rss_after_load_mib": {**rss_loaded, "total": round(sum(rss_loaded.values()), 1)},
    }
    log(f"{bot.name}: /model/parse x{sizes['parse']}")
    out["parse"] = load.parse_latency(bot.url, PARSE_TEXTS, sizes["parse"])
    log(f"{bot.name}: full turn x{sizes['turns']}: {turn[0]!r}")
    out["full_turn"] = load.single_turns(bot.url, turn, sizes["turns"]).summary()
    out["concurrency"] = []
    for concurrency, conversations in sizes["levels"]:
        log(f"{bot.name}: {conversations} conversations, {concurrency} at a time")
        res = load.run_conversations(bot.url, flows, conversations, concurrency,
                                     prefix=f"{bot.name}-c{concurrency}")
        out["concurrency"].append(res.summary(concurrency))
    rss = bot.rss()
    out["rss_after_load_test_mib"] = {**rss, "total": round(sum(rss.values()), 1)}
    return out


def soak(bot: Bot, seconds: float, concurrency: int = 10, every: float = 10) -> dict:
    log(f"{bot.name}: soak, {concurrency} conversations at a time for {seconds:.0f}s")
    box: dict = {}
    worker = threading.Thread(target=lambda: box.setdefault(
        "result", load.run_for(bot.url, load.OURS, seconds, concurrency, prefix="soak")))
    samples = []
    t0 = time.monotonic()
    worker.start()
    while worker.is_alive():
        samples.append({"t_s": round(time.monotonic() - t0), **bot.rss()})
        worker.join(every)
    samples.append({"t_s": round(time.monotonic() - t0), **bot.rss()})
    result: load.LoadResult = box["result"]
    return {"requested_seconds": seconds, "concurrency": concurrency, **result.summary(),
            "rss_start_mib": samples[0], "rss_end_mib": samples[-1],
            "rss_samples_mib": samples}


def ratios(ours: dict, stock: dict) -> dict:
    def p95(d: dict) -> float | None:
        return d["full_turn"]["p95_ms"]

    def div(a, b):
        return round(a / b, 2) if a is not None and b else None

    out = {
        "full_turn_p95": div(p95(ours), p95(stock)),
        "rasa_rss": div(ours["rss_after_load_mib"]["rasa"], stock["rss_after_load_mib"]["rasa"]),
        "total_rss": div(ours["rss_after_load_mib"]["total"],
                         stock["rss_after_load_mib"]["total"]),
        "parse_p95": div(ours["parse"]["p95_ms"], stock["parse"]["p95_ms"]),
        "startup": div(ours["startup_to_first_answer_s"], stock["startup_to_first_answer_s"]),
    }
    for a, b in zip(ours["concurrency"], stock["concurrency"], strict=False):
        out[f"c{a['concurrency']}_turn_p95"] = div(a["p95_ms"], b["p95_ms"])
    out["targets"] = {"full_turn_p95_within_1.5x": (out["full_turn_p95"] or 99) <= 1.5,
                      "rasa_rss_within_1.3x": (out["rasa_rss"] or 99) <= 1.3}
    return out


def pg_available(url: str) -> bool:
    from signpost.db import database_answers

    return database_answers(url)


class ThrowawayPG:
    """A fresh database on the PostgreSQL server of `server_url`, dropped on exit."""

    def __init__(self, server_url: str, label: str) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        self.admin_url = make_url(server_url)
        self.name = f"signpost_bench_{label}_{uuid.uuid4().hex[:8]}"
        self.admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT", future=True)
        self.url = str(self.admin_url.set(database=self.name))

    def __enter__(self) -> str:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        return self.url

    def __exit__(self, *exc) -> None:
        from sqlalchemy import text

        from signpost.db import get_engine

        get_engine(self.url).dispose()
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


def directory_figures(work: Path, pg: str | None, services: int, searches: int) -> dict:
    from bench.directory_bench import bench_search

    out = {}
    log(f"directory: {services:,} synthetic services in SQLite, {searches} searches")
    out["sqlite"] = bench_search(f"sqlite:///{work / 'directory.db'}", services, searches)
    if pg:
        log(f"directory: {services:,} synthetic services in PostgreSQL")
        with ThrowawayPG(pg, "dir") as url:
            out["postgresql"] = bench_search(url, services, searches)
    else:
        out["postgresql"] = "skipped: PostgreSQL not reachable"
    return out


def stats_figures(pg: str | None, events: int, repeat: int) -> dict | str:
    if not pg:
        return "skipped: PostgreSQL not reachable"
    from bench import stats_bench
    from referral_log.simulate import simulate
    from signpost import migrate
    from signpost.db import get_engine

    log(f"statistics: {events:,} synthetic events on PostgreSQL, {repeat} runs per report")
    with ThrowawayPG(pg, "stats") as url:
        migrate.upgrade(url)
        t0 = time.perf_counter()
        simulate(url, events, seed=1, months=12)
        load_s = time.perf_counter() - t0
        reports = []
        for label, fn in stats_bench.scenarios(url):
            median, worst = stats_bench.timed(fn, repeat)
            reports.append({"report": label, "median_s": round(median, 3),
                            "worst_s": round(worst, 3)})
        get_engine(url).dispose()
    return {"events": events, "load_s": round(load_s, 1), "repeat": repeat,
            "slowest_median_s": max(r["median_s"] for r in reports),
            "slowest_worst_s": max(r["worst_s"] for r in reports), "reports": reports}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="shorter: soak 30 s, fewer requests, 100,000 statistics events")
    parser.add_argument("--out", type=Path, help="also write the JSON report here")
    parser.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL server URL (throwaway "
                        "databases are created on it and dropped)")
    parser.add_argument("--soak-seconds", type=float,
                        default=float(os.environ.get("SIGNPOST_SOAK_SECONDS", 600)))
    parser.add_argument("--skip", action="append", default=[],
                        choices=["train", "stock", "directory", "stats", "soak"],
                        help="leave a part out (repeatable)")
    parser.add_argument("--keep", action="store_true", help="keep the work dir (logs)")
    args = parser.parse_args(argv)
    if not MODEL.exists():
        parser.error(f"no trained model at {MODEL}: run `make model`")
    quick = args.quick
    soak_s = 30.0 if quick and "SIGNPOST_SOAK_SECONDS" not in os.environ else args.soak_seconds
    sizes = {"parse": 60, "turns": 40, "levels": [(1, 5), (10, 30), (50, 100)]} if quick else \
        {"parse": 300, "turns": 200, "levels": [(1, 20), (10, 100), (50, 300)]}
    pg = args.pg if pg_available(args.pg) else None

    work = Path(tempfile.mkdtemp(prefix="signpost-bench-"))
    started = datetime.now(timezone.utc)
    report: dict = {"date": started.date().isoformat(), "started": started.isoformat(),
                    "mode": "quick" if quick else "full", "machine": machine(),
                    "workdir": str(work)}
    log(f"work dir {work}; PostgreSQL: {'yes' if pg else 'no'}")
    bots: list[Bot] = []
    try:
        report["ours"] = {}
        report["stock"] = {}
        if "train" not in args.skip:
            report["ours"]["train_s"] = train_ours(work)
        stock_model = None
        if "stock" not in args.skip:
            report["stock"]["train_s"], stock_model = init_stock(work)

        db = seeded_sqlite(work)
        ours = Bot("ours", ROOT, MODEL, "actions.actions", ROOT / "credentials.yml",
                   env={"DATABASE_URL": db, "SIGNPOST_VAR_DIR": str(work / "var")},
                   log_dir=work)
        bots.append(ours)
        report["ours"].update(measure_serving(ours, load.OURS, load.SIGNPOST_TURN, sizes))
        if "soak" not in args.skip:
            report["soak"] = soak(ours, soak_s)
        ours.stop()

        if stock_model is not None:
            stock_dir = stock_model.parent.parent
            stock = Bot("stock", stock_dir, stock_model, "actions",
                        stock_dir / "credentials.yml", log_dir=work)
            bots.append(stock)
            report["stock"].update(measure_serving(stock, load.STOCK, load.STOCK_TURN, sizes))
            stock.stop()
            report["ratios_ours_to_stock"] = ratios(report["ours"], report["stock"])

        if "directory" not in args.skip:
            report["directory_search"] = directory_figures(work, pg, 10_000,
                                                           80 if quick else 400)
        if "stats" not in args.skip:
            report["statistics"] = stats_figures(pg, 100_000 if quick else 1_000_000,
                                                 1 if quick else 5)
    except BaseException:
        print(json.dumps(report, indent=2), file=sys.stderr)  # what was measured so far
        raise
    finally:
        for bot in bots:
            bot.stop()
        report["machine"]["load_average_end"] = os.getloadavg()
        report["seconds"] = round((datetime.now(timezone.utc) - started).total_seconds())
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
            report.pop("workdir")
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


# Keep the name importable for tests of the memory reader.
__all__ = ["main", "tree_rss_mib"]

if __name__ == "__main__":
    raise SystemExit(main())
