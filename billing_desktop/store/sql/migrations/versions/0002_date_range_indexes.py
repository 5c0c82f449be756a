"""date-range indexes for paging call logs and bucketing records

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch_op:
        batch_op.create_index("ix_audit_log_at", ["at"], unique=False)
    with op.batch_alter_table("interviews") as batch_op:
        batch_op.create_index("ix_interviews_completed_at", ["completed_at"], unique=False)
    with op.batch_alter_table("recordings") as batch_op:
        batch_op.create_index("ix_recordings_recorded_at", ["recorded_at"], unique=False)
    with op.batch_alter_table("sms") as batch_op:
        batch_op.create_index("ix_sms_sent_at", ["sent_at"], unique=False)
    with op.batch_alter_table("calls") as batch_op:
        batch_op.create_index("ix_calls_started_at", ["started_at", "id"], unique=False)
    with op.batch_alter_table("alerts") as batch_op:
        batch_op.create_index("ix_alerts_delivered_at", ["delivered_at"], unique=False)
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.create_index("ix_conversations_started_at", ["started_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.drop_index("ix_conversations_started_at")
    with op.batch_alter_table("alerts") as batch_op:
        batch_op.drop_index("ix_alerts_delivered_at")
    with op.batch_alter_table("calls") as batch_op:
        batch_op.drop_index("ix_calls_started_at")
    with op.batch_alter_table("sms") as batch_op:
        batch_op.drop_index("ix_sms_sent_at")
    with op.batch_alter_table("recordings") as batch_op:
        batch_op.drop_index("ix_recordings_recorded_at")
    with op.batch_alter_table("interviews") as batch_op:
        batch_op.drop_index("ix_interviews_completed_at")
    with op.batch_alter_table("audit_log") as batch_op:
        batch_op.drop_index("ix_audit_log_at")
