"""District names and the approximate postcode -> district table."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from services_directory import districts


@pytest.mark.parametrize("given, expected", [
    ("tendring", "Tendring"), ("TENDRING", "Tendring"), ("castle point", "Castle Point"),
    ("  Epping   forest ", "Epping Forest"), ("Uttlesford", "Uttlesford"),
])
def test_district_names_are_case_insensitive(given, expected):
    assert districts.canonical_district(given) == expected


@pytest.mark.parametrize("bad", ["Southend", "Thurrock", "", "Essex", "all", "Tendring2"])
def test_unknown_district_is_a_clear_value_error(bad):
    with pytest.raises(ValueError, match="unknown district .* expected one of Basildon"):
        districts.canonical_district(bad)


@pytest.mark.parametrize("postcode, outward", [
    ("CO15 1AB", "CO15"), ("co151ab", "CO15"), (" cm1 1aa ", "CM1"), ("CM11AA", "CM1"),
    ("CM111AA", "CM11"), ("CO15", "CO15"), ("ss8", "SS8"), ("EC1A 1BB", "EC1A"),
])
def test_postcode_district_parsing(postcode, outward):
    assert districts.postcode_district(postcode) == outward


@pytest.mark.parametrize("bad", ["", "hello", "12345", "CO15 1A", "C"])
def test_malformed_postcodes_are_rejected(bad):
    with pytest.raises(ValueError, match="is not a UK postcode"):
        districts.postcode_district(bad)


@pytest.mark.parametrize("postcode, district", [
    ("CO15 1AB", "Tendring"), ("CM1 1AA", "Chelmsford"), ("SS8 0AA", "Castle Point"),
    ("IG10 1AA", "Epping Forest"), ("CB10 1AA", "Uttlesford"), ("CM20 1AA", "Harlow"),
    ("SS14 1AA", "Basildon"), ("CM9 4AA", "Maldon"), ("SS6 7AA", "Rochford"),
    ("CM14 4AA", "Brentwood"), ("CM7 1AA", "Braintree"), ("CO1 1AA", "Colchester"),
    ("EN9 1AA", "Epping Forest"), ("RM4 1AA", "Epping Forest"),
])
def test_postcodes_resolve_to_their_district(postcode, district):
    assert districts.district_for_postcode(postcode) == district


@pytest.mark.parametrize("postcode", ["SS1 1AA", "SS0 7AA", "SS17 0AA", "RM17 5AA",
                                      "IG1 1AA", "E1 6AN"])
def test_postcodes_outside_the_12_districts_resolve_to_none(postcode):
    assert districts.district_for_postcode(postcode) is None


def test_postcode_table_covers_every_district_with_known_names_only():
    mapped = districts.postcode_table()
    assert set(mapped.values()) == set(districts.DISTRICTS)
    prefixes = {outward.rstrip("0123456789") for outward in mapped}
    assert prefixes == {"CM", "CO", "SS", "IG", "RM", "EN", "CB"}
    # One flat mapping: bot/gazetteer.py reads the same file.
    raw = yaml.safe_load(Path(districts.__file__).with_name("postcode_districts.yml").read_text())
    assert list(raw) == ["postcode_districts"]
    assert all(isinstance(v, str) for v in raw["postcode_districts"].values())


def test_area_identifiers_round_trip():
    for district in (*districts.DISTRICTS, districts.ALL):
        uri = districts.area_uri(district)
        assert uri.startswith(districts.GSS_URI)
        assert districts.district_from_area(None, uri) == district
    assert districts.district_from_area("Essex", None) == districts.ALL
    assert districts.district_from_area("harlow", None) == "Harlow"
