"""Our Rasa NLU components, in pipeline order (config.yml):

- `SpellingNormaliser`, after the tokenizer: misspelt tokens become the domain word they were
  meant to be (bot/spelling.py), so both count-vector featurizers see "diabetes", not
  "diabetis";
- `LinearNeedClassifier`, after DIET: a linear model on word and character n-grams, combined
  with DIET's distribution, and the need reading of bot/need_reading.py: a clarifying
  question when the top two needs are too close, and a second need in its own clause;
- `CrisisGuard`, last: the crisis net (bot/risk.py) on every typed message.

CrisisGuard is placed last in the pipeline, so nothing after it can undo it. It:
- adds `risk` (tier, subject, concepts, the classifier's probability) to the parse data,
  which the actions read from `tracker.latest_message`;
- sets the intent to `crisis` for the tiers that open with the crisis or safeguarding
  response (emergency, crisis, other_at_risk, safeguarding), and to `risk_check` for the
  unclear tier (one direct question), keeping the need the model saw in `risk.need`;
- otherwise leaves the model's intent, except that a `crisis` guess the net does not share
  is replaced by the runner-up (or the fallback, if the runner-up is unclear): the net, not
  the classifiers, decides what is a crisis. The need kept under a crisis response is the
  runner-up only if it is clear enough ("...and I want to lose weight").

Button payloads ("/intent" and nothing else) are not free text and are not assessed;
anything else that starts with "/" is typed text and is.
"""
from __future__ import annotations

import json
import pickle
import re
from collections import Counter
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import need_reading, risk
from bot.spelling import Corrector, place_words

CRISIS, RISK_CHECK, FALLBACK = "crisis", "risk_check", "nlu_fallback"
RISK_KEY = "risk"
NEED_CHOICES = "need_choices"  # [a, b]: the two needs a clarifying question offers
ALSO_NEED = "also_need"  # a second need, stated in its own clause
_PAYLOAD = re.compile(r"^/[A-Za-z_]+(\{[^\n]*\})?$")


def is_payload(text: str) -> bool:
    return bool(_PAYLOAD.match(text.strip()))


# Intents of a turn that follows up what was said before, not a new story.
FOLLOW_UP_INTENTS = frozenset({"service_question", "inform", "thank", "talk_to_person"})


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CrisisGuard(GraphComponent):
    def __init__(self, config: dict[str, Any] | None = None) -> None:
        self.config = {**self.get_default_config(), **(config or {})}

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # The FallbackClassifier's threshold: the runner-up that replaces a crisis guess the
        # net does not share, and the need kept under a crisis response, must reach it too.
        # A follow-up turn the intent model is this sure of ("when are they open?", "Witham",
        # "ok thanks") is not asked the risk question on the classifier's word alone: only
        # a risk concept the rules find asks it there (docs/hazard-log.md, H-17).
        return {"threshold": 0.3, "follow_up_confidence": 0.8}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CrisisGuard:
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if is_payload(text):
                continue
            self._guard(message, risk.assess(text))
        return messages

    def _guard(self, message: Message, assessment: risk.Assessment) -> None:
        everything = message.get(INTENT_RANKING_KEY) or []
        rest = [r for r in everything if r.get("name") not in (CRISIS, RISK_CHECK)]
        # The runner-up's share of what is left once crisis is set aside.
        mass = sum(r.get("confidence") or 0.0 for r in rest) or 1.0
        ranking = [{**r, "confidence": (r.get("confidence") or 0.0) / mass} for r in rest]
        runner_up = ranking[0] if ranking and ranking[0]["confidence"] >= \
            self.config["threshold"] else None
        intent = message.get(INTENT) or {}
        need = intent.get("name") if intent.get("name") not in (CRISIS, RISK_CHECK, None) \
            else (runner_up or {}).get("name")
        if need == need_reading.CLARIFY:  # the net keeps the likelier of the two needs
            need = (message.get(NEED_CHOICES) or [None])[0]
        message.set(RISK_KEY, {**assessment.as_dict(), "need": need}, add_to_output=True)
        if assessment.tier == risk.UNCLEAR and not assessment.concepts \
                and not assessment.mentioned and intent.get("name") in FOLLOW_UP_INTENTS \
                and (intent.get("confidence") or 0.0) >= self.config["follow_up_confidence"]:
            message.set(RISK_KEY, {**assessment.as_dict(), "need": need,
                                   "not_asked": "follow_up"}, add_to_output=True)
            return
        if assessment.crisis_first or assessment.tier == risk.UNCLEAR:
            top = {"name": CRISIS if assessment.crisis_first else RISK_CHECK, "confidence": 1.0}
            message.set(INTENT, top, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [top] + ranking, add_to_output=True)
        elif intent.get("name") == CRISIS:
            # A crisis guess the net does not share: the runner-up if it is clear enough,
            # else the fallback, as the FallbackClassifier would have decided.
            top = runner_up or {"name": FALLBACK, "confidence": self.config["threshold"]}
            message.set(INTENT, top, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ([] if runner_up else [top]) + ranking,
                        add_to_output=True)


