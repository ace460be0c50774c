"""Where the person lives, as typed into the practitioner search: a town, a district or a
postcode -> the place `search_services` takes (a district, Southend-on-Sea, Thurrock or
"outside"), or None for all of Essex.

Towns come from the bot's gazetteer (bot/places.yml); postcodes from the ONS Postcode
Directory (services_directory/postcodes.py). An outward code that spans more than one council
area is never settled by guessing: the answer lists the areas for the practitioner to pick.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from bot import gazetteer
from services_directory import postcodes
from services_directory.districts import DISTRICTS, OUTSIDE, UNITARY

MAX_TEXT = 100
OUTSIDE_WORDS = ("outside", "outside essex", "elsewhere", "somewhere else")
ALL_OF_ESSEX = "all of essex"


class UnknownPlace(ValueError):
    """Text that is not a town, district or postcode we know; `suggestion` is a close name."""

    def __init__(self, message: str, suggestion: str | None = None) -> None:
        super().__init__(message)
        self.suggestion = suggestion


@dataclass(frozen=True)
class Place:
    entered: str  # what was typed, tidied ("CM3", "Clacton")
    place: str | None = None  # for search_services: a district, a unitary, OUTSIDE; None: all
    options: tuple[str, ...] = ()  # an outward code across areas: the places to choose from
    postcode: str | None = None  # the normalised postcode or outward code, if one was typed

    @property
    def needs_choice(self) -> bool:
        return bool(self.options)

    @property
    def unitary(self) -> bool:
        return self.place in UNITARY

    @property
    def outside(self) -> bool:
        return self.place == OUTSIDE


def _key(text: str) -> str:
    key = " ".join(re.sub(r"[.,;:!?()]", " ", text).split()).casefold()
    return re.sub(r"\s+essex$", "", key) if key != "essex" else key


def _names() -> dict[str, str]:
    """Every name we recognise (casefolded) -> a place, or "" for all of Essex."""
    names: dict[str, str] = dict(gazetteer.place_names())
    names.update({p.casefold(): "" for p in gazetteer.unknown_place_phrases()})
    names.update({w: OUTSIDE for w in OUTSIDE_WORDS})
    names.update({ALL_OF_ESSEX: "", "all": "", "essex": "", "southend": UNITARY[0]})
    return names


def _from_postcode(code: str) -> Place:
    try:
        area = postcodes.lookup(code)
    except RuntimeError as exc:  # the ONS subset is missing and cannot be built
        raise UnknownPlace("Postcodes cannot be looked up just now. Enter a town or district "
                           "instead") from exc
    if not area.known:
        raise UnknownPlace(f"We cannot find the postcode {area.code}. Check it, or enter a "
                           "town or district")
    if area.authority:
        return Place(area.code, area.authority, postcode=area.code)
    if not area.authorities:  # wholly elsewhere in the UK
        return Place(area.code, OUTSIDE, postcode=area.code)
    options = area.authorities + ((OUTSIDE,) if area.elsewhere else ())
    return Place(area.code, options=options, postcode=area.code)


def find_place(text: str) -> Place:
    """The place `text` names. Empty text is all of Essex. UnknownPlace (a ValueError) when
    it is not a town, district or postcode we know; ValueError when it is too long."""
    if not isinstance(text, str):
        raise ValueError(f"place must be text, not {type(text).__name__}")
    entered = " ".join(text.split())
    if len(entered) > MAX_TEXT:
        raise ValueError(f"Town or postcode must be {MAX_TEXT} characters or fewer")
    if not entered:
        return Place("")
    try:
        code = postcodes.normalise(entered)
    except ValueError:
        code = None
    if code:
        return _from_postcode(code)
    names = _names()
    key = _key(entered)
    if key in names:
        return Place(entered, names[key] or None)
    close = difflib.get_close_matches(key, list(names), n=1, cutoff=0.8)
    suggestion = _display(close[0]) if close else None
    raise UnknownPlace(f"We do not recognise \u201c{entered}\u201d. Enter a town or district in "
                       "Essex, or a postcode", suggestion)


def _display(key: str) -> str:
    """A recognised name as people write it: the district itself, or title case."""
    for name in (*DISTRICTS, *UNITARY):
        if name.casefold() == key:
            return name
    small = ("on", "the", "le", "de", "la")
    return re.sub(r"[a-z']+", lambda m: m.group() if m.start() and m.group() in small
                  else m.group().capitalize(), key)


def place_label(place: str | None) -> str:
    """How the page names a search place."""
    if place is None:
        return "all of Essex"
    if place == OUTSIDE:
        return "outside Essex"
    return place
