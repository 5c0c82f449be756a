"""Column types that keep money and instants exact on every SQL backend.

SQLite has no real decimal type (``Numeric`` is a float there), so prices and quantities are
stored as canonical decimal text and money as integer minor units (plain ``Integer`` columns
named ``*_minor``). Instants are integer microseconds since the Unix epoch in UTC: exact,
compact, and cheap to bucket in SQL.

Text compares by code point everywhere: SQLite's default (BINARY) collation does, and on
PostgreSQL, whose default collation is the server's locale (linguistic on most servers, where
"a" sorts before "B"), every text column uses the "C" collation (revision 0007), so ORDER BY,
comparisons and indexes agree with SQLite's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROS = 1_000_000
MICROSECOND = timedelta(microseconds=1)
BYTE_ORDER = "C"  # PostgreSQL's code-point (byte order) collation


def byte_ordered(text: sa.String) -> TypeEngine[str]:
    """``text`` with the code-point collation on PostgreSQL (unchanged elsewhere)."""
    return text.with_variant(sa.String(text.length, collation=BYTE_ORDER), "postgresql")


def to_micros(value: datetime) -> int:
    if value.tzinfo is None:
        raise ValueError("naive datetime given where an instant was expected")
    return (value - EPOCH) // MICROSECOND


def _micros_or_none(value: datetime | None) -> int | None:
    """``process_bind_param`` as one call (``to_micros`` inlined)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given where an instant was expected")
    return (value - EPOCH) // MICROSECOND


def from_micros(value: int) -> datetime:
    return EPOCH + timedelta(microseconds=value)


class UtcTimestamp(TypeDecorator[datetime]):
    impl = sa.BigInteger
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> int | None:
        return None if value is None else to_micros(value)

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        # One plain function per value where the integer column needs no processing of its
        # own (SQLite, psycopg): the bulk inserts of records call it millions of times.
        if self.impl_instance.bind_processor(dialect) is None:
            return _micros_or_none
        return super().bind_processor(dialect)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else from_micros(int(value))


class ExactDecimal(TypeDecorator[Decimal]):
    """A Decimal stored as its canonical text, so 0.0125 stays 0.0125 on SQLite."""

    impl = sa.String(40)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(sa.String(40, collation=BYTE_ORDER))
        return dialect.type_descriptor(sa.String(40))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"ExactDecimal takes Decimal, got {type(value).__name__}")
        return str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)
