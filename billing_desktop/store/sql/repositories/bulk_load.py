"""Filling empty tables in bulk (the demo's build, PERFORMANCE.md B9): ``ports.BulkLoad``.

Two things make millions of inserts into an indexed SQLite table slow, and both grow with the
table: SQLite's default page cache of 2 MB, so that every insert into an index whose order is
not the insertion order (the calls by duration) reads and spills a page, and that maintenance
itself, key by key. While loading, the connection's page cache is raised, and the ordinary
(non-unique) indexes of the tables being filled are dropped and built again at the end from
sorted keys, in the same transaction: a failure rolls the drop back with everything else. Only
empty tables lose their indexes (a table holding rows keeps them: rebuilding would cost what it
holds). Primary keys and unique indexes stay: they still refuse a key given twice.

SQLite only (``SqlUnitOfWork.bulk_load`` is None on other databases, where the rows are
inserted as usual).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import sqlalchemy as sa

from billing_desktop.store.sql.repositories.staging import IMPORT_CACHE_KIB


class SqlBulkLoad:
    """Satisfies ``ports.BulkLoad`` on SQLite."""

    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def _sql(self, statement: str, parameters: Any = None) -> Any:
        return self._conn.exec_driver_sql(statement, parameters or ())

    def _empty(self, table: str) -> bool:
        return int(self._sql(f'SELECT NOT EXISTS (SELECT 1 FROM "{table}")').scalar_one()) == 1

    def _ordinary_indexes(self, table: str) -> list[tuple[str, str]]:
        """(name, CREATE INDEX statement) of the non-unique indexes of ``table``."""
        rows = self._sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name",
            (table,),
        ).all()
        return [(str(name), str(sql)) for name, sql in rows]

    @contextmanager
    def loading(self, tables: Sequence[str]) -> Iterator[None]:
        cache = int(self._sql("PRAGMA cache_size").scalar_one())
        self._sql(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
        try:
            dropped = [
                index
                for table in tables
                if self._empty(table)
                for index in self._ordinary_indexes(table)
            ]
            for name, _definition in dropped:
                self._sql(f'DROP INDEX "{name}"')
            yield
            for _name, definition in dropped:
                self._sql(definition)
        finally:
            # Tidying only: it must not hide why the load failed.
            with suppress(sa.exc.DBAPIError):
                self._sql(f"PRAGMA cache_size = {cache}")
