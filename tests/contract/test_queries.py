"""The contract of ``ports.Queries`` on every implementation: the call log in every order and
filter, paged and streamed, and the read models of the screens and reports.

Every expectation is computed here from the records, by the rules ports.py states: text by
code point, NULLs first ascending and last descending, ties by id in the same direction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from billing_desktop.domain import model as m
from billing_desktop.domain.errors import StoreError
from billing_desktop.store.ports import (
    CALL_SORT_COLUMNS,
    CallFilter,
    CallOrder,
    CallRecord,
    CallRow,
    CallUsage,
    UnitOfWorkFactory,
)
from billing_desktop.store.sql.repositories import queries
from tests.contract import records as r
from tests.contract.conftest import IMPLEMENTATIONS, open_store

CALLS = r.make_calls(90)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module", params=list(IMPLEMENTATIONS))
def filled(request: pytest.FixtureRequest) -> Iterator[UnitOfWorkFactory]:
    """One store per implementation with every kind of record (the tests only read)."""
    opened = open_store(request.param, request)
    with opened.store() as uow:
        r.fill_setup(uow)
        r.fill_records(uow, CALLS)
        sales = uow.units.add("Sales")
        uow.units.set_members(sales.id, ["ada", "zoë"], ["+15550100"])
        uow.units.add("Ärzte")
        uow.commit()
    try:
        yield opened.store
    finally:
        opened.close()


def _row(call: m.Call) -> CallRow:
    return CallRow(
        call.id,
        call.type.value,
        call.triggered_by.value,
        call.trigger_source,
        call.candidate_id,
        call.campaign,
        call.number,
        call.started_at,
        call.duration_seconds,
    )


def _value(call: m.Call, column: str) -> Any:
    value = getattr(call, column)
    return value.value if hasattr(value, "value") else value


def _expected(calls: Sequence[m.Call], where: CallFilter, order: CallOrder) -> list[CallRow]:
    chosen = [
        c
        for c in calls
        if (where.start is None or c.started_at >= where.start)
        and (where.end is None or c.started_at < where.end)
        and (where.type is None or c.type.value == where.type)
        and (where.campaign is None or c.campaign == where.campaign)
    ]
    chosen.sort(key=lambda c: (r.text_key(_value(c, order.column)), c.id), reverse=order.descending)
    return [_row(c) for c in chosen]


FILTERS = {
    "all": CallFilter(),
    "period": CallFilter(start=r.at(37.25 * 3), end=r.at(37.25 * 20)),
    "from": CallFilter(start=r.at(37.25 * 40)),
    "until": CallFilter(end=r.at(0)),
    "type": CallFilter(type=m.CallType.LIVE.value),
    "campaign": CallFilter(campaign="spring"),
    "empty campaign": CallFilter(campaign=""),
    "everything": CallFilter(r.at(0), r.at(37.25 * 30), m.CallType.AUTOCALL.value, "Spring"),
    "nothing": CallFilter(campaign="no such campaign"),
}


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("column", CALL_SORT_COLUMNS)
def test_the_call_log_in_every_order(
    filled: UnitOfWorkFactory, column: str, descending: bool
) -> None:
    order = CallOrder(column, descending)
    with filled() as uow:
        for name, where in FILTERS.items():
            expected = _expected(CALLS, where, order)
            assert uow.queries.call_count_where(where) == len(expected), name
            assert uow.queries.call_page_where(where, order, 0, 1000) == expected, name
        where = FILTERS["all"]
        expected = _expected(CALLS, where, order)
        for offset, limit in ((0, 7), (7, 7), (85, 10), (89, 1), (90, 5), (500, 5), (3, 0)):
            page = uow.queries.call_page_where(where, order, offset, limit)
            assert page == expected[offset : offset + limit], (offset, limit)
        assert uow.queries.call_page_where(where, order, -5, 3) == expected[:3]


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("column", ["started_at", "duration_seconds"])
def test_a_deep_page_in_an_order_by_steps_is_the_same_from_its_step(
    filled: UnitOfWorkFactory, monkeypatch: pytest.MonkeyPatch, column: str, descending: bool
) -> None:
    """From ``queries.SEEK_FROM`` on, a page in time or duration order is read from the step
    (hour, 4 seconds) it starts in (the step at its offset, and the calls before that step
    counted): here from the first row, at every offset and under every filter, the same page
    as the whole list's."""
    assert set(queries.STEPPED) == {"started_at", "duration_seconds"}
    monkeypatch.setattr(queries, "SEEK_FROM", 0)
    order = CallOrder(column, descending)
    with filled() as uow:
        for name, where in FILTERS.items():
            expected = _expected(CALLS, where, order)
            for offset in range(len(expected) + 2):
                page = uow.queries.call_page_where(where, order, offset, 3)
                assert page == expected[offset : offset + 3], (name, offset)


