"""Server-rendered pages for residents (and /healthz)."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    return render_template("home.html", rasa_url=current_app.config["RASA_URL"])


@bp.get("/accessibility")
def accessibility():
    return render_template("accessibility.html")


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")
