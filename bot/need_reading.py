"""How the bot reads a need from two classifiers: DIET and a linear model on n-grams.

Plain functions over {intent: probability}, so each rule is tested without Rasa:
- `combine`: a weighted average of the two distributions (soft voting; the weight was chosen
  on a development set written by an author who never saw the training data, docs/nlu.md);
- `choices`: the two needs to ask about when the top two are too close to call;
- `second_need`: another need stated in its own clause ("I drink too much since I lost my
  job"), offered with a button after the main one's services.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from signpost.needs import SIGNPOST_NEEDS

CLARIFY = "clarify_need"  # intent: "Is this mainly about A or B?"
# Tokens that end a clause: a second need is looked for in each clause on its own.
CLAUSE_BREAKS = frozenset({",", ".", ";", "!", "?", "-", "and", "but", "since", "because",
                           "cause", "cos", "as", "also", "plus", "so", "then", "while",
                           "whilst", "when", "after", "though", "although", "which"})
MIN_CLAUSE_TOKENS = 2


def combine(diet: Mapping[str, float], linear: Mapping[str, float],
            weight: float) -> list[tuple[str, float]]:
    """weight * linear + (1 - weight) * DIET, over the union of intents, best first."""
    names = set(diet) | set(linear)
    mixed = {n: weight * linear.get(n, 0.0) + (1 - weight) * diet.get(n, 0.0) for n in names}
    return sorted(mixed.items(), key=lambda kv: (-kv[1], kv[0]))


def choices(ranking: Sequence[tuple[str, float]], margin: float) -> tuple[str, str] | None:
    """The top two, if both are needs and closer than `margin`; else None."""
    if len(ranking) < 2:
        return None
    (first, p1), (second, p2) = ranking[0], ranking[1]
    if first in SIGNPOST_NEEDS and second in SIGNPOST_NEEDS and p1 - p2 < margin:
        return first, second
    return None


def clauses(tokens: Sequence[str]) -> list[list[str]]:
    """Split a token list at clause breaks; keep clauses with enough words to judge."""
    out: list[list[str]] = [[]]
    for token in tokens:
        if token.lower() in CLAUSE_BREAKS:
            out.append([])
        else:
            out[-1].append(token)
    return [c for c in out if len(c) >= MIN_CLAUSE_TOKENS]


def second_need(main: str, clause_rankings: Iterable[Mapping[str, float]],
                threshold: float) -> str | None:
    """A need other than `main` that one clause, read alone, names with confidence."""
    best, best_p = None, threshold
    for ranking in clause_rankings:
        for need, p in ranking.items():
            if need in SIGNPOST_NEEDS and need != main and p >= best_p:
                best, best_p = need, p
    return best
