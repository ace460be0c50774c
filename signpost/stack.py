"""Start and stop the whole system: action server, Rasa server and web app.

Used by `make run` (scripts/run-stack) and by the end-to-end tests, so that the
tests exercise exactly the processes a resident would talk to.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from signpost.action_server import SECRET_ENV, SECRET_HEADER, action_secret
from signpost.config import ROOT, cors_origins, rasa_api_token

BIN = Path(sys.executable).parent


def stop_process(proc: subprocess.Popen, timeout: float = 15) -> None:
    """SIGTERM the process group started for `proc` (gunicorn workers too), then SIGKILL."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


def wait_for_health(procs: dict[str, subprocess.Popen], urls: dict[str, str], timeout: float,
                    hint: str = "at start-up") -> None:
    """Poll each health URL until it answers 200; fail fast if its process has exited."""
    deadline = time.monotonic() + timeout
    pending = dict(urls)
    while pending:
        for name, url in list(pending.items()):
            proc = procs.get(name)
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"{name} exited with status {proc.returncode} {hint}")
            try:
                if requests.get(url, timeout=2).status_code == 200:
                    del pending[name]
            except requests.RequestException:
                pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"not ready after {timeout}s: {', '.join(pending)}")
        time.sleep(0.5)


def wait_until_one_exits(procs: dict[str, subprocess.Popen]) -> int:
    """Block while every process runs; report the first that stopped (exit status 1)."""
    while all(p.poll() is None for p in procs.values()):
        time.sleep(1)
    dead = [n for n, p in procs.items() if p.poll() is not None]
    print(f"{', '.join(dead)} stopped unexpectedly; stopping the rest.", file=sys.stderr)
    return 1


@dataclass
class Ports:
    actions: int = 5055
    rasa: int = 5005
    web: int = 8000


