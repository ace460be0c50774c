"""`signpost nlp ...` and `signpost evaluate`."""
from __future__ import annotations

import argparse
from pathlib import Path


def _build_spacy(args: argparse.Namespace) -> int:
    from bot import spacy_pipeline

    path = spacy_pipeline.build(Path(args.out))
    print(f"spaCy pipeline written to {path}")
    return 0


def _build_risk(args: argparse.Namespace) -> int:
    from bot import risk_model

    path = risk_model.build(Path(args.out))
    print(f"risk classifier written to {path}")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from bot import evaluate

    return evaluate.main(args)


def register(sub: argparse._SubParsersAction) -> None:
    nlp = sub.add_parser("nlp", help="language pipeline tools").add_subparsers(dest="nlp_command")
    nlp.required = True
    build = nlp.add_parser("build-spacy", help="build the blank spaCy pipeline with the gazetteer")
    build.add_argument("--out", default="var/spacy/en_signpost")
    build.set_defaults(func=_build_spacy)
    risk = nlp.add_parser("build-risk", help="train the crisis net's classifier (data/risk)")
    risk.add_argument("--out", default="var/risk/risk_model.pkl")
    risk.set_defaults(func=_build_risk)

    ev = sub.add_parser("evaluate", help="score the first-turn need recognition on a CSV")
    ev.add_argument("--data", required=True, help="CSV with columns text,need")
    ev.add_argument("--model", help="model archive (default: latest in models/)")
    ev.add_argument("--json", action="store_true", help="print one JSON object")
    ev.set_defaults(func=_evaluate)
