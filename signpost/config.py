"""Settings read from the environment, with embedded defaults for `make run`."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SIGNPOST_VAR_DIR", ROOT / "var"))


def database_url() -> str:
    """DATABASE_URL, or SQLite at var/signpost.db."""
    url = os.environ.get("DATABASE_URL")
    if url:
        # Heroku-style URLs say postgres://, SQLAlchemy 1.4 wants postgresql://
        return "postgresql://" + url[len("postgres://"):] if url.startswith("postgres://") else url
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{VAR_DIR / 'signpost.db'}"


RASA_URL = os.environ.get("RASA_URL", "http://127.0.0.1:5005")
ACTION_SERVER_URL = os.environ.get("ACTION_SERVER_URL", "http://127.0.0.1:5055")


def rasa_api_token() -> str:
    """Token for Rasa's HTTP API (trackers, model, /status): RASA_API_TOKEN, else a new one.

    The chat webhooks need no token; everything else that `--enable-api` exposes does, so
    nobody who can reach :5005 can read a conversation or swap the model.
    """
    import secrets

    token = os.environ.get("RASA_API_TOKEN")
    if not token:
        token = secrets.token_hex(24)  # hex: never starts with '-' (an option to argparse)
        os.environ["RASA_API_TOKEN"] = token  # child processes and later calls agree
    return token


CORS_ORIGINS_ENV = "SIGNPOST_CORS_ORIGINS"


def cors_origins(web_port: int, env: dict[str, str] | None = None) -> list[str]:
    """The origins whose pages may call Rasa's chat channels from a browser.

    SIGNPOST_CORS_ORIGINS (space- or comma-separated, e.g. "https://signpost.example.org")
    for a real deployment; otherwise the web app's own origin on this machine. Never "*":
    Rasa answers CORS with credentials allowed, so "*" let any web site drive the chat.
    """
    raw = (os.environ if env is None else env).get(CORS_ORIGINS_ENV, "")
    given = [o.strip().rstrip("/") for o in raw.replace(",", " ").split() if o.strip()]
    if "*" in given:
        raise ValueError(f"{CORS_ORIGINS_ENV} must name origins, not '*'")
    return given or [f"http://localhost:{web_port}", f"http://127.0.0.1:{web_port}"]


IDLE_MINUTES_ENV = "SIGNPOST_CONVERSATION_IDLE_MINUTES"
DEFAULT_IDLE_MINUTES = 30


def idle_minutes_from_env(env: dict[str, str] | None = None) -> float:
    """How long `make run` keeps a conversation after its last message (minutes, default 30):
    signpost/tracker_store.py forgets it then, and the privacy notice says so."""
    raw = (os.environ if env is None else env).get(IDLE_MINUTES_ENV, "").strip()
    try:
        value = float(raw) if raw else DEFAULT_IDLE_MINUTES
    except ValueError:
        raise ValueError(f"{IDLE_MINUTES_ENV} must be a number of minutes") from None
    if not 0 < value <= 24 * 60:
        raise ValueError(f"{IDLE_MINUTES_ENV} must be more than 0 and at most 1440")
    return value
