"""Rasa's own checks on the training data and the trained model."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RASA = str(Path(sys.executable).parent / "rasa")
MODEL = ROOT / "models" / "signpost.tar.gz"


def rasa(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([RASA, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env={**__import__("os").environ,
                                                "TF_CPP_MIN_LOG_LEVEL": "2"})


def test_rasa_data_validate_is_clean():
    result = rasa("data", "validate", "--fail-on-warnings")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


@pytest.mark.rasa
def test_test_stories_pass_with_no_prediction_errors(tmp_path):
    if not MODEL.exists():
        pytest.fail("no trained model: run `make model` (make test does)")
    result = rasa("test", "core", "--model", str(MODEL), "--stories", "tests/test_stories.yml",
                  "--fail-on-prediction-errors", "--out", str(tmp_path / "results"))
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
