"""The audit log."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from billing_desktop.domain import model as m
from billing_desktop.store.sql import tables as t
from billing_desktop.store.sql.repositories.common import (
    Mapper,
    chunks,
)


class SqlAudit:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn
        self._mapper = Mapper(m.AuditEntry, t.audit_log, ("at",))

    def add(self, entry: m.AuditEntry) -> None:
        self._conn.execute(t.audit_log.insert().values(**self._mapper.to_row(entry, None)))

    def recent(self, limit: int = 100) -> list[m.AuditEntry]:
        query = sa.select(t.audit_log).order_by(t.audit_log.c.id.desc()).limit(limit)
        return [self._mapper.from_row(row, None) for row in self._conn.execute(query)]

    def for_entities(self, entity: str, entity_ids: Sequence[str]) -> list[m.AuditEntry]:
        c = t.audit_log.c
        found: list[m.AuditEntry] = []
        for part in chunks(sorted(set(entity_ids)), 500):
            query = (
                sa.select(t.audit_log)
                .where(c.entity == entity, c.entity_id.in_(list(part)))
                .order_by(c.id)
            )
            found.extend(self._mapper.from_row(row, None) for row in self._conn.execute(query))
        return sorted(found, key=lambda e: e.at)


_SOURCE_TIME_COLUMNS: dict[m.Source, sa.Column[Any]] = {
    m.Source.CONVERSATIONS: t.conversations.c.started_at,
    m.Source.ALERTS: t.alerts.c.delivered_at,
    m.Source.CALLS: t.calls.c.started_at,
    m.Source.SMS: t.sms.c.sent_at,
    m.Source.INTERVIEWS: t.interviews.c.completed_at,
    m.Source.RECORDINGS: t.recordings.c.recorded_at,
}
