"""Shared pieces of the SQL repositories: row mappers, the generic collection, savepoints."""

from __future__ import annotations

import dataclasses
import enum
import operator
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
                self.codecs[name] = (_enum_encoder(enum_type), _enum_decoder(enum_type))

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

    def converter(self, name: str, currency: str | None) -> Callable[[Any], Any] | None:
        """What ``to_row`` does to the field ``name`` (None when it keeps the value as is)."""
        if name in self.money:
            need = _need(currency)
            return lambda value: to_minor(value, need)
        if name in self.codecs:
            return self.codecs[name][0]
        return None

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


def _enum_encoder(enum_type: type[enum.Enum]) -> Callable[[Any], Any]:
    """``_enum_value`` as one dictionary look-up per value (a member's ``.value`` goes through
    the enum's descriptor, a large part of writing a million records); anything that is not a
    member of ``enum_type`` takes ``_enum_value``'s way."""
    values: dict[Any, Any] = {member: member.value for member in enum_type}
    values[None] = None

    def encode(value: Any) -> Any:
        try:
            return values[value]
        except (KeyError, TypeError):
            return _enum_value(value)

    return encode


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


def _composed(first: Callable[[Any], Any], then: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: then(first(value))


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
                if part:
                    self._insert(part, currency)

    def _insert(self, items: Sequence[T], currency: str | None) -> None:
        """Insert ``items``. With a driver taking positional parameters (SQLite's ``?``) each
        item becomes one plain tuple in the compiled INSERT's column order (its fields read
        with one ``attrgetter``, only the columns that need it converted) and goes straight to
        the driver's executemany: per-row dicts and SQLAlchemy's parameter handling were most
        of the cost of a million-row import (PERFORMANCE.md B3) and of the demo's build (B9).
        Other drivers get the usual path."""
        mapper, dialect = self._mapper, self._conn.dialect
        table = mapper.table
        columns = [mapper.column(name) for name in mapper.fields]
        compiled = table.insert().compile(dialect=dialect, column_keys=columns)
        order = compiled.positiontup
        if not compiled.positional or order is None or sorted(order) != sorted(columns):
            self._conn.execute(table.insert(), [mapper.to_row(item, currency) for item in items])
            return
        position = {column: number for number, column in enumerate(columns)}
        steps: list[tuple[int, Callable[[Any], Any]]] = []
        for number, name in enumerate(mapper.fields):
            convert = mapper.converter(name, currency)
            process = table.c[columns[number]].type.bind_processor(dialect)
            if convert is not None and process is not None:
                steps.append((number, _composed(convert, process)))
            elif convert is not None or process is not None:
                steps.append((number, typing.cast(Callable[[Any], Any], convert or process)))
        fields = mapper.fields
        read = operator.attrgetter(*fields)
        single = len(fields) == 1
        reorder = [position[column] for column in order]
        in_order = reorder == list(range(len(columns)))
        values: list[tuple[Any, ...]] = []
        add = values.append
        for item in items:
            got = read(item)
            cells = [got] if single else list(got)
            for number, step in steps:
                cells[number] = step(cells[number])
            add(tuple(cells) if in_order else tuple([cells[n] for n in reorder]))
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
