"""Turn a `bench.run` JSON report into the Markdown tables of docs/performance.md.

    .venv/bin/python -m bench.run --out var/bench.json
    .venv/bin/python -m bench.report var/bench.json
"""
from __future__ import annotations

import json
import sys
from pathlib import Path


def _f(x, unit: str = "") -> str:
    if x is None:
        return "n/a"
    if isinstance(x, float):
        x = f"{x:,.1f}" if abs(x) >= 10 else f"{x:.2f}"
    return f"{x}{unit}"


def _ratio(r: dict, key: str) -> str:
    return "n/a" if r.get(key) is None else f"{r[key]:.2f}x"


def render(rep: dict) -> str:
    ours, stock, r = rep["ours"], rep.get("stock", {}), rep.get("ratios_ours_to_stock", {})
    m = rep["machine"]
    out = [
        f"**Run of {rep['date']}** ({rep['mode']} mode, {rep['seconds'] // 60} minutes). "
        f"{m['cpus']} cores ({m['cpu']}), {m['memory_gib']:.0f} GiB, Python {m['python']}. "
        f"Load average {m['load_average_start'][0]:.1f} at the start and "
        f"{m['load_average_end'][0]:.1f} at the end (other engineers' test runs share the "
        "machine).",
        "",
        "| figure | ours | stock (`rasa init`) | ours / stock |",
        "| --- | ---: | ---: | ---: |",
    ]

    def row(label: str, a, b, ratio: str = "") -> None:
        out.append(f"| {label} | {a} | {b} | {ratio} |")

    row("training (s)", _f(ours.get("train_s")), _f(stock.get("train_s")))
    row("start-up to first answer (s)", _f(ours["startup_to_first_answer_s"]),
        _f(stock.get("startup_to_first_answer_s")), _ratio(r, "startup"))
    for key, label in (("rasa", "Rasa server RSS after load (MiB)"),
                       ("actions", "action server RSS (MiB)"),
                       ("total", "both (MiB)")):
        rk = {"rasa": "rasa_rss", "total": "total_rss"}.get(key)
        row(label, _f(ours["rss_after_load_mib"][key]),
            _f(stock.get("rss_after_load_mib", {}).get(key)), _ratio(r, rk) if rk else "")
    row("/model/parse p50 / p95 (ms)",
        f"{_f(ours['parse']['p50_ms'])} / {_f(ours['parse']['p95_ms'])}",
        f"{_f(stock.get('parse', {}).get('p50_ms'))} / "
        f"{_f(stock.get('parse', {}).get('p95_ms'))}", _ratio(r, "parse_p95"))
    ft, sft = ours["full_turn"], stock.get("full_turn", {})
    row("full turn p50 / p95 (ms)", f"{_f(ft['p50_ms'])} / {_f(ft['p95_ms'])}",
        f"{_f(sft.get('p50_ms'))} / {_f(sft.get('p95_ms'))}", _ratio(r, "full_turn_p95"))
    out += ["", "Concurrent conversations (5 turns each; latency is per turn):", "",
            "| concurrent | bot | conversations | turns/s | p50 (ms) | p95 (ms) | errors |",
            "| ---: | --- | ---: | ---: | ---: | ---: | ---: |"]
    for name, bot in (("ours", ours), ("stock", stock)):
        for c in bot.get("concurrency", []):
            out.append(f"| {c['concurrency']} | {name} | {c['conversations']} | "
                       f"{_f(c['turns_per_s'])} | {_f(c['p50_ms'])} | {_f(c['p95_ms'])} | "
                       f"{c['errors']} |")
    if "soak" in rep:
        s = rep["soak"]
        start, end = s["rss_start_mib"], s["rss_end_mib"]
        out += ["", f"Soak: {s['concurrency']} concurrent conversations for "
                f"{s['seconds']:.0f} s: {s['conversations']:,} conversations, "
                f"{s['turns']:,} turns ({_f(s['turns_per_s'])}/s), p95 {_f(s['p95_ms'])} ms, "
                f"**{s['errors']} errors**. RSS sampled every 10 s: Rasa "
                f"{_f(start['rasa'])} → {_f(end['rasa'])} MiB, action server "
                f"{_f(start['actions'])} → {_f(end['actions'])} MiB."]
    d = rep.get("directory_search")
    if isinstance(d, dict):
        out += ["", "Directory search, 10,000 synthetic services (one bot turn's count + first "
                "page):", "", "| database | load (s) | matching services (mean) | p50 (ms) | "
                "p95 (ms) | max (ms) |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
        for db, v in d.items():
            if isinstance(v, dict):
                out.append(f"| {db} | {_f(v['load_s'])} | {v['matching_services_mean']} | "
                           f"{_f(v['p50_ms'])} | {_f(v['p95_ms'])} | {_f(v['max_ms'])} |")
    st = rep.get("statistics")
    if isinstance(st, dict):
        out += ["", f"Statistics, {st['events']:,} events on PostgreSQL (load {st['load_s']} s): "
                f"slowest report median {st['slowest_median_s']:.3f} s, worst of "
                f"{st['repeat']} {st['slowest_worst_s']:.3f} s.", "",
                "| report | median (s) | worst (s) |", "| --- | ---: | ---: |"]
        out += [f"| {x['report']} | {x['median_s']:.3f} | {x['worst_s']:.3f} |"
                for x in st["reports"]]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    print(render(json.loads(Path(args[0]).read_text(encoding="utf-8"))), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
