"""API tokens: expiry and last use; failed sign-ins per client address (rate limit)

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import billing_desktop.store.sql.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(
            sa.Column("expires_at", billing_desktop.store.sql.types.UtcTimestamp(), nullable=True)
        )
        batch.add_column(
            sa.Column("last_used_at", billing_desktop.store.sql.types.UtcTimestamp(), nullable=True)
        )
    op.create_table(
        "sign_in_failures",
        # Code-point collation on PostgreSQL, as every text column of the store (0007).
        sa.Column(
            "address",
            billing_desktop.store.sql.types.byte_ordered(sa.String(length=100)),
            nullable=False,
        ),
        sa.Column(
            "window_started_at", billing_desktop.store.sql.types.UtcTimestamp(), nullable=False
        ),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_sign_in_failures")),
    )


def downgrade() -> None:
    op.drop_table("sign_in_failures")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("last_used_at")
        batch.drop_column("expires_at")
