"""The store's change token (what the month summary is kept by, PERFORMANCE.md B2) on every SQL
backend: equal while nothing is committed, different once anything is — through this store or
through another store object on the same database (another process or server worker) — and
the summary kept by it is never stale."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.periods import Month
from billing_desktop.services.billing import usage_summary
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.recording import add_records

ACCOUNT = m.Account(
    "Acme", "USD", "Europe/Berlin", m.PlanTier.PRO, m.PaymentMethod.INVOICE, m.CommitScope.PRODUCT
)
VOICE = m.Product(
    "VOICE", "Voice minutes", m.Unit.MINUTE, Decimal("0.0125"), Decimal("0"), True,
    m.Metering.SUM, m.Source.CALLS, m.CommitAvailability.ACTIVE,
)  # fmt: skip
OCTOBER = Month(2026, 10)
TODAY = date(2026, 10, 20)


@pytest.fixture
def url(empty_sql: str) -> Iterator[str]:
    store = SqlStore(empty_sql)
    with store(write=True) as uow:
        uow.account.save(ACCOUNT)
        uow.products.add_many([VOICE])
        uow.users.add_many([m.User("u1", "Ann", "ann@example.com", m.Role.ADMIN)])
        uow.commit()
    store.dispose()
    yield empty_sql


def _token(store: SqlStore) -> object:
    with store() as uow:
        return uow.change_token()


def _add_call(store: SqlStore, n: int) -> None:
    call = m.Call(
        f"c{n}", m.CallType.LIVE, m.TriggeredBy.CANDIDATE, "Phone", None, "Night Shift", None,
        None, datetime(2026, 10, 5, 9, n, tzinfo=UTC), 600,
    )  # fmt: skip
    with store(write=True) as uow:
        add_records(uow, "calls", [call])
        uow.commit()


def _minutes(store: SqlStore) -> Decimal:
    with store() as uow:
        summary = usage_summary(uow, resolve_actor(uow, None), OCTOBER, today=TODAY)
    return sum((p.quantity for p in summary.products), Decimal(0))


def test_the_token_moves_with_every_commit_of_any_connection(url: str) -> None:
    mine, other = SqlStore(url), SqlStore(url)
    try:
        first = _token(mine)
        assert first is not None and _token(mine) == first  # nothing committed: equal
        _add_call(other, 1)  # another store object: another process or server worker
        second = _token(mine)
        assert second != first
        _add_call(mine, 2)
        assert _token(mine) not in {first, second}
        with mine(write=True) as uow:
            assert uow.change_token() is None  # a writer never reads a kept result
    finally:
        mine.dispose()
        other.dispose()


def test_the_summary_kept_by_the_token_is_never_stale(url: str) -> None:
    mine, other = SqlStore(url), SqlStore(url)
    try:
        assert _minutes(mine) == 0
        _add_call(other, 1)
        assert _minutes(mine) == 10
        _add_call(other, 2)
        assert _minutes(mine) == 20
        assert _minutes(mine) == 20
    finally:
        mine.dispose()
        other.dispose()
