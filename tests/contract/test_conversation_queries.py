"""``Queries.conversation_totals`` and ``conversation_page`` (explain a charge's records) on
every implementation: the sessions counted in SQL are domain.sessions' to the unit, at the
edges of a quarter hour, with human time longer than the conversation and with no length."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from billing_desktop.domain import model as m
from billing_desktop.domain.sessions import conversation_sessions
from billing_desktop.store.ports import ConversationTotals, UnitOfWorkFactory
from tests.contract import records as r
from tests.contract.conftest import IMPLEMENTATIONS, open_store

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
VOICE, CHAT = m.Channel.VOICE, m.Channel.CHAT


def _conv(n: int, channel: m.Channel, seconds: float, human: int, start: int = 0) -> m.Conversation:
    begin = T0 + timedelta(minutes=start + n)
    return m.Conversation(
        f"c-{n:02d}", "app-1", channel, begin, begin + timedelta(seconds=seconds), human
    )


# Lengths around the quarter hour (900 s), a microsecond over, human time over the length.
EDGES = [
    _conv(1, VOICE, 900, 0),
    _conv(2, VOICE, 900.000001, 0),
    _conv(3, CHAT, 899.999999, 0),
    _conv(4, CHAT, 1800.5, 900),
    _conv(5, VOICE, 120, 300),
    _conv(6, VOICE, 0, 0),
    _conv(7, CHAT, 3600, 0),
    _conv(8, VOICE, 2700, 1799),
    _conv(10, CHAT, 9000, 3600),  # human time in microseconds is beyond a 32-bit integer
    _conv(9, CHAT, 60, 0, start=60 * 24 * 40),  # outside the range asked
]
START, END = T0, T0 + timedelta(days=30)


@pytest.fixture(scope="module", params=list(IMPLEMENTATIONS))
def filled(request: pytest.FixtureRequest) -> Iterator[UnitOfWorkFactory]:
    opened = open_store(request.param, request)
    with opened.store() as uow:
        r.fill_setup(uow)
        uow.conversations.add_many(EDGES)
        uow.commit()
    try:
        yield opened.store
    finally:
        opened.close()


def _expected(channel: m.Channel | None) -> ConversationTotals:
    chosen = [c for c in EDGES if START <= c.started_at < END and channel in (None, c.channel)]
    sessions = [conversation_sessions(c) for c in chosen]
    return ConversationTotals(
        len(chosen), sum(b for b, _v in sessions), sum(v for _b, v in sessions)
    )


def test_totals_are_the_domain_sessions(filled: UnitOfWorkFactory) -> None:
    with filled() as uow:
        for channel in (None, VOICE, CHAT):
            got = uow.queries.conversation_totals(START, END, channel and channel.value)
            assert got == _expected(channel)
        assert _expected(None) == ConversationTotals(9, 18, 7)  # worked by hand, not only mirrored
        assert uow.queries.conversation_totals(END, END + timedelta(days=1)) == ConversationTotals(
            0, 0, 0
        )


def test_pages_are_by_start_then_id(filled: UnitOfWorkFactory) -> None:
    with filled() as uow:
        everything = uow.queries.conversation_page(START, END, None, 0, 100)
        assert everything == sorted(
            [c for c in EDGES if c.id != "c-09"], key=lambda c: (c.started_at, c.id)
        )
        assert uow.queries.conversation_page(START, END, None, 3, 2) == everything[3:5]
        voice = uow.queries.conversation_page(START, END, VOICE.value, 0, 100)
        assert [c.id for c in voice] == ["c-01", "c-02", "c-05", "c-06", "c-08"]
        assert uow.queries.conversation_page(START, END, None, 9, 10) == []
