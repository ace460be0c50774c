"""The seeded directory the action tests run on, on each database backend."""
from __future__ import annotations

import pytest

from services_directory.seed import seed


@pytest.fixture
def directory(empty_db_url, monkeypatch, tmp_path) -> str:
    seed(empty_db_url)
    monkeypatch.setenv("DATABASE_URL", empty_db_url)
    monkeypatch.setenv("SIGNPOST_VAR_DIR", str(tmp_path))
    return empty_db_url
