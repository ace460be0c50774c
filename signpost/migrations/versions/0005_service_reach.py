"""Service reach: whether a service has a direct contact (phone, email or web address), a
route a person takes alone (self-referral, online form), a professional referral route,
covers all of Essex, and serves someone in Essex at all (a district, all, or national),
stored on the row so that search filters and ranks without probing other tables per row.

Revision ID: 0005_service_reach
Revises: 0004_service_provenance
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_service_reach"
down_revision = "0004_service_provenance"
branch_labels = None
depends_on = None

FLAGS = ("has_contact", "self_route", "professional_route", "county_wide", "serves_essex")
# Frozen copy of districts.IN_ESSEX at this revision.
IN_ESSEX = ("Basildon", "Braintree", "Brentwood", "Castle Point", "Chelmsford", "Colchester",
            "Epping Forest", "Harlow", "Maldon", "Rochford", "Tendring", "Uttlesford", "all",
            "national")


def upgrade() -> None:
    with op.batch_alter_table("service") as batch:
        for name in FLAGS:
            batch.add_column(sa.Column(name, sa.Boolean(), nullable=True))
    service = sa.table("service", sa.column("id"), sa.column("email"), sa.column("url"),
                       *(sa.column(name) for name in FLAGS))
    phone = sa.table("phone", sa.column("service_id"))
    route = sa.table("referral_route", sa.column("service_id"), sa.column("kind"))
    area = sa.table("service_area", sa.column("service_id"), sa.column("district"))

    def in_area(*names: str):
        return sa.exists().where(area.c.service_id == service.c.id, area.c.district.in_(names))

    def has_route(*kinds: str):
        return sa.exists().where(route.c.service_id == service.c.id, route.c.kind.in_(kinds))

    # Frozen copy of services_directory.models.reach at this revision, in SQL.
    op.get_bind().execute(service.update().values(
        has_contact=sa.or_(service.c.email.isnot(None), service.c.url.isnot(None),
                           sa.exists().where(phone.c.service_id == service.c.id)),
        self_route=has_route("self_referral", "online_form"),
        professional_route=has_route("professional_referral"),
        county_wide=in_area("all"), serves_essex=in_area(*IN_ESSEX)))
    with op.batch_alter_table("service") as batch:
        for name in FLAGS:
            batch.alter_column(name, existing_type=sa.Boolean(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("service") as batch:
        for name in reversed(FLAGS):
            batch.drop_column(name)