@pytest.mark.parametrize("column", ["number", "campaign", "started_at"])
def test_the_call_log_streams_in_chunks(filled: UnitOfWorkFactory, column: str) -> None:
    for descending in (False, True):
        order = CallOrder(column, descending)
        for where in (FILTERS["all"], FILTERS["period"], FILTERS["nothing"]):
            with filled() as uow:
                chunks = list(uow.queries.call_chunks(where, order, 8))
            assert all(0 < len(chunk) <= 8 for chunk in chunks)
            streamed = [tuple(record) for chunk in chunks for record in chunk]
            assert streamed == [_record(row) for row in _expected(CALLS, where, order)]


def _record(row: CallRow) -> CallRecord:
    """A call-log row as call_chunks streams it (ports.CallRecord): a plain tuple, the start
    in integer microseconds since the epoch."""
    values = [getattr(row, name) for name in type(row).__slots__]
    values[7] = (row.started_at - EPOCH) // timedelta(microseconds=1)
    return tuple(values)


def test_an_unknown_sort_column_is_refused(filled: UnitOfWorkFactory) -> None:
    with filled() as uow, pytest.raises(StoreError, match="user_id"):
        uow.queries.call_page_where(CallFilter(), CallOrder("user_id"), 0, 10)


def test_call_pages_newest_first(filled: UnitOfWorkFactory) -> None:
    newest_first = _expected(CALLS, CallFilter(), CallOrder("started_at", True))
    with filled() as uow:
        assert uow.queries.call_count() == len(CALLS)
        assert uow.queries.call_page(0, 10) == newest_first[:10]
        assert uow.queries.call_page(85, 10) == newest_first[85:]


