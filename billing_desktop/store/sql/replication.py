"""Copying a store's tables to a client's replica, in key-ordered chunks (PRODUCT §13).

Both ends run this module on the same schema: the server reads a table as the rows one user may
read (``visible``), cut into chunks of ``CHUNK`` rows by primary key, each with a digest; the
client computes the digest of the same key range in its replica and fetches only the chunks that
differ. So a first sync cut off half way resumes where it stopped (the chunks it holds match), a
later sync fetches only what changed, and the server keeps no state per client.

Append-only records (calls, SMS, …) never change once written: their digest covers the keys
only, which is cheap to compute over a million rows. Every other table's digest covers the
whole row, so an edit, a delete or a right taken away shows as a changed chunk.

Once a replica holds a table of records, it pulls only the rows added since: the server stamps
every row not stamped yet with the next number of its watermark counter (``stamp``; the
counter's row is locked until the stamp commits, so a number seen committed means every smaller
one is committed too), and the client asks for the rows stamped after the last (number, key) it
holds, up to the number the stamp gave (``since``), ``CHUNK`` at a time. A count of the rows
up to that number tells both ends agree (a row deleted on the server or a right taken away
does not show as a new row); when they do not, the table is compared by digests as above.

Rows travel as JSON lists in column order: decimals and instants as text (never floats),
dates as ISO dates.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import pairwise
from typing import Any

import sqlalchemy as sa

from billing_desktop.domain.access import Area, Rights
from billing_desktop.store.sql import tables as t
from billing_desktop.store.sql.types import ExactDecimal, UtcTimestamp

CHUNK = 5_000
APP_POOL_PREFIX = "app:"


@dataclass(frozen=True)
class Replicated:
    """A table the replica holds: its resource (whose version tells it may have changed) and
    the tab a user must see to get its rows (None: everyone of the workspace)."""

    table: sa.Table
    resource: str
    area: Area | None = None
    append_only: bool = False
    # Rows stamped with the server's ``sync_seq`` (revision 0014) when added, and again when
    # changed (rows only ever added; the rollups, whose writer clears the stamp of a row it
    # changes): a replica holding them pulls the rows "after N".
    watermarked: bool = False

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def key(self) -> list[sa.Column[Any]]:
        return list(self.table.primary_key.columns)


# Parents before children (the replica inserts in this order and deletes in reverse).
TABLES: tuple[Replicated, ...] = (
    Replicated(t.account, "workspace"),
    Replicated(t.products, "workspace"),
    Replicated(t.commits, "workspace"),
    Replicated(t.users, "workspace"),
    Replicated(t.team_members, "workspace"),
    Replicated(t.agent_seats, "workspace"),
    Replicated(t.phone_numbers, "workspace"),
    Replicated(t.billing_units, "units", Area.BILLING_UNITS),
    Replicated(t.billing_unit_users, "units", Area.BILLING_UNITS),
    Replicated(t.billing_unit_numbers, "units", Area.BILLING_UNITS),
    Replicated(t.billing_unit_history, "units", Area.BILLING_UNITS),
    Replicated(t.plans, "plans", Area.PLANS),
    Replicated(t.apps, "plans", Area.PLANS),
    Replicated(t.plan_extension_requests, "plans", Area.PLANS),
    Replicated(t.conversations, "records", append_only=True, watermarked=True),
    Replicated(t.alerts, "records", append_only=True, watermarked=True),
    Replicated(t.calls, "records", append_only=True, watermarked=True),
    Replicated(t.sms, "records", append_only=True, watermarked=True),
    Replicated(t.interviews, "records", append_only=True, watermarked=True),
    Replicated(t.recordings, "records", append_only=True, watermarked=True),
    Replicated(t.storage_snapshots, "records"),
    # Rollups change, but their one writer (``SqlRollups.add``) stamps a changed row afresh.
    Replicated(t.usage_hourly, "records", watermarked=True),
    Replicated(t.ledger, "credits", watermarked=True),
    Replicated(t.invoices, "closing"),
    Replicated(t.closed_months, "closing"),
    Replicated(t.month_lines, "closing"),
    Replicated(t.workspace_settings, "quotas"),
)
BY_NAME: dict[str, Replicated] = {r.name: r for r in TABLES}


def replicated(name: str) -> Replicated:
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"{name} is not a replicated table") from None


# Rows on the wire ---------------------------------------------------------------------------


def encode_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def decode_value(column: sa.Column[Any], value: Any) -> Any:
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, UtcTimestamp):
        return datetime.fromisoformat(value)
    if isinstance(kind, ExactDecimal):
        return Decimal(value)
    if isinstance(kind, sa.Date):
        return date.fromisoformat(value)
    return value


def encode_row(row: Sequence[Any]) -> list[Any]:
    return [encode_value(v) for v in row]


def _digest_text(values: Any) -> bytes:
    return json.dumps(values, separators=(",", ":"), sort_keys=True).encode()


# Reading (server and replica alike) -------------------------------------------------------


def visible(spec: Replicated, rights: Rights | None) -> sa.ColumnElement[bool] | None:
    """The filter of ``spec``'s rows a user with ``rights`` may read (None: all of them); the
    caller checks ``spec.area`` (a table of a tab the user may not see is not sent at all).
    ``rights`` None: everything (the replica's own view of itself)."""
    if rights is None:
        return None
    if spec.table is t.ledger and not rights.can_view(Area.PLANS):
        # An app's funds are plan data (services.visibility): not for this user's replica.
        return sa.not_(t.ledger.c.pool.startswith(APP_POOL_PREFIX, autoescape=True))
    return None


def may_read(spec: Replicated, rights: Rights | None) -> bool:
    return rights is None or spec.area is None or rights.can_view(spec.area)


def _key_tuple(spec: Replicated) -> Any:
    key = spec.key
    return key[0] if len(key) == 1 else sa.tuple_(*key)


def _bound(spec: Replicated, key: Sequence[Any]) -> Any:
    if len(spec.key) == 1:
        return sa.literal(decode_value(spec.key[0], key[0]), spec.key[0].type)
    return sa.tuple_(
        *[sa.literal(decode_value(c, v), c.type) for c, v in zip(spec.key, key, strict=True)]
    )


def _select(
    spec: Replicated,
    rights: Rights | None,
    first: Sequence[Any] | None,
    last: Sequence[Any] | None,
    *,
    after: bool = False,
    keys_only: bool = False,
) -> sa.Select[Any]:
    columns = spec.key if keys_only else list(spec.table.columns)
    query = sa.select(*columns).order_by(*spec.key)
    where = visible(spec, rights)
    if where is not None:
        query = query.where(where)
    key = _key_tuple(spec)
    if first is not None:
        bound = _bound(spec, first)
        query = query.where(key > bound if after else key >= bound)
    if last is not None:
        query = query.where(key <= _bound(spec, last))
    return query


@dataclass(frozen=True)
class Chunk:
    """A key range of a table, its row count and digest (first/last: encoded keys)."""

    first: list[Any]
    last: list[Any]
    count: int
    digest: str

    def as_json(self) -> dict[str, Any]:
        return {"first": self.first, "last": self.last, "count": self.count, "digest": self.digest}


def chunks(
    conn: sa.Connection, spec: Replicated, rights: Rights | None, size: int | None = None
) -> Iterator[Chunk]:
    """The table cut into chunks of ``size`` rows (default ``CHUNK``) by key, streamed."""
    size = size or CHUNK
    width = len(spec.key)
    result = conn.execution_options(yield_per=size).execute(
        _select(spec, rights, None, None, keys_only=spec.append_only)
    )
    digest = hashlib.sha256()
    first: list[Any] | None = None
    last: list[Any] = []
    count = 0
    for row in result:
        encoded = encode_row(row)
        if first is None:
            first = encoded[:width]
        last = encoded[:width]
        digest.update(_digest_text(encoded))
        count += 1
        if count == size:
            yield Chunk(first, last, count, digest.hexdigest())
            digest, first, count = hashlib.sha256(), None, 0
    if first is not None:
        yield Chunk(first, last, count, digest.hexdigest())


def range_digest(
    conn: sa.Connection, spec: Replicated, first: Sequence[Any], last: Sequence[Any]
) -> tuple[int, str]:
    """Count and digest of the replica's rows from ``first`` to ``last`` (as ``chunks``)."""
    digest = hashlib.sha256()
    count = 0
    for row in conn.execute(_select(spec, None, first, last, keys_only=spec.append_only)):
        digest.update(_digest_text(encode_row(row)))
        count += 1
    return count, digest.hexdigest()


def rows(
    conn: sa.Connection,
    spec: Replicated,
    rights: Rights | None,
    first: Sequence[Any] | None,
    last: Sequence[Any] | None,
    *,
    after: bool,
    limit: int,
) -> list[list[Any]]:
    """Up to ``limit`` encoded rows from ``first`` (or past it, ``after``) to ``last``."""
    query = _select(spec, rights, first, last, after=after).limit(limit)
    return [encode_row(row) for row in conn.execute(query)]


# Watermarks (append-only records) --------------------------------------------------------

WATERMARK = "records"  # the counter's row in ``sync_watermarks``


def _stamped(column: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    """``sync_seq > 0`` as the partial index on the stamped calls states it (revision 0018):
    written out, not a bound parameter, so SQLite and PostgreSQL see the index covers the
    query. Every number a server hands out is >= 1 (0 marks rows stored before the
    watermarks, which a replica gets through digests), so it never leaves out a wanted row."""
    return column > sa.literal_column("0")


def stamp(conn: sa.Connection, specs: Sequence[Replicated]) -> int:
    """Stamp the rows of ``specs`` not stamped yet with the next watermark number, and return
    the highest number every row of them is stamped up to (all committed once this commits).
    Run it in a write transaction: on PostgreSQL the counter's row stays locked until it
    commits, so stamps commit in the order of their numbers."""
    counter = t.sync_watermarks
    wanted = [s for s in specs if s.watermarked]
    unstamped = [
        s
        for s in wanted
        if conn.execute(
            sa.select(s.table.c.sync_seq).where(s.table.c.sync_seq.is_(None)).limit(1)
        ).first()
        is not None
    ]
    if not unstamped:
        value = conn.execute(sa.select(counter.c.seq).where(counter.c.name == WATERMARK)).scalar()
        return int(value or 0)
    moved = conn.execute(
        counter.update().where(counter.c.name == WATERMARK).values(seq=counter.c.seq + 1)
    ).rowcount
    if moved != 1:
        conn.execute(counter.insert().values(name=WATERMARK, seq=1))
    seq = int(
        conn.execute(sa.select(counter.c.seq).where(counter.c.name == WATERMARK)).scalar_one()
    )
    for spec in unstamped:
        column = spec.table.c.sync_seq
        conn.execute(spec.table.update().where(column.is_(None)).values(sync_seq=seq))
    return seq


def since(
    conn: sa.Connection,
    spec: Replicated,
    rights: Rights | None,
    seq: int,
    key: Sequence[Any] | None,
    high: int,
    limit: int,
) -> list[list[Any]]:
    """Up to ``limit`` encoded rows stamped after (``seq``, ``key``) — after ``seq`` when
    ``key`` is None — and at most ``high``, in (sync_seq, key) order."""
    column = spec.table.c.sync_seq
    order = [column, *spec.key]
    query = (
        sa.select(*spec.table.columns)
        .where(_stamped(column), column <= high)
        .order_by(*order)
        .limit(limit)
    )
    if key is None:
        query = query.where(column > seq)
    else:
        bound = [sa.literal(seq, column.type)] + [
            sa.literal(decode_value(c, v), c.type) for c, v in zip(spec.key, key, strict=True)
        ]
        query = query.where(sa.tuple_(*order) > sa.tuple_(*bound))
    where = visible(spec, rights)
    if where is not None:
        query = query.where(where)
    return [encode_row(row) for row in conn.execute(query)]


def count_upto(conn: sa.Connection, spec: Replicated, rights: Rights | None, high: int) -> int:
    """How many rows of ``spec`` the user may read are stamped at most ``high``."""
    column = spec.table.c.sync_seq
    where = visible(spec, rights)
    if where is not None:
        query = sa.select(sa.func.count()).select_from(spec.table).where(column <= high, where)
        return int(conn.execute(query).scalar_one())
    # All rows less those stamped later or not yet: a count(*) and two short index ranges
    # (faster than walking the index up to ``high``), in one statement (one snapshot).
    everything = sa.select(sa.func.count()).select_from(spec.table).scalar_subquery()
    later, unstamped = (
        sa.select(sa.func.count()).select_from(spec.table).where(condition).scalar_subquery()
        for condition in (sa.and_(_stamped(column), column > high), column.is_(None))
    )
    return int(conn.execute(sa.select(everything - later - unstamped)).scalar_one())


def count_all(conn: sa.Connection, spec: Replicated) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(spec.table)).scalar_one())


