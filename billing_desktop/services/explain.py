"""Explain a charge (issue 20 §1): one product's month walked through in the engine's numbers.

The figures are the billing engine's own: an open month's line is the :class:`RatedLine` that
``usage --json`` shows (``BillingEngine.rate``, the same call), with the price bands, the
unrounded amount and the credit each pool held before and after the line drew from it, which
the rating keeps for this purpose; a closed month's line is its stored rating (the invoice
line), its credit draws the month's ledger rows. Below the figures is the usage itself: the
quantity per local day (from the hourly rollups, the storage snapshots or the seats) and, for
products metered from records, those records (the month's calls as a filtered call log, the
conversations with their sessions and human time, the alerts per user), counted and listed by
the store in SQL (``Queries``): a large store's month holds hundreds of thousands.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.errors import InvalidInput, NotFound
from billing_desktop.domain.metering import MEASURES
from billing_desktop.domain.model import (
    CREDITS_POOL,
    Channel,
    LedgerKind,
    Metering,
    Product,
    Source,
)
from billing_desktop.domain.money import format_amount
from billing_desktop.domain.periods import Month
from billing_desktop.domain.rating import PriceSlice, price_slices
from billing_desktop.domain.sessions import agents_on, conversation_sessions
from billing_desktop.services.billing import BillingEngine, plain_decimal
from billing_desktop.services.context import require_account
from billing_desktop.services.pricing import METERING_TEXT
from billing_desktop.services.usage_data import CallQuery, store_filter
from billing_desktop.store.ports import UnitOfWork

ZERO = Decimal(0)
MAX_CONVERSATIONS = 500  # the conversations listed (the count is of all of them)


@dataclass(frozen=True, slots=True)
class PoolDraw:
    """Credit one pool paid toward the line; ``before``/``left`` are what the pool held just
    before and after (None for a closed month: its ledger keeps only the draw)."""

    pool: str
    label: str
    drawn: Decimal
    before: Decimal | None
    left: Decimal | None


@dataclass(frozen=True, slots=True)
class DayQuantity:
    day: date
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class ConversationRecord:
    id: str
    app: str
    channel: str
    started_at: datetime  # in the account's time zone
    minutes: Decimal
    human_minutes: Decimal
    billing_sessions: int
    voice_sessions: int


@dataclass(frozen=True, slots=True)
class UserCount:
    user_id: str
    name: str
    count: int


@dataclass(frozen=True, slots=True)
class ChargeExplanation:
    month: Month
    currency: str
    closed: bool
    invoice_number: str | None
    code: str
    name: str
    unit: str
    source: str
    metering: str
    method: str  # how the quantity is measured, in words
    measured: str  # what the measuring found (the peak day, the number of agents…)
    quantity: Decimal
    free_units_per_agent: Decimal
    agents: int  # the month's peak daily agent count
    agents_peak_day: date | None  # the first day the peak was reached
    free_units_total: Decimal
    free_units_used: Decimal
    billable: Decimal
    unit_price: Decimal
    slices: tuple[PriceSlice, ...]
    exact_amount: Decimal  # the slices' sum, unrounded
    amount: Decimal  # rounded half-up to the minor unit, once
    draws: tuple[PoolDraw, ...]
    credit_applied: Decimal
    charged: Decimal
    balance: Decimal
    days: tuple[DayQuantity, ...]
    records: str  # "calls", "conversations", "alerts" or "" (none to list)
    record_count: int
    # What the records add up to in the product's unit (every record, listed or not), where
    # the records meter the product: sessions of the conversations, alerts of the users.
    record_total: Decimal | None
    call_query: CallQuery | None
    conversations: tuple[ConversationRecord, ...]
    alerts_by_user: tuple[UserCount, ...]

    @property
    def rounding(self) -> Decimal:
        return self.amount - self.exact_amount

    def as_json(self) -> dict[str, object]:
        """``explain --json`` (README: the shape is documented there)."""

        def money(amount: Decimal) -> str:
            return format_amount(amount, self.currency)

        plain = plain_decimal
        return {
            "month": str(self.month),
            "currency": self.currency,
            "closed": self.closed,
            "invoice": self.invoice_number,
            "product": {
                "code": self.code,
                "name": self.name,
                "unit": self.unit,
                "source": self.source,
                "metering": self.metering,
            },
            "quantity": {"value": plain(self.quantity), "method": self.method},
            "measured": self.measured,
            "free_units": {
                "per_agent": plain(self.free_units_per_agent),
                "peak_agents": self.agents,
                "peak_day": None if self.agents_peak_day is None else str(self.agents_peak_day),
                "total": plain(self.free_units_total),
                "used": plain(self.free_units_used),
            },
            "billable": plain(self.billable),
            "unit_price": plain(self.unit_price),
            "slices": [
                {
                    "from": plain(s.start),
                    "quantity": plain(s.quantity),
                    "unit_price": plain(s.unit_price),
                    "amount": plain(s.amount),
                }
                for s in self.slices
            ],
            "exact_amount": plain(self.exact_amount),
            "rounding": plain(self.rounding),
            "amount": money(self.amount),
            "credit": [
                {
                    "pool": d.pool,
                    "label": d.label,
                    "drawn": money(d.drawn),
                    "before": None if d.before is None else money(d.before),
                    "left": None if d.left is None else money(d.left),
                }
                for d in self.draws
            ],
            "credit_applied": money(self.credit_applied),
            "charged": money(self.charged),
            "balance": money(self.balance),
            "days": [{"day": str(d.day), "quantity": plain(d.quantity)} for d in self.days],
            "records": {
                "kind": self.records or None,
                "count": self.record_count,
                "total": None if self.record_total is None else plain(self.record_total),
                "conversations": [
                    {
                        "id": c.id,
                        "app": c.app,
                        "channel": c.channel,
                        "started_at": c.started_at.isoformat(),
                        "minutes": plain(c.minutes),
                        "human_minutes": plain(c.human_minutes),
                        "billing_sessions": c.billing_sessions,
                        "voice_sessions": c.voice_sessions,
                    }
                    for c in self.conversations
                ],
                "alerts_by_user": [
                    {"user": u.user_id, "name": u.name, "alerts": u.count}
                    for u in self.alerts_by_user
                ],
            },
        }


def pool_label(pool: str, products: dict[str, Product]) -> str:
    """A credit pool in words: "Purchased credits", "Account commit from 2026-10-01"…"""
    if pool == CREDITS_POOL:
        return "Purchased credits"
    if pool.startswith("commit:"):
        _kind, product, recharged = pool.split(":", 2)
        if not product:
            return f"Account commit (period from {recharged})"
        name = products[product].name if product in products else product
        return f"{name} commit (period from {recharged})"
    return pool


def explain_charge(
    uow: UnitOfWork, actor: Actor, month: Month, product: str, today: date | None = None
) -> ChargeExplanation:
    """How ``product``'s line of ``month`` is what ``usage --json`` shows, step by step."""
    actor.rights.require(Area.USAGE, Level.VIEW, "see usage")
    engine = BillingEngine(uow, today)
    by_code = {p.code: p for p in engine.products}
    wanted = by_code.get(product.strip())
    if wanted is None:
        wanted = next(
            (p for p in engine.products if p.code.casefold() == product.strip().casefold()),
            None,
        )
    if wanted is None:
        raise NotFound(f"no product '{product.strip()}' on the rate card")
    closed = engine.closed.get(month)
    seats = engine.seats
    days_of_month = month.days()
    counts = [(agents_on(seats, day), day) for day in days_of_month]
    peak = max((n for n, _day in counts), default=0)
    peak_day = next((day for n, day in counts if n == peak), None) if peak else None
    draws: list[PoolDraw] = []
    if closed is None:
        rating = engine.rate(month)
        rated = next((line for line in rating.lines if line.product.code == wanted.code), None)
        if rated is None:
            raise NotFound(f"{wanted.name} ({wanted.code}) has no usage in {month}")
        quantity, free_total, free_used = (
            rated.quantity,
            rated.free_units_total,
            rated.free_units_used,
        )
        billable, unit_price = rated.billable_quantity, wanted.unit_price
        slices, exact, amount = rated.slices, rated.exact_amount, rated.amount
        for pool, before, left in rated.pools_seen:
            if before != left:
                draws.append(PoolDraw(pool, pool_label(pool, by_code), before - left, before, left))
        credit, charged, balance, agents = (
            rated.credit_applied,
            rated.charged,
            rated.balance,
            rating.agents,
        )
        invoice = None
    else:
        line = next(
            (ln for ln in uow.closing.lines(closed.month) if ln.product == wanted.code), None
        )
        if line is None:
            raise NotFound(f"{wanted.name} ({wanted.code}) has no line in {month}'s invoice")
        quantity, free_total, free_used = line.quantity, line.free_units_total, line.free_units_used
        billable, unit_price = quantity - free_used, line.unit_price
        tiers = wanted.tiers if unit_price == wanted.unit_price else ()
        slices = price_slices(billable, unit_price, tiers)
        exact, amount = sum((s.amount for s in slices), ZERO), line.amount
        drawn: dict[str, Decimal] = defaultdict(Decimal)
        for entry in engine.ledger:
            if (
                entry.kind == LedgerKind.USAGE_DEBIT
                and entry.reference == str(month)
                and entry.product == wanted.code
            ):
                drawn[entry.pool] -= entry.amount
        draws = [
            PoolDraw(pool, pool_label(pool, by_code), value, None, None)
            for pool, value in drawn.items()
            if value
        ]
        credit, charged, balance = line.credit_applied, line.charged, line.balance
        agents = peak
        invoice = closed.invoice_number
    days, measured = _days(engine, wanted, month, quantity)
    records, count, total, query, conversations, alerts = _records(engine, actor, wanted, month)
    return ChargeExplanation(
        month=month,
        currency=engine.account.currency,
        closed=closed is not None,
        invoice_number=invoice,
        code=wanted.code,
        name=wanted.name,
        unit=wanted.unit.value,
        source=wanted.source.value,
        metering=wanted.metering.value,
        method=METERING_TEXT.get(wanted.metering, wanted.metering.value),
        measured=measured,
        quantity=quantity,
        free_units_per_agent=wanted.free_units_per_agent,
        agents=agents,
        agents_peak_day=peak_day if agents == peak else None,
        free_units_total=free_total,
        free_units_used=free_used,
        billable=billable,
        unit_price=unit_price,
        slices=slices,
        exact_amount=exact,
        amount=amount,
        draws=tuple(draws),
        credit_applied=credit,
        charged=charged,
        balance=balance,
        days=days,
        records=records,
        record_count=count,
        record_total=total,
        call_query=query,
        conversations=conversations,
        alerts_by_user=alerts,
    )


