"""initial schema

Revision ID: 0001
Revises: (none)

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import billing_desktop.store.sql.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("plan", sa.String(length=20), nullable=False),
        sa.Column("payment_method", sa.String(length=20), nullable=False),
        sa.Column("commit_scope", sa.String(length=20), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_account_single_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", billing_desktop.store.sql.types.UtcTimestamp(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("origin", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("entity", sa.String(length=100), nullable=False),
        sa.Column("entity_id", sa.String(length=200), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )

    op.create_table(
        "billing_units",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_units")),
        sa.UniqueConstraint("name", name=op.f("uq_billing_units_name")),
    )
    op.create_table(
        "commits",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("product", sa.String(length=100), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("frequency", sa.String(length=20), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commits")),
        sa.UniqueConstraint("product", "started_on", name="uq_commits_product_started_on"),
    )
    op.create_table(
        "interviews",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("campaign", sa.String(length=200), nullable=False),
        sa.Column("completed_at", billing_desktop.store.sql.types.UtcTimestamp(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interviews")),
    )

    op.create_table(
        "invoices",
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_invoices")),
    )
    op.create_table(
        "ledger",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("product", sa.String(length=100), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger")),
    )
    op.create_table(
        "phone_numbers",
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_phone_numbers")),
    )
    op.create_table(
        "plans",
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("monthly_price_minor", sa.BigInteger(), nullable=False),
        sa.Column("included_sessions", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_plans")),
    )
    op.create_table(
        "products",
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column(
            "unit_price", billing_desktop.store.sql.types.ExactDecimal(length=40), nullable=False
        ),
        sa.Column(
            "free_units_per_agent",
            billing_desktop.store.sql.types.ExactDecimal(length=40),
            nullable=False,
        ),
        sa.Column("contact_center_services", sa.Boolean(), nullable=False),
        sa.Column("metering", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("commit", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_products")),
    )
    op.create_table(
        "recordings",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("campaign", sa.String(length=200), nullable=False),
        sa.Column(
            "minutes", billing_desktop.store.sql.types.ExactDecimal(length=40), nullable=False
        ),
        sa.Column("recorded_at", billing_desktop.store.sql.types.UtcTimestamp(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recordings")),
    )

    op.create_table(
        "sms",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("campaign", sa.String(length=200), nullable=False),
        sa.Column("sent_at", billing_desktop.store.sql.types.UtcTimestamp(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms")),
    )

    op.create_table(
        "storage_snapshots",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "quantity", billing_desktop.store.sql.types.ExactDecimal(length=40), nullable=False
        ),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_storage_snapshots")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("access_groups", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
    )
    op.create_table(
        "agent_seats",
        sa.Column("user_id", sa.String(length=100), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_agent_seats_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", "started_on", name=op.f("pk_agent_seats")),
    )
    op.create_table(
        "apps",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("owner_user_id", sa.String(length=100), nullable=False),
        sa.Column("plan", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("balance_minor", sa.BigInteger(), nullable=False),
        sa.Column("plan_ends_on", sa.Date(), nullable=True),
        sa.Column("pending_plan", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_user_id"], ["users.id"], name=op.f("fk_apps_owner_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apps")),
    )
    op.create_table(
        "billing_unit_numbers",
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["number"],
            ["phone_numbers.number"],
            name=op.f("fk_billing_unit_numbers_number_phone_numbers"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["billing_units.id"],
            name=op.f("fk_billing_unit_numbers_unit_id_billing_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_billing_unit_numbers")),
    )
    op.create_table(
        "billing_unit_users",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["billing_units.id"],
            name=op.f("fk_billing_unit_users_unit_id_billing_units"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_billing_unit_users_user_id_users")
        ),
        sa.PrimaryKeyConstraint("unit_id", "user_id", name=op.f("pk_billing_unit_users")),
    )
    op.create_table(
        "calls",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("type", sa.String(length=10), nullable=False),
        sa.Column("triggered_by", sa.String(length=10), nullable=False),
        sa.Column("trigger_source", sa.String(length=100), nullable=False),
        sa.Column("candidate_id", sa.String(length=100), nullable=True),
        sa.Column("campaign", sa.String(length=200), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=True),
        sa.Column("user_id", sa.String(length=100), nullable=True),
        sa.Column("started_at", billing_desktop.store.sql.types.UtcTimestamp(), nullable=False),
        sa.Column("duration_seconds", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_calls_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calls")),
    )

    op.create_table(
        "team_members",
        sa.Column("team", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_team_members_user_id_users")
        ),
        sa.PrimaryKeyConstraint("team", "user_id", name=op.f("pk_team_members")),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("app", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.String(length=100), nullable=False),
        sa.Column("delivered_at", billing_desktop.store.sql.types.UtcTimestamp(), nullable=False),
        sa.ForeignKeyConstraint(["app"], ["apps.id"], name=op.f("fk_alerts_app_apps")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_alerts_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )

    op.create_table(
        "conversations",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("app", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("started_at", billing_desktop.store.sql.types.UtcTimestamp(), nullable=False),
        sa.Column("ended_at", billing_desktop.store.sql.types.UtcTimestamp(), nullable=False),
        sa.Column("human_agent_seconds", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["app"], ["apps.id"], name=op.f("fk_conversations_app_apps")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
    )


def downgrade() -> None:

    op.drop_table("conversations")

    op.drop_table("alerts")
    op.drop_table("team_members")

    op.drop_table("calls")
    op.drop_table("billing_unit_users")
    op.drop_table("billing_unit_numbers")
    op.drop_table("apps")
    op.drop_table("agent_seats")
    op.drop_table("users")
    op.drop_table("storage_snapshots")

    op.drop_table("sms")

    op.drop_table("recordings")
    op.drop_table("products")
    op.drop_table("plans")
    op.drop_table("phone_numbers")
    op.drop_table("ledger")
    op.drop_table("invoices")

    op.drop_table("interviews")
    op.drop_table("commits")
    op.drop_table("billing_units")

    op.drop_table("audit_log")
    op.drop_table("account")
