"""Service areas beyond the 12 districts: Southend-on-Sea, Thurrock and England, and which
areas serve someone by where they live."""
from __future__ import annotations

import pytest

from services_directory import districts as d


@pytest.mark.parametrize("given, expected", [
    ("essex", d.ALL), ("All", d.ALL), ("England", d.NATIONAL), ("national", d.NATIONAL),
    ("thurrock", d.THURROCK), ("Southend-on-Sea", d.SOUTHEND), ("southend", d.SOUTHEND),
    (" castle  point ", "Castle Point"),
])
def test_area_names(given, expected):
    assert d.canonical_area(given) == expected


@pytest.mark.parametrize("bad", ["", "Ipswich", "London", "outside"])
def test_unknown_area_is_a_clear_value_error(bad):
    with pytest.raises(ValueError, match="unknown service area"):
        d.canonical_area(bad)


@pytest.mark.parametrize("place, areas", [
    ("Tendring", ("Tendring", d.ALL, d.NATIONAL)),
    (d.SOUTHEND, (d.SOUTHEND, d.NATIONAL)),
    (d.THURROCK, (d.THURROCK, d.NATIONAL)),
    (d.OUTSIDE, (d.NATIONAL,)),
])
def test_who_is_served_by_what(place, areas):
    assert d.areas_serving(d.canonical_place(place)) == areas


@pytest.mark.parametrize("bad", ["all", "national", "Essex", "Ipswich"])
def test_a_place_is_where_someone_lives_not_a_service_area(bad):
    with pytest.raises(ValueError, match="unknown place"):
        d.canonical_place(bad)


def test_every_area_round_trips_through_its_ons_code():
    for area in d.AREAS:
        assert d.district_from_area(None, d.area_uri(area)) == area
        assert d.district_from_area(d.area_name(area), None) == area


def test_all_twelve_districts_named_are_all_of_essex():
    from services_directory.records import canonical_areas

    assert canonical_areas((*d.DISTRICTS, "Thurrock")) == (d.ALL, d.THURROCK)
    assert canonical_areas(("Southend-on-Sea", *reversed(d.DISTRICTS))) == (d.SOUTHEND, d.ALL)
    assert canonical_areas(("tendring", "essex")) == ("Tendring", d.ALL)  # validation refuses
