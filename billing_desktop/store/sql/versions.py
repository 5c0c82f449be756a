"""Resource versions: a counter per resource that every write moves on.

The API server checks them for If-Match; every client of a store polls them to learn of
writes made elsewhere (another process on the same file, another client of the same server),
so every open view follows them.
"""

from __future__ import annotations

import sqlalchemy as sa

from billing_desktop.store.sql import tables as t


class SqlVersions:
    """Satisfies ``ports.VersionRepository``."""

    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def all(self) -> dict[str, int]:
        c = t.resource_versions.c
        return {str(r): int(v) for r, v in self._conn.execute(sa.select(c.resource, c.version))}

    def bump(self, resource: str) -> None:
        c = t.resource_versions.c
        moved = self._conn.execute(
            t.resource_versions.update().where(c.resource == resource).values(version=c.version + 1)
        )
        if moved.rowcount == 0:
            try:
                with self._conn.begin_nested():
                    self._conn.execute(
                        t.resource_versions.insert().values(resource=resource, version=1)
                    )
            except sa.exc.IntegrityError:  # another writer created it first
                self.bump(resource)
