"""The 12 Essex districts (the Essex County Council area) and postcode coverage.

"all" stands for all of Essex, i.e. all 12 districts; it does not include
the unitary authorities of Southend-on-Sea and Thurrock.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

ALL = "all"

# ONS GSS codes of the local authority districts, and of Essex county.
GSS_CODES: dict[str, str] = {
    "Basildon": "E07000066",
    "Braintree": "E07000067",
    "Brentwood": "E07000068",
    "Castle Point": "E07000069",
    "Chelmsford": "E07000070",
    "Colchester": "E07000071",
    "Epping Forest": "E07000072",
    "Harlow": "E07000073",
    "Maldon": "E07000074",
    "Rochford": "E07000075",
    "Tendring": "E07000076",
    "Uttlesford": "E07000077",
}
ESSEX_GSS_CODE = "E10000012"
ESSEX_NAME = "Essex"
DISTRICTS: tuple[str, ...] = tuple(GSS_CODES)
GSS_URI = "http://statistics.data.gov.uk/id/statistical-geography/"

_BY_KEY = {name.casefold(): name for name in DISTRICTS}


def canonical_district(name: str) -> str:
    """'tendring' -> 'Tendring'. Raises ValueError for anything else."""
    key = " ".join(str(name).split()).casefold()
    try:
        return _BY_KEY[key]
    except KeyError:
        raise ValueError(
            f"unknown district {name!r}; expected one of {', '.join(DISTRICTS)}"
        ) from None


def area_uri(district: str) -> str:
    """The persistent identifier of a district, or of Essex for 'all'."""
    return GSS_URI + (ESSEX_GSS_CODE if district == ALL else GSS_CODES[district])


def district_from_area(name: str | None, uri: str | None) -> str:
    """Read an ORUK service_area back: by GSS code in the uri, else by name."""
    code = (uri or "").rstrip("/").rsplit("/", 1)[-1]
    if code == ESSEX_GSS_CODE:
        return ALL
    for district, gss in GSS_CODES.items():
        if code == gss:
            return district
    if name and name.strip().casefold() in (ESSEX_NAME.casefold(), ALL):
        return ALL
    return canonical_district(name or "")


# --- postcodes --------------------------------------------------------------
_OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
_INWARD = re.compile(r"^[0-9][A-Z]{2}$")


def postcode_district(postcode: str) -> str:
    """The outward code of a full or partial UK postcode: 'co15 1ab' -> 'CO15'.

    Raises ValueError if it does not look like a UK postcode.
    """
    compact = re.sub(r"\s+", "", str(postcode)).upper()
    outward = compact[:-3] if len(compact) >= 5 and _INWARD.match(compact[-3:]) else compact
    if not _OUTWARD.match(outward):
        raise ValueError(f"{postcode!r} is not a UK postcode")
    return outward


@lru_cache(maxsize=1)
def postcode_table() -> dict[str, str]:
    """Postcode district ('CO15') -> Essex district, from postcode_districts.yml."""
    raw = yaml.safe_load((Path(__file__).with_name("postcode_districts.yml")).read_text("utf-8"))
    table = {str(k).upper(): v for k, v in raw["postcode_districts"].items()}
    for outward, district in table.items():
        if district not in GSS_CODES:  # a typo in the data file must not go unnoticed
            raise ValueError(f"postcode_districts.yml: {outward}: unknown district {district!r}")
    return table


def district_for_postcode(postcode: str) -> str | None:
    """The Essex district a postcode is taken to be in, or None if outside the 12.

    Approximate: the table maps whole postcode districts (see postcode_districts.yml).
    """
    return postcode_table().get(postcode_district(postcode))