@dataclass
class Stack:
    ports: Ports = field(default_factory=Ports)
    env: dict[str, str] = field(default_factory=dict)
    model: Path = ROOT / "models" / "signpost.tar.gz"
    host: str = "127.0.0.1"
    quiet: bool = False
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    _tmp: tempfile.TemporaryDirectory | None = None
    # Rasa sends it with every action call; the action server refuses calls without it.
    action_secret: str = ""

    def __post_init__(self) -> None:
        if not self.action_secret:
            self.action_secret = action_secret({**os.environ, **self.env})

    def _endpoints_file(self) -> Path:
        # Made once: commands() runs for every process, and replacing self._tmp deleted the
        # file Rasa was about to read, so Rasa fell back to ./endpoints.yml (port 5055).
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="signpost-stack-")
        path = Path(self._tmp.name) / "endpoints.yml"
        path.write_text(
            "action_endpoint:\n"
            f'  url: "http://127.0.0.1:{self.ports.actions}/webhook"\n'
            # The secret stays in the environment; Rasa fills it in when it reads the file.
            f"  headers:\n    {SECRET_HEADER}: ${{{SECRET_ENV}}}\n"
            # Conversations in memory, forgotten after SIGNPOST_CONVERSATION_IDLE_MINUTES
            # (30) without a message: what the resident page's privacy notice says.
            "tracker_store:\n  type: signpost.tracker_store.ExpiringInMemoryTrackerStore\n",
            encoding="utf-8"
        )
        return path

    def cors_origins(self) -> list[str]:
        """Origins whose pages may call Rasa from a browser: the web app's own, unless
        SIGNPOST_CORS_ORIGINS (space-separated) names the real deployment's."""
        return cors_origins(self.ports.web, {**os.environ, **self.env})

    def commands(self) -> dict[str, list[str]]:
        p = self.ports
        return {
            # Loopback only, and every call must carry the secret (signpost/action_server.py).
            "actions": [sys.executable, "-m", "signpost.action_server", "--port",
                        str(p.actions), "--actions", "actions.actions"],
            # The API token goes through the environment (signpost/rasa_server.py).
            "rasa": [sys.executable, "-m", "signpost.rasa_server", "run", "--enable-api",
                     "--cors", *self.cors_origins(),
                     "--interface", self.host, "--port", str(p.rasa), "--model", str(self.model),
                     "--credentials", str(ROOT / "credentials.yml"),
                     "--endpoints", str(self._endpoints_file())],
            "web": [str(BIN / "gunicorn"), "--bind", f"{self.host}:{p.web}", "--workers", "2",
                    "--access-logfile", "-", "web.app:create_app()"],
        }

    def health_urls(self) -> dict[str, str]:
        p = self.ports
        return {
            "actions": f"http://127.0.0.1:{p.actions}/health",
            "rasa": f"http://127.0.0.1:{p.rasa}/status?token={rasa_api_token()}",
            "web": f"http://127.0.0.1:{p.web}/healthz",
        }

    def _pipe(self, name: str, proc: subprocess.Popen) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if not self.quiet:
                sys.stdout.write(f"[{name:7}] {line}")
                sys.stdout.flush()

    def start_one(self, name: str) -> None:
        env = {**os.environ, **self.env, "PYTHONUNBUFFERED": "1",
               "TF_CPP_MIN_LOG_LEVEL": "2", "RASA_PUBLIC_URL": self.env.get(
                   "RASA_PUBLIC_URL", f"http://{self.host}:{self.ports.rasa}"),
               "ACTION_SERVER_URL": f"http://127.0.0.1:{self.ports.actions}",
               "RASA_API_TOKEN": rasa_api_token(),
               SECRET_ENV: self.action_secret}
        proc = subprocess.Popen(
            self.commands()[name], cwd=ROOT, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )
        self.procs[name] = proc
        threading.Thread(target=self._pipe, args=(name, proc), daemon=True).start()

    def start(self, timeout: float = 240) -> None:
        for name in ("actions", "rasa", "web"):
            self.start_one(name)
        self.wait_ready(timeout)

    def wait_ready(self, timeout: float = 240, names: tuple[str, ...] | None = None) -> None:
        pending = dict(self.health_urls())
        if names:
            pending = {k: v for k, v in pending.items() if k in names}
        wait_for_health(self.procs, pending, timeout)

    def stop_one(self, name: str, timeout: float = 15) -> None:
        proc = self.procs.pop(name, None)
        if proc is not None:
            stop_process(proc, timeout)

    def stop(self) -> None:
        for name in list(self.procs):
            self.stop_one(name)
        if self._tmp:
            self._tmp.cleanup()
            self._tmp = None


def main() -> int:
    from signpost.logging_setup import configure_logging

    configure_logging()
    stack = Stack()
    token_line = ""
    try:
        from referral_log.auth import ensure_token

        token = ensure_token()
        token_line = f"  Commissioner token:   {token}  (from COMMISSIONER_TOKEN or var/)\n"
    except ImportError:
        pass
    print("Starting the action server (:5055), Rasa (:5005) and the web app (:8000)...")
    try:
        stack.start()
        print(
            "\n" + "=" * 64 + "\n"
            "  Essex wellbeing signposting assistant is running\n"
            "  Resident chat:        http://localhost:8000/\n"
            "  Practitioner search:  http://localhost:8000/practitioners\n"
            "  Commissioner stats:   http://localhost:8000/commissioners\n"
            "  ORUK API:             http://localhost:8000/api/\n"
            "  Rasa REST channel:    http://localhost:5005/webhooks/rest/webhook\n"
            "  Action server:        http://localhost:5055/health\n"
            + token_line +
            "  Press Ctrl-C to stop everything.\n" + "=" * 64 + "\n", flush=True,
        )
        return wait_until_one_exits(stack.procs)
    except KeyboardInterrupt:
        print("\nStopping...")
        return 0
    finally:
        stack.stop()
        print("All stopped.")


if __name__ == "__main__":
    sys.exit(main())
