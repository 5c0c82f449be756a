"""Billing months in the account's time zone, the peak-day window, commit schedules.

A billing month is a calendar month in the account's time zone (PRODUCT §3): it starts at local
midnight on the 1st, whatever the UTC offset or a DST change inside it.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.model import Account, Frequency

_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
FREQUENCY_MONTHS = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.YEARLY: 12}
PEAK_DAY_WINDOW_START = 28  # storage is billed for the peak day from the 28th to the 27th


@dataclass(frozen=True, slots=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        match = _MONTH.fullmatch(text.strip())
        if not match:
            raise InvalidInput(f"'{text}' is not a month (YYYY-MM)")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def plus(self, months: int) -> Month:
        index = self.year * 12 + (self.month - 1) + months
        return Month(index // 12, index % 12 + 1)

    def minus(self, other: Month) -> int:
        """Whole months from ``other`` to ``self``."""
        return (self.year - other.year) * 12 + (self.month - other.month)

    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=n) for n in range(self.last_day.day)]

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) of the month as aware instants: local midnight on the 1st to the next."""
        return local_midnight(self.first_day, zone), local_midnight(self.plus(1).first_day, zone)

    def peak_day_window(self) -> tuple[date, date]:
        """Storage's billing window: the 28th of the previous month to the 27th of this one."""
        previous = self.plus(-1)
        return (
            date(previous.year, previous.month, PEAK_DAY_WINDOW_START),
            date(self.year, self.month, PEAK_DAY_WINDOW_START - 1),
        )


def peak_day_month(day: date) -> Month:
    """The month whose peak-day window (the 28th to the 27th) holds ``day``."""
    month = Month.of(day)
    return month.plus(1) if day.day >= PEAK_DAY_WINDOW_START else month


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def local_day(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (Jan 31 + 1 → Feb 28/29)."""
    target = Month.of(day).plus(months)
    return date(target.year, target.month, min(day.day, target.last_day.day))


@dataclass(frozen=True, slots=True)
class CommitPeriod:
    """One period of a commit: recharged on ``recharged_on``, next recharge on ``next_on``."""

    recharged_on: date
    next_on: date

    @property
    def first_month(self) -> Month:
        return Month.of(self.recharged_on)

    @property
    def last_month(self) -> Month:
        """The last billing month whose usage this period's credit pays for (the month of the
        next recharge already draws from the next period)."""
        return Month.of(self.next_on).plus(-1)


def commit_period_for(started_on: date, frequency: Frequency, month: Month) -> CommitPeriod | None:
    """The commit period whose credit pays for ``month``'s usage, or None before the commit.

    Usage is rated per calendar month, commits recharge on anniversaries of ``started_on``:
    a month draws from the period of the latest recharge on or before the month's last day
    (a commit started on the 15th pays for that whole month).
    """
    if month.last_day < started_on:
        return None
    step = FREQUENCY_MONTHS[frequency]
    periods = Month.of(month.last_day).minus(Month.of(started_on)) // step
    recharged_on = add_months(started_on, periods * step)
    if recharged_on > month.last_day:  # only when the anniversary day is past this month's end
        periods -= 1
        recharged_on = add_months(started_on, periods * step)
    return CommitPeriod(recharged_on, add_months(started_on, (periods + 1) * step))


def account_zone(account: Account) -> ZoneInfo:
    """The account's time zone (billing months, ledger days); one clear error when the zone
    database here does not know it."""
    try:
        return ZoneInfo(account.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"the account's time zone '{account.timezone}' is not known on this machine; "
            "import the account again with an IANA zone name such as Europe/Berlin"
        ) from None


def account_today(account: Account, now: datetime | None = None) -> date:
    """Today in the account's time zone (ledger rows are dated by the account's calendar)."""
    return (now or datetime.now(UTC)).astimezone(account_zone(account)).date()
