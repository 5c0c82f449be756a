"""The contract of ``ports.Collection`` for every kind of record, on every implementation.

A collection returns exactly what was added (values, types, time zones), ``all()`` in key
order (text by code point, a ``None`` key part first), and refuses a key it already holds with
``Conflict``, leaving the unit of work usable and the refused call without effect.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from billing_desktop.domain import model as m
from billing_desktop.domain.errors import Conflict
from billing_desktop.store.ports import UnitOfWork, UnitOfWorkFactory
from tests.contract import records as r

# name of the collection on the unit of work, its records, and records needed before them
KINDS: dict[str, tuple[Sequence[Any], Callable[[UnitOfWork], None]]] = {
    "products": (r.PRODUCTS, lambda uow: uow.account.save(r.ACCOUNT)),
    "commits": (r.COMMITS, lambda uow: uow.account.save(r.ACCOUNT)),
    "users": (r.USERS, lambda uow: None),
    "agents": (r.AGENTS, lambda uow: uow.users.add_many(r.USERS)),
    "numbers": (r.NUMBERS, lambda uow: None),
    "plans": (r.PLANS, lambda uow: uow.account.save(r.ACCOUNT)),
    "apps": (r.APPS, lambda uow: _before_apps(uow)),
    "conversations": (r.CONVERSATIONS, r.fill_setup),
    "alerts": (r.ALERTS, r.fill_setup),
    "calls": (r.CALLS, r.fill_setup),
    "sms": (r.SMS, lambda uow: None),
    "interviews": (r.INTERVIEWS, lambda uow: None),
    "recordings": (r.RECORDINGS, lambda uow: None),
    "storage": (r.STORAGE, lambda uow: None),
    "invoices": (r.INVOICES, lambda uow: uow.account.save(r.ACCOUNT)),
}


def _before_apps(uow: UnitOfWork) -> None:
    uow.account.save(r.ACCOUNT)
    uow.users.add_many(r.USERS)
    uow.plans.add_many(r.PLANS)


def _collection(uow: UnitOfWork, kind: str) -> Any:
    return getattr(uow, kind)


def _stored(store: UnitOfWorkFactory, kind: str) -> list[Any]:
    items, prepare = KINDS[kind]
    with store() as uow:
        prepare(uow)
        _collection(uow, kind).add_many(list(items))
        uow.commit()
    return list(items)


@pytest.mark.parametrize("kind", list(KINDS))
def test_records_round_trip_in_key_order(store: UnitOfWorkFactory, kind: str) -> None:
    items = _stored(store, kind)
    with store() as uow:
        collection = _collection(uow, kind)
        assert collection.count() == len(items)
        stored = collection.all()
        assert stored == r.in_key_order(items, collection.key_of)
        # Not only equal: the same types (an aware UTC datetime, a Decimal, an enum member).
        for got, want in zip(stored, r.in_key_order(items, collection.key_of), strict=True):
            assert _shape(got) == _shape(want)
            assert all(v.utcoffset() == timedelta(0) for v in _instants(got))
        keys = [collection.key_of(item) for item in items]
        assert collection.get_many([]) == {}
        found = collection.get_many([keys[1], *keys, keys[0], _missing_key(keys[0])])
        assert found == {collection.key_of(item): item for item in items}


def _missing_key(key: Any) -> Any:
    if isinstance(key, tuple):
        return ("no such key", *key[1:])
    if isinstance(key, date):
        return date(1900, 1, 1)
    return "no such key"


def _instants(value: Any) -> list[Any]:
    return [v for n in type(value).__slots__ if isinstance(v := getattr(value, n), datetime)]


def _shape(value: Any) -> Any:
    """The types of a record's fields."""
    shape = []
    for name in type(value).__slots__:
        field = getattr(value, name)
        if isinstance(field, datetime):
            shape.append((name, "instant"))
        else:
            shape.append((name, type(field).__name__))
    return shape


def test_instants_come_back_in_utc(store: UnitOfWorkFactory) -> None:
    _stored(store, "conversations")
    with store() as uow:
        stored = uow.conversations.get_many(["conv-4"])["conv-4"]
    assert stored.started_at.tzinfo is not None
    assert stored.started_at.utcoffset() == r.T0.utcoffset()
    assert stored.started_at == r.CONVERSATIONS[3].started_at
    assert stored.started_at.astimezone(UTC).microsecond == 999_999


def test_decimals_keep_every_digit(store: UnitOfWorkFactory) -> None:
    _stored(store, "recordings")
    _stored(store, "storage")
    with store() as uow:
        minutes = {rec.id: rec.minutes for rec in uow.recordings.all()}
        quantities = [snap.quantity for snap in uow.storage.all()]
    assert minutes == {
        "Rec-2": Decimal("0.000001"),
        "rec-1": Decimal("2.35"),
        "rec-3": Decimal("12345678.123456"),
        "rec-4": Decimal("100"),
    }
    assert str(minutes["rec-1"]) == "2.35"
    assert [str(q) for q in quantities] == ["0", "12.125", "12.5000", "99999.999999"]


