"""Server-rendered pages: the resident chat page, practitioner search, the patient list,
accessibility statement and /healthz (and, nested, the commissioners' directory freshness).

The practitioner pages work without JavaScript: a GET form whose result URLs can be shared
or bookmarked, one page per service (/practitioners/services/<slug>), and a patient list
(/practitioners/summary?s=<slug>...) from ticked results. The need comes from the
practitioner's own words (services_directory/need_finder.py) unless chosen from the list;
the place from a town, district or postcode (web/place_finder.py). When either is unclear
the page asks, with links, instead of guessing. Everything is rendered by Jinja with
autoescaping on; links from the directory go through `safe_url` so that a record can never
carry a javascript: address onto the page.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy.exc import SQLAlchemyError

from services_directory.ids import is_uuid
from services_directory.need_finder import MAX_TEXT, NOT_COVERED, find_need
from services_directory.search import count_services, get_service, search_services
from signpost.circumstances import detect as detect_circumstances
from signpost.db import session_scope
from signpost.needs import measures, needs
from web.freshness_page import bp as freshness_bp
from web.my_services import bp as my_services_bp
from web.patient_summary import (
    MAX_SERVICES,
    MAX_SLUG,
    NO_CONTACT,
    checked_text,
    chosen_slugs,
    self_referral,
    summary_text,
)
from web.place_finder import Place, UnknownPlace, find_place, place_label
from web.practitioner_links import back_url, clean_back, service_ids_by_slug

log = logging.getLogger(__name__)
bp = Blueprint("pages", __name__)

PAGE_SIZE = 10
MAX_AGE = 120
FORM_PARAMS = ("q", "need", "where", "age")
# Every parameter a search URL may carry; "district" is the field before "where" (old links).
SEARCH_PARAMS = (*FORM_PARAMS, "district", "page")
BACK_PARAMS = (*FORM_PARAMS, "page")  # what a "Back to results" link may keep
FIELD_ORDER = ("q", "need", "where", "age", "page")  # the error summary follows the form
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
bp.register_blueprint(freshness_bp)  # /commissioners/directory-freshness
bp.register_blueprint(my_services_bp)  # /my-services: a resident's services, by id only


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
    return [(n.id, n.label) for n in needs().values() if n.id != NOT_COVERED]


@dataclass
class Search:
    q: str = ""  # what the person needs help with, in the practitioner's words
    need: str = ""  # a need id chosen from the list (overrides the words)
    where: str = ""  # a town, district or postcode
    age: str = ""
    page: int = 1

    def args(self, page: int | None = None, **changes: str) -> dict[str, str | int]:
        """Query arguments for a link to this search (empty ones left out), with `changes`."""
        values = {"q": self.q, "need": self.need, "where": self.where, "age": self.age,
                  **changes}
        out: dict[str, str | int] = {k: v for k, v in values.items() if v}
        if (page or self.page) > 1:
            out["page"] = page or self.page
        return out

    def query_string(self) -> str:
        return urlencode(self.args())


def _digits(value: str) -> bool:
    """Only 0-9: str.isdigit() also accepts "²", which int() refuses."""
    return value.isascii() and value.isdigit() and len(value) <= 9


def parse_search(args) -> tuple[Search, list[tuple[str, str]]]:
    """The form's values, and (field id, message) for each one that is wrong."""
    values = {k: (args.get(k) or "").strip() for k in FORM_PARAMS}
    if not values["where"] and args.get("district"):  # links shared before the town field
        values["where"] = args["district"].strip()
    form = Search(**values)
    errors: list[tuple[str, str]] = []
    if not form.q and not form.need:
        errors.append(("q", "Enter what the person needs help with"))
    elif len(form.q) > MAX_TEXT:
        errors.append(("q", f"What the person needs help with must be {MAX_TEXT} characters "
                            "or fewer"))
    if form.need and form.need not in dict(need_choices()):
        errors.append(("need", "Select a need from the list"))
    if form.age and not (_digits(form.age) and 0 <= int(form.age) <= MAX_AGE):
        errors.append(("age", f"Age must be a whole number from 0 to {MAX_AGE}"))
    page = (args.get("page") or "1").strip()
    if not (_digits(page) and 1 <= int(page) <= 10_000):
        errors.append(("page", "Page must be a whole number from 1"))
    else:
        form.page = int(page)
    return form, errors


