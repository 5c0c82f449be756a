"""Workspace settings."""

from __future__ import annotations

import sqlalchemy as sa

from billing_desktop.store.sql import tables as t


class SqlSettings:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def get(self, key: str) -> object | None:
        query = sa.select(t.workspace_settings.c.value).where(t.workspace_settings.c.key == key)
        row = self._conn.execute(query).first()
        return None if row is None else row[0]

    def put(self, key: str, value: object) -> None:
        table = t.workspace_settings
        if self._conn.execute(sa.select(table.c.key).where(table.c.key == key)).first() is None:
            self._conn.execute(table.insert().values(key=key, value=value))
        else:
            self._conn.execute(table.update().where(table.c.key == key).values(value=value))
