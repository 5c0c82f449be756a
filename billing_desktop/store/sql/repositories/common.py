"""Shared pieces of the SQL repositories: row mappers, the generic collection, savepoints."""

from __future__ import annotations

import dataclasses
import enum
import typing
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

from billing_desktop.domain.errors import NO_ACCOUNT, Conflict, StoreError
from billing_desktop.domain.money import from_minor, to_minor

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
        hints = _type_hints(cls)
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


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _type_hints(cls: type[Any]) -> dict[str, Any]:
    """A dataclass's resolved hints, once per process: a repository that builds its mapper
    per unit of work (audit, extension requests) would otherwise resolve them on every one
    (about 1 ms of each API request)."""
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints


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
