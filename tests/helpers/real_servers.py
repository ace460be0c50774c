"""Real servers that several test directories use: PostgreSQL (the machine's) and a private
Redis (a `redis-server` process of the test's own, which a test may stop and start again).

Importable from any test as `from real_servers import ...`: pyproject.toml puts tests/helpers
on pytest's pythonpath.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from signpost.db import database_answers

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def pg_server() -> str | None:
    """TEST_DATABASE_URL, else PostgreSQL on 127.0.0.1:5432 if it answers, else None."""
    url = os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG
    return url if database_answers(url) else None


def redis_server_binary() -> str | None:
    return shutil.which("redis-server") or next(
        (p for p in ("/usr/bin/redis-server", "/usr/local/bin/redis-server")
         if os.access(p, os.X_OK)), None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A throwaway redis-server on loopback: no persistence, its own port and directory.

    kill() kills the real process (SIGKILL, as a crash would) and start() brings it back on
    the same port, empty; pause() and resume() make it hang and carry on. Use as a context
    manager, or call stop() when done."""

    def __init__(self, port: int | None = None) -> None:
        binary = redis_server_binary()
        if binary is None:
            raise RuntimeError("redis-server is not installed")
        self.binary = binary
        self.port = port or _free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="signpost-redis-"))
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 20) -> RedisServer:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir), "--daemonize", "no",
             "--logfile", str(self.dir / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while not self.ping():
            if self.proc.poll() is not None:
                log = (self.dir / "redis.log").read_text(errors="replace")[-500:]
                raise RuntimeError(f"redis-server exited ({self.proc.returncode}): {log}")
            if time.monotonic() > deadline:
                self.kill()
                raise TimeoutError(f"redis-server not answering on :{self.port}")
            time.sleep(0.1)
        return self

    def client(self, db: int = 0):
        import redis

        return redis.Redis(port=self.port, db=db, socket_timeout=3, socket_connect_timeout=3)

    def ping(self) -> bool:
        try:
            return bool(self.client().ping())
        except Exception:  # noqa: BLE001 - not up (yet)
            return False

    def pause(self) -> None:
        """SIGSTOP: the port still accepts connections, but nothing answers (a hung Redis)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGCONT)

    def kill(self) -> None:
        """Kill the process (SIGKILL) and wait until it has gone."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=20)
        self.proc = None

    def stop(self) -> None:
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
