"""The SQL repositories: plain data in and out, exact money, one unit of work per transaction."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.errors import StoreError

ACCOUNT = m.Account(
    "Acme",
    "USD",
    "Europe/Berlin",
    m.PlanTier.PRO,
    m.PaymentMethod.CREDIT_CARD,
    m.CommitScope.PRODUCT,
)
PRODUCT = m.Product(
    "VOICE",
    "Voice minutes",
    m.Unit.MINUTE,
    Decimal("0.0125"),
    Decimal("1000"),
    True,
    m.Metering.SUM,
    m.Source.CALLS,
    m.CommitAvailability.ACTIVE,
)
USERS = [
    m.User(
        "u1", "Ann", "ann@example.com", m.Role.ADMIN, ("Sales", "Ops"), (m.Privilege.EDIT_BILLING,)
    ),
    m.User("u2", "Bob", "bob@example.com", m.Role.AGENT),
]


def _seed(store: SqlStore) -> None:
    with store() as uow:
        uow.account.save(ACCOUNT)
        uow.products.add_many([PRODUCT])
        uow.users.add_many(USERS)
        uow.numbers.add_many([m.PhoneNumber("+15550100", "Main"), m.PhoneNumber("+15550101")])
        uow.commit()


def test_everything_round_trips_as_plain_data(store: SqlStore) -> None:
    _seed(store)
    started = datetime(2026, 3, 29, 0, 30, 15, 250_000, tzinfo=timezone(timedelta(hours=1)))
    call = m.Call(
        "c1",
        m.CallType.LIVE,
        m.TriggeredBy.RECRUITER,
        "Email",
        None,
        "Spring",
        "+15550100",
        "u2",
        started,
        61,
    )
    commits = [
        m.Commit("VOICE", Decimal("30.00"), m.Frequency.MONTHLY, date(2026, 1, 1)),
        m.Commit(None, Decimal("100.00"), m.Frequency.YEARLY, date(2026, 1, 1)),
    ]
    recording = m.Recording("r1", "Spring", Decimal("2.35"), started)
    with store() as uow:
        uow.calls.add_many([call])
        uow.commits.add_many(commits)
        uow.recordings.add_many([recording])
        uow.storage.add_many([m.StorageSnapshot(date(2026, 3, 1), Decimal("12.125"))])
        uow.commit()
    with store() as uow:
        assert uow.account.get() == ACCOUNT
        assert uow.products.all() == [PRODUCT]
        assert uow.users.all() == USERS
        stored = uow.calls.get_many(["c1", "missing"])
        assert stored == {"c1": call}
        assert stored["c1"].started_at.tzinfo is not None
        assert uow.commits.get_many([("VOICE", date(2026, 1, 1)), (None, date(2026, 1, 1))]) == {
            ("VOICE", date(2026, 1, 1)): commits[0],
            (None, date(2026, 1, 1)): commits[1],
        }
        assert uow.recordings.all() == [recording]
        assert uow.storage.all()[0].quantity == Decimal("12.125")


def test_money_is_stored_as_integer_minor_units(store: SqlStore) -> None:
    _seed(store)
    with store() as uow:
        uow.plans.add_many([m.Plan("starter", "Starter", Decimal("49.99"), 1000, 1)])
        uow.commit()
    with store.engine.connect() as conn:
        raw = conn.execute(
            sa.text("SELECT monthly_price_minor, typeof(monthly_price_minor) FROM plans")
        ).one()
        assert tuple(raw) == (4999, "integer")
        price = conn.execute(sa.text("SELECT unit_price, typeof(unit_price) FROM products")).one()
        assert tuple(price) == ("0.0125", "text")


def test_money_needs_the_account_currency(store: SqlStore) -> None:
    with store() as uow, pytest.raises(StoreError, match="import the account first"):
        uow.plans.add_many([m.Plan("starter", "Starter", Decimal("49.99"), 1000, 1)])


def test_a_unit_of_work_rolls_back_unless_committed(store: SqlStore) -> None:
    with store() as uow:
        uow.account.save(ACCOUNT)
    with store() as uow:
        assert uow.account.get() is None

    with pytest.raises(RuntimeError), store() as uow:
        uow.account.save(ACCOUNT)
        raise RuntimeError("boom")
    with store() as uow:
        assert uow.account.get() is None


def test_a_phone_number_belongs_to_at_most_one_unit(store: SqlStore) -> None:
    _seed(store)
    with store() as uow:
        sales = uow.units.add("Sales")
        support = uow.units.add("Support")
        uow.units.set_members(sales.id, ["u1", "u2"], ["+15550100"])
        uow.units.set_members(support.id, ["u1"], ["+15550101"])
        uow.commit()
    with store() as uow:
        units = {u.name: u for u in uow.units.all()}
        assert units["Sales"].numbers == ("+15550100",)
        assert units["Support"].user_ids == ("u1",)  # a user may be in several units
        summaries = {s.name: (s.users, s.numbers) for s in uow.queries.unit_summaries()}
        assert summaries == {"Sales": (2, 1), "Support": (1, 1)}
        with pytest.raises(sa.exc.IntegrityError):
            uow.units.set_members(support.id, [], ["+15550101", "+15550100"])


def test_call_pages_are_newest_first(store: SqlStore) -> None:
    _seed(store)
    base = datetime(2026, 10, 1, tzinfo=UTC)
    calls = [
        m.Call(
            f"c{i:03d}",
            m.CallType.AUTOCALL,
            m.TriggeredBy.CANDIDATE,
            "SMS",
            f"cand{i}",
            "Fall",
            None,
            None,
            base + timedelta(minutes=i),
            30 + i,
        )
        for i in range(25)
    ]
    with store() as uow:
        uow.calls.add_many(calls)
        uow.commit()
    with store() as uow:
        assert uow.queries.call_count() == 25
        first = uow.queries.call_page(0, 10)
        last = uow.queries.call_page(20, 10)
        assert [c.id for c in first] == [f"c{i:03d}" for i in range(24, 14, -1)]
        assert [c.id for c in last] == [f"c{i:03d}" for i in range(4, -1, -1)]


def test_workspace_settings_round_trip_as_json(store: SqlStore) -> None:
    with store() as uow:
        assert uow.settings.get("auto_recharge") is None
        uow.settings.put("auto_recharge", {"threshold_minor": 5000, "amount_minor": 10000})
        uow.settings.put("auto_recharge", {"threshold_minor": 2500, "amount_minor": 10000})
        uow.commit()
    with store() as uow:
        assert uow.settings.get("auto_recharge") == {"threshold_minor": 2500, "amount_minor": 10000}
