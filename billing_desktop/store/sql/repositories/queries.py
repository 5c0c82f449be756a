"""Read-only queries for the screens: the call log, statistics, unit summaries."""

from __future__ import annotations

import typing
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from billing_desktop.domain.errors import StoreError
from billing_desktop.domain.model import Channel, Conversation
from billing_desktop.domain.sessions import SESSION_SECONDS
from billing_desktop.store.ports import (
    CALL_SORT_COLUMNS,
    BucketCount,
    BucketMinutes,
    CallFilter,
    CallOrder,
    CallRecord,
    CallRow,
    CallUsage,
    ConversationTotals,
    UnitSummary,
)
from billing_desktop.store.sql import tables as t
from billing_desktop.store.sql.repositories.rollups import from_micro_units
from billing_desktop.store.sql.types import MICROSECOND, to_micros

# The call log with its order and filters in SQL (Usage Data tab, export call-logs; the
# export's ADBC reader compiles the same statements, ``call_batches``).


# The hour a call started in, written as the index ix_calls_started_hour is (revision 0020):
# the calls in time order are the index's hours in order, each hour's calls sorted by instant
# and id (a few thousand at ten million calls) rather than an index on the exact instant, which
# every back-filled call would have to be put into between stored ones (B9).
started_hour = sa.literal_column(t.CALL_HOUR_SQL, sa.BigInteger)
# Likewise the duration by steps of 4 seconds (ix_calls_duration_step, revision 0021): the sort
# by duration, minutes and cost.
duration_step = sa.literal_column(t.CALL_DURATION_STEP_SQL, sa.Integer)
# The columns the call log sorts through an index on steps of them: step first, then the
# column and the id within each step.
STEPPED: dict[str, sa.ColumnElement[Any]] = {
    "started_at": started_hour,
    "duration_seconds": duration_step,
}


def hour_of(instant: datetime) -> int:
    """The hour ``instant`` falls in, as the databases compute ``started_hour`` (integer division
    truncates towards zero on both)."""
    micros = to_micros(instant)
    hours = abs(micros) // t.CALL_HOUR_MICROS
    return hours if micros >= 0 else -hours


def call_time_conditions(
    start: datetime | None, end: datetime | None
) -> list[sa.ColumnElement[bool]]:
    """The calls started in [start, end): the hours the span covers, which the index answers,
    and the exact bounds within them."""
    c = t.calls.c
    conditions: list[sa.ColumnElement[bool]] = []
    if start is not None:
        conditions += [started_hour >= hour_of(start), c.started_at >= start]
    if end is not None:
        conditions += [started_hour <= hour_of(end - MICROSECOND), c.started_at < end]
    return conditions


def call_conditions(where: CallFilter) -> list[sa.ColumnElement[bool]]:
    c = t.calls.c
    conditions = call_time_conditions(where.start, where.end)
    if where.type is not None:
        conditions.append(c.type == where.type)
    if where.campaign is not None:
        conditions.append(c.campaign == where.campaign)
    return conditions


def call_count_select(where: CallFilter) -> sa.Select[Any]:
    return sa.select(sa.func.count()).select_from(t.calls).where(*call_conditions(where))


def call_select(where: CallFilter, order: CallOrder) -> sa.Select[Any]:
    if order.column not in CALL_SORT_COLUMNS:
        raise StoreError(f"calls cannot be ordered by '{order.column}'")
    c = t.calls.c
    column, key = c[order.column], c.id
    keys = [column.desc(), key.desc()] if order.descending else [column.asc(), key.asc()]
    if column.nullable:  # NULLs first ascending and last descending, as SQLite has them
        keys[0] = keys[0].nulls_last() if order.descending else keys[0].nulls_first()
    if order.column == "id":
        keys = keys[:1]
    step = STEPPED.get(order.column)
    if step is not None:  # the step first: the index's order
        keys.insert(0, step.desc() if order.descending else step.asc())
    return (
        sa.select(
            c.id,
            c.type,
            c.triggered_by,
            c.trigger_source,
            c.candidate_id,
            c.campaign,
            c.number,
            c.started_at,
            c.duration_seconds,
        )
        .where(*call_conditions(where))
        .order_by(*keys)
    )