def test_money_round_trips_in_a_three_decimal_currency(store: UnitOfWorkFactory) -> None:
    plans = [m.Plan("kw", "Kuwait", Decimal("12.345"), 10, 1)]
    with store() as uow:
        uow.account.save(r.ACCOUNT_KWD)
        uow.plans.add_many(plans)
        uow.commit()
    with store() as uow:
        assert uow.plans.all() == plans


def test_a_key_already_stored_is_a_conflict_and_changes_nothing(store: UnitOfWorkFactory) -> None:
    _stored(store, "calls")
    new = r.make_calls(60)[-1]
    assert new.id not in {c.id for c in r.CALLS}
    with store() as uow:
        with pytest.raises(Conflict, match=r.CALLS[0].id):
            uow.calls.add_many([new, r.CALLS[0]])
        # The unit of work is still usable, and the refused call wrote nothing.
        assert uow.calls.count() == len(r.CALLS)
        assert uow.calls.get_many([new.id]) == {}
        uow.calls.add_many([new])
        uow.commit()
    with store() as uow:
        assert uow.calls.count() == len(r.CALLS) + 1


def test_a_key_twice_in_one_call_is_a_conflict(store: UnitOfWorkFactory) -> None:
    with store() as uow:
        with pytest.raises(Conflict, match="sms-1"):
            uow.sms.add_many([r.SMS[0], r.SMS[1], r.SMS[0]])
        assert uow.sms.count() == 0
        uow.numbers.add_many(r.NUMBERS)
        with pytest.raises(Conflict):
            uow.numbers.add_many([m.PhoneNumber(r.NUMBERS[2].number, "again")])
        uow.commit()
    with store() as uow:
        assert uow.numbers.all() == r.in_key_order(r.NUMBERS, lambda n: n.number)


@pytest.mark.parametrize("kind", ["commits", "agents", "storage"])
def test_composite_and_date_keys_conflict_too(store: UnitOfWorkFactory, kind: str) -> None:
    items = _stored(store, kind)
    with store() as uow, pytest.raises(Conflict):
        _collection(uow, kind).add_many([items[-1]])


def test_a_record_referring_to_a_missing_one_is_a_conflict(store: UnitOfWorkFactory) -> None:
    with store() as uow:
        r.fill_setup(uow)
        orphan = m.Alert("alert-x", "app-1", "nobody", r.T0)
        with pytest.raises(Conflict):
            uow.alerts.add_many([r.ALERTS[0], orphan])
        assert uow.alerts.count() == 0
        uow.alerts.add_many([r.ALERTS[0]])
        uow.commit()
    with store() as uow:
        assert uow.alerts.all() == [r.ALERTS[0]]


def test_users_keep_their_teams_in_order(store: UnitOfWorkFactory) -> None:
    _stored(store, "users")
    with store() as uow:
        carl = uow.users.get_many(["carl"])["carl"]
    assert carl.teams == ("Zeta team", "alpha team")
    assert carl.access_groups == ()


def test_apps_update_in_place(store: UnitOfWorkFactory) -> None:
    _stored(store, "apps")
    changed = m.App(
        "App-2", "Support bot", "zoë", "scale", m.AppStatus.ACTIVE, Decimal("99.99"), None, None
    )
    with store() as uow:
        uow.apps.update(changed)
        uow.commit()
    with store() as uow:
        assert uow.apps.get_many(["App-2"]) == {"App-2": changed}
        assert uow.apps.count() == len(r.APPS)


def test_updating_a_missing_app_is_not_found(store: UnitOfWorkFactory) -> None:
    from billing_desktop.domain.errors import NotFound

    _stored(store, "apps")
    with store() as uow, pytest.raises(NotFound):
        uow.apps.update(m.App("app-9", "Nine", "ada", "starter", m.AppStatus.ACTIVE, Decimal(0)))


def test_large_batches_and_long_key_lists(store: UnitOfWorkFactory) -> None:
    """More rows and keys than one statement's parameters hold (the stores chunk them)."""
    calls = r.make_calls(1_500)
    with store() as uow:
        r.fill_setup(uow)
        uow.calls.add_many(calls)
        uow.commit()
    with store() as uow:
        assert uow.calls.count() == 1_500
        keys = [c.id for c in calls]
        assert uow.calls.get_many(keys) == {c.id: c for c in calls}
        assert [c.id for c in uow.calls.all()] == sorted(keys)
