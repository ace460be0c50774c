"""Our Rasa components (bot/rasa_components.py) trained, persisted and loaded for real with
Rasa's model storage, and the trained model's reading of typos, mixed and ambiguous needs."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa_components import ALSO_NEED, NEED_CHOICES, LinearNeedClassifier, SpellingNormaliser

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "signpost.tar.gz"
EXAMPLES = {
    "alcohol": ["i drink too much", "drinking every night", "cut down on drinking",
                "my drinking is out of hand", "too much wine and beer", "drink alcohol daily"],
    "employment_education": ["i lost my job", "looking for a job", "find work near me",
                             "need a new job", "training for a job", "back into work"],
    "weight": ["lose weight", "my weight is a worry", "healthy eating to lose weight",
               "overweight and want to diet", "weight loss group", "i want to lose weight"],
    "greet": ["hello", "hi there", "good morning", "hiya", "hey", "hello there"],
}


def tokenized(text: str, intent: str | None = None) -> Message:
    message = Message(data={TEXT: text, **({INTENT: intent} if intent else {})})
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process([message])
    return message


@pytest.fixture
def storage(tmp_path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


def training_data() -> TrainingData:
    return TrainingData([tokenized(t, i) for i, texts in EXAMPLES.items() for t in texts])


def test_spelling_normaliser_trains_persists_loads_and_corrects_tokens(storage):
    resource = Resource("spelling")
    SpellingNormaliser.create({}, storage, resource, context()).train(training_data())
    loaded = SpellingNormaliser.load({}, storage, resource, context())
    message = tokenized("my drinkng is too much wieght")
    loaded.process([message])
    words = [t.text for t in message.get(TOKENS_NAMES[TEXT])]
    assert words == ["my", "drinking", "is", "too", "much", "weight"]
    assert message.get(TEXT) == "my drinkng is too much wieght"  # the text itself is kept


def _linear(storage, **config) -> LinearNeedClassifier:
    resource = Resource("linear")
    LinearNeedClassifier.create(config, storage, resource, context()).train(training_data())
    return LinearNeedClassifier.load(config, storage, resource, context())


def _with_diet(text: str, ranking: dict[str, float]) -> Message:
    message = tokenized(text)
    message.set(INTENT_RANKING_KEY, [{"name": n, "confidence": c} for n, c in ranking.items()])
    best = max(ranking, key=ranking.get)
    message.set(INTENT, {"name": best, "confidence": ranking[best]})
    return message


def test_linear_classifier_combines_with_diet(storage):
    linear = _linear(storage, weight=0.7, clarify_margin=0.0)
    # DIET is unsure; the linear model is sure: the average follows the linear model.
    message = _with_diet("i want to lose weight", {"alcohol": 0.5, "weight": 0.5})
    linear.process([message])
    assert message.get(INTENT)["name"] == "weight"
    confidences = [r["confidence"] for r in message.get(INTENT_RANKING_KEY)]
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) == pytest.approx(1.0, abs=0.01)


def test_weight_zero_leaves_diet_in_charge(storage):
    linear = _linear(storage, weight=0.0, clarify_margin=0.0)
    message = _with_diet("i want to lose weight", {"alcohol": 0.9, "weight": 0.1})
    linear.process([message])
    assert message.get(INTENT)["name"] == "alcohol"


def test_two_close_needs_become_a_clarifying_question(storage):
    linear = _linear(storage, weight=0.0, clarify_margin=0.1)
    message = _with_diet("weight and drink", {"weight": 0.48, "alcohol": 0.46, "greet": 0.06})
    linear.process([message])
    assert message.get(INTENT)["name"] == "clarify_need"
    assert message.get(NEED_CHOICES) == ["weight", "alcohol"]


def test_a_second_need_in_its_own_clause_is_offered(storage):
    linear = _linear(storage, weight=0.7, clarify_margin=0.0, second_need=0.4)
    message = _with_diet("i drink too much every night since i lost my job",
                         {"alcohol": 0.9, "employment_education": 0.1})
    linear.process([message])
    assert message.get(INTENT)["name"] == "alcohol"
    assert message.get(ALSO_NEED) == "employment_education"
    single = _with_diet("i drink too much every night", {"alcohol": 0.9, "weight": 0.1})
    linear.process([single])
    assert single.get(ALSO_NEED) is None


def test_button_payloads_are_not_reread(storage):
    linear = _linear(storage)
    message = _with_diet("/weight", {"weight": 1.0})
    linear.process([message])
    assert message.get(INTENT) == {"name": "weight", "confidence": 1.0}


# --- the trained model ---------------------------------------------------------------

@pytest.fixture(scope="module")
def parse():
    if not MODEL.exists():
        pytest.fail("no trained model: run `make model` (make test does)")
    from rasa.core.agent import Agent

    agent = Agent.load(str(MODEL))
    return lambda text: asyncio.run(agent.parse_message(text))


@pytest.mark.rasa
@pytest.mark.parametrize("text,need", [
    ("im so lonley since my wife went", "loneliness"),
    ("worried i might get diabetis", "diabetes_prevention"),
    ("want to start doing excercise again at 70", "physical_activity"),
    ("how do i stop vapeing", "smoking"),
    ("my allcohol intake is too high", "alcohol"),
])
def test_misspelt_need_words_are_read_right(parse, text, need):
    assert parse(text)["intent"]["name"] == need


@pytest.mark.rasa
def test_a_mixed_message_names_a_second_need(parse):
    parsed = parse("I drink too much since I lost my job and I need to find work")
    assert parsed["intent"]["name"] == "alcohol"
    assert parsed["also_need"] == "employment_education"
    assert parse("I drink too much most nights").get("also_need") is None


@pytest.mark.rasa
def test_a_button_payload_keeps_its_intent(parse):
    assert parse("/diabetes_prevention")["intent"]["name"] == "diabetes_prevention"


@pytest.mark.rasa
@pytest.mark.parametrize("text", [
    "caring for my mum and so lonely and honestly I want to end my life",
    "I drink too much since I lost my job and I've been saving up my tablets",
])
def test_crisis_wins_over_a_clarifying_question_or_second_need(parse, text):
    assert parse(text)["intent"]["name"] == "crisis"


# --- CrisisGuard and a weak runner-up ---------------------------------------------------

def _guarded(text: str, ranking: dict[str, float]) -> Message:
    from bot.rasa_components import CrisisGuard

    message = _with_diet(text, ranking)
    CrisisGuard({"threshold": 0.3}).process([message])
    return message


def test_a_crisis_guess_the_net_does_not_share_falls_to_a_clear_runner_up():
    message = _guarded("I want to lose weight", {"crisis": 0.6, "weight": 0.35, "greet": 0.05})
    assert message.get(INTENT)["name"] == "weight"
    assert message.get(INTENT)["confidence"] == pytest.approx(0.875)  # its share without crisis


def test_a_crisis_guess_with_no_clear_runner_up_becomes_the_fallback():
    ranking = {"crisis": 0.6, **{n: 0.05 for n in ("weight", "greet", "alcohol", "smoking",
                                                     "drugs", "deny", "affirm", "thank")}}
    message = _guarded("what about tonight then", ranking)
    assert message.get(INTENT)["name"] == "nlu_fallback"


def test_the_need_kept_under_a_crisis_response_must_be_clear():
    weak = {"crisis": 0.9, **{n: 0.0125 for n in ("weight", "greet", "alcohol", "smoking",
                                                    "drugs", "deny", "affirm", "thank")}}
    assert _guarded("I want to kill myself", weak).get("risk")["need"] is None
    strong = {"crisis": 0.6, "weight": 0.38, "greet": 0.02}
    message = _guarded("I want to lose weight but I don't want to be here anymore", strong)
    assert message.get(INTENT)["name"] == "crisis"
    assert message.get("risk")["need"] == "weight"


# --- CrisisGuard on follow-up turns (docs/hazard-log.md, H-17) ---------------------------

def _guard_with(text: str, ranking: dict[str, float], assessment) -> Message:
    from bot.rasa_components import CrisisGuard

    message = _with_diet(text, ranking)
    CrisisGuard({"threshold": 0.3, "follow_up_confidence": 0.8})._guard(message, assessment)
    return message


def test_a_sure_follow_up_is_not_asked_on_the_classifier_alone():
    from bot.risk import UNCLEAR, Assessment

    unsure = Assessment(UNCLEAR, model_risk=0.25, model_class="risk")
    message = _guard_with("do i need my mum to ring them", {"service_question": 0.94,
                                                            "parenting": 0.06}, unsure)
    assert message.get(INTENT)["name"] == "service_question"
    assert message.get("risk")["not_asked"] == "follow_up"
    # Not sure it is a follow-up: the question is asked as before.
    message = _guard_with("do i need my mum to ring them", {"service_question": 0.6,
                                                            "parenting": 0.4}, unsure)
    assert message.get(INTENT)["name"] == "risk_check"


@pytest.mark.parametrize("tier,concepts,expected", [
    ("unclear", ("hopeless",), "risk_check"),
    ("crisis", ("suicide",), "crisis"),
    ("emergency", ("overdose_taken",), "crisis"),
])
def test_risk_words_in_a_follow_up_still_ask(tier, concepts, expected):
    from bot.risk import Assessment

    message = _guard_with("when are they open, I can't go on", {"service_question": 0.97,
                                                                 "thank": 0.03},
                          Assessment(tier, concepts=concepts, model_risk=0.9))
    assert message.get(INTENT)["name"] == expected