def test_call_span_and_campaigns(filled: UnitOfWorkFactory) -> None:
    with filled() as uow:
        span = uow.queries.call_span()
        campaigns = uow.queries.call_campaigns()
    starts = [c.started_at for c in CALLS]
    assert span == (min(starts), max(starts))
    assert span[0] == datetime(1969, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
    assert span[0].tzinfo is not None
    assert campaigns == sorted(set(r.CAMPAIGNS))
    assert campaigns[:4] == ["", "10 Jobs", "9 Jobs", "Spring"]


def test_an_empty_store_has_no_call_span(store: UnitOfWorkFactory) -> None:
    with store() as uow:
        assert uow.queries.call_span() is None
        assert uow.queries.call_campaigns() == []
        assert uow.queries.call_count() == 0
        assert uow.queries.unit_summaries() == []
        assert uow.queries.numbers_count() == 0
        assert uow.queries.call_usage_by_number_and_user(r.at(0), r.at(1)) == []


def test_call_usage_by_number_and_user(filled: UnitOfWorkFactory) -> None:
    start, end = r.at(0), r.at(37.25 * 40)
    groups: dict[tuple[str | None, str | None], list[int]] = {}
    for call in CALLS:
        if start <= call.started_at < end:
            minutes = -(-call.duration_seconds // 60) if call.duration_seconds > 0 else 0
            counts = groups.setdefault((call.number, call.user_id), [0, 0])
            counts[0] += 1
            counts[1] += minutes
    expected = [
        CallUsage(number, user, calls, minutes)
        for (number, user), (calls, minutes) in sorted(groups.items(), key=r.text_key)
    ]
    with filled() as uow:
        usage = uow.queries.call_usage_by_number_and_user(start, end)
    assert usage == expected
    assert usage[0].number is None and usage[0].user_id is None  # NULLs first


def test_alerts_by_user(filled: UnitOfWorkFactory) -> None:
    with filled() as uow:
        assert uow.queries.alerts_by_user(r.at(-10), r.at(60 * 24 * 31)) == {
            "Bob": 1,
            "ada": 1,
            "zoë": 1,
        }
        assert uow.queries.alerts_by_user(r.at(6), r.at(7)) == {"zoë": 1}
        assert uow.queries.alerts_by_user(r.at(7), r.at(8)) == {}


@pytest.mark.parametrize(
    ("first", "last", "agents"),
    [
        (date(2026, 3, 1), date(2026, 3, 1), 3),  # ada, Émile, carl (a one-day seat)
        (date(2026, 3, 2), date(2026, 3, 31), 2),  # ada, Émile
        (date(2026, 1, 1), date(2026, 12, 31), 4),  # zoë's two seats count once
        (date(2025, 1, 1), date(2025, 11, 2), 0),
        (date(2027, 1, 1), date(2027, 1, 31), 2),  # open-ended seats
    ],
)
def test_agents_active_between(
    filled: UnitOfWorkFactory, first: date, last: date, agents: int
) -> None:
    with filled() as uow:
        assert uow.queries.agents_active_between(first, last) == agents


def test_unit_summaries_and_numbers(filled: UnitOfWorkFactory) -> None:
    with filled() as uow:
        summaries = [(s.id, s.name, s.users, s.numbers) for s in uow.queries.unit_summaries()]
        assert summaries == [(1, "Sales", 2, 1), (2, "Ärzte", 0, 0)]
        assert uow.queries.numbers_count() == len(r.NUMBERS)


# --- Usage Data statistics --------------------------------------------------------------------

BOUNDS = [r.at(-60 * 24 * 500), r.at(0), r.at(2.5), r.at(60 * 24 * 30), r.at(60 * 24 * 60)]


def _bucket(instant: datetime, bounds: Sequence[datetime]) -> int | None:
    for index in range(len(bounds) - 1):
        if bounds[index] <= instant < bounds[index + 1]:
            return index
    return None


def _counts(pairs: Sequence[tuple[datetime, str]], bounds: Sequence[datetime]) -> list[Any]:
    counted = Counter(
        (index, key) for instant, key in pairs if (index := _bucket(instant, bounds)) is not None
    )
    return sorted(counted.items())


def test_interviews_and_sms_per_range(filled: UnitOfWorkFactory) -> None:
    with filled() as uow:
        interviews = uow.queries.interviews_by_method(BOUNDS)
        sms = uow.queries.sms_by_type(BOUNDS)
        narrow = uow.queries.sms_by_type([r.at(1), r.at(2)])
    want = _counts([(i.completed_at, i.method.value) for i in r.INTERVIEWS], BOUNDS)
    assert [((b.bucket, b.key), b.count) for b in interviews] == want
    want = _counts([(s.sent_at, s.type) for s in r.SMS], BOUNDS)
    assert [((b.bucket, b.key), b.count) for b in sms] == want
    assert [(b.bucket, b.key, b.count) for b in narrow] == [(0, "reminder", 1)]


def test_recording_minutes_per_range(filled: UnitOfWorkFactory) -> None:
    with filled() as uow:
        everything = uow.queries.recording_minutes(BOUNDS)
        zeta = uow.queries.recording_minutes(BOUNDS, "zeta")
        campaigns = uow.queries.recording_campaigns()
    assert [(b.bucket, b.recordings, b.minutes) for b in everything] == [
        (2, 4, Decimal("12345780.473457")),
    ]
    assert [(b.bucket, b.recordings, b.minutes) for b in zeta] == [
        (2, 2, Decimal("12345778.123456")),
    ]
    assert campaigns == ["Spring", "spring", "zeta"]


def test_statistics_need_a_range(filled: UnitOfWorkFactory) -> None:
    with filled() as uow, pytest.raises(StoreError):
        uow.queries.sms_by_type([r.at(0)])


def test_calls_at_the_same_instant_are_ordered_by_id(store: UnitOfWorkFactory) -> None:
    same = datetime(2026, 7, 1, tzinfo=UTC) + timedelta(microseconds=1)
    calls = [replace(c, started_at=same) for c in r.CALLS[:12]]
    with store() as uow:
        r.fill_setup(uow)
        uow.calls.add_many(calls)
        uow.commit()
    with store() as uow:
        rows = uow.queries.call_page_where(CallFilter(), CallOrder(), 0, 100)
    assert [row.id for row in rows] == sorted((c.id for c in calls), reverse=True)
