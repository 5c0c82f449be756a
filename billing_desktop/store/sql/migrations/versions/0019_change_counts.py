"""change counts per table: what the API server keeps a read's answer by (B10)

Revision ID: 0019
Revises: 0018

Two tables on every backend (the schema is the same everywhere): ``change_counts`` (a table's
name and how many committed transactions have changed it) and ``changes_pending`` (the tables a
transaction in progress has changed). On PostgreSQL a statement trigger on every other table
notes the table, and a deferred trigger counts the notes as the transaction commits
(``store/sql/change_counts``); every table starts at 0. On SQLite the tables stay empty.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from billing_desktop.store.sql import change_counts as cc
from billing_desktop.store.sql.types import byte_ordered

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def _name() -> sa.types.TypeEngine[str]:
    return byte_ordered(sa.String(length=63))  # code-point collation on PostgreSQL (0007)


def _counted() -> list[str]:
    names = sa.inspect(op.get_bind()).get_table_names()
    return sorted(name for name in names if name not in cc.NOT_COUNTED)


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    counted = _counted()
    op.create_table(
        "change_counts",
        sa.Column("name", _name(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_change_counts")),
    )
    op.create_table(
        "changes_pending",
        sa.Column("txid", sa.BigInteger(), nullable=False),
        sa.Column("name", _name(), nullable=False),
        sa.PrimaryKeyConstraint("txid", "name", name=op.f("pk_changes_pending")),
        # Its rows live from a transaction's first write to its commit: not worth a WAL record
        # (an unlogged table is emptied after a crash, when no transaction is in progress).
        prefixes=["UNLOGGED"] if postgres else [],
    )
    if not postgres:
        return
    op.execute(cc.NOTE_FUNCTION)
    op.execute(cc.COUNT_FUNCTION)
    op.execute(cc.COUNT_TRIGGER)
    for table in counted:
        op.execute(cc.count_changes_of(table))
    op.bulk_insert(
        sa.table("change_counts", sa.column("name"), sa.column("n")),
        [{"name": table, "n": 0} for table in counted],
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in _counted():
            op.execute(cc.stop_counting(table))
        op.execute("DROP TRIGGER IF EXISTS billing_count_changes ON changes_pending")
    op.drop_table("changes_pending")
    op.drop_table("change_counts")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS billing_count_changes()")
        op.execute("DROP FUNCTION IF EXISTS billing_note_change()")