def call_export_select(
    where: CallFilter, order: CallOrder, *, blank_optional: bool = False
) -> sa.Select[Any]:
    """:func:`call_select` as the exports read it: the instant as stored (integer microseconds,
    no datetime per row: B4); with ``blank_optional``, '' for an optional id stored as NULL
    (the ADBC reader, which infers a column's type from its first batch)."""
    c = t.calls.c

    def optional(column: sa.Column[Any]) -> sa.ColumnElement[Any]:
        return sa.func.coalesce(column, "").label(column.name) if blank_optional else column

    return call_select(where, order).with_only_columns(
        c.id,
        c.type,
        c.triggered_by,
        c.trigger_source,
        optional(c.candidate_id),
        c.campaign,
        optional(c.number),
        sa.type_coerce(c.started_at, sa.BigInteger).label("started_at"),
        c.duration_seconds,
    )


def call_span_selects() -> tuple[sa.Select[Any], sa.Select[Any]]:
    """The first and the last call's instant: each the least or greatest of its hour, the
    hour one probe of the index (two statements: min and max together would scan it)."""
    c = t.calls.c
    first_hour = sa.select(sa.func.min(started_hour)).select_from(t.calls).scalar_subquery()
    last_hour = sa.select(sa.func.max(started_hour)).select_from(t.calls).scalar_subquery()
    return (
        sa.select(sa.func.min(c.started_at)).where(started_hour == first_hour),
        sa.select(sa.func.max(c.started_at)).where(started_hour == last_hour),
    )


# A page of the call log in an order by steps this deep starts from its step (_from_step).
SEEK_FROM = 10_000


