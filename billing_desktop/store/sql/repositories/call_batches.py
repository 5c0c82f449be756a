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
from functools import cache
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from billing_desktop.domain.errors import StoreError
from billing_desktop.store.ports import CallFilter, CallOrder
from billing_desktop.store.sql.repositories.queries import (
    call_count_select,
    call_export_select,
    call_span_selects,
)
from billing_desktop.store.sql.types import from_micros

if TYPE_CHECKING:
    import pyarrow as pa

BATCH_ROWS_OPTION = "adbc.sqlite.query.batch_rows"


@cache
def _dialect() -> Dialect:
    from sqlalchemy.dialects import sqlite

    return sqlite.dialect()  # qmark parameters, as the ADBC driver takes them


def _compiled(statement: sa.Select[Any]) -> tuple[str, list[Any]]:
    """The SQLite text of one of the call log's statements (``queries.call_select``,
    ``call_count_select``: the same filters and order as every other reading of the log) and
    its parameters in order, bound as the engine binds them (instants as microseconds)."""
    dialect = _dialect()
    compiled = statement.compile(dialect=dialect)
    values = compiled.construct_params()
    params = []
    for name in compiled.positiontup or ():
        process = compiled.binds[name].type.bind_processor(dialect)
        params.append(values[name] if process is None else process(values[name]))
    return compiled.string, params


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
        first, last = (self._one(*_compiled(query)) for query in call_span_selects())
        if first is None or last is None:
            return None
        return from_micros(int(first)), from_micros(int(last))

    def call_count_where(self, where: CallFilter) -> int:
        return int(self._one(*_compiled(call_count_select(where))) or 0)

    def call_batches(
        self, where: CallFilter, order: CallOrder, batch_rows: int
    ) -> Iterator[pa.RecordBatch]:
        stream = self._stream(where, order, batch_rows)
        self._open.append(stream)
        return stream

    def _stream(
        self, where: CallFilter, order: CallOrder, batch_rows: int
    ) -> Generator[pa.RecordBatch, None, None]:
        sql, params = _compiled(call_export_select(where, order, blank_optional=True))
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
