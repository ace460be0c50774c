"""Free text -> need, for the practitioner search ("lonely widower" -> loneliness).

A scikit-learn classifier: TF-IDF over character n-grams within words (2-5 characters, which
forgives typos such as "wieght" or "anxeity") and over words, then logistic regression. It is
trained on the bot's NLU examples (data/nlu/*.yml) of the intents that are need ids in
signpost/needs.yml, plus each need's label and description. It is built on first use, once per
process (about a second), and never written to disk.

When it is unsure (the best need is not clearly ahead, or the text looks like something the
directory does not cover) it gives no need, only the likeliest few to choose from: the page
then asks rather than guesses. Measured on practitioner-style queries in
tests/directory/need_queries.yml (tests/directory/test_need_finder.py).
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

import yaml

from signpost.config import ROOT
from signpost.needs import needs

NLU_DIR = ROOT / "data" / "nlu"
NOT_COVERED = "out_of_scope"  # a need id with no services: a reason to ask, never an answer
MAX_TEXT = 200
# Sure only when the best need has at least MIN_PROBABILITY and leads the next by MIN_MARGIN
# (chosen on tests/directory/need_queries_dev.yml, not on the measured set).
MIN_PROBABILITY = 0.30
MIN_MARGIN = 0.10
CHOICES = 3
# Words practitioners add that say nothing about the need; dropped before classifying.
FILLER = frozenset(
    "patient pt client service user referral refer referring wants want needs need needing "
    "looking for support help advice info information please would like".split()
)

_lock = threading.Lock()
_model = None


@dataclass(frozen=True)
class NeedGuess:
    """The need found in a text, or, when unsure, none and the likeliest ones to ask about."""

    need: str | None  # None: unsure, ask with `choices`
    choices: tuple[str, ...]  # need ids, likeliest first (never NOT_COVERED)
    confidence: float  # the classifier's probability for its best class

    @property
    def sure(self) -> bool:
        return self.need is not None


def clean_text(text: str) -> str:
    """Casefold, keep letters, digits and apostrophes, and drop practitioner filler words."""
    words = re.findall(r"[a-z0-9']+", text.casefold())
    kept = [w for w in words if w not in FILLER]
    return " ".join(kept or words)


def training_rows(nlu_dir: Path = NLU_DIR) -> list[tuple[str, str]]:
    """(text, need id) from the NLU examples of need intents, and each need's own words."""
    known = needs()
    rows: list[tuple[str, str]] = []
    for path in sorted(nlu_dir.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            intent = block.get("intent")
            if intent not in known:  # greet, inform, affirm...: not needs
                continue
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    rows.append((line[2:].strip(), intent))
    rows += [(text, n.id) for n in known.values() for text in (n.label, n.description)]
    return rows


def train(rows: list[tuple[str, str]]):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion([
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
        ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
    ])
    model = Pipeline([("features", features),
                      ("clf", LogisticRegression(C=10.0, solver="liblinear"))])
    model.fit([clean_text(t) for t, _ in rows], [label for _, label in rows])
    return model


def _get_model():
    global _model
    if _model is None:
        with _lock:  # two first requests at once must not both train
            if _model is None:
                _model = train(training_rows())
    return _model


def find_need(text: str) -> NeedGuess:
    """The need `text` describes, or none and the likeliest to choose from.
    ValueError for empty text or text over MAX_TEXT characters."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("text must say what the person needs help with")
    if len(text) > MAX_TEXT:
        raise ValueError(f"text must be {MAX_TEXT} characters or fewer, not {len(text)}")
    model = _get_model()
    cleaned = clean_text(text)
    probabilities = model.predict_proba([cleaned])[0]
    ranked = sorted(zip(model.classes_, probabilities, strict=True), key=lambda cp: -cp[1])
    best, p_best = ranked[0]
    p_next = ranked[1][1] if len(ranked) > 1 else 0.0
    choices = tuple(str(c) for c, _ in ranked if c != NOT_COVERED)[:CHOICES]
    # No letters at all (e.g. "123") carries no need, whatever the classifier says.
    sure = (best != NOT_COVERED and p_best >= MIN_PROBABILITY
            and p_best - p_next >= MIN_MARGIN and re.search(r"[a-z]", cleaned) is not None)
    return NeedGuess(need=str(best) if sure else None, choices=choices,
                     confidence=float(p_best))
