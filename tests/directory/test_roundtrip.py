"""export -> import into an empty database -> export gives the same directory,
on both backends and across them."""
from __future__ import annotations

import json

import pytest
from directory_helpers import export

from services_directory.importer import import_source
from services_directory.seed import seed
from signpost.cli import main


@pytest.mark.parametrize("fmt, suffix", [("oruk-json", "json"), ("csv", "csv")])
def test_export_import_round_trip(empty_db_url, other_sqlite_url, tmp_path, fmt, suffix):
    seed(empty_db_url)
    first = export(empty_db_url, fmt)
    path = tmp_path / f"directory.{suffix}"
    path.write_text(first, encoding="utf-8")
    report = import_source(str(path), other_sqlite_url)
    assert report.created == len(json.loads(export(empty_db_url))) > 50
    assert export(other_sqlite_url, fmt) == first
    # The other format agrees too: nothing was lost on the way.
    other = "csv" if fmt == "oruk-json" else "oruk-json"
    assert export(other_sqlite_url, other) == export(empty_db_url, other)


def test_round_trip_keeps_imported_venues(sqlite_url, other_sqlite_url, tmp_path):
    """Physical locations from an ORUK feed survive JSON export and import."""
    seed(sqlite_url)
    data = json.loads(export(sqlite_url))
    sal = data[0]["service_at_locations"][0]
    sal["location"].update({
        "location_type": "physical", "name": "Clacton Library", "latitude": 51.79,
        "longitude": 1.155, "addresses": [{
            "id": "0f3c1c1e-8f3a-4a7c-9a59-2b1b6c1d2e3f", "address_1": "Station Road",
            "city": "Clacton-on-Sea", "state_province": "Essex", "postal_code": "CO15 1SF",
            "country": "GB", "address_type": "physical"}]})
    path = tmp_path / "d.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    import_source(str(path), sqlite_url)
    import_source(str(path), other_sqlite_url)
    exported = json.loads(export(other_sqlite_url))
    assert exported == json.loads(export(sqlite_url))
    location = exported[0]["service_at_locations"][0]["location"]
    assert (location["name"], location["addresses"][0]["postal_code"]) == (
        "Clacton Library", "CO15 1SF")


def test_export_command_writes_a_file(sqlite_url, tmp_path, capsys):
    seed(sqlite_url)
    out = tmp_path / "sub" / "directory.csv"
    assert main(["directory", "export", "--format", "csv", "--out", str(out),
                 "--url", sqlite_url]) == 0
    assert out.read_text(encoding="utf-8") == export(sqlite_url, "csv")
    assert main(["directory", "export", "--format", "oruk-json", "--url", sqlite_url]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(export(sqlite_url))
