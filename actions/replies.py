"""How services and routes are worded for residents and for practitioners (pure functions)."""
from __future__ import annotations

import re

from bot import fallbacks, who_for
from services_directory.districts import OUTSIDE, UNITARY
from services_directory.search import ServiceResult
from signpost import other_help
from signpost.help_lines import HelpLine, line
from signpost.needs import get_need

IAMABOT = (
    "I'm an automated assistant, not a person. I can point you to local services, but I "
    "can't give medical advice. For a person to talk to, call NHS 111, or Samaritans on "
    f"{line('samaritans').label} at any time."
)
UNCONFIRMED = "No phone number or website listed yet."
GENERAL_ROUTE = fallbacks.GENERAL_ROUTE  # GP practice / social prescriber, NHS 111
ASK_NEED = "What would you like help with? Tell me in your own words."
ASK_PLACE_FOR_NEAR = "Which town or area do you live in? Then I can look for services near you."
CANNOT_REFER = "I can't make referrals myself, but here is how to get in touch:"
AFTER_ANSWER = "Is there anything else you'd like to know?"
AFTER_ANSWER_BUTTONS = [
    {"title": "Something else", "payload": "/something_else"},
    {"title": "Start again", "payload": "/restart"},
]
NOTHING_SHOWN_YET = ("Let me find some services first. Then you can ask me about them.")
WHICH_SERVICE = ("I can find the right one. Tell me a little about what you'd like help with, "
                 "or the name of the service.")
OUT_OF_SCOPE = (
    "I help with health and wellbeing. That means things like feeling lonely, stress, "
    "weight, getting active, drink, drugs, smoking, caring for someone, being a parent, work "
    "or living at home. For bins, council tax or parking, please ask your local council. "
    "Or go to https://www.essex.gov.uk"
)
AFTER_BEREAVEMENT = "Thank you. Grief can make you feel lonely, so I'll look for support near you."
AFTER_OTHER_HELP = ("Thank you. The help above covers all of Essex. Is there anything else I "
                    "can help with, like how you're feeling?")
OTHER_HELP_BUTTONS = [
    {"title": "Support for how I'm feeling", "payload": "/mental_wellbeing"},
    {"title": "Something else", "payload": "/something_else"},
]


def ask_place_and_age(person: str | None, age_known: bool) -> str:
    """The one question for place and age, about whoever the help is for."""
    them = who_for.your_them(person)
    if not them:
        return ASK_PLACE if age_known else ASK_PLACE_AND_AGE
    they = who_for.pronoun(person)
    does, is_ = ("do", "are") if they == "they" else ("does", "is")
    if age_known:
        return f"Which town or area of Essex {does} {they} live in? (Or say 'rather not say'.)"
    return (f"So I can find services near {them}: which town or area of Essex {does} {they} "
            f"live in, and roughly how old {is_} {they}? (You can say 'rather not say'.)")


def ask_age(person: str | None) -> str:
    them = who_for.your_them(person)
    if not them:
        return ASK_AGE
    is_ = "are" if who_for.pronoun(person) == "they" else "is"
    return (f"And roughly how old {is_} {who_for.pronoun(person)}? An age or a life stage "
            "like 'retired' is fine, or say 'rather not say'.")


def line_answer(help_line: HelpLine) -> str:
    return help_line.as_text()


def other_help_text(topic_ids: tuple[str, ...] | list[str], age: int | None) -> str:
    """Money, food, energy, housing or grief: who can help, then what the assistant can add."""
    topics = [other_help.topics()[t] for t in topic_ids]
    labels = " or ".join(t.label for t in topics)
    pointers = "\n".join(other_help.pointers_text(t.id, age) for t in topics)
    return (f"I'm sorry you're dealing with this. I can't help with {labels} myself. "
            f"These can:\n{pointers}\nIf it's getting you down, I can also find local "
            "support for how you feel.")


def bereavement_first(age: int | None) -> str:
    return ("I'm so sorry for your loss. These can help with grief:\n"
            + other_help.pointers_text("bereavement", age)
            + "\nI can also find local support. Is it mainly about feeling lonely, or how "
            "you're feeling in yourself?")


