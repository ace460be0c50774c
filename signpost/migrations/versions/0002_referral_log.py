"""Referral log: anonymised signpost events and the idempotency table.

Revision ID: 0002_referral_log
Revises: 0001_directory
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_referral_log"
down_revision = "0001_directory"
branch_labels = None
depends_on = None

# Frozen copies of the vocabularies at this revision (a migration must not change
# meaning when referral_log.models changes later).
DISTRICTS = (
    "basildon", "braintree", "brentwood", "castle_point", "chelmsford", "colchester",
    "epping_forest", "harlow", "maldon", "rochford", "tendring", "uttlesford", "unknown",
)
AGE_BANDS = ("0-15", "16-24", "25-64", "65+", "unknown")
CHANNELS = ("resident", "practitioner")
KINDS = ("signposted", "crisis_shown", "helpful_yes", "helpful_no")
SOURCES = ("live", "synthetic")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    # Names use op.f(): they are final, not run through the metadata's naming convention.
    # No id column on purpose: see referral_log/models.py and docs/statistics.md.
    op.create_table(
        "referral_event",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("need", sa.String(40), nullable=False),
        sa.Column("service_id", sa.String(100), nullable=True),
        sa.Column("measures", sa.String(200), nullable=False),
        sa.Column("district", sa.String(20), nullable=False),
        sa.Column("age_band", sa.String(8), nullable=False),
        sa.Column("channel", sa.String(12), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("source", sa.String(9), nullable=False),
        sa.CheckConstraint(_in("district", DISTRICTS), name=op.f("ck_referral_event_district")),
        sa.CheckConstraint(_in("age_band", AGE_BANDS), name=op.f("ck_referral_event_age_band")),
        sa.CheckConstraint(_in("channel", CHANNELS), name=op.f("ck_referral_event_channel")),
        sa.CheckConstraint(_in("kind", KINDS), name=op.f("ck_referral_event_kind")),
        sa.CheckConstraint(_in("source", SOURCES), name=op.f("ck_referral_event_source")),
    )
    op.create_index(op.f("ix_referral_event_source_day"), "referral_event", ["source", "day"])
    op.create_table(
        "referral_dedup",
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_referral_dedup")),
    )
    op.create_index(op.f("ix_referral_dedup_day"), "referral_dedup", ["day"])


def downgrade() -> None:
    op.drop_index("ix_referral_dedup_day", table_name="referral_dedup")
    op.drop_table("referral_dedup")
    op.drop_index("ix_referral_event_source_day", table_name="referral_event")
    op.drop_table("referral_event")
