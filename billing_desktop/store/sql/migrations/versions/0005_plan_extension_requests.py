"""plan extension requests (Plans tab ▸ Manage ▸ Request an extension)

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import billing_desktop.store.sql.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_extension_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("app", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("requested_end", sa.Date(), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("requested_at", billing_desktop.store.sql.types.UtcTimestamp(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["app"], ["apps.id"], name=op.f("fk_plan_extension_requests_app_apps")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_extension_requests")),
    )


def downgrade() -> None:
    op.drop_table("plan_extension_requests")
