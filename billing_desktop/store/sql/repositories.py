"""SQL implementations of the repository Protocols (SQLAlchemy Core, no ORM objects escape)."""

from __future__ import annotations

import dataclasses
import enum
import typing
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

from billing_desktop.domain import model as m
from billing_desktop.domain.errors import NO_ACCOUNT, Conflict, NotFound, StoreError
from billing_desktop.domain.money import from_minor, to_minor
from billing_desktop.domain.plans import ExtensionRequest
from billing_desktop.store.ports import (
    CALL_SORT_COLUMNS,
    BucketCount,
    BucketMinutes,
    CallFilter,
    CallOrder,
    CallRecord,
    CallRow,
    CallUsage,
    ClosedMonth,
    MonthLine,
    RollupRow,
    UnitSummary,
)
from billing_desktop.store.sql import tables as t

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

CHUNK = 500  # bound parameters per IN (...) query, well under SQLite's limit
INSERT_BATCH = 20_000


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class CurrencySource(typing.Protocol):
    def currency(self) -> str | None: ...


Codec = tuple[Callable[[Any], Any], Callable[[Any], Any]]


class Mapper(Generic[T]):
    """Maps one dataclass to one table: same names, except money ``x`` <-> ``x_minor``."""

    def __init__(
        self,
        cls: type[T],
        table: sa.Table,
        key: tuple[str, ...],
        money: Iterable[str] = (),
        codecs: dict[str, Codec] | None = None,
        columns: Iterable[str] | None = None,
    ) -> None:
        self.cls = cls
        self.table = table
        self.key = key
        self.money = frozenset(money)
        self.codecs = dict(codecs or {})
        hints = typing.get_type_hints(cls)
        names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
        self.fields = [n for n in names if columns is None or n in set(columns)]
        for name in self.fields:
            if name in self.codecs or name in self.money:
                continue
            enum_type = _enum_in(hints[name])
            if enum_type is not None:
                self.codecs[name] = (_enum_value, _enum_decoder(enum_type))

    def column(self, field: str) -> str:
        return f"{field}_minor" if field in self.money else field

    def key_of(self, item: T) -> Any:
        values = tuple(getattr(item, name) for name in self.key)
        return values[0] if len(values) == 1 else values

    def to_row(self, item: T, currency: str | None) -> dict[str, Any]:
        row: dict[str, Any] = {}
        for name in self.fields:
            value = getattr(item, name)
            if name in self.money:
                row[self.column(name)] = to_minor(value, _need(currency))
            elif name in self.codecs:
                row[name] = self.codecs[name][0](value)
            else:
                row[name] = value
        return row

    def from_row(self, row: sa.Row[Any], currency: str | None) -> T:
        values: dict[str, Any] = {}
        mapping = row._mapping
        for name in self.fields:
            value = mapping[self.column(name)]
            if name in self.money:
                values[name] = from_minor(value, _need(currency))
            elif name in self.codecs:
                values[name] = self.codecs[name][1](value)
            else:
                values[name] = value
        return self.cls(**values)

    def key_columns(self) -> list[sa.Column[Any]]:
        return [self.table.c[self.column(name)] for name in self.key]

    def encode_key(self, key: Any) -> Any:
        parts = key if len(self.key) > 1 else (key,)
        encoded = tuple(
            self.codecs[name][0](part) if name in self.codecs else part
            for name, part in zip(self.key, parts, strict=True)
        )
        return encoded if len(self.key) > 1 else encoded[0]


def _need(currency: str | None) -> str:
    if currency is None:
        raise StoreError(NO_ACCOUNT)
    return currency


def _enum_in(hint: Any) -> type[enum.Enum] | None:
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint
    for arg in typing.get_args(hint):
        if isinstance(arg, type) and issubclass(arg, enum.Enum):
            return arg
    return None


def _enum_value(value: enum.Enum | None) -> Any:
    return None if value is None else value.value


