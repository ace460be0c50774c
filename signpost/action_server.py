"""The action server, as `make run` and the cluster start it: rasa_sdk's app on loopback,
refusing every call that does not carry the shared secret.

rasa_sdk 3.6 has no authentication of its own and `rasa run actions` listens on every
interface, so anyone who could reach :5055 (or a web page a resident opened, with a
plain-text POST) could run an action and write crisis events into the referral log.
Here:

* the server binds 127.0.0.1 unless told otherwise (`--host`);
* Rasa sends the secret in the `X-Signpost-Action-Secret` header of every action call
  (the `headers` of the action endpoint in endpoints*.yml, filled from the environment);
  a request without it, or with another, gets 401 before any action code runs. Only
  GET /health (no data, used by the launchers and nginx) is open;
* unknown paths get 404 and a wrong method 405 (rasa_sdk answers them with 500), and no
  error body repeats the request (rasa_sdk's 500 echoes the whole body);
* no CORS: only Rasa calls this server, never a browser.

The secret is SIGNPOST_ACTION_SECRET. The launchers (signpost/stack.py, signpost/cluster.py)
make a random one at start-up unless it is set, and pass it to Rasa and the action servers
through the environment (never the command line, which every local user can read).
"""
from __future__ import annotations

import argparse
import hmac
import logging
import os
import secrets
import sys

from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

log = logging.getLogger(__name__)

SECRET_ENV = "SIGNPOST_ACTION_SECRET"
SECRET_HEADER = "X-Signpost-Action-Secret"
OPEN_PATHS = frozenset({"/health"})
MIN_SECRET_CHARS = 24


def action_secret(env: dict[str, str] | None = None) -> str:
    """SIGNPOST_ACTION_SECRET, or a new random one (set in os.environ for child processes)."""
    source = os.environ if env is None else env
    value = source.get(SECRET_ENV, "").strip()
    if not value:
        value = secrets.token_urlsafe(32)
        source[SECRET_ENV] = value
    return value


def _error(status: int, title: str, detail: str) -> HTTPResponse:
    return response.json({"error": title, "status": status, "detail": detail}, status=status)


def secure(app: Sanic, secret: str) -> Sanic:
    """Put the secret check in front of every route of rasa_sdk's app, and plain errors."""
    if len(secret) < MIN_SECRET_CHARS:
        raise ValueError(f"{SECRET_ENV} must be at least {MIN_SECRET_CHARS} characters")
    expected = secret.encode("utf-8")

    @app.middleware("request")
    async def require_secret(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS and request.method in ("GET", "HEAD"):
            return None
        given = (request.headers.get(SECRET_HEADER) or "").encode("utf-8")
        if hmac.compare_digest(given, expected):
            return None
        log.warning("action server: refused %s %s without the shared secret (from %s)",
                    request.method, request.path[:100], request.ip)
        return _error(401, "Unauthorized",
                      f"action calls must carry the {SECRET_HEADER} header")

    @app.exception(SanicException)
    async def http_error(request: Request, exc: SanicException) -> HTTPResponse:
        status = getattr(exc, "status_code", 500) or 500
        titles = {404: "Not Found", 405: "Method Not Allowed", 400: "Bad Request"}
        if status >= 500:
            log.error("action server: %s on %s", type(exc).__name__, request.path[:100])
        return _error(status, titles.get(status, "Error"),
                      "no such path" if status == 404 else "the request was not accepted")

    @app.exception(Exception)
    async def unexpected(request: Request, exc: Exception) -> HTTPResponse:
        # rasa_sdk's own handler returns the request body and the exception text: not here.
        log.error("action server: unexpected error on %s", request.path[:100], exc_info=exc)
        return _error(500, "Internal Server Error", "the action failed; see the server log")

    return app


def create_app(actions: str = "actions.actions", secret: str | None = None) -> Sanic:
    from rasa_sdk.endpoint import create_app as sdk_app
    from rasa_sdk.plugin import plugin_manager

    app = sdk_app(actions, cors_origins=None)  # no CORS: browsers never call this server
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    return secure(app, secret or action_secret())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Signpost action server (rasa_sdk, "
                                     f"loopback, {SECRET_HEADER} required)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="interface to listen on (default: loopback only)")
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--actions", default="actions.actions")
    args = parser.parse_args(argv)

    from rasa_sdk import utils

    utils.configure_colored_logging("INFO")
    utils.update_sanic_log_level()
    if not os.environ.get(SECRET_ENV, "").strip():
        print(f"{SECRET_ENV} is not set: start the action server with `make run` (or set it "
              "to the secret Rasa's endpoints file sends)", file=sys.stderr)
        return 2
    app = create_app(args.actions)
    log.info("action server on http://%s:%d (calls need %s)", args.host, args.port,
             SECRET_HEADER)
    app.run(args.host, args.port, workers=1, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
