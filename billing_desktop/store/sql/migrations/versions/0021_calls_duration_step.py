"""calls by steps of 4 seconds of duration: what 0020 did for the instant (B9)

Revision ID: 0021
Revises: 0020

``ix_calls_duration_seconds`` (duration_seconds, id) kept each duration's calls in id order. A
file's calls go in at one place per duration they have (1,800 in B3's file), and at each place
SQLite splits the full leaf page and shares it out with its neighbours. In a store of a
million calls a duration's run of stored calls spans a page or two, so the places lie close
and share pages; in one of ten million each lies in pages of its own. A 100,000-call import
wrote 4,697 of the index's pages into the log at 1M and 7,613 at 10M (WAL frames read back).

``ix_calls_duration_step`` keeps the calls by steps of 4 seconds (``duration_seconds / 4``),
each step's in the order they were stored: a file's calls go in at the end of 450 steps at
most, whatever the store holds, and each entry is the step and the rowid (no id). Measured, the
whole import command on fresh copies: 1.72 s / 2.30 s (1M / 10M) before, 1.40 s / 1.54-1.77 s
after. The call log orders by the step first and sorts each step's calls by duration and id
(at ten million calls a step holds 36,000-80,000 calls; the first page of the sort by cost
sorts the first step's), as it does by the hour for the time order (0020).

The expression must be written exactly as the queries write it (``tables.CALL_DURATION_STEP_SQL``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

STEP_SQL = "duration_seconds / 4"  # tables.CALL_DURATION_STEP_SQL as of this revision


def upgrade() -> None:
    op.drop_index("ix_calls_duration_seconds", table_name="calls")
    op.create_index("ix_calls_duration_step", "calls", [sa.text(f"({STEP_SQL})")], unique=False)


def downgrade() -> None:
    op.drop_index("ix_calls_duration_step", table_name="calls")
    op.create_index("ix_calls_duration_seconds", "calls", ["duration_seconds", "id"], unique=False)
