"""/commissioners/directory-freshness: the active services whose details need checking
(services_directory/freshness.py), behind the same commissioner sign-in as /commissioners.

A blueprint nested in web.pages (so web/app.py is unchanged); like the dashboard, the page
is never cached and not indexed.
"""
from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, render_template, request
from sqlalchemy.exc import SQLAlchemyError

from referral_log.dashboard import authorised
from services_directory.freshness import DEFAULT_MONTHS, MAX_MONTHS, freshness
from signpost.db import session_scope

log = logging.getLogger(__name__)
bp = Blueprint("freshness", __name__)


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.vary.update(("Authorization", "Cookie"))
    return response


def _months(value: str | None) -> int:
    """?months= (default 12). ValueError with the message to show."""
    if value is None or not value.strip():
        return DEFAULT_MONTHS
    value = value.strip()
    if not (value.isascii() and value.isdigit() and len(value) <= 3
            and 1 <= int(value) <= MAX_MONTHS):
        raise ValueError(f"Months must be a whole number from 1 to {MAX_MONTHS}")
    return int(value)


@bp.get("/commissioners/directory-freshness")
def directory_freshness():
    if not authorised():
        return render_template("commissioners_login.html", error=None), 401
    try:
        months = _months(request.args.get("months"))
    except ValueError as exc:
        return render_template("directory_freshness.html", report=None, error=str(exc)), 400
    try:
        with session_scope(current_app.config["DATABASE_URL"]) as session:
            report = freshness(session, months)
    except SQLAlchemyError as exc:
        log.error("directory freshness: database error: %s", type(exc).__name__)
        return render_template("directory_freshness.html", report=None,
                               error="The directory is unavailable. Try again later."), 503
    return render_template("directory_freshness.html", report=report, error=None)
