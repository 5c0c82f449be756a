"""sync watermarks: a sequence number per append-only record, so a replica pulls "after N"

Revision ID: 0014
Revises: 0013

An offline client's replica (PRODUCT §13) brings its append-only records (calls, SMS,
interviews, recordings, conversations, alerts, ledger rows) and the hourly rollups up to date
by asking for the rows stamped after the last number it holds, instead of digesting whole
tables. New rows are written with ``sync_seq`` NULL by whatever writes them (imports, the demo,
services; the rollups' one writer sets it NULL again when it changes a row); the server stamps
them with the next number of ``sync_watermarks`` when a client asks
(``store/sql/replication.stamp``). The rows already here are stamped 0. Each table gets an
index on (sync_seq, its key): the rows after a watermark, and the rows not stamped yet, are an
index walk.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from billing_desktop.store.sql.types import byte_ordered

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# table -> its primary key (the index is on sync_seq, then the key)
TABLES = {
    "conversations": ["id"],
    "alerts": ["id"],
    "calls": ["id"],
    "sms": ["id"],
    "interviews": ["id"],
    "recordings": ["id"],
    "ledger": ["id"],
    "usage_hourly": ["day", "hour", "app", "measure"],
}


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, key in TABLES.items():
        if postgres:
            # A constant default fills the rows here without rewriting the table; new rows
            # then come without one (NULL: not stamped yet).
            op.add_column(
                table, sa.Column("sync_seq", sa.BigInteger(), nullable=True, server_default="0")
            )
            op.alter_column(table, "sync_seq", server_default=None)
        else:
            op.add_column(table, sa.Column("sync_seq", sa.BigInteger(), nullable=True))
            op.execute(sa.text(f"UPDATE {table} SET sync_seq = 0"))
        op.create_index(f"ix_{table}_sync_seq", table, ["sync_seq", *key], unique=False)
    watermarks = op.create_table(
        "sync_watermarks",
        sa.Column("name", byte_ordered(sa.String(length=40)), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sync_watermarks")),
    )
    op.bulk_insert(watermarks, [{"name": "records", "seq": 0}])


def downgrade() -> None:
    op.drop_table("sync_watermarks")
    for table in reversed(list(TABLES)):
        op.drop_index(f"ix_{table}_sync_seq", table_name=table)
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("sync_seq")
