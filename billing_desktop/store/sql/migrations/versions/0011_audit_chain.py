"""The audit log becomes a tamper-evident chain: each row's place in it and its SHA-256

Revision ID: 0011
Revises: 0010

Every row gets ``chain_seq`` (1, 2, … in chain order) and ``chain_hash`` (SHA-256 over the
previous row's hash and the row's canonical content, ``domain.audit_chain``). The rows already
stored are chained here in the order they were written (their ids).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import billing_desktop.store.sql.types
from billing_desktop.domain.audit_chain import GENESIS, link

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# The table as this revision leaves it (frozen here: later revisions may change the model).
_audit = sa.table(
    "audit_log",
    sa.column("id", sa.Integer),
    sa.column("at", sa.BigInteger),
    sa.column("actor", sa.String),
    sa.column("origin", sa.String),
    sa.column("action", sa.String),
    sa.column("entity", sa.String),
    sa.column("entity_id", sa.String),
    sa.column("before", sa.JSON),
    sa.column("after", sa.JSON),
    sa.column("request_key", sa.String),
    sa.column("chain_seq", sa.BigInteger),
    sa.column("chain_hash", sa.String),
)
_BATCH = 2000


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("chain_seq", sa.BigInteger(), nullable=True))
        batch.add_column(
            sa.Column(
                "chain_hash",
                billing_desktop.store.sql.types.byte_ordered(sa.String(length=64)),
                nullable=True,
            )
        )
        batch.create_index("ux_audit_log_chain_seq", ["chain_seq"], unique=True)
        # The activity report's filters and choices (covering: the plan-data rule reads
        # entity and entity_id).
        batch.create_index("ix_audit_log_actor", ["actor", "entity", "entity_id"])
        batch.create_index("ix_audit_log_action", ["action", "entity", "entity_id"])
        batch.create_index("ix_audit_log_entity", ["entity", "entity_id"])
    bind = op.get_bind()
    c = _audit.c
    previous, seq, last_id = GENESIS, 0, -1
    while True:
        rows = bind.execute(
            sa.select(_audit).where(c.id > last_id).order_by(c.id).limit(_BATCH)
        ).all()
        if not rows:
            break
        links: list[dict[str, object]] = []
        for row in rows:
            seq += 1
            content = {
                "seq": seq,
                "id": row.id,
                "at": int(row.at),
                "actor": row.actor,
                "origin": row.origin,
                "action": row.action,
                "entity": row.entity,
                "entity_id": row.entity_id,
                "before": row.before,
                "after": row.after,
                "request_key": row.request_key,
            }
            previous = link(previous, content)
            links.append({"row_id": row.id, "seq": seq, "hash": previous})
            last_id = row.id
        bind.execute(
            _audit.update()
            .where(c.id == sa.bindparam("row_id"))
            .values(chain_seq=sa.bindparam("seq"), chain_hash=sa.bindparam("hash")),
            links,
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_index("ix_audit_log_entity")
        batch.drop_index("ix_audit_log_action")
        batch.drop_index("ix_audit_log_actor")
        batch.drop_index("ux_audit_log_chain_seq")
        batch.drop_column("chain_hash")
        batch.drop_column("chain_seq")
