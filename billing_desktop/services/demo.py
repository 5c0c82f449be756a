"""The demo workspace: a realistic, deterministic customer account in an empty store.

Everything the five tabs show comes from here when no real data has been imported yet: an
account, a rate card exercising every metering rule and record source (PRODUCT §4.2, §12),
users of every role, agent seats, phone numbers, billing units, plans and apps, months of raw
usage records, and the invoices and ledger rows of the months before them.

Determinism is a promise (screenshots, benchmarks and tests compare stores built separately):
the same seed, ``today``, months, agents and scale give byte-identical store content. Hence one
``random.Random`` consumed in a fixed order, no ``hash()``, no set iteration, and no clock reads
except the audit row's timestamp. Only ``Random.random()`` is called: Python guarantees its
sequence across versions, but not that of ``randint``, ``choices``, ``sample`` or the
distributions, so ``_Draw`` derives those from it.

The large scale is the benchmark store of PERFORMANCE.md (about 1,000,000 calls). Records are
generated day by day and written in batches, so memory stays bounded whatever the scale.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import accumulate
from math import log
from typing import TypeVar
from zoneinfo import ZoneInfo

from billing_desktop.domain.access import Area, Level
from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.model import (
    CREDITS_POOL,
    Account,
    AgentSeat,
    Alert,
    App,
    AppStatus,
    AuditEntry,
    Call,
    CallType,
    Channel,
    Commit,
    CommitAvailability,
    CommitScope,
    Conversation,
    Frequency,
    Interview,
    InterviewMethod,
    Invoice,
    InvoiceStatus,
    LedgerEntry,
    LedgerKind,
    Metering,
    PaymentMethod,
    PhoneNumber,
    Plan,
    PlanTier,
    Privilege,
    Product,
    Recording,
    Role,
    Sms,
    Source,
    StorageSnapshot,
    TriggeredBy,
    Unit,
    User,
)
from billing_desktop.domain.quotas import AddOnPack, Statistic
from billing_desktop.domain.receivables import BankLine, Payment, ReceiptMethod
from billing_desktop.services.context import is_empty, resolve_actor
from billing_desktop.services.payment_methods import put_on_file
from billing_desktop.services.quotas import store_defaults as store_quota_defaults
from billing_desktop.services.recording import UsageRecord, add_records
from billing_desktop.services.task_state import TaskState
from billing_desktop.store.ports import ClosedMonth, UnitOfWork, UnitOfWorkFactory

T = TypeVar("T")

SCALES = ("small", "large", "xlarge")
MAX_MONTHS = 24
MAX_AGENTS = 5_000
# Rows per add_many call: large enough that the per-call overhead vanishes, small enough that a
# batch of dataclasses and their row dicts stays well under 100 MB at the large scale.
BATCH = 50_000
# The tables the usage records go to (what ``_write`` fills).
RECORD_TABLES = ("conversations", "alerts", "calls", "sms", "interviews", "recordings")
HISTORY_MONTHS = 6  # invoices issued before the usage window

ACCOUNT_NAME = "Northwind Contact Center"
# The demo's card on file: what is kept of a card (brand, last four, expiry, holder).
DEMO_CARD: dict[str, object] = {
    "kind": "card",
    "brand": "Visa",
    "last_four": "4242",
    "expiry": "2030-08",
    "holder": "Dana Whitfield",
}
CURRENCY = "USD"
# A zone with daylight saving time, so a DST change falls in most windows and the billing code
# meets 23- and 25-hour days.
TIMEZONE = "America/New_York"
EMAIL_DOMAIN = "northwind.example"

TEAMS = ("Sales", "Support", "Recruiting", "Billing")
UNIT_TEAMS = ("Sales", "Support", "Recruiting")  # one billing unit per front-line team


@dataclass(frozen=True, slots=True)
class _Volumes:
    """Record counts for a three-month window (scaled linearly for other window lengths)."""

    agents: int
    numbers: int
    candidates: int
    calls: int
    conversations: int
    alerts: int
    sms: int
    interviews: int
    recordings: int
    storage_start_gb: int


_VOLUMES = {
    "small": _Volumes(
        agents=25,
        numbers=30,
        candidates=3_000,
        calls=8_000,
        conversations=6_000,
        alerts=3_000,
        sms=4_500,
        interviews=2_000,
        recordings=2_400,
        storage_start_gb=80,
    ),
    # PERFORMANCE.md: 200 agents, 1,000,000 calls and 300,000 conversations. The other kinds
    # grow like the conversations (50-70x the small scale); the calls grow most because the
    # call log is what the import, export and table benchmarks (B3, B4, B6) measure.
    "large": _Volumes(
        agents=200,
        numbers=90,
        candidates=150_000,
        calls=1_000_000,
        conversations=300_000,
        alerts=150_000,
        sms=300_000,
        interviews=120_000,
        recordings=150_000,
        storage_start_gb=2_400,
    ),
    # Ten times the large store (issue "Performance at ten million calls", B9): a contact
    # centre of 2,000 agents with about 10M calls and 3M conversations a quarter.
    "xlarge": _Volumes(
        agents=2_000,
        numbers=900,
        candidates=1_500_000,
        calls=10_000_000,
        conversations=3_000_000,
        alerts=1_500_000,
        sms=3_000_000,
        interviews=1_200_000,
        recordings=1_500_000,
        storage_start_gb=24_000,
    ),
}


@dataclass(frozen=True, slots=True)
class DemoReport:
    """What ``build_demo`` wrote: the window it covers and the rows per kind."""

    account: str
    seed: int
    scale: str
    first_day: date
    today: date
    products: int
    commits: int
    users: int
    teams: int
    agents: int
    numbers: int
    units: int
    plans: int
    apps: int
    conversations: int
    alerts: int
    calls: int
    sms: int
    interviews: int
    recordings: int
    storage: int
    invoices: int
    ledger: int

    def counts(self) -> dict[str, int]:
        """Rows written per kind (every int field)."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if isinstance(getattr(self, f.name), int) and f.name != "seed"
        }

    def as_dict(self) -> dict[str, object]:
        return {
            "account": self.account,
            "seed": self.seed,
            "scale": self.scale,
            "first_day": self.first_day.isoformat(),
            "today": self.today.isoformat(),
            "counts": self.counts(),
        }

    def summary(self) -> str:
        return "\n".join(
            [
                f"Demo workspace '{self.account}' created (seed {self.seed}, {self.scale} scale, "
                f"usage from {self.first_day.isoformat()} to {self.today.isoformat()}).",
                f"Set-up: {self.products} products, {self.commits} commits, {self.users:,} users "
                f"in {self.teams} teams, {self.agents:,} agent seats, {self.numbers} phone "
                f"numbers, {self.units} billing units, {self.plans} plans, {self.apps} apps.",
                f"Usage: {self.calls:,} calls, {self.conversations:,} conversations, "
                f"{self.alerts:,} alerts, {self.sms:,} SMS, {self.interviews:,} interviews, "
                f"{self.recordings:,} recordings, {self.storage} storage snapshots.",
                f"History: {self.invoices} invoices, {self.ledger} ledger rows.",
            ]
        )


