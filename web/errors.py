"""Friendly error responses for the web app: one page (or JSON body) for 404 and every other
HTTP error, 413 (too large), 429 (too many requests), 503 (database unavailable) and 500.

The API (/api/...) and clients that ask for JSON get `{"error", "status", "detail"}`. Everyone
else gets a small HTML page that gives the reason, and also the crisis lines and a general
route to a person, since a resident may land on it. The page is built here, not from a
template, so it still renders when templates, the database or static files are broken.
"""
from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from markupsafe import escape
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from bot.fallbacks import GENERAL_ROUTE
from signpost import help_lines

log = logging.getLogger(__name__)
RETRY_AFTER_DB_S = 30

def _help_now() -> str:
    items = "".join(f"<li>{line.as_html()}</li>" for line in help_lines.help_now())
    return f"<h2>If you need help now</h2>\n<ul>{items}</ul>"


def wants_json() -> bool:
    return (request.path == "/api" or request.path.startswith("/api/")
            or request.accept_mimetypes.best == "application/json")


def friendly_error(status: int, title: str, detail: str) -> Response:
    if wants_json():
        resp = jsonify(error=title, detail=detail, status=status)
    else:
        html = (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)} - Essex wellbeing signposting</title></head>"
            f'<body><main id="maincontent"><h1>{escape(title)}</h1><p>{escape(detail)}</p>'
            f"{_help_now()}<p>{escape(GENERAL_ROUTE)}</p>"
            '<p><a href="/">Go to the home page</a></p></main></body></html>\n'
        )
        resp = Response(html, mimetype="text/html")
    resp.status_code = status
    resp.headers["Cache-Control"] = "no-store"
    return resp


# What a page that is not there, or a method a path does not take, says: never the path or
# anything else the request sent (that would put an attacker's text on our page).
GENERIC = {
    404: ("Page not found", "There is no page at this address. If you typed it, please check "
                            "it, or start again from the home page."),
    405: ("Method not allowed", "This address does not accept that kind of request."),
}


def http_error(exc: HTTPException) -> Response:
    """Every other HTTP error (404, 405, 400...): the same page or JSON shape as the rest."""
    status = exc.code or 500
    title, detail = GENERIC.get(status, (exc.name, "The request could not be handled."))
    return friendly_error(status, title, detail)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, http_error)

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(exc: RequestEntityTooLarge):
        limit = app.config.get("MAX_CONTENT_LENGTH") or 0
        return friendly_error(413, "Request too large",
                              f"The request is larger than this site accepts ({limit // 1024} KB)."
                              " Please send less.")

    @app.errorhandler(SQLAlchemyError)
    def database_unavailable(exc: SQLAlchemyError):
        # The exception's text can hold SQL parameters: log its type only.
        log.error("database unavailable: %s on %s", type(exc).__name__, request.path)
        resp = friendly_error(503, "Service unavailable",
                              "The service directory is unavailable at the moment. "
                              "Please try again in a few minutes.")
        resp.headers["Retry-After"] = str(RETRY_AFTER_DB_S)
        return resp

    @app.errorhandler(InternalServerError)
    def internal_error(exc: InternalServerError):
        return friendly_error(500, "Something went wrong",
                              "Sorry, something went wrong on our side. "
                              "Please try again in a few minutes.")
