"""`signpost evaluate --data FILE.csv [--json]`: score first-turn need recognition.

Every text goes through exactly what the bot does on a first message: the
trained Rasa NLU model, whose last component is the deterministic crisis layer
(bot.rasa_components.CrisisGuard). Intents that are not need ids (greetings,
low-confidence fallback...) count as `out_of_scope`: no need was recognised.
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

from signpost.cli import CommandError
from signpost.config import ROOT
from signpost.needs import NEED_IDS

MODELS_DIR = ROOT / "models"


@dataclass(frozen=True)
class Row:
    line: int
    text: str
    need: str


def read_rows(path: Path) -> list[Row]:
    """Read and validate the CSV; any problem names the row and the reason."""
    if not path.exists():
        raise CommandError(f"{path}: no such file")
    try:
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            header = [c.strip() for c in reader.fieldnames or []]
            if header != ["text", "need"]:
                raise CommandError(
                    f"{path}: header must be exactly 'text,need', got {reader.fieldnames}")
            rows = []
            for row in reader:
                line = reader.line_num
                if None in row or len(row) != 2:
                    raise CommandError(f"{path}: row {line}: expected 2 columns (text,need)")
                text, need = (row["text"] or "").strip(), (row["need"] or "").strip()
                if not text:
                    raise CommandError(f"{path}: row {line}: empty text")
                if need not in NEED_IDS:
                    raise CommandError(f"{path}: row {line}: unknown need {need!r}")
                rows.append(Row(line, text, need))
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


def to_need(intent: str | None) -> str:
    return intent if intent in NEED_IDS else "out_of_scope"


def predict(model: Path, texts: list[str]) -> tuple[list[str], list[float]]:
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # Rasa logs every parse at debug level otherwise
    agent = Agent.load(str(model))

    async def run() -> tuple[list[str], list[float]]:
        preds, times = [], []
        await agent.parse_message("hello")  # warm-up: first call builds the graph
        for text in texts:
            t0 = time.perf_counter()
            parsed = await agent.parse_message(text)
            times.append((time.perf_counter() - t0) * 1000)
            preds.append(to_need((parsed.get("intent") or {}).get("name")))
        return preds, times

    return asyncio.run(run())


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


def main(args: argparse.Namespace) -> int:
    rows = read_rows(Path(args.data))
    model = Path(args.model) if args.model else latest_model()
    pred, times = predict(model, [r.text for r in rows])
    result = score([r.need for r in rows], pred, times)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"model: {model.name}   rows: {result['n']}")
    for key in ("accuracy", "macro_f1", "crisis_recall", "false_crisis_rate", "p50_ms", "p95_ms"):
        print(f"{key:>18}: {result[key]}")
    print(f"\n{'need':<22}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}")
    for need, m in result["per_need"].items():
        print(f"{need:<22}{m['precision']:>10}{m['recall']:>10}{m['f1']:>10}{m['support']:>9}")
    errors = [(r, p) for r, p in zip(rows, pred, strict=True) if r.need != p]
    if errors:
        print("\nmisclassified:")
        for r, p in errors:
            print(f"  row {r.line}: {r.need} -> {p}: {r.text[:90]}")
    return 0
