"""call-log indexes: every column the call log sorts by, each with the call id as tie-break

Revision ID: 0008
Revises: 0007

The call log (PRODUCT §8.1) orders a million calls by any column, ties broken by the call id
in the same direction, and shows the first page at once (PERFORMANCE.md B6). With an index on
(column, id) that page is an index walk stopped after 500 rows instead of a sort of every call;
ix_calls_campaign also answers the campaign filter and the campaign list, ix_calls_type the
type filter's count. Sorting by cost or minutes orders by duration_seconds (same order).
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# index name -> the column it leads with (every one ends with the call id)
_INDEXES = {
    "ix_calls_type": "type",
    "ix_calls_triggered_by": "triggered_by",
    "ix_calls_trigger_source": "trigger_source",
    "ix_calls_candidate_id": "candidate_id",
    "ix_calls_campaign": "campaign",
    "ix_calls_number": "number",
    "ix_calls_duration_seconds": "duration_seconds",
}


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch_op:
        for name, column in _INDEXES.items():
            batch_op.create_index(name, [column, "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("calls") as batch_op:
        for name in reversed(_INDEXES):
            batch_op.drop_index(name)