class SqlQueries:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def call_usage_by_number_and_user(self, start: datetime, end: datetime) -> list[CallUsage]:
        c = t.calls.c
        # Started minutes, as the rollups count them (domain.sessions.started_minutes).
        minutes = sa.case((c.duration_seconds <= 0, 0), else_=(c.duration_seconds + 59) // 60)
        query = (
            sa.select(c.number, c.user_id, sa.func.count(), sa.func.sum(minutes))
            .where(*call_time_conditions(start, end))
            .group_by(c.number, c.user_id)
            .order_by(c.number.nulls_first(), c.user_id.nulls_first())  # as SQLite, everywhere
        )
        return [
            CallUsage(number, user_id, int(calls), int(total or 0))
            for number, user_id, calls, total in self._conn.execute(query)
        ]

    def alerts_by_user(self, start: datetime, end: datetime) -> dict[str, int]:
        c = t.alerts.c
        query = (
            sa.select(c.user_id, sa.func.count())
            .where(c.delivered_at >= start, c.delivered_at < end)
            .group_by(c.user_id)
        )
        return {user_id: int(count) for user_id, count in self._conn.execute(query)}

    def _exists(self, query: sa.Select[Any]) -> bool:
        return self._conn.execute(sa.select(query.exists())).scalar_one() is True

    def agents_active_between(self, start: date, end: date) -> int:
        seats = t.agent_seats.c
        query = (
            sa.select(sa.func.count(sa.distinct(seats.user_id)))
            .where(seats.started_on <= end)
            .where(sa.or_(seats.ended_on.is_(None), seats.ended_on >= start))
        )
        return int(self._conn.execute(query).scalar_one())

    def numbers_count(self) -> int:
        query = sa.select(sa.func.count()).select_from(t.phone_numbers)
        return int(self._conn.execute(query).scalar_one())

    def unit_summaries(self) -> list[UnitSummary]:
        users = (
            sa.select(sa.func.count())
            .where(t.billing_unit_users.c.unit_id == t.billing_units.c.id)
            .scalar_subquery()
        )
        numbers = (
            sa.select(sa.func.count())
            .where(t.billing_unit_numbers.c.unit_id == t.billing_units.c.id)
            .scalar_subquery()
        )
        query = sa.select(t.billing_units.c.id, t.billing_units.c.name, users, numbers).order_by(
            t.billing_units.c.name
        )
        return [UnitSummary(*row) for row in self._conn.execute(query)]

    def call_count(self) -> int:
        return int(self._conn.execute(sa.select(sa.func.count()).select_from(t.calls)).scalar_one())

    def call_page(self, offset: int, limit: int) -> list[CallRow]:
        """Every call, newest first: the call log with no filter in its default order."""
        return self.call_page_where(CallFilter(), CallOrder(), offset, limit)

    # The call log with its order and filters in SQL (Usage Data tab, export call-logs).

    def call_count_where(self, where: CallFilter) -> int:
        return int(self._conn.execute(call_count_select(where)).scalar_one())

    def call_page_where(
        self, where: CallFilter, order: CallOrder, offset: int, limit: int
    ) -> list[CallRow]:
        offset, limit = max(offset, 0), max(limit, 0)
        query = call_select(where, order)
        step = STEPPED.get(order.column)
        if step is not None and offset >= SEEK_FROM:
            query, offset = self._from_step(query, step, where, order, offset)
        query = query.offset(offset).limit(limit)
        return [CallRow(*row) for row in self._conn.execute(query)]

    def _from_step(
        self,
        query: sa.Select[Any],
        step: sa.ColumnElement[Any],
        where: CallFilter,
        order: CallOrder,
        offset: int,
    ) -> tuple[sa.Select[Any], int]:
        """A deep page in an order by steps (``STEPPED``) from the step it starts in: ``query``
        limited to that step and the ones after it, and the offset within them. An ``OFFSET``
        alone would sort every step before the page (3.7 s in time order at five million calls);
        the step at the offset and the count of the calls before it are two walks of the index
        instead (0.35 s)."""
        conditions = call_conditions(where)
        at = self._conn.execute(
            sa.select(step)
            .select_from(t.calls)
            .where(*conditions)
            .order_by(step.desc() if order.descending else step.asc())
            .offset(offset)
            .limit(1)
        ).scalar_one_or_none()
        if at is None:  # past the last call
            return query, offset
        earlier = step > at if order.descending else step < at
        skipped = self._conn.execute(
            sa.select(sa.func.count()).select_from(t.calls).where(*conditions, earlier)
        ).scalar_one()
        rest = step <= at if order.descending else step >= at
        return query.where(rest), offset - int(skipped)

    def call_chunks(
        self, where: CallFilter, order: CallOrder, chunk_size: int
    ) -> Iterator[list[CallRecord]]:
        query = call_export_select(where, order)
        if self._conn.dialect.name == "sqlite":
            # The SQLite driver always streams; reading its cursor directly skips building a
            # Row object per row, which is a third of the export's time on a million calls.
            result = self._conn.execute(query)
            cursor = result.cursor
            try:
                while rows := cursor.fetchmany(chunk_size):
                    yield typing.cast(list[CallRecord], rows)
            finally:
                result.close()
            return
        # Elsewhere a server-side cursor keeps memory constant (PostgreSQL).
        result = self._conn.execution_options(stream_results=True, yield_per=chunk_size).execute(
            query
        )
        try:
            for part in result.partitions():
                yield [tuple(row) for row in part]
        finally:
            result.close()

    def call_span(self) -> tuple[datetime, datetime] | None:
        first, last = (self._conn.execute(query).scalar_one() for query in call_span_selects())
        if first is None or last is None:
            return None
        return first, last

    def call_campaigns(self) -> list[str]:
        # A loose index scan over ix_calls_campaign: one probe per campaign ("the smallest name
        # after the previous one") instead of a DISTINCT over every call.
        c = t.calls.c
        seed = sa.select(sa.func.min(c.campaign).label("name")).cte(
            "campaign_names", recursive=True
        )
        following = (
            sa.select(sa.func.min(c.campaign)).where(c.campaign > seed.c.name).scalar_subquery()
        )
        names = seed.union_all(sa.select(following).where(seed.c.name.is_not(None)))
        query = sa.select(names.c.name).where(names.c.name.is_not(None)).order_by(names.c.name)
        return [str(name) for name in self._conn.execute(query).scalars()]

    # Usage Data statistics: one statement per chart. The inner SELECT maps each record's
    # instant to the index of its range with a CASE over the bounds (the WHERE keeps the
    # ranges' span, through the instant's index); the outer one groups by that index. The
    # index is a subquery column rather than a repeated expression, so PostgreSQL accepts the
    # GROUP BY whatever the driver does with bound parameters.

    @staticmethod
    def _in_buckets(
        instant: sa.ColumnElement[Any], bounds: Sequence[datetime]
    ) -> tuple[sa.ColumnElement[Any], list[sa.ColumnElement[bool]]]:
        if len(bounds) < 2:
            raise StoreError("statistics need at least two bounds (one range)")
        bucket = sa.case(
            *(
                (instant < bound, sa.literal_column(str(index), sa.Integer))
                for index, bound in enumerate(bounds[1:])
            ),
        )
        return bucket, [instant >= bounds[0], instant < bounds[-1]]

    def _counts_by(
        self, instant: sa.ColumnElement[Any], key: sa.ColumnElement[Any], bounds: Sequence[datetime]
    ) -> list[BucketCount]:
        bucket, span = self._in_buckets(instant, bounds)
        inner = sa.select(bucket.label("bucket"), key.label("key")).where(*span).subquery()
        query = sa.select(inner.c.bucket, inner.c.key, sa.func.count()).group_by(
            inner.c.bucket, inner.c.key
        )
        found = [
            BucketCount(int(index), str(name), int(count))
            for index, name, count in self._conn.execute(query)
        ]
        return sorted(found, key=lambda row: (row.bucket, row.key))

    def interviews_by_method(self, bounds: Sequence[datetime]) -> list[BucketCount]:
        c = t.interviews.c
        return self._counts_by(c.completed_at, c.method, bounds)

    def sms_by_type(self, bounds: Sequence[datetime]) -> list[BucketCount]:
        c = t.sms.c
        return self._counts_by(c.sent_at, c.type, bounds)

    def recording_minutes(
        self, bounds: Sequence[datetime], campaign: str | None = None
    ) -> list[BucketMinutes]:
        c = t.recordings.c
        bucket, conditions = self._in_buckets(c.recorded_at, bounds)
        if campaign is not None:
            conditions.append(c.campaign == campaign)
        # Minutes are exact decimal text with at most 6 decimals (the rollups refuse more), so
        # each one is an exact integer of micro-minutes once scaled and rounded: summing those
        # integers in SQL is exact, where summing the text as numbers would be a float sum.
        micro = sa.cast(
            sa.func.round(sa.cast(c.minutes, sa.Float) * 1_000_000), sa.BigInteger
        ).label("micro")
        inner = sa.select(bucket.label("bucket"), micro).where(*conditions).subquery()
        query = sa.select(inner.c.bucket, sa.func.count(), sa.func.sum(inner.c.micro)).group_by(
            inner.c.bucket
        )
        found = [
            BucketMinutes(int(index), int(count), from_micro_units(int(total or 0)))
            for index, count, total in self._conn.execute(query)
        ]
        return sorted(found, key=lambda row: row.bucket)

    def conversation_totals(
        self, start: datetime, end: datetime, channel: str | None = None
    ) -> ConversationTotals:
        return conversation_totals(self._conn, start, end, channel)

    def conversation_page(
        self, start: datetime, end: datetime, channel: str | None, offset: int, limit: int
    ) -> list[Conversation]:
        return conversation_page(self._conn, start, end, channel, offset, limit)

    def recording_campaigns(self) -> list[str]:
        c = t.recordings.c
        names = self._conn.execute(sa.select(c.campaign).distinct()).scalars()
        # Sorted here, not by the database's collation, so every store lists them alike.
        return sorted((str(name) for name in names), key=lambda name: (name.casefold(), name))


# Conversations of a product (explain a charge): the sessions of domain.sessions in integer
# microseconds, so SQLite and PostgreSQL agree with the Python rules to the unit.
_MICROS = 1_000_000
_SESSION_MICROS = SESSION_SECONDS * _MICROS


def _started_quarters(micros: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """ceil(micros / 15 min), 0 for nothing."""
    return sa.case((micros <= 0, 0), else_=(micros + (_SESSION_MICROS - 1)) // _SESSION_MICROS)


def _conversation_conditions(
    start: datetime, end: datetime, channel: str | None
) -> list[sa.ColumnElement[bool]]:
    c = t.conversations.c
    conditions = [c.started_at >= start, c.started_at < end]
    if channel is not None:
        conditions.append(c.channel == channel)
    return conditions


def conversation_totals(
    conn: sa.Connection, start: datetime, end: datetime, channel: str | None
) -> ConversationTotals:
    c = t.conversations.c
    length = sa.type_coerce(c.ended_at, sa.BigInteger) - sa.type_coerce(c.started_at, sa.BigInteger)
    human = sa.cast(c.human_agent_seconds, sa.BigInteger) * _MICROS  # int4 overflows at 36 min
    billing = _started_quarters(length - human)
    voice = sa.case((c.channel == Channel.VOICE.value, _started_quarters(length)), else_=0)
    query = sa.select(sa.func.count(), sa.func.sum(billing), sa.func.sum(voice)).where(
        *_conversation_conditions(start, end, channel)
    )
    count, billed, voiced = conn.execute(query).one()
    return ConversationTotals(int(count), int(billed or 0), int(voiced or 0))


def conversation_page(
    conn: sa.Connection,
    start: datetime,
    end: datetime,
    channel: str | None,
    offset: int,
    limit: int,
) -> list[Conversation]:
    c = t.conversations.c
    query = (
        sa.select(c.id, c.app, c.channel, c.started_at, c.ended_at, c.human_agent_seconds)
        .where(*_conversation_conditions(start, end, channel))
        .order_by(c.started_at, c.id)
        .offset(max(0, offset))
        .limit(max(0, limit))
    )
    return [
        Conversation(
            row.id,
            row.app,
            Channel(row.channel),
            row.started_at,
            row.ended_at,
            row.human_agent_seconds,
        )
        for row in conn.execute(query)
    ]
