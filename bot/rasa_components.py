"""Custom Rasa NLU component: the deterministic crisis layer.

Placed after the trained classifier and the FallbackClassifier in config.yml,
it overrides the intent with `crisis` whenever bot.crisis matches, whatever the
model predicted and however unsure it was.

The trained model is the second layer: it catches crisis wording the patterns
miss. Its crisis predictions stand when confident (>= `model_crisis_threshold`);
an unsure crisis guess without any pattern match is replaced by the runner-up
need, because without pretrained embeddings words like "myself" or "end up"
pull ordinary messages towards crisis (see docs/nlu.md for the figures).
"""
from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.crisis import is_crisis

CRISIS = "crisis"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CrisisGuard(GraphComponent):
    def __init__(self, config: dict[str, Any]) -> None:
        self.model_threshold = float(config.get("model_crisis_threshold", 0.9))

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"model_crisis_threshold": 0.9}

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
            if text.startswith("/"):
                continue  # button payloads are not free text
            ranking = [r for r in (message.get(INTENT_RANKING_KEY) or [])
                       if r.get("name") != CRISIS]
            if is_crisis(text):
                top = {"name": CRISIS, "confidence": 1.0}
                message.set(INTENT, top, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [top] + ranking, add_to_output=True)
                continue
            intent = message.get(INTENT) or {}
            if intent.get("name") == CRISIS and intent.get("confidence", 0) < self.model_threshold:
                if ranking:  # unsure, and no pattern matched: take the runner-up
                    message.set(INTENT, ranking[0], add_to_output=True)
        return messages
