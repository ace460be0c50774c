"""The crisis net (bot/risk.py, bot/risk_model.py): safety-critical, so tested directly.

These are our own examples of each kind; the figures on text nobody here wrote come from
`signpost evaluate` on data/eval/crisis_final_*.csv (docs/nlu.md, docs/hazard-log.md).
"""
from __future__ import annotations

import pytest

from bot import risk, risk_model
from bot.rasa_components import is_payload


@pytest.mark.parametrize(("text", "tier"), [
    # emergency: acting now
    ("I've just taken all my tablets", risk.EMERGENCY),
    ("i have swallowed a whole packet of paracetamol", risk.EMERGENCY),
    ("standing on the edge of the multi storey now", risk.EMERGENCY),
    ("sat in the car with the engine running and the hose in", risk.EMERGENCY),
    ("I cut too deep and it won't stop bleeding", risk.EMERGENCY),
    ("in the garage with the car running and the door pulled down", risk.EMERGENCY),
    # crisis: the writer
    ("I want to kill myself", risk.CRISIS),
    ("i wanna kms", risk.CRISIS),
    ("i feel sucidal", risk.CRISIS),
    ("honestly I just want to not wake up tomorrow", risk.CRISIS),
    ("everyone would be better off without me", risk.CRISIS),
    ("I've been saving up my tablets for a while", risk.CRISIS),
    ("how many co-codamol would it take to not wake up", risk.CRISIS),
    ("I've written letters to my kids for when I'm gone", risk.CRISIS),
    ("started cutting again last night", risk.CRISIS),
    ("I've got the rope and I'm doing it tonight", risk.CRISIS),
    ("I want to lose weight but tbh I don't want to be here anymore", risk.CRISIS),
    ("lost 3 stone but I'm doing it because I want to waste away and die", risk.CRISIS),
    # someone else
    ("my son has been self harming, I found blades in his room", risk.OTHER),
    ("she sent me a goodbye text and now she's not answering", risk.OTHER),
    ("my mate keeps saying he wants to end it", risk.OTHER),
    # someone being harmed
    ("my partner hits me when he's been drinking", risk.SAFEGUARDING),
    ("I'm scared of my stepdad, I don't want to go home", risk.SAFEGUARDING),
    ("my son in law takes my pension and won't let me see my friends", risk.SAFEGUARDING),
    ("I'm doing drops for some older guys and they say I owe them now", risk.SAFEGUARDING),
])
def test_risk_is_caught_with_its_tier(text, tier):
    got = risk.assess(text)
    assert got.tier == tier, got
    assert got.shows_lines


@pytest.mark.parametrize("text", [
    "I want to cut down on crisps and biscuits",
    "just killing time before my shift, any walking groups in Witham?",
    "this commute is killing me, how do I fit exercise in",
    "I'm dying for a cigarette, how do I get through the cravings",
    "I want to end my gym membership and walk instead",
    "saying goodbye to cigarettes for good this new year",
    "we need suicide prevention training for our managers",
    "my dad wants to die at home, not in hospital, what help is there?",
    "we're in a cost of living crisis, where is a food bank",
    "I take my tablets every morning with breakfast",
    "I want to lose weight",
    "I look after my mum who can't be left alone",
    "my car is running rough, the garage says it needs a new clutch",
    "I do deliveries for a supermarket and the shifts are wrecking my back",
    "",
    "   ",
])
def test_ordinary_and_idiomatic_messages_are_not_crisis(text):
    got = risk.assess(text)
    assert not got.crisis_first, got


@pytest.mark.parametrize("text", [
    "are they going to tell my mum?",
    "does my mum need to know",
    "would school find out",
])
def test_confidentiality_questions_are_answered_not_met_with_the_crisis_net(text):
    """Hazard H-19: a young person asking who will be told gets neither the crisis script
    nor the question (data/risk/train_team_confidentiality.csv; none of these is in it)."""
    assert risk.assess(text).tier == risk.NONE


def test_a_confidentiality_question_with_risk_still_shows_the_lines():
    assert risk.assess("will they tell my dad that i have been cutting myself").crisis_first


