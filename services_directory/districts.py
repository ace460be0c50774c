"""The 12 Essex districts (the Essex County Council area) and postcode coverage.

"all" stands for all of Essex, i.e. all 12 districts; it does not include
the unitary authorities of Southend-on-Sea and Thurrock.
"""
from __future__ import annotations

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
