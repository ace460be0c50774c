"""Commissioner dashboard (/commissioners) and statistics API (/api/stats/referrals).

Every number leaves through referral_log.disclosure. Access needs the commissioner
token: as `Authorization: Bearer <token>`, or once through the sign-in form, which
sets a Secure, HttpOnly, SameSite=Strict session cookie.
"""
from __future__ import annotations

import csv
import hashlib
import hmac
import io
import logging
import time
from dataclasses import replace
from datetime import date

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from referral_log import auth
from referral_log.charts import Bar, bar_chart
from referral_log.disclosure import RULE
from referral_log.figures import FRESHNESS_SHOWN, SECTIONS, Figures, build_figures, figure_rows
from referral_log.models import DISTRICTS
from referral_log.period import PRESETS, Period, choose_period
from referral_log.report import (
    ReportError,
    ReportQuery,
    build_report,
    parse_query,
    to_csv,
    to_json,
)
from services_directory.freshness import FreshnessReport, freshness
from services_directory.models import Service
from signpost.db import session_scope

log = logging.getLogger(__name__)
bp = Blueprint("commissioners", __name__, static_folder="static",
               static_url_path="/commissioners/static")

SESSION_KEY = "commissioner"
SESSION_MAX_AGE_S = 8 * 3600  # a working day; then sign in again
API_PARAMS = frozenset({"group_by", "from", "to", "source", "kind", "district", "format"})
# These pages need no script and no inline style; the charts are inline SVG.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'")
DASHBOARD_PARAMS = frozenset({"period", "from", "to", "district", "source"})


@bp.record_once
def _configure(state) -> None:
    app: Flask = state.app
    if not app.secret_key:
        app.secret_key = auth.flask_secret_key()
    # The only cookie this app sets is the commissioner session.
    app.config.update(
        SESSION_COOKIE_SECURE=True, SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict"
    )


@bp.after_request
def _no_store(response: Response) -> Response:
    # Statistics and sign-in pages must not sit in shared or browser caches.
    static = request.path.startswith("/commissioners/static/")
    if request.path.startswith(("/commissioners", "/api/stats")) and not static:
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex"
        response.vary.update(("Authorization", "Cookie"))
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response


# --- authentication -------------------------------------------------------------------

def _fingerprint(token: str) -> str:
    # Kept in the session instead of a bare flag: changing the token signs everyone out, and
    # so does signing out (the server-side session version changes: the cookie is revoked,
    # not only deleted from this browser).
    key = (current_app.secret_key or "").encode("utf-8")
    signed = f"{token}|{auth.session_version()}".encode()
    return hmac.new(key, signed, hashlib.sha256).hexdigest()


