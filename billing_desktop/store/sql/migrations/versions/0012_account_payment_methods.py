"""plan extension decisions: who decided, when, the end date granted or the reason refused

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import billing_desktop.store.sql.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Code-point collation on PostgreSQL, as every text column of the store (0007).
    text = billing_desktop.store.sql.types.byte_ordered
    with op.batch_alter_table("plan_extension_requests") as batch:
        batch.add_column(sa.Column("decided_by", text(sa.String(length=200)), nullable=True))
        batch.add_column(
            sa.Column("decided_at", billing_desktop.store.sql.types.UtcTimestamp(), nullable=True)
        )
        batch.add_column(sa.Column("granted_end", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column(
                "decision_note",
                text(sa.String(length=500)),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("plan_extension_requests") as batch:
        batch.drop_column("decision_note")
        batch.drop_column("granted_end")
        batch.drop_column("decided_at")
        batch.drop_column("decided_by")
