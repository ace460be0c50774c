"""Directory tables, shaped on Open Referral UK 3.0 (organization, service,
service_area, location, service_at_location, taxonomy, taxonomy_term,
attribute, phone) plus referral_route for practitioners.

Ids are UUID strings (36 characters) so that the same schema works on SQLite
and PostgreSQL; see ids.py for how they are made stable.
Keep this file and the migrations in signpost/migrations/versions/ in step
(tests/directory/test_migration.py compares them).
"""
from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import relationship

from signpost.db import Base

STATUSES = ("active", "inactive", "defunct", "temporarily closed")
ROUTE_KINDS = ("self_referral", "professional_referral", "online_form")
LOCATION_TYPES = ("physical", "postal", "virtual")
MAX_AGE = 120

UUID_LEN = 36


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Organization(Base):
    __tablename__ = "organization"

    id = Column(String(UUID_LEN), primary_key=True)
    slug = Column(String(100), nullable=False, unique=True)
    name = Column(String(255), nullable=False)
    description = Column(Text, nullable=False)
    email = Column(String(255))
    website = Column(String(2048))

    services = relationship("Service", back_populates="organization")


class Service(Base):
    __tablename__ = "service"
    __table_args__ = (
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint(f"minimum_age IS NULL OR minimum_age BETWEEN 0 AND {MAX_AGE}",
                        name="minimum_age"),
        CheckConstraint(f"maximum_age IS NULL OR maximum_age BETWEEN 0 AND {MAX_AGE}",
                        name="maximum_age"),
        CheckConstraint("minimum_age IS NULL OR maximum_age IS NULL OR minimum_age <= maximum_age",
                        name="age_range"),
    )

    id = Column(String(UUID_LEN), primary_key=True)
    slug = Column(String(100), nullable=False, unique=True)
    organization_id = Column(String(UUID_LEN), ForeignKey("organization.id"), nullable=False,
                             index=True)
    name = Column(String(255), nullable=False)
    description = Column(Text, nullable=False)
    url = Column(String(2048))  # contact web address
    email = Column(String(255))  # contact email
    status = Column(String(20), nullable=False)
    minimum_age = Column(Integer)
    maximum_age = Column(Integer)
    eligibility_description = Column(Text)
    source = Column(Text)  # where the record comes from (strategy table, plan, feed)
    contact_note = Column(Text)  # e.g. "Contact details to be confirmed by the commissioner"
    hours = Column(Text)  # opening hours as published (ORUK schedules[].description)
    # Provenance of the contact details: the public page they come from, the date that page
    # shows, and the date someone last checked them against it (ORUK assured_date).
    source_url = Column(String(2048))
    source_date = Column(Date)
    assured_date = Column(Date)
    last_modified = Column(DateTime, nullable=False)  # UTC, naive
    # Casefolded copies that search.py ranks on in SQL (casefolded in Python, because SQLite's
    # lower() is ASCII-only and neither database has casefold). Set by _keep_search_keys.
    sort_name = Column(Text, nullable=False)  # name: the tie order and name-word matches
    search_text = Column(Text, nullable=False)  # description and eligibility: word matches
    # How a person can get in, stored so that ranking reads the row instead of probing the
    # phone and referral_route tables for every candidate. Set by _keep_search_keys and
    # by importer._apply (which knows when a route's kind changed in place).
    has_contact = Column(Boolean, nullable=False, default=False)  # phone, email or url
    self_route = Column(Boolean, nullable=False, default=False)  # self-referral / online form
    professional_route = Column(Boolean, nullable=False, default=False)
    county_wide = Column(Boolean, nullable=False, default=False)  # area "all" (all of Essex)
    serves_essex = Column(Boolean, nullable=False, default=False)  # a district, all or national

    organization = relationship("Organization", back_populates="services")
    service_areas = relationship("ServiceArea", cascade="all, delete-orphan",
                                 order_by="ServiceArea.position", back_populates="service")
    attributes = relationship("Attribute", cascade="all, delete-orphan",
                              order_by="Attribute.position", back_populates="service")
    phones = relationship("Phone", cascade="all, delete-orphan", order_by="Phone.position",
                          back_populates="service")
    referral_routes = relationship("ReferralRoute", cascade="all, delete-orphan",
                                   order_by="ReferralRoute.position", back_populates="service")
    service_at_locations = relationship("ServiceAtLocation", cascade="all, delete-orphan",
                                        order_by="ServiceAtLocation.position",
                                        back_populates="service")


SELF_ROUTES = ("self_referral", "online_form")  # routes a person takes on their own


REACH_FLAGS = ("has_contact", "self_route", "professional_route", "county_wide",
               "serves_essex")


def reach(email: str | None, url: str | None, phones: int, kinds: set[str],
          areas: set[str]) -> tuple[bool, ...]:
    """The REACH_FLAGS of a service, in that order."""
    from services_directory.districts import ALL, IN_ESSEX

    return (bool(email or url or phones), bool(kinds & set(SELF_ROUTES)),
            "professional_referral" in kinds, ALL in areas, bool(areas & set(IN_ESSEX)))


def set_reach(svc: Service, flags: tuple[bool, ...]) -> None:
    """Store the REACH_FLAGS on a service row, touching only those that changed."""
    for key, value in zip(REACH_FLAGS, flags, strict=True):
        if getattr(svc, key) != value:
            setattr(svc, key, value)


def search_keys(name: str, description: str, eligibility: str | None) -> tuple[str, str]:
    """(sort_name, search_text) of a service: what search._rank compares query words with."""
    return name.casefold(), f"{description} {eligibility or ''}".casefold()


