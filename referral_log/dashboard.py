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
from dataclasses import dataclass, field
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
from markupsafe import Markup, escape
from sqlalchemy.exc import SQLAlchemyError

from referral_log import auth
from referral_log.disclosure import (
    RULE,
    SUPPRESSED,
    Published,
    disclose,
    disclose_total,
    format_rate,
    helpful_rate,
)
from referral_log.models import AGE_BANDS, DISTRICTS, HELPFUL_KINDS, REFERRAL_KINDS, UNKNOWN
from referral_log.report import (
    ReportError,
    ReportQuery,
    build_report,
    parse_query,
    raw_groups,
    rollup,
    to_csv,
    to_json,
)
from signpost.db import get_engine
from signpost.needs import measures, needs, priority_areas

log = logging.getLogger(__name__)
bp = Blueprint("commissioners", __name__, static_folder="static",
               static_url_path="/commissioners/static")

SESSION_KEY = "commissioner"
SESSION_MAX_AGE_S = 8 * 3600  # a working day; then sign in again
MAX_MONTHS = 60  # the trend charts stay readable
API_PARAMS = frozenset({"group_by", "from", "to", "source", "kind", "district", "format"})
# These pages need no script and no inline style; the charts are inline SVG.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'")
DASHBOARD_PARAMS = frozenset({"from", "to", "district", "source"})


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
    # Kept in the session instead of a bare flag: changing the token signs everyone out.
    key = (current_app.secret_key or "").encode("utf-8")
    return hmac.new(key, token.encode("utf-8"), hashlib.sha256).hexdigest()


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


# --- dashboard data ------------------------------------------------------------------------

@dataclass
class MeasureRow:
    id: str
    title: str
    count: Published
    measure: str = ""  # what the strategy measures, when it differs from the title


@dataclass
class AreaBlock:
    id: int
    title: str
    count: Published
    measures: list[MeasureRow] = field(default_factory=list)


@dataclass
class Trend:
    measure: MeasureRow
    points: list[tuple[str, Published]]
    svg: Markup = Markup("")


@dataclass
class HelpfulRow:
    need: str
    label: str
    yes: Published
    no: Published
    rate: str


@dataclass
class Dashboard:
    query: ReportQuery
    total: Published
    areas: list[AreaBlock]
    unmapped: Published
    trends: list[Trend]
    districts: list[tuple[str, str, Published]]
    age_bands: list[tuple[str, Published]]
    helpful: list[HelpfulRow]
    months: list[str]


def _month_range(first: str, last: str) -> list[str]:
    y, m = map(int, first.split("-"))
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def dashboard_query(args) -> ReportQuery:
    """The dashboard's filters from request args; ReportError if bad."""
    unknown = sorted(set(args) - DASHBOARD_PARAMS)
    if unknown:
        raise ReportError("unknown filter")
    district = args.get("district") or None
    query = parse_query("measure", args.get("from"), args.get("to"), args.get("source"),
                        None, None if district in (None, "all") else district)
    if query.month_from and query.month_to and \
            len(_month_range(query.month_from, query.month_to)) > MAX_MONTHS:
        raise ReportError(f"choose a date range of {MAX_MONTHS} months or fewer")
    return query


