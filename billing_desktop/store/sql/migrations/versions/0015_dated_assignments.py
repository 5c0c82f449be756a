"""The history of billing-unit membership, with effective dates (issue 20 §5)

Revision ID: 0015
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from billing_desktop.store.sql.types import byte_ordered

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def _text(length: int) -> sa.types.TypeEngine[str]:
    # Code-point collation on PostgreSQL, as every text column of the store (0007).
    return byte_ordered(sa.String(length=length))


def upgrade() -> None:
    # Assignments made before this revision get no row: they are read as in force since the
    # start of time, so every month reports exactly as it did before the upgrade.
    op.create_table(
        "billing_unit_history",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("unit_name", _text(200), nullable=False),
        sa.Column("kind", _text(10), nullable=False),
        sa.Column("member", _text(100), nullable=False),
        sa.Column("added", sa.Boolean(), nullable=False),
        sa.Column("effective_from", sa.BigInteger(), nullable=True),
        sa.Column("recorded_at", sa.BigInteger(), nullable=False),
        sa.Column("actor", _text(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_unit_history")),
    )
    op.create_index(
        "ix_billing_unit_history_effective_from", "billing_unit_history", ["effective_from"]
    )


def downgrade() -> None:
    op.drop_index("ix_billing_unit_history_effective_from", table_name="billing_unit_history")
    op.drop_table("billing_unit_history")