def upsert_rows(
    conn: sa.Connection,
    spec: Replicated,
    columns: Sequence[str],
    encoded_rows: Sequence[Sequence[Any]],
) -> None:
    """Put rows sent by the server in the replica, replacing any of the same key (a row
    fetched by digest before it was stamped comes again with its stamp)."""
    if not encoded_rows:
        return
    if conn.dialect.name == "sqlite":  # a replica: one statement
        insert_rows(conn, spec, columns, encoded_rows, replace=True)
        return
    width = len(spec.key)
    positions = [columns.index(c.name) for c in spec.key]
    keys = [[row[i] for i in positions] for row in encoded_rows]
    key = _key_tuple(spec)
    for start in range(0, len(keys), 500):
        part = keys[start : start + 500]
        if width == 1:
            values = [decode_value(spec.key[0], k[0]) for k in part]
        else:
            values = [
                tuple(decode_value(c, v) for c, v in zip(spec.key, k, strict=True)) for k in part
            ]
        conn.execute(spec.table.delete().where(key.in_(values)))
    insert_rows(conn, spec, columns, encoded_rows)


# Writing (the replica) ---------------------------------------------------------------------


def column_names(spec: Replicated) -> list[str]:
    return [c.name for c in spec.table.columns]


def replace_range(
    conn: sa.Connection,
    spec: Replicated,
    first: Sequence[Any] | None,
    last: Sequence[Any] | None,
    columns: Sequence[str],
    encoded_rows: Sequence[Sequence[Any]],
) -> None:
    """Make the replica's rows in [first, last] (None: open-ended) the given rows."""
    delete = spec.table.delete()
    key = _key_tuple(spec)
    if first is not None:
        delete = delete.where(key >= _bound(spec, first))
    if last is not None:
        delete = delete.where(key <= _bound(spec, last))
    conn.execute(delete)
    insert_rows(conn, spec, columns, encoded_rows)


