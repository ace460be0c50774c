"""Service search keys: casefolded name and text, so that search ranks in SQL.

Revision ID: 0003_service_search_keys
Revises: 0002_referral_log
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_service_search_keys"
down_revision = "0002_referral_log"
branch_labels = None
depends_on = None


def _keys(name: str, description: str, eligibility: str | None) -> tuple[str, str]:
    # Frozen copy of services_directory.models.search_keys at this revision.
    return name.casefold(), f"{description} {eligibility or ''}".casefold()


def upgrade() -> None:
    # Nullable first, filled from the rows already there, then NOT NULL (on SQLite batch
    # mode rebuilds the table for that step).
    with op.batch_alter_table("service") as batch:
        batch.add_column(sa.Column("sort_name", sa.Text(), nullable=True))
        batch.add_column(sa.Column("search_text", sa.Text(), nullable=True))
    service = sa.table("service", sa.column("id"), sa.column("name"), sa.column("description"),
                       sa.column("eligibility_description"), sa.column("sort_name"),
                       sa.column("search_text"))
    conn = op.get_bind()
    rows = conn.execute(sa.select(service.c.id, service.c.name, service.c.description,
                                  service.c.eligibility_description)).all()
    keys = []
    for row_id, name, description, eligibility in rows:
        sort_name, search_text = _keys(name, description, eligibility)
        keys.append({"row_id": row_id, "key_name": sort_name, "key_text": search_text})
    if keys:
        conn.execute(service.update().where(service.c.id == sa.bindparam("row_id"))
                     .values(sort_name=sa.bindparam("key_name"),
                             search_text=sa.bindparam("key_text")), keys)
    with op.batch_alter_table("service") as batch:
        batch.alter_column("sort_name", existing_type=sa.Text(), nullable=False)
        batch.alter_column("search_text", existing_type=sa.Text(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("service") as batch:
        batch.drop_column("search_text")
        batch.drop_column("sort_name")
