"""The deterministic crisis layer (bot/crisis.py): safety-critical, so tested directly."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.crisis import is_crisis

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("text", [
    "there's no point carrying on",
    "I want it all to be over",
    "I've self-harmed again",
    "I'm going to take everything in the medicine cabinet",
    "I'm going to take everything in the medicine cabinet tonight",
    "I want to kill myself",
    "i wanna kms",
    "thinking of ending it all",
    "I don't want to wake up tomorrow",
    "everyone would be better off without me",
    "I've been cutting my arms",
    "my friend says she's going to jump off the bridge",
    "he's taken a load of pills",
    "I cant go on",
    "SUICIDAL",
    "i feel sucidal",
])
def test_crisis_wording_is_caught(text):
    assert is_crisis(text)


@pytest.mark.parametrize("text", [
    "I want to lose weight",
    "I don't want to go to the gym",
    "we'd like suicide awareness training for our staff",
    "my dad has cut down on his drinking",
    "I feel so cut off since I stopped driving",
    "I take my tablets every morning",
    "I look after my mum who can't be left alone",
    "I want to stop smoking",
    "",
])
def test_ordinary_messages_are_not_crisis(text):
    assert not is_crisis(text)


def _examples(path: Path) -> list[tuple[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for block in data.get("nlu", []):
        if "intent" in block:
            out += [(block["intent"], line.strip()[2:])
                    for line in block["examples"].splitlines() if line.strip()]
    return out


def test_patterns_cover_the_crisis_training_examples_and_nothing_else():
    examples = [e for p in sorted((ROOT / "data" / "nlu").glob("*.yml")) for e in _examples(p)]
    crisis = [t for i, t in examples if i == "crisis"]
    others = [(i, t) for i, t in examples if i != "crisis"]
    covered = sum(is_crisis(t) for t in crisis)
    assert covered / len(crisis) >= 0.95, covered
    false_alarms = [(i, t) for i, t in others if is_crisis(t)]
    assert false_alarms == []
