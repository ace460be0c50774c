"""The production-shaped cluster (signpost/cluster.py) on free ports, with throwaway
PostgreSQL databases and its own Redis key prefix, for tests/cluster.

Skips, saying why, only where PostgreSQL or Redis is not running or nginx is not
installed (`make test` installs nginx, as it installs chromium)."""
from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from cluster_helpers import REDIS, free_port, pg_server, redis_up
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from signpost.cluster import Cluster, ClusterPorts, find_nginx
from signpost.config import ROOT

MODEL = ROOT / "models" / "signpost.tar.gz"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    server = pg_server()
    if server is None:
        pytest.skip("PostgreSQL is not reachable (TEST_DATABASE_URL or 127.0.0.1:5432): "
                    "the cluster keeps trackers, the directory and the log in PostgreSQL")
    if not redis_up():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379: the cluster's lock store")
    if find_nginx() is None:
        pytest.skip("nginx is not installed (`make nginx`, which `make test` runs)")
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make model` (make test does this)")

    import redis

    admin_url = make_url(server)
    tag = uuid.uuid4().hex[:10]
    names = {"app": f"signpost_cluster_{tag}", "tracker": f"signpost_cluster_tracker_{tag}"}
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", future=True)
    var = tmp_path_factory.mktemp("cluster")
    prefix = f"clustertest{tag}"
    c = Cluster(
        database_url=str(admin_url.set(database=names["app"])),
        tracker_url=str(admin_url.set(database=names["tracker"])),
        redis_host=REDIS[0], redis_port=REDIS[1], redis_db=1, lock_prefix=prefix,
        ports=ClusterPorts(rasa_lb=free_port(), actions_lb=free_port(), web_lb=free_port(),
                           rasa=(free_port(), free_port()),
                           actions=(free_port(), free_port()), web=free_port()),
        var_dir=var, model=MODEL, with_web=False,
        env={"SIGNPOST_VAR_DIR": str(var / "secrets")},
    )
    try:
        c.start(timeout=240)  # creates both databases
        yield c
    finally:
        c.stop()
        for name in names.values():
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        r = redis.Redis(*REDIS, db=1)
        for key in r.scan_iter(f"{prefix}:*"):
            r.delete(key)
