"""Who the help is for, read from what the person says (bot/who_for.py, bot/people.yml)."""
from __future__ import annotations

import pytest

from bot.who_for import SELF, detect, pronoun, your_them


@pytest.mark.parametrize(("text", "person"), [
    ("My dad keeps falling at home, he's 84", "dad"),
    ("my son is 17 and i think he's smoking weed", "son"),
    ("My daughter is 9 and she's been anxious", "daughter"),
    ("I want to get my mum moving more, she's 70", "mum"),
    ("looking for something to get my dad out the house", "dad"),
    ("worried about my friend, she drinks every day", "friend"),
    ("my 17 year old son vapes", "son"),
    ("sorry, it's for my dad, he's 80", "dad"),
    ("pt 67M Harlow, isolated", "patient"),
    ("its for me and my 2 kids", SELF),
    ("is there anything for me as a parent", SELF),
])
def test_who_the_help_is_for(text, person):
    assert detect(text) == person


@pytest.mark.parametrize("text", [
    "my mum died in the summer and I've got no one",
    "my wife says I drink too much",
    "I've been so lonely since my wife died",
    "I need help with my drinking",
])
def test_someone_only_mentioned_is_not_who_the_help_is_for(text):
    assert detect(text) is None


def test_for_me_to_is_not_for_me():
    assert detect("is it ok for me to ring them") is None


def test_wording_follows_the_person():
    assert your_them("dad") == "your dad" and pronoun("dad") == "he"
    assert your_them("patient") == "your patient or client" and pronoun("patient") == "they"
    assert your_them(SELF) is None and pronoun(None) == "you"
