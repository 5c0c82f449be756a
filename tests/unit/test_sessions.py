"""Sessions and agent counts (PRODUCT §4.1): the domain rules, and the bucketing helpers of
``services/sessions.py`` (daily agents in one pass, local hours across DST, bucket starts)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing_desktop.domain import model as m
from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.sessions import (
    agents_in_month,
    agents_on,
    billable_seconds,
    billing_sessions,
    conversation_seconds,
    conversation_sessions,
    peak_agents,
    started_minutes,
    voice_sessions,
)
from billing_desktop.services.sessions import (
    bucket_start,
    check_range,
    daily_agents,
    local_hours,
)

NEW_YORK = ZoneInfo("America/New_York")
START = datetime(2026, 10, 5, 13, tzinfo=UTC)


def _conversation(
    seconds: float, human: int = 0, channel: m.Channel = m.Channel.CHAT
) -> m.Conversation:
    return m.Conversation("cv", "bot", channel, START, START + timedelta(seconds=seconds), human)


# --- billing, voice and alert sessions ---------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "human", "sessions"),
    [
        (31 * 60, 0, 3),  # 31 min -> 3
        (30 * 60, 0, 2),  # exactly 30:00 -> 2
        (30 * 60 + 1, 0, 3),  # 30:01 -> 3
        (600, 600, 0),  # all with a human agent: 0 billable seconds -> 0
        (0, 0, 0),
        (1, 0, 1),
        (900, 0, 1),
        (30 * 60, 10 * 60, 2),  # 20 min billable
        (30 * 60, 15 * 60 - 1, 2),  # 15:01 billable
    ],
)
def test_billing_sessions_are_started_quarter_hours_of_billable_time(
    seconds: int, human: int, sessions: int
) -> None:
    assert billing_sessions(seconds, human) == sessions
    assert conversation_sessions(_conversation(seconds, human)) == (sessions, 0)


def test_a_voice_conversation_counts_ai_and_human_time_for_voice_sessions() -> None:
    """20 minutes with the AI agent and 10 with a human: 2 billing and 2 voice sessions."""
    voice = _conversation(30 * 60, 10 * 60, m.Channel.VOICE)
    assert conversation_sessions(voice) == (2, 2)
    assert conversation_sessions(_conversation(30 * 60 + 1, 30 * 60 + 1, m.Channel.VOICE)) == (0, 3)
    assert voice_sessions(0) == 0 and voice_sessions(-5) == 0


def test_a_part_second_is_part_of_the_conversation() -> None:
    """Issue 14.5: 30:00.5 has started a third quarter-hour (sub-second precision kept)."""
    assert conversation_seconds(_conversation(900.999)) == Decimal("900.999")
    assert conversation_sessions(_conversation(900.999)) == (2, 0)
    assert conversation_sessions(_conversation(1800.5, 0, m.Channel.VOICE)) == (3, 3)
    assert conversation_sessions(_conversation(1800, 0, m.Channel.VOICE)) == (2, 2)
    assert conversation_sessions(_conversation(900.000001)) == (2, 0)


def test_billable_seconds_never_go_below_zero() -> None:
    assert billable_seconds(60, 120) == 0
    assert billing_sessions(60, 120) == 0


@given(
    st.integers(-(10**7), 10**11),
    st.integers(-5, 10**6),
    st.sampled_from([m.Channel.CHAT, m.Channel.VOICE]),
)
def test_conversation_sessions_are_the_sessions_of_its_exact_seconds(
    micros: int, human: int, channel: m.Channel
) -> None:
    # conversation_sessions counts in whole microseconds; the definitions count in Decimal
    # seconds: the same sessions for any length (negative too), human time and channel.
    conversation = m.Conversation(
        "cv", "bot", channel, START, START + timedelta(microseconds=micros), human
    )
    seconds = conversation_seconds(conversation)
    voice = voice_sessions(seconds) if channel == m.Channel.VOICE else 0
    assert conversation_sessions(conversation) == (billing_sessions(seconds, human), voice)


@given(st.integers(0, 10**7), st.integers(0, 10**7))
def test_sessions_cover_the_billable_time_with_less_than_one_to_spare(
    seconds: int, human: int
) -> None:
    billable = max(0, seconds - human)
    sessions = billing_sessions(seconds, human)
    assert sessions * 900 >= billable > (sessions - 1) * 900 or sessions == billable == 0


@pytest.mark.parametrize(("seconds", "minutes"), [(61, 2), (60, 1), (1, 1), (0, 0), (3600, 60)])
def test_calls_are_metered_per_started_minute(seconds: int, minutes: int) -> None:
    assert started_minutes(seconds) == minutes


# --- agents ----------------------------------------------------------------------------------

SEATS = [
    m.AgentSeat("u1", date(2026, 1, 1)),
    m.AgentSeat("u2", date(2026, 10, 7), date(2026, 10, 8)),
    m.AgentSeat("u3", date(2026, 10, 8)),
    # A second seat of u1 overlapping the first: still one agent.
    m.AgentSeat("u1", date(2026, 10, 6), date(2026, 10, 9)),
    m.AgentSeat("u4", date(2026, 9, 1), date(2026, 9, 30)),
]


def test_agents_per_day_and_the_peak_of_a_week() -> None:
    week = [date(2026, 10, 5) + timedelta(days=n) for n in range(7)]
    assert [agents_on(SEATS, day) for day in week] == [1, 1, 2, 3, 2, 2, 2]
    assert peak_agents(SEATS, week) == 3
    assert peak_agents(SEATS, []) == 0
    # Per-agent charges count every agent licensed on any day of the month.
    assert agents_in_month(SEATS, date(2026, 9, 1), date(2026, 9, 30)) == 2
    assert agents_in_month(SEATS, date(2026, 10, 1), date(2026, 10, 31)) == 3


def test_daily_agents_in_one_pass() -> None:
    first, last = date(2026, 9, 29), date(2026, 10, 11)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    assert daily_agents(SEATS, first, last) == [agents_on(SEATS, day) for day in days]
    assert daily_agents([], first, first) == [0]


_days = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 3, 31))


@st.composite
def _seats(draw: st.DrawFn) -> m.AgentSeat:
    user = draw(st.sampled_from(["u1", "u2", "u3", "u4"]))
    start = draw(_days)
    end = draw(st.none() | _days.filter(lambda day: day >= start))
    return m.AgentSeat(user, start, end)


@given(st.lists(_seats(), max_size=12), _days, st.integers(0, 60))
def test_daily_agents_is_agents_on_for_every_day(
    seats: list[m.AgentSeat], first: date, length: int
) -> None:
    last = first + timedelta(days=length)
    days = [first + timedelta(days=n) for n in range(length + 1)]
    assert daily_agents(seats, first, last) == [agents_on(seats, day) for day in days]


# --- buckets ---------------------------------------------------------------------------------


def test_local_hours_on_ordinary_and_dst_days() -> None:
    ordinary = local_hours(date(2026, 10, 5), NEW_YORK)
    assert len(ordinary) == 24 and ordinary[9].isoformat() == "2026-10-05T09:00:00-04:00"
    autumn = local_hours(date(2026, 11, 1), NEW_YORK)  # 25 real hours, 24 local hours
    assert [h.isoformat() for h in autumn[1:3]] == [
        "2026-11-01T01:00:00-04:00",
        "2026-11-01T02:00:00-05:00",
    ]
    spring = local_hours(date(2026, 3, 8), NEW_YORK)  # 02:00 does not exist
    assert len(spring) == 23 and [h.hour for h in spring[:3]] == [0, 1, 3]
    assert len(local_hours(date(2026, 3, 29), ZoneInfo("UTC"))) == 24


@pytest.mark.parametrize(
    ("zone", "day", "hour", "first_wall_time"),
    [
        # Issue 14.6: clocks that jump by part of an hour keep the rest of it as a bucket.
        ("Pacific/Chatham", date(2026, 9, 27), 3, "03:45"),  # 02:45 -> 03:45
        ("Australia/Lord_Howe", date(2026, 10, 4), 2, "02:30"),  # 02:00 -> 02:30
        ("Australia/Lord_Howe", date(2026, 4, 5), 1, "01:00"),  # 02:00 -> 01:30 (repeated)
    ],
)
def test_a_partly_skipped_hour_is_still_a_bucket(
    zone: str, day: date, hour: int, first_wall_time: str
) -> None:
    hours = local_hours(day, ZoneInfo(zone))
    assert [h.hour for h in hours] == list(range(24))  # every hour the clock shows that day
    assert hours[hour].strftime("%H:%M") == first_wall_time
    assert all(h.date() == day for h in hours)


@pytest.mark.parametrize(
    ("day", "bucket", "start"),
    [
        (date(2026, 10, 7), "week", date(2026, 10, 5)),  # Wednesday -> Monday
        (date(2026, 10, 5), "week", date(2026, 10, 5)),
        (date(2026, 10, 11), "week", date(2026, 10, 5)),  # Sunday ends the ISO week
        (date(2026, 1, 1), "week", date(2025, 12, 29)),
        (date(2026, 10, 31), "month", date(2026, 10, 1)),
        (date(2026, 10, 31), "day", date(2026, 10, 31)),
    ],
)
def test_bucket_starts(day: date, bucket: str, start: date) -> None:
    assert bucket_start(day, bucket) == start


def test_ranges_are_ordered_and_at_most_three_years() -> None:
    check_range(date(2026, 10, 5), date(2026, 10, 5))
    check_range(date(2023, 10, 6), date(2026, 10, 5))
    with pytest.raises(InvalidInput, match="is after --to"):
        check_range(date(2026, 10, 6), date(2026, 10, 5))
    with pytest.raises(InvalidInput, match="longer than 3 years"):
        check_range(date(2023, 10, 5), date(2026, 10, 5))