def build_demo(
    store: UnitOfWorkFactory,
    *,
    seed: int = 7,
    months: int = 3,
    agents: int | None = None,
    scale: str = "small",
    today: date | None = None,
    user_id: str | None = None,
    state: TaskState | None = None,
) -> DemoReport:
    """Fill an empty store with the demo workspace in one unit of work (all or nothing).

    ``state`` (optional) hears how far each kind of record is, and cancels the demo between
    batches (``Cancelled``: nothing is written)."""
    if scale not in _VOLUMES:
        raise InvalidInput(f"scale '{scale}' is not one of: {', '.join(SCALES)}")
    if not 1 <= months <= MAX_MONTHS:
        raise InvalidInput(f"--months {months}: give between 1 and {MAX_MONTHS} months")
    volumes = _VOLUMES[scale]
    seats = volumes.agents if agents is None else agents
    if not 1 <= seats <= MAX_AGENTS:
        raise InvalidInput(f"--agents {seats}: give between 1 and {MAX_AGENTS:,} agents")
    day = today if today is not None else date.today()
    with store(write=True) as uow:
        if not is_empty(uow):
            account = uow.account.get()
            name = account.name if account is not None else "users without an account"
            raise InvalidInput(
                f"the store already holds a workspace ('{name}'); the demo needs an empty store"
            )
        actor = resolve_actor(uow, user_id)
        actor.rights.require(Area.USAGE, Level.EDIT, "create the demo workspace")
        builder = _Builder(uow, seed, months, seats, scale, volumes, day, state or TaskState())
        report = builder.build()
        uow.audit.add(
            AuditEntry(
                at=datetime.now(UTC),
                actor=actor.audit_name,
                origin=actor.origin,
                action="demo",
                entity="workspace",
                entity_id=ACCOUNT_NAME,
                after={
                    "seed": seed,
                    "months": months,
                    "scale": scale,
                    "today": day.isoformat(),
                    "first_day": report.first_day.isoformat(),
                    **report.counts(),
                },
            )
        )
        uow.commit()
    return report


# --- calendar helpers ------------------------------------------------------------------------


def _add_months(first: date, count: int) -> date:
    """The first day of the month ``count`` months after the month of ``first``."""
    index = first.year * 12 + first.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def _month_end(first: date) -> date:
    return _add_months(first, 1) - timedelta(days=1)


def _cents(value: int) -> Decimal:
    """Integer cents as an exact two-decimal amount (1234 -> 12.34)."""
    return Decimal(value).scaleb(-2)


@dataclass(frozen=True, slots=True)
class _Day:
    day: date
    # The UTC instant of local midnight computed with the offset in force at noon: adding a
    # business-hours time of day (07:00 or later, after any 02:00 DST switch) gives the exact
    # UTC instant of that local time, without a zoneinfo lookup per record.
    midnight_utc: datetime
    weight: float
    agent_ids: tuple[str, ...]  # users whose seat is active that day (for live calls)


# Local hours of activity and their relative weights: a contact centre's business day with a
# morning and an afternoon peak, quiet edges, nothing at night.
_HOURS = tuple(range(7, 21))
_HOUR_WEIGHTS = (2, 6, 10, 12, 12, 8, 10, 12, 11, 9, 6, 3, 2, 1)
_HOUR_CUMULATIVE = tuple(accumulate(_HOUR_WEIGHTS))
# Monday..Sunday: weekday-heavy, a little weekend traffic.
_WEEKDAY_WEIGHTS = (1.0, 1.05, 1.05, 1.0, 0.9, 0.25, 0.12)


