"""Writing raw usage records: the one way records of a rolled-up kind get into a store.

Imports and the demo both write through ``add_records``, which stores a batch of records and
adds the hourly rollup deltas they make (``domain.metering.rollup_deltas``) in the same unit of
work. Both land in one transaction or neither does, so the rollups the Usage tab and the
dashboard read (PERFORMANCE.md B2) never drift from the raw records.

Rollups are kept per local day and hour in the account's time zone, so records need the account
first. A closed month cannot change (PRODUCT §4.5): ``ClosedPeriods`` tells which records would
fall in one, so an import can refuse them line by line; ``add_records`` refuses them too, as the
last guard.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.metering import Slot, rollup_deltas, slotted_rollup_deltas
from billing_desktop.domain.model import (
    AgentSeat,
    Alert,
    Call,
    Conversation,
    Interview,
    Recording,
    Sms,
)
from billing_desktop.domain.periods import Month
from billing_desktop.store.ports import UnitOfWork

# Record kinds (the unit of work's collection names) that feed the hourly rollups. Storage
# snapshots and agent seats are read directly from their own tables.
ROLLUP_KINDS: tuple[str, ...] = (
    "conversations",
    "alerts",
    "calls",
    "sms",
    "interviews",
    "recordings",
)

UsageRecord = Conversation | Alert | Call | Sms | Interview | Recording

NEEDS_ACCOUNT = "import the account first: usage is rolled up by the account's time zone"


def late_record_message(month: Month) -> str:
    return f"{month} is closed; late records for a closed month are reported, not merged"


def rollup_zone(uow: UnitOfWork) -> ZoneInfo:
    """The account's time zone, which decides the local day and hour of every record."""
    account = uow.account.get()
    if account is None:
        raise InvalidInput(f"the store has no account yet; {NEEDS_ACCOUNT}")
    return ZoneInfo(account.timezone)


def add_records(
    uow: UnitOfWork,
    kind: str,
    records: Sequence[UsageRecord],
    slots: Sequence[Slot] | None = None,
) -> None:
    """Store ``records`` of ``kind`` and add their rollup deltas, in ``uow``'s transaction.

    ``slots`` (optional): the local (day, hour) of each record, when the caller knows them
    (the demo does); by default they are taken from each record's instant in the account's
    time zone.

    Raises InvalidInput when the store has no account or a record falls in a closed month
    (nothing of the batch is written then).
    """
    if kind not in ROLLUP_KINDS:
        raise ValueError(f"'{kind}' records are not rolled up (one of: {', '.join(ROLLUP_KINDS)})")
    if not records:
        return
    if slots is None:
        deltas = rollup_deltas(records, rollup_zone(uow))
    else:
        deltas = slotted_rollup_deltas(records, slots)
    closed = {Month.of(c.month) for c in uow.closing.all()}
    if closed:
        # Every record adds at least its count measure, so the deltas' days are all its days.
        late = sorted({Month.of(day) for day, _hour, _app, _measure in deltas} & closed)
        if late:
            raise InvalidInput(late_record_message(late[0]))
    getattr(uow, kind).add_many(records)
    uow.rollups.add(deltas)


@dataclass(frozen=True, slots=True)
class ClosedPeriods:
    """The closed months of a store, to find records that would change one.

    A record timed by an instant belongs to the month of its local day (the rollups' day); a
    storage snapshot changes its calendar month (``sum`` metering) and the month whose peak-day
    window (28th to 27th) holds it; an agent seat changes every month it overlaps.
    """

    months: tuple[Month, ...] = ()  # ascending
    # [start, end) of each closed month as UTC instants, in the account's time zone.
    spans: tuple[tuple[datetime, datetime, Month], ...] = ()

    @classmethod
    def of(cls, uow: UnitOfWork, zone: ZoneInfo | None) -> ClosedPeriods:
        months = tuple(sorted(Month.of(c.month) for c in uow.closing.all()))
        spans = () if zone is None else tuple((*month.bounds(zone), month) for month in months)
        return cls(months, spans)

    def __bool__(self) -> bool:
        return bool(self.months)

    def month_of_instant(self, instant: datetime) -> Month | None:
        for start, end, month in self.spans:
            if start <= instant < end:
                return month
        return None

    def month_of_storage_day(self, day: date) -> Month | None:
        calendar = Month.of(day)
        if calendar in self.months:
            return calendar
        following = calendar.plus(1)
        window_start, _window_end = following.peak_day_window()
        if following in self.months and day >= window_start:
            return following
        return None

    def month_of_seat(self, seat: AgentSeat) -> Month | None:
        """The first closed month the seat is licensed in on at least one day."""
        for month in self.months:
            if seat.started_on <= month.last_day and (
                seat.ended_on is None or seat.ended_on >= month.first_day
            ):
                return month
        return None
