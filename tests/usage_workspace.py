"""A small workspace for the Usage tab and the credits services, relative to a given day.

Figures of the month of ``today`` (2 agents, so 200 free voice minutes):

* Voice minutes (Contact center services): 600 minutes, 200 free, 400 x 0.02 = 8.00, paid by
  its 30.00 monthly commit: balance +22.00, commit "$30.00 monthly".
* SMS messages: 50 x 0.01 = 0.50, no commit available ("N/A"): balance -0.50 (red).
* Billing sessions: 3 conversations of 20 minutes = 6 sessions x 0.05 = 0.30, commit available
  but not bought ("-"): balance -0.30 (red).

The month before has 600 voice minutes and 20 SMS messages (0.20 to invoice once closed).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from billing_desktop.domain import model as m
from billing_desktop.domain.periods import Month
from billing_desktop.services.demo import DEMO_CARD
from billing_desktop.services.payment_methods import put_on_file
from billing_desktop.services.recording import add_records
from billing_desktop.store.ports import UnitOfWork

D = Decimal
USERS = [
    m.User("ada", "Ada Admin", "ada@example.com", m.Role.ADMIN),
    m.User("sam", "Sam Supervisor", "sam@example.com", m.Role.SUPERVISOR),
    m.User("eve", "Eve Editor", "eve@example.com", m.Role.AGENT, (), (m.Privilege.EDIT_BILLING,)),
]
PRODUCTS = [
    m.Product(
        "VOICE",
        "Voice minutes",
        m.Unit.MINUTE,
        D("0.02"),
        D("100"),
        True,
        m.Metering.SUM,
        m.Source.CALLS,
        m.CommitAvailability.ACTIVE,
    ),
    m.Product(
        "SMS",
        "SMS messages",
        m.Unit.MESSAGE,
        D("0.01"),
        D("0"),
        False,
        m.Metering.COUNT,
        m.Source.SMS,
        m.CommitAvailability.NOT_AVAILABLE,
    ),
    m.Product(
        "SESSIONS",
        "Billing sessions",
        m.Unit.SESSION,
        D("0.05"),
        D("0"),
        False,
        m.Metering.SESSIONS,
        m.Source.CONVERSATIONS,
        m.CommitAvailability.AVAILABLE,
    ),
]


def account(payment_method: m.PaymentMethod = m.PaymentMethod.CREDIT_CARD) -> m.Account:
    return m.Account(
        "Acme Recruiting",
        "USD",
        "UTC",
        m.PlanTier.PRO,
        payment_method,
        m.CommitScope.PRODUCT,
    )


def utc_today() -> date:
    return datetime.now(UTC).date()


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def add_month_usage(
    uow: UnitOfWork, month: Month, calls: int, sms: int, conversations: int, tag: str
) -> None:
    first = month.first_day
    add_records(
        uow,
        "calls",
        [
            m.Call(
                f"{tag}-call-{n}",
                m.CallType.AUTOCALL,
                m.TriggeredBy.CANDIDATE,
                "Email",
                None,
                "Fall",
                None,
                None,
                _at(first, n % 20),
                3600,
            )
            for n in range(calls)
        ],
    )
    if sms:
        add_records(
            uow,
            "sms",
            [m.Sms(f"{tag}-sms-{n}", "reminder", "Fall", _at(first, n % 20)) for n in range(sms)],
        )
    if conversations:
        add_records(
            uow,
            "conversations",
            [
                m.Conversation(
                    f"{tag}-conv-{n}",
                    "careers",
                    m.Channel.CHAT,
                    _at(first, n),
                    _at(first, n) + timedelta(minutes=20),
                    0,
                )
                for n in range(conversations)
            ],
        )


def build(
    uow: UnitOfWork,
    today: date,
    payment_method: m.PaymentMethod = m.PaymentMethod.CREDIT_CARD,
) -> None:
    """The workspace above, with usage in the month of ``today`` and the month before."""
    current = Month.of(today)
    start = current.plus(-2).first_day
    uow.account.save(account(payment_method))
    if payment_method == m.PaymentMethod.CREDIT_CARD:  # the card auto-recharge charges
        put_on_file(uow, DEMO_CARD, today)
    uow.products.add_many(PRODUCTS)
    uow.commits.add_many([m.Commit("VOICE", D("30.00"), m.Frequency.MONTHLY, start)])
    uow.users.add_many(USERS)
    uow.agents.add_many([m.AgentSeat("ada", start), m.AgentSeat("sam", start)])
    uow.plans.add_many([m.Plan("growth", "Growth", D("199.00"), 10_000, 2)])
    uow.apps.add_many(
        [m.App("careers", "Careers bot", "ada", "growth", m.AppStatus.ACTIVE, D("0"))]
    )
    add_month_usage(uow, current.plus(-1), calls=10, sms=20, conversations=0, tag="prev")
    add_month_usage(uow, current, calls=10, sms=50, conversations=3, tag="now")