def authorised() -> bool:
    """A valid bearer token, or a live signed-in session for the current token."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, given = header.partition(" ")
        return scheme.lower() == "bearer" and auth.token_matches(given.strip())
    token = auth.current_token()
    data = session.get(SESSION_KEY)
    if not token or not isinstance(data, dict):
        return False
    fresh = time.time() - float(data.get("at", 0)) < SESSION_MAX_AGE_S
    return fresh and hmac.compare_digest(str(data.get("fp", "")), _fingerprint(token))


def _api_unauthorised() -> Response:
    resp = jsonify(error="Unauthorized", status=401,
                   detail="send Authorization: Bearer <commissioner token>")
    resp.status_code = 401
    resp.headers["WWW-Authenticate"] = 'Bearer realm="commissioners"'
    return resp


def _bad_request(reason: str) -> Response:
    resp = jsonify(error="Bad Request", detail=reason, status=400)
    resp.status_code = 400
    return resp


def _login_page(error: str | None = None, status: int = 401):
    return render_template("commissioners_login.html", error=error), status


@bp.get("/commissioners/login")
def login_form():
    return _login_page(status=200)


@bp.post("/commissioners/login")
def login():
    token = auth.current_token()
    if token and auth.token_matches(request.form.get("token", "").strip()):
        session.clear()
        session[SESSION_KEY] = {"fp": _fingerprint(token), "at": time.time()}
        return redirect(url_for("commissioners.dashboard"), code=303)
    log.warning("commissioner sign-in refused")
    return _login_page("The access token is not correct. Check it and try again.")


@bp.post("/commissioners/logout")
def logout():
    if authorised():  # only a signed-in commissioner can sign everyone out
        auth.revoke_sessions()
    session.clear()
    return redirect(url_for("commissioners.login_form"), code=303)


# --- API --------------------------------------------------------------------------------

@bp.get("/api/stats/referrals")
def api_referrals():
    if not authorised():
        return _api_unauthorised()
    unknown = sorted(set(request.args) - API_PARAMS)
    if unknown:
        allowed = ", ".join(sorted(API_PARAMS))
        return _bad_request(f"unknown parameter; use {allowed}")
    repeated = [k for k in request.args if len(request.args.getlist(k)) > 1]
    if repeated:
        return _bad_request("a parameter is given more than once")
    args = request.args
    fmt = args.get("format", "json")
    if fmt not in ("json", "csv"):
        return _bad_request("format must be json or csv")
    try:
        query = parse_query(args.get("group_by"), args.get("from"), args.get("to"),
                            args.get("source"), args.get("kind"), args.get("district"))
        report = build_report(current_app.config.get("DATABASE_URL"), query)
    except ReportError as exc:
        return _bad_request(str(exc))
    except SQLAlchemyError as exc:
        log.error("statistics API: database error: %s", type(exc).__name__)
        resp = jsonify(error="Service Unavailable", detail="statistics are unavailable", status=503)
        resp.status_code = 503
        return resp
    if fmt == "csv":
        return Response(to_csv(report), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=referrals.csv"})
    return jsonify(to_json(report))


# --- dashboard ------------------------------------------------------------------------------

def dashboard_query(args, today: date | None = None) -> ReportQuery:
    """The dashboard's filters from request args; ReportError if bad."""
    return dashboard_filters(args, today)[0]


def dashboard_filters(args, today: date | None = None) -> tuple[ReportQuery, Period]:
    unknown = sorted(set(args) - DASHBOARD_PARAMS - {"section"})
    if unknown:
        raise ReportError("unknown filter")
    today = today or date.today()
    preset = args.get("period") or None
    if preset is not None and preset not in PRESETS:
        raise ReportError(f"Choose a period from: {', '.join(PRESETS.values())}")
    period = choose_period(preset, args.get("from"), args.get("to"), today)
    district = args.get("district") or None
    base = parse_query("need", None, None, args.get("source"), None,
                       None if district in (None, "all") else district)
    query = replace(base, group_by=(), day_from=period.start, day_to=period.end)
    return query, period


def build_dashboard(url: str | None, query: ReportQuery, period: Period | None = None,
                    today: date | None = None) -> Figures:
    today = today or date.today()
    if period is None:
        period = Period(query.day_from or today, query.day_to or today, "")
    return build_figures(url, query, period, today, service_names=_service_names(url))


def _service_names(url: str | None) -> dict[str, str]:
    """Directory names for the per-service table (ids no longer in the directory stay ids)."""
    try:
        with session_scope(url) as session:
            return dict(session.execute(select(Service.id, Service.name)).all())
    except SQLAlchemyError:
        return {}


def _freshness(url: str | None) -> FreshnessReport | None:
    try:
        with session_scope(url) as session:
            return freshness(session)
    except SQLAlchemyError as exc:
        log.error("dashboard: directory freshness unavailable: %s", type(exc).__name__)
        return None


def _charts(f: Figures) -> dict[str, Markup]:
    months = [Bar(m.label[:3] + m.label[-5:], m.people, m.part) for m in f.months]
    return {
        "trend": bar_chart("trend", f"People signposted each month, {f.period.label}", months,
                           "people signposted each month"),
        "districts": bar_chart("districts", "People signposted by district",
                               [Bar(r.label, r.value) for r in f.districts],
                               "people signposted by district"),
    }


