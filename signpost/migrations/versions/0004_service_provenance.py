"""Service provenance: the source page of its contact details, that page's date, the date
they were last checked (ORUK assured_date), and published opening hours.

Revision ID: 0004_service_provenance
Revises: 0003_service_search_keys
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_service_provenance"
down_revision = "0003_service_search_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("service") as batch:
        batch.add_column(sa.Column("hours", sa.Text(), nullable=True))
        batch.add_column(sa.Column("source_url", sa.String(length=2048), nullable=True))
        batch.add_column(sa.Column("source_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("assured_date", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("service") as batch:
        batch.drop_column("assured_date")
        batch.drop_column("source_date")
        batch.drop_column("source_url")
        batch.drop_column("hours")
