"""Staging a big import of calls (PERFORMANCE.md B3): the fast path of ``services.bulk_calls``.

The cells of a checked CSV go, as the file holds them, into a temporary table with no index
(``executemany`` on the reader's own lists: no per-row objects, no per-row SQLAlchemy
parameters). One ``INSERT ... SELECT`` then converts them (blank optional cells to NULL, the
UTC time to the store's integer microseconds, the seconds to an integer) and writes the new
calls; the rollups are read from the same table with one GROUP BY. Everything runs in the unit
of work's transaction, so a failed import leaves nothing behind.

SQLite only (``SqlUnitOfWork.bulk_calls`` is None on other databases, where the import takes its
row-by-row path). While staging, the connection's page cache is raised so that the calls table's
indexes are updated in memory rather than page by page from the disk; it is put back after.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from billing_desktop.domain.errors import Conflict

STAGING = "temp.import_calls_staging"
COLUMNS = (
    "id", "type", "triggered_by", "trigger_source", "candidate_id", "campaign", "number",
    "user_id", "started_at", "duration_seconds",
)  # fmt: skip
OPTIONAL = frozenset({"candidate_id", "number", "user_id"})
IMPORT_CACHE_KIB = 256 * 1024  # page cache while importing (SQLite's default is 2 MB)


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

    def _sql(self, statement: str, parameters: Any = None) -> Any:
        return self._conn.exec_driver_sql(statement, parameters or ())

    def begin(self, columns: Sequence[str]) -> None:
        unknown = set(columns) - set(COLUMNS)
        if unknown or len(set(columns)) != len(columns):
            raise ValueError(f"cannot stage the columns {list(columns)}")
        self._columns = tuple(columns)
        self._sql(f"DROP TABLE IF EXISTS {STAGING}")
        self._sql(f"CREATE TABLE {STAGING} ({', '.join(f'{c} TEXT' for c in columns)})")
        if self._cache is None:
            self._cache = int(self._sql("PRAGMA cache_size").scalar_one())
            self._sql(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")

    def add(self, rows: Iterable[Sequence[str]]) -> None:
        marks = ", ".join("?" for _ in self._columns)
        cursor = self._conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.executemany(f"INSERT INTO {STAGING} VALUES ({marks})", rows)
        finally:
            cursor.close()

    def _joined(self) -> str:
        return f"FROM {STAGING} s JOIN calls c ON c.id = s.id"

    def overlap(self) -> tuple[int, int]:
        present = frozenset(self._columns)
        if self._sql("SELECT EXISTS (SELECT 1 FROM calls)").scalar_one() == 0:
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
            f"FROM {STAGING} s{self._new_only(skip_stored)} GROUP BY 1 ORDER BY 1"
        )
        return [(str(minute), int(n), int(m)) for minute, n, m in self._sql(query)]

    def insert_new(self, skip_stored: bool) -> int:
        present = frozenset(self._columns)
        values = ", ".join(_converted(name, present) for name in COLUMNS)
        statement = (
            f"INSERT INTO calls ({', '.join(COLUMNS)}) SELECT {values} "
            f"FROM {STAGING} s{self._new_only(skip_stored)}"
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
        staged = self._sql(f"SELECT count(*) FROM {STAGING}").scalar_one()
        if skip_stored or not staged or staged < REBUILD_SHARE * stored:
            return []
        rows = self._sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'calls' "
            "AND sql IS NOT NULL ORDER BY name"
        ).all()
        return [(str(name), str(sql)) for name, sql in rows]

    def end(self) -> None:
        # Tidying only: it must not hide why an import failed (a full disk, a lost lock). A
        # table left behind is dropped by the next ``begin`` or with the connection.
        cache, self._cache = self._cache, None
        try:
            self._sql(f"DROP TABLE IF EXISTS {STAGING}")
            if cache is not None:
                self._sql(f"PRAGMA cache_size = {cache}")
        except sa.exc.DBAPIError:
            pass
