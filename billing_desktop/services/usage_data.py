"""Usage Data tab services (PRODUCT §8.1): the call log — sorted, filtered and paged in SQL —
and its formula-safe CSV export, streamed in constant memory: from a store that offers the
calls as Arrow batches (SQLite) through ``call_log_arrow``, else through :func:`csv_chunks`
(PostgreSQL, the remote store), which writes the same bytes.

A call's cost is its started minutes (61 s -> 2) times the unit price of the product that
meters calls by ``sum``, at list price (before free units, credits, tiers and commits); without
such a product the cost column is empty.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Generic, TypeVar

from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.errors import BillingError
from billing_desktop.domain.model import Metering, Source
from billing_desktop.domain.money import round_money
from billing_desktop.exports.csv_export import (
    RISKY_FIRST,
    csv_cell,
    csv_text,
    inside_may_run,
    safe_cell,
    stream_csv_bytes,
    stream_csv_text,
)
from billing_desktop.exports.tables import is_xlsx, money_format
from billing_desktop.services.overview import account_zone
from billing_desktop.services.task_state import Cancelled, TaskState
from billing_desktop.store.ports import (
    CallBatches,
    CallFilter,
    CallOrder,
    CallRecord,
    CallRow,
    UnitOfWork,
)

EXPORT_CHUNK = 10_000
# Rows per Arrow record batch of the export from a store that offers them (call_log_arrow).
ARROW_BATCH_ROWS = 16_384
# Whether a CSV export takes the Arrow path where the store offers it (tests compare the two).
ARROW_EXPORT = True
TAILS_AHEAD = 6 * 3600  # the export works out minutes and cost for durations up to this early

K = TypeVar("K")
V = TypeVar("V")

# Sort keys offered by the call log: the column shown -> the store column ordered by. Cost and
# duration order by the call's seconds: started minutes (and so the list-price cost) never go
# down as the seconds go up, so the sort is one SQL ORDER BY over the duration index.
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


class ExportCancelled(Cancelled):
    """The user cancelled an export; nothing was written."""


def export_progress(
    state: TaskState | None, total: int
) -> tuple[Callable[[int], None], Callable[[], bool]]:
    """The rows-written callback and the stop question the exports layer takes, for
    ``state`` (an export of ``total`` rows)."""

    def report(done: int) -> None:
        if state is not None:
            state.progress(done / total if total else 1.0, f"{done:,} of {total:,} calls")

    def stop() -> bool:
        return state is not None and state.cancelled()

    return report, stop


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


def store_filter(
    query: CallQuery, zone: tzinfo, span: tuple[datetime, datetime] | None = None
) -> CallFilter:
    """The store's filter for ``query``. Given the ``span`` of every call (first and last
    start), a bound that leaves no call out is dropped: the date pickers start at the whole
    span, and a range condition would make SQL walk the date index and sort every call
    instead of walking the index of the column sorted by."""
    start = None if query.first is None else local_day_start(query.first, zone)
    end = None if query.last is None else local_day_start(query.last + timedelta(days=1), zone)
    if span is not None:
        if start is not None and start <= span[0]:
            start = None
        if end is not None and end > span[1]:
            end = None
    return CallFilter(start=start, end=end, type=query.type, campaign=query.campaign)


def _store_filter(uow: UnitOfWork, query: CallQuery, zone: tzinfo) -> CallFilter:
    span = uow.queries.call_span() if query.first is not None or query.last is not None else None
    return store_filter(query, zone, span)


def store_order(query: CallQuery) -> CallOrder:
    return CallOrder(SORT_KEYS[query.sort], query.descending)


def call_cost(minutes: int, unit_price: Decimal | None, currency: str) -> Decimal | None:
    """Started minutes at list price, rounded half-up to the currency's minor unit."""
    return None if unit_price is None else round_money(minutes * unit_price, currency)


def csv_row(line: CallLine) -> tuple[str, ...]:
    """One line of the export (the columns of :data:`HEADER`) from a call-log line: the text
    :func:`csv_chunks` writes for the same call (the remote store's export uses this)."""
    call = line.call
    return (
        call.id,
        call.type,
        call.triggered_by,
        call.trigger_source,
        call.candidate_id or "",
        call.campaign,
        call.number or "",
        call.started_at.isoformat(timespec="seconds"),
        str(line.minutes),
        "" if line.cost is None else str(line.cost),
    )


def _currency(uow: UnitOfWork) -> str:
    account = uow.account.get()
    return "USD" if account is None else account.currency


