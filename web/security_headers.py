"""Security headers on every response of the web app: pages, the API, static files, errors.

The blueprints set them for their own pages (pages.py, the dashboard); this after_request
hook fills in whatever a response still lacks, so that a static file, a JSON error or a 404
for a path no blueprint owns carries them too. setdefault: a blueprint's own value stands
(the resident pages' CSP names Rasa's origin for the chat widget).
"""
from __future__ import annotations

from flask import Flask, Response

# Nothing but our own files; no framing, no plugins, no third-party anything.
DEFAULT_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'")
HEADERS = {
    "Content-Security-Policy": DEFAULT_CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def add_security_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
