"""The contract of the other repositories (units, ledger, rollups, closing, audit, settings,
extension requests, account) and of the unit of work, on every implementation."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from billing_desktop.domain import model as m
from billing_desktop.domain.errors import Conflict, StoreError
from billing_desktop.store.ports import ClosedMonth, MonthLine, RollupRow, UnitOfWorkFactory
from tests.contract import records as r

D = Decimal


def _setup(store: UnitOfWorkFactory) -> None:
    with store() as uow:
        r.fill_setup(uow)
        uow.commit()


# --- the unit of work -------------------------------------------------------------------------


def test_nothing_is_kept_without_commit(store: UnitOfWorkFactory) -> None:
    with store() as uow:
        uow.account.save(r.ACCOUNT)
        uow.users.add_many(r.USERS[:2])
        assert uow.users.count() == 2  # a unit of work sees its own writes
    with store() as uow:
        assert uow.account.get() is None
        assert uow.users.count() == 0

    with pytest.raises(RuntimeError, match="boom"), store() as uow:
        uow.account.save(r.ACCOUNT)
        uow.commit()
        uow.users.add_many(r.USERS)
        raise RuntimeError("boom")
    with store() as uow:
        assert uow.account.get() == r.ACCOUNT  # committed before the failure
        assert uow.users.count() == 0


def test_explicit_rollback_discards_the_writes_since_the_last_commit(
    store: UnitOfWorkFactory,
) -> None:
    with store() as uow:
        uow.users.add_many(r.USERS[:1])
        uow.commit()
        uow.users.add_many(r.USERS[1:])
        uow.rollback()
    with store() as uow:
        assert [u.id for u in uow.users.all()] == [r.USERS[0].id]


def test_uncommitted_writes_are_invisible_to_another_unit_of_work(
    store: UnitOfWorkFactory,
) -> None:
    with store() as writer:
        writer.numbers.add_many(r.NUMBERS)
        with store() as reader:
            assert reader.numbers.count() == 0
        writer.commit()
        with store() as reader:
            assert reader.numbers.count() == len(r.NUMBERS)


def test_the_account_is_saved_over(store: UnitOfWorkFactory) -> None:
    with store() as uow:
        assert uow.account.get() is None
        uow.account.save(r.ACCOUNT)
        uow.account.save(r.ACCOUNT_KWD)
        uow.commit()
    with store() as uow:
        assert uow.account.get() == r.ACCOUNT_KWD


def test_money_needs_the_account(store: UnitOfWorkFactory) -> None:
    with store() as uow, pytest.raises(StoreError, match="import the account first"):
        uow.plans.add_many(r.PLANS)


# --- billing units ----------------------------------------------------------------------------


def test_units_with_members_in_code_point_order(store: UnitOfWorkFactory) -> None:
    _setup(store)
    with store() as uow:
        ids = [uow.units.add(name).id for name in ("Support", "Ärzte", "ops", "Sales")]
        assert ids == [1, 2, 3, 4]
        uow.units.set_members(1, ["zoë", "_shared", "Bob", "ada"], ["+4930123456", "+15550101"])
        uow.units.set_members(4, ["ada", "Émile"], ["+15550100"])
        uow.commit()
    with store() as uow:
        assert uow.units.count() == 4
        assert uow.units.all() == [
            m.BillingUnit(4, "Sales", ("ada", "Émile"), ("+15550100",)),
            m.BillingUnit(1, "Support", ("Bob", "_shared", "ada", "zoë"),
                          ("+15550101", "+4930123456")),
            m.BillingUnit(3, "ops"),
            m.BillingUnit(2, "Ärzte"),
        ]  # fmt: skip
        assert uow.units.get(1) == uow.units.all()[1]
        assert uow.units.get(99) is None
        assert [(s.id, s.name, s.users, s.numbers) for s in uow.queries.unit_summaries()] == [
            (4, "Sales", 2, 1),
            (1, "Support", 4, 2),
            (3, "ops", 0, 0),
            (2, "Ärzte", 0, 0),
        ]


def test_rename_and_taken_names(store: UnitOfWorkFactory) -> None:
    _setup(store)
    with store() as uow:
        sales = uow.units.add("Sales")
        support = uow.units.add("Support")
        uow.units.rename(sales.id, "Sales – Nord")
        with pytest.raises(Conflict, match="Support"):
            uow.units.rename(sales.id, "Support")
        with pytest.raises(Conflict, match="Support"):
            uow.units.add("Support")
        # Names differing only in case are different names to the store (the services
        # compare names case-blind before they get here).
        assert uow.units.add("support").id == 3
        uow.commit()
    with store() as uow:
        assert [(u.id, u.name) for u in uow.units.all()] == [
            (1, "Sales – Nord"),
            (support.id, "Support"),
            (3, "support"),
        ]


def test_delete_and_restore_a_unit(store: UnitOfWorkFactory) -> None:
    _setup(store)
    with store() as uow:
        sales = uow.units.add("Sales")
        support = uow.units.add("Support")
        uow.units.set_members(sales.id, ["ada", "Bob"], ["+15550100", "+15550101"])
        uow.units.set_members(support.id, ["zoë"], ["+15550102"])
        uow.commit()
    with store() as uow:
        before = uow.units.get(sales.id)
        assert before is not None
        uow.units.delete(sales.id)
        uow.commit()
    with store() as uow:
        assert uow.units.get(sales.id) is None
        assert [u.id for u in uow.units.all()] == [support.id]
        # Its numbers are free again.
        uow.units.set_members(support.id, ["zoë"], ["+15550102", "+15550100"])
        uow.units.set_members(support.id, ["zoë"], ["+15550102"])
        uow.units.restore(before)
        uow.commit()
    with store() as uow:
        assert uow.units.get(sales.id) == before
        assert uow.units.count() == 2
        assert uow.units.add("Ops").id == 3


def test_new_ids_follow_the_highest_stored_one(store: UnitOfWorkFactory) -> None:
    """One more than the highest id stored: after a restore with a high id, after the
    highest unit was deleted, and whatever a rolled-back unit of work did."""
    _setup(store)
    with store() as uow:
        uow.units.restore(m.BillingUnit(7, "Restored", ("ada",), ("+15550100",)))
        assert uow.units.add("Next").id == 8
        uow.commit()
    with store() as uow:
        assert uow.units.add("Discarded").id == 9
        uow.units.add("Discarded too")
    with store() as uow:
        assert uow.units.add("After a rollback").id == 9
        uow.units.delete(9)
        assert uow.units.add("After a delete").id == 9
        uow.units.restore(m.BillingUnit(3, "Low"))
        assert uow.units.add("Still after the highest").id == 10
        uow.commit()
    with store() as uow:
        assert [u.id for u in uow.units.all()] == [9, 3, 8, 7, 10]


def test_restoring_over_a_taken_id_name_or_number_is_a_conflict(
    store: UnitOfWorkFactory,
) -> None:
    _setup(store)
    with store() as uow:
        sales = uow.units.add("Sales")
        uow.units.set_members(sales.id, ["ada"], ["+15550100"])
        with pytest.raises(Conflict, match="id"):
            uow.units.restore(m.BillingUnit(sales.id, "Other"))
        with pytest.raises(Conflict, match="Sales"):
            uow.units.restore(m.BillingUnit(5, "Sales"))
        with pytest.raises(Conflict):
            uow.units.restore(m.BillingUnit(5, "Support", ("Bob",), ("+15550101", "+15550100")))
        # Nothing of the refused restores was kept, and the unit of work goes on.
        assert uow.units.all() == [m.BillingUnit(sales.id, "Sales", ("ada",), ("+15550100",))]
        assert uow.units.add("Support").id == 2
        uow.commit()
    with store() as uow:
        assert uow.units.count() == 2


def test_a_number_in_another_unit_is_refused_and_nothing_changes(
    store: UnitOfWorkFactory,
) -> None:
    _setup(store)
    with store() as uow:
        sales = uow.units.add("Sales")
        support = uow.units.add("Support")
        uow.units.set_members(sales.id, ["ada"], ["+15550100"])
        uow.units.set_members(support.id, ["Bob"], ["+15550101"])
        # The SQL store still raises the driver's IntegrityError here (tests/integration/
        # test_store.py expects it); the contract is that it refuses and changes nothing.
        with pytest.raises((Conflict, sa.exc.IntegrityError)):
            uow.units.set_members(support.id, ["zoë"], ["+15550102", "+15550100"])
        assert uow.units.get(support.id) == m.BillingUnit(
            support.id, "Support", ("Bob",), ("+15550101",)
        )
        uow.commit()
    with store() as uow:
        assert uow.units.get(sales.id) == m.BillingUnit(sales.id, "Sales", ("ada",), ("+15550100",))


# --- ledger -----------------------------------------------------------------------------------


def test_ledger_rows_in_date_then_insertion_order(store: UnitOfWorkFactory) -> None:
    with store() as uow:
        uow.account.save(r.ACCOUNT)
        uow.ledger.add_many(r.LEDGER[:3])
        uow.commit()
    with store() as uow:
        uow.ledger.add_many(r.LEDGER[3:])
        uow.commit()
    with store() as uow:
        stored = uow.ledger.all()
        between = uow.ledger.between(date(2026, 1, 15), date(2026, 2, 1))
        totals = uow.ledger.pool_totals(date(2026, 3, 1))
        later = uow.ledger.pool_totals(date(2026, 3, 2))
        none = uow.ledger.pool_totals(date(2025, 1, 1))
    order = [0, 2, 1, 3, 4, 5]  # by date; rows of one date as they were added
    assert [_without_id(e) for e in stored] == [r.LEDGER[i] for i in order]
    ids = [e.id or 0 for e in stored]
    assert all(isinstance(e.id, int) for e in stored)
    assert len(set(ids)) == len(ids)
    assert [ids[order.index(i)] for i in range(len(order))] == sorted(ids)  # insertion order
    assert [_without_id(e) for e in between] == [r.LEDGER[i] for i in (2, 1, 3, 4)]
    assert totals == {
        "commit::2026-01-01": D("1162.88"),
        m.CREDITS_POOL: D("100.00"),
        "": D("0.00"),
    }
    assert later[m.CREDITS_POOL] == D("95.00")
    assert none == {}


def _without_id(entry: m.LedgerEntry) -> m.LedgerEntry:
    return m.LedgerEntry(
        entry.occurred_on,
        entry.kind,
        entry.amount,
        entry.product,
        entry.reference,
        entry.description,
        None,
        entry.pool,
    )


# --- rollups ----------------------------------------------------------------------------------


def test_rollups_add_up_and_sum_over_apps(store: UnitOfWorkFactory) -> None:
    d1, d2, d3 = date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 31)
    with store() as uow:
        uow.rollups.add({(d1, 0, "", "calls"): D(3), (d1, 0, "app-1", "billing_sessions"): D(2)})
        uow.rollups.add(
            {
                (d1, 0, "", "calls"): D(2),
                (d1, 0, "App-2", "billing_sessions"): D(5),
                (d1, 23, "", "recording_minutes"): D("2.350001"),
                (d2, 13, "app-1", "billing_sessions"): D(1),
                (d3, 2, "", "calls"): D(0),  # nothing to add: no row
                (d3, 3, "", "calls"): D(-1),  # corrections may be negative
            }
        )
        uow.commit()
    with store() as uow:
        assert uow.rollups.span() == (d1, d3)
        assert uow.rollups.totals(d1, d3) == {
            "calls": D(4),
            "billing_sessions": D(8),
            "recording_minutes": D("2.350001"),
        }
        assert uow.rollups.totals(d2, d3) == {"billing_sessions": D(1), "calls": D(-1)}
        assert uow.rollups.totals(d1, d1, app="app-1") == {"billing_sessions": D(2)}
        assert uow.rollups.totals(d1, d3, app="nope") == {}
        rows = uow.rollups.rows(d1, d3, ["billing_sessions", "calls"])
        assert rows == [
            RollupRow(d1, 0, "", "billing_sessions", D(7)),
            RollupRow(d1, 0, "", "calls", D(5)),
            RollupRow(d2, 13, "", "billing_sessions", D(1)),
            RollupRow(d3, 3, "", "calls", D(-1)),
        ]
        assert uow.rollups.rows(d1, d3, ["billing_sessions"], app="App-2") == [
            RollupRow(d1, 0, "App-2", "billing_sessions", D(5))
        ]
        assert uow.rollups.rows(d2, d2, []) == []
        uow.rollups.clear()
        assert uow.rollups.span() is None
        assert uow.rollups.totals(d1, d3) == {}


def test_rollups_refuse_more_than_six_decimals(store: UnitOfWorkFactory) -> None:
    with store() as uow, pytest.raises(StoreError, match="6 decimals"):
        uow.rollups.add({(date(2026, 3, 1), 0, "", "recording_minutes"): D("0.0000001")})


# --- closed months ----------------------------------------------------------------------------

LINES = [
    MonthLine("VOICE", D("1500.5"), D("1000"), D("1000"), D("0.0125"), D("6.26"), D("6.26"),
              D("0.00"), D("23.74")),
    MonthLine("sms", D("3"), D("0"), D("0"), D("0.0075"), D("0.02"), D("0"), D("0.02"),
              D("-0.02")),
    MonthLine("SESSIONS", D("0"), D("500"), D("0"), D("0.05"), D("0"), D("0"), D("0"), D("0")),
]  # fmt: skip


def test_closed_months_and_their_lines(store: UnitOfWorkFactory) -> None:
    feb = ClosedMonth(date(2026, 2, 1), datetime(2026, 3, 1, 0, 0, 0, 1, UTC), "ada", "INV-1")
    jan = ClosedMonth(date(2026, 1, 1), r.at(-60 * 24 * 40), "previous system", None)
    with store() as uow:
        uow.account.save(r.ACCOUNT)
        uow.closing.add(feb, LINES)
        uow.closing.add(jan, [])
        uow.commit()
    with store() as uow:
        assert uow.closing.all() == [jan, feb]
        assert uow.closing.get(date(2026, 2, 1)) == feb
        assert uow.closing.get(date(2026, 3, 1)) is None
        assert uow.closing.lines(feb.month) == [LINES[2], LINES[0], LINES[1]]  # by product code
        assert uow.closing.lines(jan.month) == []
        with pytest.raises(Conflict, match="2026-02"):
            uow.closing.add(ClosedMonth(feb.month, r.T0, "bob", None), LINES[:1])
        assert uow.closing.all() == [jan, feb]
        assert uow.closing.lines(feb.month) == [LINES[2], LINES[0], LINES[1]]


# --- audit ------------------------------------------------------------------------------------


def test_audit_entries_with_json_details(store: UnitOfWorkFactory) -> None:
    with store() as uow:
        for entry in r.AUDIT:
            uow.audit.add(entry)
        uow.commit()
    with store() as uow:
        assert uow.audit.recent() == list(reversed(r.AUDIT))  # the last added first
        assert uow.audit.recent(2) == [r.AUDIT[3], r.AUDIT[2]]
        assert uow.audit.recent(0) == []
        # About some records: oldest first.
        assert uow.audit.for_entities("billing_unit", ["1", "2"]) == [r.AUDIT[0], r.AUDIT[2]]
        assert uow.audit.for_entities("billing_unit", []) == []
        assert uow.audit.for_entities("calls", ["calls.csv"]) == [r.AUDIT[1]]
        assert uow.audit.for_entities("workspace", [""]) == [r.AUDIT[3]]


# --- settings ---------------------------------------------------------------------------------

SETTINGS: dict[str, object] = {
    "auto_recharge": {"threshold_minor": 5000, "amount_minor": 10_000, "enabled": True},
    "quotas": [{"app": "app-ü", "limit": 2**53 + 1}, {"app": "App-2", "limit": None}],
    "ratio": 0.1,
    "name": "Zoë's «workspace»",
    "flag": False,
    "count": -7,
    "nested": {"z": [1, [2, [3]]], "a": {"b": {"c": "d"}}},
}


def test_settings_round_trip_as_json(store: UnitOfWorkFactory) -> None:
    with store() as uow:
        assert uow.settings.get("auto_recharge") is None
        for key, value in SETTINGS.items():
            uow.settings.put(key, value)
        uow.settings.put("count", 3)  # put over
        uow.commit()
    with store() as uow:
        for key, value in SETTINGS.items():
            stored = uow.settings.get(key)
            assert stored == (3 if key == "count" else value)
            assert type(stored) is type(value)
        nested = uow.settings.get("nested")
        assert isinstance(nested, dict)
        assert list(nested) == ["z", "a"]  # the keys in the order they were put
        assert uow.settings.get("missing") is None


# --- plan extension requests ------------------------------------------------------------------


def test_extension_requests_oldest_first(store: UnitOfWorkFactory) -> None:
    _setup(store)
    with store() as uow:
        second = uow.extension_requests.add(r.extension_request("App-2", 10))
        first = uow.extension_requests.add(r.extension_request("app-1", 5, "Bewerbungsphase"))
        third = uow.extension_requests.add(r.extension_request("app-1", 10, "Again"))
        uow.commit()
    assert first.id is not None and second.id is not None and third.id is not None
    assert second.id < first.id < third.id
    with store() as uow:
        assert uow.extension_requests.for_apps(["app-1", "App-2", "app-ü"]) == [
            first,
            second,
            third,
        ]
        assert uow.extension_requests.for_apps(["app-1"]) == [first, third]
        assert uow.extension_requests.for_apps([]) == []
        with pytest.raises(Conflict, match="app-9"):
            uow.extension_requests.add(r.extension_request("app-9", 1))
        assert uow.extension_requests.for_apps(["app-1", "App-2", "app-9"]) == [
            first,
            second,
            third,
        ]


def test_an_extension_decision_is_stored_on_its_request(store: UnitOfWorkFactory) -> None:
    """Issue 19 §6: status, who decided and when, the end granted or the reason refused."""
    _setup(store)
    with store() as uow:
        asked = uow.extension_requests.add(r.extension_request("app-1", 5))
        other = uow.extension_requests.add(r.extension_request("app-1", 6, "Other"))
        uow.commit()
    approved = dataclasses.replace(
        asked, status="approved", decided_by="ada", decided_at=r.at(30),
        granted_end=date(2026, 7, 31),
    )  # fmt: skip
    with store() as uow:
        uow.extension_requests.decide(approved)
        uow.extension_requests.decide(
            dataclasses.replace(other, status="rejected", decided_by="ada",
                                decided_at=r.at(31), decision_note="Budget für Q3 fehlt")
        )  # fmt: skip
        uow.commit()
    with store() as uow:
        first, second = uow.extension_requests.for_apps(["app-1"])
    assert first == approved
    assert (second.status, second.decision_note, second.granted_end) == (
        "rejected", "Budget für Q3 fehlt", None,
    )  # fmt: skip
