"""calls sync watermark: partial indexes, so calls stamped before the watermarks cost nothing

Revision ID: 0018
Revises: 0017

Revision 0014 indexed every call on (sync_seq, id): 22 MB at a million calls, which took the
calls table and its indexes from 1.88x to 2.19x the call's CSV (B13, target <= 2x). What the
index serves (``store/sql/replication``):

* ``stamp``: the calls not stamped yet (``sync_seq IS NULL``): whether there are any, and the
  UPDATE that stamps them;
* ``since`` and ``count_upto``: the calls stamped after a replica's watermark, which is always
  a number the server handed out (>= 1), in (sync_seq, id) order.

Neither ever reads a call stamped 0: 0014 stamped 0 every call already stored, and a replica
gets those through the digests of its first sync, never "after N". So the one index becomes
two partial ones that leave those calls out:

* ``ix_calls_sync_seq`` (sync_seq, id) WHERE sync_seq > 0: the calls stamped since (the sync's
  queries state ``sync_seq > 0`` as written here, so SQLite and PostgreSQL match the index);
* ``ix_calls_unstamped`` (id) WHERE sync_seq IS NULL: the calls a server has still to stamp.

A store from before the watermarks (every call stamped 0) holds almost nothing in either; a
store whose calls a server stamped holds them in the first, as before; a store no server ever
stamped holds its calls in the second (about the size of the old index). On SQLite the calls'
other indexes are then rebuilt once (REINDEX: 233 -> 223 bytes a call on the large store). The
downgrade puts the one index back.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

STAMPED = sa.text("sync_seq > 0")
UNSTAMPED = sa.text("sync_seq IS NULL")


def upgrade() -> None:
    op.drop_index("ix_calls_sync_seq", table_name="calls")
    op.create_index(
        "ix_calls_sync_seq",
        "calls",
        ["sync_seq", "id"],
        unique=False,
        sqlite_where=STAMPED,
        postgresql_where=STAMPED,
    )
    op.create_index(
        "ix_calls_unstamped",
        "calls",
        ["id"],
        unique=False,
        sqlite_where=UNSTAMPED,
        postgresql_where=UNSTAMPED,
    )
    if op.get_bind().dialect.name == "sqlite":
        # Repack the calls' other indexes, once: a store that grew by imports holds them in
        # pages about three quarters full (34 -> 30 MB for ix_calls_started_at at a million
        # calls); rebuilt from sorted keys they fill their pages. About 4 s at a million calls.
        op.execute("REINDEX calls")


def downgrade() -> None:
    op.drop_index("ix_calls_unstamped", table_name="calls")
    op.drop_index("ix_calls_sync_seq", table_name="calls")
    op.create_index("ix_calls_sync_seq", "calls", ["sync_seq", "id"], unique=False)
