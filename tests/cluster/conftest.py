"""The production-shaped cluster (signpost/cluster.py) on free ports, with throwaway
PostgreSQL databases, for tests/cluster. One cluster serves all the modules here (two
Rasa replicas take a while to load); it stops after the last test of this directory.

Its Redis (lock store and the web app's rate limits) is a private `redis-server` of the
tests' own (tests/helpers/real_servers.py), so that test_cluster_faults.py can kill it and
bring it back without touching the machine's Redis. Where redis-server is not installed,
the machine's Redis on 6379 is used (with a key prefix of its own) and the Redis-down test
skips. Skips, saying why, only where PostgreSQL or Redis is not there or nginx is not
installed (`make test` installs nginx, as it installs chromium)."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from cluster_helpers import REDIS, WEB_RATE, free_port, redis_up
from real_servers import RedisServer, pg_server, redis_server_binary
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from signpost.cluster import Cluster, ClusterPorts, find_nginx
from signpost.config import ROOT

MODEL = ROOT / "models" / "signpost.tar.gz"
HERE = Path(__file__).parent
# What to stop once the last test of this directory is done (the fixtures are session-scoped
# so that the directory's modules share one cluster, but the rest of the run needs none).
_running: list[Cluster | RedisServer] = []


def pytest_runtest_teardown(item, nextitem) -> None:
    if nextitem is None or HERE not in Path(nextitem.path).parents:
        while _running:
            _running.pop().stop()


@pytest.fixture(scope="session")
def cluster_redis() -> Iterator[RedisServer | None]:
    """The cluster's private redis-server, or None where the machine's Redis is used."""
    if redis_server_binary() is None:
        if not redis_up():
            pytest.skip("neither redis-server installed nor Redis on 127.0.0.1:6379: the "
                        "cluster's lock store")
        yield None
        return
    with RedisServer() as server:
        _running.append(server)
        yield server


@pytest.fixture(scope="session")
def cluster(cluster_redis, tmp_path_factory) -> Iterator[Cluster]:
    server = pg_server()
    if server is None:
        pytest.skip("PostgreSQL is not reachable (TEST_DATABASE_URL or 127.0.0.1:5432): "
                    "the cluster keeps trackers, the directory and the log in PostgreSQL")
    if find_nginx() is None:
        pytest.skip("nginx is not installed (`make nginx`, which `make test` runs)")
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make model` (make test does this)")

    import redis

    redis_host, redis_port = REDIS if cluster_redis is None else ("127.0.0.1",
                                                                  cluster_redis.port)
    admin_url = make_url(server)
    tag = uuid.uuid4().hex[:10]
    names = {"app": f"signpost_cluster_{tag}", "tracker": f"signpost_cluster_tracker_{tag}"}
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", future=True)
    var = tmp_path_factory.mktemp("cluster")
    prefix = f"clustertest{tag}"
    c = Cluster(
        database_url=str(admin_url.set(database=names["app"])),
        tracker_url=str(admin_url.set(database=names["tracker"])),
        redis_host=redis_host, redis_port=redis_port, redis_db=1, lock_prefix=prefix,
        ports=ClusterPorts(rasa_lb=free_port(), actions_lb=free_port(), web_lb=free_port(),
                           rasa=(free_port(), free_port()),
                           actions=(free_port(), free_port()), web=free_port()),
        var_dir=var, model=MODEL, with_web=True,
        env={"SIGNPOST_VAR_DIR": str(var / "secrets"), "SIGNPOST_RATE_LIMIT": WEB_RATE,
             # 50 simultaneous conversations come from one client; each stays within the
             # per-conversation limit, which test_cluster.py checks across the replicas.
             "SIGNPOST_CHAT_RATE_LIMIT": "off"},
    )
    try:
        _running.append(c)
        c.start(timeout=240)  # creates both databases
        yield c
    finally:
        c.stop()
        for name in names.values():
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        try:
            r = redis.Redis(redis_host, redis_port, db=1, socket_timeout=3)
            for key in r.scan_iter(f"{prefix}:*"):
                r.delete(key)
        except redis.RedisError:
            pass  # a private server that is already gone: nothing to clean
