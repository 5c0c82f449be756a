"""Sessions and agent counts (PRODUCT §4.1).

* billing session: every started 15 minutes of a conversation, human-agent time after a
  transfer excluded: ceil(billable seconds / 900); 0 billable seconds -> 0 sessions.
* alert session: one per delivered alert.
* voice session: every started 15 minutes of a voice conversation, AI and human time both
  counted: ceil(total seconds / 900).
* agents: seats active on a day; a week or month bucket shows the peak daily count.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from billing_desktop.domain.model import AgentSeat, Channel, Conversation

SESSION_SECONDS = 900
MINUTE_SECONDS = 60
MICROSECONDS = Decimal(1_000_000)
ZERO = Decimal(0)
_MICROSECOND = timedelta(microseconds=1)
_MICROS_PER_SECOND = 1_000_000
_SESSION_MICROS = SESSION_SECONDS * _MICROS_PER_SECOND


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def conversation_seconds(conversation: Conversation) -> Decimal:
    """Exact seconds from start to end, to the microsecond: a fraction of a second is part of
    the conversation, so 30:00.5 has started a third quarter-hour."""
    length = conversation.ended_at - conversation.started_at
    return max(ZERO, Decimal(length // timedelta(microseconds=1)) / MICROSECONDS)


def billable_seconds(total_seconds: Decimal | int, human_agent_seconds: int) -> Decimal:
    return max(ZERO, Decimal(total_seconds) - human_agent_seconds)


def billing_sessions(total_seconds: Decimal | int, human_agent_seconds: int = 0) -> int:
    return math.ceil(billable_seconds(total_seconds, human_agent_seconds) / SESSION_SECONDS)


def voice_sessions(total_seconds: Decimal | int) -> int:
    return math.ceil(max(ZERO, Decimal(total_seconds)) / SESSION_SECONDS)


def conversation_sessions(conversation: Conversation) -> tuple[int, int]:
    """(billing sessions, voice sessions) of one conversation.

    ``billing_sessions`` and ``voice_sessions`` of ``conversation_seconds``, computed in whole
    microseconds (exact, as those are): the rollups of millions of conversations add them."""
    micros = max(0, (conversation.ended_at - conversation.started_at) // _MICROSECOND)
    billable = max(0, micros - conversation.human_agent_seconds * _MICROS_PER_SECOND)
    billing = _ceil_div(billable, _SESSION_MICROS)
    voice = _ceil_div(micros, _SESSION_MICROS) if conversation.channel == Channel.VOICE else 0
    return billing, voice


def started_minutes(duration_seconds: int) -> int:
    """Calls are metered per started minute: 61 s -> 2 min, 0 s -> 0."""
    return _ceil_div(max(0, duration_seconds), MINUTE_SECONDS)


def agents_on(seats: Iterable[AgentSeat], day: date) -> int:
    """Licensed agents on ``day``: distinct users with a seat active that day."""
    return len({seat.user_id for seat in seats if seat.active_on(day)})


def peak_agents(seats: Iterable[AgentSeat], days: Iterable[date]) -> int:
    """The highest daily agent count over ``days`` (what a week or month bucket shows)."""
    seat_list = list(seats)
    return max((agents_on(seat_list, day) for day in days), default=0)


def agents_in_month(seats: Iterable[AgentSeat], first: date, last: date) -> int:
    """Agents licensed on any day of [first, last]: per-agent charges are not prorated."""
    return len(
        {
            seat.user_id
            for seat in seats
            if seat.started_on <= last and (seat.ended_on is None or seat.ended_on >= first)
        }
    )
