"""PostgreSQL: text columns compare by code point (collation "C"), as SQLite's do

Revision ID: 0007
Revises: 0006

SQLite compares text byte by byte (its BINARY collation), which is code-point order for UTF-8.
PostgreSQL uses the database's collation, on most servers a linguistic one ("a" < "B" < "b"),
so the same ORDER BY gave another order there. Nothing changes on SQLite.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# The store's tables at this revision (frozen: later tables declare their collation when they
# are created). Tables of the same database that are not the store's are left alone.
_TABLES = (
    "account", "agent_seats", "alerts", "api_tokens", "apps", "audit_log",
    "billing_unit_numbers", "billing_unit_users", "billing_units", "calls", "closed_months",
    "commits", "conversations", "idempotency_keys", "interviews", "invoices", "ledger",
    "month_lines", "phone_numbers", "plan_extension_requests", "plans", "products",
    "recordings", "resource_versions", "sms", "storage_snapshots", "team_members",
    "usage_hourly", "users", "workspace_settings",
)  # fmt: skip


def _set_collation(collation: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    rows = bind.execute(
        sa.text(
            "SELECT table_name, column_name, character_maximum_length "
            "FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND data_type = 'character varying' "
            "ORDER BY table_name, ordinal_position"
        )
    ).all()
    by_table: dict[str, list[str]] = {}
    for table, column, length in rows:
        if table in _TABLES:
            size = f"({length})" if length is not None else ""
            by_table.setdefault(table, []).append(
                f'ALTER COLUMN "{column}" TYPE VARCHAR{size} COLLATE "{collation}"'
            )
    for table, changes in by_table.items():
        # One statement per table: its indexes are rebuilt once.
        op.execute(f'ALTER TABLE "{table}" ' + ", ".join(changes))


def upgrade() -> None:
    _set_collation("C")


def downgrade() -> None:
    _set_collation("default")
