"""Flask application factory. Served by gunicorn: `gunicorn 'web.app:create_app()'`."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask, send_from_directory

from signpost.config import RASA_URL
from signpost.logging_setup import configure_logging

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "node_modules"
MAX_BODY_BYTES = 64 * 1024  # request bodies above this get 413


def create_app(database_url: str | None = None) -> Flask:
    configure_logging()
    app = Flask(__name__, template_folder="templates", static_folder="static")
    app.config["DATABASE_URL"] = database_url or os.environ.get("DATABASE_URL")
    app.config["RASA_URL"] = os.environ.get("RASA_PUBLIC_URL", RASA_URL)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    # Where "Exit this page" goes: an everyday site (the GOV.UK pattern's default).
    app.config["QUICK_EXIT_URL"] = os.environ.get("SIGNPOST_QUICK_EXIT_URL",
                                                  "https://www.bbc.co.uk/weather")

    # Imported here so that importing web.app stays cheap (gunicorn workers fork after).
    from referral_log import dashboard
    from services_directory import api
    from web import errors, pages, privacy_notice, ratelimit, security_headers, vendor_css

    ratelimit.init_app(app)  # per-client limits: SIGNPOST_RATE_LIMIT* (web/ratelimit.py)
    errors.init_app(app)  # one 404, 413, 429, 503 (database down) and 500, with the lines
    security_headers.init_app(app)  # on every response: pages, API, static files, errors
    privacy_notice.init_app(app)  # what the notice says is kept, from the live settings
    app.register_blueprint(pages.bp)  # resident page, practitioner search, /healthz
    app.register_blueprint(dashboard.bp)  # /commissioners, /api/stats/referrals
    app.register_blueprint(api.bp)  # Open Referral UK read API under /api/

    @app.context_processor
    def help_lines_context() -> dict:
        # The crisis lines every page shows, from signpost/help_lines.yml (the one source).
        from signpost import help_lines

        return {"help_now_lines": help_lines.help_now(),
                "help_now_json": help_lines.widget_json()}

    @app.get("/vendor/nhsuk/<path:filename>")
    def nhsuk_assets(filename: str):
        # NHS.UK frontend, installed from npm at set-up and served locally (no CDN). Its CSS
        # without the Frutiger @font-face rules, which fetch from assets.nhs.uk (our CSP
        # blocks that, with a console error for each font; site.css sets Arial instead).
        folder = NODE_MODULES / "nhsuk-frontend" / "dist" / "nhsuk"
        if filename.endswith(".css") and "/" not in filename:
            css = vendor_css.without_remote_fonts(folder, filename)
            if css is not None:
                return app.response_class(css, mimetype="text/css",
                                          headers={"Cache-Control": "public, max-age=3600"})
        return send_from_directory(folder, filename)

    @app.get("/favicon.ico")
    def favicon():
        # Browsers ask for /favicon.ico whatever the page says; our icon is an SVG.
        return send_from_directory(HERE / "static", "favicon.svg", mimetype="image/svg+xml",
                                   max_age=86400)

    @app.get("/assets/images/<path:filename>")
    def nhsuk_images(filename: str):
        # nhsuk-frontend's compiled CSS points at /assets/images/ (select arrows, error icons).
        return send_from_directory(
            NODE_MODULES / "nhsuk-frontend" / "dist" / "nhsuk" / "assets" / "images", filename)

    logging.getLogger(__name__).info("web app ready (Rasa at %s)", app.config["RASA_URL"])
    return app
