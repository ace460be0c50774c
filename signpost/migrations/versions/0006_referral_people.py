"""Referral log: people, not cards. New event kinds (a person kind beside each per-service
kind, written once per conversation, need and day; unmet need, out of scope, not understood
and conversation), a wider kind column, and need may be NULL for the two kinds that have none.

Revision ID: 0006_referral_people
Revises: 0005_service_reach
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_referral_people"
down_revision = "0005_service_reach"
branch_labels = None
depends_on = None

# Frozen copies of the vocabularies at this revision.
OLD_KINDS = ("signposted", "crisis_shown", "helpful_yes", "helpful_no")
KINDS = (*OLD_KINDS, "unmet_need", "out_of_scope", "not_understood", "conversation",
         "person_signposted", "person_crisis", "person_helpful_yes", "person_helpful_no")
NEEDLESS_KINDS = ("not_understood", "conversation")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    with op.batch_alter_table("referral_event") as batch:
        batch.drop_constraint(op.f("ck_referral_event_kind"), type_="check")
        batch.alter_column("kind", existing_type=sa.String(12), type_=sa.String(20),
                           existing_nullable=False)
        batch.alter_column("need", existing_type=sa.String(40), nullable=True)
        batch.create_check_constraint(op.f("ck_referral_event_kind"), _in("kind", KINDS))
        batch.create_check_constraint(
            op.f("ck_referral_event_need"), f"need IS NOT NULL OR {_in('kind', NEEDLESS_KINDS)}")


def downgrade() -> None:
    # Rows of the new kinds cannot be kept under the old constraint.
    op.execute(sa.text(f"DELETE FROM referral_event WHERE NOT {_in('kind', OLD_KINDS)}"))
    with op.batch_alter_table("referral_event") as batch:
        batch.drop_constraint(op.f("ck_referral_event_need"), type_="check")
        batch.drop_constraint(op.f("ck_referral_event_kind"), type_="check")
        batch.alter_column("need", existing_type=sa.String(40), nullable=False)
        batch.alter_column("kind", existing_type=sa.String(20), type_=sa.String(12),
                           existing_nullable=False)
        batch.create_check_constraint(op.f("ck_referral_event_kind"), _in("kind", OLD_KINDS))
