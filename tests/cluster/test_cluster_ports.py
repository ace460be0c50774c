"""The cluster's ports: movable with SIGNPOST_CLUSTER_PORT_OFFSET (so that it can run next to
`make run`), and checked before anything starts, with a message that names the port and says
what to do. Unit-level: no cluster is started."""
from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator

import pytest

from signpost.cluster import (
    PORT_OFFSET_ENV,
    Cluster,
    ClusterError,
    ClusterPorts,
    PortsInUse,
    check_ports_free,
    from_environment,
    port_offset_from_env,
)
from signpost.config import ROOT


@pytest.fixture
def taken() -> Iterator[int]:
    """A port some other program is listening on, as `make run`'s Rasa would be."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield s.getsockname()[1]


def free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def ports_with_rasa_lb(port: int) -> ClusterPorts:
    a, b, c, d, e, f, g = free_ports(7)
    return ClusterPorts(rasa_lb=port, actions_lb=a, web_lb=b, rasa=(c, d), actions=(e, f),
                        web=g)


def test_defaults_and_the_offset():
    assert ClusterPorts.shifted(0) == ClusterPorts()
    moved = ClusterPorts.shifted(1000)
    assert (moved.rasa_lb, moved.actions_lb, moved.web_lb) == (6005, 6055, 9000)
    assert (moved.rasa, moved.actions, moved.web) == ((6006, 6007), (6056, 6057), 9001)
    assert port_offset_from_env({}) == 0
    assert port_offset_from_env({PORT_OFFSET_ENV: " 1000 "}) == 1000
    with pytest.raises(ClusterError, match=f"{PORT_OFFSET_ENV} must be a whole number"):
        port_offset_from_env({PORT_OFFSET_ENV: "lots"})
    with pytest.raises(ClusterError, match="not between 1 and 65535"):
        ClusterPorts.shifted(61000)


def test_the_environment_moves_every_port(monkeypatch):
    monkeypatch.setenv(PORT_OFFSET_ENV, "2000")
    assert from_environment().ports == ClusterPorts.shifted(2000)


def test_free_ports_pass():
    check_ports_free(ports_with_rasa_lb(free_ports(1)[0]), with_web=True)


def test_a_taken_port_is_named_with_what_to_do(taken):
    with pytest.raises(PortsInUse) as caught:
        check_ports_free(ports_with_rasa_lb(taken), with_web=False)
    message = str(caught.value)
    assert f"127.0.0.1:{taken} (Rasa through nginx)" in message
    assert "already in use" in message and "make run" in message
    assert f"{PORT_OFFSET_ENV}=" in message and "make run-cluster" in message
    assert "Nothing was started" in message
    assert message.count("127.0.0.1:") == 1  # only the taken port is listed


def test_start_fails_before_anything_is_created(taken, tmp_path):
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"")
    cluster = Cluster(database_url="postgresql://nobody@127.0.0.1:1/never",
                      tracker_url="postgresql://nobody@127.0.0.1:1/never",
                      ports=ports_with_rasa_lb(taken), var_dir=tmp_path / "var", model=model)
    with pytest.raises(PortsInUse):  # not a database error: the ports are checked first
        cluster.start(timeout=5)
    assert not cluster.procs and not (tmp_path / "var").exists()


def test_make_run_cluster_stops_at_once_with_the_message(taken):
    """scripts/run-cluster (what `make run-cluster` runs) with an offset that puts the Rasa
    balancer on the taken port: exit status 2 and the message, no traceback."""
    env = {**os.environ, PORT_OFFSET_ENV: str(taken - ClusterPorts().rasa_lb)}
    done = subprocess.run([str(ROOT / "scripts" / "run-cluster")], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert f"127.0.0.1:{taken} (Rasa through nginx)" in done.stderr
    assert f"{PORT_OFFSET_ENV}=" in done.stderr and "Traceback" not in done.stderr
    assert "Starting the cluster" not in done.stdout


def test_the_web_app_behind_nginx_trusts_one_proxy_and_counts_in_redis():
    cluster = Cluster(database_url="postgresql://x@127.0.0.1/a",
                      tracker_url="postgresql://x@127.0.0.1/b", redis_host="10.0.0.9",
                      redis_port=6380, redis_db=3, lock_prefix="blue")
    env = cluster.web_env()
    assert env["SIGNPOST_TRUSTED_PROXIES"] == "1"
    assert env["SIGNPOST_RATE_LIMIT_REDIS_URL"] == "redis://10.0.0.9:6380/3"
    assert env["SIGNPOST_RATE_LIMIT_REDIS_PREFIX"] == "blue:ratelimit"
