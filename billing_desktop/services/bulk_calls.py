"""The fast path of an import of calls (PERFORMANCE.md B3): a million rows in seconds.

The row-by-row engine of ``services.imports`` builds a ``Call`` per row and parses every cell
with its column's parser; at a million rows that is most of the time. Here the file is read by
Arrow's C CSV reader (``pyarrow.csv``, several threads, a batch of rows at a time) and its cells
are checked a column at a time with Arrow's compute kernels: one RE2 pattern over a whole column
for the ids and the times, and each distinct value of the columns with few of them (type,
campaign, number, duration) through the very parser the row path uses. The checks accept a
subset of what the parsers accept, on which both give the same values: plain ASCII ids, times
written ``YYYY-MM-DDTHH:MM:SSZ``, no cell padded with spaces. Each checked batch goes to the
store's staging table as Arrow columns (``ports.CallStaging``: the SQLite store writes it with
the ADBC driver, with no Python object per cell), the rollups are summed by UTC minute in SQL
and placed in the account's local hours here, and one INSERT ... SELECT writes the new calls,
all in the import's transaction.

Arrow reads the file with quoting turned off, so that a row is exactly its line split at the
commas: a file holding a double quote anywhere in its cells, or one Arrow cannot read (a quoted
comma makes a row too wide), is read again from the start by the standard ``csv`` module (which
undoes the quoting as the row path does, or refuses) and checked the same way.

Anything else answers None and the row path imports the file from the start, with its messages
naming file, line and column: a cell the fast checks do not vouch for (a bad one, or a good one
in a form they do not cover), a row of another width, bytes that are not UTF-8, a user that is
not stored, a date out of bounds or in a closed month, an id given twice in the file or stored
with other values. Nothing is kept of the fast attempt (the staging table is dropped; the insert
is all or nothing).
"""

from __future__ import annotations

import csv
import io
import logging
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from itertools import islice
from typing import TYPE_CHECKING, Any, BinaryIO
from zoneinfo import ZoneInfo

from billing_desktop.domain.errors import Conflict
from billing_desktop.domain.metering import CALL_MINUTES, CALLS
from billing_desktop.services import csv_parsing as p
from billing_desktop.store.ports import CallStaging, UnitOfWork

if TYPE_CHECKING:
    import pyarrow as pa

logger = logging.getLogger(__name__)

BLOCK_BYTES = 4 << 20  # bytes of the file Arrow parses at a time (~40,000 calls)
CHUNK_ROWS = 50_000  # rows a time when the csv module reads a quoted file
# RE2 patterns (Arrow's), anchored at both ends of the cell.
_UTC_SECOND = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z$"
# What ``identifier`` keeps as it is: printable ASCII with no space at either end.
_PLAIN_ID = rf"^[!-~](?:[ -~]{{0,{p.ID_LENGTH - 2}}}[!-~])?$"


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


class _Refused(Exception):
    """The fast checks cannot vouch for the file: the row path imports it."""


class _ReadAgain(Exception):
    """Arrow's reading of the file is not the csv module's (a cell holds a double quote, or a
    row is not as wide as the header, perhaps because of a quoted comma): the file is read
    again with the csv module."""


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


def _all(mask: Any) -> bool:
    """True when every value of a boolean Arrow array is true (and none is null)."""
    import pyarrow.compute as pc

    return bool(pc.all(mask).as_py()) and mask.null_count == 0


