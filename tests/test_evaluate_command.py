"""`signpost evaluate`: the fixed contract (JSON keys, malformed files named by row)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SIGNPOST = str(Path(sys.executable).parent / "signpost")


def evaluate(csv_path: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([SIGNPOST, "evaluate", "--data", str(csv_path), *extra], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize(("content", "reason"), [
    ("words,label\nhello,loneliness\n", "header must be exactly 'text,need'"),
    ("text,need\nI feel lonely,loneliness\nbins,rubbish\n", "row 3: unknown need 'rubbish'"),
    ("text,need\n,smoking\n", "row 2: empty text"),
    ("text,need\nI feel lonely,loneliness,extra\n", "row 2: expected 2 columns"),
    ("text,need\n", "no rows"),
    ("text,main,second\nI drink since I lost my job,alcohol,alcohol\n",
     "row 2: second need must be another need id"),
    ("text,main,second\nI drink since I lost my job,alcohol,jobs\n",
     "row 2: second need must be another need id, got 'jobs'"),
])
def test_malformed_file_exits_non_zero_with_row_and_reason(tmp_path, content, reason):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    result = evaluate(path, "--json")
    assert result.returncode != 0
    assert reason in result.stderr
    assert result.stdout.strip() == ""


def test_missing_and_non_utf8_files(tmp_path):
    assert "no such file" in evaluate(tmp_path / "nope.csv").stderr
    path = tmp_path / "latin1.csv"
    path.write_bytes("text,need\ncaf\xe9 lonely,loneliness\n".encode("latin-1"))
    result = evaluate(path)
    assert result.returncode != 0 and "not UTF-8" in result.stderr


@pytest.mark.rasa
def test_json_report_has_the_contract_keys(tmp_path):
    rows = [
        ("I feel so lonely since my husband died", "loneliness"),
        ("I want to stop smoking", "smoking"),
        ("I'm going to take everything in the medicine cabinet", "crisis"),
        ("when is my bin collection", "out_of_scope"),
    ]
    path = tmp_path / "small.csv"
    path.write_text("text,need\n" + "".join(f'"{t}",{n}\n' for t, n in rows), encoding="utf-8")
    result = evaluate(path, "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)  # stdout is exactly one JSON object
    assert set(report) >= {"n", "accuracy", "macro_f1", "crisis_recall", "false_crisis_rate",
                           "per_need", "p50_ms", "p95_ms"}
    assert report["n"] == 4
    assert report["crisis_recall"] == 1.0
    assert report["false_crisis_rate"] == 0.0
    assert set(report["per_need"]["smoking"]) == {"precision", "recall", "f1", "support"}


@pytest.mark.rasa
def test_mixed_needs_file_reports_the_second_need(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text(
        "text,main,second\n"
        '"I drink too much since I lost my job and I need to find work",alcohol,'
        "employment_education\n"
        '"I want to stop smoking, and I am overweight too",smoking,weight\n', encoding="utf-8")
    result = evaluate(path, "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["n"] == 2
    assert 0.0 <= report["second_need_recall"] <= report["second_need_any_offer"] <= 1.0
    assert {"clarify_rate", "clarify_right_in_two", "second_need_offered_wrongly"} <= set(report)
