"""Usage Data tab services (PRODUCT §8.1): the call log — sorted, filtered and paged in SQL —
and its formula-safe CSV export, streamed in constant memory.

A call's cost is its started minutes (61 s -> 2) times the unit price of the product that
meters calls by ``sum``, at list price (before free units, credits, tiers and commits); without
such a product the cost column is empty.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from pathlib import Path

from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.errors import BillingError
from billing_desktop.domain.model import Metering, Source
from billing_desktop.domain.money import round_money
from billing_desktop.reports.csv_export import stream_csv
from billing_desktop.services.overview import account_zone
from billing_desktop.store.ports import CallFilter, CallOrder, CallRow, UnitOfWork

EXPORT_CHUNK = 10_000

# Sort keys offered by the call log: the column shown -> the store column ordered by. Cost and
# duration order by the call's seconds: started minutes (and so the list-price cost) never go
# down as the seconds go up, and the index-free sort stays a single SQL ORDER BY.
SORT_KEYS = {
    "id": "id",
    "type": "type",
    "triggered_by": "triggered_by",
    "trigger_source": "trigger_source",
    "candidate_id": "candidate_id",
    "campaign": "campaign",
    "number": "number",
    "started_at": "started_at",
    "minutes": "duration_seconds",
    "cost": "duration_seconds",
}

HEADER = (
    "Call ID",
    "Type",
    "Triggered by",
    "Trigger source",
    "Candidate ID",
    "Campaign",
    "Number",
    "Started at",
    "Duration (minutes)",
    "Cost",
)


class ExportCancelled(BillingError):
    """The user cancelled an export; nothing was written."""


@dataclass(frozen=True, slots=True)
class CallQuery:
    """The call log as the user asked for it: local days ``first``..``last`` (inclusive, in
    the account's time zone), optional type and campaign, and the order."""

    first: date | None = None
    last: date | None = None
    type: str | None = None
    campaign: str | None = None
    sort: str = "started_at"
    descending: bool = True

    def __post_init__(self) -> None:
        if self.sort not in SORT_KEYS:
            raise BillingError(f"the call log cannot be sorted by '{self.sort}'")
        if self.first is not None and self.last is not None and self.last < self.first:
            raise BillingError(f"the range ends ({self.last}) before it starts ({self.first})")


@dataclass(frozen=True, slots=True)
class CallLine:
    """One call of the log, start time in the account's zone, with minutes and cost."""

    call: CallRow
    minutes: int
    cost: Decimal | None


@dataclass(frozen=True, slots=True)
class CallLogStart:
    """What the tab needs to open: the count, the first page, the choices, price and zone."""

    total: int
    rows: list[CallLine]
    span: tuple[date, date] | None
    campaigns: list[str]
    unit_price: Decimal | None
    currency: str | None
    zone: str


def started_minutes(seconds: int) -> int:
    """Calls are metered per started minute: 61 s -> 2, 0 s -> 0."""
    return 0 if seconds <= 0 else (seconds + 59) // 60


def call_unit_price(uow: UnitOfWork) -> Decimal | None:
    """The list unit price of the product metering calls by ``sum`` (None without one)."""
    for product in uow.products.all():
        if product.source == Source.CALLS and product.metering == Metering.SUM:
            return product.unit_price
    return None


def _require(actor: Actor) -> None:
    actor.rights.require(Area.USAGE_DATA, Level.VIEW, "see the call log")


def local_day_start(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(), zone)


def store_filter(query: CallQuery, zone: tzinfo) -> CallFilter:
    start = None if query.first is None else local_day_start(query.first, zone)
    end = None if query.last is None else local_day_start(query.last + timedelta(days=1), zone)
    return CallFilter(start=start, end=end, type=query.type, campaign=query.campaign)


def store_order(query: CallQuery) -> CallOrder:
    return CallOrder(SORT_KEYS[query.sort], query.descending)


def call_cost(minutes: int, unit_price: Decimal | None, currency: str) -> Decimal | None:
    """Started minutes at list price, rounded half-up to the currency's minor unit."""
    return None if unit_price is None else round_money(minutes * unit_price, currency)


def _currency(uow: UnitOfWork) -> str:
    account = uow.account.get()
    return "USD" if account is None else account.currency


def _line(row: CallRow, zone: tzinfo, unit_price: Decimal | None, currency: str) -> CallLine:
    minutes = started_minutes(row.duration_seconds)
    local = dataclasses.replace(row, started_at=row.started_at.astimezone(zone))
    return CallLine(local, minutes, call_cost(minutes, unit_price, currency))


def call_log_count(uow: UnitOfWork, actor: Actor, query: CallQuery) -> int:
    _require(actor)
    zone = account_zone(uow.account.get())
    return uow.queries.call_count_where(store_filter(query, zone))


def call_log_page(
    uow: UnitOfWork,
    actor: Actor,
    query: CallQuery,
    offset: int,
    limit: int,
    total: int | None = None,
) -> list[CallLine]:
    """``limit`` calls from ``offset``. Given the ``total``, a page in the second half is read
    in the opposite order from the other end, so the last page is as quick as the first."""
    _require(actor)
    zone = account_zone(uow.account.get())
    where, order = store_filter(query, zone), store_order(query)
    offset, limit = max(offset, 0), max(limit, 0)
    if total is not None and offset > total // 2:
        limit = max(min(limit, total - offset), 0)
        reverse = dataclasses.replace(order, descending=not order.descending)
        rows = uow.queries.call_page_where(where, reverse, total - offset - limit, limit)
        rows.reverse()
    else:
        rows = uow.queries.call_page_where(where, order, offset, limit)
    price, currency = call_unit_price(uow), _currency(uow)
    return [_line(row, zone, price, currency) for row in rows]


def call_log_start(uow: UnitOfWork, actor: Actor, query: CallQuery, limit: int) -> CallLogStart:
    """The count, first page, date span (local days), campaigns and price, in one read."""
    _require(actor)
    account = uow.account.get()
    zone = account_zone(account)
    span = uow.queries.call_span()
    days = (
        None if span is None else (span[0].astimezone(zone).date(), span[1].astimezone(zone).date())
    )
    return CallLogStart(
        total=call_log_count(uow, actor, query),
        rows=call_log_page(uow, actor, query, 0, limit),
        span=days,
        campaigns=uow.queries.call_campaigns(),
        unit_price=call_unit_price(uow),
        currency=None if account is None else account.currency,
        zone=str(getattr(zone, "key", zone)),
    )


def csv_chunks(
    uow: UnitOfWork, actor: Actor, query: CallQuery
) -> Iterator[list[tuple[object, ...]]]:
    """The export's rows (the columns of :data:`HEADER`), chunk by chunk from the store."""
    _require(actor)
    zone = account_zone(uow.account.get())
    price, currency = call_unit_price(uow), _currency(uow)
    where, order = store_filter(query, zone), store_order(query)
    offsets: dict[int, tuple[timedelta, str]] = {}  # UTC hour -> the zone's offset then

    def stamp(instant: datetime) -> str:
        hour = int(instant.timestamp()) // 3600
        known = offsets.get(hour)
        if known is None:
            local = instant.astimezone(zone)
            known = offsets[hour] = (local.utcoffset() or timedelta(), local.isoformat()[-6:])
        naive = instant.replace(tzinfo=None) + known[0]
        return naive.isoformat(timespec="seconds") + known[1]

    costs: dict[int, Decimal | None] = {}
    for chunk in uow.queries.call_chunks(where, order, EXPORT_CHUNK):
        out: list[tuple[object, ...]] = []
        for row in chunk:
            minutes = started_minutes(row.duration_seconds)
            cost = costs.get(minutes)
            if cost is None:
                cost = costs[minutes] = call_cost(minutes, price, currency)
            out.append(
                (
                    row.id,
                    row.type,
                    row.triggered_by,
                    row.trigger_source,
                    row.candidate_id,
                    row.campaign,
                    row.number,
                    stamp(row.started_at),
                    minutes,
                    cost,
                )
            )
        yield out


def export_call_log(
    uow: UnitOfWork,
    actor: Actor,
    query: CallQuery,
    path: Path,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int:
    """Write the call log of ``query`` to ``path`` as formula-safe CSV; returns the rows.

    ``progress(done, total)`` is called after each chunk; when ``cancelled()`` turns true the
    export stops, the partial file is removed and :class:`ExportCancelled` is raised.
    """
    _require(actor)
    total = call_log_count(uow, actor, query)

    def report(done: int) -> None:
        if progress is not None:
            progress(done, total)

    def stop() -> bool:
        return cancelled is not None and cancelled()

    written = stream_csv(path, HEADER, csv_chunks(uow, actor, query), report, stop)
    if written is None:
        raise ExportCancelled("the export was cancelled; nothing was written")
    return written