def _line(row: CallRow, zone: tzinfo, unit_price: Decimal | None, currency: str) -> CallLine:
    minutes = started_minutes(row.duration_seconds)
    # Built directly: dataclasses.replace looks the fields up again for every row (a page of
    # 500 rows is read for every call-log step, B6).
    local = CallRow(
        row.id,
        row.type,
        row.triggered_by,
        row.trigger_source,
        row.candidate_id,
        row.campaign,
        row.number,
        row.started_at.astimezone(zone),
        row.duration_seconds,
    )
    return CallLine(local, minutes, call_cost(minutes, unit_price, currency))


# Call-log counts already made, by the store's change token and the filter (B6): a new order,
# a refresh with nothing changed, or a page of the log counts the same calls as before, and a
# count of a million calls is the slowest statement of the call log's open (more so on
# PostgreSQL). The token moves with every commit to the store (``change_token()``).
_COUNTS: OrderedDict[Hashable, int] = OrderedDict()
_COUNTS_KEPT = 32
_COUNTS_LOCK = threading.Lock()


def call_log_count(uow: UnitOfWork, actor: Actor, query: CallQuery) -> int:
    _require(actor)
    zone = account_zone(uow.account.get())
    where = _store_filter(uow, query, zone)
    change_token = getattr(uow, "change_token", None)
    token = change_token() if callable(change_token) else None
    if token is None:
        return uow.queries.call_count_where(where)
    key = (token, where)
    with _COUNTS_LOCK:
        found = _COUNTS.get(key)
        if found is not None:
            _COUNTS.move_to_end(key)
            return found
    count = uow.queries.call_count_where(where)
    with _COUNTS_LOCK:
        _COUNTS[key] = count
        while len(_COUNTS) > _COUNTS_KEPT:
            _COUNTS.popitem(last=False)
    return count


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
    where, order = _store_filter(uow, query, zone), store_order(query)
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


@cache
def _clock() -> list[str]:
    """ "HH:MM:SS" for each second of a day (86,400 short strings, built once)."""
    return [f"{h:02}:{m:02}:{s:02}" for h in range(24) for m in range(60) for s in range(60)]


class _Memo(dict[K, V], Generic[K, V]):
    """A dict that computes a missing value once (lookups of known keys stay C-fast)."""

    def __init__(self, compute: Callable[[K], V]) -> None:
        super().__init__()
        self._compute = compute

    def __missing__(self, key: K) -> V:
        value = self[key] = self._compute(key)
        return value


# A line of joined ids that starts like a formula (RISKY_FIRST, which safe_cell may change).
RISKY_ID_START = re.compile("(?:\\A|\n)[" + re.escape("".join(sorted(RISKY_FIRST))) + "]")


