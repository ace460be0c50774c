"""District names and area identifiers (postcodes: test_postcodes.py)."""
from __future__ import annotations

import pytest

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


def test_area_identifiers_round_trip():
    for district in (*districts.DISTRICTS, districts.ALL):
        uri = districts.area_uri(district)
        assert uri.startswith(districts.GSS_URI)
        assert districts.district_from_area(None, uri) == district
    assert districts.district_from_area("Essex", None) == districts.ALL
    assert districts.district_from_area("harlow", None) == "Harlow"