def _days(
    engine: BillingEngine, product: Product, month: Month, quantity: Decimal
) -> tuple[tuple[DayQuantity, ...], str]:
    """The quantity per local day, and what the measuring found, in words."""
    rule = (product.source, product.metering)
    first, last = month.first_day, month.last_day
    if rule in MEASURES:
        measure = MEASURES[rule]
        per_day: dict[date, Decimal] = defaultdict(Decimal)
        for row in engine.uow.rollups.rows(first, last, [measure]):
            per_day[row.day] += row.quantity
        days = tuple(DayQuantity(d, q) for d, q in sorted(per_day.items()) if q)
        total = sum((d.quantity for d in days), ZERO)
        return days, (
            f"{_units(total, product.unit.value)} over {_units(Decimal(len(days)), 'day')} "
            f"with usage, from the hourly rollups ({measure})"
        )
    if rule == (Source.STORAGE, Metering.PEAK_DAY):
        start, end = month.peak_day_window()
        snaps = sorted((s for s in engine.storage if start <= s.day <= end), key=lambda s: s.day)
        days = tuple(DayQuantity(s.day, s.quantity) for s in snaps)
        top = max(days, key=lambda d: (d.quantity, -d.day.toordinal()), default=None)
        where = f" on {top.day}" if top is not None else ""
        return (
            days,
            f"the highest daily snapshot from {start} to {end}: {plain_decimal(quantity)}{where}",
        )
    if rule == (Source.STORAGE, Metering.SUM):
        snaps = sorted((s for s in engine.storage if first <= s.day <= last), key=lambda s: s.day)
        return tuple(DayQuantity(s.day, s.quantity) for s in snaps), (
            f"the sum of {_units(Decimal(len(snaps)), 'daily snapshot')}"
        )
    if rule == (Source.AGENTS, Metering.PER_AGENT):
        days = tuple(
            DayQuantity(day, Decimal(agents_on(engine.seats, day)))
            for day in month.days()
            if month != engine.current_month or day <= engine.today
        )
        return days, (
            f"{_units(quantity, 'agent')} licensed on at least one day of the month (not prorated)"
        )
    if rule == (Source.NUMBERS, Metering.PER_NUMBER):
        return (), f"{_units(quantity, 'phone number')} of the workspace, monthly"
    return (), ""