def build_dashboard(url: str | None, query: ReportQuery) -> Dashboard:
    """Everything the page shows, each number disclosure-controlled from exact counts.

    Three grouped scans: measures x month (areas, measures, trends), district x age
    band, and need x answer for the helpfulness rates.
    """
    referrals = ReportQuery(month_from=query.month_from, month_to=query.month_to,
                            source=query.source, kinds=REFERRAL_KINDS, districts=query.districts)
    answers = ReportQuery(month_from=query.month_from, month_to=query.month_to,
                          source=query.source, kinds=HELPFUL_KINDS, districts=query.districts)
    with get_engine(url).connect() as conn:
        by_month = raw_groups(conn, referrals, ("measures", "month"))
        by_place = raw_groups(conn, referrals, ("district", "age_band"))
        by_answer = raw_groups(conn, answers, ("need", "kind"))

    total = sum(r[-1] for r in by_month)
    area_counts = rollup(by_month, ("measures", "month"), ("area",))
    measure_counts = rollup(by_month, ("measures", "month"), ("measure",))
    trend_counts = rollup(by_month, ("measures", "month"), ("measure", "month"))

    all_measures = measures()
    areas = []
    for area_id, title in priority_areas().items():
        rows = [MeasureRow(m.id, m.title, disclose(measure_counts.get((m.id,), 0)),
                           "" if m.measure == m.title else m.measure)
                for m in all_measures.values() if m.area == area_id]
        areas.append(AreaBlock(area_id, title, disclose(area_counts.get((str(area_id),), 0)), rows))

    data_months = sorted({r[1] for r in by_month})
    first = query.month_from or (data_months[0] if data_months else None)
    last = query.month_to or (data_months[-1] if data_months else None)
    months = _month_range(first, last) if first and last and first <= last else []
    trends = []
    for block in areas:
        for row in block.measures:
            if measure_counts.get((row.id,), 0) == 0:
                continue  # no chart for a measure with nothing to show
            points = [(mo, disclose(trend_counts.get((row.id, mo), 0))) for mo in months]
            trend = Trend(row, points)
            trend.svg = trend_svg(row, points)
            trends.append(trend)

    district_counts = rollup(by_place, ("district", "age_band"), ("district",))
    band_counts = rollup(by_place, ("district", "age_band"), ("age_band",))
    shown = query.districts or (*DISTRICTS, UNKNOWN)
    districts = [(d, DISTRICTS.get(d, "Not known"), disclose(district_counts.get((d,), 0)))
                 for d in shown]
    bands = [(b, disclose(band_counts.get((b,), 0))) for b in AGE_BANDS]

    answer_counts = rollup(by_answer, ("need", "kind"), ("need", "kind"))
    helpful = []
    for need in needs().values():
        yes = disclose(answer_counts.get((need.id, "helpful_yes"), 0))
        no = disclose(answer_counts.get((need.id, "helpful_no"), 0))
        if yes == 0 and no == 0:
            continue
        helpful.append(HelpfulRow(need.id, need.label, yes, no, format_rate(helpful_rate(yes, no))))

    return Dashboard(
        query=query,
        total=disclose_total(total, list(district_counts.values()), list(band_counts.values())),
        areas=areas,
        unmapped=disclose(measure_counts.get(("unmapped",), 0)), trends=trends,
        districts=districts, age_bands=bands, helpful=helpful, months=months,
    )


def dashboard_rows(d: Dashboard) -> list[tuple[str, str, str, str, str, str]]:
    """Exactly the figures on the page, as (section, key, label, month, metric, value)."""
    rows = [("total", "all", "All people signposted", "", "count", str(d.total))]
    for a in d.areas:
        rows.append(("area", str(a.id), a.title, "", "count", str(a.count)))
        rows += [("measure", m.id, m.title, "", "count", str(m.count)) for m in a.measures]
    rows.append(("measure", "unmapped", "Services not mapped to a measure", "", "count",
                 str(d.unmapped)))
    for t in d.trends:
        rows += [("trend", t.measure.id, t.measure.title, mo, "count", str(v))
                 for mo, v in t.points]
    rows += [("district", k, label, "", "count", str(v)) for k, label, v in d.districts]
    rows += [("age_band", b, b, "", "count", str(v)) for b, v in d.age_bands]
    for h in d.helpful:
        rows += [("helpfulness", h.need, h.label, "", "helpful_yes", str(h.yes)),
                 ("helpfulness", h.need, h.label, "", "helpful_no", str(h.no)),
                 ("helpfulness", h.need, h.label, "", "helpful_rate", h.rate)]
    return rows


# --- chart ---------------------------------------------------------------------------------

