"""Plan extension requests."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import sqlalchemy as sa

from billing_desktop.domain.plans import ExtensionRequest
from billing_desktop.store.sql import tables as t
from billing_desktop.store.sql.repositories.common import (
    CHUNK,
    Mapper,
    _savepoint,
    chunks,
)


class SqlExtensionRequests:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn
        self._mapper = Mapper(ExtensionRequest, t.plan_extension_requests, ("id",))

    def add(self, request: ExtensionRequest) -> ExtensionRequest:
        row = self._mapper.to_row(request, None)
        row.pop("id")
        with _savepoint(self._conn, lambda: f"app {request.app}: no such app in this workspace"):
            result = self._conn.execute(t.plan_extension_requests.insert().values(**row))
        key = result.inserted_primary_key
        assert key is not None
        return dataclasses.replace(request, id=int(key[0]))

    def decide(self, request: ExtensionRequest) -> None:
        """Store the decision fields of a stored request (status, by, at, end, note)."""
        assert request.id is not None
        c = t.plan_extension_requests.c
        self._conn.execute(
            t.plan_extension_requests.update()
            .where(c.id == request.id)
            .values(
                status=request.status,
                decided_by=request.decided_by,
                decided_at=request.decided_at,
                granted_end=request.granted_end,
                decision_note=request.decision_note,
            )
        )

    def for_apps(self, app_ids: Sequence[str]) -> list[ExtensionRequest]:
        c = t.plan_extension_requests.c
        found: list[ExtensionRequest] = []
        for part in chunks(sorted(set(app_ids)), CHUNK):
            query = sa.select(t.plan_extension_requests).where(c.app.in_(list(part)))
            found.extend(self._mapper.from_row(row, None) for row in self._conn.execute(query))
        return sorted(found, key=lambda r: (r.requested_at, r.id or 0))