def _units(quantity: Decimal, unit: str) -> str:
    plural = unit if quantity == 1 or unit == "GB" else unit + "s"
    return f"{plain_decimal(quantity)} {plural}"


def _records(
    engine: BillingEngine, actor: Actor, product: Product, month: Month
) -> tuple[
    str,
    int,
    Decimal | None,
    CallQuery | None,
    tuple[ConversationRecord, ...],
    tuple[UserCount, ...],
]:
    uow = engine.uow
    start, end = month.bounds(engine.zone)
    if product.source == Source.CALLS:
        query = CallQuery(first=month.first_day, last=month.last_day)
        count = uow.queries.call_count_where(store_filter(query, engine.zone))
        return "calls", count, None, query, (), ()
    if product.source == Source.CONVERSATIONS:
        # Counted and listed by the store in SQL (a month can hold hundreds of thousands): a
        # voice-sessions product's records are the voice conversations, others' all of them.
        channel = Channel.VOICE.value if product.metering == Metering.VOICE_SESSIONS else None
        totals = uow.queries.conversation_totals(start, end, channel)
        total = {
            Metering.SESSIONS: Decimal(totals.billing_sessions),
            Metering.VOICE_SESSIONS: Decimal(totals.voice_sessions),
            Metering.COUNT: Decimal(totals.count),
        }.get(product.metering, ZERO)
        shown = _conversation_page(uow, actor, engine.zone, month, channel, 0, MAX_CONVERSATIONS)
        return "conversations", totals.count, total, None, shown, ()
    if product.source == Source.ALERTS:
        per_user = uow.queries.alerts_by_user(start, end)
        names = uow.users.get_many(list(per_user))
        rows = tuple(
            UserCount(u, names[u].name if u in names else u, n)
            for u, n in sorted(per_user.items(), key=lambda i: (-i[1], i[0]))
        )
        count = sum(per_user.values())
        return "alerts", count, Decimal(count), None, (), rows
    return "", 0, None, None, (), ()