def csv_chunks(uow: UnitOfWork, actor: Actor, query: CallQuery) -> Iterator[tuple[int, str]]:
    """The export's rows (the columns of :data:`HEADER`) as formula-safe CSV text, chunk by
    chunk from the store: (rows in the chunk, their lines with CRLF after each).

    A million rows must take about a second of Python (PERFORMANCE.md B4), so each call is
    one f-string and nothing else is built per row: the store gives plain tuples; a start time
    is put together from per-hour (zone offset) and per-day caches and a table of the 86,400
    times of day; minutes and cost are looked up by the call's seconds; text cells of few
    distinct values (source, campaign, number) go through ``safe_cell`` once per value, the ids
    are looked at call by call, and type and trigger are the domain's own words (CallType,
    TriggeredBy values, which the store only ever holds) that cannot start like a formula or
    need quotes. A chunk where a cell would need quotes (a comma, quote or line break in a
    name: the chunk's commas or line ends miscount) is written again through ``csv.writer``
    (:func:`csv_text`), which gives the same bytes for every other line.
    """
    _require(actor)
    zone = account_zone(uow.account.get())
    price, currency = call_unit_price(uow), _currency(uow)
    where, order = _store_filter(uow, query, zone), store_order(query)

    def exact(second: int) -> str:
        return datetime.fromtimestamp(second, zone).isoformat(timespec="seconds")

    def hour_offset(hour: int) -> tuple[int, str] | None:
        """The zone's offset (seconds, and as written after the time) for a whole UTC hour;
        None when it changes within that hour (a transition off the hour, rare)."""
        first, last = (datetime.fromtimestamp(hour * 3600 + s, UTC) for s in (0, 3599))
        offset = first.astimezone(zone).utcoffset()
        if offset is None or offset != last.astimezone(zone).utcoffset():
            return None
        return int(offset.total_seconds()), exact(hour * 3600)[19:]

    def minutes_and_cost(seconds: int) -> str:
        minutes = started_minutes(seconds)
        cost = call_cost(minutes, price, currency)
        return f"{minutes},{'' if cost is None else cost}"

    epoch = date(1970, 1, 1).toordinal()
    hours = _Memo[int, tuple[int, str] | None](hour_offset)
    days = _Memo[int, str](lambda day: date.fromordinal(epoch + day).isoformat() + "T")
    # Plain dicts, filled for a chunk that meets a new value (the lookups of a dict subclass
    # cost a tenth of the loop): seconds -> "minutes,cost"; source, campaign or number -> cell.
    tails: dict[int, str] = {}
    texts: dict[str | None, str] = {}
    clock = _clock()

    def stamp(micros: int) -> str:
        second = micros // 1_000_000
        known = hours[second // 3600]
        if known is None:
            return exact(second)
        local = second + known[0]
        return days[local // 86_400] + clock[local % 86_400] + known[1]

    def learn(chunk: list[CallRecord]) -> None:
        """Fill ``texts`` and ``tails`` for every value of ``chunk``; ``tails`` for every
        duration up to the longest (within reason), so that later chunks seldom miss."""
        longest = 0
        for row in chunk:
            for text in (row[1], row[2], row[3], row[5], row[6]):
                if text not in texts:
                    texts[text] = csv_cell(text)  # csv_cell(None) == ""
            if row[8] not in tails:
                tails[row[8]] = minutes_and_cost(row[8])
            longest = max(longest, row[8])
        for seconds in range(min(longest, TAILS_AHEAD) + 1):
            if seconds not in tails:
                tails[seconds] = minutes_and_cost(seconds)

    def cells(row: CallRecord) -> tuple[str, ...]:
        """The same cells one by one (for csv.writer, when a chunk needs quotes)."""
        call_id, kind, by, source, candidate, campaign, number, micros, seconds = row
        minutes, cost = minutes_and_cost(seconds).split(",")
        text = (call_id, kind, by, source, candidate or "", campaign, number or "")
        return (*text, stamp(micros), minutes, cost)

    def lines_of(
        chunk: list[CallRecord],
        hours: dict[int, tuple[int, str] | None] = hours,
        days: dict[int, str] = days,
        clock: list[str] = clock,
        tails: dict[int, str] = tails,
        texts: dict[str | None, str] = texts,
    ) -> list[str]:
        # The per-call loop, written out, every name a local (the caches are bound as
        # defaults): at a million calls each lookup of a global or closure name shows. The ids
        # are already safe (see below).
        lines: list[str] = []
        add = lines.append
        for call_id, kind, by, source, candidate, campaign, number, micros, seconds in chunk:
            second = micros // 1_000_000
            known = hours[second // 3600]
            if known is None:
                add(
                    f"{call_id},{texts[kind]},{texts[by]},{texts[source]},{candidate or ''},"
                    f"{texts[campaign]},{texts[number]},{exact(second)},{tails[seconds]}"
                )
                continue
            local = second + known[0]  # the start time is built in the line's one f-string
            add(
                f"{call_id},{texts[kind]},{texts[by]},{texts[source]},{candidate or ''},"
                f"{texts[campaign]},{texts[number]},{days[local // 86_400]}"
                f"{clock[local % 86_400]}{known[1]},{tails[seconds]}"
            )
        return lines

    def safe_ids(row: CallRecord) -> CallRecord:
        call_id, kind, by, source, candidate, campaign, number, micros, seconds = row
        safe_candidate = None if candidate is None else safe_cell(candidate)
        return (safe_cell(call_id), kind, by, source, safe_candidate, campaign, number, micros,
                seconds)  # fmt: skip

    for chunk in uow.queries.call_chunks(where, order, EXPORT_CHUNK):
        count = len(chunk)
        # Every cell but the ids is written exactly as csv.writer would (the memo holds each
        # text value safe and quoted as needed; times, minutes and cost never need quotes), so
        # only the ids (call and candidate) are looked at, all at once: one that needs quotes
        # (a comma, quote or line break) or could run from inside, after a ; | tab or space,
        # sends the chunk through csv.writer, which gives the same bytes; one that starts like
        # a formula has the chunk's ids made safe before the loop (rare: no test per call).
        ids = "\n".join([row[0] for row in chunk] + [row[4] or "" for row in chunk])
        if (
            ids.count("\n") != 2 * count - 1
            or "," in ids
            or '"' in ids
            or "\r" in ids
            or inside_may_run(ids)
        ):
            yield count, csv_text([cells(row) for row in chunk])
            continue
        if RISKY_ID_START.search(ids) is not None:
            chunk = [safe_ids(row) for row in chunk]
        try:
            lines = lines_of(chunk)
        except KeyError:  # a source, campaign, number or duration not met before
            learn(chunk)
            lines = lines_of(chunk)
        lines.append("")  # the CRLF after the last line, without copying the chunk's text
        yield count, "\r\n".join(lines)


def cell_chunks(
    uow: UnitOfWork, actor: Actor, query: CallQuery
) -> Iterator[list[tuple[object, ...]]]:
    """The export's rows as typed cells, chunk by chunk from the store (for a workbook): the
    text of :func:`csv_chunks` unneutralised, minutes as a whole number, cost as a Decimal."""
    _require(actor)
    zone = account_zone(uow.account.get())
    price, currency = call_unit_price(uow), _currency(uow)
    where, order = _store_filter(uow, query, zone), store_order(query)
    tails: dict[int, tuple[int, Decimal | None]] = {}
    for chunk in uow.queries.call_chunks(where, order, EXPORT_CHUNK):
        rows: list[tuple[object, ...]] = []
        for call_id, kind, by, source, candidate, campaign, number, micros, seconds in chunk:
            tail = tails.get(seconds)
            if tail is None:
                minutes = started_minutes(seconds)
                tail = tails[seconds] = (minutes, call_cost(minutes, price, currency))
            started = datetime.fromtimestamp(micros // 1_000_000, zone)
            text = (call_id, kind, by, source, candidate or "", campaign, number or "")
            rows.append((*text, started.isoformat(timespec="seconds"), *tail))
        yield rows


def cells_row(line: CallLine) -> tuple[object, ...]:
    """:func:`csv_row` typed as :func:`cell_chunks` writes it (the remote store's workbook)."""
    return (*csv_row(line)[:8], line.minutes, line.cost)


def export_call_log(
    uow: UnitOfWork,
    actor: Actor,
    query: CallQuery,
    path: Path,
    state: TaskState | None = None,
) -> int:
    """Write the call log of ``query`` to ``path`` as formula-safe CSV, or as an Excel
    workbook when ``path`` ends in ``.xlsx``; returns the rows.

    ``state`` hears the progress after each chunk; when it is cancelled the export stops, the
    partial file is removed and :class:`ExportCancelled` is raised.
    """
    _require(actor)
    batches = getattr(uow, "call_batches", None)
    if ARROW_EXPORT and isinstance(batches, CallBatches) and not is_xlsx(path):
        written = _export_arrow(uow, query, path, batches, state)
        if written is None:
            raise ExportCancelled("the export was cancelled; nothing was written")
        return written
    total = call_log_count(uow, actor, query)
    report, stop = export_progress(state, total)
    if is_xlsx(path):
        from billing_desktop.exports.xlsx_export import stream_xlsx  # openpyxl: only now

        cost = {len(HEADER) - 1: money_format(_currency(uow))}
        chunks = cell_chunks(uow, actor, query)
        written = stream_xlsx(
            path, HEADER, chunks, title="Call log", money=cost, progress=report, cancelled=stop
        )
    else:
        written = stream_csv_text(path, HEADER, csv_chunks(uow, actor, query), report, stop)
    if written is None:
        raise ExportCancelled("the export was cancelled; nothing was written")
    return written


def _export_arrow(
    uow: UnitOfWork, query: CallQuery, path: Path, batches: CallBatches, state: TaskState | None
) -> int | None:
    """:func:`export_call_log` to CSV from the store's Arrow batches (``call_log_arrow``): the
    same bytes as :func:`csv_chunks`. The date span, the count (for the progress) and the rows
    come from one read snapshot of the store, so a bound left out because no call lies beyond
    it (:func:`store_filter`) stays true for the rows read."""
    from billing_desktop.services.call_log_arrow import csv_batches  # pyarrow: only now

    zone = account_zone(uow.account.get())
    price, currency = call_unit_price(uow), _currency(uow)

    def tail(seconds: int) -> tuple[str, str]:
        minutes = started_minutes(seconds)
        cost = call_cost(minutes, price, currency)
        return str(minutes), "" if cost is None else str(cost)

    with batches.snapshot() as snapshot:
        bounded = query.first is not None or query.last is not None
        where = store_filter(query, zone, snapshot.call_span() if bounded else None)
        report, stop = export_progress(state, snapshot.call_count_where(where))
        rows = snapshot.call_batches(where, store_order(query), ARROW_BATCH_ROWS)
        return stream_csv_bytes(path, HEADER, csv_batches(rows, zone, tail), report, stop)
