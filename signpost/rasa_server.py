"""`rasa run` with the HTTP API token taken from the environment or a file, not argv.

Rasa 3.6 reads its API token only from `--auth-token`, and a process's command line is
readable by every local user (`ps`, /proc/<pid>/cmdline): with the token, anyone on the
machine could read every conversation or replace the model. This wrapper is started as

    python -m signpost.rasa_server run --enable-api ...   (no token in the arguments)

and adds `--auth-token` to its own sys.argv before handing over to Rasa's command line.
Changing sys.argv inside the process does not change /proc/<pid>/cmdline.

The token: RASA_API_TOKEN, or the first line of the file named by RASA_API_TOKEN_FILE.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

TOKEN_ENV = "RASA_API_TOKEN"
TOKEN_FILE_ENV = "RASA_API_TOKEN_FILE"


def token_from_env(env: dict[str, str] | None = None) -> str | None:
    env = os.environ if env is None else env
    token = env.get(TOKEN_ENV, "").strip()
    if not token and env.get(TOKEN_FILE_ENV, "").strip():
        lines = Path(env[TOKEN_FILE_ENV]).read_text(encoding="utf-8").splitlines()
        token = lines[0].strip() if lines else ""
    return token or None


def main() -> None:
    if any(a == "--auth-token" or a.startswith("--auth-token=") or a == "-t"
           for a in sys.argv[1:]):
        sys.exit("signpost.rasa_server: pass the token in RASA_API_TOKEN or "
                 "RASA_API_TOKEN_FILE, not on the command line")
    token = token_from_env()
    if token is None:
        sys.exit(f"signpost.rasa_server: set {TOKEN_ENV} or {TOKEN_FILE_ENV}")
    sys.argv = ["rasa", *sys.argv[1:], f"--auth-token={token}"]

    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