def _conversation_page(
    uow: UnitOfWork,
    actor: Actor,
    zone: ZoneInfo,
    month: Month,
    channel: str | None,
    offset: int,
    limit: int,
) -> tuple[ConversationRecord, ...]:
    """One page of the month's conversations (of ``channel``), by start then id, as listed.
    Which app took each one is left empty for who may not see the Plans tab (apps are plan
    data: a shared-account user sees none)."""
    shows_apps = actor.rights.can_view(Area.PLANS)
    start, end = month.bounds(zone)
    listed = []
    for conv in uow.queries.conversation_page(start, end, channel, offset, limit):
        billing, voice = conversation_sessions(conv)
        seconds = int((conv.ended_at - conv.started_at).total_seconds())
        listed.append(
            ConversationRecord(
                conv.id,
                conv.app if shows_apps else "",
                conv.channel.value,
                conv.started_at.astimezone(zone),
                Decimal(seconds) / 60,
                Decimal(conv.human_agent_seconds) / 60,
                billing,
                voice,
            )
        )
    return tuple(_round_minutes(c) for c in listed)


def explained_conversations(
    uow: UnitOfWork,
    actor: Actor,
    month: Month,
    product: str,
    offset: int,
    limit: int = MAX_CONVERSATIONS,
) -> tuple[ConversationRecord, ...]:
    """The next page of the conversations :func:`explain_charge` lists for a conversation
    product (its first page holds the first ``MAX_CONVERSATIONS``), at most 500 at a time."""
    actor.rights.require(Area.USAGE, Level.VIEW, "see usage")
    if offset < 0 or not 1 <= limit <= MAX_CONVERSATIONS:
        raise InvalidInput(f"offset {offset}, limit {limit}: give offset >= 0, limit 1–500")
    zone = ZoneInfo(require_account(uow).timezone)
    wanted = next((p for p in uow.products.all() if p.code == product.strip()), None)
    if wanted is None or wanted.source != Source.CONVERSATIONS:
        raise InvalidInput(f"'{product}' is not a product metered from conversations")
    channel = Channel.VOICE.value if wanted.metering == Metering.VOICE_SESSIONS else None
    return _conversation_page(uow, actor, zone, month, channel, offset, limit)


def _round_minutes(record: ConversationRecord) -> ConversationRecord:
    two = Decimal("0.01")
    return ConversationRecord(
        record.id,
        record.app,
        record.channel,
        record.started_at,
        record.minutes.quantize(two),
        record.human_minutes.quantize(two),
        record.billing_sessions,
        record.voice_sessions,
    )


__all__ = [
    "MAX_CONVERSATIONS",
    "ChargeExplanation",
    "ConversationRecord",
    "explain_charge",
    "explained_conversations",
    "pool_label",
]
