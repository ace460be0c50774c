"""Spelling normalisation against the bot's own vocabulary, before featurisation.

Residents type "diabetis", "lonley", "excercise", "wieght". Character n-grams only half
catch these: the word that names the need loses most of its pieces. The corrector reads a
word that is neither an English word (symspellpy's frequency list), nor a word of the
training data, nor a place name, as the closest word of the training data (the domain
vocabulary): one edit away for words of 4-7 letters, two for longer ones, with the same first
letter, and only when no other English word is as close. Acronyms are left alone.

`Corrector` is plain Python, tested on its own; `bot.rasa_components.SpellingNormaliser`
corrects tokens with it after the tokenizer, so the count-vector featurizers (words and
character n-grams, both on lemmas) see the corrected word. The message text, the entities
and the crisis net (which has its own normalisation, bot/risk.py) are untouched.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

from symspellpy import SymSpell, Verbosity

MIN_LENGTH = 4  # "im", "gp", "u", "mh": short words are text-speak, not typos
MIN_DOMAIN_COUNT = 2  # a word the training data uses once may itself be a typo
DOMAIN_BOOST = 10**12  # domain words outrank any English word at the same distance
_WORD = re.compile(r"^[a-z][a-z']*$")


@lru_cache(maxsize=1)
def english_counts() -> dict[str, int]:
    path = resources.files("symspellpy") / "frequency_dictionary_en_82_765.txt"
    out: dict[str, int] = {}
    for row in path.read_text(encoding="utf-8").splitlines():
        word, _, count = row.partition(" ")
        if count:
            out[word] = int(count)
    return out


def max_edits(word: str) -> int:
    return 1 if len(word) < 8 else 2


class Corrector:
    """Map a misspelt word to the closest known word; known words are never changed."""

    def __init__(self, domain_words: Iterable[str], protected: Iterable[str] = ()) -> None:
        self.domain = frozenset(w.lower() for w in domain_words)
        self.protected = frozenset(w.lower() for w in protected)
        self._english = english_counts()
        self._sym = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
        for word, count in self._english.items():
            self._sym.create_dictionary_entry(word, count)
        for word in self.domain:
            self._sym.create_dictionary_entry(word, DOMAIN_BOOST)
        self._cache: dict[str, str] = {}

    def known(self, word: str) -> bool:
        return word in self._english or word in self.domain or word in self.protected

    def correct(self, word: str) -> str:
        """The word itself if known, too short, an acronym or not a plain word; else the
        closest domain word, if no other English word is as close."""
        lower = word.lower()
        if lower in self._cache:
            return self._cache[lower]
        best = lower
        acronym = sum(c.isupper() for c in word) >= 2  # "ADHD", "GCSEs", "SEND"
        if len(lower) >= MIN_LENGTH and _WORD.match(lower) and not acronym \
                and not self.known(lower):
            # CLOSEST: every candidate at the smallest distance, most frequent (domain) first.
            found = self._sym.lookup(lower, Verbosity.CLOSEST, max_edit_distance=max_edits(lower))
            if found and found[0].term in self.domain and found[0].term[0] == lower[0]:
                best = found[0].term
        self._cache[lower] = best
        return best

    @classmethod
    def from_texts(cls, token_lists: Iterable[Iterable[str]],
                   protected: Iterable[str] = ()) -> Corrector:
        return cls(domain_vocabulary(token_lists), protected)

    def to_json(self, **extra: object) -> str:
        """The vocabulary (and any `extra` keys the caller keeps beside it) as JSON."""
        return json.dumps({"domain": sorted(self.domain), "protected": sorted(self.protected),
                           **extra})

    @classmethod
    def from_json(cls, text: str) -> Corrector:
        data = json.loads(text)
        return cls(data["domain"], data["protected"])


def domain_vocabulary(token_lists: Iterable[Iterable[str]]) -> list[str]:
    """Words the training data uses at least MIN_DOMAIN_COUNT times ("vaping", "reablement")."""
    counts: Counter[str] = Counter()
    for tokens in token_lists:
        counts.update(t.lower() for t in tokens if _WORD.match(t.lower()))
    return sorted(w for w, c in counts.items() if c >= MIN_DOMAIN_COUNT)


def place_words() -> list[str]:
    """Every word of every place name the gazetteer knows: never 'corrected'."""
    from bot.gazetteer import place_names

    return sorted({w for name in place_names() for w in re.findall(r"[a-z']+", name)})