@event.listens_for(Service, "before_insert")
@event.listens_for(Service, "before_update")
def _keep_search_keys(_mapper, _connection, svc: Service) -> None:
    """Every ORM write of a service keeps its search keys in step with its text."""
    sort_name, search_text = search_keys(svc.name, svc.description, svc.eligibility_description)
    if svc.sort_name != sort_name:
        svc.sort_name = sort_name
    if svc.search_text != search_text:
        svc.search_text = search_text
    set_reach(svc, reach(svc.email, svc.url, len(svc.phones),
                         {r.kind for r in svc.referral_routes},
                         {a.district for a in svc.service_areas}))


class ServiceArea(Base):
    """One Essex district, or 'all' (all 12 districts) as ORUK name 'Essex'."""

    __tablename__ = "service_area"
    __table_args__ = (UniqueConstraint("service_id", "district"),)

    id = Column(String(UUID_LEN), primary_key=True)
    service_id = Column(String(UUID_LEN), ForeignKey("service.id", ondelete="CASCADE"),
                        nullable=False)  # indexed by the unique constraint
    district = Column(String(50), nullable=False)
    position = Column(Integer, nullable=False, default=0)

    service = relationship("Service", back_populates="service_areas")


class Taxonomy(Base):
    __tablename__ = "taxonomy"

    id = Column(String(UUID_LEN), primary_key=True)
    slug = Column(String(50), nullable=False, unique=True)
    name = Column(String(255), nullable=False)
    description = Column(Text, nullable=False)
    version = Column(String(20))

    terms = relationship("TaxonomyTerm", back_populates="taxonomy",
                         order_by="TaxonomyTerm.position")


class TaxonomyTerm(Base):
    """`term` carries the code: a need id, a JHWS action id or measure id, an audience."""

    __tablename__ = "taxonomy_term"
    __table_args__ = (UniqueConstraint("taxonomy_id", "term"),)

    id = Column(String(UUID_LEN), primary_key=True)
    taxonomy_id = Column(String(UUID_LEN), ForeignKey("taxonomy.id"), nullable=False)
    term = Column(String(100), nullable=False)
    name = Column(String(255), nullable=False)
    description = Column(Text, nullable=False)
    parent_id = Column(String(UUID_LEN), ForeignKey("taxonomy_term.id"))
    position = Column(Integer, nullable=False, default=0)

    taxonomy = relationship("Taxonomy", back_populates="terms")
    parent = relationship("TaxonomyTerm", remote_side=[id])


class Attribute(Base):
    """Links a service to a taxonomy term. `position` keeps list order: the
    first need of a service is its primary need."""

    __tablename__ = "attribute"
    __table_args__ = (UniqueConstraint("link_id", "taxonomy_term_id"),)

    id = Column(String(UUID_LEN), primary_key=True)
    link_id = Column(String(UUID_LEN), ForeignKey("service.id", ondelete="CASCADE"),
                     nullable=False)
    link_type = Column(String(50), nullable=False, default="service")
    taxonomy_term_id = Column(String(UUID_LEN), ForeignKey("taxonomy_term.id"), nullable=False,
                              index=True)
    position = Column(Integer, nullable=False, default=0)

    service = relationship("Service", back_populates="attributes")
    taxonomy_term = relationship("TaxonomyTerm")


class Phone(Base):
    __tablename__ = "phone"

    id = Column(String(UUID_LEN), primary_key=True)
    service_id = Column(String(UUID_LEN), ForeignKey("service.id", ondelete="CASCADE"),
                        nullable=False, index=True)
    number = Column(String(50), nullable=False)
    description = Column(Text)
    position = Column(Integer, nullable=False, default=0)

    service = relationship("Service", back_populates="phones")


class ReferralRoute(Base):
    """How to get into a service: self-referral, professional referral or online form."""

    __tablename__ = "referral_route"
    __table_args__ = (CheckConstraint(_in("kind", ROUTE_KINDS), name="kind"),)

    id = Column(String(UUID_LEN), primary_key=True)
    service_id = Column(String(UUID_LEN), ForeignKey("service.id", ondelete="CASCADE"),
                        nullable=False, index=True)
    kind = Column(String(30), nullable=False)
    instructions = Column(Text, nullable=False)
    url = Column(String(2048))
    position = Column(Integer, nullable=False, default=0)

    service = relationship("Service", back_populates="referral_routes")


class Location(Base):
    """A place (or virtual location); one address, held inline."""

    __tablename__ = "location"
    __table_args__ = (CheckConstraint(_in("location_type", LOCATION_TYPES),
                                      name="location_type"),)

    id = Column(String(UUID_LEN), primary_key=True)
    location_type = Column(String(20), nullable=False)
    name = Column(String(255))
    description = Column(Text)
    latitude = Column(Float)
    longitude = Column(Float)
    address_1 = Column(String(255))
    city = Column(String(100))
    state_province = Column(String(100))
    postal_code = Column(String(20))
    country = Column(String(2))


class ServiceAtLocation(Base):
    __tablename__ = "service_at_location"
    __table_args__ = (UniqueConstraint("service_id", "location_id"),)

    id = Column(String(UUID_LEN), primary_key=True)
    service_id = Column(String(UUID_LEN), ForeignKey("service.id", ondelete="CASCADE"),
                        nullable=False)
    location_id = Column(String(UUID_LEN), ForeignKey("location.id"), nullable=False,
                         index=True)
    position = Column(Integer, nullable=False, default=0)

    service = relationship("Service", back_populates="service_at_locations")
    location = relationship("Location")
