"""Resource versions: a counter per resource that every write moves on.

The API server checks them for If-Match (a compare-and-set); every client of a store polls them
to learn of writes made elsewhere (another process on the same file, another client of the
same server), so every open view follows them.
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

    def get(self, resource: str) -> int:
        """The resource's version (0 before its first write)."""
        c = t.resource_versions.c
        value = self._conn.execute(sa.select(c.version).where(c.resource == resource)).scalar()
        return int(value or 0)

    def bump(self, resource: str, expected: int | None = None) -> int | None:
        """Move ``resource`` to its next version, if it is at ``expected`` (None: whatever it
        is). Returns the new version, or None when it has moved on (a stale write). The
        compare-and-set is one UPDATE, so two servers racing on one database cannot both win.
        """
        c = t.resource_versions.c
        update = t.resource_versions.update().where(c.resource == resource)
        if expected is not None:
            update = update.where(c.version == expected)
        update = update.values(version=c.version + 1)
        if self._conn.dialect.update_returning:  # one round trip (SQLite 3.35+, PostgreSQL)
            moved = self._conn.execute(update.returning(c.version)).scalar()
            if moved is not None:
                return int(moved)
        elif self._conn.execute(update).rowcount == 1:
            return self.get(resource)
        # No row when the UPDATE looked. With any version wanted (None), create it — and if
        # another writer's first version was committed just after that look (PostgreSQL: a
        # statement sees what was committed before it began), the insert fails and the
        # UPDATE is tried again, instead of refusing an "If-Match: *" write as stale.
        if expected is None or (expected == 0 and self.get(resource) == 0):
            try:
                with self._conn.begin_nested():
                    self._conn.execute(
                        t.resource_versions.insert().values(resource=resource, version=1)
                    )
                return 1
            except sa.exc.IntegrityError:  # another writer created it first: compare again
                return self.bump(resource, expected)
        return None
