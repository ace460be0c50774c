"""`make run-cluster`: the production-shaped system on one machine.

    nginx (loopback) ─┬─ :5005 → Rasa replica 1 (:5006) ┐   tracker: PostgreSQL (masked)
                      │         Rasa replica 2 (:5007) ┘   locks:   Redis
                      ├─ :5055 → action server 1 (:5056), 2 (:5057) → directory + referral
                      └─ :8000 → web app (gunicorn, :8001)           log on PostgreSQL

Every Rasa replica reads endpoints.cluster.yml, whose ${VARS} this module sets: the action
servers (through the balancer by default), the tracker store and the Redis lock store.
Nothing is installed as a system service: nginx runs in the foreground with its config,
pid and logs under var/cluster/ (generated from signpost/nginx.cluster.conf.in).

Environment (defaults in brackets):
  DATABASE_URL          directory + referral log [postgresql://postgres@127.0.0.1:5432/signpost]
  TRACKER_DATABASE_URL  conversations [same server, database signpost_tracker]
  REDIS_HOST, REDIS_PORT, REDIS_DB, LOCK_KEY_PREFIX   [127.0.0.1, 6379, 1, signpost]
  TRACKER_RETENTION_DAYS  conversations older than this are purged at start-up [30]
  SIGNPOST_CLUSTER_PORT_OFFSET  added to every port above [0]; 1000 gives :6005, :6055,
                        :9000 (replicas :6006-6007, :6056-6057, :9001), so the cluster can
                        run next to `make run` (which uses :5005, :5055, :8000)
Databases that do not exist yet are created. Every port is checked before anything starts:
one already taken stops `make run-cluster` at once, naming the port and what to do.

The web app behind nginx gets SIGNPOST_TRUSTED_PROXIES=1 (the client is the address nginx
saw) and SIGNPOST_RATE_LIMIT_REDIS_URL (the cluster's Redis), so that its rate limits are
counted once for all workers (web/ratelimit.py).
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from signpost.action_server import SECRET_ENV, action_secret
from signpost.config import ROOT, VAR_DIR, cors_origins, rasa_api_token
from signpost.stack import stop_process, wait_for_health, wait_until_one_exits

BIN = Path(sys.executable).parent
TEMPLATE = Path(__file__).with_name("nginx.cluster.conf.in")
ENDPOINTS = ROOT / "endpoints.cluster.yml"
DEFAULT_DB = "postgresql://postgres@127.0.0.1:5432/signpost"
PORT_OFFSET_ENV = "SIGNPOST_CLUSTER_PORT_OFFSET"


def find_nginx() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None)


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in url if it does not exist."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        raise ValueError(f"the cluster needs PostgreSQL, not {parsed.drivername}")
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT",
                          future=True)
    try:
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                  {"n": parsed.database}).scalar()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        admin.dispose()


class ClusterError(RuntimeError):
    """The cluster cannot start, for a reason the message explains (no traceback needed)."""


@dataclass
class ClusterPorts:
    rasa_lb: int = 5005
    actions_lb: int = 5055
    web_lb: int = 8000
    rasa: tuple[int, ...] = (5006, 5007)
    actions: tuple[int, ...] = (5056, 5057)
    web: int = 8001

    @classmethod
    def shifted(cls, offset: int) -> ClusterPorts:
        """The default ports plus offset (SIGNPOST_CLUSTER_PORT_OFFSET)."""
        d = cls()
        ports = cls(rasa_lb=d.rasa_lb + offset, actions_lb=d.actions_lb + offset,
                    web_lb=d.web_lb + offset, rasa=tuple(p + offset for p in d.rasa),
                    actions=tuple(p + offset for p in d.actions), web=d.web + offset)
        bad = [p for p in ports.roles(with_web=True) if not 1 <= p <= 65535]
        if bad:
            raise ClusterError(f"{PORT_OFFSET_ENV}={offset} gives port {bad[0]}, which is "
                               "not between 1 and 65535")
        return ports

    def roles(self, with_web: bool) -> dict[int, str]:
        """Every port the cluster listens on, and what listens there."""
        out = {self.rasa_lb: "Rasa through nginx", self.actions_lb: "action servers through nginx"}
        out.update({port: f"Rasa replica {i + 1}" for i, port in enumerate(self.rasa)})
        out.update({port: f"action server {i + 1}" for i, port in enumerate(self.actions)})
        if with_web:
            out.update({self.web_lb: "web app through nginx", self.web: "web app (gunicorn)"})
        return out


def port_offset_from_env(env: dict[str, str] | None = None) -> int:
    raw = (os.environ if env is None else env).get(PORT_OFFSET_ENV, "").strip() or "0"
    try:
        return int(raw)
    except ValueError:
        raise ClusterError(f"{PORT_OFFSET_ENV} must be a whole number (for example 1000), "
                           f"not {raw!r}") from None


class PortsInUse(ClusterError):
    """Some of the cluster's ports are taken: nothing has been started."""


