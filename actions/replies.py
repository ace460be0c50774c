"""How services and routes are worded for residents and for practitioners (pure functions)."""
from __future__ import annotations

from bot import fallbacks
from services_directory.districts import OUTSIDE, UNITARY
from services_directory.search import ServiceResult
from signpost.help_lines import line
from signpost.needs import get_need

IAMABOT = (
    "I'm an automated assistant, not a person. I can point you to local services, but I "
    "can't give medical advice. For a person to talk to, call NHS 111, or Samaritans on "
    f"{line('samaritans').label} at any time."
)
UNCONFIRMED = "No phone number or website listed yet."
GENERAL_ROUTE = fallbacks.GENERAL_ROUTE  # GP practice / social prescriber, NHS 111
ASK_NEED = "What would you like help with? Tell me in your own words."
ASK_PLACE_AND_AGE = (
    "So I can find services near you: which town or area of Essex do you live in, and "
    "roughly how old are you? (You can say 'rather not say'.)"
)
ASK_PLACE = "And which town or area of Essex do you live in? (Or say 'rather not say'.)"
POSTCODE_UNKNOWN = ("I couldn't find that postcode. Could you check it, or tell me the town or "
                    "village instead?")
UNRECOGNISED_PLACE = ("I didn't recognise that as a place in Essex, so I'll include services "
                      "that cover the whole county.")


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


def title(service: ServiceResult) -> str:
    """'Name (Provider)', without repeating a provider the name already gives."""
    name, org = service.name.casefold(), service.organization.casefold()
    if org in name or name in org:
        return service.name if org in name else service.organization
    return f"{service.name} ({service.organization})"


def resident_card(service: ServiceResult) -> str:
    route = _route(service, "self_referral") or (service.referral_routes or [None])[0]
    lines = [title(service), service.description,
             contact_line(service)]
    if service.hours:
        lines.append(f"Open: {service.hours}")
    if route and route.get("instructions"):
        lines.append(f"How to get in touch: {route['instructions']}")
    if service.eligibility:
        lines.append(f"Who it's for: {service.eligibility}")
    checked = last_checked(service)
    if checked:
        lines.append(checked)
    return "\n".join(lines)


def closing(services: list[ServiceResult], also_need: str | None = None) -> str:
    """The line after the cards: the general route once, if a card has no direct contact,
    and the second need the person mentioned, if any."""
    ask = "What would you like to do next?"
    if also_need:
        ask = (f"You also mentioned {get_need(also_need).label.lower()}: tap below for services "
               f"for that too.\n{ask}")
    if all(s.contact_confirmed for s in services):
        return ask
    return f"Where no contact is listed: {GENERAL_ROUTE[0].lower()}{GENERAL_ROUTE[1:]}\n{ask}"


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
    lines = [title(service), service.description]
    prof = _route(service, "professional_referral")
    form = _route(service, "online_form")
    selfref = _route(service, "self_referral")
    if prof:
        lines.append(f"How to refer: {prof.get('instructions') or 'route to be confirmed'}")
    if form:
        where = form.get("url") or "form link to be confirmed by the commissioner"
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


def intro(need: str, district: str | None, practitioner: bool, more: bool = False) -> str:
    label = get_need(need).label.lower()
    if district == OUTSIDE:
        return (f"That's outside Essex, so I can only list national services for {label} "
                "(your own council or GP practice can tell you about local ones):")
    if district in UNITARY and not more:
        return (f"{district} has its own council services, separate from Essex County "
                f"Council's. Here are theirs and national ones for {label}:")
    where = f" in {district}" if district and district != "unknown" else " across Essex"
    if practitioner:
        head = "More referral routes" if more else "Referral routes"
        return f"{head} for {label}{where}:"
    head = "Here are more services" if more else "Here are services"
    return f"{head} that can help with {label}{where}:"
