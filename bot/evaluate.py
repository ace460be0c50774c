"""`signpost evaluate --data FILE.csv [--json]`: score first-turn need recognition.

Every text goes through exactly what the bot does on a first message: the
trained Rasa NLU model, whose last component is the crisis net
(bot.rasa_components.CrisisGuard). Intents that are not need ids (greetings,
low-confidence fallback...) count as `out_of_scope`: no need was recognised.

Three file formats: `text,need` (need recognition); `text,main,second` (messages with two
needs: the main need is scored as `need`, and the report says how often the second was
offered with a button, and how often a single-need message was offered one wrongly); and the
crisis net's
`text,label,subject,category,need` (data/eval/crisis_final_*.csv, data/risk/*.csv), where
a row whose label is not `none` counts as need `crisis`. Beside the need figures the report
gives what the crisis net's tier means for the reply: the share of crisis rows whose reply
shows the crisis lines, the share of other rows whose reply opens with them, and the share
of other rows that get the direct question; per category where the file has categories.

A clarifying question ("Is it mainly about A, or B?", bot/need_reading.py) is scored by its
first option, A: the need the bot thinks likelier. The report gives how often it asked
(`clarify_rate`) and how often the right need was one of its two buttons.
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import json
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bot.need_reading import CLARIFY
from signpost.cli import CommandError
from signpost.config import ROOT
from signpost.needs import NEED_IDS

MODELS_DIR = ROOT / "models"


RISK_HEADER = ["text", "label", "subject", "category", "need"]
MIXED_HEADER = ["text", "main", "second"]
RISK_LABELS = ("emergency", "risk", "other_risk", "safeguarding", "none")
ORDINARY_CATEGORIES = ("ordinary_need", "chitchat")


@dataclass(frozen=True)
class Row:
    line: int
    text: str
    need: str
    category: str = ""
    second: str = ""


def read_rows(path: Path) -> list[Row]:
    """Read and validate the CSV; any problem names the row and the reason."""
    if not path.exists():
        raise CommandError(f"{path}: no such file")
    try:
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            header = [c.strip() for c in reader.fieldnames or []]
            if header not in (["text", "need"], RISK_HEADER, MIXED_HEADER):
                raise CommandError(
                    f"{path}: header must be exactly 'text,need' (or "
                    f"'{','.join(MIXED_HEADER)}' or '{','.join(RISK_HEADER)}'), "
                    f"got {reader.fieldnames}")
            rows = []
            for row in reader:
                line = reader.line_num
                if None in row or len(row) != len(header):
                    raise CommandError(f"{path}: row {line}: expected {len(header)} columns "
                                       f"({','.join(header)})")
                text = (row["text"] or "").strip()
                need = (row.get("need") or row.get("main") or "").strip()
                second = (row.get("second") or "").strip()
                if not text:
                    raise CommandError(f"{path}: row {line}: empty text")
                if header == MIXED_HEADER and (second not in NEED_IDS or second == need):
                    raise CommandError(f"{path}: row {line}: second need must be another "
                                       f"need id, got {second!r}")
                category = ""
                if header == RISK_HEADER:
                    label, category = row["label"].strip(), row["category"].strip()
                    if label not in RISK_LABELS:
                        raise CommandError(f"{path}: row {line}: unknown label {label!r}")
                    need = "crisis" if label != "none" else (need or "out_of_scope")
                if need not in NEED_IDS:
                    raise CommandError(f"{path}: row {line}: unknown need {need!r}")
                rows.append(Row(line, text, need, category, second))
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except csv.Error as exc:
        raise CommandError(f"{path}: malformed CSV: {exc}") from exc
    if not rows:
        raise CommandError(f"{path}: no rows")
    return rows


def latest_model() -> Path:
    models = sorted(MODELS_DIR.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        print("No trained model in models/: training one first (make model)", file=sys.stderr)
        subprocess.run(["make", "-C", str(ROOT), "model"], check=True)
        models = sorted(MODELS_DIR.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1]


def to_need(intent: str | None, choices: list[str] | None = None) -> str:
    if intent == CLARIFY and choices:
        intent = choices[0]
    return intent if intent in NEED_IDS else "out_of_scope"


@dataclass(frozen=True)
class Reading:
    """What the bot made of one message."""
    need: str
    tier: str
    choices: tuple[str, ...] = ()  # the clarifying question's two options, if it asked
    also: str = ""  # the second need offered with a button


def predict(model: Path, texts: list[str]) -> tuple[list[Reading], list[float]]:
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # Rasa logs every parse at debug level otherwise
    agent = Agent.load(str(model))

    async def run() -> tuple[list[Reading], list[float]]:
        readings, times = [], []
        await agent.parse_message("hello")  # warm-up: first call builds the graph
        for text in texts:
            t0 = time.perf_counter()
            parsed = await agent.parse_message(text)
            times.append((time.perf_counter() - t0) * 1000)
            intent = (parsed.get("intent") or {}).get("name")
            choices = list(parsed.get("need_choices") or []) if intent == CLARIFY else []
            readings.append(Reading(to_need(intent, choices),
                                    (parsed.get("risk") or {}).get("tier") or "none",
                                    tuple(choices), parsed.get("also_need") or ""))
        return readings, times

    return asyncio.run(run())


def _rate(hits: int, n: int) -> float | None:
    return round(hits / n, 4) if n else None


def risk_figures(rows: list[Row], tiers: list[str]) -> dict:
    """What the crisis net's tiers mean for the replies, overall and per category."""
    from bot.risk import CRISIS_FIRST, SHOWS_LINES, UNCLEAR

    crisis = [t for r, t in zip(rows, tiers, strict=True) if r.need == "crisis"]
    other = [(r, t) for r, t in zip(rows, tiers, strict=True) if r.need != "crisis"]
    near = [t for r, t in other if r.category and r.category not in ORDINARY_CATEGORIES]
    ordinary = [t for r, t in other if not r.category or r.category in ORDINARY_CATEGORIES]
    out = {
        "crisis_lines_shown": _rate(sum(t in SHOWS_LINES for t in crisis), len(crisis)),
        "crisis_first_rate": _rate(sum(t in CRISIS_FIRST for _, t in other), len(other)),
        "risk_question_rate": _rate(sum(t == UNCLEAR for _, t in other), len(other)),
        "tiers": {t: tiers.count(t) for t in sorted(set(tiers))},
    }
    if any(r.category for r in rows):
        out["near_miss"] = {"n": len(near),
                            "crisis_first_rate": _rate(sum(t in CRISIS_FIRST for t in near),
                                                       len(near)),
                            "risk_question_rate": _rate(near.count(UNCLEAR), len(near))}
        out["ordinary"] = {"n": len(ordinary),
                           "crisis_first_rate": _rate(
                               sum(t in CRISIS_FIRST for t in ordinary), len(ordinary)),
                           "risk_question_rate": _rate(ordinary.count(UNCLEAR), len(ordinary))}
        per: dict[str, dict] = {}
        for r, t in zip(rows, tiers, strict=True):
            c = per.setdefault(r.category or "-", {"n": 0, "lines_shown": 0, "crisis_first": 0,
                                                    "question": 0})
            c["n"] += 1
            c["lines_shown"] += t in SHOWS_LINES
            c["crisis_first"] += t in CRISIS_FIRST
            c["question"] += t == UNCLEAR
        out["per_category"] = per
    out["misses"] = [{"row": r.line, "category": r.category, "tier": t, "text": r.text}
                     for r, t in zip(rows, tiers, strict=True)
                     if (r.need == "crisis" and t not in SHOWS_LINES)
                     or (r.need != "crisis" and t in CRISIS_FIRST)]
    return out


