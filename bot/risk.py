"""The crisis net: how much risk a message carries, as one tier with its own response.

Two parts, combined in `assess`:
- **rules** over concepts (bot/risk_lexicon.yml): the text is normalised (text-speak,
  contractions, misspelt risk words), everyday idioms are removed, and concepts are found:
  an overdose taken, injury, being at a place with a method, a wish to die, self-harm, plans
  and means, someone else at risk, abuse, despair. A concept inside a negation ("I'm not
  suicidal") or a long-past mention ("an overdose 15 years ago, I'm well now") counts as
  *mentioned*, not as risk;
- a **statistical classifier** (bot/risk_model.py) trained on a large, varied set. The rules
  can raise the tier it gives; they never lower it.

Tiers (docs/hazard-log.md says what each one answers): emergency, crisis, other_at_risk,
safeguarding, unclear (ask one direct question), mentioned (carry on, one line about
Samaritans), none.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml
from rapidfuzz.distance import DamerauLevenshtein

HERE = Path(__file__).resolve().parent

EMERGENCY, CRISIS, OTHER, SAFEGUARDING = "emergency", "crisis", "other_at_risk", "safeguarding"
UNCLEAR, MENTIONED, NONE = "unclear", "mentioned", "none"
TIERS = (EMERGENCY, CRISIS, OTHER, SAFEGUARDING, UNCLEAR, MENTIONED, NONE)
# Tiers whose reply opens with the crisis or safeguarding response (and is counted).
CRISIS_FIRST = frozenset({EMERGENCY, CRISIS, OTHER, SAFEGUARDING})
# Tiers whose reply carries the crisis lines (the question shows them too).
SHOWS_LINES = CRISIS_FIRST | {UNCLEAR}

_CLAUSE_BREAK = re.compile(r"[.!?;:\n]+|,\s*but\b|\bbut\b|\bhowever\b|\bthough\b|\balthough\b")
_SENTENCE_BREAK = re.compile(r"[.!?\n]+")
# Where a negation's scope ends (NegEx's terminators).
_NEGATION_BREAK = re.compile(r"[,.!?;:\n]+|\b(?:but|and|because|so|then|though|although|"
                             r"however|yet|except|whereas|while)\b")
_WORD = re.compile(r"[a-z]+")
NEGATION_WINDOW = 6  # words before a concept that a negation cue reaches
_NOT_INSIDE = re.compile(r"\b(?:is not|are not|was not|has not|never|no longer|not)\b")


@dataclass(frozen=True)
class Assessment:
    tier: str
    subject: str = "self"  # self | other: who is at risk
    concepts: tuple[str, ...] = ()  # concepts found and meant now
    mentioned: tuple[str, ...] = ()  # concepts found but negated or long past
    model_risk: float = 0.0  # the classifier's probability of any risk
    model_class: str = "none"
    extras: dict = field(default_factory=dict, compare=False)

    @property
    def crisis_first(self) -> bool:
        return self.tier in CRISIS_FIRST

    @property
    def shows_lines(self) -> bool:
        return self.tier in SHOWS_LINES

    def as_dict(self) -> dict:
        return {"tier": self.tier, "subject": self.subject, "concepts": list(self.concepts),
                "mentioned": list(self.mentioned), "model_risk": round(self.model_risk, 4),
                "model_class": self.model_class}


# --- the lexicon ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Lexicon:
    rewrites: list[tuple[re.Pattern, str]]
    vocabulary: tuple[str, ...]
    idioms: list[re.Pattern]
    negation: re.Pattern
    pseudo_negation: re.Pattern
    reported: re.Pattern
    past: re.Pattern
    present: re.Pattern
    recovery: re.Pattern
    concepts: dict[str, list[re.Pattern]]
    thresholds: dict[str, float]
    someone_else: re.Pattern  # the {OTHER} macro: a person other than the writer


def _expand(pattern: str, macros: dict[str, str]) -> str:
    for _ in range(3):  # macros may use macros
        for name, value in macros.items():
            pattern = pattern.replace("{" + name + "}", value)
    return pattern


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    data = yaml.safe_load((HERE / "risk_lexicon.yml").read_text(encoding="utf-8"))
    macros = data["macros"]

    def comp(p: str) -> re.Pattern:
        return re.compile(_expand(p, macros))

    return Lexicon(
        rewrites=[(re.compile(a), b) for a, b in data["rewrites"]],
        vocabulary=tuple(data["vocabulary"]),
        idioms=[comp(p) for p in data["idioms"]],
        negation=comp(data["negation_cues"]),
        reported=comp(data["reported_cues"]),
        pseudo_negation=comp(data["pseudo_negations"]),
        past=comp(data["past_cues"]),
        present=comp(data["present_cues"]),
        recovery=comp(data["recovery_cues"]),
        concepts={name: [comp(p) for p in pats] for name, pats in data["concepts"].items()},
        thresholds={k: float(v) for k, v in data["thresholds"].items()},
        someone_else=comp(r"\b{OTHER}\b"),
    )


@lru_cache(maxsize=1)
def _english_words() -> frozenset[str]:
    """Common English words (symspellpy's frequency list): these are never 'corrected'."""
    path = resources.files("symspellpy") / "frequency_dictionary_en_82_765.txt"
    words = set()
    for row in path.read_text(encoding="utf-8").splitlines():
        word, _, count = row.partition(" ")
        if count and int(count) >= 100_000:
            words.add(word)
    return frozenset(words)


@lru_cache(maxsize=4096)
def _correct(word: str) -> str:
    """A misspelt risk word ("sucidal", "kil", "myslef") as the risk word; others unchanged."""
    if len(word) < 3 or word in _english_words():
        return word
    limit = 1 if len(word) <= 5 else 2
    best, best_d = word, limit + 1
    for target in lexicon().vocabulary:
        if abs(len(target) - len(word)) > limit:
            continue
        d = DamerauLevenshtein.distance(word, target, score_cutoff=limit)
        if d < best_d and (len(word) > 3 or word[0] == target[0]):
            best, best_d = target, d
    return best


def normalise(text: str) -> str:
    text = text.lower()[:5000]
    for pattern, repl in lexicon().rewrites:
        text = pattern.sub(repl, text)
    text = _WORD.sub(lambda m: _correct(m.group()), text)
    text = re.sub(r"[^a-z0-9'.!?;:,\n ]+", " ", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def _without_idioms(text: str) -> str:
    for idiom in lexicon().idioms:
        text = idiom.sub(" ", text)
    return text


# --- rules ------------------------------------------------------------------------------------

def _bounds(text: str, pos: int, breaks: re.Pattern) -> tuple[int, int]:
    start, end = 0, len(text)
    for m in breaks.finditer(text):
        if m.end() <= pos:
            start = m.end()
        elif m.start() >= pos:
            end = m.start()
            break
    return start, end


def _status(text: str, m: re.Match, concept: str = "") -> str:
    """'now', 'negated' or 'past' for one concept match."""
    lex = lexicon()
    c_start, c_end = _bounds(text, m.start(), _CLAUSE_BREAK)
    n_start, _ = _bounds(text, m.start(), _NEGATION_BREAK)
    before = lex.pseudo_negation.sub(" ", text[n_start:m.start()])
    before = " ".join(before.split()[-NEGATION_WINDOW:])
    inside = m.group()
    if lex.negation.search(before) and not lex.negation.match(inside):
        return "negated"
    if lex.reported.search(text[c_start:c_end]):
        return "negated"
    if re.match(r"\s*(?:,\s*)?(?:no|not really|never|nope)\b", text[m.end():]):
        return "negated"  # "stressed yes, suicidal no"
    if concept in ("safeguarding", "other_risk") and _NOT_INSIDE.search(inside) and \
            not re.search(r"\b(?:feed|let me)\b", inside):
        return "negated"  # "my husband isn't hurting me"
    s_start, s_end = _bounds(text, m.start(), _SENTENCE_BREAK)
    sentence = text[s_start:s_end]
    if lex.present.search(sentence):
        return "now"
    if lex.past.search(sentence) or lex.recovery.search(text):
        return "past"
    return "now"


def _about_other(text: str, m: re.Match) -> bool:
    """True if, in the concept's sentence, someone else is named closer before it than "I"."""
    s_start, _ = _bounds(text, m.start(), _SENTENCE_BREAK)
    before = text[s_start:m.start()]
    if _FIRST_PERSON_IN.search(m.group()):
        return False  # "kill myself", "my arms": the writer
    last_other = max((o.end() for o in lexicon().someone_else.finditer(before)), default=-1)
    last_self = max((o.end() for o in _FIRST_PERSON.finditer(before)), default=-1)
    return last_other > last_self


_FIRST_PERSON = re.compile(r"\b(?:i|i am)\b")
_FIRST_PERSON_IN = re.compile(r"\b(?:i|me|my|myself|meself)\b")


OWN = ("death_wish", "self_harm", "plan_means")


def _find(text: str) -> tuple[dict[str, int], set[str]]:
    """Concepts meant now (with a count) and concepts only mentioned (negated or past).
    An own-risk concept said about someone else ("my son is self-harming") counts as
    other_risk."""
    now: dict[str, int] = {}
    mentioned: set[str] = set()
    for name, patterns in lexicon().concepts.items():
        for pattern in patterns:
            for m in pattern.finditer(text):
                key = "other_risk" if name in OWN and _about_other(text, m) else name
                if _status(text, m, name) == "now":
                    now[key] = now.get(key, 0) + 1
                else:
                    mentioned.add(key)
    return now, mentioned - set(now)


def _means_with_intent(text: str) -> bool:
    """A method or means and a time or intent in the same sentence, meant now."""
    lex = lexicon()
    for sentence in _SENTENCE_BREAK.split(text):
        means = [m for p in lex.concepts["means"] for m in p.finditer(sentence)]
        if not means or not any(p.search(sentence) for p in lex.concepts["intent_time"]):
            continue
        if any(_status(sentence, m) == "now" for m in means) and re.search(
                r"\b(?:i|me|my|myself)\b", sentence):
            return True
    return False


def rule_tier(text: str) -> tuple[str, str, tuple[str, ...], tuple[str, ...]]:
    """(tier, subject, concepts now, concepts mentioned) from the rules alone."""
    norm = _without_idioms(normalise(text))
    now, mentioned = _find(norm)
    concepts = tuple(sorted(c for c in now if c not in ("means", "intent_time")))
    mentioned_t = tuple(sorted(c for c in mentioned if c not in ("means", "intent_time")))
    own = {"death_wish", "self_harm", "plan_means"} & set(now)
    if {"overdose_taken", "injured", "at_location"} & set(now):
        return EMERGENCY, "self", concepts, mentioned_t
    if "other_risk" in now and not own:
        return OTHER, "other", concepts, mentioned_t
    if own or _means_with_intent(norm):
        return CRISIS, "self", concepts or ("plan_means",), mentioned_t
    if "safeguarding" in now:
        return SAFEGUARDING, "self", concepts, mentioned_t
    if "despair" in now:
        return UNCLEAR, "self", concepts, mentioned_t
    if mentioned_t:
        return MENTIONED, "self", concepts, mentioned_t
    return NONE, "self", concepts, mentioned_t


def model_text(text: str) -> str:
    """What the classifier reads: the normalised text with idioms and negated or long-past
    risk concepts replaced by marker words, so that it can learn what they mean
    (NegEx-style features) instead of reading the risk words inside them."""
    norm = normalise(text)
    for idiom in lexicon().idioms:
        norm = idiom.sub(" xidiom ", norm)
    spans: list[tuple[int, int, str]] = []
    for name, patterns in lexicon().concepts.items():
        if name in ("means", "intent_time"):
            continue
        for pattern in patterns:
            for m in pattern.finditer(norm):
                status = _status(norm, m, name)
                if status != "now":
                    spans.append((m.start(), m.end(), f" xrisk{status} "))
    for start, end, marker in sorted(spans, reverse=True):
        if norm[start:end].strip():
            norm = norm[:start] + marker + norm[end:]
    return re.sub(r"\s+", " ", norm).strip()


# --- combined -----------------------------------------------------------------------------------

_RANK = {NONE: 0, MENTIONED: 1, UNCLEAR: 2, SAFEGUARDING: 3, OTHER: 3, CRISIS: 4, EMERGENCY: 5}
_MODEL_TIER = {"emergency": EMERGENCY, "risk": CRISIS, "other_risk": OTHER,
               "safeguarding": SAFEGUARDING}


def assess(text: str) -> Assessment:
    """The tier for one typed message. Never raises on odd text."""
    if not text or not text.strip():
        return Assessment(NONE)
    from bot import risk_model

    tier, subject, concepts, mentioned = rule_tier(text)
    probs = risk_model.predict_proba(model_text(text))
    p_risk = 1.0 - probs.get("none", 0.0)
    model_class = max((c for c in probs if c != "none"), key=probs.get, default="none")
    th = lexicon().thresholds
    if len(_WORD.findall(normalise(text))) <= th["short_words"] and tier == NONE:
        # A few words with no risk concept ("she's 52", "Witham"): too little for the
        # classifier alone, so it needs to be surer.
        th = {**th, "crisis": th["short_crisis"], "unclear": th["short_unclear"]}
    model_tier = NONE
    if p_risk >= th["crisis"]:
        model_tier = _MODEL_TIER.get(model_class, CRISIS)
    elif p_risk >= th["unclear"]:
        model_tier = UNCLEAR
    if tier == MENTIONED and model_tier == UNCLEAR and p_risk < th["unclear_after_negation"]:
        model_tier = NONE  # a clear "I'm not at risk": the negation explains the risk words
    if tier == MENTIONED and model_tier in CRISIS_FIRST and model_tier != EMERGENCY \
            and p_risk < th["crisis_after_negation"]:
        model_tier = UNCLEAR  # the lines still show, with the question, not the script
    if tier in (OTHER, SAFEGUARDING) and model_tier == CRISIS:
        model_tier = tier  # same urgency: the rules' more specific response
    if _RANK[model_tier] > _RANK[tier]:
        if model_tier == OTHER or (model_tier != UNCLEAR and tier == NONE
                                   and model_class == "other_risk"):
            subject = "other"
        tier = model_tier
    return Assessment(tier, subject, concepts, mentioned, p_risk, model_class)