def also_other_help(topic_ids: list[str], age: int | None) -> str:
    """After the cards: the other worries the person mentioned, with who can help."""
    if not topic_ids:
        return ""
    topics = [other_help.topics()[t] for t in topic_ids if t in other_help.topics()]
    return "".join(f"You also mentioned {t.label}. These can help:\n"
                   f"{other_help.pointers_text(t.id, age)}\n" for t in topics)


ASK_PLACE_AND_AGE = (
    "So I can find services near you: which town or area of Essex do you live in, and "
    "roughly how old are you? (You can say 'rather not say'.)"
)
ASK_PLACE = "And which town or area of Essex do you live in? (Or say 'rather not say'.)"
POSTCODE_UNKNOWN = ("I couldn't find that postcode. Could you check it, or tell me the town or "
                    "village instead?")
UNRECOGNISED_PLACE = "I didn't know that place, so I'll show services for the whole of Essex."


def which_area(candidates: tuple[str, ...]) -> tuple[str, list[dict]]:
    """An outward code that spans several council areas: ask, never guess. The buttons send
    the area's name as typed text, which the place reader understands."""
    names = list(candidates)
    listed = ", ".join(names[:-1]) + f" and {names[-1]}"
    return (f"That postcode area covers parts of {listed}. Which one do you live in? "
            "(Or tell me your full postcode or your town.)",
            [{"title": name, "payload": name} for name in names])
ASK_AGE = (
    "And roughly how old are you (or the person you're asking for)? An age or a life stage "
    "like 'retired' or 'teenager' is fine, or say 'rather not say'."
)
REPHRASE = (
    "Sorry, I didn't quite understand. Could you say it another way? For example: "
    "'I feel lonely', 'I want to stop smoking' or 'I look after my dad'."
)
HUMAN_ROUTE = (
    "I'm sorry I'm not getting this right. You can talk to a person: your GP practice can put "
    "you in touch with a social prescriber (link worker), or call NHS 111 for health advice. "
    "For council services, see https://www.essex.gov.uk. If you need help now, call "
    f"Samaritans on {line('samaritans').label} at any time."
)
HUMAN_ROUTE_BUTTONS = [
    {"title": "What can you help with?", "payload": "/what_can_you_do"},
    {"title": "Start again", "payload": "/restart"},
]
NAV_BUTTONS = [
    {"title": "More options", "payload": "/more_options"},
    {"title": "Something else", "payload": "/something_else"},
    {"title": "Start again", "payload": "/restart"},
]


def _route(service: ServiceResult, kind: str) -> dict | None:
    return next((r for r in service.referral_routes if r.get("kind") == kind), None)


def contact_line(service: ServiceResult) -> str:
    """How to get in touch today. Never invented: with nothing recorded, say so (the
    general route, GP or NHS 111, is given once per answer by `closing`)."""
    parts = []
    if service.contact_phone:
        parts.append(f"phone {service.contact_phone}")
    if service.contact_email:
        parts.append(f"email {service.contact_email}")
    if service.contact_url:
        parts.append(service.contact_url)
    if parts:
        line = "Contact: " + ", ".join(parts) + "."
        return f"{line} {service.contact_note}" if service.contact_note else line
    note = service.contact_note or UNCONFIRMED
    return note if note.endswith(".") else note + "."


def last_checked(service: ServiceResult) -> str | None:
    """'Last checked: December 2026' from the date the details were assured."""
    return f"Last checked: {service.checked_month}" if service.checked_month else None


def _how_to_contact(service: ServiceResult, route: dict | None) -> list[str]:
    """Each contact detail once: the route's instructions when they already give the
    number or address, with only what they leave out on a contact line."""
    instructions = (route or {}).get("instructions") or ""
    details = [d for d in (service.contact_phone, service.contact_email, service.contact_url)
               if d]
    left_out = [d for d in details if d not in instructions]
    if instructions and len(left_out) < len(details):
        extra = f" Also: {', '.join(left_out)}." if left_out else ""
        return [f"How to get in touch: {instructions}{extra}"]
    lines = [contact_line(service)]
    if instructions:
        lines.append(f"How to get in touch: {instructions}")
    return lines


