"""Hypothesis strategies for random workspaces and timelines (issue 14).

The distribution is tilted towards the places where billing goes wrong: month edges (local
midnight plus or minus a second or half a second), the days clocks change (including the
half-hour and 45-minute zones), commits started on the 29th-31st, conversations a fraction of a
second past a quarter hour, storage on the 27th/28th, months with only storage, seats or
numbers, and closes tried out of order.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from tests.model.rules import first_day, instant_of, last_day, month_of, plus
from tests.model.workspace import (
    APPS,
    RULES,
    USERS,
    Alert,
    BillingUnit,
    Buy,
    Call,
    Close,
    Commit,
    Conversation,
    Import,
    Interview,
    Product,
    Read,
    Record,
    Recording,
    Scenario,
    Seat,
    Sms,
    Snapshot,
    Step,
    Workspace,
)

ZONES = (
    "UTC",
    "Europe/Paris",
    "America/New_York",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "Australia/Lord_Howe",
)
CURRENCIES = ("JPY", "USD", "EUR", "KWD", "BHD")
NUMBERS = ("+15550100", "+15550101", "+15550102")
UNIT_NAMES = ("Sales", "ops", "Zeta")
# Months where some of ZONES change their clocks (March/April, September-November).
DST_MONTHS = (3, 4, 9, 10, 11)
SPAN = 4  # months: three that can be closed and the current one


def _decimal(draw: st.DrawFn, low: int, high: int, places: int) -> Decimal:
    return Decimal(draw(st.integers(low, high))) / Decimal(10**places)


def _price(draw: st.DrawFn) -> Decimal:
    return draw(
        st.one_of(
            st.sampled_from([Decimal("1"), Decimal("0.5"), Decimal("0.015"), Decimal("2.125")]),
            st.integers(0, 30_000).map(lambda n: Decimal(n) / Decimal(10_000)),
        )
    )


def _day_in(draw: st.DrawFn, month: tuple[int, int]) -> date:
    last = last_day(month).day
    day = draw(st.one_of(st.sampled_from([1, 27, 28, 29, 30, 31, last]), st.integers(1, last)))
    return date(month[0], month[1], min(day, last))


def _local_day(record: object, zone: ZoneInfo) -> date:
    at = instant_of(record)  # type: ignore[arg-type]
    if at is not None:
        return at.astimezone(zone).date()
    day = record.day  # a storage snapshot
    assert isinstance(day, date)
    return day


def transitions(zone: ZoneInfo, first: date, last: date) -> list[datetime]:
    """UTC instants where the zone's offset changes between ``first`` and ``last``."""
    found = []
    at = datetime.combine(first, time(0), tzinfo=UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=UTC)
    step = timedelta(minutes=15)
    before = at.astimezone(zone).utcoffset()
    while at < end:
        after = (at + step).astimezone(zone).utcoffset()
        if after != before:
            found.append(at + step)
        before = after
        at += step
    return found


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    currency = draw(st.sampled_from(CURRENCIES))
    zone_name = draw(st.sampled_from(ZONES))
    zone = ZoneInfo(zone_name)
    scope = draw(st.sampled_from(["account", "product", "product", "none"]))
    year = draw(st.integers(2023, 2026))
    start_month = draw(st.one_of(st.sampled_from(DST_MONTHS), st.integers(1, 12)))
    first = (year, start_month)
    months = [plus(first, i) for i in range(SPAN)]
    current = months[-1]
    digits = {"JPY": 0, "USD": 2, "EUR": 2, "KWD": 3, "BHD": 3}[currency]

    # -- rate card --
    rules = draw(st.lists(st.sampled_from(RULES), min_size=1, max_size=5, unique=True))
    codes = draw(st.permutations([f"P{i}" for i in range(1, len(rules) + 1)]))
    products = []
    for code, (source, metering) in zip(codes, rules, strict=True):
        tiers: list[tuple[Decimal, Decimal]] = []
        if draw(st.booleans()) and draw(st.booleans()):
            above = Decimal(0)
            for _ in range(draw(st.integers(1, 2))):
                above += Decimal(draw(st.integers(1, 20)))
                tiers.append((above, _price(draw)))
        products.append(
            Product(
                code=code,
                source=source,
                metering=metering,
                unit_price=_price(draw),
                free_units_per_agent=draw(
                    st.sampled_from([Decimal(0), Decimal(0), Decimal(1), Decimal("2.5")])
                ),
                contact_center_services=draw(st.booleans()),
                commit=draw(st.sampled_from(["not_available", "available", "active"])),
                tiers=tuple(tiers),
            )
        )

    # -- commits --
    commits: list[Commit] = []
    keys = set()
    for _ in range(draw(st.integers(0, 3))):
        product = draw(st.sampled_from([None, *products, *products]))
        if product is not None and product.commit == "not_available":
            product = None
        month = plus(first, draw(st.integers(-2, 2)))
        started = _day_in(draw, month)
        key = (product.code if product else None, started)
        if key in keys:
            continue
        keys.add(key)
        commits.append(
            Commit(
                product=key[0],
                amount=_decimal(draw, 1, 20 * 10**digits, digits),
                frequency=draw(st.sampled_from(["monthly", "quarterly", "yearly"])),
                started_on=started,
            )
        )

    # -- seats, numbers, units --
    seats = []
    seat_keys = set()
    for user in draw(st.lists(st.sampled_from(USERS[1:]), max_size=3)):
        start = _day_in(draw, plus(first, draw(st.integers(-1, SPAN - 1))))
        if (user, start) in seat_keys:
            continue
        seat_keys.add((user, start))
        end = None
        if draw(st.booleans()):
            end = start + timedelta(days=draw(st.sampled_from([0, 1, 27, 30, 45])))
        seats.append(Seat(user, start, end))
    numbers = tuple(draw(st.lists(st.sampled_from(NUMBERS), max_size=3, unique=True)))
    units = []
    free_numbers = list(numbers)
    for name in draw(st.lists(st.sampled_from(UNIT_NAMES), max_size=3, unique=True)):
        members = tuple(draw(st.lists(st.sampled_from(USERS[1:]), max_size=3, unique=True)))
        held = tuple(n for n in free_numbers if draw(st.booleans()))
        free_numbers = [n for n in free_numbers if n not in held]
        units.append(BillingUnit(name, members, held))

    # -- raw records --
    edges = transitions(zone, first_day(first), last_day(current))
    # The rate card's sources, and (now and then) a kind that no product meters.
    noise = set()
    if draw(st.integers(0, 3)) == 0:
        noise.add(draw(st.sampled_from(["conversations", "alerts", "calls", "storage"])))
    sources = sorted(({source for source, _ in rules} | noise) - {"agents", "numbers"})

    def instant(month: tuple[int, int]) -> datetime:
        choice = draw(st.integers(0, 3))
        if choice == 0 or (choice == 1 and not edges):
            # local midnight on a month edge, give or take a second or half a second
            edge = month if draw(st.booleans()) else plus(month, 1)
            midnight = datetime.combine(first_day(edge), time(0), tzinfo=zone)
            shift = draw(st.sampled_from([-1, -0.5, 0, 0.5, 1, -3600, 3599]))
            return midnight.astimezone(UTC) + timedelta(seconds=shift)
        if choice == 1:
            edge = draw(st.sampled_from(edges))
            return edge + timedelta(minutes=draw(st.sampled_from([-50, -5, 0, 5, 5, 20, 65])))
        day = _day_in(draw, month)
        local = datetime.combine(day, time(draw(st.integers(0, 23)), draw(st.integers(0, 59))))
        return local.replace(tzinfo=zone).astimezone(UTC)

    records: list[Record] = []
    storage_days: set[date] = set()
    count = 0
    for source in sources:
        for _ in range(draw(st.integers(0, 4))):
            count += 1
            rid = f"{source[:2]}{count}"
            month = draw(st.sampled_from(months))
            if source == "storage":
                day = _day_in(draw, month)
                if day in storage_days:
                    continue
                storage_days.add(day)
                records.append(Snapshot(day, _decimal(draw, 0, 5000, 2)))
                continue
            at = instant(month)
            if source == "conversations":
                micros = draw(
                    st.one_of(
                        st.sampled_from([0, 1, 900, 1800, 1801, 2700]).map(lambda s: s * 10**6),
                        st.sampled_from([900_500_000, 1_800_500_000, 2_699_999_999]),
                        st.integers(0, 4000).map(lambda s: s * 10**6),
                    )
                )
                length = timedelta(microseconds=micros)
                whole = int(length.total_seconds())
                human = draw(st.sampled_from([0, 0, whole, whole // 2, min(whole, 900)]))
                records.append(
                    Conversation(
                        rid,
                        draw(st.sampled_from(APPS)),
                        draw(st.sampled_from(["chat", "voice"])),
                        at,
                        at + length,
                        human,
                    )
                )
            elif source == "alerts":
                records.append(
                    Alert(rid, draw(st.sampled_from(APPS)), draw(st.sampled_from(USERS)), at)
                )
            elif source == "calls":
                records.append(
                    Call(
                        rid,
                        draw(st.one_of(st.none(), st.sampled_from(NUMBERS))),
                        draw(st.one_of(st.none(), st.sampled_from(USERS))),
                        at,
                        draw(st.one_of(st.sampled_from([0, 1, 60, 61]), st.integers(0, 3000))),
                    )
                )
            elif source == "sms":
                records.append(Sms(rid, at))
            elif source == "interviews":
                records.append(Interview(rid, at))
            elif source == "recordings":
                records.append(Recording(rid, at, _decimal(draw, 0, 600, 1)))
    records = [
        r for r in records if not isinstance(r, Call) or r.number is None or r.number in numbers
    ]

    # -- the timeline --
    final_day = _day_in(draw, current)
    span_days = (final_day - first_day(first)).days

    def some_day() -> date:
        return first_day(first) + timedelta(days=draw(st.integers(0, span_days)))

    steps: list[Step] = []
    by_kind: dict[str, list[Record]] = {}
    for record in records:
        kind = type(record).__name__
        by_kind.setdefault(kind, []).append(record)
    for kind, batch in by_kind.items():
        split = draw(st.integers(0, len(batch)))
        for part in (batch[:split], batch[split:]):
            if part:
                name = {
                    "Snapshot": "storage",
                    "Conversation": "conversations",
                    "Alert": "alerts",
                    "Call": "calls",
                    "Sms": "sms",
                    "Interview": "interviews",
                    "Recording": "recordings",
                }[kind]
                # Mostly imported once they have happened (records dated after today + 1 day
                # are refused); now and then on any day, to see that refusal too.
                day = some_day()
                if draw(st.integers(0, 9)) > 0:
                    day = max(day, max(_local_day(record, zone) for record in part))
                steps.append(Step(day, Import(name, tuple(part))))
    for _ in range(draw(st.integers(0, 2))):
        steps.append(
            Step(some_day(), Buy(_decimal(draw, 1, 10 * 10**digits, digits), draw(st.booleans())))
        )
    earliest = min([first, *(month_of(c.started_on) for c in commits)])
    closable = []
    month = earliest
    while month < current:
        closable.append(month)
        month = plus(month, 1)
    # Closes: mostly in order, each soon after its month ends; now and then twice, out of
    # order, or before the month is over.
    # Or (half of the scenarios) a few months at random, which leaves more months open.
    if draw(st.booleans()):
        closes = [month for month in closable if draw(st.integers(0, 9)) < 8]
        for _ in range(draw(st.integers(0, 2))):
            closes.append(draw(st.sampled_from([*closable, current])))
    else:
        closes = draw(st.lists(st.sampled_from([*closable, current]), max_size=4))
    for month in closes:
        day = first_day(plus(month, 1)) + timedelta(days=draw(st.integers(-2, 3)))
        steps.append(Step(min(day, final_day), Close(month)))
    for _ in range(draw(st.integers(1, 2))):
        steps.append(Step(some_day(), Read(None)))
    order = draw(st.permutations(range(len(steps))))
    steps = [steps[i] for i in order]
    steps.sort(key=lambda s: s.today)
    workspace = Workspace(
        currency=currency,
        timezone=zone_name,
        commit_scope=scope,
        products=tuple(products),
        commits=tuple(commits),
        seats=tuple(seats),
        numbers=numbers,
        units=tuple(units),
    )
    return Scenario(workspace, tuple(steps), earliest, current, final_day)
