"""Open Referral UK 3.0 read API (blueprint `bp`, mounted at /api), plus
/api/search, the signposting search the web pages use (not part of ORUK).

Every directory response under /api carries `Access-Control-Allow-Origin: *`: the
directory is public information that other services' pages may read. The commissioner
statistics (/api/stats/, referral_log.dashboard) are not public and get no CORS header.
Lists are sorted in Python (name, then id) so that paging is identical on
SQLite and PostgreSQL.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from flask import Blueprint, Response, abort, current_app, jsonify, request, send_file
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from services_directory import districts, oruk, postcodes
from services_directory.ids import is_uuid
from services_directory.importer import load_services, organization_record, service_record
from services_directory.models import (
    MAX_AGE,
    Attribute,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from services_directory.search import count_services, search_services
from signpost.db import session_scope

bp = Blueprint("directory_api", __name__, url_prefix="/api")

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
MAX_SEARCH_LIMIT = 20
# Far past any real directory; a bigger number only makes the database do needless work (or,
# past 2**63, fail as "unavailable").
MAX_PAGE = 10_000
MAX_OFFSET = 100_000
PROFILE_URL = "https://github.com/openreferral/uk-profile"


# --- plumbing ----------------------------------------------------------------------
@bp.after_app_request
def _cors(response: Response) -> Response:
    # after_app_request, not after_request: also covers 404s for unknown /api paths.
    # The commissioner statistics under /api/stats/ are not a public feed: no CORS there.
    public = request.path == "/api" or request.path.startswith("/api/")
    if public and not request.path.startswith("/api/stats/"):
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.errorhandler(HTTPException)
def _json_error(exc: HTTPException):
    return jsonify(error=exc.name, detail=exc.description, status=exc.code), exc.code


def _session():
    return session_scope(current_app.config.get("DATABASE_URL"))


def _bad(reason: str):
    abort(400, description=reason)


def _int_arg(name: str, default: int, minimum: int, maximum: int | None = None) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        _bad(f"{name} must be a whole number")
    if value < minimum or (maximum is not None and value > maximum):
        _bad(f"{name} must be from {minimum} to {maximum}" if maximum is not None
             else f"{name} must be at least {minimum}")
    return value


def _age_arg(name: str) -> float | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        _bad(f"{name} must be a number")
    if not 0 <= value <= MAX_AGE:  # also rejects nan
        _bad(f"{name} must be from 0 to {MAX_AGE}")
    return value


def _uuid_arg(name: str) -> str | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if not is_uuid(raw):
        _bad(f"{name} must be a UUID (lower-case, hyphenated)")
    return raw


def _paging() -> tuple[int, int]:
    return (_int_arg("page", 1, 1, MAX_PAGE),
            _int_arg("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE))


def _page_body(total: int, page: int, per_page: int, contents: list) -> dict:
    total_pages = math.ceil(total / per_page)
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def _paged(rows: Sequence[tuple], page: int, per_page: int,
           render: Callable[[list], list]) -> Response:
    """rows: (sort key..., id); sorts, slices a page and renders only that page."""
    ordered = sorted(rows)
    chunk = ordered[(page - 1) * per_page: page * per_page]
    return jsonify(_page_body(len(ordered), page, per_page, render([r[-1] for r in chunk])))


# --- service filters shared by /services and /service_at_locations ------------------
def _service_filters(session: Session) -> list:
    """SQL conditions on Service from the ORUK query parameters."""
    conditions = []
    words = (request.args.get("search") or "").split()
    if len(" ".join(words)) > 200:
        _bad("search must be at most 200 characters")
    for word in words:  # every word, somewhere in name, description or eligibility
        conditions.append(or_(*(func.lower(col).contains(word.casefold(), autoescape=True)
                                for col in (Service.name, Service.description,
                                            Service.eligibility_description))))
    term_id = _uuid_arg("taxonomy_term_id")
    if term_id:
        # A term and its children: area-1 finds services tagged with actions 1.1-1.7.
        terms = [term_id, *session.scalars(select(TaxonomyTerm.id)
                                           .where(TaxonomyTerm.parent_id == term_id))]
        conditions.append(Service.id.in_(select(Attribute.link_id)
                                         .where(Attribute.taxonomy_term_id.in_(terms))))
    taxonomy_id = _uuid_arg("taxonomy_id")
    if taxonomy_id:
        conditions.append(Service.id.in_(
            select(Attribute.link_id).join(TaxonomyTerm)
            .where(TaxonomyTerm.taxonomy_id == taxonomy_id)))
    # ORUK: "services with a minimum age of at least the specified value" and
    # "with a maximum age equal to or below the specified value" (taken literally).
    minimum_age = _age_arg("minimum_age")
    if minimum_age is not None:
        conditions.append(and_(Service.minimum_age.is_not(None),
                               Service.minimum_age >= minimum_age))
    maximum_age = _age_arg("maximum_age")
    if maximum_age is not None:
        conditions.append(and_(Service.maximum_age.is_not(None),
                               Service.maximum_age <= maximum_age))
    return conditions


def _records(session: Session, ids: list[str]) -> dict:
    return {s.id: (service_record(s), organization_record(s.organization))
            for s in load_services(session, ids)}


# --- endpoints ---------------------------------------------------------------------
@bp.get("/")
def index():
    return jsonify(version="3.0", profile=PROFILE_URL,
                   openapi_url=request.host_url.rstrip("/") + "/api/openapi.json")


@bp.get("/openapi.json")
def openapi():
    return send_file(oruk.SCHEMA_DIR / "openapi.json", mimetype="application/json")


@bp.get("/services")
def services():
    page, per_page = _paging()
    with _session() as session:
        rows = session.execute(select(Service.name, Service.id)
                               .where(*_service_filters(session))).all()

        def render(ids: list[str]) -> list:
            found = _records(session, ids)
            return [oruk.service_list_item(found[i][0]) for i in ids]

        return _paged([(name.casefold(), sid) for name, sid in rows], page, per_page, render)


@bp.get("/services/<service_id>")
def service(service_id: str):
    with _session() as session:
        found = _records(session, [service_id]) if is_uuid(service_id) else {}
        if not found:
            abort(404, description="no service with that id")
        rec, org = found[service_id]
        return jsonify(oruk.service_body(rec, org))


def _term_body(term: TaxonomyTerm) -> dict:
    body = {"id": term.id, "name": term.name, "description": term.description,
            "taxonomy": term.taxonomy.name, "taxonomy_id": term.taxonomy_id, "term": term.term}
    if term.parent_id:
        body["parent_id"] = term.parent_id
    return body


def _taxonomy_body(tax: Taxonomy, with_terms: bool) -> dict:
    body = {"id": tax.id, "name": tax.name, "description": tax.description}
    if tax.version:
        body["version"] = tax.version
    if with_terms:
        body["taxonomy_terms"] = [_term_body(t) for t in tax.terms]
    return body


@bp.get("/taxonomies")
def taxonomies():
    page, per_page = _paging()
    with _session() as session:
        rows = session.execute(select(Taxonomy.name, Taxonomy.id)).all()

        def render(ids: list[str]) -> list:
            return [_taxonomy_body(session.get(Taxonomy, i), with_terms=False) for i in ids]

        return _paged([(name.casefold(), tid) for name, tid in rows], page, per_page, render)


@bp.get("/taxonomies/<taxonomy_id>")
def taxonomy(taxonomy_id: str):
    with _session() as session:
        tax = session.get(Taxonomy, taxonomy_id) if is_uuid(taxonomy_id) else None
        if tax is None:
            abort(404, description="no taxonomy with that id")
        return jsonify(_taxonomy_body(tax, with_terms=True))


@bp.get("/taxonomy_terms")
def taxonomy_terms():
    page, per_page = _paging()
    taxonomy_id = _uuid_arg("taxonomy_id")
    with _session() as session:
        query = select(Taxonomy.name, TaxonomyTerm.position, TaxonomyTerm.id).join(Taxonomy)
        if taxonomy_id:
            query = query.where(TaxonomyTerm.taxonomy_id == taxonomy_id)
        rows = [(name.casefold(), pos, tid) for name, pos, tid in session.execute(query)]

        def render(ids: list[str]) -> list:
            return [_term_body(session.get(TaxonomyTerm, i)) for i in ids]

        return _paged(rows, page, per_page, render)


@bp.get("/taxonomy_terms/<term_id>")
def taxonomy_term(term_id: str):
    with _session() as session:
        term = session.get(TaxonomyTerm, term_id) if is_uuid(term_id) else None
        if term is None:
            abort(404, description="no taxonomy term with that id")
        return jsonify(_term_body(term))


def _postcode_place(raw: str) -> str | None:
    """The one district or unitary authority a postcode lies in (ONS Postcode Directory), or
    None if it lies outside them all. An outward code that reaches several, or lies partly
    outside them, is a 400 naming them, never a guess: results must cover everyone there."""
    try:
        found = postcodes.lookup(raw)
    except ValueError as exc:
        _bad(f"postcode: {exc}")
    if not found.known:
        _bad(f"postcode: {found.code} is not in the ONS Postcode Directory")
    if found.authority or not found.authorities:
        return found.authority
    parts = [*found.authorities, *(["elsewhere"] if found.elsewhere else [])]
    _bad(f"postcode: {found.code} covers parts of {', '.join(parts[:-1])} and {parts[-1]}; "
         "give the full postcode")


@bp.get("/service_at_locations")
def service_at_locations():
    page, per_page = _paging()
    postcode = request.args.get("postcode")
    with _session() as session:
        conditions = _service_filters(session)
        if postcode:
            # Coverage: the services someone living there can use (districts.areas_serving):
            # their district's, all-Essex and national ones; in Southend-on-Sea or Thurrock
            # that council's and national ones; anywhere else national ones only.
            covered = districts.areas_serving(_postcode_place(postcode))
            conditions.append(Service.id.in_(select(ServiceArea.service_id)
                                             .where(ServiceArea.district.in_(covered))))
        rows = session.execute(
            select(Service.name, ServiceAtLocation.position, ServiceAtLocation.id,
                   ServiceAtLocation.service_id)
            .join(Service, Service.id == ServiceAtLocation.service_id).where(*conditions)).all()
        service_of = {sal_id: sid for _, _, sal_id, sid in rows}

        def render(ids: list[str]) -> list:
            found = _records(session, list({service_of[i] for i in ids}))
            out = []
            for sal_id in ids:
                rec = found[service_of[sal_id]][0]
                loc = next(loc for loc in rec.locations if loc.id == sal_id)
                body = oruk.service_at_location_body(rec, loc)
                body["service"] = oruk.service_list_item(rec)
                out.append(body)
            return out

        return _paged([(name.casefold(), pos, sal_id) for name, pos, sal_id, _ in rows],
                      page, per_page, render)


@bp.get("/service_at_locations/<sal_id>")
def service_at_location(sal_id: str):
    with _session() as session:
        sal = session.get(ServiceAtLocation, sal_id) if is_uuid(sal_id) else None
        if sal is None:
            abort(404, description="no service_at_location with that id")
        rec, org = _records(session, [sal.service_id])[sal.service_id]
        loc = next(loc for loc in rec.locations if loc.id == sal_id)
        body = oruk.service_at_location_body(rec, loc)
        body["service"] = oruk.service_body(rec, org)
        return jsonify(body)


@bp.get("/search")
def search():
    """Signposting search for the web pages: the same function the bot calls."""
    need = request.args.get("need")
    if not need:
        _bad("need is required")
    age_raw = request.args.get("age")
    age = _int_arg("age", -1, 0, MAX_AGE) if age_raw not in (None, "") else None
    limit = _int_arg("limit", 3, 1, MAX_SEARCH_LIMIT)
    offset = _int_arg("offset", 0, 0, MAX_OFFSET)
    filters = {"need": need, "district": request.args.get("district") or None, "age": age,
               "text": request.args.get("text") or None,
               "audience": request.args.get("audience") or None,
               # comma-separated ids from signpost/circumstances.yml, e.g. "carer"
               "circumstances": [c.strip() for c in
                                 (request.args.get("circumstances") or "").split(",")
                                 if c.strip()]}
    with _session() as session:
        try:
            results = search_services(session, limit=limit, offset=offset, **filters)
            total = count_services(session, **filters)
        except ValueError as exc:
            _bad(str(exc))
        return jsonify(total=total, limit=limit, offset=offset,
                       results=[r.to_dict() for r in results])
