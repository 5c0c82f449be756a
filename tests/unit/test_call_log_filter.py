"""The call log's store filter: a date bound that leaves no call out is not sent to SQL (so the
sort can walk its own index), and one that does is kept."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from billing_desktop.services.usage_data import CallQuery, store_filter

ZONE = ZoneInfo("America/New_York")
SPAN = (datetime(2026, 9, 1, 11, tzinfo=UTC), datetime(2026, 11, 22, 1, 59, tzinfo=UTC))


def test_bounds_covering_every_call_are_dropped() -> None:
    whole = CallQuery(first=date(2026, 9, 1), last=date(2026, 11, 21), type="live")
    where = store_filter(whole, ZONE, SPAN)
    assert (where.start, where.end, where.type) == (None, None, "live")
    assert store_filter(whole, ZONE).start is not None  # without the span nothing is dropped


def test_bounds_that_leave_calls_out_are_kept() -> None:
    where = store_filter(CallQuery(first=date(2026, 9, 2), last=date(2026, 11, 20)), ZONE, SPAN)
    assert where.start == datetime(2026, 9, 2, tzinfo=ZONE)
    assert where.end == datetime(2026, 11, 21, tzinfo=ZONE)
    # The last call started 2026-11-21 20:59 in New York: a range ending that day keeps it.
    tail = store_filter(CallQuery(first=date(2026, 10, 1), last=date(2026, 11, 21)), ZONE, SPAN)
    assert tail.start == datetime(2026, 10, 1, tzinfo=ZONE) and tail.end is None
