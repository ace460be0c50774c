"""Server-rendered pages: the resident chat page, practitioner search, accessibility
statement and /healthz.

The practitioner pages work without JavaScript: a GET form whose result URLs can be
shared or bookmarked, and one page per service. Everything is rendered by Jinja with
autoescaping on; links from the directory go through `safe_url` so that a record can
never carry a javascript: address onto the page.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from sqlalchemy.exc import SQLAlchemyError

from services_directory.districts import DISTRICTS
from services_directory.search import count_services, get_service, search_services
from signpost.db import session_scope
from signpost.needs import measures, needs

log = logging.getLogger(__name__)
bp = Blueprint("pages", __name__)

PAGE_SIZE = 10
MAX_AGE = 120
MAX_TEXT = 200
SEARCH_PARAMS = ("need", "district", "age", "q", "page")
ROUTE_LABELS = {
    "professional_referral": "How to refer",
    "online_form": "Online referral form",
    "self_referral": "Self-referral",
}


def _security_headers(response: Response) -> Response:
    """Defence in depth for our pages: even if escaping failed somewhere, no inline or
    third-party script could run. connect-src lets the widget reach Rasa."""
    rasa = urlsplit(current_app.config.get("RASA_URL") or "")
    rasa_origin = f"{rasa.scheme}://{rasa.netloc}" if rasa.scheme and rasa.netloc else ""
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self' {rasa_origin}; frame-ancestors 'none'; base-uri 'none'; "
        "form-action 'self'; object-src 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


bp.after_request(_security_headers)


@bp.app_template_filter("safe_url")
def safe_url(value: str | None) -> str | None:
    """The address if it is a plain web address, else None (so no link is made)."""
    if not value:
        return None
    parts = urlsplit(value.strip())
    return value.strip() if parts.scheme in ("http", "https") and parts.netloc else None


@bp.app_template_filter("for_practitioners")
def for_practitioners(routes: list[dict]) -> list[dict]:
    """Professional referral first, then the form, then self-referral."""
    order = list(ROUTE_LABELS)
    return sorted(routes, key=lambda r: order.index(r["kind"]) if r["kind"] in order else 99)


@bp.app_template_filter("tel")
def tel(value: str) -> str:
    return "tel:" + "".join(ch for ch in value if ch.isdigit() or ch == "+")


# --- resident pages -----------------------------------------------------------------------

@bp.get("/")
def home():
    return render_template("home.html", rasa_url=current_app.config["RASA_URL"],
                           exit_url=current_app.config["QUICK_EXIT_URL"])


@bp.get("/accessibility")
def accessibility():
    return render_template("accessibility.html")


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


# --- practitioner search ------------------------------------------------------------------

def need_choices() -> list[tuple[str, str]]:
    # out_of_scope is the bot's "not something we cover": it has no services.
    return [(n.id, n.label) for n in needs().values() if n.id != "out_of_scope"]


@dataclass
class Search:
    need: str = ""
    district: str = ""
    age: str = ""
    q: str = ""
    page: int = 1

    def args(self, page: int | None = None) -> dict[str, str | int]:
        """Query arguments for a link to this search (empty ones left out)."""
        out: dict[str, str | int] = {k: v for k, v in
                                     (("need", self.need), ("district", self.district),
                                      ("age", self.age), ("q", self.q)) if v}
        if (page or self.page) > 1:
            out["page"] = page or self.page
        return out


def _digits(value: str) -> bool:
    """Only 0-9: str.isdigit() also accepts "²", which int() refuses."""
    return value.isascii() and value.isdigit() and len(value) <= 9


def parse_search(args) -> tuple[Search, list[tuple[str, str]]]:
    """The form's values, and (field id, message) for each one that is wrong."""
    form = Search(**{k: (args.get(k) or "").strip() for k in ("need", "district", "age", "q")})
    errors: list[tuple[str, str]] = []
    if not form.need:
        errors.append(("need", "Select what the person needs help with"))
    elif form.need not in dict(need_choices()):
        errors.append(("need", "Select a need from the list"))
    if form.district and form.district not in DISTRICTS:
        errors.append(("district", "Select a district from the list, or all of Essex"))
    if form.age and not (_digits(form.age) and 0 <= int(form.age) <= MAX_AGE):
        errors.append(("age", f"Age must be a whole number from 0 to {MAX_AGE}"))
    if len(form.q) > MAX_TEXT:
        errors.append(("q", f"Keywords must be {MAX_TEXT} characters or fewer"))
    page = (args.get("page") or "1").strip()
    if not (_digits(page) and 1 <= int(page) <= 10_000):
        errors.append(("page", "Page must be a whole number from 1"))
    else:
        form.page = int(page)
    return form, errors


def _page(template: str, status: int = 200, **context):
    context.setdefault("need_labels", dict(needs()))
    context.setdefault("measures", measures())
    return render_template(template, route_labels=ROUTE_LABELS, **context), status


def _directory_down():
    log.exception("practitioner pages: directory unavailable")
    return _page("practitioners.html", 503, form=Search(), errors=[], searched=False,
                 needs=need_choices(), districts=DISTRICTS, unavailable=True)


@bp.get("/practitioners")
def practitioners():
    searched = any(k in request.args for k in SEARCH_PARAMS)
    form, errors = parse_search(request.args) if searched else (Search(), [])
    context = {"form": form, "errors": errors, "searched": searched,
               "needs": need_choices(), "districts": DISTRICTS}
    if not searched or errors:
        return _page("practitioners.html", 400 if errors else 200, **context)
    filters = {"need": form.need, "district": form.district or None,
               "age": int(form.age) if form.age else None, "audience": "practitioner"}
    try:
        with session_scope(current_app.config["DATABASE_URL"]) as s:
            total = count_services(s, **filters)
            results = search_services(s, text=form.q or None, limit=PAGE_SIZE,
                                      offset=(form.page - 1) * PAGE_SIZE, **filters)
    except SQLAlchemyError:
        return _directory_down()
    pages = max(1, -(-total // PAGE_SIZE))
    return _page("practitioners.html", results=results, total=total, pages=pages,
                 first=(form.page - 1) * PAGE_SIZE + 1, **context)


@bp.get("/practitioners/services/<service_id>")
def practitioner_service(service_id: str):
    try:
        with session_scope(current_app.config["DATABASE_URL"]) as s:
            service = get_service(s, service_id)
    except SQLAlchemyError:
        return _directory_down()
    # An unknown id gets the same page layout (with the help panel), status 404.
    return _page("practitioners_service.html", 404 if service is None else 200, service=service)
