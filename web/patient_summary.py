"""The "send to patient" list: which services were chosen (`s` parameters, by slug) and the
list as plain text for copying into a letter or message. Nothing about the patient is taken,
stored or logged: the page is built from the directory alone.
"""
from __future__ import annotations

from services_directory.search import ServiceResult
from signpost import help_lines

MAX_SERVICES = 10
MAX_SLUG = 100
NO_CONTACT = ("We do not have a phone number or website for this service yet. Your GP practice "
              "or social prescriber can help you get in touch.")


def chosen_slugs(values: list[str]) -> list[str]:
    """The chosen slugs in order, each once. ValueError (with the reason to show) when there
    are none or more than MAX_SERVICES."""
    slugs = list(dict.fromkeys(v.strip() for v in values if v and v.strip()))
    if not slugs:
        raise ValueError("Choose at least one service for the patient list")
    if len(slugs) > MAX_SERVICES:
        raise ValueError(f"Choose {MAX_SERVICES} services or fewer for one patient list "
                         f"(you chose {len(slugs)})")
    return slugs


def self_referral(service: ServiceResult) -> str | None:
    """What the patient can do themselves to start, when the directory says."""
    for route in service.referral_routes:
        if route["kind"] == "self_referral" and route["instructions"]:
            return route["instructions"]
    return None


def contact_lines(service: ServiceResult) -> list[str]:
    if not service.contact_confirmed:
        return [NO_CONTACT]
    lines = []
    if service.contact_phone:
        lines.append(f"Phone: {service.contact_phone}")
    if service.contact_url:
        lines.append(f"Website: {service.contact_url}")
    if service.contact_email:
        lines.append(f"Email: {service.contact_email}")
    return lines


def checked_text(service: ServiceResult) -> str:
    return service.checked_month or "not yet checked"


def summary_text(services: list[ServiceResult]) -> str:
    """The list as plain text, in the same words as the page."""
    parts = ["Services that may help you", ""]
    for number, service in enumerate(services, start=1):
        parts.append(f"{number}. {service.name}")
        parts.append(service.description)
        parts.append("How to get in touch:")
        parts += [f"  {line}" for line in contact_lines(service)]
        start = self_referral(service)
        if start:
            parts.append(f"How to start: {start}")
        if service.hours:
            parts.append(f"Opening hours: {service.hours}")
        parts.append(f"Details last checked: {checked_text(service)}")
        parts.append("")
    parts.append(help_lines.help_now_text())
    return "\n".join(parts)
