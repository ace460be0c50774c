"""Place data: town/district/postcode-district -> Essex district (from YAML data files)."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
POSTCODES_FILE = ROOT / "services_directory" / "postcode_districts.yml"

DISTRICTS = (
    "Basildon", "Braintree", "Brentwood", "Castle Point", "Chelmsford", "Colchester",
    "Epping Forest", "Harlow", "Maldon", "Rochford", "Tendring", "Uttlesford",
)
OUTSIDE = "outside"  # a place outside the county council's area
POSTCODE_DISTRICT_RE = re.compile(r"^([A-Z]{1,2}\d{1,2}[A-Z]?)(\s*\d[A-Z]{2})?$", re.I)


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


def resolve_place(text: str) -> str | None:
    """Normalise a place mention to a district name, OUTSIDE, or None if unknown."""
    key = " ".join(text.lower().replace(",", " ").split())
    if key in place_names():
        return place_names()[key]
    m = POSTCODE_DISTRICT_RE.match(key.upper().strip())
    if m:
        return postcode_districts().get(m.group(1).upper())
    return None


def canonical_district(name: str | None) -> str | None:
    """'tendring' -> 'Tendring'; None or unknown -> None."""
    if not name:
        return None
    lookup = {d.lower(): d for d in DISTRICTS}
    return lookup.get(name.strip().lower())
