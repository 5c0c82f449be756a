"""calls by the hour they started in: an import's cost no longer grows with the store (B9)

Revision ID: 0020
Revises: 0019

``ix_calls_started_at`` (started_at, id) kept every call in the exact order of its instant. A
file of calls dated among the stored ones (a back-fill) put each new key between stored keys:
the leaf pages it touched grew with the calls stored in those days, about ten times as many in
a store of ten million calls as in one of a million, each split and written again (measured: a
100,000-call import 1.7 s into the large store, 3.4 s into the xlarge one).

``ix_calls_started_hour`` keeps the calls by the hour they started in, each hour's in the order
they were stored (the rowid): a new call goes at the end of its hour, whatever the store holds
(1.7 s and 1.8 s, same measurement). The call log orders by the hour first and sorts each hour's
calls by their instant and id (``repositories.queries``: SQLite's "temp b-tree for the right
part of the ORDER BY", PostgreSQL's incremental sort); a date filter adds the hours it spans;
the first and last call are the least and greatest of their hour. The index is smaller too (the
hour and the rowid, no instant and id): B13's bytes per call.

The expression must be written exactly as the queries write it (``tables.CALL_HOUR_SQL``),
on both databases (started_at is integer microseconds on each: integer division).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

HOUR_SQL = "started_at / 3600000000"  # tables.CALL_HOUR_SQL as of this revision


def upgrade() -> None:
    op.drop_index("ix_calls_started_at", table_name="calls")
    op.create_index("ix_calls_started_hour", "calls", [sa.text(f"({HOUR_SQL})")], unique=False)


def downgrade() -> None:
    op.drop_index("ix_calls_started_hour", table_name="calls")
    op.create_index("ix_calls_started_at", "calls", ["started_at", "id"], unique=False)