def _spread(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights``, summing exactly to ``total``.

    Cumulative rounding keeps it deterministic and fair; every day first gets one record so
    that every month of the window (even a one-day current month) has usage of every kind.
    """
    days = len(weights)
    floor = 1 if total >= days else 0
    rest = total - floor * days
    # Plain left-to-right sums (not sum(), whose float algorithm changed in Python 3.12), so
    # the last cumulative weight equals the whole exactly and the counts add up to ``total``.
    cumulative = list(accumulate(weights))
    whole = cumulative[-1]
    counts: list[int] = []
    previous = 0
    for running in cumulative:
        reached = round(rest * running / whole)
        counts.append(floor + reached - previous)
        previous = reached
    return counts


class _Draw:
    """Random draws built on ``random()`` alone, whose sequence Python keeps stable.

    Hot loops bind ``self.random`` and inline these formulas instead of calling the methods.
    """

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed).random

    def below(self, count: int) -> int:
        """0 <= n < count (random() < 1, so the product never rounds up to ``count``)."""
        return int(self.random() * count)

    def between(self, low: int, high: int) -> int:
        """low <= n <= high."""
        return low + int(self.random() * (high - low + 1))

    def uniform(self, low: float, high: float) -> float:
        return low + (high - low) * self.random()

    def exponential(self, mean: float) -> float:
        return -mean * log(1.0 - self.random())

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.random() * len(items))]

    def shuffled(self, items: Sequence[T]) -> list[T]:
        """A Fisher-Yates shuffle of a copy."""
        result = list(items)
        for index in range(len(result) - 1, 0, -1):
            other = int(self.random() * (index + 1))
            result[index], result[other] = result[other], result[index]
        return result


# --- fixed vocabulary ------------------------------------------------------------------------

_FIRST_NAMES = (
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "James", "Isabella", "Lucas",
    "Mia", "Mateo", "Amelia", "Ethan", "Harper", "Aiden", "Evelyn", "Jackson", "Abigail", "Leo",
    "Priya", "Wei", "Fatima", "Kenji", "Zoë", "José", "Aisha", "Dmitri", "Ngozi", "Sean",
)  # fmt: skip
_LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Nguyen", "Patel", "O'Neil", "Kowalski", "Ångström",
    "Okafor", "Tanaka", "Müller", "Chen",
)  # fmt: skip
# Busy campaigns appear several times (uniform picks from this tuple are weighted picks). One
# name starts with '@' and one holds '<', '&': exports and PDFs must neutralise and escape them.
_CAMPAIGNS = (
    *("Warehouse Associates",) * 5,
    *("Customer Care Reps",) * 4,
    *("Seasonal Drivers",) * 3,
    *("Retail Holiday Hiring",) * 3,
    *("Night Shift Nurses",) * 2,
    *("Sales Development Reps",) * 2,
    "@Campus Hiring",
    "Bilingual <ES/EN> Agents & Leads",
)
_SMS_TYPES = (*("Invitation",) * 9, *("Reminder",) * 5, *("Shortlisted",) * 3, *("Custom",) * 3)
_INTERVIEW_METHODS = (
    *(InterviewMethod.MESSENGER,) * 3,
    *(InterviewMethod.PHONE,) * 3,
    *(InterviewMethod.SMS,) * 2,
    *(InterviewMethod.LANDING_PAGE,) * 2,
)
_CANDIDATE_SOURCES = ("Email", "SMS", "Chat UI")
_RECRUITER_SOURCES = ("Email", "SMS", "Chat UI", "Phone")
_AREA_CODES = (212, 646, 917)  # New York; 555-0100..0199 is the range reserved for fiction


@dataclass(frozen=True, slots=True)
class _AppSpec:
    app: App
    weight: float  # share of the conversations
    voice_share: float
    alerts: bool
    until: date | None = None  # no conversations from this day on (a suspended app)


class _Builder:
    """Generates and writes the workspace; every random draw goes through ``self.rng``."""

    def __init__(
        self,
        uow: UnitOfWork,
        seed: int,
        months: int,
        agents: int,
        scale: str,
        volumes: _Volumes,
        today: date,
        state: TaskState,
    ) -> None:
        self.uow = uow
        self.rng = _Draw(seed)
        self.seed = seed
        self.months = months
        self.agents = agents
        self.scale = scale
        self.volumes = volumes
        self.today = today
        self.state = state
        self.first_day = _add_months(today.replace(day=1), -(months - 1))
        self.zone = ZoneInfo(TIMEZONE)
        # Money and volumes scale with the seats; record counts with the window's months.
        self.size = Decimal(agents) / Decimal(25)
        self.user_ids: list[str] = []
        self.numbers: list[str] = []
        self.seats: list[AgentSeat] = []
        self.apps: list[_AppSpec] = []
        self.days: list[_Day] = []

    # -- orchestration --

    def build(self) -> DemoReport:
        uow = self.uow
        uow.account.save(
            Account(
                name=ACCOUNT_NAME,
                currency=CURRENCY,
                timezone=TIMEZONE,
                plan=PlanTier.PRO,
                payment_method=PaymentMethod.CREDIT_CARD,
                commit_scope=CommitScope.PRODUCT,
            )
        )
        # The card on file that auto-recharge charges (issue 19 §2): brand and last four only.
        put_on_file(uow, DEMO_CARD, self.today)
        products = self._products()
        uow.products.add_many(products)
        commits = self._commits(products)
        uow.commits.add_many(commits)
        users = self._users()
        uow.users.add_many(users)
        self.seats = self._seats(users)
        uow.agents.add_many(self.seats)
        numbers, unit_numbers = self._numbers()
        uow.numbers.add_many(numbers)
        for team in UNIT_TEAMS:
            unit = uow.units.add(team)
            members = [u.id for u in users if team in u.teams]
            uow.units.set_members(unit.id, members, unit_numbers[team])
        plans = self._plans()
        uow.plans.add_many(plans)
        self.apps = self._apps()
        uow.apps.add_many([spec.app for spec in self.apps])
        self.days = self._days()

        months = Decimal(self.months) / Decimal(3)
        v = self.volumes

        def total(per_three_months: int) -> int:
            return int((per_three_months * months).to_integral_value(ROUND_HALF_UP))

        # The record tables are empty: a store that can fills them with their ordinary
        # indexes built once at the end (store.ports.BulkLoad; B9: ten million calls).
        bulk = getattr(uow, "bulk_load", None)
        loading = bulk.loading(RECORD_TABLES) if bulk is not None else nullcontext()
        with loading:
            conversations = self._write("conversations", total(v.conversations),
                                        self._conversations_of_day)  # fmt: skip
            alerts = self._write("alerts", total(v.alerts), self._alerts_of_day)
            calls = self._write("calls", total(v.calls), self._calls_of_day)
            sms = self._write("sms", total(v.sms), self._sms_of_day)
            interviews = self._write("interviews", total(v.interviews), self._interviews_of_day)
            recordings = self._write("recordings", total(v.recordings), self._recordings_of_day)
            self.state.progress(None, "indexing the records")
        self.state.progress(None, "invoices and ledger")
        storage = self._storage()
        uow.storage.add_many(storage)
        invoices = self._invoices()
        uow.invoices.add_many(invoices)
        ledger = self._ledger(invoices)
        uow.ledger.add_many(ledger)
        # A bank transfer paying part of the overdue invoice (issue 18): the Invoices tab shows
        # paid, partly paid and open invoices. Fixed, drawing nothing from the random stream.
        partial = self._partial_payment(invoices)
        if partial is not None:
            uow.payments.add_many([partial[0]])
            uow.ledger.add_many([partial[1]])
        # And an imported bank-statement line paying the newest invoice, waiting in the
        # Reconcile view for the accountant to confirm it.
        if invoices:
            newest = invoices[-1]
            uow.bank_lines.add_many(
                [
                    BankLine(
                        date=self.today - timedelta(days=1),
                        amount=newest.amount,
                        reference=f"Payment {newest.number} thank you",
                        payer="Accounts payable",
                        id="demo-bank-000001",
                    ),
                    # A line that pays no invoice (a supplier's refund), for "Not a payment".
                    BankLine(
                        date=self.today - timedelta(days=2),
                        amount=Decimal("45.00"),
                        reference="Refund of deposit",
                        payer="Office supplies",
                        id="demo-bank-000002",
                    ),
                ]
            )
        # The invoiced months before the window were closed by the previous system: the billing
        # engine starts rating at the window, and those months cannot change.
        for invoice in invoices:
            uow.closing.add(
                ClosedMonth(
                    month=invoice.period,
                    closed_at=datetime.combine(invoice.issued_on, time(), UTC),
                    closed_by="previous billing system",
                    invoice_number=invoice.number,
                ),
                [],
            )
        self._quotas()
        return DemoReport(
            account=ACCOUNT_NAME,
            seed=self.seed,
            scale=self.scale,
            first_day=self.first_day,
            today=self.today,
            products=len(products),
            commits=len(commits),
            users=len(users),
            teams=len(TEAMS),
            agents=len(self.seats),
            numbers=len(numbers),
            units=len(UNIT_TEAMS),
            plans=len(plans),
            apps=len(self.apps),
            conversations=conversations,
            alerts=alerts,
            calls=calls,
            sms=sms,
            interviews=interviews,
            recordings=recordings,
            storage=len(storage),
            invoices=len(invoices),
            ledger=len(ledger) + (partial is not None),
        )

    def _write(
        self,
        kind: str,
        total: int,
        make_day: Callable[[_Day, Sequence[int], int], Sequence[UsageRecord]],
    ) -> int:
        """Generate ``total`` records day by day and write them (with their rollups) in
        batches of ``BATCH``.

        Each day's local times are drawn first (``_seconds``), then its records from them. A
        record at ``second`` local seconds after midnight lies in the local hour
        ``second // 3600`` of its day (``_Day``: business hours, after any DST switch), so
        the rollups get their slots without a time-zone conversion per record."""
        self.state.check("the demo")
        self.state.progress(0.0, f"{kind}: 0 / {total:,}")
        counts = _spread(total, [d.weight for d in self.days])
        batch: list[UsageRecord] = []
        slots: list[tuple[date, int]] = []
        written = 0
        for day, count in zip(self.days, counts, strict=True):
            seconds = self._seconds(count)
            batch.extend(make_day(day, seconds, written + len(batch) + 1))
            hours = [(day.day, hour) for hour in range(24)]  # shared: no tuple per record
            slots.extend([hours[second // 3600] for second in seconds])
            if len(batch) >= BATCH:
                add_records(self.uow, kind, batch, slots)
                written += len(batch)
                batch, slots = [], []
                self.state.check("the demo")
                self.state.progress(written / total, f"{kind}: {written:,} / {total:,}")
        if batch:
            add_records(self.uow, kind, batch, slots)
            written += len(batch)
        self.state.progress(1.0 if total else None, f"{kind}: {written:,} / {total:,}")
        return written

    # -- set-up --

    def _products(self) -> list[Product]:
        """The rate card: every metering rule, every record source, all commit states."""

        def product(
            code: str,
            name: str,
            unit: Unit,
            price: str,
            free: int,
            tagged: bool,
            metering: Metering,
            source: Source,
            commit: CommitAvailability,
        ) -> Product:
            return Product(code, name, unit, Decimal(price), Decimal(free), tagged, metering,
                           source, commit)  # fmt: skip

        a, n, x = (
            CommitAvailability.ACTIVE,
            CommitAvailability.AVAILABLE,
            CommitAvailability.NOT_AVAILABLE,
        )
        return [
            product("voice-minutes", "Voice minutes", Unit.MINUTE, "0.02", 1000, True,
                    Metering.SUM, Source.CALLS, a),
            product("va-sessions", "Virtual agent sessions", Unit.SESSION, "0.1200", 40, False,
                    Metering.SESSIONS, Source.CONVERSATIONS, a),
            product("voice-bot-sessions", "Voice bot sessions", Unit.SESSION, "0.1850", 20,
                    True, Metering.VOICE_SESSIONS, Source.CONVERSATIONS, n),
            product("alerts", "Proactive alerts", Unit.SESSION, "0.0150", 0, False,
                    Metering.COUNT, Source.ALERTS, x),
            product("sms", "SMS messages", Unit.MESSAGE, "0.0079", 50, True, Metering.COUNT,
                    Source.SMS, n),
            product("interviews", "Completed interviews", Unit.SESSION, "0.3500", 0, False,
                    Metering.COUNT, Source.INTERVIEWS, x),
            product("recording-minutes", "Call recording minutes", Unit.MINUTE, "0.0040", 100,
                    True, Metering.SUM, Source.RECORDINGS, x),
            product("recording-storage", "Recording storage", Unit.GB, "0.2300", 0, False,
                    Metering.PEAK_DAY, Source.STORAGE, x),
            product("agent-seats", "Agent seats", Unit.AGENT, "65.00", 0, True,
                    Metering.PER_AGENT, Source.AGENTS, a),
            product("phone-numbers", "Phone number rental", Unit.NUMBER, "1.1500", 0, True,
                    Metering.PER_NUMBER, Source.NUMBERS, x),
        ]  # fmt: skip

    def _commits(self, products: Sequence[Product]) -> list[Commit]:
        """One product-level commit per ``active`` product, one of each frequency.

        Start dates are chosen so that the quarterly and yearly commits recharge inside a
        three-month window (the Usage tab then shows a recent and a coming recharge).
        """
        plan = {
            # code: (amount for 25 agents, frequency, months before the window's first day)
            "voice-minutes": (Decimal("50.00"), Frequency.MONTHLY, 8),
            "va-sessions": (Decimal("450.00"), Frequency.QUARTERLY, 4),
            "agent-seats": (Decimal("15000.00"), Frequency.YEARLY, 10),
        }
        commits = []
        for product in products:
            if product.commit != CommitAvailability.ACTIVE:
                continue
            amount, frequency, before = plan[product.code]
            scaled = (amount * self.size).quantize(Decimal("1"), ROUND_HALF_UP)
            commits.append(
                Commit(
                    product=product.code,
                    amount=scaled.quantize(Decimal("0.01")),
                    frequency=frequency,
                    started_on=_add_months(self.first_day, -before),
                )
            )
        return commits

    def _users(self) -> list[User]:
        """Admins, supervisors, shared-account users and agents in four teams.

        Fixed positions give every role and privilege a known holder (u001 is the first admin,
        so the default actor of the finished workspace); names and teams of agents are drawn.
        """
        rng = self.rng
        # Enough agents to hold every seat, plus a few without one (trainees, leavers).
        count = max(40, self.agents + 10)
        width = max(3, len(str(count)))
        fixed: list[tuple[Role, tuple[str, ...], tuple[Privilege, ...]]] = [
            (Role.ADMIN, ("Billing",), ()),
            (Role.ADMIN, ("Billing", "Sales"), ()),
            (Role.SUPERVISOR, ("Sales",), (Privilege.EDIT_BILLING,)),
            (Role.SUPERVISOR, ("Support",), ()),
            (Role.SUPERVISOR, ("Recruiting", "Support"), ()),
            (Role.SHARED, ("Billing",), ()),
            (Role.SHARED, ("Billing",), (Privilege.EDIT_BILLING,)),
            (Role.AGENT, ("Sales",), (Privilege.EDIT_BILLING_UNIT,)),
            (Role.AGENT, ("Support",), (Privilege.VIEW_BILLING_UNIT,)),
        ]
        used_names: set[str] = set()  # membership tests only, never iterated
        used_emails: set[str] = set()  # membership tests only, never iterated
        users: list[User] = []
        for index in range(count):
            if index < len(fixed):
                role, teams, groups = fixed[index]
            else:
                role, groups = Role.AGENT, ()
                draw = rng.random()
                primary = "Support" if draw < 0.4 else "Sales" if draw < 0.75 else "Recruiting"
                teams = (primary,)
                if rng.random() < 0.15:  # cross-trained: in two teams, hence two units
                    second = rng.pick([t for t in UNIT_TEAMS if t != primary])
                    teams = (primary, second)
            while True:
                first = rng.pick(_FIRST_NAMES)
                last = rng.pick(_LAST_NAMES)
                name = f"{first} {last}"
                # Beyond 900 users the name pairs run out: repeat names, keep emails unique.
                if name not in used_names or len(used_names) >= 900:
                    break
            used_names.add(name)
            local = f"{first}.{last}".lower().replace("'", "")
            email = f"{local}@{EMAIL_DOMAIN}"
            if email in used_emails:
                email = f"{local}{index + 1}@{EMAIL_DOMAIN}"
            used_emails.add(email)
            user_id = f"u{index + 1:0{width}d}"
            users.append(User(user_id, name, email, role, teams, groups))
        self.user_ids = [u.id for u in users]
        return users

    def _seats(self, users: Sequence[User]) -> list[AgentSeat]:
        """Seats for the first ``agents`` agent-role users.

        Most are active over the whole window (so every month has licensed agents); about one
        in eight starts mid-window and one or two end before ``today``.
        """
        rng = self.rng
        holders = [u.id for u in users if u.role == Role.AGENT][: self.agents]
        order = rng.shuffled(range(len(holders)))
        window_days = (self.today - self.first_day).days  # days after the first one
        late = len(holders) // 8 if len(holders) >= 8 else 0
        ended = 2 if len(holders) >= 10 else 1 if len(holders) >= 4 else 0
        if window_days < 1:  # a one-day window has no room to start or end mid-way
            late = ended = 0
        # A random draw decides who starts late or leaves, so they are spread over the teams.
        kinds: dict[int, str] = {}
        for position, holder in enumerate(order):
            if position < late:
                kinds[holder] = "late"
            elif position < late + ended:
                kinds[holder] = "ended"
            else:
                kinds[holder] = "full"
        seats = []
        for index, user_id in enumerate(holders):
            kind = kinds[index]
            if kind == "late":
                started = self.first_day + timedelta(days=rng.between(1, window_days))
                seats.append(AgentSeat(user_id, started))
                continue
            started = self.first_day - timedelta(days=rng.between(20, 700))
            if kind == "ended":
                ended_on = self.first_day + timedelta(days=rng.between(0, window_days - 1))
                seats.append(AgentSeat(user_id, started, ended_on))
            else:
                seats.append(AgentSeat(user_id, started))
        return seats

    def _numbers(self) -> tuple[list[PhoneNumber], dict[str, list[str]]]:
        """E.164 numbers in the fictional 555-01xx range, mostly split among the units.

        Each number goes to at most one unit (PRODUCT §6); about a fifth stay unassigned so
        the units report has an *Unassigned* row.
        """
        rng = self.rng
        candidates = [f"+1{area}55501{xx:02d}" for area in _AREA_CODES for xx in range(100)]
        count = min(self.volumes.numbers, len(candidates))
        chosen = sorted(rng.shuffled(candidates)[:count])
        shuffled = rng.shuffled(chosen)
        shares = (("Sales", 0.35), ("Support", 0.30), ("Recruiting", 0.15))
        unit_numbers: dict[str, list[str]] = {}
        labels: dict[str, str] = {}
        start = 0
        for team, share in shares:
            size = round(count * share)
            part = shuffled[start : start + size]
            start += size
            unit_numbers[team] = sorted(part)
            kind = {"Sales": "line", "Support": "hotline", "Recruiting": "screening line"}[team]
            for position, number in enumerate(sorted(part), start=1):
                labels[number] = f"{team} {kind} {position}"
        for position, number in enumerate(sorted(shuffled[start:]), start=1):
            labels[number] = f"Spare {position}"
        self.numbers = chosen  # calls draw from every number, unassigned ones too
        return [PhoneNumber(n, labels[n]) for n in chosen], unit_numbers

    def _plans(self) -> list[Plan]:
        return [
            Plan("starter", "Starter", Decimal("49.00"), 500, 1),
            Plan("growth", "Growth", Decimal("199.00"), 2_500, 2),
            Plan("scale", "Scale", Decimal("599.00"), 10_000, 3),
            Plan("enterprise", "Enterprise", Decimal("1499.00"), 50_000, 4),
        ]

    def _apps(self) -> list[_AppSpec]:
        """Five apps covering every status and both Plans-tab information icons."""
        rng = self.rng

        def balance(low: int, high: int) -> Decimal:
            return _cents(rng.between(low, high))

        def owner(number: int) -> str:
            # the number-th user, however wide the ids are (u005, or u0005 beyond 999 users)
            return self.user_ids[number - 1]

        current_month = self.today.replace(day=1)
        # The suspended app stopped taking conversations when it was suspended at the start of
        # the current month (with a one-month window it never had any: that is fine).
        return [
            _AppSpec(
                App("app-sales-assistant", "Sales Assistant", owner(3), "growth",
                    AppStatus.ACTIVE, balance(15_000, 60_000)),
                weight=0.25, voice_share=0.10, alerts=True,
            ),
            _AppSpec(
                # A downgrade waits for the end of the current period (PRODUCT §7).
                App("app-support-bot", "Support Bot", owner(4), "enterprise", AppStatus.ACTIVE,
                    balance(100_000, 250_000), plan_ends_on=_month_end(current_month),
                    pending_plan="scale"),
                weight=0.35, voice_share=0.35, alerts=True,
            ),
            _AppSpec(
                App("app-recruiting-screener", "Recruiting Screener", owner(5), "scale",
                    AppStatus.EXPIRING, balance(2_000, 15_000),
                    plan_ends_on=self.today + timedelta(days=rng.between(5, 20))),
                weight=0.20, voice_share=0.25, alerts=True,
            ),
            _AppSpec(
                App("app-voice-ivr", "Voice IVR", owner(2), "scale", AppStatus.ACTIVE,
                    balance(30_000, 90_000)),
                weight=0.15, voice_share=0.90, alerts=False,
            ),
            _AppSpec(
                App("app-legacy-faq", "Legacy FAQ Bot", owner(1), "starter", AppStatus.SUSPENDED,
                    -balance(1_000, 9_000)),
                weight=0.05, voice_share=0.0, alerts=False, until=current_month,
            ),
        ]  # fmt: skip

    def _days(self) -> list[_Day]:
        """Every day of the window with its activity weight and its active agents."""
        rng = self.rng
        total = (self.today - self.first_day).days + 1
        days = []
        for index in range(total):
            day = self.first_day + timedelta(days=index)
            noon = datetime(day.year, day.month, day.day, 12, tzinfo=self.zone)
            offset = noon.utcoffset()
            assert offset is not None
            midnight = datetime(day.year, day.month, day.day, tzinfo=UTC) - offset
            # Weekday pattern, day-to-day noise and slow growth over the window.
            weight = (
                _WEEKDAY_WEIGHTS[day.weekday()]
                * rng.uniform(0.85, 1.15)
                * (1.0 + 0.15 * index / total)
            )
            active = tuple(s.user_id for s in self.seats if s.active_on(day))
            days.append(_Day(day, midnight, weight, active))
        return days

    # -- usage records, one day at a time --

    def _seconds(self, count: int) -> list[int]:
        """Sorted local times of day (seconds after midnight) during business hours."""
        rnd = self.rng.random
        top = _HOUR_CUMULATIVE[-1]
        seconds = [
            _HOURS[bisect_right(_HOUR_CUMULATIVE, rnd() * top)] * 3600 + int(rnd() * 3600)
            for _ in range(count)
        ]
        seconds.sort()
        return seconds

    def _conversations_of_day(
        self, day: _Day, seconds: Sequence[int], first: int
    ) -> list[Conversation]:
        rng = self.rng
        rnd = rng.random
        specs = [s for s in self.apps if s.until is None or day.day < s.until]
        cumulative = list(accumulate(s.weight for s in specs))
        top = cumulative[-1]
        base = day.midnight_utc
        chat, voice = Channel.CHAT, Channel.VOICE
        out = []
        for offset, second in enumerate(seconds):
            spec = specs[min(bisect_right(cumulative, rnd() * top), len(specs) - 1)]
            channel = voice if rnd() < spec.voice_share else chat
            # 1 to 45 minutes, most of them short.
            length = min(2700, 60 + int(-420 * log(1.0 - rnd())))
            human = 0
            transfer = rnd()
            if transfer < 0.02:
                human = length  # handed over at once: 0 billable seconds, 0 sessions
            elif transfer < 0.22:
                human = int(length * (0.2 + 0.7 * rnd()))
            started = base + timedelta(seconds=second)
            out.append(
                Conversation(
                    f"conv-{first + offset:07d}",
                    spec.app.id,
                    channel,
                    started,
                    started + timedelta(seconds=length),
                    human,
                )
            )
        return out

    def _alerts_of_day(self, day: _Day, seconds: Sequence[int], first: int) -> list[Alert]:
        rnd = self.rng.random
        apps = [s.app.id for s in self.apps if s.alerts]
        users = self.user_ids
        base = day.midnight_utc
        return [
            Alert(
                f"alert-{first + offset:07d}",
                apps[int(rnd() * len(apps))],
                users[int(rnd() * len(users))],
                base + timedelta(seconds=second),
            )
            for offset, second in enumerate(seconds)
        ]

    def _calls_of_day(self, day: _Day, seconds: Sequence[int], first: int) -> list[Call]:
        """Autocalls, robocalls and live calls (PRODUCT §8.1), about ten minutes on average.

        That average makes the small workspace's voice minutes exceed the free allowance in a
        full month, so the Usage tab shows credit used and a balance to be invoiced.
        """
        rng = self.rng
        rnd = rng.random
        numbers = self.numbers
        agents = day.agent_ids or tuple(self.user_ids)
        candidates = self.volumes.candidates
        base = day.midnight_utc
        campaigns = _CAMPAIGNS
        candidate, recruiter = TriggeredBy.CANDIDATE, TriggeredBy.RECRUITER
        out = []
        for offset, second in enumerate(seconds):
            draw = rnd()
            user_id: str | None = None
            if draw < 0.45:
                kind, by = CallType.AUTOCALL, candidate
                source = _CANDIDATE_SOURCES[int(rnd() * 3)]
                # Some candidates do not pick up: a few seconds of ringing to voicemail.
                unanswered = rnd() < 0.08
                duration = int(rnd() * 40) if unanswered else 120 + int(-420 * log(1.0 - rnd()))
            elif draw < 0.75:
                kind, by = CallType.ROBOCALL, recruiter
                source = _RECRUITER_SOURCES[int(rnd() * 4)]
                duration = 60 + int(-360 * log(1.0 - rnd()))
            else:
                kind = CallType.LIVE
                inbound = rnd() < 0.2
                by = candidate if inbound else recruiter
                source = "Phone" if not inbound or rnd() < 0.7 else "SMS"
                duration = 60 + int(-780 * log(1.0 - rnd()))
                user_id = agents[int(rnd() * len(agents))]
            # An inbound live call may come from an unknown caller: no candidate id.
            known = user_id is None or by is recruiter or rnd() < 0.7
            out.append(
                Call(
                    f"call-{first + offset:07d}",
                    kind,
                    by,
                    source,
                    f"cand-{int(rnd() * candidates) + 1:06d}" if known else None,
                    campaigns[int(rnd() * len(campaigns))],
                    numbers[int(rnd() * len(numbers))],
                    user_id,
                    base + timedelta(seconds=second),
                    min(duration, 3600),
                )
            )
        return out

    def _sms_of_day(self, day: _Day, seconds: Sequence[int], first: int) -> list[Sms]:
        rnd = self.rng.random
        base = day.midnight_utc
        return [
            Sms(
                f"sms-{first + offset:07d}",
                _SMS_TYPES[int(rnd() * len(_SMS_TYPES))],
                _CAMPAIGNS[int(rnd() * len(_CAMPAIGNS))],
                base + timedelta(seconds=second),
            )
            for offset, second in enumerate(seconds)
        ]

    def _interviews_of_day(self, day: _Day, seconds: Sequence[int], first: int) -> list[Interview]:
        rnd = self.rng.random
        base = day.midnight_utc
        return [
            Interview(
                f"int-{first + offset:07d}",
                _INTERVIEW_METHODS[int(rnd() * len(_INTERVIEW_METHODS))],
                _CAMPAIGNS[int(rnd() * len(_CAMPAIGNS))],
                base + timedelta(seconds=second),
            )
            for offset, second in enumerate(seconds)
        ]

    def _recordings_of_day(self, day: _Day, seconds: Sequence[int], first: int) -> list[Recording]:
        rng = self.rng
        rnd = rng.random
        base = day.midnight_utc
        # Minutes with two decimals, built from integer hundredths so they are exact.
        return [
            Recording(
                f"rec-{first + offset:07d}",
                _CAMPAIGNS[int(rnd() * len(_CAMPAIGNS))],
                _cents(min(4500, 30 + int(-700 * log(1.0 - rnd())))),
                base + timedelta(seconds=second),
            )
            for offset, second in enumerate(seconds)
        ]

    def _quotas(self) -> None:
        """Usage Data quotas and add-on packs (no random draws: the records stay as they were).

        Quotas follow the volumes (per month: a third of the three-month counts): on the
        seed-7 small demo of 21 November the interviews are just past 80 % of their quota,
        the SMS well below theirs and the recorded minutes beyond theirs, so the Quotas section
        shows each state.
        """
        v = self.volumes

        def nearest_50(value: int) -> int:
            return max(50, (value + 25) // 50 * 50)

        quotas = {
            Statistic.INTERVIEWS: nearest_50(v.interviews * 13 // 40),
            Statistic.SMS: nearest_50(v.sms * 4 // 9),
            Statistic.RECORDING_MINUTES: nearest_50(v.recordings * 5 // 3),
        }
        packs = {
            Statistic.INTERVIEWS: [
                AddOnPack("Interviews 100", 100, Decimal("30.00")),
                AddOnPack("Interviews 500", 500, Decimal("140.00")),
            ],
            Statistic.SMS: [
                AddOnPack("SMS 1,000", 1_000, Decimal("7.00")),
                AddOnPack("SMS 10,000", 10_000, Decimal("60.00")),
            ],
            Statistic.RECORDING_MINUTES: [
                AddOnPack("Recording 1,000 minutes", 1_000, Decimal("3.50")),
                AddOnPack("Recording 10,000 minutes", 10_000, Decimal("30.00")),
            ],
        }
        store_quota_defaults(self.uow, quotas, packs, CURRENCY)

    def _storage(self) -> list[StorageSnapshot]:
        """One snapshot a day from the 28th before the window (the peak_day window) to today.

        Storage grows with new recordings and drops on the first Sunday of each month, when a
        retention policy deletes old ones, so the peak day is not simply the last day.
        """
        rng = self.rng
        start = _add_months(self.first_day, -1).replace(day=28)
        hundredths = self.volumes.storage_start_gb * 100
        growth = max(1, self.volumes.storage_start_gb // 4)  # hundredths of GB a day, average
        snapshots = []
        day = start
        while day <= self.today:
            if day.weekday() == 6 and day.day <= 7:
                hundredths = hundredths * 88 // 100
            else:
                hundredths += rng.between(0, 2 * growth * (3 if day.weekday() < 5 else 1))
            snapshots.append(StorageSnapshot(day, _cents(hundredths)))
            day += timedelta(days=1)
        return snapshots

    # -- history before the window --

    def _invoices(self) -> list[Invoice]:
        """Invoices of the six months before the window, numbered gap-free from INV-000001.

        Issued on the 1st of the following month and due 30 days later; the older ones are
        paid, the second newest is overdue and the newest still open ("issued").
        """
        rng = self.rng
        seats_cents = self.agents * 6500 + self.volumes.numbers * 115
        invoices = []
        for index in range(HISTORY_MONTHS):
            period = _add_months(self.first_day, index - HISTORY_MONTHS)
            issued = _add_months(period, 1)
            usage_cents = int(Decimal(rng.between(25_000, 90_000)) * self.size)
            if index < HISTORY_MONTHS - 2:
                status = InvoiceStatus.PAID
            elif index == HISTORY_MONTHS - 2:
                status = InvoiceStatus.OVERDUE
            else:
                status = InvoiceStatus.ISSUED
            invoices.append(
                Invoice(
                    number=f"INV-{index + 1:06d}",
                    issued_on=issued,
                    period=period,
                    amount=_cents(seats_cents + usage_cents),
                    status=status,
                    due_on=issued + timedelta(days=30),
                )
            )
        return invoices

    def _partial_payment(self, invoices: Sequence[Invoice]) -> tuple[Payment, LedgerEntry] | None:
        """40% of the overdue invoice, paid by bank transfer 20 days after it was issued."""
        overdue = [i for i in invoices if i.status == InvoiceStatus.OVERDUE]
        if not overdue:
            return None
        invoice = overdue[0]
        paid_on = min(invoice.issued_on + timedelta(days=20), self.today)
        amount = (invoice.amount * Decimal("0.4")).quantize(Decimal("0.01"), ROUND_HALF_UP)
        payment = Payment(
            number="PMT-000001",
            invoice=invoice.number,
            amount=amount,
            paid_on=paid_on,
            method=ReceiptMethod.BANK_TRANSFER,
            reference=f"{invoice.number} part payment",
            payer="Accounts payable",
        )
        row = LedgerEntry(
            paid_on,
            LedgerKind.PAYMENT,
            amount,
            reference=payment.number,
            description=f"Payment of {invoice.number} (Bank transfer, ref {payment.reference})",
        )
        return payment, row

    def _ledger(self, invoices: Sequence[Invoice]) -> list[LedgerEntry]:
        """Invoice and payment rows, two credit purchases and a one-time payment.

        Sign convention: positive = in the customer's favour (credit bought, money paid),
        negative = owed by the customer (an invoice). Rows are written in date order so the
        row ids follow the calendar.
        """
        rng = self.rng
        entries: list[LedgerEntry] = []
        for invoice in invoices:
            month = invoice.period.strftime("%B %Y")
            entries.append(
                LedgerEntry(invoice.issued_on, LedgerKind.INVOICE, -invoice.amount,
                            reference=invoice.number, description=f"Invoice for {month}")
            )  # fmt: skip
            if invoice.status == InvoiceStatus.PAID:
                paid_on = invoice.issued_on + timedelta(days=rng.between(2, 25))
                entries.append(
                    LedgerEntry(paid_on, LedgerKind.PAYMENT, invoice.amount,
                                reference=invoice.number, description="Card payment")
                )  # fmt: skip

        def scaled(amount: str) -> Decimal:
            return (Decimal(amount) * self.size).quantize(Decimal("0.01"), ROUND_HALF_UP)

        def within_window(days: int) -> date:
            return min(self.first_day + timedelta(days=days), self.today)

        entries.append(
            LedgerEntry(self.first_day - timedelta(days=rng.between(35, 60)), LedgerKind.PURCHASE,
                        scaled("500.00"), reference="CR-000001", description="Credit purchase",
                        pool=CREDITS_POOL)
        )  # fmt: skip
        entries.append(
            LedgerEntry(within_window(rng.between(5, 12)), LedgerKind.PURCHASE, scaled("250.00"),
                        reference="CR-000002", description="Credit purchase", pool=CREDITS_POOL)
        )  # fmt: skip
        entries.append(
            LedgerEntry(within_window(rng.between(15, 25)), LedgerKind.ONE_TIME_PAYMENT,
                        scaled("150.00"), reference="OTP-000001",
                        description="One-time payment", pool=CREDITS_POOL)
        )  # fmt: skip
        # sorted() is stable: same-day rows keep their generation order.
        return sorted(entries, key=lambda e: e.occurred_on)