# Notes for practitioners and commissioners inside descriptions: "(named in the strategy as
# the Befriending Scheme)", "Not named in the strategy: ...". Residents' cards leave them out.
_STRATEGY_NOTE = re.compile(r"(?i)\s*\(named in the strategy[^)]*\)"
                            r"|\s*Not named in the strategy:[^.]*\.")


def resident_description(service: ServiceResult) -> str:
    return _STRATEGY_NOTE.sub("", service.description).replace("..", ".").strip()


def resident_card(service: ServiceResult) -> str:
    route = _route(service, "self_referral") or (service.referral_routes or [None])[0]
    lines = [service.title, resident_description(service)] + \
        _how_to_contact(service, route)
    if service.hours:
        lines.append(f"Open: {service.hours}")
    if service.eligibility:
        lines.append(f"Who it's for: {service.eligibility}")
    checked = last_checked(service)
    if checked:
        lines.append(checked)
    return "\n".join(lines)


# The chat widget's compact cards. The text cards above stay the message every REST client
# reads; this data rides beside them as Rasa's `custom` payload (docs/web.md). Directory facts
# only, nothing about the person.
SUMMARY_CHARS = 160


def one_line(service: ServiceResult) -> str:
    """The description's first sentence, for a compact card."""
    text = resident_description(service)
    first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    return first if len(first) <= SUMMARY_CHARS else first[:SUMMARY_CHARS - 1].rstrip() + "\u2026"


def main_contact(service: ServiceResult) -> dict | None:
    """The one contact to tap on a compact card: phone, else website, else email."""
    for kind, value in (("phone", service.contact_phone), ("web", service.contact_url),
                        ("email", service.contact_email)):
        if value:
            return {"kind": kind, "value": value}
    return None


def who_for_line(service: ServiceResult) -> str | None:
    if service.eligibility:
        return service.eligibility
    lo, hi = service.minimum_age, service.maximum_age
    if lo is not None and hi is not None:
        return f"Ages {lo} to {hi}."
    if lo is not None:
        return f"Ages {lo} and over."
    return f"Ages up to {hi}." if hi is not None else None


def resident_card_data(service: ServiceResult) -> dict:
    return {"signpost": "service", "id": service.id, "slug": service.slug,
            "title": service.title, "summary": one_line(service),
            "contact": main_contact(service),
            "no_contact": None if main_contact(service) else contact_line(service),
            "who_for": who_for_line(service)}


def results_summary(need: str, district: str | None, count: int, more: bool) -> dict:
    """What the widget announces instead of reading every card: '3 services found for
    loneliness in Tendring'."""
    label = get_need(need).label.lower()
    where = ("" if not district or district == "unknown" else
             " (national services)" if district == OUTSIDE else f" in {district}")
    noun = "service" if count == 1 else "services"
    found = f"{count} more {noun}" if more else f"{count} {noun}"
    return {"signpost": "services", "count": count,
            "summary": f"{found} found for {label}{where}"}


HELPFUL_QUESTION = "Was this helpful? You can also ask me about these, like when they're open."
HELPFUL_BUTTONS = [
    {"title": "Yes", "payload": "/helpful_yes"},
    {"title": "No", "payload": "/helpful_no"},
]


def closing(services: list[ServiceResult], also_need: str | None = None,
            other_topics: list[str] | None = None, age: int | None = None) -> str:
    """The one message after the cards: the general route once (if a card has no direct
    contact), the other things the person mentioned, and one question."""
    lines = []
    if not all(s.contact_confirmed for s in services):
        lines.append(f"Where no contact is listed: {GENERAL_ROUTE[0].lower()}{GENERAL_ROUTE[1:]}")
    if also_need:
        lines.append(f"You also mentioned {get_need(also_need).label.lower()}: tap below for "
                     "services for that too.")
    extra = also_other_help(other_topics or [], age)
    if extra:
        lines.append(extra.rstrip("\n"))
    return "\n".join(lines + [HELPFUL_QUESTION])


