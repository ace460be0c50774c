"""Plain records: the one in-memory shape of a directory entry.

Every source (seed YAML, ORUK JSON, CSV, a live feed) is parsed into these
records, validated by importer.validate(), and written by importer.write().
Exports and the API go the other way (model -> record -> ORUK JSON / CSV).
Comparing records is how re-seeding and re-importing detect "no change".
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from services_directory import districts

CONFIRM_NOTE = "Contact details to be confirmed"


@dataclass(frozen=True)
class Problem:
    """One validation failure: which record, which field, why."""

    record: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.record}: {self.field}: {self.reason}"


@dataclass(frozen=True)
class OrganizationRecord:
    id: str
    slug: str
    name: str
    description: str
    email: str | None = None
    website: str | None = None
    label: str = field(default="", compare=False)  # where it came from, for messages


@dataclass(frozen=True)
class RouteRecord:
    kind: str  # self_referral | professional_referral | online_form
    instructions: str
    url: str | None = None


@dataclass(frozen=True)
class PhoneRecord:
    number: str
    description: str | None = None


@dataclass(frozen=True)
class LocationRecord:
    """A service_at_location and its location."""

    id: str  # service_at_location id
    location_id: str
    location_type: str = "virtual"
    name: str | None = None
    description: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    address_1: str | None = None
    city: str | None = None
    state_province: str | None = None
    postal_code: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class ServiceRecord:
    id: str
    slug: str
    name: str
    organization_id: str
    description: str
    status: str
    needs: tuple[str, ...]  # first = primary need
    jhws_actions: tuple[str, ...] = ()
    priority_measures: tuple[str, ...] = ()
    source: str | None = None
    minimum_age: int | None = None
    maximum_age: int | None = None
    eligibility: str | None = None
    districts: tuple[str, ...] = ("all",)  # ("all",) or canonical district names
    audience: tuple[str, ...] = ("resident",)
    for_circumstances: tuple[str, ...] = ()  # only for people in one of these (any of them)
    phones: tuple[PhoneRecord, ...] = ()
    contact_email: str | None = None
    contact_url: str | None = None
    contact_note: str | None = None
    referral_routes: tuple[RouteRecord, ...] = ()
    hours: str | None = None  # opening hours as published
    source_url: str | None = None  # the public page the contact details come from
    source_date: date | None = None  # the date that page shows
    assured_date: date | None = None  # when they were last checked against it (ORUK)
    # None: the source does not describe locations (seed, CSV): keep what the
    # database has, or give a new service its default virtual location.
    locations: tuple[LocationRecord, ...] | None = None
    last_modified: datetime | None = field(default=None, compare=False)
    label: str = field(default="", compare=False)

    @property
    def contact_phone(self) -> str | None:
        return self.phones[0].number if self.phones else None

    @property
    def contact_confirmed(self) -> bool:
        """True when at least one real way to get in touch is recorded."""
        return bool(self.phones or self.contact_email or self.contact_url)


# --- small shared helpers -----------------------------------------------------
def clean(value: object) -> str | None:
    """Trimmed text, or None for missing/blank (so "" and null compare equal)."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")
    return slug[:80] or "service"


def utc_now() -> datetime:
    """Now, UTC, naive, to the millisecond (ORUK last_modified precision)."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def format_timestamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def parse_timestamp(value: str) -> datetime:
    """ISO 8601 date-time -> naive UTC datetime (ms). Raises ValueError."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed.replace(microsecond=parsed.microsecond // 1000 * 1000)


def canonical_areas(values: tuple[str, ...]) -> tuple[str, ...]:
    """Canonical area names (districts.AREAS); unknown names are kept for validation to
    report."""
    out = []
    for value in values:
        try:
            out.append(districts.canonical_area(value))
        except ValueError:
            out.append(value)
    # Every one of the 12 districts named is all of Essex (so it ranks as county-wide).
    if set(districts.DISTRICTS) <= set(out):
        first = min(out.index(d) for d in districts.DISTRICTS)
        rest = [a for a in out if a not in districts.DISTRICTS]
        out = [*rest[:first], districts.ALL, *rest[first:]]
    return tuple(dict.fromkeys(out))


def parse_date(value: object, label: str, field: str, problems: list[Problem]) -> date | None:
    """A calendar date from YAML (a date already), JSON or CSV ('2026-12-01')."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    problems.append(Problem(label, field, f"{value!r} is not a date (YYYY-MM-DD)"))
    return None


def whole_number(value: object, label: str, field: str, problems: list[Problem]) -> int | None:
    """An age from YAML, JSON or CSV: int, whole float or digit string."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        problems.append(Problem(label, field, f"{value!r} is not a whole number"))
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    text = value.strip() if isinstance(value, str) else ""
    if re.fullmatch(r"-?[0-9]{1,9}", text):  # not str.isdigit(): it accepts "²"; nor "--5"
        return int(text)
    problems.append(Problem(label, field, f"{value!r} is not a whole number"))
    return None
