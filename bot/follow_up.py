"""Follow-up questions about services (bot/follow_up.yml): which detail is asked (phone,
hours, cost...), which service is meant (one just shown, or one named), and the answer, from
the directory record only. Where the record has no answer, the reply says so and gives the
best route that exists; nothing is guessed."""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from bot.fallbacks import GENERAL_ROUTE
from services_directory.search import ServiceResult
from signpost.help_lines import HelpLine, lines

FILE = Path(__file__).with_name("follow_up.yml")
ABOUT, ELIGIBILITY, PHONE, WEB, EMAIL, HOURS, COST, REFERRAL, WHERE = (
    "about", "eligibility", "phone", "web", "email", "hours", "cost", "referral", "where")
OTHER = "other"  # a detail no record holds ("any groups just for men?"): said so, not guessed
_HOW_TO_CONTACT = re.compile(r"\b(contact|get in touch|get hold|reach|details|how do i|"
                             r"how can i|how would i|who do i)\b")
_FREE = re.compile(r"\b(free|no cost|free of charge|at no charge|funded)\b", re.I)



@lru_cache(maxsize=1)
def _data() -> dict:
    return yaml.safe_load(FILE.read_text(encoding="utf-8"))


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w'£ -]+", " ", (text or "").casefold().replace("’", "'"))
                    .split())


@lru_cache(maxsize=1)
def _detail_patterns() -> dict[str, re.Pattern]:
    return {kind: re.compile(r"(?<![\w-])(?:" + "|".join(
        re.escape(str(p)) for p in sorted(words, key=len, reverse=True)) + r")(?![\w-])")
        for kind, words in _data()["details"].items()}


def asked_details(text: str) -> list[str]:
    """The details a question asks, in the vocabulary's order; [] for "how do I contact
    them?", [OTHER] for a detail the records do not hold."""
    norm = _norm(text)
    kinds = [kind for kind, pattern in _detail_patterns().items() if pattern.search(norm)]
    return kinds or ([] if _HOW_TO_CONTACT.search(norm) else [OTHER])


_QUESTION = re.compile(r"\?|^(?:and |so |but |ok |also )?(?:what|when|where|who|which|how|is|are|"
                       r"do|does|did|can|could|will|would|any|have|has)\b")


def is_question_about_services(text: str, max_words: int = 16) -> bool:
    """A short question that asks about a detail ("any that meet in Benfleet?", "do they
    charge?"): when the model reads it as something else, it is still a follow-up."""
    norm = _norm(text)
    return (len(norm.split()) <= max_words and bool(_QUESTION.search(norm) or "?" in text)
            and any(k != OTHER for k in asked_details(text)))


def named_lines(text: str) -> list[HelpLine]:
    """The crisis and support lines the text asks for by name (help_lines.yml `names`)."""
    norm = f" {_norm(text)} "
    return [h for h in lines().values() if any(f" {n} " in norm for n in h.names)]


def _variants(name: str) -> list[str]:
    """A service's name as people may write it: whole, before a colon or bracket."""
    norm = _norm(name)
    parts = {norm, _norm(re.split(r"[:(–-]", name)[0])}
    generic = set(_data()["generic_name_words"])
    return [p for p in parts if len(p) >= 5 and set(p.split()) - generic]


def named(text: str, candidates: Sequence[tuple[str, str, str]], threshold: int = 90
          ) -> list[str]:
    """Ids of the services `text` names, best first, from (id, name, organisation) rows:
    a name (or its organisation's) found nearly whole in the text, forgiving a typo."""
    norm = _norm(text)
    scored: dict[str, float] = {}
    for service_id, name, organization in candidates:
        for variant, weight in [(v, 1.0) for v in _variants(name)] + \
                               [(v, 0.9) for v in _variants(organization)]:
            if len(variant) > len(norm):
                continue
            score = fuzz.partial_ratio(variant, norm) * weight
            if score >= threshold * weight:
                scored[service_id] = max(scored.get(service_id, 0), score + len(variant) / 100)
    return sorted(scored, key=scored.get, reverse=True)


def pick_shown(text: str, shown: Sequence[ServiceResult]) -> list[ServiceResult]:
    """The shown services a follow-up means: "the first one", a name, or all of them."""
    if not shown:
        return []
    norm = f" {_norm(text)} "
    for word, index in _data()["ordinals"].items():
        if f" {word} " in norm and -len(shown) <= index < len(shown):
            return [shown[index]]
    ids = named(text, [(s.id, s.name, s.organization) for s in shown], threshold=85)
    if ids:
        return [s for s in shown if s.id in ids[:1]]
    generic = set(_data()["generic_name_words"])
    words = set(norm.split())
    by_word = [s for s in shown
               if ({w for w in _norm(s.name).split() if len(w) > 4} - generic) & words]
    return by_word[:1] if len(by_word) == 1 else list(shown)


def _route(service: ServiceResult, *kinds: str) -> dict | None:
    return next((r for k in kinds for r in service.referral_routes if r.get("kind") == k), None)


def _ages(service: ServiceResult) -> str | None:
    low, high = service.minimum_age, service.maximum_age
    if low is not None and high is not None:
        return f"ages {low} to {high}"
    if low is not None:
        return f"ages {low} and over"
    if high is not None:
        return f"ages up to {high}"
    return None


