"""compact calls: keep only the calls indexes something needs (issue 21, B13)

Revision ID: 0017
Revises: 0013

The calls table carried nine indexes (304 MB of a 516 MB store at a million calls, 409 bytes a
call, 3.5x the call's CSV), each updated by every imported call. Decided index by index against
what the call log reads when it opens, jumps to the last row and sorts by cost (B6), measured
with EXPLAIN QUERY PLAN on the large store:

* primary key (id): the import's idempotency and every look-up by id; kept.
* ix_calls_started_at (started_at, id): the default order (open, last row), the date span and
  the date filter; kept.
* ix_calls_duration_seconds (duration_seconds, id): the sort by cost and by minutes; kept.
* ix_calls_campaign: the campaign list the call log shows when it opens is a loose index scan
  over it (one probe per campaign; a DISTINCT over a million calls takes 0.25 s), and it
  answers the campaign filter. Rebuilt on (campaign) alone: the id tie-break only served the
  sort by campaign, which now sorts each campaign's calls (0.2 s for the first page at a million
  calls instead of an index walk).
* ix_calls_type, ix_calls_triggered_by, ix_calls_trigger_source, ix_calls_candidate_id,
  ix_calls_number: only the sorts by those columns used them (and the type filter's count);
  dropped. Those sorts now sort the table (about 0.3 s at a million calls).

The pages freed stay in the file for later imports to reuse (VACUUM returns them to the disk).
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0015"
branch_labels = None
depends_on = None

# index name -> the column it leads with (each ended with the call id), as 0008 made them
_DROPPED = {
    "ix_calls_type": "type",
    "ix_calls_triggered_by": "triggered_by",
    "ix_calls_trigger_source": "trigger_source",
    "ix_calls_candidate_id": "candidate_id",
    "ix_calls_number": "number",
}


def upgrade() -> None:
    for name in _DROPPED:
        op.drop_index(name, table_name="calls")
    op.drop_index("ix_calls_campaign", table_name="calls")
    op.create_index("ix_calls_campaign", "calls", ["campaign"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_calls_campaign", table_name="calls")
    op.create_index("ix_calls_campaign", "calls", ["campaign", "id"], unique=False)
    for name, column in _DROPPED.items():
        op.create_index(name, "calls", [column, "id"], unique=False)
