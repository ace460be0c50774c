"""Measure the NLU: ours vs Rasa's stock pipeline on the same data, plus 5-fold CV.

    .venv/bin/python -m bench.nlu_report [--folds 5] [--skip-cv]

Trains both NLU models from data/nlu, scores each on data/eval/dev_needs.csv with
exactly the code of `signpost evaluate`, runs `rasa test nlu --cross-validation` for
our config, and prints one JSON object (figures for docs/nlu.md and the README).
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot import evaluate
from signpost.config import ROOT

RASA = str(Path(sys.executable).parent / "rasa")
DEV = ROOT / "data" / "eval" / "dev_needs.csv"


def train_nlu(config: Path, out: Path, name: str) -> tuple[Path, float]:
    t0 = time.perf_counter()
    subprocess.run([RASA, "train", "nlu", "-c", str(config), "--nlu", str(ROOT / "data" / "nlu"),
                    "--out", str(out), "--fixed-model-name", name, "--num-threads", "2"],
                   cwd=ROOT, check=True, capture_output=True)
    return out / f"{name}.tar.gz", time.perf_counter() - t0


def dev_scores(model: Path) -> dict:
    rows = evaluate.read_rows(DEV)
    pred, times = evaluate.predict(model, [r.text for r in rows])
    result = evaluate.score([r.need for r in rows], pred, times)
    result.pop("per_need")
    return result


def cross_validation(folds: int, out: Path) -> dict:
    subprocess.run([RASA, "test", "nlu", "-c", str(ROOT / "config.yml"), "--nlu",
                    str(ROOT / "data" / "nlu"), "--cross-validation", "--folds", str(folds),
                    "--out", str(out)], cwd=ROOT, check=True, capture_output=True)
    report = json.loads((out / "DIETClassifier_report.json").read_text()) \
        if (out / "DIETClassifier_report.json").exists() else \
        json.loads((out / "intent_report.json").read_text())
    return {"folds": folds, "accuracy": round(report["accuracy"], 4),
            "macro_f1": round(report["macro avg"]["f1-score"], 4),
            "weighted_f1": round(report["weighted avg"]["f1-score"], 4)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--skip-cv", action="store_true")
    args = parser.parse_args()
    n_train = sum(len(re.findall(r"^\s+- ", p.read_text(), re.M))
                  for p in (ROOT / "data" / "nlu").glob("*.yml"))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        ours, ours_s = train_nlu(ROOT / "config.yml", tmp, "ours")
        stock, stock_s = train_nlu(ROOT / "bench" / "stock_config.yml", tmp, "stock")
        result = {
            "training_examples": n_train,
            "ours": {"train_seconds": round(ours_s, 1), "dev": dev_scores(ours)},
            "stock": {"train_seconds": round(stock_s, 1), "dev": dev_scores(stock)},
        }
        if not args.skip_cv:
            result["ours"]["cross_validation"] = cross_validation(args.folds, tmp / "cv")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