def _column_ok(column: Column, values: pa.Array) -> bool:
    import pyarrow.compute as pc

    lengths = pc.binary_length(values)
    if column.required:
        if len(values) and pc.min(lengths).as_py() == 0:
            return False
        filled = values
    else:
        filled = values.filter(pc.greater(lengths, 0))
    if not len(filled):
        return True
    if column.parse is p.instant:
        days = pc.unique(pc.utf8_slice_codeunits(filled, 0, 10)).to_pylist()
        return _all(pc.match_substring_regex(filled, _UTC_SECOND)) and all(map(_day_ok, days))
    if column.parse is p.identifier and _all(pc.match_substring_regex(filled, _PLAIN_ID)):
        return True
    # Every distinct value once, with the row path's parser: however many there are, that is
    # less work than the row path's (which parses every cell, then writes row by row). Refusing
    # a batch of many distinct values sent whole files down the row path (28 s for 1M calls)
    # whenever their last, short batch held a few hundred distinct durations.
    return all(_kept(column.parse, value) for value in pc.unique(filled).to_pylist())


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
    source: BinaryIO,
    columns: Sequence[Column],
    width: int,
    *,
    zone: ZoneInfo,
    bound_problem: Problem | None,
    closed: ClosedSpans,
    progress: Callable[[int], None] | None = None,
) -> Outcome | None:
    """Import the data records of the calls file ``source`` (read from its start; the first
    record is the header, which names ``columns``, ``width`` cells a row), or None when the row
    path must do it."""
    if sorted(column.index for column in columns) != list(range(width)):
        return None
    order = sorted(columns, key=lambda column: column.index)
    names = [column.name for column in order]
    clock = _Clock()
    try:
        for reading in (_arrow_batches, _csv_batches):
            source.seek(0)
            staging.begin(names)
            try:
                with closing(reading(source, names)) as batches:
                    return _run(
                        uow, staging, batches, order, zone, bound_problem, closed, progress,
                        clock,
                    )  # fmt: skip
            except _ReadAgain:
                continue  # read again, undoing the quotes as the row path does
            finally:
                staging.end()
                clock.lap("close the staging file")
        return None
    except _Refused:
        return None
    except Conflict:
        return None  # an id twice in the file, or a reference gone: the row path says where
    finally:
        clock.log()


def _arrow_batches(source: BinaryIO, names: Sequence[str]) -> Generator[pa.RecordBatch, None, None]:
    """The file's data rows, a batch at a time, read by Arrow with quoting off (it skips blank
    lines and a byte-order mark, as the csv module's reading does): _ReadAgain at the first
    cell holding a double quote or anything Arrow cannot read (a row of another width, bytes
    that are not UTF-8), for the csv module to read or refuse."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    try:
        reader = pcsv.open_csv(
            source,
            read_options=pcsv.ReadOptions(
                skip_rows=1, column_names=list(names), block_size=BLOCK_BYTES
            ),
            parse_options=pcsv.ParseOptions(quote_char=False, newlines_in_values=False),
            convert_options=pcsv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
            if any(pc.any(pc.match_substring(column, '"')).as_py() for column in batch.columns):
                raise _ReadAgain
            yield batch
    except pa.ArrowException as exc:
        raise _ReadAgain from exc


def _csv_batches(source: BinaryIO, names: Sequence[str]) -> Generator[pa.RecordBatch, None, None]:
    """The file's data rows read by the standard csv module (as the row path reads them),
    CHUNK_ROWS at a time, as Arrow batches; _Refused for a row of another width, broken quoting
    or bytes that are not UTF-8."""
    import pyarrow as pa

    width = len(names)
    handle = io.TextIOWrapper(source, encoding="utf-8-sig", newline="")
    try:
        reader = csv.reader(handle, strict=True)
        next(reader, None)  # the header
        while block := list(islice(reader, CHUNK_ROWS)):
            chunk = [record for record in block if record]  # blank lines carry nothing
            if any(len(record) != width for record in chunk):
                raise _Refused
            if chunk:
                cells = zip(*chunk, strict=True)
                arrays = [pa.array(values, pa.string()) for values in cells]
                yield pa.RecordBatch.from_arrays(arrays, names=list(names))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise _Refused from exc
    finally:
        handle.detach()  # the caller's file stays open


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
    batches: Iterator[pa.RecordBatch],
    order: Sequence[Column],
    zone: ZoneInfo,
    bound_problem: Problem | None,
    closed: ClosedSpans,
    progress: Callable[[int], None] | None,
    clock: _Clock,
) -> Outcome | None:
    import pyarrow.compute as pc

    rows = 0
    users: set[str] = set()
    first: str | None = None
    last: str | None = None
    clock.lap("open the file")
    for batch in batches:
        clock.lap("read the CSV")
        if not batch.num_rows:
            continue
        rows += batch.num_rows
        for position, column in enumerate(order):
            if not _column_ok(column, batch.column(position)):
                raise _Refused
        span = pc.min_max(batch.column("started_at"))  # the fixed format sorts as time does
        low, high = span["min"].as_py(), span["max"].as_py()
        first = low if first is None else min(first, low)
        last = high if last is None else max(last, high)
        if "user_id" in batch.schema.names:
            users.update(filter(None, pc.unique(batch.column("user_id")).to_pylist()))
        clock.lap("check the cells")
        staging.add(batch)
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
