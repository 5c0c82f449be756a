"""The fast path of an import of calls (PERFORMANCE.md B3): a million rows in seconds.

The row-by-row engine of ``services.imports`` builds a ``Call`` per row and parses every cell
with its column's parser; at a million rows that is most of the time. Here the cells are checked
a column at a time instead, with C-level string methods over the whole column (``str.isascii``,
``str.isprintable``, a compiled pattern), and each distinct value of the columns with few of them
(type, campaign, number, duration) goes through the very parser the row path uses. The checks
accept a subset of what the parsers accept, on which both give the same values: plain ASCII ids,
times written ``YYYY-MM-DDTHH:MM:SSZ``, no cell padded with spaces. The rows then go to the
store's staging table as the reader gives them (``ports.CallStaging``), the rollups are summed
by UTC minute in SQL and placed in the account's local hours here, and one INSERT ... SELECT
writes the new calls, all in the import's transaction.

Anything else answers None and the row path imports the file from the start, with its messages
naming file, line and column: a cell the fast checks do not vouch for (a bad one, or a good one
in a form they do not cover), a user that is not stored, a date out of bounds or in a closed
month, an id given twice in the file or stored with other values. Nothing is kept of the fast
attempt (the staging table is dropped; the insert is all or nothing).
"""

from __future__ import annotations

import csv
import logging
import operator
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from itertools import islice
from zoneinfo import ZoneInfo

from billing_desktop.domain.errors import Conflict
from billing_desktop.domain.metering import CALL_MINUTES, CALLS
from billing_desktop.services import csv_parsing as p
from billing_desktop.store.ports import CallStaging, UnitOfWork

logger = logging.getLogger(__name__)

CHUNK_ROWS = 50_000  # rows read, checked and staged at a time
_UTC_SECOND = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z"
)
# Columns with at most this share of distinct values in a chunk are checked value by value
# with their parser; the others need the column-wide checks to hold.
DISTINCT_SHARE = 0.2
_DAY_PART = operator.itemgetter(slice(0, 10))


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    index: int  # in the file's records
    parse: p.Parser
    required: bool


@dataclass(frozen=True, slots=True)
class Outcome:
    rows: int
    added: int
    skipped: int


Problem = Callable[[datetime], str | None]  # a date bound's problem with an instant, or None
ClosedSpans = Sequence[tuple[datetime, datetime, object]]


def _plain_ids(values: Sequence[str]) -> bool:
    """Every value an id ``identifier`` keeps as it is: printable ASCII, no edge spaces."""
    return (
        all(map(str.isascii, values))
        and all(map(str.isprintable, values))
        and max(map(len, values), default=0) <= p.ID_LENGTH
        and tuple(map(str.strip, values)) == tuple(values)
    )


def _kept(parse: p.Parser, value: str) -> bool:
    """True when the row path would store ``value`` exactly as the file writes it."""
    if not value or value != value.strip() or not value.isprintable():
        return False
    try:
        parsed = parse(value)
    except p.BadValue:
        return False
    if isinstance(parsed, Enum):
        return bool(parsed.value == value)
    if isinstance(parsed, bool):
        return False
    if isinstance(parsed, int):
        return value.isascii() and value.isdigit()  # the store casts the digits
    return parsed == value


def _column_ok(column: Column, values: Sequence[str]) -> bool:
    filled = values if column.required else tuple(filter(None, values))
    if column.required and not all(values):
        return False
    if not filled:
        return True
    if column.parse is p.instant:
        return all(map(_UTC_SECOND.fullmatch, filled)) and all(
            _day_ok(day) for day in set(map(_DAY_PART, filled))
        )
    if column.parse is p.identifier and _plain_ids(filled):
        return True
    distinct = set(filled)
    if len(distinct) > max(64, DISTINCT_SHARE * len(filled)):
        return False
    return all(_kept(column.parse, value) for value in distinct)


