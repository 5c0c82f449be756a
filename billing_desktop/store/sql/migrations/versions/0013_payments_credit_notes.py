"""Payments of invoices and their voids, credit notes, staged bank-statement lines

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from billing_desktop.store.sql.types import byte_ordered

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _text(length: int) -> sa.types.TypeEngine[str]:
    # Code-point collation on PostgreSQL, as every text column of the store (0007).
    return byte_ordered(sa.String(length=length))


def upgrade() -> None:
    op.create_table(
        "payments",
        sa.Column("number", _text(40), nullable=False),
        sa.Column("invoice", _text(40), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("method", _text(20), nullable=False),
        sa.Column("reference", _text(200), nullable=False),
        sa.Column("payer", _text(200), nullable=False),
        sa.Column("bank_line", _text(100), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_payments")),
    )
    op.create_index(op.f("ix_payments_invoice"), "payments", ["invoice"])
    op.create_table(
        "payment_voids",
        sa.Column("payment", _text(40), nullable=False),
        sa.Column("voided_on", sa.Date(), nullable=False),
        sa.Column("reason", _text(500), nullable=False),
        sa.PrimaryKeyConstraint("payment", name=op.f("pk_payment_voids")),
    )
    op.create_table(
        "credit_notes",
        sa.Column("number", _text(40), nullable=False),
        sa.Column("invoice", _text(40), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("reason", _text(500), nullable=False),
        sa.Column("product", _text(100), nullable=True),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_credit_notes")),
    )
    op.create_index(op.f("ix_credit_notes_invoice"), "credit_notes", ["invoice"])
    op.create_table(
        "bank_lines",
        sa.Column("id", _text(100), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("reference", _text(500), nullable=False),
        sa.Column("payer", _text(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_lines")),
    )
    op.create_table(
        "bank_line_dismissals",
        sa.Column("line", _text(100), nullable=False),
        sa.Column("dismissed_on", sa.Date(), nullable=False),
        sa.Column("reason", _text(500), nullable=False),
        sa.PrimaryKeyConstraint("line", name=op.f("pk_bank_line_dismissals")),
    )


def downgrade() -> None:
    op.drop_table("bank_line_dismissals")
    op.drop_table("bank_lines")
    op.drop_index(op.f("ix_credit_notes_invoice"), table_name="credit_notes")
    op.drop_table("credit_notes")
    op.drop_table("payment_voids")
    op.drop_index(op.f("ix_payments_invoice"), table_name="payments")
    op.drop_table("payments")