def closing_buttons(also_need: str | None, has_more: bool) -> list[dict]:
    nav = NAV_BUTTONS[:2] if has_more else NAV_BUTTONS[1:2]
    return also_buttons(also_need) + HELPFUL_BUTTONS + nav


def also_buttons(also_need: str | None) -> list[dict]:
    return [{"title": f"Also: {get_need(also_need).label}", "payload": f"/{also_need}"}] \
        if also_need else []


def clarify_question(first: str, second: str) -> str:
    return (f"I want to get this right. Is it mainly about {get_need(first).label.lower()}, "
            f"or {get_need(second).label.lower()}?")


def clarify_buttons(first: str, second: str) -> list[dict]:
    return [{"title": get_need(n).label, "payload": f"/{n}"} for n in (first, second)] \
        + [{"title": "Something else", "payload": "/something_else"}]


def practitioner_card(service: ServiceResult) -> str:
    lines = [service.title, service.description]
    prof = _route(service, "professional_referral")
    form = _route(service, "online_form")
    selfref = _route(service, "self_referral")
    if prof:
        lines.append(f"How to refer: {prof.get('instructions') or 'route to be confirmed'}")
    if form:
        where = form.get("url") or "form link to be confirmed"
        lines.append(f"Online form: {form.get('instructions') or ''} {where}".strip())
    if selfref:
        lines.append(f"Self-referral: {selfref.get('instructions')}")
    if service.eligibility:
        lines.append(f"Eligibility: {service.eligibility}")
    lines.append(contact_line(service))
    if service.hours:
        lines.append(f"Open: {service.hours}")
    if service.jhws_actions:
        lines.append("JHWS actions: " + ", ".join(service.jhws_actions))
    checked = last_checked(service)
    if checked:
        lines.append(checked)
    return "\n".join(lines)


def intro(need: str, district: str | None, practitioner: bool, more: bool = False,
          person: str | None = None, services: list[ServiceResult] | None = None) -> str:
    label = get_need(need).label.lower()
    them = who_for.your_them(person) if not practitioner else None
    if district == OUTSIDE:
        return (f"That's outside Essex, so I can only list national services for {label} "
                "(your own council or GP practice can tell you about local ones):")
    if district in UNITARY and not more:
        if services is not None and not any(district in s.districts for s in services):
            return (f"{district} has its own council, and I don't have its local services "
                    f"for {label}. Here are national ones (your GP practice or {district} "
                    "council can tell you about local ones):")
        return (f"{district} has its own council services, separate from Essex County "
                f"Council's. Here are theirs and national ones for {label}:")
    where = f" in {district}" if district and district != "unknown" else " across Essex"
    if practitioner:
        head = "More referral routes" if more else "Referral routes"
        return f"{head} for {label}{where}:"
    head = "Here are more services" if more else "Here are services"
    if them:
        return f"{head} that could help {them} with {label}{where}:"
    return f"{head} that can help with {label}{where}:"


def nothing_found(district: str | None) -> str:
    """No service at all for this need, place and age."""
    if district in UNITARY:
        return (f"{district} has its own council, and I don't have a service of theirs, or a "
                "national one, for this.")
    return "I couldn't find a service for that in the directory."


def talk_to_person(phones: list[ServiceResult]) -> str:
    """Real people to talk to: services just shown that have a phone, the GP practice's
    social prescriber, NHS 111 and Samaritans."""
    lines = ["I'm sorry I haven't been more help. I'm a computer, so I can't put you "
             "through, but these are real people you can talk to:"]
    for service in phones:
        hours = f" (open {service.hours})" if service.hours else ""
        lines.append(f"- {service.title}: phone {service.contact_phone}{hours}.")
    lines += [f"- {GENERAL_ROUTE}",
              f"- Samaritans: call {line('samaritans').label}, free, any time, if you want to "
              "talk to someone now."]
    return "\n".join(lines)
