"""Staging a big import of calls (PERFORMANCE.md B3): the fast path of ``services.bulk_calls``.

The checked cells of a calls file arrive as Arrow batches and are written, as the file holds
them, into a table with no index in a scratch SQLite file of their own, by the ADBC SQLite driver
(``adbc_driver_sqlite``: Arrow columns bound in C, no Python object per cell, journal and syncs
off, since the file is thrown away). The scratch file is then attached to the import's
connection: one ``INSERT ... SELECT`` converts the cells (blank optional cells to NULL, the UTC
time to the store's integer microseconds, the seconds to an integer) and writes the new calls,
and the rollups are read from the same table with one GROUP BY. Everything that touches the
store runs in the unit of work's transaction, so a failed import leaves nothing behind; the
scratch file is detached and deleted when the unit of work ends (SQLite cannot detach a file
its open transaction has read), or at once when it was never attached.

SQLite only (``SqlUnitOfWork.bulk_calls`` is None on other databases, where the import takes its
row-by-row path). While staging, the connection's page cache is raised so that the calls table's
indexes are updated in memory rather than page by page from the disk; it is put back after.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import queue
import sqlite3
import tempfile
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from billing_desktop.domain.errors import Conflict

if TYPE_CHECKING:
    import pyarrow as pa

logger = logging.getLogger(__name__)

TABLE = "calls_staging"  # in each scratch file
COLUMNS = (
    "id", "type", "triggered_by", "trigger_source", "candidate_id", "campaign", "number",
    "user_id", "started_at", "duration_seconds",
)  # fmt: skip
OPTIONAL = frozenset({"candidate_id", "number", "user_id"})
IMPORT_CACHE_KIB = 256 * 1024  # page cache while importing (SQLite's default is 2 MB)
_ALIASES = itertools.count(1)  # scratch files attached under names of their own


def _converted(name: str, present: frozenset[str]) -> str:
    """The SQL giving the calls column ``name`` from the staged text cells."""
    if name not in present:
        return "NULL"
    if name in OPTIONAL:
        return f"NULLIF(s.{name}, '')"
    if name == "started_at":  # 'YYYY-MM-DDTHH:MM:SSZ' (checked) -> microseconds since 1970
        return "CAST(strftime('%s', s.started_at) AS INTEGER) * 1000000"
    if name == "duration_seconds":
        return "CAST(s.duration_seconds AS INTEGER)"
    return f"s.{name}"


# Rebuild the calls indexes when an import brings at least this many times the calls stored.
# Measured with the indexes of revision 0017 (plain SQLite, INSERT ... SELECT of time-ordered
# calls, 256 MB cache, load 8): 1M into an empty table 13.1 s kept / 6.7 s rebuilt; 750k onto
# 250k 9.0 / 9.1 s; 500k onto 500k 7.5 / 10.3 s; 100k onto 1M 2.0 / 10.2 s.
REBUILD_SHARE = 3


class SqlCallStaging:
    """Satisfies ``ports.CallStaging`` on SQLite."""

    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn
        self._columns: tuple[str, ...] = ()
        self._cache: int | None = None
        self._writer: _ScratchWriter | None = None  # filling the scratch file
        self._rows = 0  # rows staged since begin()
        self._ids: tuple[str, str] | None = None  # the least and greatest id staged
        self._path: str | None = None  # the scratch file being filled or read
        self._table = ""  # the staged rows, as the import's connection names them
        self._attached: list[tuple[str, str]] = []  # (schema, file) to detach and delete

    def _sql(self, statement: str, parameters: Any = None) -> Any:
        return self._conn.exec_driver_sql(statement, parameters or ())

    def begin(self, columns: Sequence[str]) -> None:
        unknown = set(columns) - set(COLUMNS)
        if unknown or len(set(columns)) != len(columns):
            raise ValueError(f"cannot stage the columns {list(columns)}")
        self.end()
        self._columns = tuple(columns)
        descriptor, self._path = tempfile.mkstemp(prefix="billing-import-", suffix=".sqlite")
        os.close(descriptor)
        self._table, self._rows, self._ids = "", 0, None
        if self._cache is None:
            self._cache = int(self._sql("PRAGMA cache_size").scalar_one())
            self._sql(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")

    def add(self, batch: pa.RecordBatch) -> None:
        if self._path is None or self._table:
            raise RuntimeError("rows are staged between begin() and the first read")
        if list(batch.schema.names) != list(self._columns):
            raise ValueError(f"cannot stage the columns {batch.schema.names}")
        if not batch.num_rows:
            return  # the writer (and its table) start with the first row
        if self._writer is None:
            self._writer = _ScratchWriter(self._path, self._definition)
        self._writer.put(batch)
        self._rows += batch.num_rows
        if "id" in self._columns:
            import pyarrow.compute as pc

            span = pc.min_max(batch.column("id"))  # bytewise, as SQLite's BINARY collation
            low, high = span["min"].as_py(), span["max"].as_py()
            if low is not None and high is not None:
                known = self._ids
                self._ids = (
                    (low, high) if known is None else (min(known[0], low), max(known[1], high))
                )

    @property
    def _definition(self) -> str:
        return ", ".join(f"{column} TEXT" for column in self._columns)

    @property
    def _staged(self) -> str:
        """The staged rows' table, attaching the scratch file on the first read."""
        if not self._table:
            if self._path is None:
                raise RuntimeError("nothing is staged")
            self._close_writer()
            schema = f"import_scratch_{next(_ALIASES)}"
            self._sql(f"ATTACH DATABASE ? AS {schema}", (self._path,))
            self._attached.append((schema, self._path))
            if not self._rows:  # nothing was added: an empty table of the columns
                self._sql(f"CREATE TABLE {schema}.{TABLE} ({self._definition})")
            self._table = f"{schema}.{TABLE}"
        return self._table

    def _joined(self) -> str:
        return f"FROM {self._staged} s JOIN calls c ON c.id = s.id"

    def overlap(self) -> tuple[int, int]:
        present = frozenset(self._columns)
        # One probe of the primary key first: a daily file's ids (new ones, past the stored)
        # then cost no lookup each, however many calls are stored (B9).
        probe = "SELECT EXISTS (SELECT 1 FROM calls WHERE id BETWEEN ? AND ?)"
        if self._ids is None or self._sql(probe, self._ids).scalar_one() == 0:
            return 0, 0
        same = " AND ".join(
            f"c.{name} IS {_converted(name, present)}" for name in COLUMNS if name != "id"
        )
        stored, identical = self._sql(
            f"SELECT count(*), coalesce(sum({same}), 0) {self._joined()}"
        ).one()
        return int(stored), int(identical)

    def _new_only(self, skip_stored: bool) -> str:
        return " WHERE NOT EXISTS (SELECT 1 FROM calls c WHERE c.id = s.id)" if skip_stored else ""

    def minute_totals(self, skip_stored: bool) -> list[tuple[str, int, int]]:
        query = (
            "SELECT substr(s.started_at, 1, 16), count(*), "
            "sum((CAST(s.duration_seconds AS INTEGER) + 59) / 60) "
            f"FROM {self._staged} s{self._new_only(skip_stored)} GROUP BY 1 ORDER BY 1"
        )
        return [(str(minute), int(n), int(m)) for minute, n, m in self._sql(query)]

    def insert_new(self, skip_stored: bool) -> int:
        present = frozenset(self._columns)
        values = ", ".join(_converted(name, present) for name in COLUMNS)
        statement = (
            f"INSERT INTO calls ({', '.join(COLUMNS)}) SELECT {values} "
            f"FROM {self._staged} s{self._new_only(skip_stored)}"
        )
        savepoint = self._conn.begin_nested()
        try:
            indexes = self._indexes_to_rebuild(skip_stored)
            for name, _definition in indexes:
                self._sql(f'DROP INDEX "{name}"')
            count = int(self._sql(statement).rowcount)
            for _name, definition in indexes:
                self._sql(definition)
        except sa.exc.IntegrityError as exc:
            savepoint.rollback()
            raise Conflict("calls: an id is given twice, or a user is not stored") from exc
        except BaseException:
            savepoint.rollback()
            raise
        savepoint.commit()
        return count

    def _indexes_to_rebuild(self, skip_stored: bool) -> list[tuple[str, str]]:
        """(name, CREATE INDEX statement) of the calls indexes to drop before the insert and
        build again after it, in the same transaction: when the import brings at least
        ``REBUILD_SHARE`` times as many calls as are stored, because SQLite builds an index
        from sorted keys faster than it inserts the same keys one by one. Never for a smaller
        import, whose cost must not grow with the store. The primary key stays: it still
        refuses an id twice."""
        stored = self._sql("SELECT coalesce(max(rowid), 0) FROM calls").scalar_one()
        staged = self._rows  # counted as they were added: no pass over the scratch file
        if skip_stored or not staged or staged < REBUILD_SHARE * stored:
            return []
        rows = self._sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'calls' "
            "AND sql IS NOT NULL ORDER BY name"
        ).all()
        return [(str(name), str(sql)) for name, sql in rows]

    def _close_writer(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()

    def end(self) -> None:
        # Tidying only: it must not hide why an import failed (a full disk, a lost lock). A
        # scratch file the transaction has read stays attached until ``release``.
        cache, self._cache = self._cache, None
        path, self._path, self._table = self._path, None, ""
        try:
            self._close_writer()
        except Exception:  # the ADBC driver's own errors, already raised to the import
            logger.warning("the import's scratch file %s was not closed", path, exc_info=True)
        if path is not None and all(path != attached for _schema, attached in self._attached):
            _delete(path)
        try:
            if cache is not None:
                self._sql(f"PRAGMA cache_size = {cache}")
        except sa.exc.DBAPIError:
            pass

    def release(self) -> None:
        """Detach and delete the scratch files, once the unit of work's transaction is over."""
        self.end()
        attached, self._attached = self._attached, []
        # On the driver's connection: SQLAlchemy's would begin a transaction first.
        driver = self._conn.connection.driver_connection
        for schema, path in attached:
            try:
                driver.execute(f"DETACH DATABASE {schema}")  # type: ignore[union-attr]
            except sqlite3.Error:
                logger.warning("the import's scratch file %s stays attached", path, exc_info=True)
            _delete(path)


def _delete(path: str) -> None:
    with contextlib.suppress(OSError):  # Windows: still open somewhere; the temp folder's then
        os.remove(path)


class _ScratchWriter:
    """Writes Arrow batches into a scratch file on a thread of its own (the ADBC driver lets go
    of the interpreter while SQLite writes), so that the import reads and checks the next batch
    of the file meanwhile. At most two batches wait; an error of the writer is raised by the
    next ``put`` or by ``close``, which returns once every batch put is written."""

    def __init__(self, path: str, definition: str) -> None:
        self._queue: queue.Queue[pa.RecordBatch | None] = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(path, definition), name="import-staging", daemon=True
        )
        self._thread.start()

    def put(self, batch: pa.RecordBatch) -> None:
        self._raise()
        self._queue.put(batch)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
        self._raise()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self, path: str, definition: str) -> None:
        try:
            import adbc_driver_sqlite.dbapi

            with (
                adbc_driver_sqlite.dbapi.connect(path, autocommit=True) as connection,
                connection.cursor() as cursor,
            ):
                # The file is thrown away after the import: no journal, no syncs.
                cursor.execute("PRAGMA journal_mode = OFF")
                cursor.execute("PRAGMA synchronous = OFF")
                cursor.execute(f"CREATE TABLE {TABLE} ({definition})")
                while (batch := self._queue.get()) is not None:
                    cursor.adbc_ingest(TABLE, batch, mode="append")
        except BaseException as exc:  # raised to the import by put() or close()
            self._error = exc
            while self._queue.get() is not None:  # let put() and close() through
                pass
