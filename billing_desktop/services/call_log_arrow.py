"""The call-log CSV export built from Arrow record batches (PERFORMANCE.md B4): the bytes of
``usage_data.csv_chunks`` for the same calls, with no Python object per cell.

A store that offers ``call_batches`` (``store.ports.CallBatches``: the SQLite store, through
the ADBC driver) hands the calls over as Arrow columns; every cell of a line is then made by
Arrow's compute functions, in C, column by column:

* text cells (ids, type, trigger, source, campaign, number): ``exports.arrow_csv.csv_cells``,
  which leaves a value as it is unless it could run as a formula or needs quotes, and sends
  only the distinct values that might through ``csv_cell`` (the Python path's own function);
* the start time in the account's zone: per UTC hour, the zone's offset and its text are
  worked out once with ``zoneinfo`` (as the Python path does); the local second then gives the
  day (its "YYYY-MM-DDT" made once per day) and the time of day (one of 86,400 "HH:MM:SS"
  strings, taken by index), joined with the offset. An hour in which the offset changes (a
  transition off the hour, as Lord Howe's) has its calls' times made one by one by
  ``datetime``, exactly as the Python path does;
* minutes and cost: made once per distinct duration by the caller's ``tail`` (started minutes
  and the list-price cost, as ``usage_data`` computes them) and taken by index.

The lines are joined with commas in C and written straight from the joined array's buffer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, tzinfo
from functools import cache
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from billing_desktop.exports.arrow_csv import csv_cells, csv_cells_few, csv_lines, text_bytes
from billing_desktop.exports.csv_export import csv_cell

# The text columns in the order of the line, and whether each holds few distinct values
# (the domain's words, sources, campaigns, the account's numbers) or mostly distinct ones (ids).
TEXT_COLUMNS = (
    ("id", False),
    ("type", True),
    ("triggered_by", True),
    ("trigger_source", True),
    ("candidate_id", False),
    ("campaign", True),
    ("number", True),
)
MICROS = 1_000_000
DAY = 86_400
HOUR = 3600
DENSE_AHEAD = 4  # a table of durations is made up to this many times a batch's rows ahead


@cache
def _minutes_seconds() -> Any:
    """ "MM:SS" for each second of an hour, as an Arrow array (built once)."""
    return pa.array([f"{m:02}:{s:02}" for m in range(60) for s in range(60)], pa.string())


@cache
def _clock() -> Any:
    """ "HH:MM:SS" for each second of a day, as an Arrow array (built once)."""
    return pa.array(
        [f"{h:02}:{m:02}:{s:02}" for h in range(24) for m in range(60) for s in range(60)],
        pa.string(),
    )


def floor_divide(values: Any, divisor: int) -> Any:
    """``values // divisor`` for an int64 array (Arrow's divide truncates toward zero)."""
    quotient = pc.divide(values, divisor)
    if len(values) == 0 or pc.min(values).as_py() >= 0:
        return quotient
    over = pc.greater(pc.multiply(quotient, divisor), values)
    return pc.if_else(over, pc.subtract(quotient, 1), quotient)


def _lookup(keys: Any, memo: dict[Any, str], make: Callable[[Any], str]) -> Any:
    """For each of ``keys``, ``memo[key]`` (made with ``make`` for a key not seen before), as
    a string array: Python once per distinct key, Arrow's take for every row."""
    distinct = pc.unique(keys)
    texts = []
    for key in distinct.to_pylist():
        text = memo.get(key)
        if text is None:
            text = memo[key] = make(key)
        texts.append(text)
    return pa.array(texts, pa.string()).take(pc.index_in(keys, value_set=distinct))