def check_ports_free(ports: ClusterPorts, with_web: bool = True,
                     host: str = "127.0.0.1") -> None:
    """Raise PortsInUse, naming every port that cannot be listened on and what to do.

    Binds each port the way the servers will (SO_REUSEADDR, so a port left in TIME_WAIT by a
    cluster that has just stopped still counts as free) and lets it go at once."""
    taken = []
    for port, role in ports.roles(with_web).items():
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((host, port))
            except OSError as exc:
                taken.append(f"{host}:{port} ({role}): {exc.strerror or exc}")
    if not taken:
        return
    default = ClusterPorts()
    current = ports.rasa_lb - default.rasa_lb
    example = f"`{PORT_OFFSET_ENV}=N make run-cluster`"
    for offset in (current + 1000, current - 1000, 1000):  # an offset to suggest
        try:
            moved = ClusterPorts.shifted(offset)
        except ClusterError:
            continue
        example = (f"`{PORT_OFFSET_ENV}={offset} make run-cluster` (Rasa on :{moved.rasa_lb}, "
                   f"action servers on :{moved.actions_lb}, web on :{moved.web_lb})")
        break
    lines = "\n".join(f"  {t}" for t in taken)
    raise PortsInUse(
        f"cannot start the cluster: {'a port is' if len(taken) == 1 else 'ports are'} "
        f"already in use on this machine:\n{lines}\n"
        f"Is `make run` (:{default.rasa_lb}, :{default.actions_lb}, :{default.web_lb}) or "
        "another cluster running? Stop it, or move the cluster's ports, for example "
        f"{example}. Nothing was started.")