@pytest.mark.parametrize("text", [
    "I'm not suicidal, I just want help to stop drinking",
    "I would never hurt myself but I'm very anxious about my job",
    "I took an overdose twenty years ago, I'm well now and want to get fit",
])
def test_negated_and_long_past_mentions_carry_on_with_the_need(text):
    got = risk.assess(text)
    assert got.tier in (risk.MENTIONED, risk.NONE), got
    assert got.mentioned or got.tier == risk.NONE


def test_recent_history_is_not_past():
    assert risk.assess("I used to self harm and it's started again this week").crisis_first


def test_misspelt_risk_words_are_corrected_but_ordinary_words_are_not():
    assert "suicidal" in risk.normalise("feeling suicdal")
    assert "kill myself" in risk.normalise("want to kil myslef")
    assert risk.normalise("I want to kill time") == "i want to kill time"
    assert risk.normalise("my bridge club") == "my bridge club"  # real words stay


def test_negation_and_idioms_reach_the_classifier_as_markers():
    assert "xrisknegated" in risk.model_text("I'm not suicidal at all")
    assert "xriskpast" in risk.model_text("I self harmed years ago when I was at school")
    assert "xidiom" in risk.model_text("cutting down on sugar")


def test_rules_raise_the_model_but_never_lower_it(monkeypatch):
    # The model alone says crisis: rules that find nothing do not lower it.
    monkeypatch.setattr(risk_model, "predict_proba",
                        lambda _: {"risk": 0.9, "none": 0.1, "emergency": 0.0,
                                   "other_risk": 0.0, "safeguarding": 0.0})
    assert risk.assess("some words the rules do not know").tier == risk.CRISIS
    # The model alone says none: the rules raise it.
    monkeypatch.setattr(risk_model, "predict_proba",
                        lambda _: {"risk": 0.0, "none": 1.0, "emergency": 0.0,
                                   "other_risk": 0.0, "safeguarding": 0.0})
    assert risk.assess("I've taken all my tablets").tier == risk.EMERGENCY
    # In between, the direct question.
    monkeypatch.setattr(risk_model, "predict_proba",
                        lambda _: {"risk": 0.35, "none": 0.65, "emergency": 0.0,
                                   "other_risk": 0.0, "safeguarding": 0.0})
    assert risk.assess("some words the rules do not know").tier == risk.UNCLEAR


def test_odd_text_never_raises():
    for text in ["\x00\x01", "🙂" * 500, "a" * 6000, "/", "((((", "\u202e evil", "kill " * 400]:
        assert risk.assess(text).tier in risk.TIERS


def test_button_payloads_are_not_assessed_but_typed_slashes_are():
    assert is_payload("/risk_yes") and is_payload('/carry_on{"x": 1}')
    assert not is_payload("/ i want to die") and not is_payload("/restart then kill myself")


def test_classifier_fingerprint_follows_its_data(tmp_path, monkeypatch):
    before = risk_model.data_fingerprint()
    extra = tmp_path / "extra.csv"
    extra.write_text("text,label,subject,category,need\nhello,none,n/a,chitchat,\n")
    monkeypatch.setattr(risk_model, "DATA_DIR", tmp_path)
    assert risk_model.data_fingerprint() != before


def test_classifier_classes_and_training_rows():
    rows = risk_model.training_rows()
    labels = {label for _, label in rows}
    assert labels == set(risk_model.CLASSES)
    assert sum(label != "none" for _, label in rows) >= 1000
    assert sum(label == "none" for _, label in rows) >= 2000


def test_fast_scorer_gives_the_pipelines_own_probabilities():
    rows = risk_model.training_rows()[::7]
    pipeline = risk_model.train(rows)
    fast = risk_model.FastScorer(pipeline)
    texts = [risk.model_text(t) for t in ("I want to end it all tonight", "cutting down on sugar",
                                          "my partner hits me", "x", "", "ñ 🙂 ok")]
    for got, want in zip(fast.predict_proba(texts), pipeline.predict_proba(texts), strict=True):
        assert got == pytest.approx(list(want), abs=1e-9)
    assert fast.classes_ == list(pipeline.classes_)
