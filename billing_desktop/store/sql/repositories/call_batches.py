"""The call log as Arrow record batches, read from the SQLite file by the ADBC SQLite driver
(PERFORMANCE.md B4: the export of a million calls; ``ports.CallBatches``).

Python's ``sqlite3`` makes a Python object of every cell it reads: for a million calls that
alone takes about as long as ``sqlite3 -csv`` writing the whole file. The ADBC driver steps the
same statement in C and fills Arrow columns, so the export can build its lines with Arrow's
compute functions and never touch a cell from Python.

The reader is a second connection to the store's file, opened read-only (``mode=ro``, or
``immutable=1`` where the engine reads the file so: a read-only folder with no ``-wal``), so it
cannot write, switch the journal mode or checkpoint: it never changes the file, and the
integrity check the store passed when it was opened (``store.sql.safety``, remembered by the
file's size and modification time) still stands for what it reads. Everything of one
:meth:`SqliteCallBatches.snapshot` (the date span, the count, the rows) runs in one read
transaction: in WAL mode a reader sees the store as it was at its first read, whatever is
committed meanwhile. A unit of work that writes offers no reader (the second connection would
not see its own uncommitted changes), nor does an in-memory database.

The optional text columns come as '' where the store holds NULL (the export writes both as an
empty cell): the driver infers each column's type from its first batch, and a column that is
NULL all through it would be taken for integers.
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from billing_desktop.domain.errors import StoreError
from billing_desktop.store.ports import CALL_SORT_COLUMNS, CallFilter, CallOrder
from billing_desktop.store.sql.types import from_micros, to_micros

if TYPE_CHECKING:
    import pyarrow as pa

# The columns of every batch, in this order (ports.CallBatches).
COLUMNS = (
    "c.id AS id, c.type AS type, c.triggered_by AS triggered_by, "
    "c.trigger_source AS trigger_source, COALESCE(c.candidate_id, '') AS candidate_id, "
    "c.campaign AS campaign, COALESCE(c.number, '') AS number, c.started_at AS started_at, "
    "c.duration_seconds AS duration_seconds"
)
NULLABLE = frozenset({"candidate_id", "number"})
BATCH_ROWS_OPTION = "adbc.sqlite.query.batch_rows"


def _conditions(where: CallFilter) -> tuple[str, list[Any]]:
    """The WHERE clause of ``where`` (as ``SqlQueries._call_conditions``) and its parameters."""
    parts: list[str] = []
    params: list[Any] = []
    if where.start is not None:
        parts.append("c.started_at >= ?")
        params.append(to_micros(where.start))
    if where.end is not None:
        parts.append("c.started_at < ?")
        params.append(to_micros(where.end))
    if where.type is not None:
        parts.append("c.type = ?")
        params.append(where.type)
    if where.campaign is not None:
        parts.append("c.campaign = ?")
        params.append(where.campaign)
    return (" WHERE " + " AND ".join(parts) if parts else ""), params


def order_by(order: CallOrder) -> str:
    """The ORDER BY of ``SqlQueries._call_select``: the column (NULLs first ascending and last
    descending, SQLite's own rule), then the call id. Qualified by the table, so that the
    COALESCE'd result columns of the same name never stand in for the stored ones."""
    if order.column not in CALL_SORT_COLUMNS:
        raise StoreError(f"calls cannot be ordered by '{order.column}'")
    way = "DESC" if order.descending else "ASC"
    if order.column == "id":
        return f" ORDER BY c.id {way}"
    nulls = ""
    if order.column in NULLABLE:
        nulls = " NULLS LAST" if order.descending else " NULLS FIRST"
    return f" ORDER BY c.{order.column} {way}{nulls}, c.id {way}"


def _failed(exc: Exception) -> str:
    detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return f"the store could not be read for the export ({detail})"


class CallSnapshotReader:
    """One read transaction on the reader's connection (``ports.CallSnapshot``)."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self._open: list[Generator[pa.RecordBatch, None, None]] = []

    def close(self) -> None:
        """End every batch stream still open (an export cancelled or failed midway), so that
        its statement is finalised before the connection closes."""
        while self._open:
            self._open.pop().close()

    def _one(self, sql: str, params: list[Any] | None = None) -> Any:
        with self._conn.cursor() as cursor:
            cursor.execute(sql, params or None)
            row = cursor.fetchone()
        return None if row is None else row[0]

    def call_span(self) -> tuple[datetime, datetime] | None:
        # Two statements: each is one probe of the started_at index (as SqlQueries.call_span).
        first = self._one("SELECT min(started_at) FROM calls")
        last = self._one("SELECT max(started_at) FROM calls")
        if first is None or last is None:
            return None
        return from_micros(int(first)), from_micros(int(last))

    def call_count_where(self, where: CallFilter) -> int:
        clause, params = _conditions(where)
        return int(self._one(f"SELECT count(*) FROM calls AS c{clause}", params) or 0)

    def call_batches(
        self, where: CallFilter, order: CallOrder, batch_rows: int
    ) -> Iterator[pa.RecordBatch]:
        stream = self._stream(where, order, batch_rows)
        self._open.append(stream)
        return stream

    def _stream(
        self, where: CallFilter, order: CallOrder, batch_rows: int
    ) -> Generator[pa.RecordBatch, None, None]:
        clause, params = _conditions(where)
        sql = f"SELECT {COLUMNS} FROM calls AS c{clause}{order_by(order)}"
        with self._conn.cursor() as cursor:
            cursor.adbc_statement.set_options(**{BATCH_ROWS_OPTION: str(max(batch_rows, 1))})
            cursor.execute(sql, params or None)
            reader = cursor.fetch_record_batch()
            try:
                yield from reader
            finally:
                reader.close()


class SqliteCallBatches:
    """Satisfies ``ports.CallBatches`` for an SQLite file (``uri``: a read-only SQLite URI)."""

    def __init__(self, uri: str, busy_timeout_ms: int) -> None:
        self._uri = uri
        self._busy_timeout_ms = busy_timeout_ms

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[CallSnapshotReader]:
        from adbc_driver_sqlite import dbapi  # the driver (a shared library): only now

        # DB-API default: not autocommit, so the driver keeps one transaction open until the
        # rollback below: every statement of the snapshot reads the same state of the store.
        try:
            conn = dbapi.connect(self._uri)
        except dbapi.Error as exc:
            raise StoreError(_failed(exc)) from None
        try:
            with conn.cursor() as cursor:
                cursor.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
            reader = CallSnapshotReader(conn)
            try:
                yield reader
            finally:
                reader.close()
        except dbapi.Error as exc:  # a damaged page, a file gone: one line, as the engine's
            raise StoreError(_failed(exc)) from None
        finally:
            try:
                conn.rollback()
            finally:
                conn.close()
