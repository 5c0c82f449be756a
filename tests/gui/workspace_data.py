"""A small workspace of every kind of data, written straight through the repositories."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from billing_desktop.domain import model as m
from billing_desktop.services.recording import add_records
from billing_desktop.store.ports import UnitOfWork

TIMEZONE = "Europe/Berlin"
CALLS = 1_200  # more than two pages of 500
ACCOUNT = m.Account(
    "Northwind Talent",
    "USD",
    TIMEZONE,
    m.PlanTier.PRO,
    m.PaymentMethod.CREDIT_CARD,
    m.CommitScope.PRODUCT,
)
PRODUCTS = [
    m.Product(
        "VOICE",
        "Voice minutes",
        m.Unit.MINUTE,
        Decimal("0.0125"),
        Decimal("1000"),
        True,
        m.Metering.SUM,
        m.Source.CALLS,
        m.CommitAvailability.ACTIVE,
    ),
    m.Product(
        "SESSIONS",
        "Billing sessions",
        m.Unit.SESSION,
        Decimal("0.05"),
        Decimal("500"),
        False,
        m.Metering.SESSIONS,
        m.Source.CONVERSATIONS,
        m.CommitAvailability.AVAILABLE,
    ),
    m.Product(
        "SMS",
        "SMS messages",
        m.Unit.MESSAGE,
        Decimal("0.0075"),
        Decimal("0"),
        False,
        m.Metering.COUNT,
        m.Source.SMS,
        m.CommitAvailability.NOT_AVAILABLE,
    ),
]
USERS = [
    m.User("ada", "Ada Admin", "ada@example.com", m.Role.ADMIN, ("Billing",)),
    m.User("sam", "Sam Supervisor", "sam@example.com", m.Role.SUPERVISOR, ("Sales",)),
    m.User("shay", "Shared Desk", "desk@example.com", m.Role.SHARED),
    m.User("alex", "Alex Agent", "alex@example.com", m.Role.AGENT, ("Sales",)),
]
ROLE_USERS = {"admin": "ada", "supervisor": "sam", "shared": "shay", "agent": "alex"}


def this_month_start_utc() -> datetime:
    """The start of the current month in the account's zone, as a UTC instant."""
    local = datetime.now(ZoneInfo(TIMEZONE))
    start = datetime(local.year, local.month, 1, tzinfo=ZoneInfo(TIMEZONE))
    return start.astimezone(UTC)


def fill(uow: UnitOfWork) -> None:
    uow.account.save(ACCOUNT)
    uow.products.add_many(PRODUCTS)
    uow.users.add_many(USERS)
    uow.numbers.add_many(
        [m.PhoneNumber("+15550100", "Main line"), m.PhoneNumber("+15550101", "Support")]
    )
    uow.plans.add_many(
        [
            m.Plan("starter", "Starter", Decimal("49.00"), 1_000, 1),
            m.Plan("growth", "Growth", Decimal("199.00"), 10_000, 2),
        ]
    )
    uow.apps.add_many(
        [
            m.App("careers", "Careers bot", "ada", "growth", m.AppStatus.ACTIVE, Decimal("120.50")),
            m.App(
                "faq",
                "FAQ bot",
                "sam",
                "growth",
                m.AppStatus.EXPIRING,
                Decimal("-15.25"),
                date(2026, 12, 31),
                "starter",
            ),
        ]
    )
    unit = uow.units.add("Sales")
    uow.units.set_members(unit.id, ["ada", "sam"], ["+15550100"])
    uow.units.add("Support")
    uow.invoices.add_many(
        [
            m.Invoice(
                "INV-0001",
                date(2026, 9, 1),
                date(2026, 8, 1),
                Decimal("1234.50"),
                m.InvoiceStatus.PAID,
            ),
            m.Invoice(
                "INV-0002",
                date(2026, 10, 1),
                date(2026, 9, 1),
                Decimal("980.00"),
                m.InvoiceStatus.ISSUED,
            ),
        ]
    )
    start = this_month_start_utc() + timedelta(hours=2)
    add_records(
        uow,
        "calls",
        [
            m.Call(
                f"call-{i:05}",
                m.CallType.AUTOCALL if i % 3 else m.CallType.LIVE,
                m.TriggeredBy.CANDIDATE if i % 2 else m.TriggeredBy.RECRUITER,
                "Email",
                f"cand-{i % 50}",
                "Spring hiring",
                "+15550100",
                "alex",
                start + timedelta(minutes=i),
                30 + i % 300,
            )
            for i in range(CALLS)
        ],
    )
    add_records(
        uow,
        "conversations",
        [
            m.Conversation(
                f"conv-{i}",
                "careers",
                m.Channel.CHAT,
                start + timedelta(hours=i),
                start + timedelta(hours=i, minutes=20),
                0,
            )
            for i in range(5)
        ],
    )
