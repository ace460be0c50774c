"""socket.io through the cluster's balancer (nginx), to the end of a signposting turn.

Long-polling sends several HTTP requests per message, and all of them must reach the Rasa
replica that holds the session: nginx routes /socket.io/ by client address (ip_hash), not per
request. A WebSocket needs nginx to speak HTTP/1.1 upstream and pass on the Upgrade and
Connection headers. Both are held here to the point where services are shown.
"""
from __future__ import annotations

import pytest
from cluster_helpers import (
    LONELY,
    SERVICES,
    SHOWN,
    socketio_conversation,
    websocket_conversation,
)

pytestmark = [pytest.mark.rasa, pytest.mark.postgres]


def assert_services_shown(out: str) -> None:
    assert SHOWN in out and "Tendring" in out, out
    assert any(name in out for name in SERVICES), out


@pytest.mark.parametrize("talk", [socketio_conversation, websocket_conversation],
                         ids=["long-polling", "websocket"])
def test_a_socketio_conversation_through_the_balancer_reaches_services(cluster, talk):
    lb = f"http://127.0.0.1:{cluster.ports.rasa_lb}"
    out = talk(lb, ["hello", "I'm feeling really lonely", "I'm 81 and live in Clacton"],
               until=SHOWN)
    assert "wellbeing" in out.lower(), out  # the greeting
    assert_services_shown(out)


def test_one_message_with_everything_reaches_services_over_websocket(cluster):
    lb = f"http://127.0.0.1:{cluster.ports.rasa_lb}"
    assert_services_shown(websocket_conversation(lb, [LONELY], until=SHOWN))


def test_the_socketio_route_is_sticky_and_can_upgrade(cluster):
    conf = (cluster.var_dir / "nginx.conf").read_text(encoding="utf-8")
    block = conf[conf.index("upstream rasa_socketio"):]
    assert "ip_hash;" in block[:block.index("}")]
    location = conf[conf.index("location /socket.io/"):]
    location = location[:location.index("}")]
    for line in ("proxy_http_version 1.1;", "proxy_set_header Upgrade $http_upgrade;",
                 "proxy_set_header Connection $connection_upgrade;",
                 "proxy_set_header Host $host;"):
        assert line in location, line
