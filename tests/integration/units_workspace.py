"""A small workspace for the billing-unit tests, with allocation worked out by hand.

October 2026 (America/New_York), at list price:

* VOICE (calls, sum, 0.02/min): 76 minutes = 1.52. Sales's number 2 + 60 min (one call at
  23:30 on Oct 31, local), Support's number 2, bo on an unassigned number 1 (Sales and
  Support), ada on an unassigned number 1 (Sales), di (in no unit) without a number 10.
  -> Sales 1.24 + 0.02 + 0.01 = 1.27, Support 0.04 + 0.01 = 0.05, Unassigned 0.20.
* CALLS (calls, count, 0.10): 6 calls = 0.60 -> Sales 0.20 + 0.10 + 0.05, Support 0.10 + 0.05,
  Unassigned 0.10.
* ALERTS (alerts, count, 0.015): ada 2, cy 1, di 1 = 0.06 -> Sales 0.03, Support 0.02 (the tie
  for the last cent goes to the earlier user), Unassigned 0.01.
* SMS (count, 0.01): 3 = 0.03 -> Unassigned (nothing drives SMS).
* SEATS (per_agent, 65.01): bo, cy, di = 195.03 -> bo 65.01 split Sales 32.51 (remainder to the
  first unit by name) / Support 32.50; cy Support 65.01; di Unassigned 65.01.
* NUMBERS (per_number, 1.15): 3 numbers = 3.45 -> one each to Sales, Support, Unassigned.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from billing_desktop.domain import model as m
from billing_desktop.domain.periods import Month
from billing_desktop.services.recording import add_records
from billing_desktop.store.ports import UnitOfWork

D = Decimal
ZONE = ZoneInfo("America/New_York")
OCTOBER = Month(2026, 10)
TODAY = date(2026, 11, 21)

EXPECTED_OCTOBER = {  # name: (usage, recurring, total)
    "Sales": (D("1.65"), D("33.66"), D("35.31")),
    "Support": (D("0.22"), D("98.66"), D("98.88")),
    "Unassigned": (D("0.34"), D("66.16"), D("66.50")),
}
OCTOBER_TOTAL = D("200.69")


def _product(code: str, price: str, metering: m.Metering, source: m.Source) -> m.Product:
    return m.Product(
        code,
        code.title(),
        m.Unit.MINUTE,
        D(price),
        D(1000),  # free units are not taken off at list price
        False,
        metering,
        source,
        m.CommitAvailability.NOT_AVAILABLE,
    )


PRODUCTS = [
    _product("VOICE", "0.02", m.Metering.SUM, m.Source.CALLS),
    _product("CALLS", "0.10", m.Metering.COUNT, m.Source.CALLS),
    _product("ALERTS", "0.015", m.Metering.COUNT, m.Source.ALERTS),
    _product("SMS", "0.01", m.Metering.COUNT, m.Source.SMS),
    _product("SEATS", "65.01", m.Metering.PER_AGENT, m.Source.AGENTS),
    _product("NUMBERS", "1.15", m.Metering.PER_NUMBER, m.Source.NUMBERS),
]
USERS = [
    m.User("ada", "Ada Admin", "ada@x.example", m.Role.ADMIN, ("Sales",)),
    m.User("bo", "Bo Both", "bo@x.example", m.Role.AGENT, ("Sales", "Support")),
    m.User("cy", "Cy Support", "cy@x.example", m.Role.AGENT, ("Support",)),
    m.User("di", "Di Nobody", "di@x.example", m.Role.AGENT),
    m.User("sam", "Sam Supervisor", "sam@x.example", m.Role.SUPERVISOR),
    m.User("shay", "Shared Desk", "desk@x.example", m.Role.SHARED),
    m.User(
        "vera", "Vera Viewer", "vera@x.example", m.Role.AGENT, (), (m.Privilege.VIEW_BILLING_UNIT,)
    ),
    m.User("ed", "Ed Editor", "ed@x.example", m.Role.AGENT, (), (m.Privilege.EDIT_BILLING_UNIT,)),
]
NUMBERS = [
    m.PhoneNumber("+15550100", "Sales line"),
    m.PhoneNumber("+15550101", "Support line"),
    m.PhoneNumber("+15550102", "Spare"),
]


def local(day: int, hour: int, minute: int = 0, month: int = 10) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ZONE).astimezone(UTC)


def _call(call_id: str, number: str | None, user: str | None, at: datetime, seconds: int) -> m.Call:
    return m.Call(
        call_id,
        m.CallType.LIVE,
        m.TriggeredBy.RECRUITER,
        "Chat UI",
        None,
        "Fall",
        number,
        user,
        at,
        seconds,
    )


def fill(uow: UnitOfWork) -> None:
    uow.account.save(
        m.Account(
            "Units Inc",
            "USD",
            "America/New_York",
            m.PlanTier.PRO,
            m.PaymentMethod.INVOICE,
            m.CommitScope.NONE,
        )
    )
    uow.products.add_many(PRODUCTS)
    uow.users.add_many(USERS)
    uow.numbers.add_many(NUMBERS)
    uow.agents.add_many(
        [
            m.AgentSeat("bo", date(2026, 9, 1)),
            m.AgentSeat("cy", date(2026, 10, 15), date(2026, 10, 20)),
            m.AgentSeat("di", date(2026, 10, 31)),
        ]
    )
    uow.plans.add_many([m.Plan("basic", "Basic", D("10.00"), 100, 1)])
    uow.apps.add_many([m.App("bot", "Bot", "ada", "basic", m.AppStatus.ACTIVE, D("0.00"))])
    sales = uow.units.add("Sales")
    uow.units.set_members(sales.id, ["ada", "bo"], ["+15550100"])
    support = uow.units.add("Support")
    uow.units.set_members(support.id, ["bo", "cy"], ["+15550101"])
    add_records(
        uow,
        "calls",
        [
            _call("c1", "+15550100", "cy", local(2, 9), 61),
            _call("c2", "+15550101", None, local(3, 9), 120),
            _call("c3", "+15550102", "bo", local(4, 9), 30),
            _call("c4", None, "di", local(5, 9), 600),
            _call("c5", "+15550102", "ada", local(6, 9), 59),
            _call("c6", "+15550100", None, local(31, 23, 30), 3600),  # Nov 1 in UTC
            _call("c7", "+15550101", "cy", local(2, 9, month=11), 6000),  # November
        ],
    )
    add_records(
        uow,
        "alerts",
        [
            m.Alert("a1", "bot", "ada", local(7, 10)),
            m.Alert("a2", "bot", "ada", local(8, 10)),
            m.Alert("a3", "bot", "cy", local(9, 10)),
            m.Alert("a4", "bot", "di", local(10, 10)),
        ],
    )
    add_records(uow, "sms", [m.Sms(f"s{i}", "Invitation", "Fall", local(11, 10)) for i in range(3)])


def unit_ids(uow: UnitOfWork) -> dict[str, int]:
    return {u.name: u.id for u in uow.units.all()}
