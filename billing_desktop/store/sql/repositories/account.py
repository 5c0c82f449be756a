"""The account (one row)."""

from __future__ import annotations

import sqlalchemy as sa

from billing_desktop.domain import model as m
from billing_desktop.store.sql import tables as t
from billing_desktop.store.sql.repositories.common import (
    Mapper,
)


class SqlAccount:
    _mapper = Mapper(m.Account, t.account, ("name",))

    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def get(self) -> m.Account | None:
        row = self._conn.execute(sa.select(t.account).where(t.account.c.id == 1)).first()
        return None if row is None else self._mapper.from_row(row, None)

    def save(self, account: m.Account) -> None:
        values = self._mapper.to_row(account, None)
        if self._conn.execute(sa.select(t.account.c.id)).first() is None:
            self._conn.execute(t.account.insert().values(id=1, **values))
        else:
            self._conn.execute(t.account.update().where(t.account.c.id == 1).values(**values))