def _page(template: str, status: int = 200, **context):
    context.setdefault("need_labels", dict(needs()))
    context.setdefault("measures", measures())
    context.setdefault("max_services", MAX_SERVICES)
    return render_template(template, route_labels=ROUTE_LABELS, **context), status


def _directory_down():
    log.exception("practitioner pages: directory unavailable")
    return _page("practitioners.html", 503, form=Search(), errors=[], searched=False,
                 needs=need_choices(), unavailable=True)


@bp.get("/practitioners")
def practitioners():
    searched = any(k in request.args for k in SEARCH_PARAMS)
    form, errors = parse_search(request.args) if searched else (Search(), [])
    context: dict = {"form": form, "errors": errors, "searched": searched,
                     "needs": need_choices(), "place": None, "suggestion": None}
    if searched:
        try:
            context["place"] = find_place(form.where)
        except UnknownPlace as exc:
            errors.append(("where", str(exc)))
            context["suggestion"] = exc.suggestion
        except ValueError as exc:
            errors.append(("where", str(exc)))
        errors.sort(key=lambda e: FIELD_ORDER.index(e[0]))
    if not searched or errors:
        return _page("practitioners.html", 400 if errors else 200, **context)
    place: Place = context["place"]
    guess = None if form.need else find_need(form.q)
    need = form.need or guess.need
    context.update(guess=guess, need=need, place_label=place_label(place.place))
    if need is None or place.needs_choice:  # ask rather than guess
        return _page("practitioners.html", **context)
    # Circumstances in the free text ("pregnant", "carer"...) open services only for them.
    filters = {"need": need, "district": place.place,
               "age": int(form.age) if form.age else None, "audience": "practitioner",
               "circumstances": detect_circumstances(form.q)}
    try:
        with session_scope(current_app.config["DATABASE_URL"]) as s:
            total = count_services(s, **filters)
            results = search_services(s, text=form.q or None, limit=PAGE_SIZE,
                                      offset=(form.page - 1) * PAGE_SIZE, **filters)
    except SQLAlchemyError:
        return _directory_down()
    pages = max(1, -(-total // PAGE_SIZE))
    return _page("practitioners.html", results=results, total=total, pages=pages,
                 first=(form.page - 1) * PAGE_SIZE + 1, back=form.query_string(), **context)


def _back() -> str:
    """The search to go back to, from a validated `back` parameter ("" for none)."""
    return clean_back(request.args.get("back"), BACK_PARAMS)


@bp.get("/practitioners/services/<key>")
def practitioner_service(key: str):
    """A service's page by slug; an old /<uuid> address redirects (301) to the slug."""
    back = _back()
    try:
        with session_scope(current_app.config["DATABASE_URL"]) as s:
            if is_uuid(key):
                service = get_service(s, key)
                if service is not None:
                    return redirect(url_for("pages.practitioner_service", key=service.slug,
                                            back=back or None), 301)
            else:
                ids = service_ids_by_slug(s, [key])
                service = get_service(s, ids[key]) if key in ids else None
    except SQLAlchemyError:
        return _directory_down()
    # An unknown service gets the same page layout (with the help panel), status 404.
    return _page("practitioners_service.html", 404 if service is None else 200,
                 service=service, back_href=back_url(back) if back else None)


@bp.get("/practitioners/summary")
def patient_summary():
    """A printable, copyable list of chosen services for the patient. It is built from the
    directory only and sent with no-store: nothing about the patient is kept."""
    back = _back()
    context = {"back_href": back_url(back) if back else None}
    try:
        slugs = chosen_slugs(request.args.getlist("s"))
    except ValueError as exc:
        return _summary(400, problem=str(exc), **context)
    try:
        with session_scope(current_app.config["DATABASE_URL"]) as s:
            ids = service_ids_by_slug(s, slugs)
            unknown = [slug for slug in slugs if slug not in ids]
            services = [get_service(s, ids[slug]) for slug in slugs if slug in ids]
    except SQLAlchemyError:
        return _directory_down()
    if unknown:
        shown = ", ".join(u[:MAX_SLUG] for u in unknown)
        return _summary(400, problem=f"Some of the chosen services are not in the directory: "
                                     f"{shown}. Go back to the results and choose again",
                        **context)
    return _summary(200, services=services, text=summary_text(services), **context)


def _summary(status: int, **context):
    body, status = _page("practitioners_summary.html", status, no_contact=NO_CONTACT,
                         self_referral=self_referral, checked_text=checked_text, **context)
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return response