def _eligibility(service: ServiceResult, age: int | None) -> str:
    ages = _ages(service)
    who = service.eligibility
    if age is not None and ages:
        fits = (service.minimum_age or 0) <= age <= (service.maximum_age or 200)
        verdict = "Yes, that age fits" if fits else "No, not at that age"
        return f"{verdict}: it is for {ages}." + (f" {who}" if who else "")
    if who:
        return f"Who it's for: {who}" + (f" ({ages})." if ages and ages not in who else "")
    return f"It is for {ages}." if ages else "Who can use it isn't listed; ask them."


def _contact(service: ServiceResult, kinds: Sequence[str]) -> list[str]:
    got = {PHONE: service.contact_phone, WEB: service.contact_url, EMAIL: service.contact_email}
    wanted = [k for k in (PHONE, WEB, EMAIL) if k in kinds] or [PHONE, WEB, EMAIL]
    found = [f"{ {PHONE: 'phone', WEB: 'website', EMAIL: 'email'}[k]} {got[k]}"
             for k in wanted if got[k]]
    if found:
        return ["Contact: " + ", ".join(found) + "."]
    others = [f"{ {PHONE: 'phone', WEB: 'website', EMAIL: 'email'}[k]} {v}"
              for k, v in got.items() if v]
    missing = {PHONE: "phone number", WEB: "website", EMAIL: "email address"}
    say = " or ".join(missing[k] for k in wanted)
    if others:
        return [f"There's no {say} listed, but you can use: " + ", ".join(others) + "."]
    return [f"There's no {say} listed for it yet."]


def _answer_parts(service: ServiceResult, kinds: Sequence[str], age: int | None,
                  practitioner: bool) -> tuple[list[str], list[str]]:
    """What the record says for each detail asked, and the details it does not say."""
    known: list[str] = []
    unknown: list[str] = []
    if ABOUT in kinds:
        known.append(service.description)
    if any(k in kinds for k in (PHONE, WEB, EMAIL)):
        known += _contact(service, kinds)
    if HOURS in kinds:
        if service.hours:
            known.append(f"Open: {service.hours}")
        else:
            unknown.append("when they're open")
    if COST in kinds:
        if _FREE.search(f"{service.description} {service.eligibility or ''}"):
            known.append("The listing says it's free.")
        else:
            unknown.append("whether there's a cost")
    if REFERRAL in kinds:
        known += _referral(service, practitioner)
    if ELIGIBILITY in kinds:
        known.append(_eligibility(service, age))
    if OTHER in kinds:
        unknown.append("that")
    if WHERE in kinds:
        area = ("anywhere in England" if "national" in service.districts else
                "all of Essex" if "all" in service.districts else
                ", ".join(service.districts))
        known.append(f"It covers {area}.")
        unknown.append("where they meet or whether they visit at home")
    return known, unknown


def answer(service: ServiceResult, kinds: Sequence[str], age: int | None = None,
           practitioner: bool = False) -> str:
    """One service's answer to the question, in short lines, from its record only."""
    return "\n".join(answers([service], kinds, age, practitioner))


def answers(services: Sequence[ServiceResult], kinds: Sequence[str], age: int | None = None,
            practitioner: bool = False) -> list[str]:
    """The messages that answer a question about these services: what each record says,
    then, once, what the records do not say, with how to ask them."""
    kinds = list(kinds) or [PHONE, REFERRAL]
    messages, missing = [], {}
    for service in services:
        known, unknown = _answer_parts(service, kinds, age, practitioner)
        if known:
            messages.append("\n".join([service.title] + known))
        for what in unknown:
            missing.setdefault(what, []).append(service)
    if missing:
        whats = list(missing)
        said = whats[0] if len(whats) == 1 else ", ".join(whats[:-1]) + " or " + whats[-1]
        unsaid = list({s.id: s for group in missing.values() for s in group}.values())
        where = "The listing doesn't" if len(unsaid) == 1 else "The listings don't"
        lines = [f"{where} say {said}. You can ask them:"]
        for service in unsaid:
            contact = _contact(service, [])[0]
            lines.append(f"- {service.title}: " + (contact[len("Contact: "):] if
                                                   contact.startswith("Contact: ") else
                                                   "no contact listed yet."))
        messages.append("\n".join(lines))
    return messages


def _referral(service: ServiceResult, practitioner: bool) -> list[str]:
    selfref = _route(service, "self_referral")
    prof = _route(service, "professional_referral")
    form = _route(service, "online_form")
    out = []
    if practitioner and prof:
        out.append(f"How to refer: {prof.get('instructions') or 'route to be confirmed'}")
    if selfref and selfref.get("instructions"):
        out.append(f"Self-referral: {selfref['instructions']}")
    if form:
        out.append("Online form: " + (form.get("url") or form.get("instructions")
                                      or "link to be confirmed"))
    if not practitioner and prof and not selfref:
        out.append(f"Referral: {prof.get('instructions') or 'through a professional'}")
    if not out:
        out.append("How to be referred isn't listed, so contact them directly. "
                   + GENERAL_ROUTE)
    return out