def score(gold: list[str], pred: list[str], times: list[float]) -> dict:
    per_need = {}
    for need in NEED_IDS:
        tp = sum(g == need and p == need for g, p in zip(gold, pred, strict=True))
        fp = sum(g != need and p == need for g, p in zip(gold, pred, strict=True))
        fn = sum(g == need and p != need for g, p in zip(gold, pred, strict=True))
        support = tp + fn
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_need[need] = {"precision": round(precision, 4), "recall": round(recall, 4),
                          "f1": round(f1, 4), "support": support}
    present = [n for n in NEED_IDS if per_need[n]["support"]]
    crisis_rows = [p for g, p in zip(gold, pred, strict=True) if g == "crisis"]
    other_rows = [p for g, p in zip(gold, pred, strict=True) if g != "crisis"]
    ordered = sorted(times)
    return {
        "n": len(gold),
        "accuracy": round(sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold), 4),
        "macro_f1": round(statistics.fmean(per_need[n]["f1"] for n in present), 4),
        "crisis_recall": round(crisis_rows.count("crisis") / len(crisis_rows), 4)
        if crisis_rows else None,
        "false_crisis_rate": round(other_rows.count("crisis") / len(other_rows), 4)
        if other_rows else None,
        "per_need": per_need,
        "p50_ms": round(ordered[len(ordered) // 2], 2),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 2),
    }


def reading_figures(rows: list[Row], readings: list[Reading]) -> dict:
    """How often the bot asked which of two needs, and offered a second need."""
    asked = [(r, x) for r, x in zip(rows, readings, strict=True) if x.choices]
    mixed = [(r, x) for r, x in zip(rows, readings, strict=True) if r.second]
    single = [x for r, x in zip(rows, readings, strict=True) if not r.second]
    out: dict = {
        "clarify_rate": _rate(len(asked), len(rows)),
        "clarify_right_in_two": _rate(sum(r.need in x.choices for r, x in asked), len(asked)),
        "second_need_offered_wrongly": _rate(sum(bool(x.also) for x in single), len(single)),
    }
    if mixed:
        out["second_need_recall"] = _rate(sum(x.also == r.second for r, x in mixed), len(mixed))
        out["second_need_any_offer"] = _rate(sum(bool(x.also) for _, x in mixed), len(mixed))
    return out


def main(args: argparse.Namespace) -> int:
    rows = read_rows(Path(args.data))
    model = Path(args.model) if args.model else latest_model()
    readings, times = predict(model, [r.text for r in rows])
    pred, tiers = [x.need for x in readings], [x.tier for x in readings]
    result = score([r.need for r in rows], pred, times)
    result.update(risk_figures(rows, tiers))
    result.update(reading_figures(rows, readings))
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"model: {model.name}   rows: {result['n']}")
    for key in ("accuracy", "macro_f1", "crisis_recall", "false_crisis_rate",
                "crisis_lines_shown", "crisis_first_rate", "risk_question_rate",
                "clarify_rate", "clarify_right_in_two", "second_need_offered_wrongly",
                "second_need_recall", "second_need_any_offer", "p50_ms", "p95_ms"):
        if key in result:
            print(f"{key:>28}: {result[key]}")
    print(f"\n{'need':<22}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}")
    for need, m in result["per_need"].items():
        print(f"{need:<22}{m['precision']:>10}{m['recall']:>10}{m['f1']:>10}{m['support']:>9}")
    for part in ("near_miss", "ordinary"):
        if part in result:
            print(f"{part:>18}: {result[part]}")
    for miss in result["misses"]:
        print(f"  crisis net, row {miss['row']} ({miss['category'] or '-'}) -> {miss['tier']}: "
              f"{miss['text'][:90]}")
    errors = [(r, p) for r, p in zip(rows, pred, strict=True) if r.need != p]
    if errors:
        print("\nmisclassified:")
        for r, p in errors:
            print(f"  row {r.line}: {r.need} -> {p}: {r.text[:90]}")
    return 0
