"""UK postcodes -> the 12 Essex districts, Southend-on-Sea and Thurrock (ONS Postcode Directory).

`lookup("CM3 5ZA")` reads the Essex subset of the ONSPD that `signpost directory
build-postcodes` writes to var/postcodes/ (services_directory/postcode_build.py); a missing or
stale subset is rebuilt on first use (about 3 seconds). A full postcode resolves to exactly one
authority; an outward code ("CM3") to every authority that holds any of its postcodes, most
postcodes first, because outward codes do not follow council boundaries.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import msgpack

from services_directory import postcode_build
from services_directory.districts import DISTRICTS

log = logging.getLogger(__name__)

DEFAULT_PATH = postcode_build.DEFAULT_PATH
BUILD_COMMAND = "signpost directory build-postcodes"
UNITARY: tuple[str, ...] = tuple(postcode_build.UNITARY_GSS_CODES)  # Southend-on-Sea, Thurrock
_OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
_INWARD = re.compile(r"^[0-9][A-Z]{2}$")


@dataclass(frozen=True)
class PostcodeArea:
    """Where a postcode or outward code lies, as far as the 14 authorities go."""

    code: str  # normalised: "CO15 1AB", or "CO15" for an outward code alone
    full: bool  # a full postcode (exactly one place), not an outward code
    authorities: tuple[str, ...] = ()  # of the 14 (district names as in DISTRICTS), most first
    elsewhere: bool = False  # (part of) it lies outside the 14 authorities
    known: bool = True  # False: well-formed, but ONS does not list it (a typo?)
    counts: tuple[int, ...] = ()  # postcodes in each of `authorities`
    elsewhere_count: int = 0  # postcodes outside the 14 (outward codes in the subset only)

    @property
    def authority(self) -> str | None:
        """The one authority, when it lies wholly in one of the 14; else None."""
        return self.authorities[0] if len(self.authorities) == 1 and not self.elsewhere else None

    @property
    def districts(self) -> tuple[str, ...]:
        """The authorities that are among the 12 Essex districts, most postcodes first."""
        return tuple(a for a in self.authorities if a in DISTRICTS)


@dataclass(frozen=True)
class _Subset:
    version: str | None  # of the ONS package it was built from
    authorities: tuple[str, ...]
    outcodes: dict[str, tuple[int, ...]]  # counts per authority index; the last is elsewhere
    postcodes: dict[str, int]  # "CM3 5ZA" -> authority index (ELSEWHERE for other places)
    uk_outcodes: frozenset[str]


def normalise(text: str) -> str:
    """'co151ab' -> 'CO15 1AB'; ' co15 ' -> 'CO15'. ValueError if it is not a UK postcode."""
    compact = re.sub(r"\s+", "", str(text)).upper()
    outward, inward = compact[:-3], compact[-3:]
    if _OUTWARD.match(outward) and _INWARD.match(inward):
        return f"{outward} {inward}"
    if _OUTWARD.match(compact):
        return compact
    raise ValueError(f"{text!r} is not a UK postcode")


def outward_code(text: str) -> str:
    """The outward code of a full or partial postcode: 'co15 1ab' -> 'CO15'."""
    return normalise(text).split(" ")[0]


def _read(path: Path) -> _Subset | None:
    """The subset at `path`, or None if it is missing or was built for another version."""
    try:
        raw = msgpack.unpackb(path.read_bytes(), raw=False)
    except FileNotFoundError:
        return None
    installed = postcode_build.package_version()
    if raw.get("format") != postcode_build.FORMAT or (
            installed is not None and raw["source"]["version"] != installed):
        return None
    return _Subset(version=raw["source"]["version"],
                   authorities=tuple(name for name, _ in raw["authorities"]),
                   outcodes={k: tuple(v) for k, v in raw["outcodes"].items()},
                   postcodes=raw["postcodes"], uk_outcodes=frozenset(raw["uk_outcodes"]))


@lru_cache(maxsize=4)
def load(path: Path = DEFAULT_PATH) -> _Subset:
    """The Essex subset, built first if it is missing or stale."""
    subset = _read(path)
    if subset is None:
        log.info("building the ONS postcode subset at %s", path)
        try:
            postcode_build.write(path)
        except (postcode_build.PostcodeDataError, OSError) as exc:
            raise RuntimeError(f"the postcode subset {path} is missing and could not be built "
                               f"({exc}); build it with `{BUILD_COMMAND}`") from exc
        subset = _read(path)
        if subset is None:
            raise RuntimeError(f"{path} was built but cannot be read; run `{BUILD_COMMAND}`")
    return subset


def source_version(path: Path = DEFAULT_PATH) -> str | None:
    """The version of the ONS package the subset was built from (e.g. '2026.1.1')."""
    return load(path).version


def essex_outcodes(path: Path = DEFAULT_PATH) -> tuple[str, ...]:
    """Every outward code with at least one postcode in the 14 authorities, sorted."""
    return tuple(sorted(load(path).outcodes))


def in_essex_area(postcode: str, path: Path = DEFAULT_PATH) -> bool:
    """Whether the outward code of `postcode` has any postcode in the 14 authorities."""
    return outward_code(postcode) in load(path).outcodes


def lookup(postcode: str, path: Path = DEFAULT_PATH) -> PostcodeArea:
    """Where `postcode` (full, or an outward code alone) lies. ValueError if malformed.

    `known` is False for an outward code ONS does not list anywhere in the UK, and for a
    full postcode in an Essex-area outward code that ONS does not list; a full postcode
    elsewhere in the UK is not checked (only Essex-area postcodes are kept).
    """
    code = normalise(postcode)
    subset = load(path)
    full = " " in code
    outcode = code.split(" ")[0]
    tally = subset.outcodes.get(outcode)
    if tally is None:  # no postcode of it lies in the 14 authorities
        known = outcode in subset.uk_outcodes
        return PostcodeArea(code, full, elsewhere=known, known=known)
    names, elsewhere = subset.authorities, postcode_build.ELSEWHERE
    if full:
        i = subset.postcodes.get(code)
        if i is None:
            return PostcodeArea(code, full, known=False)
        if i == elsewhere:
            return PostcodeArea(code, full, elsewhere=True, elsewhere_count=1)
        return PostcodeArea(code, full, authorities=(names[i],), counts=(1,))
    ranked = sorted((i for i in range(elsewhere) if tally[i]), key=lambda i: (-tally[i], i))
    return PostcodeArea(code, full, authorities=tuple(names[i] for i in ranked),
                        elsewhere=tally[elsewhere] > 0, counts=tuple(tally[i] for i in ranked),
                        elsewhere_count=tally[elsewhere])
