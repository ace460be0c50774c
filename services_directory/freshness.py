"""Which active services need their details checked: no direct contact (no phone, email or web
address), or contact details never checked, or last checked more than `months` ago (the
service's assured_date). Used by /commissioners/directory-freshness and
`signpost directory freshness`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, joinedload

from services_directory.models import Phone, Service

DEFAULT_MONTHS = 12
MAX_MONTHS = 120
NO_CONTACT = "no phone, email or website"
NEVER_CHECKED = "never checked"
OUT_OF_DATE = "last checked over {months} months ago"


@dataclass(frozen=True)
class StaleService:
    id: str
    slug: str
    name: str
    provider: str
    missing: tuple[str, ...]  # NO_CONTACT, NEVER_CHECKED and/or the OUT_OF_DATE text
    assured_date: date | None  # last checked
    source_url: str | None  # where the details come from


@dataclass(frozen=True)
class FreshnessReport:
    months: int
    cutoff: date  # checked before this date counts as out of date
    active: int  # active services in the directory
    services: tuple[StaleService, ...]

    @property
    def no_contact(self) -> int:
        return sum(NO_CONTACT in s.missing for s in self.services)

    @property
    def never_checked(self) -> int:
        return sum(NEVER_CHECKED in s.missing for s in self.services)

    @property
    def out_of_date(self) -> int:
        return sum(s.assured_date is not None and s.assured_date < self.cutoff
                   for s in self.services)


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (the month's last day if it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has at least 28 days")


def check_months(months: object) -> int:
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MAX_MONTHS:
        raise ValueError(f"months must be a whole number from 1 to {MAX_MONTHS}, not {months!r}")
    return months


def freshness(session: Session, months: int = DEFAULT_MONTHS, today: date | None = None
              ) -> FreshnessReport:
    """Active services whose details need checking, by provider then name.
    ValueError if `months` is not a whole number from 1 to MAX_MONTHS."""
    months = check_months(months)
    cutoff = months_before(today or date.today(), months)
    has_phone = exists().where(Phone.service_id == Service.id).correlate(Service)
    direct = or_(Service.url.isnot(None), Service.email.isnot(None), has_phone)
    query = (select(Service, direct.label("direct"))
             .where(Service.status == "active")
             .where(or_(~direct, Service.assured_date.is_(None), Service.assured_date < cutoff))
             .options(joinedload(Service.organization)))
    found = []
    for svc, has_direct in session.execute(query):
        missing = [] if has_direct else [NO_CONTACT]
        if svc.assured_date is None:
            missing.append(NEVER_CHECKED)
        elif svc.assured_date < cutoff:
            missing.append(OUT_OF_DATE.format(months=months))
        found.append(StaleService(id=svc.id, slug=svc.slug, name=svc.name,
                                  provider=svc.organization.name, missing=tuple(missing),
                                  assured_date=svc.assured_date, source_url=svc.source_url))
    found.sort(key=lambda s: (s.provider.casefold(), s.name.casefold(), s.id))
    active = session.scalar(select(func.count()).select_from(Service)
                            .where(Service.status == "active"))
    return FreshnessReport(months=months, cutoff=cutoff, active=active or 0,
                           services=tuple(found))

