"""Custom Rasa NLU component: the crisis net (bot/risk.py) on every typed message.

Placed last in config.yml's pipeline, so nothing after it can undo it. It:
- adds `risk` (tier, subject, concepts, the classifier's probability) to the parse data,
  which the actions read from `tracker.latest_message`;
- sets the intent to `crisis` for the tiers that open with the crisis or safeguarding
  response (emergency, crisis, other_at_risk, safeguarding), and to `risk_check` for the
  unclear tier (one direct question), keeping the need the model saw in `risk.need`;
- otherwise leaves the model's intent, except that a `crisis` guess the net does not share
  is replaced by the runner-up: the net, not DIET, decides what is a crisis.

Button payloads ("/intent" and nothing else) are not free text and are not assessed;
anything else that starts with "/" is typed text and is.
"""
from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import risk

CRISIS, RISK_CHECK = "crisis", "risk_check"
RISK_KEY = "risk"
_PAYLOAD = re.compile(r"^/[A-Za-z_]+(\{[^\n]*\})?$")


def is_payload(text: str) -> bool:
    return bool(_PAYLOAD.match(text.strip()))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CrisisGuard(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CrisisGuard:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if is_payload(text):
                continue
            self._guard(message, risk.assess(text))
        return messages

    @staticmethod
    def _guard(message: Message, assessment: risk.Assessment) -> None:
        ranking = [r for r in (message.get(INTENT_RANKING_KEY) or [])
                   if r.get("name") not in (CRISIS, RISK_CHECK)]
        intent = message.get(INTENT) or {}
        need = intent.get("name") if intent.get("name") not in (CRISIS, RISK_CHECK, None) \
            else (ranking[0]["name"] if ranking else None)
        message.set(RISK_KEY, {**assessment.as_dict(), "need": need}, add_to_output=True)
        if assessment.crisis_first or assessment.tier == risk.UNCLEAR:
            top = {"name": CRISIS if assessment.crisis_first else RISK_CHECK, "confidence": 1.0}
            message.set(INTENT, top, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [top] + ranking, add_to_output=True)
        elif intent.get("name") == CRISIS and ranking:
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
