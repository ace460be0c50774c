"""Service areas: the 12 Essex districts (the Essex County Council area), the two
unitary authorities beside them, and England.

"all" stands for all of Essex, i.e. all 12 districts; it does not include
Southend-on-Sea and Thurrock, which run their own council services. "national"
is a service anyone in England can use (a national helpline or app).
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

# Beside the county: the unitary authorities (their own council services) and England.
SOUTHEND, THURROCK, NATIONAL = "Southend-on-Sea", "Thurrock", "national"
UNITARY_GSS_CODES: dict[str, str] = {SOUTHEND: "E06000033", THURROCK: "E06000034"}
UNITARY: tuple[str, ...] = tuple(UNITARY_GSS_CODES)
ENGLAND_GSS_CODE, ENGLAND_NAME = "E92000001", "England"
OUTSIDE = "outside"  # where someone lives, when it is none of the above
# Every value a service_area may hold.
AREAS: tuple[str, ...] = (*DISTRICTS, ALL, *UNITARY, NATIONAL)

_BY_KEY = {name.casefold(): name for name in DISTRICTS}
_AREA_KEYS = {**{name.casefold(): name for name in (*DISTRICTS, *UNITARY)},
              ALL: ALL, ESSEX_NAME.casefold(): ALL, NATIONAL: NATIONAL,
              ENGLAND_NAME.casefold(): NATIONAL, "southend": SOUTHEND}


def canonical_district(name: str) -> str:
    """'tendring' -> 'Tendring'. Raises ValueError for anything else."""
    key = " ".join(str(name).split()).casefold()
    try:
        return _BY_KEY[key]
    except KeyError:
        raise ValueError(
            f"unknown district {name!r}; expected one of {', '.join(DISTRICTS)}"
        ) from None


def canonical_area(name: str) -> str:
    """'essex' -> 'all', 'england' -> 'national', 'thurrock' -> 'Thurrock'. ValueError else."""
    key = " ".join(str(name).split()).casefold()
    try:
        return _AREA_KEYS[key]
    except KeyError:
        raise ValueError(f"unknown service area {name!r}; expected one of the 12 Essex "
                         f"districts, 'all' (Essex), {', '.join(UNITARY)} or 'national'"
                         ) from None


_AREA_CODES = {**GSS_CODES, **UNITARY_GSS_CODES, ALL: ESSEX_GSS_CODE,
               NATIONAL: ENGLAND_GSS_CODE}


def area_name(area: str) -> str:
    """The ORUK service_area name: a district's own name, 'Essex' or 'England'."""
    return {ALL: ESSEX_NAME, NATIONAL: ENGLAND_NAME}.get(area, area)


def area_uri(area: str) -> str:
    """The persistent identifier (ONS GSS code) of an area."""
    return GSS_URI + _AREA_CODES[area]


def district_from_area(name: str | None, uri: str | None) -> str:
    """Read an ORUK service_area back: by GSS code in the uri, else by name."""
    code = (uri or "").rstrip("/").rsplit("/", 1)[-1]
    for area, gss in _AREA_CODES.items():
        if code == gss:
            return area
    return canonical_area(name or "")


def canonical_place(name: str) -> str:
    """Where someone lives, as search takes it: one of the 12 districts, Southend-on-Sea,
    Thurrock, or OUTSIDE (anywhere else). ValueError for anything else."""
    key = " ".join(str(name).split()).casefold()
    if key == OUTSIDE:
        return OUTSIDE
    area = _AREA_KEYS.get(key)
    if area in DISTRICTS or area in UNITARY:
        return area
    raise ValueError(f"unknown place {name!r}; expected one of {', '.join(DISTRICTS)}, "
                     f"{', '.join(UNITARY)} or {OUTSIDE!r}")


IN_ESSEX: tuple[str, ...] = (*DISTRICTS, ALL, NATIONAL)  # somewhere in Essex, not known where


def areas_serving(place: str | None) -> tuple[str, ...]:
    """The service areas whose services someone living in `place` can use: a district's
    own services, all-Essex ones and national ones; for Southend-on-Sea or Thurrock their
    own and national ones; for anywhere else (None) national ones only."""
    if place in DISTRICTS:
        return (place, ALL, NATIONAL)
    if place in UNITARY:
        return (place, NATIONAL)
    return (NATIONAL,)
