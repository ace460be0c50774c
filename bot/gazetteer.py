"""Place data: town/district/postcode-district -> Essex district (from YAML data files)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from services_directory.districts import DISTRICTS as _DIRECTORY_DISTRICTS

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
POSTCODES_FILE = ROOT / "services_directory" / "postcode_districts.yml"

DISTRICTS = _DIRECTORY_DISTRICTS  # the 12 districts: one list, in services_directory
OUTSIDE = "outside"  # a place outside the county council's area


@lru_cache(maxsize=1)
def _places() -> dict:
    return yaml.safe_load((HERE / "places.yml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def postcode_districts() -> dict[str, str]:
    """Postcode district (e.g. 'CO15') -> Essex district. Approximate: see docs/directory.md."""
    if not POSTCODES_FILE.exists():
        return {}
    data = yaml.safe_load(POSTCODES_FILE.read_text(encoding="utf-8")) or {}
    table = data.get("postcode_districts", data)
    return {str(k).upper(): str(v) for k, v in table.items() if v in DISTRICTS}


@lru_cache(maxsize=1)
def place_names() -> dict[str, str]:
    """Lower-cased place name -> district (or OUTSIDE)."""
    out: dict[str, str] = {}
    for district, towns in _places()["districts"].items():
        out[district.lower()] = district
        for town in towns:
            out[town.lower()] = district
    for place in _places()["outside_area"]:
        out[place.lower()] = OUTSIDE
    return out


def unknown_place_phrases() -> list[str]:
    return list(_places()["unknown_place"])