@dataclass
class Cluster:
    database_url: str
    tracker_url: str
    redis_host: str = "127.0.0.1"
    redis_port: int = 6379
    redis_db: int = 1
    lock_prefix: str = "signpost"
    ports: ClusterPorts = field(default_factory=ClusterPorts)
    var_dir: Path = VAR_DIR / "cluster"
    model: Path = ROOT / "models" / "signpost.tar.gz"
    endpoints: Path = ENDPOINTS
    with_web: bool = True
    actions_via_balancer: bool = True
    env: dict[str, str] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    # Rasa sends it with every action call; the action servers refuse calls without it.
    action_secret: str = ""

    def __post_init__(self) -> None:
        if not self.action_secret:
            self.action_secret = action_secret({**os.environ, **self.env})

    # --- configuration ------------------------------------------------------------------
    def base_env(self) -> dict[str, str]:
        return {**os.environ, **self.env, "PYTHONUNBUFFERED": "1", "TF_CPP_MIN_LOG_LEVEL": "2",
                "DATABASE_URL": self.database_url, "TRACKER_DATABASE_URL": self.tracker_url,
                # Secrets (referral-log HMAC key, commissioner token) shared by all processes.
                "SIGNPOST_VAR_DIR": self.env.get("SIGNPOST_VAR_DIR",
                                                 os.environ.get("SIGNPOST_VAR_DIR", str(VAR_DIR))),
                # Through the environment, never argv (any local user can read argv).
                SECRET_ENV: self.action_secret, "RASA_API_TOKEN": rasa_api_token()}

    def rasa_env(self, index: int) -> dict[str, str]:
        p = self.ports
        action_port = p.actions_lb if self.actions_via_balancer else p.actions[index]
        return {**self.base_env(),
                "SIGNPOST_ACTION_URL": f"http://127.0.0.1:{action_port}/webhook",
                "REDIS_HOST": self.redis_host, "REDIS_PORT": str(self.redis_port),
                "REDIS_DB": str(self.redis_db), "LOCK_KEY_PREFIX": self.lock_prefix,
                "RASA_PUBLIC_URL": f"http://127.0.0.1:{p.rasa_lb}",
                # The chat channels' rate limits (bot/channels.py): the client is the address
                # nginx saw, and the counts are shared by both replicas through Redis.
                "SIGNPOST_TRUSTED_PROXIES": "1",
                "SIGNPOST_RATE_LIMIT_REDIS_URL":
                    f"redis://{self.redis_host}:{self.redis_port}/{self.redis_db}",
                "SIGNPOST_RATE_LIMIT_REDIS_PREFIX": f"{self.lock_prefix}:ratelimit"}

    def web_env(self) -> dict[str, str]:
        return {**self.base_env(), "RASA_PUBLIC_URL": f"http://127.0.0.1:{self.ports.rasa_lb}",
                # One proxy (nginx) in front: the client is the address it saw.
                "SIGNPOST_TRUSTED_PROXIES": "1",
                # Rate limits counted in the cluster's Redis, once for every worker.
                "SIGNPOST_RATE_LIMIT_REDIS_URL":
                    f"redis://{self.redis_host}:{self.redis_port}/{self.redis_db}",
                "SIGNPOST_RATE_LIMIT_REDIS_PREFIX": f"{self.lock_prefix}:ratelimit"}

    def nginx_conf(self) -> Path:
        """Render the template into var_dir/nginx.conf."""
        p, prefix = self.ports, self.var_dir.resolve()
        for sub in ("logs", "tmp"):
            (prefix / sub).mkdir(parents=True, exist_ok=True)

        def servers(ports) -> str:
            return "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;"
                             for port in ports)

        web = ""
        if self.with_web:
            web = (f"\n    server {{\n        listen 127.0.0.1:{p.web_lb};\n"
                   "        location / {\n"
                   f"            proxy_pass http://127.0.0.1:{p.web};\n"
                   "            proxy_set_header Host $host;\n"
                   "            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
                   "            proxy_set_header X-Forwarded-Proto $scheme;\n"
                   "        }\n    }")
        import getpass

        # Workers run as the user who starts the cluster ("user" only applies to root).
        user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
        values = {"USER": user, "PREFIX": str(prefix), "RASA_PORT": str(p.rasa_lb),
                  "ACTIONS_PORT": str(p.actions_lb), "RASA_SERVERS": servers(p.rasa),
                  "ACTION_SERVERS": servers(p.actions), "WEB_SERVER": web}
        conf = re.sub(r"@@([A-Z_]+)@@", lambda m: values[m.group(1)],
                      TEMPLATE.read_text(encoding="utf-8"))
        path = prefix / "nginx.conf"
        path.write_text(conf, encoding="utf-8")
        return path

    def commands(self) -> dict[str, tuple[list[str], dict[str, str]]]:
        p = self.ports
        out: dict[str, tuple[list[str], dict[str, str]]] = {}
        for i, port in enumerate(p.actions):
            # Loopback only; calls need the secret (signpost/action_server.py).
            out[f"actions-{i + 1}"] = ([sys.executable, "-m", "signpost.action_server",
                                        "--port", str(port), "--actions", "actions.actions"],
                                       self.base_env())
        cors = cors_origins(p.web_lb, {**os.environ, **self.env})
        for i, port in enumerate(p.rasa):
            # The API token comes from the environment (signpost/rasa_server.py).
            out[f"rasa-{i + 1}"] = ([sys.executable, "-m", "signpost.rasa_server", "run",
                                     "--enable-api", "--cors", *cors, "--interface",
                                     "127.0.0.1", "--port", str(port), "--model",
                                     str(self.model), "--credentials",
                                     str(ROOT / "credentials.yml"), "--endpoints",
                                     str(self.endpoints)], self.rasa_env(i))
        if self.with_web:
            out["web"] = ([str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{p.web}", "--workers",
                           "2", "--access-logfile", "-", "web.app:create_app()"],
                          self.web_env())
        nginx = find_nginx()
        if nginx is None:
            raise RuntimeError("nginx is not installed: `make nginx` (apt-get install nginx)")
        prefix = self.var_dir.resolve()
        out["nginx"] = ([nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e",
                         str(prefix / "logs" / "nginx-error.log")], dict(os.environ))
        return out

    def health_urls(self) -> dict[str, str]:
        p = self.ports
        urls = {f"actions-{i + 1}": f"http://127.0.0.1:{port}/health"
                for i, port in enumerate(p.actions)}
        token = rasa_api_token()
        urls.update({f"rasa-{i + 1}": f"http://127.0.0.1:{port}/status?token={token}"
                     for i, port in enumerate(p.rasa)})
        if self.with_web:
            urls["web"] = f"http://127.0.0.1:{p.web}/healthz"
        urls["nginx"] = f"http://127.0.0.1:{p.rasa_lb}/status?token={token}"
        return urls

    # --- lifecycle -------------------------------------------------------------------------
    def prepare(self) -> None:
        """Databases, migrations, seed data, tracker table, retention purge, shared secrets."""
        ensure_database(self.database_url)
        ensure_database(self.tracker_url)
        env = self.base_env()
        cli = [sys.executable, "-m", "signpost.cli"]
        for args in (["db", "upgrade"], ["directory", "seed"], ["tracker", "init"],
                     ["tracker", "purge"]):
            subprocess.run(cli + args, cwd=ROOT, env=env, check=True)
        # Create the referral log's HMAC secret once, before two action servers race to.
        subprocess.run([sys.executable, "-c", "from referral_log import auth; auth.log_secret()"],
                       cwd=ROOT, env=env, check=True)
        self.nginx_conf()

    def start(self, timeout: float = 300) -> None:
        if not self.model.exists():
            raise RuntimeError(f"no trained model at {self.model}: run `make model`")
        check_ports_free(self.ports, self.with_web)  # before anything is started or created
        self.prepare()
        logs = self.var_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        try:
            for name, (cmd, env) in self.commands().items():
                if name == "nginx":  # last: once its upstreams answer
                    self.wait_ready(timeout, exclude=("nginx",))
                with open(logs / f"{name}.log", "w", encoding="utf-8") as out:
                    self.procs[name] = subprocess.Popen(
                        cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                        start_new_session=True)
            self.wait_ready(timeout)
        except BaseException:
            self.stop()
            raise

    def wait_ready(self, timeout: float, exclude: tuple[str, ...] = ()) -> None:
        pending = {k: v for k, v in self.health_urls().items() if k not in exclude}
        wait_for_health(self.procs, pending, timeout,
                        hint=f"; see {self.var_dir / 'logs'}/<name>.log")

    def stop(self, timeout: float = 20) -> None:
        for name in reversed(list(self.procs)):
            stop_process(self.procs.pop(name), timeout)


