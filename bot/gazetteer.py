"""Place data: town/district -> Essex district or unitary authority (bot/places.yml), and the
outward codes whose postcodes are looked up in the ONS Postcode Directory."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from services_directory import postcodes
from services_directory.districts import DISTRICTS as _DIRECTORY_DISTRICTS
from services_directory.districts import OUTSIDE as _OUTSIDE

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

DISTRICTS = _DIRECTORY_DISTRICTS  # the 12 districts: one list, in services_directory
UNITARY = postcodes.UNITARY  # Southend-on-Sea and Thurrock
OUTSIDE = _OUTSIDE  # a place outside Essex, Southend-on-Sea and Thurrock
POSTCODE = "postcode"  # entity id of a postcode: bot/context.py looks it up in the ONSPD


@lru_cache(maxsize=1)
def _places() -> dict:
    return yaml.safe_load((HERE / "places.yml").read_text(encoding="utf-8"))


def postcode_outcodes() -> tuple[str, ...]:
    """Outward codes ('CO15') with any postcode in the 12 districts, Southend or Thurrock."""
    return postcodes.essex_outcodes()


@lru_cache(maxsize=1)
def place_names() -> dict[str, str]:
    """Lower-cased place name -> district, unitary authority, or OUTSIDE."""
    out: dict[str, str] = {}
    for area, towns in (*_places()["districts"].items(), *_places()["unitary"].items()):
        if area not in (*DISTRICTS, *UNITARY):  # a typo in places.yml must not go unnoticed
            raise ValueError(f"places.yml: unknown district or unitary authority {area!r}")
        out[area.lower()] = area
        for town in towns:
            out[town.lower()] = area
    for place in _places()["outside_area"]:
        out[place.lower()] = OUTSIDE
    return out


def unknown_place_phrases() -> list[str]:
    return list(_places()["unknown_place"])
