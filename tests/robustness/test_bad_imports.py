"""Hostile directory imports (`signpost directory import`): a clear refusal (exit 2) and no
partial write. Every table's row count, and the whole exported directory, are unchanged after
a refused import. Runs on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from robust_helpers import NASTY, NASTY_TEXT, fuzz, row_counts

from services_directory.export import export_text
from services_directory.seed import seed
from signpost.cli import main
from signpost.db import session_scope


def export(url: str, fmt: str = "oruk-json") -> str:
    with session_scope(url) as session:
        return export_text(session, fmt)


def snapshot(url: str) -> tuple[dict, str]:
    return row_counts(url), export(url)


def refused(url: str, path: Path, capsys) -> str:
    """Import `path`; it must be refused with a reason and leave the database as it was."""
    before = snapshot(url)
    code = main(["directory", "import", str(path), "--url", url])
    err = capsys.readouterr().err
    assert code == 2, (path.name, code, err[-500:])
    assert "Traceback" not in err and err.strip().splitlines()[-1].startswith("signpost: error:")
    assert snapshot(url) == before, f"{path.name} changed the database"
    return err


@pytest.fixture
def seeded(empty_db_url) -> str:
    seed(empty_db_url)
    return empty_db_url


def bad_files(tmp_path: Path, good: list[dict]) -> list[Path]:
    files: dict[str, bytes] = {
        "empty.json": b"",
        "empty.csv": b"",
        "bad-utf8.json": b'[{"name": "\xff\xfe"}]',
        "bad-utf8.csv": b"id,name\n\xff\xfe,x\n",
        "not-json.json": b"{",
        "deep.json": b"[" * 100_000,
        "object.json": b'{"id": "x"}',
        "nulls.json": b"[null, 1, \"x\", []]",
        "one-megabyte.json": json.dumps(["a" * 1_000_000]).encode(),
        "html.json": b"<html><script>alert(1)</script></html>",
        "sql.csv": b"'; DROP TABLE service; --\n1,2\n",
    }
    for label, change in {
        "traversal-id": lambda d: d[-1].update(id="../../etc/passwd"),
        "sql-id": lambda d: d[-1].update(id="'; DROP TABLE service; --"),
        "duplicate-id": lambda d: d.append(dict(d[0])),
        "negative-age": lambda d: d[-1].update(minimum_age=-1),
        "age-digit-two": lambda d: d[-1].update(minimum_age="²"),
        "huge-age": lambda d: d[-1].update(maximum_age=10**40),
        "bad-url": lambda d: d[-1].update(url="javascript:alert(1)"),
    }.items():
        data = json.loads(json.dumps(good))
        data[0]["description"] = "CHANGED: this must not be written"  # valid, and first
        change(data)
        files[f"{label}.json"] = json.dumps(data).encode()
    paths = []
    for name, content in files.items():
        path = tmp_path / name
        path.write_bytes(content)
        paths.append(path)
    return paths


def test_bad_imports_are_refused_and_write_nothing(seeded, tmp_path, capsys):
    good = json.loads(export(seeded))
    for path in bad_files(tmp_path, good):
        refused(seeded, path, capsys)
    assert "CHANGED" not in export(seeded)


def test_random_csv_cells_never_crash_or_half_write(sqlite_url, tmp_path, capsys):
    seed(sqlite_url)
    rows = list(csv.DictReader(io.StringIO(export(sqlite_url, "csv"))))
    fields = list(rows[0])
    path = tmp_path / "random.csv"
    state = {"before": snapshot(sqlite_url)}

    @fuzz(50)
    @given(field=st.sampled_from(fields), value=st.one_of(st.sampled_from(NASTY), NASTY_TEXT))
    def run(field, value):
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        changed = [dict(r) for r in rows]
        changed[0]["description"] = "CHANGED: this must not be written"
        changed[-1][field] = value.replace("\x00", "")
        writer.writerows(changed)
        path.write_text(out.getvalue(), encoding="utf-8")
        code = main(["directory", "import", str(path), "--url", sqlite_url])
        err = capsys.readouterr().err
        assert code in (0, 2), err[-300:]
        assert "Traceback" not in err
        if code == 2:
            assert snapshot(sqlite_url) == state["before"]
        else:  # a valid change is written: what comes next is compared with it
            state["before"] = snapshot(sqlite_url)

    try:
        run()
    finally:
        capsys.readouterr()
