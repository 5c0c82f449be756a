"""usage rollups, month close, tiers, ledger pools

Revision ID: 0003
Revises: 0002

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import billing_desktop.store.sql.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "closed_months",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("closed_at", billing_desktop.store.sql.types.UtcTimestamp(), nullable=False),
        sa.Column("closed_by", sa.String(length=200), nullable=False),
        sa.Column("invoice_number", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_closed_months")),
    )
    op.create_table(
        "usage_hourly",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hour", sa.SmallInteger(), nullable=False),
        sa.Column("app", sa.String(length=100), nullable=False),
        sa.Column("measure", sa.String(length=30), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "hour", "app", "measure", name=op.f("pk_usage_hourly")),
    )
    op.create_table(
        "month_lines",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("product", sa.String(length=100), nullable=False),
        sa.Column(
            "quantity", billing_desktop.store.sql.types.ExactDecimal(length=40), nullable=False
        ),
        sa.Column(
            "free_units_total",
            billing_desktop.store.sql.types.ExactDecimal(length=40),
            nullable=False,
        ),
        sa.Column(
            "free_units_used",
            billing_desktop.store.sql.types.ExactDecimal(length=40),
            nullable=False,
        ),
        sa.Column(
            "unit_price", billing_desktop.store.sql.types.ExactDecimal(length=40), nullable=False
        ),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("credit_applied_minor", sa.BigInteger(), nullable=False),
        sa.Column("charged_minor", sa.BigInteger(), nullable=False),
        sa.Column("balance_minor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["month"], ["closed_months.month"], name=op.f("fk_month_lines_month_closed_months")
        ),
        sa.PrimaryKeyConstraint("month", "product", name=op.f("pk_month_lines")),
    )
    with op.batch_alter_table("ledger", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("pool", sa.String(length=120), server_default="", nullable=False)
        )

    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tiers", sa.String(length=500), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_column("tiers")

    with op.batch_alter_table("ledger", schema=None) as batch_op:
        batch_op.drop_column("pool")

    op.drop_table("month_lines")
    op.drop_table("usage_hourly")
    op.drop_table("closed_months")
