"""Realistic records of every kind for the contract suite, with the values stores get wrong.

Text mixes cases, accents and punctuation (a collation-dependent ORDER BY shows), instants
carry microseconds and offsets and reach before 1970, quantities carry many decimals, and the
nullable columns hold NULLs (where databases disagree about their order).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from billing_desktop.domain import model as m
from billing_desktop.domain.plans import ExtensionRequest
from billing_desktop.store.ports import UnitOfWork

D = Decimal
CET = timezone(timedelta(hours=1))

ACCOUNT = m.Account(
    "Northwind Talent GmbH",
    "EUR",
    "Europe/Berlin",
    m.PlanTier.ENTERPRISE,
    m.PaymentMethod.INVOICE,
    m.CommitScope.PRODUCT,
)
# The same account in a currency with three decimals (money is stored as minor units).
ACCOUNT_KWD = m.Account(
    "Gulf Recruiting", "KWD", "Asia/Kuwait", m.PlanTier.PRO, m.PaymentMethod.CREDIT_CARD,
    m.CommitScope.ACCOUNT,
)  # fmt: skip

PRODUCTS = [
    m.Product(
        "VOICE", "Voice minutes", m.Unit.MINUTE, D("0.0125"), D("1000"), True,
        m.Metering.SUM, m.Source.CALLS, m.CommitAvailability.ACTIVE,
        (m.Tier(D("10000"), D("0.011")), m.Tier(D("50000.5"), D("0.00975"))),
    ),
    m.Product(
        "SESSIONS", "Billing sessions", m.Unit.SESSION, D("0.05"), D("500"), False,
        m.Metering.SESSIONS, m.Source.CONVERSATIONS, m.CommitAvailability.AVAILABLE,
    ),
    m.Product(
        "sms", "SMS messages (lower-case code)", m.Unit.MESSAGE, D("0.0075"), D("0"), False,
        m.Metering.COUNT, m.Source.SMS, m.CommitAvailability.NOT_AVAILABLE,
    ),
    m.Product(
        "Storage", "Storage über alles", m.Unit.GB, D("0.123456789012"), D("0.5"), False,
        m.Metering.PEAK_DAY, m.Source.STORAGE, m.CommitAvailability.NOT_AVAILABLE,
    ),
    m.Product(
        "_SEATS", "Agent seats", m.Unit.AGENT, D("12.00"), D("0"), True,
        m.Metering.PER_AGENT, m.Source.AGENTS, m.CommitAvailability.NOT_AVAILABLE,
    ),
]  # fmt: skip

COMMITS = [
    m.Commit("VOICE", D("30.00"), m.Frequency.MONTHLY, date(2026, 1, 1)),
    m.Commit("VOICE", D("45.50"), m.Frequency.QUARTERLY, date(2026, 4, 1)),
    m.Commit(None, D("1200.00"), m.Frequency.YEARLY, date(2026, 1, 1)),
    m.Commit("SESSIONS", D("0.01"), m.Frequency.MONTHLY, date(2025, 12, 1)),
]

USERS = [
    m.User("ada", "Ada Admin", "ada@example.com", m.Role.ADMIN, ("Billing", "Sales"),
           (m.Privilege.EDIT_BILLING, m.Privilege.EDIT_BILLING_UNIT)),
    m.User("Bob", "Bob Supervisor", "bob@example.com", m.Role.SUPERVISOR, ("Sales",),
           (m.Privilege.VIEW_BILLING_UNIT,)),
    m.User("zoë", "Zoë Agent", "zoe@example.com", m.Role.AGENT, ("Support", "Sales")),
    m.User("Émile", "Émile Agent", "emile@example.com", m.Role.AGENT),
    m.User("_shared", "Front desk", "desk@example.com", m.Role.SHARED, ("Support",)),
    m.User("carl", "Carl Agent", "carl@example.com", m.Role.AGENT, ("Zeta team", "alpha team")),
]  # fmt: skip

AGENTS = [
    m.AgentSeat("ada", date(2025, 11, 3)),
    m.AgentSeat("zoë", date(2026, 1, 1), date(2026, 2, 28)),
    m.AgentSeat("zoë", date(2026, 4, 1)),
    m.AgentSeat("Émile", date(2026, 2, 15), date(2026, 3, 31)),
    m.AgentSeat("carl", date(2026, 3, 1), date(2026, 3, 1)),
]

NUMBERS = [
    m.PhoneNumber("+15550100", "Main line"),
    m.PhoneNumber("+15550101", "Support – Berlin"),
    m.PhoneNumber("+15550102"),
    m.PhoneNumber("+4930123456", "Zentrale"),
    m.PhoneNumber("+15550200", "spare"),
]

PLANS = [
    m.Plan("starter", "Starter", D("49.99"), 1000, 1),
    m.Plan("Growth", "Growth", D("199.00"), 5000, 2),
    m.Plan("scale", "Scale", D("0.00"), 0, 3),
]

APPS = [
    m.App("app-1", "Recruiting bot", "ada", "starter", m.AppStatus.ACTIVE, D("12.34")),
    m.App("App-2", "Support bot", "Bob", "Growth", m.AppStatus.EXPIRING, D("-5.01"),
          date(2026, 4, 30), "starter"),
    m.App("app-ü", "Bewerber-Bot", "zoë", "scale", m.AppStatus.SUSPENDED, D("0"),
          date(2026, 3, 31)),
]  # fmt: skip

T0 = datetime(2026, 3, 1, 9, 0, 0, 123_456, tzinfo=UTC)


BEFORE_1970 = datetime(1969, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


CONVERSATIONS = [
    m.Conversation("conv-1", "app-1", m.Channel.CHAT, at(0), at(17.5), 0),
    m.Conversation("Conv-2", "App-2", m.Channel.VOICE, at(30), at(95), 600),
    m.Conversation("conv-3", "app-1", m.Channel.VOICE, at(60 * 24 * 20), at(60 * 24 * 20 + 1), 0),
    m.Conversation(
        "conv-4", "app-ü", m.Channel.CHAT,
        datetime(2026, 3, 29, 1, 59, 59, 999_999, tzinfo=CET),
        datetime(2026, 3, 29, 3, 0, 1, tzinfo=UTC), 12,
    ),
]  # fmt: skip

ALERTS = [
    m.Alert("alert-1", "app-1", "ada", at(5)),
    m.Alert("alert-2", "app-1", "zoë", at(6)),
    m.Alert("Alert-3", "App-2", "zoë", at(60 * 24 * 31)),
    m.Alert("alert-4", "app-ü", "Bob", at(-1)),
]

CAMPAIGNS = ("Spring", "spring", "Ärzte", "zeta", "_intern", "10 Jobs", "9 Jobs", "")


def make_calls(count: int = 40) -> list[m.Call]:
    """Calls whose every sortable column has ties, NULLs and mixed-case text."""
    assert count % 7, "ids are a permutation of 0..count-1 through i * 7 % count"
    types = list(m.CallType)
    triggers = list(m.TriggeredBy)
    sources = ("Email", "email", "SMS", "Élan", "web")
    numbers = ("+15550100", None, "+15550101", "+4930123456", None, "+15550102")
    users = ("ada", None, "zoë", "Bob", "Émile", None, "carl")
    calls = []
    for i in range(count):
        calls.append(
            m.Call(
                id=("c" if i % 3 else "C") + f"{(i * 7) % count:03d}",
                type=types[i % len(types)],
                triggered_by=triggers[(i // 2) % len(triggers)],
                trigger_source=sources[i % len(sources)],
                candidate_id=None if i % 4 == 0 else ("cand-" if i % 3 else "Cand-") + str(i % 9),
                campaign=CAMPAIGNS[i % len(CAMPAIGNS)],
                number=numbers[i % len(numbers)],
                user_id=users[i % len(users)],
                # Pairs share an instant (ties broken by id); one call is before 1970.
                started_at=at((i // 2) * 37.25) if i != 13 else BEFORE_1970,
                duration_seconds=(0, 1, 59, 60, 61, 3600, 61)[i % 7],
            )
        )
    return calls


CALLS = make_calls()

SMS = [
    m.Sms("sms-1", "reminder", "Spring", at(1)),
    m.Sms("SMS-2", "Reminder", "spring", at(2)),
    m.Sms("sms-3", "invitation (über)", "", at(60 * 24 * 40)),
]

INTERVIEWS = [
    m.Interview("int-1", m.InterviewMethod.MESSENGER, "Spring", at(3)),
    m.Interview("Int-2", m.InterviewMethod.LANDING_PAGE, "zeta", at(4)),
    m.Interview("int-3", m.InterviewMethod.PHONE, "Ärzte", at(-60 * 24 * 400)),
]

RECORDINGS = [
    m.Recording("rec-1", "Spring", D("2.35"), at(7)),
    m.Recording("Rec-2", "spring", D("0.000001"), at(8)),
    m.Recording("rec-3", "zeta", D("12345678.123456"), at(9)),
    m.Recording("rec-4", "zeta", D("1E+2"), at(10)),
]

STORAGE = [
    m.StorageSnapshot(date(2026, 3, 1), D("12.125")),
    m.StorageSnapshot(date(2026, 3, 2), D("12.5000")),
    m.StorageSnapshot(date(2025, 12, 31), D("0")),
    m.StorageSnapshot(date(2099, 12, 31), D("99999.999999")),
]

INVOICES = [
    m.Invoice("INV-2026-0002", date(2026, 3, 1), date(2026, 2, 1), D("1234.56"),
              m.InvoiceStatus.ISSUED, date(2026, 3, 31)),
    m.Invoice("INV-2026-0001", date(2026, 2, 1), date(2026, 1, 1), D("0.01"),
              m.InvoiceStatus.PAID),
    m.Invoice("inv-2025-0012", date(2026, 1, 2), date(2025, 12, 1), D("-3.00"),
              m.InvoiceStatus.OVERDUE, date(2026, 1, 31)),
]  # fmt: skip

LEDGER = [
    m.LedgerEntry(date(2026, 1, 1), m.LedgerKind.COMMIT_RECHARGE, D("1200.00"), None, "C-1",
                  "Yearly commit", pool="commit::2026-01-01"),
    m.LedgerEntry(date(2026, 2, 1), m.LedgerKind.INVOICE, D("-0.01"), None, "INV-2026-0001"),
    m.LedgerEntry(date(2026, 1, 15), m.LedgerKind.PURCHASE, D("100.00"), None, "",
                  "Credits – Jänner", pool=m.CREDITS_POOL),
    m.LedgerEntry(date(2026, 2, 1), m.LedgerKind.USAGE_DEBIT, D("-37.12"), "VOICE", "",
                  "", pool="commit::2026-01-01"),
    m.LedgerEntry(date(2026, 2, 1), m.LedgerKind.PAYMENT, D("0.01"), None, "PAY-1"),
    m.LedgerEntry(date(2026, 3, 1), m.LedgerKind.USAGE_DEBIT, D("-5.00"), "sms", "", "",
                  pool=m.CREDITS_POOL),
]  # fmt: skip

AUDIT = [
    m.AuditEntry(at(0), "ada", "gui", "billing-unit.add", "billing_unit", "1", None,
                 {"name": "Sales", "users": ["ada"], "numbers": []}),
    m.AuditEntry(at(1), "Bob (via CLI)", "cli", "import", "calls", "calls.csv", None,
                 {"file": "calls.csv", "rows": 3, "added": 2, "skipped": 1}),
    m.AuditEntry(at(2), "ada", "gui", "billing-unit.rename", "billing_unit", "1",
                 {"name": "Sales"}, {"name": "Sales – Nord", "ratio": 0.5, "ok": True}),
    m.AuditEntry(at(-3), "system", "migration", "demo", "workspace", "", None, None),
]  # fmt: skip


def extension_request(
    app: str, minutes: float, reason: str = "Campaign runs longer"
) -> ExtensionRequest:
    return ExtensionRequest(app, reason, date(2026, 6, 30), "ada", at(minutes))


def fill_setup(uow: UnitOfWork, account: m.Account = ACCOUNT) -> None:
    """Account, rate card, users, seats, numbers, plans and apps (what records refer to)."""
    uow.account.save(account)
    uow.products.add_many(PRODUCTS)
    uow.commits.add_many(COMMITS)
    uow.users.add_many(USERS)
    uow.agents.add_many(AGENTS)
    uow.numbers.add_many(NUMBERS)
    uow.plans.add_many(PLANS)
    uow.apps.add_many(APPS)


def fill_records(uow: UnitOfWork, calls: Sequence[m.Call] = CALLS) -> None:
    uow.conversations.add_many(CONVERSATIONS)
    uow.alerts.add_many(ALERTS)
    uow.calls.add_many(calls)
    uow.sms.add_many(SMS)
    uow.interviews.add_many(INTERVIEWS)
    uow.recordings.add_many(RECORDINGS)
    uow.storage.add_many(STORAGE)
    uow.invoices.add_many(INVOICES)


def text_key(value: object) -> Any:
    """How the contract orders keys: None before everything, text by code point (Python's
    own order, SQLite's BINARY collation, PostgreSQL's "C")."""
    if isinstance(value, tuple):
        return tuple(text_key(v) for v in value)
    return (0, "") if value is None else (1, value)


def in_key_order(items: Sequence[Any], key: Any) -> list[Any]:
    return sorted(items, key=lambda item: text_key(key(item)))
