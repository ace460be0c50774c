"""Secrets for the referral log: the commissioner token, the log's HMAC key, the Flask key.

Each comes from an environment variable, or else from a file under var/ that is
generated once (random, mode 0600) so `make run` works with no set-up.
"""
from __future__ import annotations

import hmac
import logging
import os
import secrets
from pathlib import Path

from signpost import config

log = logging.getLogger(__name__)

TOKEN_ENV = "COMMISSIONER_TOKEN"
TOKEN_FILE = "commissioner_token"
LOG_SECRET_ENV = "SIGNPOST_LOG_SECRET"
LOG_SECRET_FILE = "log_secret"
FLASK_SECRET_ENV = "SIGNPOST_SECRET_KEY"
FLASK_SECRET_FILE = "secret_key"


def var_dir() -> Path:
    # Read at call time (not import time) so tests and tools can point it elsewhere.
    return Path(os.environ.get("SIGNPOST_VAR_DIR") or config.VAR_DIR)


def _read(path: Path) -> str | None:
    try:
        value = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return value or None


def read_or_create_secret(env: str, filename: str, *, create: bool = True) -> str | None:
    """The env var if set, else the file's content, else (if `create`) a new random one."""
    value = os.environ.get(env, "").strip()
    if value:
        return value
    path = var_dir() / filename
    value = _read(path)
    if value or not create:
        return value
    path.parent.mkdir(parents=True, exist_ok=True)
    new = secrets.token_urlsafe(32)
    try:
        # O_EXCL: if two processes race, exactly one writes and both read its value.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read(path) or new
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(new + "\n")
    return new


def ensure_token() -> str:
    """The commissioner token, generating var/commissioner_token when none exists."""
    token = read_or_create_secret(TOKEN_ENV, TOKEN_FILE)
    assert token  # created above if missing
    return token


MIN_TOKEN_CHARS = 24
MIN_TOKEN_DISTINCT = 8
ENVIRONMENT_ENV = "SIGNPOST_ENV"


def weak_token(token: str) -> bool:
    """Too short or too repetitive to resist guessing ("admin", "password123")."""
    return len(token) < MIN_TOKEN_CHARS or len(set(token)) < MIN_TOKEN_DISTINCT


def current_token() -> str | None:
    """The configured token, or None (then every request is refused). A weak token is
    refused too, unless SIGNPOST_ENV=development: a guessable token would open the
    statistics before disclosure control. (The generated one is 43 random characters.)"""
    token = read_or_create_secret(TOKEN_ENV, TOKEN_FILE, create=False)
    if token and weak_token(token) and os.environ.get(ENVIRONMENT_ENV) != "development":
        log.error("%s is too weak (fewer than %d characters or %d different ones): every "
                  "commissioner request is refused; set a strong one, or SIGNPOST_ENV="
                  "development on a developer's machine", TOKEN_ENV, MIN_TOKEN_CHARS,
                  MIN_TOKEN_DISTINCT)
        return None
    return token


SESSION_VERSION_FILE = "commissioner_session_version"


def session_version() -> int:
    """The server-side version of commissioner sessions, in var/ (shared by every worker and,
    in the cluster, every node through SIGNPOST_VAR_DIR). Sessions signed with an older
    version are no longer valid."""
    raw = _read(var_dir() / SESSION_VERSION_FILE)
    return int(raw) if raw and raw.isdigit() else 0


def revoke_sessions() -> int:
    """Sign every commissioner out (at logout): the session version moves on."""
    path = var_dir() / SESSION_VERSION_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    new = session_version() + 1
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(f"{new}\n", encoding="utf-8")
    os.replace(tmp, path)  # atomic: a reader sees the old or the new version, never half
    return new


def token_matches(given: str | None) -> bool:
    """Constant-time check of a presented token against the configured one."""
    expected = current_token()
    if not expected or not given:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def log_secret() -> bytes:
    value = read_or_create_secret(LOG_SECRET_ENV, LOG_SECRET_FILE)
    assert value
    return value.encode("utf-8")


def flask_secret_key() -> str:
    value = read_or_create_secret(FLASK_SECRET_ENV, FLASK_SECRET_FILE)
    assert value
    return value
