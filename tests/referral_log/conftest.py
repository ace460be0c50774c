"""Referral log fixtures: every test gets its own var/ directory and no secrets from env."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_secrets(tmp_path, monkeypatch):
    """Each test gets its own var/ directory and no secrets from the environment."""
    monkeypatch.setenv("SIGNPOST_VAR_DIR", str(tmp_path / "var"))
    for name in ("COMMISSIONER_TOKEN", "SIGNPOST_LOG_SECRET", "SIGNPOST_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
