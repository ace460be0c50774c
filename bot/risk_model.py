"""The statistical half of the crisis net: a scikit-learn classifier on word and character
n-grams, trained on data/risk/*.csv (written by independent authors in many voices) and the
NLU examples, with classes emergency, risk, other_risk, safeguarding and none.

It is built by `make model` (`signpost nlp build-risk`) into var/risk/; if that file is
missing or older than its data, the first call trains it in-process (a few seconds), so a
process can never run without it.
"""
from __future__ import annotations

import csv
import hashlib
import logging
import math
import pickle
import threading
from pathlib import Path

import yaml

from signpost.config import ROOT

log = logging.getLogger(__name__)
DATA_DIR = ROOT / "data" / "risk"
NLU_DIR = ROOT / "data" / "nlu"
MODEL_PATH = ROOT / "var" / "risk" / "risk_model.pkl"
CLASSES = ("emergency", "risk", "other_risk", "safeguarding", "none")
_lock = threading.Lock()
_model = None


def training_files() -> list[Path]:
    here = Path(__file__).resolve().parent
    return sorted(DATA_DIR.glob("*.csv")) + sorted(NLU_DIR.glob("*.yml")) + [
        here / "risk_lexicon.yml", here / "risk.py", here / "risk_model.py"]


def data_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in training_files():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _nlu_examples() -> list[tuple[str, str]]:
    """NLU examples: crisis ones as `risk`, every other intent's as `none`."""
    rows = []
    for path in sorted(NLU_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu", []):
            if "intent" not in block:
                continue
            label = "risk" if block["intent"] == "crisis" else "none"
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    rows.append((line[2:].strip(), label))
    return rows


def read_risk_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if (r.get("text") or "").strip()]


def training_rows(exclude: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    rows = []
    for path in sorted(DATA_DIR.glob("*.csv")):
        if path.name in exclude:
            continue
        rows += [(r["text"], r["label"]) for r in read_risk_csv(path) if r["label"] in CLASSES]
    return rows + _nlu_examples()


def train(rows: list[tuple[str, str]]):
    """Fit the pipeline on (text, label) rows; texts are normalised as at prediction time."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    from bot.risk import model_text

    features = FeatureUnion([
        ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True)),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2,
                                  sublinear_tf=True)),
    ])
    model = Pipeline([
        ("features", features),
        ("clf", LogisticRegression(C=2.0, max_iter=3000)),
    ])
    model.fit([model_text(t) for t, _ in rows], [label for _, label in rows])
    return model


class FastScorer:
    """The fitted pipeline's exact arithmetic (sublinear tf-idf, l2 norm per block, softmax
    over the linear scores) on plain dicts: about 20 times faster per message than calling
    the scikit-learn pipeline, whose per-call overhead dominates for one short text."""

    def __init__(self, pipeline) -> None:
        clf = pipeline.named_steps["clf"]
        self.classes_ = [str(c) for c in clf.classes_]
        self.intercept = [float(v) for v in clf.intercept_]
        self.blocks = []
        offset = 0
        for _, vec in pipeline.named_steps["features"].transformer_list:
            vocab = vec.vocabulary_
            weights = {term: (float(vec.idf_[i]), [float(c) for c in clf.coef_[:, offset + i]])
                       for term, i in vocab.items()}
            self.blocks.append((vec.build_analyzer(), weights))
            offset += len(vocab)

    def predict_proba(self, texts: list[str]) -> list[list[float]]:
        return [self._one(t) for t in texts]

    def _one(self, text: str) -> list[float]:
        scores = list(self.intercept)
        for analyzer, weights in self.blocks:
            counts: dict[str, int] = {}
            for term in analyzer(text):
                if term in weights:
                    counts[term] = counts.get(term, 0) + 1
            values = {t: (1.0 + math.log(n)) * weights[t][0] for t, n in counts.items()}
            norm = math.sqrt(sum(v * v for v in values.values())) or 1.0
            for term, v in values.items():
                for k, c in enumerate(weights[term][1]):
                    scores[k] += c * v / norm
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return [e / total for e in exps]


def build(path: Path = MODEL_PATH) -> Path:
    model = FastScorer(train(training_rows()))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as f:
        pickle.dump({"fingerprint": data_fingerprint(), "model": model}, f)
    tmp.replace(path)  # atomic: another process never reads half a file
    return path


def _load():
    global _model
    if _model is not None:
        return _model
    with _lock:
        if _model is None:
            fingerprint = data_fingerprint()
            saved = None
            if MODEL_PATH.exists():
                with MODEL_PATH.open("rb") as f:
                    saved = pickle.load(f)  # our own file, written by build()
            if not saved or saved.get("fingerprint") != fingerprint:
                log.info("risk model missing or out of date: training it now")
                build()
                with MODEL_PATH.open("rb") as f:
                    saved = pickle.load(f)
            _model = saved["model"]
    return _model


def set_model(model) -> None:
    """Use this fitted model (evaluation and tests train their own)."""
    global _model
    _model = model if isinstance(model, FastScorer) else FastScorer(model)


def predict_proba(normalised_text: str) -> dict[str, float]:
    model = _load()
    probs = model.predict_proba([normalised_text])[0]
    return {c: float(p) for c, p in zip(model.classes_, probs, strict=True)}
