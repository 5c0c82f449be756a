"""sessions count every started quarter-hour to the microsecond: correct the rollups

Revision ID: 0009
Revises: 0008

Until this revision a conversation's length was cut to whole seconds before its sessions were
counted, so 30:00.5 made 2 sessions where it has started a third (issue 14.5). The raw records
always kept their microseconds; only the hourly rollups of conversations whose length has a
fraction of a second are off, by the sessions that fraction starts. This adds the difference
to each affected rollup row (creating the row when the old count was zero), in the same
transaction as the revision.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# Self-contained on purpose (a migration is frozen at its revision): the old and the new
# counting rule, side by side.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE = 1_000_000  # one unit in usage_hourly.quantity
_MICROS = 1_000_000
_SESSION_MICROS = 900 * _MICROS
_DAY = sa.bindparam("day", type_=sa.Date())  # SQLite keeps dates as ISO text


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-max(0, numerator) // denominator)


def _old(length_micros: int, human_seconds: int) -> tuple[int, int]:
    seconds = max(0, length_micros // _MICROS)
    return _ceil_div(seconds - human_seconds, 900), _ceil_div(seconds, 900)


def _new(length_micros: int, human_seconds: int) -> tuple[int, int]:
    length = max(0, length_micros)
    return (
        _ceil_div(length - human_seconds * _MICROS, _SESSION_MICROS),
        _ceil_div(length, _SESSION_MICROS),
    )


def upgrade() -> None:
    bind = op.get_bind()
    zone_name = bind.execute(sa.text("SELECT timezone FROM account WHERE id = 1")).scalar()
    if zone_name is None:
        return
    zone = ZoneInfo(zone_name)
    deltas: dict[tuple[date, int, str, str], int] = defaultdict(int)
    rows = bind.execute(
        sa.text(
            "SELECT app, channel, started_at, ended_at, human_agent_seconds FROM conversations "
            "WHERE (ended_at - started_at) % 1000000 <> 0"
        )
    )
    for app, channel, started, ended, human in rows:
        length = int(ended) - int(started)
        (old_billing, old_voice), (new_billing, new_voice) = (
            _old(length, human),
            _new(length, human),
        )
        local = (_EPOCH + timedelta(microseconds=int(started))).astimezone(zone)
        key = (local.date(), local.hour, app)
        deltas[(*key, "billing_sessions")] += (new_billing - old_billing) * _ONE
        if channel == "voice":
            deltas[(*key, "voice_sessions")] += (new_voice - old_voice) * _ONE
    for (day, hour, app, measure), delta in sorted(deltas.items()):
        if not delta:
            continue
        where = {"day": day, "hour": hour, "app": app, "measure": measure, "delta": delta}
        updated = bind.execute(
            sa.text(
                "UPDATE usage_hourly SET quantity = quantity + :delta WHERE day = :day AND "
                "hour = :hour AND app = :app AND measure = :measure"
            ).bindparams(_DAY),
            where,
        )
        if updated.rowcount == 0:
            bind.execute(
                sa.text(
                    "INSERT INTO usage_hourly (day, hour, app, measure, quantity) "
                    "VALUES (:day, :hour, :app, :measure, :delta)"
                ).bindparams(_DAY),
                where,
            )


def downgrade() -> None:
    """The old counts were wrong; going back keeps the right ones."""
