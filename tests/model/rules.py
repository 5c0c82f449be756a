"""A second, deliberately simple implementation of the billing rules: the *model*.

Written from the README ("Billing rules", "Billing units", "Import formats") and PRODUCT
§4, §6 and §11.1, not from the application's code: plain loops over the raw records the test
generated, no rollups, Decimal (and Fraction for exact shares) everywhere. Where the texts
leave room, the readings below are the decisions of issue 14 (each is marked *Reading*).

It answers what ``usage --json``, ``close-month --json``, ``sessions --json`` and
``units report --json`` must print, and whether an import or a close must be refused.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from tests.model.workspace import (
    MINOR_DIGITS,
    Alert,
    Call,
    Commit,
    Conversation,
    Interview,
    Product,
    Record,
    Recording,
    Sms,
    Snapshot,
    Workspace,
)

Month = tuple[int, int]
ZERO = Decimal(0)
CREDITS = "credits"
STEP_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}


# --- calendar -----------------------------------------------------------------------------------


def month_of(day: date) -> Month:
    return (day.year, day.month)


def plus(month: Month, n: int) -> Month:
    index = month[0] * 12 + month[1] - 1 + n
    return (index // 12, index % 12 + 1)


def first_day(month: Month) -> date:
    return date(month[0], month[1], 1)


def last_day(month: Month) -> date:
    return date(month[0], month[1], calendar.monthrange(*month)[1])


def days_of(month: Month) -> list[date]:
    return [date(month[0], month[1], d) for d in range(1, last_day(month).day + 1)]


def month_text(month: Month) -> str:
    return f"{month[0]:04d}-{month[1]:02d}"


def anniversary(start: date, months: int) -> date:
    """``start`` plus ``months``, computed from ``start`` and clamped to the month's end
    (Jan 31 monthly -> Feb 28/29 -> Mar 31)."""
    target = plus(month_of(start), months)
    return date(target[0], target[1], min(start.day, last_day(target).day))


# --- money --------------------------------------------------------------------------------------


def digits(currency: str) -> int:
    return MINOR_DIGITS[currency]


def money(amount: Decimal, currency: str) -> str:
    """An amount as the JSON shapes print it: exactly the minor-unit digits."""
    return str(amount.quantize(Decimal(1).scaleb(-digits(currency))))


def round_line(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-digits(currency)), rounding=ROUND_HALF_UP)


def list_price(quantity: Decimal, product: Product) -> Decimal:
    """Unit price up to the first tier, then each tier's price for units above its threshold."""
    total = ZERO
    for index in range(len(product.tiers) + 1):
        low = ZERO if index == 0 else product.tiers[index - 1][0]
        high = product.tiers[index][0] if index < len(product.tiers) else None
        price = product.unit_price if index == 0 else product.tiers[index - 1][1]
        if quantity <= low:
            break
        units = quantity - low if high is None else min(quantity, high) - low
        total += units * price
    return total


# --- sessions and quantities --------------------------------------------------------------------


def exact_seconds(start: datetime, end: datetime) -> Fraction:
    delta = end - start
    return Fraction(delta.days * 86_400 + delta.seconds) + Fraction(delta.microseconds, 10**6)


def started(seconds: Fraction, size: int) -> int:
    """Every started ``size`` seconds; nothing for 0 (or less)."""
    if seconds <= 0:
        return 0
    whole = seconds // size
    return int(whole) + (1 if seconds > whole * size else 0)


def billing_sessions(c: Conversation) -> int:
    return started(exact_seconds(c.started_at, c.ended_at) - c.human_agent_seconds, 900)


def voice_sessions(c: Conversation) -> int:
    return started(exact_seconds(c.started_at, c.ended_at), 900) if c.channel == "voice" else 0


def call_minutes(call: Call) -> int:
    return started(Fraction(call.duration_seconds), 60)


def _one(_record: Any) -> int:
    return 1


# (source, metering) of the rules metered from dated records: (record type, its quantity).
EVENT_RULES: dict[tuple[str, str], tuple[type, Callable[[Any], Decimal | int]]] = {
    ("calls", "sum"): (Call, call_minutes),
    ("calls", "count"): (Call, _one),
    ("recordings", "sum"): (Recording, lambda r: r.minutes),
    ("recordings", "count"): (Recording, _one),
    ("alerts", "count"): (Alert, _one),
    ("alerts", "sessions"): (Alert, _one),  # every alert is one session
    ("sms", "count"): (Sms, _one),
    ("interviews", "count"): (Interview, _one),
    ("conversations", "sessions"): (Conversation, billing_sessions),
    ("conversations", "voice_sessions"): (Conversation, voice_sessions),
    ("conversations", "count"): (Conversation, _one),
}