def _tokens(message: Message) -> list[Any]:
    return message.get(TOKENS_NAMES[TEXT]) or []


def _lemmas(tokens: list[Any]) -> str:
    return " ".join((t.lemma or t.text).lower() for t in tokens)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class SpellingNormaliser(GraphComponent):
    """After the tokenizer: misspelt tokens become the word they were meant to be."""

    FILE = "spelling.json"

    def __init__(self, storage: ModelStorage, resource: Resource,
                 corrector: Corrector | None = None, lemmas: dict[str, str] | None = None
                 ) -> None:
        self._storage, self._resource = storage, resource
        self.corrector, self.lemmas = corrector, lemmas or {}

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> SpellingNormaliser:
        return cls(model_storage, resource)

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> SpellingNormaliser:
        with model_storage.read_from(resource) as path:
            text = (path / cls.FILE).read_text(encoding="utf-8")
        return cls(model_storage, resource, Corrector.from_json(text), json.loads(text)["lemmas"])

    def train(self, training_data: TrainingData) -> Resource:
        tokens = [_tokens(m) for m in training_data.training_examples]
        corrector = Corrector.from_texts(([t.text for t in ts] for ts in tokens), place_words())
        votes: dict[str, Counter[str]] = {}
        for ts in tokens:
            for t in ts:
                votes.setdefault(t.text.lower(), Counter())[t.lemma or t.text] += 1
        # The lemma a corrected word gets ("drinkin" -> "drinking" -> "drink").
        lemmas = {w: c.most_common(1)[0][0] for w, c in votes.items() if w in corrector.domain}
        with self._storage.write_to(self._resource) as path:
            (path / self.FILE).write_text(corrector.to_json(lemmas=lemmas), encoding="utf-8")
        return self._resource

    def _fix(self, message: Message) -> None:
        assert self.corrector is not None
        for token in _tokens(message):
            fixed = self.corrector.correct(token.text)
            if fixed != token.text.lower():
                token.text = fixed
                token.lemma = self.lemmas.get(fixed, fixed)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        if self.corrector is not None:
            for message in messages:
                self._fix(message)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearNeedClassifier(GraphComponent):
    """A linear model on n-grams of the (corrected) lemmas, combined with DIET's ranking."""

    FILE = "linear.pkl"

    def __init__(self, config: dict[str, Any], storage: ModelStorage, resource: Resource,
                 model: Any = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._storage, self._resource, self.model = storage, resource, model

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"C": 10.0, "weight": 0.7, "clarify_margin": 0.1, "second_need": 0.8,
                "random_seed": 42}

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> LinearNeedClassifier:
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> LinearNeedClassifier:
        with model_storage.read_from(resource) as path:
            model = pickle.loads((path / cls.FILE).read_bytes())  # our own training output
        return cls(config, model_storage, resource, model)

    def _pipeline(self) -> Any:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        return make_pipeline(
            make_union(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                       TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5),
                                       sublinear_tf=True, min_df=2)),
            LogisticRegression(C=self.config["C"], max_iter=3000,
                               random_state=self.config["random_seed"]))

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(INTENT)]
        model = self._pipeline().fit([_lemmas(_tokens(m)) for m in examples],
                                     [m.get(INTENT) for m in examples])
        with self._storage.write_to(self._resource) as path:
            (path / self.FILE).write_bytes(pickle.dumps(model))
        return self._resource

    def probabilities(self, texts: list[str]) -> list[dict[str, float]]:
        rows = self.model.predict_proba(texts)
        return [dict(zip(self.model.classes_, map(float, row), strict=True)) for row in rows]

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if self.model is None or not _tokens(message) or is_payload(message.get(TEXT) or ""):
                continue
            self._read(message)
        return messages

    def _read(self, message: Message) -> None:
        tokens = _tokens(message)
        diet = {r["name"]: r["confidence"] for r in message.get(INTENT_RANKING_KEY) or []}
        parts = need_reading.clauses([t.lemma or t.text for t in tokens])
        # One call for the message and its clauses: scikit-learn's per-call cost dominates.
        linear, *per_clause = self.probabilities(
            [_lemmas(tokens)] + ([" ".join(p).lower() for p in parts] if len(parts) > 1 else []))
        ranking = need_reading.combine(diet, linear, self.config["weight"]) if diet \
            else sorted(linear.items(), key=lambda kv: -kv[1])
        top = {"name": ranking[0][0], "confidence": ranking[0][1]}
        pair = need_reading.choices(ranking, self.config["clarify_margin"])
        if pair:
            top = {"name": need_reading.CLARIFY, "confidence": ranking[0][1] + ranking[1][1]}
            message.set(NEED_CHOICES, list(pair), add_to_output=True)
        elif top["name"] in need_reading.SIGNPOST_NEEDS and per_clause:
            also = need_reading.second_need(top["name"], per_clause, self.config["second_need"])
            if also:
                message.set(ALSO_NEED, also, add_to_output=True)
        message.set(INTENT, top, add_to_output=True)
        message.set(INTENT_RANKING_KEY,
                    [{"name": n, "confidence": c} for n, c in ranking[:10]], add_to_output=True)
