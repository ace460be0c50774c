"""The compiled action-response check keeps Rasa's behaviour (docs/performance.md)."""
from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot import rasa_speedups


@pytest.fixture()
def action() -> RemoteAction:
    import bot.channels  # noqa: F401 - the Rasa server loads it; importing installs the check

    assert rasa_speedups.installed()
    return RemoteAction("action_show_services", EndpointConfig("http://127.0.0.1:9/webhook"))


def test_a_valid_response_passes(action):
    response = {
        "events": [{"event": "slot", "timestamp": None, "name": "results_offset", "value": 3}],
        "responses": [{"text": "Here are services", "buttons": [
            {"title": "More options", "payload": "/more_options"}]}],
    }
    assert action._validate_action_result(response) is True


@pytest.mark.parametrize("response", [
    {"events": [{"name": "a slot event without its type"}]},
    {"events": "not a list"},
    {"events": [{"event": "slot"}]},
    {"events": [{"event": "nonsense_event"}]},
    {"responses": "not a list"},
])
def test_a_malformed_response_is_still_refused_with_rasas_message(action, response):
    # Same verdicts as Rasa's own jsonschema.validate call, which it replaces.
    with pytest.raises(ValidationError) as raised:
        action._validate_action_result(response)
    assert "Failed to validate Action server response" in raised.value.message


def test_install_is_idempotent():
    rasa_speedups.install()
    rasa_speedups.install()
    assert RemoteAction._validate_action_result is rasa_speedups._validate_action_result