class CallLines:
    """Turns the store's record batches into CSV lines; keeps its memos across batches."""

    def __init__(self, zone: tzinfo, tail: Callable[[int], tuple[str, str]]) -> None:
        self._zone = zone
        self._tail = tail
        self._texts: dict[str, str] = {}  # careful text value -> its cell
        self._tails: dict[int, str] = {}  # seconds -> "minutes,cost\r\n"
        self._dense: list[str] = []  # the same for 0, 1, 2, … seconds
        self._dense_array: Any = None
        self._days: dict[int, str] = {}  # local day since 1970 -> "YYYY-MM-DDT"
        # UTC hour since 1970 -> (offset in seconds, offset as written, the local
        # "YYYY-MM-DDTHH:" of its first second), or None when the offset changes within it
        self._hours: dict[int, tuple[int, str, str] | None] = {}

    def _exact(self, second: int) -> str:
        return datetime.fromtimestamp(second, self._zone).isoformat(timespec="seconds")

    def _hour(self, hour: int) -> tuple[int, str, str] | None:
        first, last = (datetime.fromtimestamp(hour * HOUR + s, UTC) for s in (0, HOUR - 1))
        offset = first.astimezone(self._zone).utcoffset()
        if offset is None or offset != last.astimezone(self._zone).utcoffset():
            return None
        text = self._exact(hour * HOUR)  # its first second: "YYYY-MM-DDTHH:MM:SS+HH:MM"
        return int(offset.total_seconds()), text[19:], text[:14]

    def _tail_cells(self, seconds: int) -> str:
        minutes, cost = self._tail(seconds)
        return f"{csv_cell(minutes)},{csv_cell(cost)}\r\n"

    def _tails_of(self, seconds: Any) -> Any:
        """The "minutes,cost" cells (CRLF after) of each duration: taken by index from a table
        of every duration from 0 up, when the longest is in it or the batch is big enough to
        pay for making it that long, else made per distinct duration."""
        if len(seconds) == 0:
            return pa.array([], pa.string())
        low, high = (bound.as_py() for bound in pc.min_max(seconds).values())
        if low < 0 or high >= max(len(self._dense), DENSE_AHEAD * len(seconds)):
            return _lookup(seconds, self._tails, self._tail_cells)
        if high >= len(self._dense):
            start = len(self._dense)
            self._dense += [self._tail_cells(n) for n in range(start, high + 1)]
            self._dense_array = pa.array(self._dense, pa.string())
        return self._dense_array.take(seconds)

    def _starts(self, micros: Any) -> Any:
        seconds = floor_divide(micros, MICROS)
        hours = floor_divide(seconds, HOUR)
        distinct = pc.unique(hours).to_pylist()
        known = []
        for hour in distinct:
            if hour not in self._hours:
                self._hours[hour] = self._hour(hour)
            known.append(self._hours[hour])
        at = pc.index_in(hours, value_set=pa.array(distinct, pa.int64()))
        suffixes = pa.array(["" if k is None else k[1] for k in known], pa.string()).take(at)
        if all(k is not None and k[0] % HOUR == 0 for k in known):
            # Whole-hour offsets (most zones, most of the time): the local hour of a UTC hour
            # is one text, "YYYY-MM-DDTHH:", and the rest is one of 3,600 "MM:SS".
            prefixes = pa.array([k[2] for k in known if k is not None], pa.string()).take(at)
            within = pc.subtract(seconds, pc.multiply(hours, HOUR))
            return pc.binary_join_element_wise(
                prefixes, _minutes_seconds().take(within), suffixes, ""
            )
        offsets = pa.array([0 if k is None else k[0] for k in known], pa.int64()).take(at)
        local = pc.add(seconds, offsets)
        days = floor_divide(local, DAY)
        epoch = date(1970, 1, 1).toordinal()
        day_texts = _lookup(
            days, self._days, lambda day: date.fromordinal(epoch + day).isoformat() + "T"
        )
        clock = _clock().take(pc.subtract(local, pc.multiply(days, DAY)))
        starts = pc.binary_join_element_wise(day_texts, clock, suffixes, "")
        odd = [hour for hour, k in zip(distinct, known, strict=True) if k is None]
        if odd:  # a transition within an hour: those calls' times one by one, exactly
            mask = pc.is_in(hours, value_set=pa.array(odd, pa.int64()))
            exact = [self._exact(second) for second in seconds.filter(mask).to_pylist()]
            starts = pc.replace_with_mask(starts, mask, pa.array(exact, pa.string()))
        return starts

    def lines(self, batch: Any) -> Any:
        """The batch's CSV lines (CRLF after each) as one string array."""
        cells = [
            (csv_cells_few if few else csv_cells)(batch.column(name), self._texts)
            for name, few in TEXT_COLUMNS
        ]
        cells.append(self._starts(batch.column("started_at")))
        cells.append(self._tails_of(batch.column("duration_seconds")))
        return csv_lines(cells)


def csv_batches(
    batches: Iterable[Any], zone: tzinfo, tail: Callable[[int], tuple[str, str]]
) -> Iterator[tuple[int, memoryview]]:
    """The export's lines, batch by batch: (rows, their UTF-8 bytes with CRLF after each).
    ``tail(seconds)`` gives a call's minutes and cost as the export writes them."""
    lines = CallLines(zone, tail)
    for batch in batches:
        if batch.num_rows:
            yield batch.num_rows, text_bytes(lines.lines(batch))
