"""Processes for the benchmarks: start a bot (action server + Rasa), measure its memory.

psutil is not a dependency, so memory is read from /proc: the VmRSS of a process and
of all its descendants (Sanic or gunicorn workers, if any).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from signpost.stack import stop_process

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as fh:
                stat = fh.read()
        except OSError:
            continue
        # comm (field 2) may hold spaces and brackets: ppid is 2 fields after the last ")".
        ppid = int(stat[stat.rfind(")") + 2:].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def vm_rss_kib(pid: int) -> int:
    """VmRSS of one process in KiB (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MiB."""
    tree, total, todo = _children(), 0, [pid]
    while todo:
        p = todo.pop()
        total += vm_rss_kib(p)
        todo.extend(tree.get(p, ()))
    return round(total / 1024, 1)


@dataclass
class Bot:
    """An action server and a Rasa server for one assistant, on their own ports."""

    name: str
    cwd: Path
    model: Path
    actions_module: str
    credentials: Path
    env: dict[str, str] = field(default_factory=dict)
    log_dir: Path | None = None
    actions_port: int = field(default_factory=free_port)
    rasa_port: int = field(default_factory=free_port)
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def _endpoints(self) -> Path:
        assert self.log_dir is not None
        path = self.log_dir / f"{self.name}-endpoints.yml"
        path.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{self.actions_port}/webhook"\n',
                        encoding="utf-8")
        return path

    def _start(self, role: str, cmd: list[str]) -> subprocess.Popen:
        assert self.log_dir is not None
        log = open(self.log_dir / f"{self.name}-{role}.log", "w", encoding="utf-8")  # noqa: SIM115
        # The chat's rate limits (bot/channels.py) would refuse a load test from one client.
        env = {"SIGNPOST_CHAT_RATE_LIMIT": "off", "SIGNPOST_CHAT_RATE_LIMIT_CONVERSATION": "off",
               **os.environ, **self.env, "PYTHONUNBUFFERED": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}
        proc = subprocess.Popen(cmd, cwd=self.cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        log.close()  # the child has its own copy
        self.procs[role] = proc
        return proc

    def start_actions(self, timeout: float = 180) -> None:
        self._start("actions", [str(BIN / "rasa"), "run", "actions", "--port",
                                str(self.actions_port), "--actions", self.actions_module])
        wait_http(f"http://127.0.0.1:{self.actions_port}/health", timeout, self.procs["actions"])

    def start_rasa(self, timeout: float = 400) -> float:
        """Start Rasa; seconds from launch to the first answer on the REST channel."""
        t0 = time.perf_counter()
        self._start("rasa", [str(BIN / "rasa"), "run", "--enable-api", "--interface", "127.0.0.1",
                             "--port", str(self.rasa_port), "--model", str(self.model),
                             "--credentials", str(self.credentials),
                             "--endpoints", str(self._endpoints())])
        deadline = time.monotonic() + timeout
        while True:
            if self.procs["rasa"].poll() is not None:
                raise RuntimeError(f"{self.name} rasa exited with {self.procs['rasa'].returncode}"
                                   f"; see {self.log_dir}/{self.name}-rasa.log")
            try:
                r = requests.post(f"{self.url}/webhooks/rest/webhook",
                                  json={"sender": f"startup-{time.time_ns()}", "message": "hello"},
                                  timeout=30)
                if r.status_code == 200 and r.json():
                    return time.perf_counter() - t0
            except (requests.RequestException, ValueError):
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name} rasa gave no answer within {timeout}s")
            time.sleep(0.25)

    def rss(self) -> dict[str, float]:
        return {role: tree_rss_mib(p.pid) for role, p in self.procs.items()}

    def stop(self) -> None:
        for proc in self.procs.values():
            stop_process(proc)
        self.procs.clear()


def wait_http(url: str, timeout: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {proc.returncode}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} not ready after {timeout}s")
        time.sleep(0.25)