def _enum_decoder(enum_type: type[enum.Enum]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else enum_type(value)


@contextmanager
def _savepoint(conn: sa.Connection, clash: Callable[[], str] | None = None) -> Iterator[None]:
    """Run a repository call's writes in a savepoint: when one fails, the call has written
    nothing and the unit of work stays usable, on every backend (PostgreSQL refuses anything
    more in a transaction after an error; SQLite keeps the rows written before the failing
    one). A broken constraint (a key already stored, a reference to a missing record) raises
    ``Conflict`` with ``clash()``'s message when ``clash`` is given."""
    savepoint = conn.begin_nested()
    try:
        yield
    except sa.exc.IntegrityError as exc:
        savepoint.rollback()
        if clash is None:
            raise
        raise Conflict(clash()) from exc
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()


def _key_text(key: Any) -> str:
    parts = key if isinstance(key, tuple) else (key,)
    return ", ".join("(none)" if part is None else str(part) for part in parts)


class SqlCollection(Generic[K, T]):
    def __init__(self, conn: sa.Connection, mapper: Mapper[T], currency: CurrencySource) -> None:
        self._conn = conn
        self._mapper = mapper
        self._currency_source = currency

    def _currency(self) -> str | None:
        return self._currency_source.currency() if self._mapper.money else None

    def key_of(self, item: T) -> K:
        return typing.cast(K, self._mapper.key_of(item))

    def get_many(self, keys: Sequence[K]) -> dict[K, T]:
        found: dict[K, T] = {}
        columns = self._mapper.key_columns()
        currency = self._currency()
        unique = list(dict.fromkeys(keys))
        for part in chunks(unique, CHUNK):
            encoded = [self._mapper.encode_key(k) for k in part]
            if len(columns) == 1:
                condition = columns[0].in_(encoded)
            else:
                condition = sa.tuple_(*columns).in_(encoded)
            for row in self._conn.execute(sa.select(self._mapper.table).where(condition)):
                item = self._decode(row, currency)
                found[self.key_of(item)] = item
        return found

    def _decode(self, row: sa.Row[Any], currency: str | None) -> T:
        return self._mapper.from_row(row, currency)

    def add_many(self, items: Sequence[T]) -> None:
        """Conflict (and nothing written) when a key is stored already or given twice."""
        currency = self._currency()
        with _savepoint(self._conn, lambda: self._clash(items)):
            for part in chunks(items, INSERT_BATCH):
                rows = [self._mapper.to_row(item, currency) for item in part]
                if rows:
                    self._insert(rows)

    def _insert(self, rows: list[dict[str, Any]]) -> None:
        """Insert ``rows`` (each with the same keys, as ``to_row`` makes them). With a driver
        taking positional parameters (SQLite's ``?``) the compiled INSERT goes straight to its
        executemany with plain tuples: SQLAlchemy's parameter handling per row was the largest
        part of a million-row import (PERFORMANCE.md B3). Other drivers get the usual path."""
        table, dialect = self._mapper.table, self._conn.dialect
        compiled = table.insert().compile(dialect=dialect, column_keys=list(rows[0]))
        order = compiled.positiontup
        if not compiled.positional or order is None or sorted(order) != sorted(rows[0]):
            self._conn.execute(table.insert(), rows)
            return
        processors = [
            (number, process)
            for number, name in enumerate(order)
            if (process := table.c[name].type.bind_processor(dialect)) is not None
        ]
        values: list[tuple[Any, ...]] = []
        add = values.append
        for row in rows:
            cells = [row[name] for name in order]
            for number, process in processors:
                cells[number] = process(cells[number])
            add(tuple(cells))
        self._conn.exec_driver_sql(str(compiled), values)

    def _clash(self, items: Sequence[T]) -> str:
        """Why ``items`` could not be added (after the failed insert was undone)."""
        table = self._mapper.table.name
        keys = [self.key_of(item) for item in items]
        seen: set[K] = set()
        for key in keys:
            if key in seen:
                return f"{table} {_key_text(key)}: given twice"
            seen.add(key)
        stored = self.get_many(keys)
        for key in keys:
            if key in stored:
                return f"{table} {_key_text(key)}: already stored"
        return f"{table}: a record refers to another one that the store does not hold"

    def all(self) -> list[T]:
        currency = self._currency()
        query = sa.select(self._mapper.table).order_by(*self._mapper.key_columns())
        return [self._decode(row, currency) for row in self._conn.execute(query)]

    def count(self) -> int:
        query = sa.select(sa.func.count()).select_from(self._mapper.table)
        return int(self._conn.execute(query).scalar_one())


class SqlApps(SqlCollection[str, m.App]):
    """Apps, which the Plans tab changes in place (plan, balance, owner)."""

    def update(self, app: m.App) -> None:
        row = self._mapper.to_row(app, self._currency())
        table = self._mapper.table
        result = self._conn.execute(table.update().where(table.c.id == app.id).values(**row))
        if result.rowcount != 1:
            raise NotFound(f"app {app.id}: no such app in this workspace")


class SqlUsers(SqlCollection[str, m.User]):
    """Users with their team memberships and access groups."""

    def _teams_of(self, user_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        teams: dict[str, list[str]] = {}
        query = sa.select(t.team_members.c.user_id, t.team_members.c.team).order_by(
            t.team_members.c.user_id, t.team_members.c.position
        )
        if user_ids:
            for part in chunks(list(user_ids), CHUNK):
                for user_id, team in self._conn.execute(
                    query.where(t.team_members.c.user_id.in_(part))
                ):
                    teams.setdefault(user_id, []).append(team)
        return {k: tuple(v) for k, v in teams.items()}

    def _with_teams(self, users: list[m.User]) -> list[m.User]:
        teams = self._teams_of([u.id for u in users])
        return [dataclasses.replace(u, teams=teams.get(u.id, ())) for u in users]

    def get_many(self, keys: Sequence[str]) -> dict[str, m.User]:
        found = super().get_many(keys)
        return {u.id: u for u in self._with_teams(list(found.values()))}

    def all(self) -> list[m.User]:
        return self._with_teams(super().all())

    def add_many(self, items: Sequence[m.User]) -> None:
        with _savepoint(self._conn, lambda: "users: a team is given twice for one user"):
            super().add_many(items)
            memberships = [
                {"team": team, "user_id": user.id, "position": position}
                for user in items
                for position, team in enumerate(user.teams)
            ]
            if memberships:
                self._conn.execute(t.team_members.insert(), memberships)


def _encode_groups(groups: tuple[m.Privilege, ...]) -> str:
    return ";".join(sorted(g.value for g in groups))


def _decode_groups(text: str) -> tuple[m.Privilege, ...]:
    return tuple(m.Privilege(g) for g in text.split(";") if g)


def _encode_tiers(tiers: tuple[m.Tier, ...]) -> str:
    return ";".join(f"{tier.above}:{tier.unit_price}" for tier in tiers)


def _decode_tiers(text: str) -> tuple[m.Tier, ...]:
    pairs = (part.split(":") for part in text.split(";") if part)
    return tuple(m.Tier(Decimal(above), Decimal(price)) for above, price in pairs)


def _encode_commit_product(product: str | None) -> str:
    return product or ""


def _decode_commit_product(product: str) -> str | None:
    return product or None


MAPPERS: dict[str, Mapper[Any]] = {
    "products": Mapper(
        m.Product, t.products, ("code",), codecs={"tiers": (_encode_tiers, _decode_tiers)}
    ),
    "commits": Mapper(
        m.Commit,
        t.commits,
        ("product", "started_on"),
        money=("amount",),
        codecs={"product": (_encode_commit_product, _decode_commit_product)},
    ),
    "users": Mapper(
        m.User,
        t.users,
        ("id",),
        codecs={"access_groups": (_encode_groups, _decode_groups)},
        columns=("id", "name", "email", "role", "access_groups"),
    ),
    "agents": Mapper(m.AgentSeat, t.agent_seats, ("user_id", "started_on")),
    "numbers": Mapper(m.PhoneNumber, t.phone_numbers, ("number",)),
    "plans": Mapper(m.Plan, t.plans, ("code",), money=("monthly_price",)),
    "apps": Mapper(m.App, t.apps, ("id",), money=("balance",)),
    "conversations": Mapper(m.Conversation, t.conversations, ("id",)),
    "alerts": Mapper(m.Alert, t.alerts, ("id",)),
    "calls": Mapper(m.Call, t.calls, ("id",)),
    "sms": Mapper(m.Sms, t.sms, ("id",)),
    "interviews": Mapper(m.Interview, t.interviews, ("id",)),
    "recordings": Mapper(m.Recording, t.recordings, ("id",)),
    "storage": Mapper(m.StorageSnapshot, t.storage_snapshots, ("day",)),
    "invoices": Mapper(m.Invoice, t.invoices, ("number",), money=("amount",)),
    "ledger": Mapper(m.LedgerEntry, t.ledger, ("id",), money=("amount",)),
}


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


class SqlBillingUnits:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def all(self) -> list[m.BillingUnit]:
        members: dict[int, list[str]] = {}
        for unit_id, user_id in self._conn.execute(
            sa.select(t.billing_unit_users.c.unit_id, t.billing_unit_users.c.user_id).order_by(
                t.billing_unit_users.c.user_id
            )
        ):
            members.setdefault(unit_id, []).append(user_id)
        numbers: dict[int, list[str]] = {}
        for unit_id, number in self._conn.execute(
            sa.select(t.billing_unit_numbers.c.unit_id, t.billing_unit_numbers.c.number).order_by(
                t.billing_unit_numbers.c.number
            )
        ):
            numbers.setdefault(unit_id, []).append(number)
        return [
            m.BillingUnit(
                id=unit_id,
                name=name,
                user_ids=tuple(members.get(unit_id, ())),
                numbers=tuple(numbers.get(unit_id, ())),
            )
            for unit_id, name in self._conn.execute(
                sa.select(t.billing_units.c.id, t.billing_units.c.name).order_by(
                    t.billing_units.c.name
                )
            )
        ]

    def add(self, name: str) -> m.BillingUnit:
        # One more than the highest id stored, on every backend (SQLite's own rule), never a
        # sequence's next value: an id restore() put back cannot collide with a new one, and
        # an add that was rolled back uses no id up.
        highest = self._conn.execute(sa.select(sa.func.max(t.billing_units.c.id))).scalar()
        unit = m.BillingUnit(id=int(highest or 0) + 1, name=name)
        with _savepoint(self._conn, lambda: self._clash(unit)):
            self._conn.execute(t.billing_units.insert().values(id=unit.id, name=name))
        return unit

    def _clash(self, unit: m.BillingUnit) -> str:
        taken = sa.select(t.billing_units.c.id).where(t.billing_units.c.name == unit.name)
        if self._conn.execute(taken).first() is not None:
            return f"billing unit '{unit.name}': the name is taken"
        if self.get(unit.id) is not None:
            return f"billing unit {unit.id}: the id is taken"
        return f"billing unit '{unit.name}': a member is not in the store or in another unit"

    def set_members(self, unit_id: int, user_ids: Sequence[str], numbers: Sequence[str]) -> None:
        with _savepoint(self._conn):
            self._conn.execute(
                t.billing_unit_users.delete().where(t.billing_unit_users.c.unit_id == unit_id)
            )
            self._conn.execute(
                t.billing_unit_numbers.delete().where(t.billing_unit_numbers.c.unit_id == unit_id)
            )
            if user_ids:
                self._conn.execute(
                    t.billing_unit_users.insert(),
                    [{"unit_id": unit_id, "user_id": u} for u in user_ids],
                )
            if numbers:
                self._conn.execute(
                    t.billing_unit_numbers.insert(),
                    [{"unit_id": unit_id, "number": n} for n in numbers],
                )

    def count(self) -> int:
        query = sa.select(sa.func.count()).select_from(t.billing_units)
        return int(self._conn.execute(query).scalar_one())

    def get(self, unit_id: int) -> m.BillingUnit | None:
        row = self._conn.execute(
            sa.select(t.billing_units.c.name).where(t.billing_units.c.id == unit_id)
        ).first()
        if row is None:
            return None
        users = self._conn.execute(
            sa.select(t.billing_unit_users.c.user_id)
            .where(t.billing_unit_users.c.unit_id == unit_id)
            .order_by(t.billing_unit_users.c.user_id)
        ).scalars()
        numbers = self._conn.execute(
            sa.select(t.billing_unit_numbers.c.number)
            .where(t.billing_unit_numbers.c.unit_id == unit_id)
            .order_by(t.billing_unit_numbers.c.number)
        ).scalars()
        return m.BillingUnit(unit_id, row[0], tuple(users), tuple(numbers))

    def rename(self, unit_id: int, name: str) -> None:
        with _savepoint(self._conn, lambda: f"billing unit '{name}': the name is taken"):
            self._conn.execute(
                t.billing_units.update().where(t.billing_units.c.id == unit_id).values(name=name)
            )

    def delete(self, unit_id: int) -> None:
        # Members first: the cascade is not relied on (SQLite needs foreign keys on for it).
        self.set_members(unit_id, [], [])
        self._conn.execute(t.billing_units.delete().where(t.billing_units.c.id == unit_id))

    def restore(self, unit: m.BillingUnit) -> None:
        with _savepoint(self._conn, lambda: self._clash(unit)):
            self._conn.execute(t.billing_units.insert().values(id=unit.id, name=unit.name))
            self.set_members(unit.id, unit.user_ids, unit.numbers)


class SqlLedger:
    def __init__(self, conn: sa.Connection, currency: CurrencySource) -> None:
        self._conn = conn
        self._currency = currency
        self._mapper = MAPPERS["ledger"]

    def add_many(self, entries: Sequence[m.LedgerEntry]) -> None:
        currency = self._currency.currency()
        rows = [self._mapper.to_row(e, currency) for e in entries]
        for row in rows:
            row.pop("id", None)
        if rows:
            self._conn.execute(t.ledger.insert(), rows)

    def all(self) -> list[m.LedgerEntry]:
        return self._select(sa.true())

    def between(self, first: date, last: date) -> list[m.LedgerEntry]:
        c = t.ledger.c
        return self._select(sa.and_(c.occurred_on >= first, c.occurred_on <= last))

    def _select(self, condition: sa.ColumnElement[bool]) -> list[m.LedgerEntry]:
        currency = self._currency.currency()
        query = sa.select(t.ledger).where(condition).order_by(t.ledger.c.occurred_on, t.ledger.c.id)
        return [self._mapper.from_row(row, currency) for row in self._conn.execute(query)]

    def pool_totals(self, before: date) -> dict[str, Decimal]:
        currency = _need(self._currency.currency())
        c = t.ledger.c
        query = (
            sa.select(c.pool, sa.func.sum(c.amount_minor))
            .where(c.occurred_on < before)
            .group_by(c.pool)
        )
        return {pool: from_minor(int(total), currency) for pool, total in self._conn.execute(query)}


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


class SqlQueries:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def call_usage_by_number_and_user(self, start: datetime, end: datetime) -> list[CallUsage]:
        c = t.calls.c
        # Started minutes, as the rollups count them (domain.sessions.started_minutes).
        minutes = sa.case((c.duration_seconds <= 0, 0), else_=(c.duration_seconds + 59) // 60)
        query = (
            sa.select(c.number, c.user_id, sa.func.count(), sa.func.sum(minutes))
            .where(c.started_at >= start, c.started_at < end)
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
        c = t.calls.c
        query = (
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
            .order_by(c.started_at.desc(), c.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return [CallRow(*row) for row in self._conn.execute(query)]

    # The call log with its order and filters in SQL (Usage Data tab, export call-logs).

    @staticmethod
    def _call_conditions(where: CallFilter) -> list[sa.ColumnElement[bool]]:
        c = t.calls.c
        conditions: list[sa.ColumnElement[bool]] = []
        if where.start is not None:
            conditions.append(c.started_at >= where.start)
        if where.end is not None:
            conditions.append(c.started_at < where.end)
        if where.type is not None:
            conditions.append(c.type == where.type)
        if where.campaign is not None:
            conditions.append(c.campaign == where.campaign)
        return conditions

    @staticmethod
    def _call_select(where: CallFilter, order: CallOrder) -> sa.Select[Any]:
        if order.column not in CALL_SORT_COLUMNS:
            raise StoreError(f"calls cannot be ordered by '{order.column}'")
        c = t.calls.c
        column, key = c[order.column], c.id
        keys = [column.desc(), key.desc()] if order.descending else [column.asc(), key.asc()]
        if column.nullable:  # NULLs first ascending and last descending, as SQLite has them
            keys[0] = keys[0].nulls_last() if order.descending else keys[0].nulls_first()
        if order.column == "id":
            keys = keys[:1]
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
            .where(*SqlQueries._call_conditions(where))
            .order_by(*keys)
        )

    def call_count_where(self, where: CallFilter) -> int:
        query = sa.select(sa.func.count()).select_from(t.calls)
        return int(self._conn.execute(query.where(*self._call_conditions(where))).scalar_one())

    def call_page_where(
        self, where: CallFilter, order: CallOrder, offset: int, limit: int
    ) -> list[CallRow]:
        query = self._call_select(where, order).offset(max(offset, 0)).limit(max(limit, 0))
        return [CallRow(*row) for row in self._conn.execute(query)]

    def call_chunks(
        self, where: CallFilter, order: CallOrder, chunk_size: int
    ) -> Iterator[list[CallRecord]]:
        c = t.calls.c
        # The instant as stored (integer microseconds): no datetime per row (B4).
        query = self._call_select(where, order).with_only_columns(
            c.id,
            c.type,
            c.triggered_by,
            c.trigger_source,
            c.candidate_id,
            c.campaign,
            c.number,
            sa.type_coerce(c.started_at, sa.BigInteger).label("started_at"),
            c.duration_seconds,
        )
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
        c = t.calls.c
        # Two statements: each is one index probe, where min and max together scan the index.
        first = self._conn.execute(sa.select(sa.func.min(c.started_at))).scalar_one()
        last = self._conn.execute(sa.select(sa.func.max(c.started_at))).scalar_one()
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

    def recording_campaigns(self) -> list[str]:
        c = t.recordings.c
        names = self._conn.execute(sa.select(c.campaign).distinct()).scalars()
        # Sorted here, not by the database's collation, so every store lists them alike.
        return sorted((str(name) for name in names), key=lambda name: (name.casefold(), name))


MICRO = Decimal("0.000001")


def to_micro_units(quantity: Decimal) -> int:
    scaled = quantity.scaleb(6)
    if scaled != scaled.to_integral_value():
        raise StoreError(f"{quantity} has more than 6 decimals; usage quantities cannot")
    return int(scaled)


def from_micro_units(value: int) -> Decimal:
    return (Decimal(value) * MICRO).normalize() if value else Decimal(0)


class SqlRollups:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def add(self, deltas: typing.Mapping[tuple[date, int, str, str], Decimal]) -> None:
        rows = [
            {
                "day": day,
                "hour": hour,
                "app": app,
                "measure": measure,
                "quantity": to_micro_units(quantity),
            }
            for (day, hour, app, measure), quantity in sorted(deltas.items())
            if quantity
        ]
        if not rows:
            return
        dialect = self._conn.dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as upsert
        else:
            from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
        statement = upsert(t.usage_hourly)
        statement = statement.on_conflict_do_update(
            index_elements=["day", "hour", "app", "measure"],
            set_={"quantity": t.usage_hourly.c.quantity + statement.excluded.quantity},
        )
        for part in chunks(rows, INSERT_BATCH):
            self._conn.execute(statement, list(part))

    def totals(self, first: date, last: date, app: str | None = None) -> dict[str, Decimal]:
        c = t.usage_hourly.c
        query = (
            sa.select(c.measure, sa.func.sum(c.quantity))
            .where(c.day >= first, c.day <= last)
            .group_by(c.measure)
        )
        if app is not None:
            query = query.where(c.app == app)
        return {
            measure: from_micro_units(int(total)) for measure, total in self._conn.execute(query)
        }

    def rows(
        self, first: date, last: date, measures: Sequence[str], app: str | None = None
    ) -> list[RollupRow]:
        c = t.usage_hourly.c
        query = (
            sa.select(c.day, c.hour, c.measure, sa.func.sum(c.quantity))
            .where(c.day >= first, c.day <= last, c.measure.in_(list(measures)))
            .group_by(c.day, c.hour, c.measure)
            .order_by(c.day, c.hour, c.measure)
        )
        if app is not None:
            query = query.where(c.app == app)
        return [
            RollupRow(day, hour, app or "", measure, from_micro_units(int(total)))
            for day, hour, measure, total in self._conn.execute(query)
        ]

    def span(self, measures: Sequence[str] | None = None) -> tuple[date, date] | None:
        c = t.usage_hourly.c
        query = sa.select(sa.func.min(c.day), sa.func.max(c.day))
        if measures is not None:
            query = query.where(c.measure.in_(list(measures)))
        first, last = self._conn.execute(query).one()
        return None if first is None else (first, last)

    def clear(self) -> None:
        self._conn.execute(t.usage_hourly.delete())


class SqlClosing:
    def __init__(self, conn: sa.Connection, currency: CurrencySource) -> None:
        self._conn = conn
        self._currency = currency

    def all(self) -> list[ClosedMonth]:
        query = sa.select(t.closed_months).order_by(t.closed_months.c.month)
        return [ClosedMonth(**row._mapping) for row in self._conn.execute(query)]

    def get(self, month: date) -> ClosedMonth | None:
        query = sa.select(t.closed_months).where(t.closed_months.c.month == month)
        row = self._conn.execute(query).first()
        return None if row is None else ClosedMonth(**row._mapping)

    def add(self, closed: ClosedMonth, lines: Sequence[MonthLine]) -> None:
        currency = _need(self._currency.currency())
        with _savepoint(self._conn, lambda: self._clash(closed.month)):
            self._add(closed, lines, currency)

    def _clash(self, month: date) -> str:
        if self.get(month) is not None:
            return f"{month:%Y-%m}: the month is closed already"
        return f"{month:%Y-%m}: a product is given twice"

    def _add(self, closed: ClosedMonth, lines: Sequence[MonthLine], currency: str) -> None:
        self._conn.execute(
            t.closed_months.insert().values(
                month=closed.month,
                closed_at=closed.closed_at,
                closed_by=closed.closed_by,
                invoice_number=closed.invoice_number,
            )
        )
        if lines:
            self._conn.execute(
                t.month_lines.insert(),
                [
                    {
                        "month": closed.month,
                        "product": line.product,
                        "quantity": line.quantity,
                        "free_units_total": line.free_units_total,
                        "free_units_used": line.free_units_used,
                        "unit_price": line.unit_price,
                        "amount_minor": to_minor(line.amount, currency),
                        "credit_applied_minor": to_minor(line.credit_applied, currency),
                        "charged_minor": to_minor(line.charged, currency),
                        "balance_minor": to_minor(line.balance, currency),
                    }
                    for line in lines
                ],
            )

    def lines(self, month: date) -> list[MonthLine]:
        currency = _need(self._currency.currency())
        c = t.month_lines.c
        query = sa.select(t.month_lines).where(c.month == month).order_by(c.product)
        return [
            MonthLine(
                product=row.product,
                quantity=row.quantity,
                free_units_total=row.free_units_total,
                free_units_used=row.free_units_used,
                unit_price=row.unit_price,
                amount=from_minor(row.amount_minor, currency),
                credit_applied=from_minor(row.credit_applied_minor, currency),
                charged=from_minor(row.charged_minor, currency),
                balance=from_minor(row.balance_minor, currency),
            )
            for row in self._conn.execute(query)
        ]


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

    def for_apps(self, app_ids: Sequence[str]) -> list[ExtensionRequest]:
        c = t.plan_extension_requests.c
        found: list[ExtensionRequest] = []
        for part in chunks(sorted(set(app_ids)), CHUNK):
            query = sa.select(t.plan_extension_requests).where(c.app.in_(list(part)))
            found.extend(self._mapper.from_row(row, None) for row in self._conn.execute(query))
        return sorted(found, key=lambda r: (r.requested_at, r.id or 0))
