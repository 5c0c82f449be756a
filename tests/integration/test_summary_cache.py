"""The month summary is kept by the store's change token (PERFORMANCE.md B2) and never outlives
a change: a commit through this store, through another store object on the same file (another
process), or a different store altogether each give a fresh summary."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.periods import Month
from billing_desktop.services.billing import SUMMARY_CACHE_ENV, UsageSummary, usage_summary
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


def _call(n: int, seconds: int) -> m.Call:
    return m.Call(
        f"c{n}", m.CallType.LIVE, m.TriggeredBy.CANDIDATE, "Phone", None, "Night Shift", None,
        None, datetime(2026, 10, 5, 9, n, tzinfo=UTC), seconds,
    )  # fmt: skip


def _store(path: Path) -> SqlStore:
    store = SqlStore(f"sqlite:///{path}")
    with store(write=True) as uow:
        uow.account.save(ACCOUNT)
        uow.products.add_many([VOICE])
        uow.users.add_many([m.User("u1", "Ann", "ann@example.com", m.Role.ADMIN)])
        uow.commit()
    return store


def _summary(store: SqlStore) -> UsageSummary:
    with store() as uow:
        return usage_summary(uow, resolve_actor(uow, None), OCTOBER, today=TODAY)


def _minutes(summary: UsageSummary) -> Decimal:
    return sum((p.quantity for p in summary.products), Decimal(0))


def _add(store: SqlStore, n: int, seconds: int) -> None:
    with store(write=True) as uow:
        add_records(uow, "calls", [_call(n, seconds)])
        uow.commit()


def test_a_summary_is_kept_until_the_store_changes(tmp_path: Path) -> None:
    store = _store(tmp_path / "store.db")
    _add(store, 1, 120)
    first = _summary(store)
    assert _minutes(first) == 2
    assert _summary(store) is first  # kept: nothing changed

    _add(store, 2, 60)  # a commit through this store
    second = _summary(store)
    assert _minutes(second) == 3

    other = SqlStore(f"sqlite:///{tmp_path / 'store.db'}", create=False)  # "another process"
    _add(other, 3, 600)
    assert _minutes(_summary(store)) == 13
    other.dispose()
    store.dispose()


def test_two_stores_never_share_a_summary(tmp_path: Path) -> None:
    one, two = _store(tmp_path / "one.db"), _store(tmp_path / "two.db")
    _add(one, 1, 60)
    assert _minutes(_summary(one)) == 1
    assert _minutes(_summary(two)) == 0
    one.dispose()
    two.dispose()


def test_keeping_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _store(tmp_path / "store.db")
    monkeypatch.setenv(SUMMARY_CACHE_ENV, "0")
    first = _summary(store)
    assert _summary(store) is not first
    assert _summary(store) == first
    store.dispose()
