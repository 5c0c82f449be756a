"""The audit log, its activity-report queries and its tamper-evident chain."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from billing_desktop.domain import model as m
from billing_desktop.domain.audit_chain import GENESIS, link
from billing_desktop.store.ports import AuditQuery, AuditRow, ChainLink
from billing_desktop.store.sql import tables as t
from billing_desktop.store.sql.repositories.common import (
    Mapper,
    chunks,
)

# The advisory lock that makes PostgreSQL writers join the chain one at a time (SQLite
# writers already take turns: BEGIN IMMEDIATE). Any constant; this one spells "audi".
CHAIN_LOCK = 0x61756469
_DISTINCT = {"actor", "action", "entity"}


def _chain_select() -> sa.Select[Any]:
    """The columns the chain covers, read as stored: the instant as its integer microseconds
    and the JSON as its text (parsed here: three times quicker than through the column types,
    and PostgreSQL's ``json`` gives back exactly the text written)."""
    c = t.audit_log.c
    return sa.select(
        c.id,
        sa.type_coerce(c.at, sa.BigInteger),
        c.actor,
        c.origin,
        c.action,
        c.entity,
        c.entity_id,
        sa.cast(c.before, sa.Text),
        sa.cast(c.after, sa.Text),
        c.request_key,
        c.chain_seq,
        c.chain_hash,
    )


def _json(text: str | None) -> object:
    return None if text is None else json.loads(text)


def _link(row: Any, seq: int | None) -> ChainLink:
    """A row of :func:`_chain_select` as the chain sees it (its content with place ``seq``)."""
    row_id, at, actor, origin, action, entity, entity_id, before, after, key, _, hashed = row
    content: dict[str, object] = {
        "seq": seq,
        "id": row_id,
        "at": int(at),
        "actor": actor,
        "origin": origin,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "before": _json(before),
        "after": _json(after),
        "request_key": key,
    }
    return ChainLink(row_id, seq, content, hashed)


def _where(query: AuditQuery) -> list[sa.ColumnElement[bool]]:
    c = t.audit_log.c
    where: list[sa.ColumnElement[bool]] = []
    if query.start is not None:
        where.append(c.at >= query.start)
    if query.end is not None:
        where.append(c.at < query.end)
    if query.actor is not None:
        where.append(c.actor == query.actor)
    if query.action is not None:
        where.append(c.action == query.action)
    if query.entity is not None:
        where.append(c.entity == query.entity)
    if query.entity_id is not None:
        where.append(c.entity_id == query.entity_id)
    for entity, entity_id in query.hidden:
        if entity_id is None:
            where.append(c.entity != entity)
        else:
            where.append(sa.not_(sa.and_(c.entity == entity, c.entity_id == entity_id)))
    return where


class SqlAudit:
    """Entries added are kept in memory and written as the unit of work commits (``seal``),
    in one statement that gives back what the chain covers as stored: a write's audit rows
    cost the database one round trip, not one each plus a read and a request-key update, and
    less of the write's time is spent holding its resource's lock (B10). Anything that reads
    the log first writes what is kept (``_flush``), so a unit of work reads its own entries."""

    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn
        self._mapper = Mapper(m.AuditEntry, t.audit_log, ("at",))
        self._kept: list[dict[str, Any]] = []  # rows added, not written yet
        self._written = False  # rows written before the seal (a read came between)

    def add(self, entry: m.AuditEntry) -> None:
        self._kept.append(self._mapper.to_row(entry, None))

    def tag(self, request_key: str) -> None:
        """Give the rows this unit of work added without a request key ``request_key`` (the
        API server's Idempotency-Key of the write)."""
        for row in self._kept:
            if row.get("request_key") is None:
                row["request_key"] = request_key
        if self._written:
            c = t.audit_log.c
            self._conn.execute(
                t.audit_log.update()
                .where(c.chain_seq.is_(None), c.request_key.is_(None))
                .values(request_key=request_key)
            )

    def _flush(self) -> None:
        if self._kept:
            self._conn.execute(t.audit_log.insert(), self._kept)
            self._kept = []
            self._written = True

    def seal(self) -> None:
        """Write the rows kept and give the rows not yet chained their ``chain_seq`` and hash,
        in id order, after the last sealed row. Runs as the unit of work commits, so the lock
        it takes on PostgreSQL is the transaction's last (no lock-order deadlock with other
        writers) and is held only for the commit; a second writer then reads this one's last
        hash. The rows are written before the lock, and give back what the chain covers."""
        if not self._kept and not self._written:
            return
        conn = self._conn
        c = t.audit_log.c
        rows: Sequence[Any] = []
        if self._kept:
            # One INSERT with RETURNING the chain's columns as stored (SQLAlchemy's
            # "insertmanyvalues": one statement per batch on PostgreSQL and SQLite).
            returned = conn.execute(
                t.audit_log.insert().returning(*_chain_select().selected_columns),
                self._kept,
            )
            rows = returned.all()
            self._kept = []
        if conn.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(CHAIN_LOCK)))
        last = conn.execute(
            sa.select(c.chain_seq, c.chain_hash)
            .where(c.chain_seq.is_not(None))
            .order_by(c.chain_seq.desc())
            .limit(1)
        ).first()
        seq, previous = (0, GENESIS) if last is None else (int(last[0]), str(last[1]))
        if self._written:  # some were written before: read every row not chained yet
            rows = conn.execute(_chain_select().where(c.chain_seq.is_(None)).order_by(c.id)).all()
        sealed: list[dict[str, object]] = []
        for row in sorted(rows, key=lambda row: int(row[0])):
            seq += 1
            previous = link(previous, _link(row, seq).content)
            sealed.append({"row_id": row[0], "seq": seq, "hash": previous})
        if sealed:  # one statement for all (psycopg pipelines it): less time under the lock
            conn.execute(
                t.audit_log.update()
                .where(c.id == sa.bindparam("row_id"))
                .values(chain_seq=sa.bindparam("seq"), chain_hash=sa.bindparam("hash")),
                sealed,
            )
        self._written = False

    def recent(self, limit: int = 100) -> list[m.AuditEntry]:
        self._flush()
        query = sa.select(t.audit_log).order_by(t.audit_log.c.id.desc()).limit(limit)
        return [self._mapper.from_row(row, None) for row in self._conn.execute(query)]

    def count(self, query: AuditQuery) -> int:
        self._flush()
        select = sa.select(sa.func.count()).select_from(t.audit_log).where(*_where(query))
        return int(self._conn.execute(select).scalar() or 0)

    def page(self, query: AuditQuery, offset: int, limit: int) -> list[AuditRow]:
        self._flush()
        c = t.audit_log.c
        select = (
            sa.select(t.audit_log)
            .where(*_where(query))
            .order_by(c.at.desc(), c.id.desc())
            .offset(max(offset, 0))
            .limit(max(limit, 0))
        )
        return [
            AuditRow(row.id, self._mapper.from_row(row, None), row.chain_seq)
            for row in self._conn.execute(select)
        ]

    def distinct(self, column: str, query: AuditQuery) -> list[str]:
        self._flush()
        if column not in _DISTINCT:
            raise ValueError(f"audit rows have no listable column {column!r}")
        col = t.audit_log.c[column]
        select = sa.select(col).where(*_where(query)).group_by(col).order_by(col)
        return [str(value) for value in self._conn.execute(select).scalars()]

    def span(self, query: AuditQuery) -> tuple[datetime, datetime] | None:
        self._flush()
        c = t.audit_log.c
        select = sa.select(sa.func.min(c.at), sa.func.max(c.at)).where(*_where(query))
        first, last = self._conn.execute(select).one()
        if first is None or last is None:
            return None
        # min/max keep the column's type: the instants come back as datetimes.
        return first, last

    def chain(self, after_seq: int, limit: int) -> list[ChainLink]:
        self._flush()
        c = t.audit_log.c
        select = _chain_select().where(c.chain_seq > after_seq).order_by(c.chain_seq).limit(limit)
        return [_link(row, row[10]) for row in self._conn.execute(select)]

    def unsealed(self) -> list[ChainLink]:
        self._flush()
        c = t.audit_log.c
        select = _chain_select().where(c.chain_seq.is_(None)).order_by(c.id).limit(100)
        return [_link(row, None) for row in self._conn.execute(select)]

    def for_entities(self, entity: str, entity_ids: Sequence[str]) -> list[m.AuditEntry]:
        self._flush()
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
