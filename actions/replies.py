"""How services and routes are worded for residents and for practitioners (pure functions)."""
from __future__ import annotations

from bot import fallbacks
from services_directory.search import ServiceResult
from signpost.help_lines import line
from signpost.needs import get_need

IAMABOT = (
    "I'm an automated assistant, not a person. I can point you to local services, but I "
    "can't give medical advice. For a person to talk to, call NHS 111, or Samaritans on "
    f"{line('samaritans').label} at any time."
)
UNCONFIRMED = "Contact details to be confirmed by the commissioner."
GENERAL_ROUTE = fallbacks.GENERAL_ROUTE  # GP practice / social prescriber, NHS 111
ASK_NEED = "What would you like help with? Tell me in your own words."
ASK_PLACE_AND_AGE = (
    "So I can find services near you: which town or area of Essex do you live in, and "
    "roughly how old are you? (You can say 'rather not say'.)"
)
ASK_PLACE = "And which town or area of Essex do you live in? (Or say 'rather not say'.)"
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
    parts = []
    if service.contact_phone:
        parts.append(f"phone {service.contact_phone}")
    if service.contact_email:
        parts.append(f"email {service.contact_email}")
    if service.contact_url:
        parts.append(service.contact_url)
    if parts:
        return "Contact: " + ", ".join(parts) + "."
    # Never invent details: say honestly that they are not confirmed, and give the general route.
    note = service.contact_note or UNCONFIRMED
    return f"{note.rstrip('.')}. {GENERAL_ROUTE}"


def resident_card(service: ServiceResult) -> str:
    route = _route(service, "self_referral") or (service.referral_routes or [None])[0]
    lines = [f"{service.name} ({service.organization})", service.description]
    if route and route.get("instructions"):
        lines.append(f"How to get in touch: {route['instructions']}")
    lines.append(contact_line(service))
    if service.eligibility:
        lines.append(f"Who it's for: {service.eligibility}")
    return "\n".join(lines)


def practitioner_card(service: ServiceResult) -> str:
    lines = [f"{service.name} ({service.organization})", service.description]
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
    if service.jhws_actions:
        lines.append("JHWS actions: " + ", ".join(service.jhws_actions))
    return "\n".join(lines)


def intro(need: str, district: str | None, practitioner: bool, more: bool = False) -> str:
    label = get_need(need).label.lower()
    where = f" in {district}" if district and district != "unknown" else " across Essex"
    if practitioner:
        head = "More referral routes" if more else "Referral routes"
        return f"{head} for {label}{where}:"
    head = "Here are more services" if more else "Here are services"
    return f"{head} that can help with {label}{where}:"