def _load(args):
    """(figures, period, error message, status). A bad filter shows its message, and the
    page still shows the default period underneath it."""
    url = current_app.config.get("DATABASE_URL")
    error, status = None, 200
    try:
        query, period = dashboard_filters(args)
    except ReportError as exc:
        error, status = str(exc), 400
        query, period = dashboard_filters({"source": args.get("source")}
                                          if args.get("source") in ("live", "synthetic", "all")
                                          else {})
    try:
        return build_dashboard(url, query, period), period, error, status
    except SQLAlchemyError as exc:
        log.error("dashboard: database error: %s", type(exc).__name__)
        return None, period, "Statistics are unavailable at the moment. Try again later.", 503


def _csv(rows, filename: str) -> Response:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(("section", "key", "label", "month", "metric", "value"))
    writer.writerows(rows)
    return Response(buf.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


def freshness_rows(report: FreshnessReport | None) -> list[tuple[str, ...]]:
    if report is None:
        return []
    rows = [("freshness", "active", "Active services", "", "count", str(report.active)),
            ("freshness", "to_check", "Services to re-check", "", "count",
             str(len(report.services)))]
    rows += [("freshness", s.id, f"{s.name} ({s.provider})", "", "reason", "; ".join(s.missing))
             for s in report.services]
    return rows


@bp.get("/commissioners")
def dashboard():
    if not authorised():
        return _login_page()
    if "section" in request.args:
        return _page_error("unknown filter", 400)
    figures, period, error, status = _load(request.args)
    args = {k: request.args.get(k, "") for k in DASHBOARD_PARAMS}
    fresh = _freshness(current_app.config.get("DATABASE_URL")) if figures else None
    shown = {k: v for k, v in args.items() if v} if not error else {}
    return render_template(
        "commissioners.html", d=figures, error=error, args=args, districts=DISTRICTS,
        rule=RULE, presets=PRESETS, period=period, charts=_charts(figures) if figures else {},
        fresh=fresh, fresh_shown=FRESHNESS_SHOWN,
        csv_url=lambda section=None: url_for(
            "commissioners.dashboard_csv", **shown, **({"section": section} if section else {})),
    ), status


def _page_error(message: str, status: int):
    args = {k: request.args.get(k, "") for k in DASHBOARD_PARAMS}
    return render_template("commissioners.html", d=None, error=message, args=args,
                           districts=DISTRICTS, rule=RULE, presets=PRESETS, period=None,
                           charts={}, fresh=None, fresh_shown=0,
                           csv_url=lambda section=None: ""), status


def _rows_for(args) -> tuple[list | None, str | None, int]:
    section = args.get("section") or None
    if section is not None and section not in SECTIONS:
        return None, f"section must be one of {', '.join(SECTIONS)}", 400
    figures, _, error, status = _load(args)
    if error:
        return None, error, status
    rows = figure_rows(figures) + freshness_rows(
        _freshness(current_app.config.get("DATABASE_URL")))
    return [r for r in rows if section in (None, r[0])], None, 200


@bp.get("/commissioners.csv")
def dashboard_csv():
    """The figures on the page as CSV; ?section= for one table (same filters as the page)."""
    if not authorised():
        return Response("Unauthorized: sign in at /commissioners\n", status=401,
                        mimetype="text/plain")
    rows, error, status = _rows_for(request.args)
    if error:
        return Response(error + "\n", status=status, mimetype="text/plain")
    section = request.args.get("section")
    name = f"commissioner-statistics-{section}.csv" if section else \
        "commissioner-statistics.csv"
    return _csv(rows, name)


@bp.get("/api/stats/dashboard")
def api_dashboard():
    """The dashboard's figures as JSON (headline figures, trend, tables), same filters."""
    if not authorised():
        return _api_unauthorised()
    repeated = [k for k in request.args if len(request.args.getlist(k)) > 1]
    if repeated:
        return _bad_request("a parameter is given more than once")
    rows, error, status = _rows_for(request.args)
    if error:
        return _bad_request(error) if status == 400 else (
            jsonify(error="Service Unavailable", detail=error, status=status), status)
    keys = ("section", "key", "label", "month", "metric", "value")
    _, period = dashboard_filters(request.args)
    return jsonify(disclosure_control=RULE,
                   period={"from": period.start.isoformat(), "to": period.end.isoformat(),
                           "label": period.label},
                   rows=[dict(zip(keys, r, strict=True)) for r in rows])