def from_environment() -> Cluster:
    db = os.environ.get("DATABASE_URL") or DEFAULT_DB
    db = "postgresql://" + db[len("postgres://"):] if db.startswith("postgres://") else db
    tracker = os.environ.get("TRACKER_DATABASE_URL") or str(
        make_url(db).set(database="signpost_tracker"))
    return Cluster(
        database_url=db, tracker_url=tracker,
        redis_host=os.environ.get("REDIS_HOST", "127.0.0.1"),
        redis_port=int(os.environ.get("REDIS_PORT", "6379")),
        redis_db=int(os.environ.get("REDIS_DB", "1")),
        lock_prefix=os.environ.get("LOCK_KEY_PREFIX", "signpost"),
        ports=ClusterPorts.shifted(port_offset_from_env()),
    )


def main() -> int:
    from signpost.logging_setup import configure_logging

    configure_logging()

    def _terminate(_signum, _frame) -> None:  # SIGTERM (a supervisor, `kill`): as Ctrl-C
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    try:
        cluster = from_environment()
        check_ports_free(cluster.ports, cluster.with_web)
    except ClusterError as exc:
        print(f"make run-cluster: {exc}", file=sys.stderr)
        return 2
    p = cluster.ports
    print("Starting the cluster: 2 action servers, 2 Rasa replicas, the web app, nginx...",
          flush=True)
    try:
        cluster.start()
        from referral_log.auth import ensure_token

        token = ensure_token()  # the same var dir as the processes: SIGNPOST_VAR_DIR or var/
        print(
            "\n" + "=" * 68 + "\n"
            "  Essex wellbeing signposting assistant: cluster mode\n"
            f"  Resident chat (via nginx):  http://localhost:{p.web_lb}/\n"
            f"  Rasa REST (via nginx):      http://localhost:{p.rasa_lb}/webhooks/rest/webhook\n"
            f"  Rasa replicas:              :{p.rasa[0]}, :{p.rasa[1]}\n"
            f"  Action servers (via nginx): http://localhost:{p.actions_lb}/health "
            f"(replicas :{p.actions[0]}, :{p.actions[1]})\n"
            f"  Logs, nginx.conf, pid:      {cluster.var_dir}/\n"
            f"  Commissioner token:         {token}  (from COMMISSIONER_TOKEN or var/)\n"
            "  Press Ctrl-C to stop everything.\n" + "=" * 68 + "\n", flush=True)
        return wait_until_one_exits(cluster.procs)
    except KeyboardInterrupt:
        print("\nStopping...")
        return 0
    finally:
        cluster.stop()
        print("All stopped.")


if __name__ == "__main__":
    sys.exit(main())
