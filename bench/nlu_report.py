"""Measure need recognition: ours, each of its two classifiers alone, and Rasa's stock
pipeline, trained on the same data and scored on the same sets with `signpost evaluate`'s code.

    .venv/bin/python -m bench.nlu_report --sets data/eval/dev_needs.csv data/eval/dev_needs_b.csv
        [--stock-model PATH] [--cv] [--folds 5]

Variants (each a real model trained from a config; Rasa's training cache means the shared
components are trained once):
- `ours`: config.yml as shipped (DIET + linear model, clarifying question, crisis net);
- `diet_only` / `linear_only`: config.yml with the combination weight at 0 or 1 and no
  clarifying question or second need;
- `stock`: bench/stock_config.yml, Rasa's default pipeline (no crisis net, no spelling).
`--cv` adds `rasa test nlu --cross-validation` for our config (about 5 trainings).
Prints one JSON object: the figures in docs/nlu.md.
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

import yaml

from bot import evaluate
from signpost.config import ROOT

RASA = str(Path(sys.executable).parent / "rasa")
LINEAR = "bot.rasa_components.LinearNeedClassifier"
VARIANTS = ("ours", "diet_only", "linear_only", "stock")


def variant_config(weight: float, out: Path) -> Path:
    """config.yml with the linear model's weight set and the need reading switched off."""
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    for step in config["pipeline"]:
        if step["name"] == LINEAR:
            step.update(weight=weight, clarify_margin=0.0, second_need=1.01)
    out.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return out


def train_nlu(config: Path, out: Path, name: str) -> tuple[Path, float]:
    t0 = time.perf_counter()
    subprocess.run([RASA, "train", "nlu", "-c", str(config), "--nlu", str(ROOT / "data" / "nlu"),
                    "--out", str(out), "--fixed-model-name", name, "--num-threads", "2"],
                   cwd=ROOT, check=True, capture_output=True)
    return out / f"{name}.tar.gz", time.perf_counter() - t0


def scores(model: Path, path: Path) -> dict:
    rows = evaluate.read_rows(path)
    readings, times = evaluate.predict(model, [r.text for r in rows])
    result = evaluate.score([r.need for r in rows], [x.need for x in readings], times)
    per_need = result.pop("per_need")
    present = {n: m["f1"] for n, m in per_need.items() if m["support"]}
    weakest = min(present, key=present.get)
    result.update(evaluate.reading_figures(rows, readings))
    result["weakest_need"] = {"need": weakest, "f1": present[weakest]}
    result["f1"] = present
    return result


def cross_validation(folds: int, out: Path) -> dict:
    t0 = time.perf_counter()
    subprocess.run([RASA, "test", "nlu", "-c", str(ROOT / "config.yml"), "--nlu",
                    str(ROOT / "data" / "nlu"), "--cross-validation", "--folds", str(folds),
                    "--out", str(out)], cwd=ROOT, check=True, capture_output=True)
    report = json.loads((out / "intent_report.json").read_text())
    return {"folds": folds, "accuracy": round(report["accuracy"], 4),
            "macro_f1": round(report["macro avg"]["f1-score"], 4),
            "weighted_f1": round(report["weighted avg"]["f1-score"], 4),
            "seconds": round(time.perf_counter() - t0)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sets", nargs="+", type=Path,
                        default=[ROOT / "data" / "eval" / "dev_needs.csv"])
    parser.add_argument("--stock-model", type=Path, help="an already trained stock model")
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS),
                        choices=list(VARIANTS))
    parser.add_argument("--cv", action="store_true")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    n_train = sum(len(re.findall(r"^\s+- (?!intent)", p.read_text(), re.M))
                  for p in (ROOT / "data" / "nlu").glob("*.yml"))
    result: dict = {"training_examples": n_train, "variants": {}}
    with tempfile.TemporaryDirectory() as tmp:
        tmp_dir = Path(tmp)
        models = {}
        for name, config in (("ours", ROOT / "config.yml"),
                             ("diet_only", variant_config(0.0, tmp_dir / "diet.yml")),
                             ("linear_only", variant_config(1.0, tmp_dir / "linear.yml"))):
            if name in args.variants:
                models[name], seconds = train_nlu(config, tmp_dir, name)
                result["variants"][name] = {"train_seconds_with_cache": round(seconds, 1)}
        if "stock" in args.variants and args.stock_model:
            models["stock"] = args.stock_model
            result["variants"]["stock"] = {}
        elif "stock" in args.variants:
            models["stock"], seconds = train_nlu(ROOT / "bench" / "stock_config.yml", tmp_dir,
                                                 "stock")
            result["variants"]["stock"] = {"train_seconds": round(seconds, 1)}
        for name, model in models.items():
            for path in args.sets:
                result["variants"][name][path.name] = scores(model, path)
        if args.cv:
            result["variants"]["ours"]["cross_validation"] = cross_validation(args.folds,
                                                                              tmp_dir / "cv")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
