"""Dataclasses of the billing domain (PRODUCT §3). Plain data: no I/O, no ORM.

Money fields are ``Decimal`` in the account's currency; instants are timezone-aware UTC
``datetime``; calendar days are ``date``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum


class PlanTier(StrEnum):
    STANDARD = "standard"
    PRO = "pro"
    ENTERPRISE = "enterprise"


class PaymentMethod(StrEnum):
    CREDIT_CARD = "credit_card"
    INVOICE = "invoice"


class CommitScope(StrEnum):
    ACCOUNT = "account"
    PRODUCT = "product"
    NONE = "none"


class Unit(StrEnum):
    MINUTE = "minute"
    SESSION = "session"
    MESSAGE = "message"
    GB = "GB"
    CALL = "call"
    # Recurring products (per_agent, per_number) are counted in seats and numbers.
    AGENT = "agent"
    NUMBER = "number"


class Metering(StrEnum):
    SUM = "sum"
    COUNT = "count"
    SESSIONS = "sessions"
    VOICE_SESSIONS = "voice_sessions"
    PEAK_DAY = "peak_day"
    PER_AGENT = "per_agent"
    PER_NUMBER = "per_number"


class Source(StrEnum):
    CONVERSATIONS = "conversations"
    ALERTS = "alerts"
    CALLS = "calls"
    SMS = "sms"
    INTERVIEWS = "interviews"
    RECORDINGS = "recordings"
    STORAGE = "storage"
    AGENTS = "agents"
    NUMBERS = "numbers"


class CommitAvailability(StrEnum):
    NOT_AVAILABLE = "not_available"
    AVAILABLE = "available"
    ACTIVE = "active"


class Frequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    AGENT = "agent"
    SHARED = "shared"


class Privilege(StrEnum):
    EDIT_BILLING = "edit_billing"
    VIEW_BILLING_UNIT = "view_billing_unit"
    EDIT_BILLING_UNIT = "edit_billing_unit"


class AppStatus(StrEnum):
    ACTIVE = "active"
    EXPIRING = "expiring"
    SUSPENDED = "suspended"


class Channel(StrEnum):
    CHAT = "chat"
    VOICE = "voice"


class CallType(StrEnum):
    AUTOCALL = "autocall"
    ROBOCALL = "robocall"
    LIVE = "live"


class TriggeredBy(StrEnum):
    CANDIDATE = "candidate"
    RECRUITER = "recruiter"


class InterviewMethod(StrEnum):
    MESSENGER = "messenger"
    PHONE = "phone"
    SMS = "sms"
    LANDING_PAGE = "landing_page"


class InvoiceStatus(StrEnum):
    ISSUED = "issued"
    PAID = "paid"
    OVERDUE = "overdue"
    PARTLY_PAID = "partly_paid"  # payments or credit notes settle part of it


class LedgerKind(StrEnum):
    """Ledger row kinds. Signs are from the customer's side: + adds credit or pays, - uses
    credit or is owed. The sum of all rows is credit left minus amount owed."""

    COMMIT_RECHARGE = "commit_recharge"
    COMMIT_EXPIRY = "commit_expiry"
    PURCHASE = "purchase"
    ONE_TIME_PAYMENT = "one_time_payment"
    USAGE_DEBIT = "usage_debit"
    INVOICE = "invoice"
    PAYMENT = "payment"
    CREDIT_NOTE = "credit_note"  # a correction of an invoice (services/credit_notes.py)


# The ledger pool of purchased credits and one-time payments (they never expire).
CREDITS_POOL = "credits"


@dataclass(frozen=True, slots=True)
class Account:
    name: str
    currency: str
    timezone: str
    plan: PlanTier
    payment_method: PaymentMethod
    commit_scope: CommitScope


@dataclass(frozen=True, slots=True, order=True)
class Tier:
    """Graduated pricing: billable units beyond ``above`` cost ``unit_price`` each."""

    above: Decimal
    unit_price: Decimal


@dataclass(frozen=True, slots=True)
class Product:
    code: str
    name: str
    unit: Unit
    unit_price: Decimal
    free_units_per_agent: Decimal
    contact_center_services: bool
    metering: Metering
    source: Source
    commit: CommitAvailability
    tiers: tuple[Tier, ...] = ()


@dataclass(frozen=True, slots=True)
class Commit:
    """A credit commit; ``product`` is None for an account-level commit."""

    product: str | None
    amount: Decimal
    frequency: Frequency
    started_on: date


@dataclass(frozen=True, slots=True)
class User:
    id: str
    name: str
    email: str
    role: Role
    teams: tuple[str, ...] = ()
    access_groups: tuple[Privilege, ...] = ()


@dataclass(frozen=True, slots=True)
class AgentSeat:
    user_id: str
    started_on: date
    ended_on: date | None = None

    def active_on(self, day: date) -> bool:
        return self.started_on <= day and (self.ended_on is None or day <= self.ended_on)


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    number: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class BillingUnit:
    id: int
    name: str
    user_ids: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Plan:
    code: str
    name: str
    monthly_price: Decimal
    included_sessions: int
    rank: int


@dataclass(frozen=True, slots=True)
class App:
    id: str
    name: str
    owner_user_id: str
    plan: str
    status: AppStatus
    balance: Decimal
    plan_ends_on: date | None = None
    pending_plan: str | None = None


@dataclass(frozen=True, slots=True)
class Conversation:
    id: str
    app: str
    channel: Channel
    started_at: datetime
    ended_at: datetime
    human_agent_seconds: int


@dataclass(frozen=True, slots=True)
class Alert:
    id: str
    app: str
    user_id: str
    delivered_at: datetime


@dataclass(frozen=True, slots=True)
class Call:
    id: str
    type: CallType
    triggered_by: TriggeredBy
    trigger_source: str
    candidate_id: str | None
    campaign: str
    number: str | None
    user_id: str | None
    started_at: datetime
    duration_seconds: int


@dataclass(frozen=True, slots=True)
class Sms:
    id: str
    type: str
    campaign: str
    sent_at: datetime


@dataclass(frozen=True, slots=True)
class Interview:
    id: str
    method: InterviewMethod
    campaign: str
    completed_at: datetime


@dataclass(frozen=True, slots=True)
class Recording:
    id: str
    campaign: str
    minutes: Decimal
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class StorageSnapshot:
    day: date
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    occurred_on: date
    kind: LedgerKind
    amount: Decimal
    product: str | None = None
    reference: str = ""
    description: str = ""
    id: int | None = None
    # Which credit pool the row moves: "credits" (purchased, never expires), a commit period
    # ("commit:<product or ''>:<recharge date>"), or "" for invoices and payments.
    pool: str = ""


@dataclass(frozen=True, slots=True)
class Invoice:
    number: str
    issued_on: date
    period: date  # first day of the billed month
    amount: Decimal
    status: InvoiceStatus
    due_on: date | None = None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    actor: str
    origin: str
    action: str
    entity: str
    entity_id: str = ""
    before: dict[str, object] | None = None
    after: dict[str, object] | None = field(default=None)
    request_key: str | None = None  # the API request's Idempotency-Key, when made through it
