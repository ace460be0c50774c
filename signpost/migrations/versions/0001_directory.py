"""Service directory: Open Referral UK 3.0 shaped tables.

Revision ID: 0001_directory
Revises: (none)
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_directory"
down_revision = None
branch_labels = None
depends_on = None

# Frozen copies of the vocabularies at this revision: a migration must not
# change meaning when services_directory.models changes later.
STATUSES = ("active", "inactive", "defunct", "temporarily closed")
ROUTE_KINDS = ("self_referral", "professional_referral", "online_form")
LOCATION_TYPES = ("physical", "postal", "virtual")
MAX_AGE = 120


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _id() -> sa.Column:
    return sa.Column("id", sa.String(36), nullable=False)


def upgrade() -> None:
    op.create_table(
        "organization",
        _id(),
        sa.Column("slug", sa.String(100), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("email", sa.String(255)),
        sa.Column("website", sa.String(2048)),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization")),
        sa.UniqueConstraint("slug", name=op.f("uq_organization_slug")),
    )
    op.create_table(
        "location",
        _id(),
        sa.Column("location_type", sa.String(20), nullable=False),
        sa.Column("name", sa.String(255)),
        sa.Column("description", sa.Text()),
        sa.Column("latitude", sa.Float()),
        sa.Column("longitude", sa.Float()),
        sa.Column("address_1", sa.String(255)),
        sa.Column("city", sa.String(100)),
        sa.Column("state_province", sa.String(100)),
        sa.Column("postal_code", sa.String(20)),
        sa.Column("country", sa.String(2)),
        sa.CheckConstraint(_in("location_type", LOCATION_TYPES),
                           name=op.f("ck_location_location_type")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_location")),
    )
    op.create_table(
        "taxonomy",
        _id(),
        sa.Column("slug", sa.String(50), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("version", sa.String(20)),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxonomy")),
        sa.UniqueConstraint("slug", name=op.f("uq_taxonomy_slug")),
    )
    op.create_table(
        "taxonomy_term",
        _id(),
        sa.Column("taxonomy_id", sa.String(36), nullable=False),
        sa.Column("term", sa.String(100), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.String(36)),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["taxonomy_id"], ["taxonomy.id"],
                                name=op.f("fk_taxonomy_term_taxonomy_id_taxonomy")),
        sa.ForeignKeyConstraint(["parent_id"], ["taxonomy_term.id"],
                                name=op.f("fk_taxonomy_term_parent_id_taxonomy_term")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxonomy_term")),
        sa.UniqueConstraint("taxonomy_id", "term", name=op.f("uq_taxonomy_term_taxonomy_id")),
    )
    op.create_table(
        "service",
        _id(),
        sa.Column("slug", sa.String(100), nullable=False),
        sa.Column("organization_id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("url", sa.String(2048)),
        sa.Column("email", sa.String(255)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("minimum_age", sa.Integer()),
        sa.Column("maximum_age", sa.Integer()),
        sa.Column("eligibility_description", sa.Text()),
        sa.Column("source", sa.Text()),
        sa.Column("contact_note", sa.Text()),
        sa.Column("last_modified", sa.DateTime(), nullable=False),
        sa.CheckConstraint(_in("status", STATUSES), name=op.f("ck_service_status")),
        sa.CheckConstraint(f"minimum_age IS NULL OR minimum_age BETWEEN 0 AND {MAX_AGE}",
                           name=op.f("ck_service_minimum_age")),
        sa.CheckConstraint(f"maximum_age IS NULL OR maximum_age BETWEEN 0 AND {MAX_AGE}",
                           name=op.f("ck_service_maximum_age")),
        sa.CheckConstraint(
            "minimum_age IS NULL OR maximum_age IS NULL OR minimum_age <= maximum_age",
            name=op.f("ck_service_age_range")),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"],
                                name=op.f("fk_service_organization_id_organization")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service")),
        sa.UniqueConstraint("slug", name=op.f("uq_service_slug")),
    )
    op.create_index(op.f("ix_service_organization_id"), "service", ["organization_id"])

    # Rows that belong to one service go when the service goes (ON DELETE CASCADE).
    op.create_table(
        "service_area",
        _id(),
        sa.Column("service_id", sa.String(36), nullable=False),
        sa.Column("district", sa.String(50), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], ondelete="CASCADE",
                                name=op.f("fk_service_area_service_id_service")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_area")),
        sa.UniqueConstraint("service_id", "district", name=op.f("uq_service_area_service_id")),
    )
    op.create_table(
        "attribute",
        _id(),
        sa.Column("link_id", sa.String(36), nullable=False),
        sa.Column("link_type", sa.String(50), nullable=False),
        sa.Column("taxonomy_term_id", sa.String(36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["link_id"], ["service.id"], ondelete="CASCADE",
                                name=op.f("fk_attribute_link_id_service")),
        sa.ForeignKeyConstraint(["taxonomy_term_id"], ["taxonomy_term.id"],
                                name=op.f("fk_attribute_taxonomy_term_id_taxonomy_term")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attribute")),
        sa.UniqueConstraint("link_id", "taxonomy_term_id", name=op.f("uq_attribute_link_id")),
    )
    op.create_index(op.f("ix_attribute_taxonomy_term_id"), "attribute", ["taxonomy_term_id"])
    op.create_table(
        "phone",
        _id(),
        sa.Column("service_id", sa.String(36), nullable=False),
        sa.Column("number", sa.String(50), nullable=False),
        sa.Column("description", sa.Text()),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], ondelete="CASCADE",
                                name=op.f("fk_phone_service_id_service")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phone")),
    )
    op.create_index(op.f("ix_phone_service_id"), "phone", ["service_id"])
    op.create_table(
        "referral_route",
        _id(),
        sa.Column("service_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("url", sa.String(2048)),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(_in("kind", ROUTE_KINDS), name=op.f("ck_referral_route_kind")),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], ondelete="CASCADE",
                                name=op.f("fk_referral_route_service_id_service")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_route")),
    )
    op.create_index(op.f("ix_referral_route_service_id"), "referral_route", ["service_id"])
    op.create_table(
        "service_at_location",
        _id(),
        sa.Column("service_id", sa.String(36), nullable=False),
        sa.Column("location_id", sa.String(36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], ondelete="CASCADE",
                                name=op.f("fk_service_at_location_service_id_service")),
        sa.ForeignKeyConstraint(["location_id"], ["location.id"],
                                name=op.f("fk_service_at_location_location_id_location")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_at_location")),
        sa.UniqueConstraint("service_id", "location_id",
                            name=op.f("uq_service_at_location_service_id")),
    )
    op.create_index(op.f("ix_service_at_location_location_id"), "service_at_location",
                    ["location_id"])


def downgrade() -> None:
    for table in ("service_at_location", "referral_route", "phone", "attribute", "service_area",
                  "service", "taxonomy_term", "taxonomy", "location", "organization"):
        op.drop_table(table)  # indexes go with their tables