def instant_of(record: Record) -> datetime | None:
    if isinstance(record, Conversation | Call):
        return record.started_at
    if isinstance(record, Alert | Sms | Interview | Recording):
        return record.at
    return None


@dataclass
class Purchase:
    day: date
    amount: Decimal


@dataclass
class Line:
    """One product's line in a month's rating."""

    product: Product
    quantity: Decimal
    free_total: Decimal
    free_used: Decimal
    amount: Decimal
    drawn: dict[str, Decimal]
    charged: Decimal
    balance: Decimal
    commit: object


@dataclass
class Rating:
    month: Month
    lines: list[Line]
    pools_left: dict[str, Decimal]
    pool_owner: dict[str, str | None]  # pool -> product code (own commit) or None
    agents: int
    account_commit: object
    balance: Decimal = ZERO
    cc_balance: Decimal = ZERO


@dataclass
class Closed:
    rating: Rating
    invoice: str | None


@dataclass
class Model:
    ws: Workspace
    records: list[Record] = field(default_factory=list)
    purchases: list[Purchase] = field(default_factory=list)
    closed: dict[Month, Closed] = field(default_factory=dict)
    invoices: int = 0

    def __post_init__(self) -> None:
        self.zone = ZoneInfo(self.ws.timezone)
        self.currency = self.ws.currency

    # -- local time ------------------------------------------------------------------------------

    def local(self, at: datetime) -> datetime:
        return at.astimezone(self.zone)

    def record_months(self, record: Record) -> list[Month]:
        """The months a record changes: its local start month; for a storage snapshot its
        calendar month (sum) and the month whose 28th-27th window holds it (peak_day)."""
        at = instant_of(record)
        if at is not None:
            return [month_of(self.local(at).date())]
        assert isinstance(record, Snapshot)
        window = plus(month_of(record.day), 1) if record.day.day >= 28 else month_of(record.day)
        return sorted({month_of(record.day), window})

    # -- imports and purchases -----------------------------------------------------------------

    def record_day(self, record: Record) -> date:
        """The local day a record happened on (a snapshot's own day)."""
        at = instant_of(record)
        if at is not None:
            return self.local(at).date()
        assert isinstance(record, Snapshot)
        return record.day

    def first_import_month(self, today: date) -> Month | None:
        """The README's "account's first month" for the import bounds: the month of the
        earliest commit start, seat start, stored record or snapshot, none after today."""
        days = [c.started_on for c in self.ws.commits] + [s.started_on for s in self.ws.seats]
        days += [self.record_day(r) for r in self.records]
        past = [day for day in days if day <= today]
        return month_of(min(past)) if past else None

    def import_records(self, records: tuple[Record, ...], today: date) -> tuple[str, ...] | None:
        """Add ``records``, or the phrases one of which the refusal of the whole file names:
        the problems of its first refused record, in file order (README "What an import
        refuses": dated after today + 1 day, or more than a month before the account's first
        month; or falling in a closed month)."""
        first = self.first_import_month(today)
        earliest = None if first is None else first_day(plus(first, -1))
        for record in records:
            day = self.record_day(record)
            problems = []
            if day > today + timedelta(days=1):
                problems.append("(today + 1 day): records cannot be dated in the future")
            if earliest is not None and day < earliest:
                problems.append(
                    "records may start at most a month before the account's first month"
                )
            problems += [
                f"{month_text(month)} is closed"
                for month in self.record_months(record)
                if month in self.closed
            ]
            if problems:
                return tuple(problems)
        self.records.extend(records)
        return None

    def buy(self, day: date, amount: Decimal) -> None:
        self.purchases.append(Purchase(day, amount))

    # -- quantities ------------------------------------------------------------------------------

    def seats_on(self, day: date) -> int:
        return len(
            {
                s.user
                for s in self.ws.seats
                if s.started_on <= day and (s.ended_on is None or day <= s.ended_on)
            }
        )

    def peak_agents(self, month: Month) -> int:
        return max(self.seats_on(day) for day in days_of(month))

    def licensed_in(self, month: Month) -> list[str]:
        """Agents with a seat on any day of the month (per-agent charges are not prorated)."""
        return sorted(
            {
                s.user
                for s in self.ws.seats
                if s.started_on <= last_day(month)
                and (s.ended_on is None or s.ended_on >= first_day(month))
            }
        )

    def in_month(self, record: Record, month: Month) -> bool:
        at = instant_of(record)
        return at is not None and month_of(self.local(at).date()) == month

    def quantity(self, product: Product, month: Month) -> Decimal:
        rule = (product.source, product.metering)
        total = ZERO
        if rule == ("storage", "peak_day"):
            low = date(*plus(month, -1), 28)
            high = date(*month, 27)
            for r in self.records:
                if isinstance(r, Snapshot) and low <= r.day <= high:
                    total = max(total, r.quantity)
            return total
        if rule == ("storage", "sum"):
            for r in self.records:
                if isinstance(r, Snapshot) and month_of(r.day) == month:
                    total += r.quantity
            return total
        if rule == ("agents", "per_agent"):
            return Decimal(len(self.licensed_in(month)))
        if rule == ("numbers", "per_number"):
            return Decimal(len(self.ws.numbers))
        kind, weight = EVENT_RULES[rule]
        for r in self.records:
            if isinstance(r, kind) and self.in_month(r, month):
                total += weight(r)
        return total

    def listed(self, product: Product, month: Month, today: date) -> bool:
        """Peak-day storage of the current month is listed only from its 28th."""
        if product.metering == "peak_day" and month == month_of(today):
            return today.day >= 28
        return True

    # -- commits ----------------------------------------------------------------------------------

    def in_scope(self) -> list[Commit]:
        scope = self.ws.commit_scope
        if scope == "product":
            return [c for c in self.ws.commits if c.product is not None]
        if scope == "account":
            return [c for c in self.ws.commits if c.product is None]
        return []

    def period(self, commit: Commit, month: Month) -> tuple[date, date] | None:
        """(last recharge, next recharge) of the period paying for ``month``: the latest
        anniversary on or before the month's last day."""
        if commit.started_on > last_day(month):
            return None
        step = STEP_MONTHS[commit.frequency]
        k = 0
        while anniversary(commit.started_on, (k + 1) * step) <= last_day(month):
            k += 1
        return anniversary(commit.started_on, k * step), anniversary(
            commit.started_on, (k + 1) * step
        )

    def commit_for(self, level: str | None, month: Month) -> tuple[Commit, date, date] | None:
        """The commit of ``level`` (a product, or None for the account) paying for ``month``:
        among the in-scope commits already started, the latest started wins."""
        found = None
        for commit in self.in_scope():
            if commit.product != level:
                continue
            period = self.period(commit, month)
            if period is None:
                continue
            if found is None or commit.started_on > found[0].started_on:
                found = (commit, *period)
        return found

    def commit_json(self, found: tuple[Commit, date, date] | None) -> object:
        if found is None:
            return None
        commit, last, nxt = found
        return {
            "amount": money(commit.amount, self.currency),
            "frequency": commit.frequency,
            "last_recharge": last.isoformat(),
            "next_recharge": nxt.isoformat(),
        }

    def commit_column(self, product: Product, month: Month) -> object:
        """'N/A': no commit for the product; '-': available, none bought (in scope)."""
        if product.commit == "not_available":
            return "N/A"
        found = self.commit_for(product.code, month)
        return "-" if found is None else self.commit_json(found)

    @staticmethod
    def pool_name(level: str | None, found: tuple[Commit, date, date]) -> str:
        commit, recharged, _next = found
        return f"commit:{level or ''}:{commit.started_on}:{recharged}"

    # -- history ----------------------------------------------------------------------------------

    def history_start(self) -> Month | None:
        """When no month is closed: the earliest of the first commit's start month and the
        first month in which a rate-card product has a quantity. *Reading*: only commits of
        the account's commit scope count (a commit out of scope pays for nothing)."""
        candidates: list[Month] = [month_of(c.started_on) for c in self.in_scope()]
        rules = {(p.source, p.metering) for p in self.ws.products}
        kinds = {"calls", "recordings", "sms", "alerts", "interviews", "conversations"}
        event_months: set[Month] = set()
        for record in self.records:
            at = instant_of(record)
            if at is not None:
                event_months.add(month_of(self.local(at).date()))
            elif isinstance(record, Snapshot) and record.quantity > 0:
                if ("storage", "sum") in rules:
                    candidates.append(month_of(record.day))
                if ("storage", "peak_day") in rules:
                    candidates.append(
                        plus(month_of(record.day), 1)
                        if record.day.day >= 28
                        else month_of(record.day)
                    )
        for month in event_months:
            if any(self.quantity(p, month) > 0 for p in self.ws.products if p.source in kinds):
                candidates.append(month)
        if ("agents", "per_agent") in rules and self.ws.seats:
            candidates.append(min(month_of(s.started_on) for s in self.ws.seats))
        return min(candidates) if candidates else None

    def chain(self, month: Month) -> list[Month] | None:
        """The months rated in order to rate open ``month``, ending with it; None when the
        month lies before the closed history (rated on its own: not compared)."""
        if self.closed:
            start = plus(max(self.closed), 1)
            if month < min(self.closed):
                return None
        else:
            found = self.history_start()
            start = month if found is None else min(found, month)
        months = [start]
        while months[-1] < month:
            months.append(plus(months[-1], 1))
        return months

    # -- rating -----------------------------------------------------------------------------------

    def rate(self, month: Month, today: date) -> Rating | None:
        """The rating of ``month``: the stored one once closed, else rated after the unclosed
        months before it."""
        if month in self.closed:
            return self.closed[month].rating
        months = self.chain(month)
        if months is None:
            return None
        used: dict[str, Decimal] = {}
        for closed in self.closed.values():
            for line in closed.rating.lines:
                for pool, amount in line.drawn.items():
                    used[pool] = used.get(pool, ZERO) + amount
        rating = None
        for current in months:
            rating = self.rate_one(current, today, used)
            for line in rating.lines:
                for pool, amount in line.drawn.items():
                    used[pool] = used.get(pool, ZERO) + amount
        return rating

    def rate_one(self, month: Month, today: date, used: dict[str, Decimal]) -> Rating:
        credits = ZERO
        for purchase in self.purchases:
            if purchase.day <= last_day(month):
                credits += purchase.amount
        pools: dict[str, Decimal] = {CREDITS: credits - used.get(CREDITS, ZERO)}
        owner: dict[str, str | None] = {CREDITS: None}
        own_pool: dict[str, str] = {}
        account_pool = None
        levels: list[str | None] = [None] + [p.code for p in self.ws.products]
        for level in levels:
            found = self.commit_for(level, month)
            if found is None:
                continue
            name = self.pool_name(level, found)
            pools[name] = found[0].amount - used.get(name, ZERO)
            owner[name] = level
            if level is None:
                account_pool = name
            else:
                own_pool[level] = name
        agents = self.peak_agents(month)
        lines = []
        for product in sorted(self.ws.products, key=lambda p: p.code):
            quantity = self.quantity(product, month)
            if quantity <= 0 or not self.listed(product, month, today):
                continue
            free_total = product.free_units_per_agent * agents
            free_used = min(quantity, free_total)
            amount = round_line(list_price(quantity - free_used, product), self.currency)
            order = [own_pool[product.code]] if product.code in own_pool else []
            if account_pool is not None:
                order.append(account_pool)
            order.append(CREDITS)
            due = amount
            drawn: dict[str, Decimal] = {}
            for pool in order:
                take = min(due, max(pools[pool], ZERO))
                if take > 0:
                    pools[pool] -= take
                    drawn[pool] = take
                    due -= take
            # A product's balance: its own commit's credit left, or minus what is charged.
            mine = own_pool.get(product.code)
            balance = pools[mine] if mine is not None else ZERO
            if due > 0:
                balance = -due
            lines.append(
                Line(
                    product,
                    quantity,
                    free_total,
                    free_used,
                    amount,
                    drawn,
                    due,
                    balance,
                    self.commit_column(product, month),
                )
            )
        rating = Rating(
            month, lines, pools, owner, agents, self.commit_json(self.commit_for(None, month))
        )
        charged = sum((line.charged for line in lines), ZERO)
        rating.balance = sum(pools.values(), ZERO) - charged
        tagged = {p.code for p in self.ws.products if p.contact_center_services}
        rating.cc_balance = sum(
            (left for pool, left in pools.items() if owner[pool] is None or owner[pool] in tagged),
            ZERO,
        ) - sum((line.charged for line in lines if line.product.code in tagged), ZERO)
        return rating

    # -- what the commands print --------------------------------------------------------------

    def usage_json(self, month: Month, today: date) -> dict[str, object] | None:
        rating = self.rate(month, today)
        if rating is None:
            return None
        closed = self.closed.get(month)
        m = self.currency

        def plain(value: Decimal) -> Decimal:
            return value

        return {
            "month": month_text(month),
            "currency": m,
            "balance": money(rating.balance, m),
            "contact_center_services_balance": money(rating.cc_balance, m),
            "closed": closed is not None,
            "invoice": closed.invoice if closed else None,
            "agents": self.peak_agents(month),
            "account_commit": self.commit_json(self.commit_for(None, month)),
            "products": [
                {
                    "code": line.product.code,
                    "name": line.product.name,
                    "unit": _unit(line.product),
                    "unit_price": plain(line.product.unit_price),
                    "quantity": plain(line.quantity),
                    "free_units_total": plain(line.free_total),
                    "free_units_used": plain(line.free_used),
                    "amount": money(line.amount, m),
                    "credit_applied": money(sum(line.drawn.values(), ZERO), m),
                    "charged": money(line.charged, m),
                    "balance": money(line.balance, m),
                    "commit": self.commit_column(line.product, month),
                    "contact_center_services": line.product.contact_center_services,
                }
                for line in rating.lines
            ],
        }

    def close(self, month: Month, today: date) -> dict[str, object] | str:
        """The close-month --json result, or the refusal (a phrase its message must hold)."""
        if month in self.closed:
            return {"month": month_text(month), "already_closed": True, "invoice": None, "lines": 0}
        if month >= month_of(today):
            return "is not over yet"
        if self.closed and month < max(self.closed):
            return "is before the last closed month"
        months = self.chain(month)
        assert months is not None
        if months[0] < month:
            return f"close {month_text(months[0])} first"
        rating = self.rate(month, today)
        assert rating is not None
        charged = sum((line.charged for line in rating.lines), ZERO)
        invoice = None
        number = None
        if charged > 0:
            self.invoices += 1
            number = f"INV-{self.invoices:06d}"
            issued = first_day(plus(month, 1))
            invoice = {
                "number": number,
                "amount": money(charged, self.currency),
                "issued_on": issued.isoformat(),
                "due_on": (issued + timedelta(days=30)).isoformat(),
            }
        self.closed[month] = Closed(rating, number)
        return {
            "month": month_text(month),
            "already_closed": False,
            "invoice": invoice,
            "lines": len(rating.lines),
        }

    # -- sessions ----------------------------------------------------------------------------------

    def sessions_by_day(
        self, first: date, last: date, app: str | None
    ) -> dict[date, tuple[int, int, int]]:
        found: dict[date, list[int]] = {}
        day = first
        while day <= last:
            found[day] = [0, 0, 0]
            day += timedelta(days=1)
        for record in self.records:
            if isinstance(record, Conversation | Alert) and (app is None or record.app == app):
                at = instant_of(record)
                assert at is not None
                local = self.local(at).date()
                if local not in found:
                    continue
                if isinstance(record, Conversation):
                    found[local][0] += billing_sessions(record)
                    found[local][2] += voice_sessions(record)
                else:
                    found[local][1] += 1
        return {d: (v[0], v[1], v[2]) for d, v in found.items()}

    def session_records(self, first: date, last: date, app: str | None) -> list[Record]:
        out: list[Record] = []
        for record in self.records:
            if isinstance(record, Conversation | Alert) and (app is None or record.app == app):
                at = instant_of(record)
                assert at is not None
                if first <= self.local(at).date() <= last:
                    out.append(record)
        return out

    def wall_hours(self, day: date) -> list[int]:
        """The local hours that exist on ``day`` (any minute of them)."""
        hours = set()
        start = datetime.combine(day, time(0), tzinfo=self.zone).astimezone(UTC)
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.zone).astimezone(UTC)
        at = start
        while at < end:
            hours.add(self.local(at).hour)
            at += timedelta(minutes=15)
        return sorted(hours)

    # -- units report --------------------------------------------------------------------------

    def units_json(self, month: Month, today: date) -> dict[str, object]:
        m = self.currency
        closed = self.closed.get(month)
        if closed is not None:
            quantities = [(line.product, line.quantity) for line in closed.rating.lines]
        else:
            quantities = []
            for product in sorted(self.ws.products, key=lambda p: p.code):
                q = self.quantity(product, month)
                if q > 0 and self.listed(product, month, today):
                    quantities.append((product, q))
        units = sorted(self.ws.units, key=lambda u: (u.name.casefold(), u.name))
        number_unit = {n: u.name for u in units for n in u.numbers}
        user_units: dict[str, list[str]] = {}
        for unit in units:
            for user in unit.users:
                if unit.name not in user_units.setdefault(user, []):
                    user_units[user].append(unit.name)
        usage: dict[str | None, int] = {}
        recurring: dict[str | None, int] = {}
        total = ZERO
        unassigned = False
        scale = 10 ** digits(m)
        for product, quantity in quantities:
            amount = round_line(list_price(quantity, product), m)
            total += amount
            drivers = self.drivers(product, month)
            weights: dict[tuple[int, str], Fraction] = {}
            for weight, number, user in drivers:
                if weight <= 0:
                    continue
                if number is not None and number in number_unit:
                    target = (0, number_unit[number])
                elif user is not None and user_units.get(user):
                    target = (1, user)
                else:
                    target = (2, "")
                weights[target] = weights.get(target, Fraction(0)) + Fraction(weight)
            driven = sum(weights.values(), Fraction(0))
            if Fraction(quantity) > driven:
                weights[(2, "")] = weights.get((2, ""), Fraction(0)) + Fraction(quantity) - driven
            if (2, "") in weights:
                unassigned = True
            minor = int(amount * scale)
            rank = {u.name: i for i, u in enumerate(units)}
            targets = sorted(
                weights, key=lambda t: (t[0], rank.get(t[1], 0) if t[0] == 0 else 0, t[1])
            )
            shares = largest_remainder(minor, [weights[t] for t in targets])
            book = recurring if product.metering in ("per_agent", "per_number") else usage
            for (kind, key), share in zip(targets, shares, strict=True):
                if kind == 0:
                    book[key] = book.get(key, 0) + share
                elif kind == 1:
                    names = user_units[key]  # already in unit-name order
                    base, rest = divmod(share, len(names))
                    for i, name in enumerate(names):
                        book[name] = book.get(name, 0) + base + (rest if i == 0 else 0)
                else:
                    book[None] = book.get(None, 0) + share
        rows = []
        for unit in units:
            u, r = usage.get(unit.name, 0), recurring.get(unit.name, 0)
            rows.append(self._unit_row(unit.name, False, u, r))
        if unassigned or usage.get(None) or recurring.get(None):
            rows.append(
                self._unit_row("Unassigned", True, usage.get(None, 0), recurring.get(None, 0))
            )
        return {
            "month": month_text(month),
            "currency": m,
            "closed": closed is not None,
            "basis": "list",  # the model prices units at list price (issue 20 adds invoiced)
            "total": money(total, m),
            "units": rows,
        }

    def _unit_row(
        self, name: str, unassigned: bool, usage: int, recurring: int
    ) -> dict[str, object]:
        scale = Decimal(10) ** digits(self.currency)
        return {
            "name": name,
            "unassigned": unassigned,
            "usage": money(Decimal(usage) / scale, self.currency),
            "recurring": money(Decimal(recurring) / scale, self.currency),
            "total": money(Decimal(usage + recurring) / scale, self.currency),
        }

    def drivers(
        self, product: Product, month: Month
    ) -> list[tuple[Decimal, str | None, str | None]]:
        """(quantity, number, user) of what drove the product's quantity in the month."""
        rule = (product.source, product.metering)
        out: list[tuple[Decimal, str | None, str | None]] = []
        if product.source == "calls":
            for r in self.records:
                if isinstance(r, Call) and self.in_month(r, month):
                    weight = call_minutes(r) if rule[1] == "sum" else 1
                    out.append((Decimal(weight), r.number, r.user))
        elif product.source == "alerts":
            for r in self.records:
                if isinstance(r, Alert) and self.in_month(r, month):
                    out.append((Decimal(1), None, r.user))
        elif rule == ("agents", "per_agent"):
            out = [(Decimal(1), None, user) for user in self.licensed_in(month)]
        elif rule == ("numbers", "per_number"):
            out = [(Decimal(1), number, None) for number in self.ws.numbers]
        return out


def largest_remainder(total: int, weights: list[Fraction]) -> list[int]:
    """``total`` minor units in proportion to ``weights``: floors, then one more unit to each
    of the largest remainders (ties to the earlier weight). *Reading*: the README says only
    "shared in proportion ... in minor units, so the rows always add up"; this is the method
    the product documents in its billing-unit rules."""
    whole = sum(weights, Fraction(0))
    exact = [total * w / whole for w in weights]
    shares = [int(e) for e in exact]
    left = total - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[:left]:
        shares[i] += 1
    return shares


def _unit(product: Product) -> str:
    from tests.model.workspace import UNIT_OF

    return UNIT_OF[product.source]
