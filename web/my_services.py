"""/my-services?s=<slug>&s=<slug>...: the services a resident was shown in the chat, to print,
copy or open again later ("Save or print these services" in the widget).

The address carries only the services' ids (their slugs, as on the service pages): no words
from the conversation and nothing about the person. The page is built from the directory
alone and sent with no-store. A blueprint nested in web.pages, so it gets the same security
headers.
"""
from __future__ import annotations

import logging

from flask import (
    Blueprint,
    Response,
    current_app,
    make_response,
    render_template,
    request,
    url_for,
)
from sqlalchemy.exc import SQLAlchemyError

from services_directory.search import get_service
from signpost.db import session_scope
from web.patient_summary import (
    MAX_SERVICES,
    MAX_SLUG,
    NO_CONTACT,
    checked_text,
    self_referral,
    summary_text,
)
from web.practitioner_links import service_ids_by_slug

log = logging.getLogger(__name__)
bp = Blueprint("my_services", __name__)


def chosen(values: list[str]) -> list[str]:
    """The services' slugs in order, each once; ValueError with the reason to show."""
    slugs = list(dict.fromkeys(v.strip() for v in values if v and v.strip()))
    if not slugs:
        raise ValueError("This link has no services in it. Go back to the chat and choose "
                         "\u201cSave or print these services\u201d again")
    if len(slugs) > MAX_SERVICES:
        raise ValueError(f"This link has {len(slugs)} services; it can hold up to "
                         f"{MAX_SERVICES}")
    if any(len(s) > MAX_SLUG for s in slugs):
        raise ValueError("This link is not one the chat made. Go back to the chat and choose "
                         "\u201cSave or print these services\u201d again")
    return slugs


def _render(status: int, **context) -> Response:
    response = make_response(render_template(
        "my_services.html", no_contact=NO_CONTACT, self_referral=self_referral,
        checked_text=checked_text, **context), status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/my-services")
def show() -> Response:
    try:
        slugs = chosen(request.args.getlist("s"))
    except ValueError as exc:
        return _render(400, problem=str(exc))
    try:
        with session_scope(current_app.config["DATABASE_URL"]) as s:
            ids = service_ids_by_slug(s, slugs)
            services = [get_service(s, ids[slug]) for slug in slugs if slug in ids]
    except SQLAlchemyError:
        log.exception("my services: directory unavailable")
        return _render(503, problem="The services directory cannot be reached just now. "
                                    "Please try this link again later")
    services = [svc for svc in services if svc is not None]
    if not services:
        return _render(404, problem="None of the services in this link are in the directory "
                                    "any more. Go back to the chat to find others")
    missing = len(slugs) - len(services)
    return _render(200, services=services, missing=missing, text=summary_text(services),
                   link=url_for("pages.my_services.show", s=[x.slug for x in services],
                                _external=True))