def _day_ok(text: str) -> bool:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return False
    return p.FIRST_YEAR <= day.year <= p.LAST_YEAR


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def import_calls(
    uow: UnitOfWork,
    staging: CallStaging,
    reader: Iterator[list[str]],
    columns: Sequence[Column],
    width: int,
    *,
    zone: ZoneInfo,
    bound_problem: Problem | None,
    closed: ClosedSpans,
    progress: Callable[[int], None] | None = None,
) -> Outcome | None:
    """Import the data records ``reader`` gives (after the header) of a calls file whose
    header names ``columns`` (``width`` cells a row), or None when the row path must do it."""
    if sorted(column.index for column in columns) != list(range(width)):
        return None
    order = sorted(columns, key=lambda column: column.index)
    clock = _Clock()
    staging.begin([column.name for column in order])
    try:
        return _run(
            uow, staging, reader, order, width, zone, bound_problem, closed, progress, clock
        )
    except Conflict:
        return None  # an id twice in the file, or a reference gone: the row path says where
    except (UnicodeDecodeError, csv.Error):
        return None  # not UTF-8, broken quotes: the row path names the line
    finally:
        staging.end()
        clock.lap("drop the staging table")
        clock.log()


class _Clock:
    """Where an import's time goes, logged at DEBUG (``bench/import_calls.py --phases``)."""

    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.spent: dict[str, float] = {}

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.spent[phase] = self.spent.get(phase, 0.0) + now - self.last
        self.last = now

    def log(self) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            for phase, seconds in self.spent.items():
                logger.debug("calls import: %-28s %6.2f s", phase, seconds)


def _run(
    uow: UnitOfWork,
    staging: CallStaging,
    reader: Iterator[list[str]],
    order: Sequence[Column],
    width: int,
    zone: ZoneInfo,
    bound_problem: Problem | None,
    closed: ClosedSpans,
    progress: Callable[[int], None] | None,
    clock: _Clock,
) -> Outcome | None:
    rows = 0
    users: set[str] = set()
    user_index = next((c.index for c in order if c.name == "user_id"), None)
    time_index = next(c.index for c in order if c.name == "started_at")
    first: str | None = None
    last: str | None = None
    while True:
        block = list(islice(reader, CHUNK_ROWS))
        clock.lap("read the CSV")
        if not block:
            break
        chunk = [record for record in block if record]  # blank lines carry nothing
        rows += len(chunk)
        if not chunk:
            continue
        if any(len(record) != width for record in chunk):
            return None
        cells = list(zip(*chunk, strict=True))
        for column in order:
            if not _column_ok(column, cells[column.index]):
                return None
        times = cells[time_index]
        low, high = min(times), max(times)  # the fixed format sorts as time does
        first = low if first is None else min(first, low)
        last = high if last is None else max(last, high)
        if user_index is not None:
            users.update(filter(None, cells[user_index]))
        clock.lap("check the cells")
        staging.add(chunk)
        clock.lap("stage the rows")
        if progress is not None:
            progress(rows)
    if first is None or last is None:
        return None
    if users and len(uow.users.get_many(sorted(users))) != len(users):
        return None
    earliest, latest = _instant(first), _instant(last)
    if bound_problem is not None and (bound_problem(earliest) or bound_problem(latest)):
        return None
    if any(start <= latest and earliest < end for start, end, _month in closed):
        return None
    clock.lap("check users, dates")
    stored, identical = staging.overlap()
    clock.lap("find stored ids")
    if identical != stored:
        return None
    deltas = _deltas(staging.minute_totals(skip_stored=stored > 0), zone)
    clock.lap("sum the rollups")
    if deltas is None:
        return None
    added = staging.insert_new(skip_stored=stored > 0)
    clock.lap("insert the calls")
    uow.rollups.add(deltas)
    clock.lap("add the rollups")
    return Outcome(rows=rows, added=added, skipped=rows - added)


def _deltas(
    minutes: list[tuple[str, int, int]], zone: ZoneInfo
) -> dict[tuple[date, int, str, str], Decimal] | None:
    """The hourly rollup deltas (as ``metering.rollup_deltas`` makes them) of calls counted by
    UTC minute; None when the zone's offset there is not whole minutes (then a UTC minute may
    span two local hours, and the row path sums call by call)."""
    deltas: dict[tuple[date, int, str, str], Decimal] = {}
    for minute, count, started_minutes in minutes:
        local = datetime.fromisoformat(f"{minute}:00+00:00").astimezone(zone)
        offset = local.utcoffset()
        if offset is None or offset.seconds % 60 or offset.microseconds:
            return None
        for measure, amount in ((CALLS, count), (CALL_MINUTES, started_minutes)):
            if amount:
                key = (local.date(), local.hour, "", measure)
                deltas[key] = deltas.get(key, Decimal(0)) + amount
    return deltas