def _converter(column: sa.Column[Any]) -> Any:
    """How a wire value of ``column`` becomes the Python value (None: it already is)."""
    kind = column.type
    if isinstance(kind, UtcTimestamp):
        return datetime.fromisoformat
    if isinstance(kind, ExactDecimal):
        return Decimal
    if isinstance(kind, sa.Date):
        return date.fromisoformat
    return None


def insert_rows(
    conn: sa.Connection,
    spec: Replicated,
    columns: Sequence[str],
    encoded_rows: Sequence[Sequence[Any]],
    *,
    replace: bool = False,
) -> None:
    """Insert rows sent by the server (columns it has that the replica lacks are left out: a
    server a schema version ahead); ``replace``: a row of the same key goes (SQLite)."""
    if not encoded_rows:
        return
    table_columns = spec.table.c
    known = [
        (i, c.name, _converter(c))
        for i, c in ((i, table_columns[n]) for i, n in enumerate(columns) if n in table_columns)
    ]
    values = [
        {
            name: (value if convert is None or value is None else convert(value))
            for i, name, convert in known
            for value in (row[i],)
        }
        for row in encoded_rows
    ]
    insert = spec.table.insert()
    conn.execute(insert.prefix_with("OR REPLACE") if replace else insert, values)


def delete_outside(conn: sa.Connection, spec: Replicated, ranges: Sequence[Chunk]) -> None:
    """Delete the replica's rows in no range of ``ranges`` (sorted, disjoint)."""
    key = _key_tuple(spec)
    if not ranges:
        conn.execute(spec.table.delete())
        return
    conn.execute(spec.table.delete().where(key < _bound(spec, ranges[0].first)))
    conn.execute(spec.table.delete().where(key > _bound(spec, ranges[-1].last)))
    for before, after in pairwise(ranges):
        conn.execute(
            spec.table.delete().where(
                sa.and_(key > _bound(spec, before.last), key < _bound(spec, after.first))
            )
        )
