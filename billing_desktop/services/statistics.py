"""Usage Data tab statistics (PRODUCT §8.1): interviews, SMS messages and recorded minutes per
month.

The window is the last ``WINDOW_MONTHS`` (6) calendar months in the account's time zone, ending
with the current month (the month of ``today``, which defaults to today in that zone): the month
the quotas count, so the chart and the Quotas section always agree on "this month", and a
month without records shows as an empty bar rather than moving the window. Month boundaries are
local midnights on the 1st, whatever the UTC offset or a DST change inside the month.

The store counts the records per month in SQL (``Queries.interviews_by_method``, ...): nothing
here loads raw records, which a large workspace has by the hundred thousand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.errors import NO_ACCOUNT, StoreError
from billing_desktop.domain.model import Account, InterviewMethod
from billing_desktop.domain.periods import Month, account_today, local_midnight
from billing_desktop.domain.quotas import Statistic
from billing_desktop.store.ports import BucketCount, UnitOfWork

WINDOW_MONTHS = 6
# SMS types are free text: the biggest ones get a colour each, the rest are summed as "Other".
MAX_SERIES = 6
OTHER_KEY = ""
OTHER_LABEL = "Other types"
ZERO = Decimal(0)

METHOD_LABELS = {
    InterviewMethod.MESSENGER: "Messenger",
    InterviewMethod.PHONE: "Phone",
    InterviewMethod.SMS: "SMS",
    InterviewMethod.LANDING_PAGE: "Landing Page",
}


@dataclass(frozen=True, slots=True)
class CountSeries:
    """One stacked part of every month: an interview method or an SMS type."""

    key: str  # the stored value ("landing_page", "Invitation"); "" for the other types
    label: str  # as shown ("Landing Page")
    values: tuple[int, ...]  # one count per month of the window

    @property
    def total(self) -> int:
        return sum(self.values)


@dataclass(frozen=True, slots=True)
class MonthlyCounts:
    """A statistic per month of the window, split into series."""

    statistic: Statistic
    months: tuple[date, ...]  # first days, oldest first
    series: tuple[CountSeries, ...]
    zone: str

    @property
    def totals(self) -> tuple[int, ...]:
        return tuple(sum(s.values[i] for s in self.series) for i in range(len(self.months)))

    @property
    def total(self) -> int:
        return sum(self.totals)

    @property
    def empty(self) -> bool:
        return self.total == 0


@dataclass(frozen=True, slots=True)
class RecordingStatistics:
    """Recorded minutes per month of the window, of one campaign or all."""

    months: tuple[date, ...]  # first days, oldest first
    minutes: tuple[Decimal, ...]  # exact, one per month
    recordings: tuple[int, ...]  # how many recordings, one per month
    campaign: str | None  # None: every campaign
    campaigns: tuple[str, ...]  # the campaigns with recordings (the filter's choices)
    zone: str

    @property
    def total_minutes(self) -> Decimal:
        return sum(self.minutes, ZERO)

    @property
    def total_recordings(self) -> int:
        return sum(self.recordings)

    @property
    def empty(self) -> bool:
        return self.total_recordings == 0


def account_of(uow: UnitOfWork) -> Account:
    account = uow.account.get()
    if account is None:
        raise StoreError(NO_ACCOUNT)
    return account


def zone_of(account: Account) -> ZoneInfo:
    try:
        return ZoneInfo(account.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def window(today: date, count: int = WINDOW_MONTHS) -> tuple[Month, ...]:
    """The ``count`` months ending with the month of ``today``, oldest first."""
    last = Month.of(today)
    return tuple(last.plus(offset) for offset in range(1 - count, 1))


def month_bounds(months: Sequence[Month], zone: ZoneInfo) -> list[datetime]:
    """The instants delimiting consecutive ``months``: each one's local midnight on the 1st,
    then the end of the last one (``len(months) + 1`` instants)."""
    if not months:
        return []
    return [local_midnight(m.first_day, zone) for m in months] + [
        local_midnight(months[-1].plus(1).first_day, zone)
    ]


def _window(uow: UnitOfWork, today: date | None) -> tuple[tuple[Month, ...], ZoneInfo]:
    account = account_of(uow)
    return window(today or account_today(account)), zone_of(account)


def _per_key(rows: Sequence[BucketCount], months: int) -> dict[str, list[int]]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * months)
    for row in rows:
        if 0 <= row.bucket < months:
            counts[row.key][row.bucket] += row.count
    return dict(counts)


def interview_statistics(uow: UnitOfWork, actor: Actor, today: date | None = None) -> MonthlyCounts:
    """Completed interviews per month of the window, stacked by method: Messenger, Phone, SMS
    and Landing Page always, in that order (zeros included, so colours never move)."""
    actor.rights.require(Area.USAGE_DATA, Level.VIEW, "see interview statistics")
    months, zone = _window(uow, today)
    counts = _per_key(uow.queries.interviews_by_method(month_bounds(months, zone)), len(months))
    series = [
        CountSeries(method.value, label, tuple(counts.pop(method.value, [0] * len(months))))
        for method, label in METHOD_LABELS.items()
    ]
    # Methods the store holds that the product does not know (cannot come from an import).
    for key in sorted(counts):
        series.append(CountSeries(key, key.replace("_", " ").title(), tuple(counts[key])))
    return MonthlyCounts(
        Statistic.INTERVIEWS, tuple(m.first_day for m in months), tuple(series), zone.key
    )


def sms_statistics(uow: UnitOfWork, actor: Actor, today: date | None = None) -> MonthlyCounts:
    """SMS messages per month of the window, stacked by message type: the biggest types over
    the window first (ties by name); beyond ``MAX_SERIES`` series the smallest are summed as
    "Other types"."""
    actor.rights.require(Area.USAGE_DATA, Level.VIEW, "see SMS statistics")
    months, zone = _window(uow, today)
    counts = _per_key(uow.queries.sms_by_type(month_bounds(months, zone)), len(months))
    ranked = sorted(counts.items(), key=lambda item: (-sum(item[1]), item[0].casefold(), item[0]))
    if len(ranked) > MAX_SERIES:
        kept, rest = ranked[: MAX_SERIES - 1], ranked[MAX_SERIES - 1 :]
        other = [sum(values[i] for _key, values in rest) for i in range(len(months))]
        ranked = [*kept, (OTHER_KEY, other)]
    series = tuple(
        CountSeries(key, key if key != OTHER_KEY else OTHER_LABEL, tuple(values))
        for key, values in ranked
    )
    return MonthlyCounts(Statistic.SMS, tuple(m.first_day for m in months), series, zone.key)


def recording_statistics(
    uow: UnitOfWork, actor: Actor, campaign: str | None = None, today: date | None = None
) -> RecordingStatistics:
    """Recorded minutes (exact) and recordings per month of the window, of ``campaign`` or of
    every campaign, with the campaigns to choose from."""
    actor.rights.require(Area.USAGE_DATA, Level.VIEW, "see audio recording statistics")
    months, zone = _window(uow, today)
    rows = uow.queries.recording_minutes(month_bounds(months, zone), campaign or None)
    minutes = [ZERO] * len(months)
    recordings = [0] * len(months)
    for row in rows:
        if 0 <= row.bucket < len(months):
            minutes[row.bucket] += row.minutes
            recordings[row.bucket] += row.recordings
    return RecordingStatistics(
        months=tuple(m.first_day for m in months),
        minutes=tuple(minutes),
        recordings=tuple(recordings),
        campaign=campaign or None,
        campaigns=tuple(uow.queries.recording_campaigns()),
        zone=zone.key,
    )


__all__ = [
    "METHOD_LABELS",
    "WINDOW_MONTHS",
    "CountSeries",
    "MonthlyCounts",
    "RecordingStatistics",
    "interview_statistics",
    "month_bounds",
    "recording_statistics",
    "sms_statistics",
    "window",
]