def _nice_max(v: int) -> int:
    """The smallest 1, 2 or 5 x 10^k at or above v (at least 10)."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= max(v, 10):
                return m * step
        step *= 10


def month_label(month: str) -> str:
    return date(int(month[:4]), int(month[5:]), 1).strftime("%b %Y")


def trend_svg(measure: MeasureRow, points: list[tuple[str, Published]]) -> Markup:
    """A server-side bar chart: role="img" with a title and a text description.

    The figures are also given in a table next to the chart (the text alternative
    with every value). Suppressed months are drawn as "*" with no bar.
    """
    cid = "chart-" + "".join(c if c.isalnum() else "-" for c in measure.id)
    width, height, left, right, top, bottom = 640, 240, 52, 12, 16, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    numbers = [v for _, v in points if isinstance(v, int)]
    ymax = _nice_max(max(numbers, default=0))
    n = max(1, len(points))
    slot = plot_w / n
    every = max(1, -(-n // 12))  # at most 12 month labels
    parts = [
        f'<svg class="trend-chart" role="img" aria-labelledby="{cid}-title {cid}-desc" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" '
        f'preserveAspectRatio="xMinYMin meet" focusable="false">',
        f'<title id="{cid}-title">Monthly trend for measure {escape(measure.id)}</title>',
        f'<desc id="{cid}-desc">{escape(_describe(measure, points))}</desc>',
    ]
    for frac in (0, 0.5, 1):
        y = top + plot_h * (1 - frac)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#aeb7bd" stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
                     f'fill="#212b32">{int(ymax * frac)}</text>')
    for i, (month, value) in enumerate(points):
        cx = left + slot * (i + 0.5)
        if value == SUPPRESSED:
            parts.append(f'<text x="{cx:.1f}" y="{top + plot_h - 4}" text-anchor="middle" '
                         f'font-size="14" fill="#212b32">*</text>')
        elif isinstance(value, int) and value > 0:
            h = plot_h * value / ymax
            parts.append(f'<rect x="{cx - slot * 0.35:.1f}" y="{top + plot_h - h:.1f}" '
                         f'width="{slot * 0.7:.1f}" height="{h:.1f}" fill="#005eb8"/>')
        if i % every == 0:
            label = escape(date(int(month[:4]), int(month[5:]), 1).strftime("%b %y"))
            parts.append(f'<text x="{cx:.1f}" y="{height - bottom + 18}" text-anchor="middle" '
                         f'font-size="12" fill="#212b32">{label}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _describe(measure: MeasureRow, points: list[tuple[str, Published]]) -> str:
    if not points:
        return f"No months to show for {measure.id}."
    numbers = [(v, m) for m, v in points if isinstance(v, int)]
    text = (f"Bar chart of people signposted each month for measure {measure.id}, "
            f"{month_label(points[0][0])} to {month_label(points[-1][0])}.")
    if numbers:
        peak, at = max(numbers)
        text += f" Highest: {peak} in {month_label(at)}."
    if any(v == SUPPRESSED for _, v in points):
        text += " Months shown as * had between 1 and 7 (not shown to protect privacy)."
    return text + " The figures are also in the table after the chart."


# --- pages -----------------------------------------------------------------------------------

def _dashboard_or_error():
    """(Dashboard, None) or (None, error response)."""
    try:
        query = dashboard_query(request.args)
        return build_dashboard(current_app.config.get("DATABASE_URL"), query), None
    except ReportError as exc:
        return None, (str(exc), 400)
    except SQLAlchemyError as exc:
        log.error("dashboard: database error: %s", type(exc).__name__)
        return None, ("Statistics are unavailable at the moment. Try again later.", 503)


@bp.get("/commissioners")
def dashboard():
    if not authorised():
        return _login_page()
    data, error = _dashboard_or_error()
    args = {k: request.args.get(k, "") for k in DASHBOARD_PARAMS}
    if error:
        message, status = error
        return render_template("commissioners.html", d=None, error=message, args=args,
                               districts=DISTRICTS, rule=RULE), status
    return render_template("commissioners.html", d=data, error=None, args=args,
                           districts=DISTRICTS, rule=RULE, month_label=month_label,
                           csv_url=url_for("commissioners.dashboard_csv",
                                           **{k: v for k, v in args.items() if v}))


@bp.get("/commissioners.csv")
def dashboard_csv():
    if not authorised():
        return Response("Unauthorized: sign in at /commissioners\n", status=401,
                        mimetype="text/plain")
    data, error = _dashboard_or_error()
    if error:
        message, status = error
        return Response(message + "\n", status=status, mimetype="text/plain")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(("section", "key", "label", "month", "metric", "value"))
    writer.writerows(dashboard_rows(data))
    return Response(buf.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=commissioner-statistics.csv"})
