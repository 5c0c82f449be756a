from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.model import Frequency
from billing_desktop.domain.periods import Month, add_months, commit_period_for


def test_months_parse_and_step() -> None:
    assert str(Month.parse("2026-01").plus(-1)) == "2025-12"
    assert Month.parse("2026-02").last_day == date(2026, 2, 28)
    assert Month.parse("2026-12").minus(Month.parse("2025-12")) == 12
    for bad in ("2026-13", "26-01", "2026-1", "x"):
        with pytest.raises(InvalidInput):
            Month.parse(bad)


def test_a_billing_month_follows_the_account_time_zone_across_dst() -> None:
    new_york = ZoneInfo("America/New_York")
    start, end = Month.parse("2026-11").bounds(new_york)
    # 1 November 00:00 EDT (UTC-4) to 1 December 00:00 EST (UTC-5): DST ends inside the month
    assert start.astimezone(UTC) == datetime(2026, 11, 1, 4, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2026, 12, 1, 5, tzinfo=UTC)
    # (compared in UTC: Python subtracts datetimes of one zone by wall clock)
    assert (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() == 30 * 86400 + 3600
    tokyo_start, _ = Month.parse("2026-11").bounds(ZoneInfo("Asia/Tokyo"))
    assert tokyo_start.astimezone(UTC) == datetime(2026, 10, 31, 15, tzinfo=UTC)


def test_peak_day_window_runs_from_the_28th_to_the_27th() -> None:
    assert Month.parse("2026-03").peak_day_window() == (date(2026, 2, 28), date(2026, 3, 27))
    assert Month.parse("2026-01").peak_day_window() == (date(2025, 12, 28), date(2026, 1, 27))


@pytest.mark.parametrize(
    ("frequency", "month", "recharged", "next_on"),
    [
        (Frequency.MONTHLY, "2026-03", date(2026, 3, 15), date(2026, 4, 15)),
        (Frequency.QUARTERLY, "2026-03", date(2026, 1, 15), date(2026, 4, 15)),
        (Frequency.QUARTERLY, "2026-04", date(2026, 4, 15), date(2026, 7, 15)),
        (Frequency.YEARLY, "2026-12", date(2026, 1, 15), date(2027, 1, 15)),
    ],
)
def test_commit_periods_recharge_on_anniversaries(
    frequency: Frequency, month: str, recharged: date, next_on: date
) -> None:
    period = commit_period_for(date(2026, 1, 15), frequency, Month.parse(month))
    assert period is not None
    assert (period.recharged_on, period.next_on) == (recharged, next_on)


def test_no_commit_before_it_starts_and_month_ends_clamp() -> None:
    assert commit_period_for(date(2026, 3, 1), Frequency.MONTHLY, Month.parse("2026-02")) is None
    period = commit_period_for(date(2026, 1, 31), Frequency.MONTHLY, Month.parse("2026-02"))
    assert period is not None and period.recharged_on == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
    st.sampled_from(list(Frequency)),
    st.integers(0, 60),
)
def test_every_month_from_the_start_maps_to_exactly_one_period(
    started_on: date, frequency: Frequency, offset: int
) -> None:
    month = Month.of(started_on).plus(offset)
    period = commit_period_for(started_on, frequency, month)
    assert period is not None
    assert period.recharged_on <= month.last_day < period.next_on or (
        Month.of(period.next_on) > month
    )
    assert period.first_month <= month <= period.last_month
