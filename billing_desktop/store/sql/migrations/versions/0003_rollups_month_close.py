"""usage rollups, month close, tiers, ledger pools

Revision ID: 0003
Revises: 0002

"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

import billing_desktop.store.sql.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "closed_months",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("closed_at", billing_desktop.store.sql.types.UtcTimestamp(), nullable=False),
        sa.Column("closed_by", sa.String(length=200), nullable=False),
        sa.Column("invoice_number", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_closed_months")),
    )
    op.create_table(
        "usage_hourly",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hour", sa.SmallInteger(), nullable=False),
        sa.Column("app", sa.String(length=100), nullable=False),
        sa.Column("measure", sa.String(length=30), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "hour", "app", "measure", name=op.f("pk_usage_hourly")),
    )
    op.create_table(
        "month_lines",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("product", sa.String(length=100), nullable=False),
        sa.Column(
            "quantity", billing_desktop.store.sql.types.ExactDecimal(length=40), nullable=False
        ),
        sa.Column(
            "free_units_total",
            billing_desktop.store.sql.types.ExactDecimal(length=40),
            nullable=False,
        ),
        sa.Column(
            "free_units_used",
            billing_desktop.store.sql.types.ExactDecimal(length=40),
            nullable=False,
        ),
        sa.Column(
            "unit_price", billing_desktop.store.sql.types.ExactDecimal(length=40), nullable=False
        ),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("credit_applied_minor", sa.BigInteger(), nullable=False),
        sa.Column("charged_minor", sa.BigInteger(), nullable=False),
        sa.Column("balance_minor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["month"], ["closed_months.month"], name=op.f("fk_month_lines_month_closed_months")
        ),
        sa.PrimaryKeyConstraint("month", "product", name=op.f("pk_month_lines")),
    )
    with op.batch_alter_table("ledger", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("pool", sa.String(length=120), server_default="", nullable=False)
        )

    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tiers", sa.String(length=500), server_default="", nullable=False)
        )

    _roll_up_stored_records()


# --- data: the rollups of the records a store already holds -----------------------------------
#
# Self-contained on purpose: a migration is frozen at its revision, so it must not import the
# application's domain code, which keeps evolving. This is what domain.metering.rollup_deltas
# computes at this revision (tests/integration/test_rollups.py checks that the two agree):
# per local day and hour in the account's time zone, per app ('' for records without one),
# quantities in integer millionths.

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE = 1_000_000  # one unit in usage_hourly.quantity
_BATCH = 50_000
_SESSION_SECONDS = 900
_MINUTE_SECONDS = 60

_usage_hourly = sa.table(
    "usage_hourly",
    sa.column("day", sa.Date()),
    sa.column("hour", sa.SmallInteger()),
    sa.column("app", sa.String()),
    sa.column("measure", sa.String()),
    sa.column("quantity", sa.BigInteger()),
)


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-max(0, numerator) // denominator)


def _rows(bind: sa.Connection, query: str) -> Iterator[Any]:
    """The query's rows, fetched in batches (a server-side cursor where the database has one)."""
    result = bind.execute(sa.text(query).execution_options(stream_results=True))
    while batch := result.fetchmany(_BATCH):
        yield from batch


def _roll_up_stored_records() -> None:
    bind = op.get_bind()
    zone_name = bind.execute(sa.text("SELECT timezone FROM account WHERE id = 1")).scalar()
    if zone_name is None:  # no account: no time zone to roll up by, and nothing rated yet
        return
    zone = ZoneInfo(zone_name)
    totals: dict[tuple[date, int, str, str], int] = defaultdict(int)

    def add(micros: int, app: str, measure: str, quantity: int) -> None:
        if quantity:
            local = (_EPOCH + timedelta(microseconds=int(micros))).astimezone(zone)
            totals[(local.date(), local.hour, app, measure)] += quantity

    for started, duration in _rows(bind, "SELECT started_at, duration_seconds FROM calls"):
        add(started, "", "calls", _ONE)
        add(started, "", "call_minutes", _ceil_div(duration, _MINUTE_SECONDS) * _ONE)
    for app, channel, started, ended, human in _rows(
        bind,
        "SELECT app, channel, started_at, ended_at, human_agent_seconds FROM conversations",
    ):
        seconds = max(0, (int(ended) - int(started)) // 1_000_000)  # whole seconds
        add(started, app, "conversations", _ONE)
        add(started, app, "billing_sessions", _ceil_div(seconds - human, _SESSION_SECONDS) * _ONE)
        if channel == "voice":
            add(started, app, "voice_conversations", _ONE)
            add(started, app, "voice_sessions", _ceil_div(seconds, _SESSION_SECONDS) * _ONE)
    for app, delivered in _rows(bind, "SELECT app, delivered_at FROM alerts"):
        add(delivered, app, "alerts", _ONE)
    for (sent,) in _rows(bind, "SELECT sent_at FROM sms"):
        add(sent, "", "sms", _ONE)
    for (completed,) in _rows(bind, "SELECT completed_at FROM interviews"):
        add(completed, "", "interviews", _ONE)
    for minutes, recorded in _rows(bind, "SELECT minutes, recorded_at FROM recordings"):
        add(recorded, "", "recordings", _ONE)
        # Imports before this revision allowed more than six decimals: keep the nearest millionth.
        millionths = (Decimal(minutes) * _ONE).to_integral_value(ROUND_HALF_UP)
        add(recorded, "", "recording_minutes", int(millionths))

    rows = [
        {"day": day, "hour": hour, "app": app, "measure": measure, "quantity": quantity}
        for (day, hour, app, measure), quantity in sorted(totals.items())
        if quantity
    ]
    for start in range(0, len(rows), _BATCH):
        bind.execute(_usage_hourly.insert(), rows[start : start + _BATCH])


def downgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_column("tiers")

    with op.batch_alter_table("ledger", schema=None) as batch_op:
        batch_op.drop_column("pool")

    op.drop_table("month_lines")
    op.drop_table("usage_hourly")
    op.drop_table("closed_months")
