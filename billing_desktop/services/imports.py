"""CSV imports (PRODUCT §10, §12): validated, idempotent, all-or-nothing, streamed.

One file of one KIND goes into one unit of work. Rows are parsed and checked in chunks; each
chunk's keys are looked up in the store (rows written by earlier chunks of the same file are
found there too, which is how a key repeated far apart in a big file is caught), identical rows
are skipped, new ones written. Every problem is collected (up to ``MAX_ERRORS``, the rest
counted) and at the end any problem raises ``ImportFailed``, which rolls the whole unit of work
back: nothing of the file is kept. Messages name the file, the physical line and the column:

    calls.csv, line 7, column 'duration_seconds': 'abc' is not a whole number

Usage records go in through ``services.recording.add_records`` with their hourly rollups, so
they need the account first (its time zone decides a record's local day). A new record that
would change a closed month is refused like a bad value (PRODUCT §4.5); a stored one imported
again is still skipped:

    calls.csv, line 7, column 'started_at': 2026-09 is closed; late records for a closed month
    are reported, not merged

New dated records must also keep ``DateBounds``: not more than a month before the account's first
month, and what has happened (usage, storage snapshots) not after today + 1 day. Every cell is
checked for characters no value may hold (controls, a byte order mark past the start of the
file, bidi overrides) before its column's parser sees it (``csv_parsing.hidden_character``).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import operator
import os
from collections.abc import Callable, Generator, Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO, TypeVar
from zoneinfo import ZoneInfo

from billing_desktop.domain import model as m
from billing_desktop.domain.access import Area, Level
from billing_desktop.domain.errors import BillingError, ImportFailed, InvalidInput
from billing_desktop.domain.metering import check_rule
from billing_desktop.domain.periods import Month, account_today
from billing_desktop.domain.quotas import (
    MAX_PACK_NAME,
    MAX_PACK_PRICE,
    MAX_PACK_VOLUME,
    PackPrice,
    Statistic,
)
from billing_desktop.domain.receivables import BankLine
from billing_desktop.services import bulk_calls, camt
from billing_desktop.services import csv_parsing as p
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.credits import apply_auto_recharge
from billing_desktop.services.quotas import PackCollection
from billing_desktop.services.recording import (
    ROLLUP_KINDS,
    ClosedPeriods,
    add_records,
    late_record_message,
    rollup_zone,
)
from billing_desktop.services.task_state import TaskState
from billing_desktop.store.ports import (
    RESOURCES,
    AccountRepository,
    CallStaging,
    UnitOfWork,
    UnitOfWorkFactory,
)

# PRODUCT §12 order, which is also an order that satisfies every reference between kinds.
KINDS: tuple[str, ...] = (
    "account",
    "rate-card",
    "commits",
    "users",
    "agents",
    "numbers",
    "plans",
    "apps",
    "conversations",
    "alerts",
    "calls",
    "sms",
    "interviews",
    "recordings",
    "storage",
    "payments",  # bank-statement lines, staged for the Reconcile view
    "packs",  # the rate card's add-on volume packs (optional)
)

T = TypeVar("T")

# Kinds whose new rows can change the current month's charges (auto-recharge is checked after).
CHARGE_KINDS = frozenset({*ROLLUP_KINDS, "storage", "agents", "numbers", "rate-card", "commits"})

# What an import of each kind changes, for the resource versions every client polls (records
# of usage move "records" alone, so a client's pending edit of units is not made stale by an
# import of calls); the kinds that set the workspace up may change anything shown.
CHANGED_BY_KIND: dict[str, frozenset[str]] = {
    **{kind: frozenset({"records"}) for kind in (*ROLLUP_KINDS, "storage", "agents")},
    "numbers": frozenset({"records", "units"}),
    "payments": frozenset({"credits"}),
}

CHUNK_ROWS = 5_000  # rows held in memory between store round trips
MAX_ERRORS = 50  # errors kept with their text; the rest are counted


@dataclass(frozen=True, slots=True)
class ImportReport:
    kind: str
    file: str
    rows: int
    added: int
    skipped: int
    auto_recharge: str | None = None  # what auto-recharge added after the import, if it fired

    def summary(self) -> str:
        rows = "row" if self.rows == 1 else "rows"
        text = (
            f"{self.file}: {self.rows} {rows}, {self.added} added, "
            f"{self.skipped} skipped (already stored)"
        )
        return f"{text}\n{self.auto_recharge}" if self.auto_recharge else text

    def as_dict(self) -> dict[str, object]:
        found: dict[str, object] = {
            "kind": self.kind,
            "file": self.file,
            "rows": self.rows,
            "added": self.added,
            "skipped": self.skipped,
        }
        if self.auto_recharge:
            found["auto_recharge"] = self.auto_recharge
        return found


# --- what each kind looks like ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Column:
    """One CSV column; its name is also the dataclass field it fills (checked by a test)."""

    name: str
    parse: p.Parser | None  # None: money, parsed in the account's currency (bound per import)
    required: bool = True
    blank: object = None  # the value of a blank optional cell
    signed: bool = False  # money that may be negative (an app's balance)
    positive: bool = False  # money that must be more than 0 (a commit)


def _opt(name: str, parse: p.Parser, blank: object = None) -> _Column:
    return _Column(name, parse, required=False, blank=blank)


def _money(name: str, *, signed: bool = False, positive: bool = False) -> _Column:
    return _Column(name, None, signed=signed, positive=positive)


@dataclass(frozen=True, slots=True)
class _Reference:
    """A column naming a record of another kind, which must already be in the store."""

    column: str
    collection: str  # the unit of work's attribute holding the referenced records
    noun: str
    first: str  # what to import first
    # Extra condition on the referenced record: an error message, or None when acceptable.
    accept: Callable[[Any], str | None] | None = None


@dataclass(frozen=True, slots=True)
class _Dated:
    """The column that dates a record of a kind, for the bounds every new record must keep:
    not more than a month before the account's first month and, for what has happened (usage
    records, storage snapshots, ``happened``), not after today + 1 day."""

    column: str
    happened: bool


_HAPPENED_AT = partial(_Dated, happened=True)


Problems = list[tuple[str, str]]  # (column, message)
# Where a new record would change a closed month: (column to name, the month), or None.
Late = Callable[[ClosedPeriods, Any], tuple[str, Month] | None]


@dataclass(frozen=True, slots=True)
class _Kind:
    name: str
    collection: str  # the unit of work's attribute ("account" is special-cased)
    noun: str  # names one record in messages: "call 'c1' is already stored ..."
    cls: Callable[..., Any]
    columns: tuple[_Column, ...]
    key: Callable[[Any], Hashable]
    references: tuple[_Reference, ...] = ()
    check: Callable[[Any], Problems] | None = None  # rules across columns of one row
    single_row: bool = False
    late: Late | None = None  # records that must not land in a closed month (PRODUCT §4.5)
    dated: _Dated | None = None  # the column dating a record, checked against the bounds
    # A row repeating an earlier row of the same file is an error, not a repeat to skip (bank
    # lines keyed by a hash of their values: two alike would silently become one payment).
    repeat: str | None = None
    # Where the records live when it is not a collection of the unit of work (packs: a setting).
    adapter: Callable[[UnitOfWork], Any] | None = None

    @property
    def rolled_up(self) -> bool:
        """Records written with their hourly rollups (which need the account's time zone)."""
        return self.collection in ROLLUP_KINDS

    @property
    def needs_account(self) -> bool:
        return any(column.parse is None for column in self.columns)

    def describe(self, key: Hashable) -> str:
        if self.single_row:
            return self.noun
        if isinstance(key, tuple):
            parts = ", ".join("account level" if k is None else _show(k) for k in key)
            return f"{self.noun} ({parts})"
        return f"{self.noun} {p.quote(_show(key))}"


def _check_seat(seat: m.AgentSeat) -> Problems:
    if seat.ended_on is not None and seat.ended_on < seat.started_on:
        return [("ended_on", f"the seat ends before it starts ({seat.started_on.isoformat()})")]
    return []


def _check_conversation(conversation: m.Conversation) -> Problems:
    length = conversation.ended_at - conversation.started_at
    if length.days < 0:
        return [("ended_at", "the conversation ends before it starts (started_at)")]
    seconds = length.days * 86_400 + length.seconds  # whole seconds; a part second cannot hold one
    if conversation.human_agent_seconds > seconds:
        return [
            (
                "human_agent_seconds",
                f"{conversation.human_agent_seconds} seconds with a human agent is longer than "
                f"the conversation ({seconds} seconds)",
            )
        ]
    return []


def _check_product(product: m.Product) -> Problems:
    try:
        check_rule(product.source, product.metering)
    except InvalidInput as exc:
        return [("metering", str(exc))]
    return []


def _late_at(column: str) -> Late:
    """A record timed by the instant in ``column`` is late when its local day is closed."""
    when = operator.attrgetter(column)

    def late(closed: ClosedPeriods, record: Any) -> tuple[str, Month] | None:
        month = closed.month_of_instant(when(record))
        return None if month is None else (column, month)

    return late


def _late_snapshot(closed: ClosedPeriods, snapshot: m.StorageSnapshot) -> tuple[str, Month] | None:
    month = closed.month_of_storage_day(snapshot.day)
    return None if month is None else ("day", month)


def _late_seat(closed: ClosedPeriods, seat: m.AgentSeat) -> tuple[str, Month] | None:
    # The start names the problem: a seat reaching back into a closed month changes its count.
    month = closed.month_of_seat(seat)
    return None if month is None else ("started_on", month)


def _commit_allowed(product: m.Product) -> str | None:
    if product.commit == m.CommitAvailability.NOT_AVAILABLE:
        return f"product '{product.code}' has commit not_available: it cannot have a commit"
    return None


_USER = _Reference("user_id", "users", "user", "import users first")
_APP = _Reference("app", "apps", "app", "import apps first")

_ACCOUNT_KEY = "account"
_id = p.identifier


def _check_pack_price(row: PackPrice) -> Problems:
    problems: Problems = []
    if row.volume < 1:
        problems.append(("volume", "a pack adds 1 unit or more"))
    if row.price > MAX_PACK_PRICE:
        problems.append(("price", f"at most {MAX_PACK_PRICE:,} per pack"))
    return problems


_KIND_LIST = (
    _Kind(
        "account",
        "account",
        "the account",
        m.Account,
        (
            _Column("name", p.name),
            _Column("currency", p.currency),
            _Column("timezone", p.timezone_name),
            _Column("plan", p.choice(m.PlanTier)),
            _Column("payment_method", p.choice(m.PaymentMethod)),
            _Column("commit_scope", p.choice(m.CommitScope)),
        ),
        key=lambda _account: _ACCOUNT_KEY,
        single_row=True,
    ),
    _Kind(
        "rate-card",
        "products",
        "product",
        m.Product,
        (
            _Column("code", _id),
            _Column("name", p.name),
            _Column("unit", p.choice(m.Unit)),
            _Column("unit_price", p.decimal_upto(p.MAX_UNIT_PRICE)),
            _Column("free_units_per_agent", p.decimal_upto(p.MAX_QUANTITY)),
            _Column("contact_center_services", p.boolean),
            _Column("metering", p.choice(m.Metering)),
            _Column("source", p.choice(m.Source)),
            _Column("commit", p.choice(m.CommitAvailability)),
            _opt("tiers", p.tiers, ()),
        ),
        key=operator.attrgetter("code"),
        check=_check_product,
    ),
    _Kind(
        "commits",
        "commits",
        "commit",
        m.Commit,
        (
            _opt("product", _id),  # blank = an account-level commit
            _money("amount", positive=True),
            _Column("frequency", p.choice(m.Frequency)),
            _Column("started_on", p.day),
        ),
        key=operator.attrgetter("product", "started_on"),
        dated=_Dated("started_on", happened=False),
        references=(
            _Reference(
                "product", "products", "product", "import the rate card first", _commit_allowed
            ),
        ),
    ),
    _Kind(
        "users",
        "users",
        "user",
        m.User,
        (
            _Column("id", _id),
            _Column("name", p.name),
            _Column("email", p.email),
            _Column("role", p.choice(m.Role)),
            _opt("teams", p.name_list, ()),
            _opt("access_groups", p.privileges, ()),
        ),
        key=operator.attrgetter("id"),
    ),
    _Kind(
        "agents",
        "agents",
        "agent seat",
        m.AgentSeat,
        (_Column("user_id", _id), _Column("started_on", p.day), _opt("ended_on", p.day)),
        key=operator.attrgetter("user_id", "started_on"),
        references=(_USER,),
        check=_check_seat,
        late=_late_seat,
        dated=_Dated("started_on", happened=False),
    ),
    _Kind(
        "numbers",
        "numbers",
        "number",
        m.PhoneNumber,
        (_Column("number", p.phone_number), _opt("label", p.name, "")),
        key=operator.attrgetter("number"),
    ),
    _Kind(
        "plans",
        "plans",
        "plan",
        m.Plan,
        (
            _Column("code", _id),
            _Column("name", p.name),
            _money("monthly_price"),
            _Column("included_sessions", p.whole_number),
            _Column("rank", p.whole_number),
        ),
        key=operator.attrgetter("code"),
    ),
    _Kind(
        "apps",
        "apps",
        "app",
        m.App,
        (
            _Column("id", _id),
            _Column("name", p.name),
            _Column("owner_user_id", _id),
            _Column("plan", _id),
            _Column("status", p.choice(m.AppStatus)),
            _money("balance", signed=True),  # an app may owe money
            _opt("plan_ends_on", p.day),
            _opt("pending_plan", _id),
        ),
        key=operator.attrgetter("id"),
        references=(
            _Reference("owner_user_id", "users", "user", "import users first"),
            _Reference("plan", "plans", "plan", "import plans first"),
            _Reference("pending_plan", "plans", "plan", "import plans first"),
        ),
    ),
    _Kind(
        "conversations",
        "conversations",
        "conversation",
        m.Conversation,
        (
            _Column("id", _id),
            _Column("app", _id),
            _Column("channel", p.choice(m.Channel)),
            _Column("started_at", p.instant),
            _Column("ended_at", p.instant),
            _Column("human_agent_seconds", p.whole_number),
        ),
        key=operator.attrgetter("id"),
        references=(_APP,),
        check=_check_conversation,
        late=_late_at("started_at"),
        dated=_HAPPENED_AT("started_at"),
    ),
    _Kind(
        "alerts",
        "alerts",
        "alert",
        m.Alert,
        (
            _Column("id", _id),
            _Column("app", _id),
            _Column("user_id", _id),
            _Column("delivered_at", p.instant),
        ),
        key=operator.attrgetter("id"),
        references=(_APP, _USER),
        late=_late_at("delivered_at"),
        dated=_HAPPENED_AT("delivered_at"),
    ),
    _Kind(
        "calls",
        "calls",
        "call",
        m.Call,
        (
            _Column("id", _id),
            _Column("type", p.choice(m.CallType)),
            _Column("triggered_by", p.choice(m.TriggeredBy)),
            _Column("trigger_source", _id),
            _opt("candidate_id", _id),
            _Column("campaign", p.name),
            _opt("number", p.phone_number),
            _opt("user_id", _id),
            _Column("started_at", p.instant),
            _Column("duration_seconds", p.seconds_of_a_call),
        ),
        key=operator.attrgetter("id"),
        references=(_USER,),
        late=_late_at("started_at"),
        dated=_HAPPENED_AT("started_at"),
    ),
    _Kind(
        "sms",
        "sms",
        "SMS",
        m.Sms,
        (
            _Column("id", _id),
            _Column("type", _id),
            _Column("campaign", p.name),
            _Column("sent_at", p.instant),
        ),
        key=operator.attrgetter("id"),
        late=_late_at("sent_at"),
        dated=_HAPPENED_AT("sent_at"),
    ),
    _Kind(
        "interviews",
        "interviews",
        "interview",
        m.Interview,
        (
            _Column("id", _id),
            _Column("method", p.choice(m.InterviewMethod)),
            _Column("campaign", p.name),
            _Column("completed_at", p.instant),
        ),
        key=operator.attrgetter("id"),
        late=_late_at("completed_at"),
        dated=_HAPPENED_AT("completed_at"),
    ),
    _Kind(
        "recordings",
        "recordings",
        "recording",
        m.Recording,
        (
            _Column("id", _id),
            _Column("campaign", p.name),
            _Column("minutes", p.quantity),
            _Column("recorded_at", p.instant),
        ),
        key=operator.attrgetter("id"),
        late=_late_at("recorded_at"),
        dated=_HAPPENED_AT("recorded_at"),
    ),
    _Kind(
        "storage",
        "storage",
        "storage snapshot",
        m.StorageSnapshot,
        (_Column("day", p.day), _Column("quantity", p.decimal_upto(p.MAX_QUANTITY))),
        key=operator.attrgetter("day"),
        late=_late_snapshot,
        dated=_HAPPENED_AT("day"),
    ),
    # a bank statement's incoming payments (services/reconcile.py matches them)
    _Kind(
        "payments",
        "bank_lines",
        "bank line",
        BankLine,
        (
            _Column("date", p.day),
            _money("amount", positive=True),
            _opt("reference", p.text(500), ""),
            _opt("payer", p.text(200), ""),
            _opt("id", _id, ""),
        ),
        key=operator.attrgetter("id"),
        dated=_HAPPENED_AT("date"),
        repeat="two transfers alike in date, amount, reference and payer need the bank's "
        "transaction id (column 'id') to tell them apart",
    ),
    # the add-on volume packs offered per statistic, with their prices
    _Kind(
        "packs",
        "usage_packs",
        "pack",
        PackPrice,
        (
            _Column("statistic", p.choice(Statistic)),
            _Column("name", p.text(MAX_PACK_NAME)),
            _Column("volume", partial(p.whole_number, maximum=MAX_PACK_VOLUME)),
            _money("price"),
        ),
        key=lambda row: (row.statistic.value, row.name.casefold()),
        check=_check_pack_price,
        adapter=lambda uow: PackCollection(uow),
    ),
)
_KINDS: dict[str, _Kind] = {kind.name: kind for kind in _KIND_LIST}
assert tuple(_KINDS) == KINDS


def columns_of(kind: str) -> tuple[tuple[str, bool], ...]:
    """(column name, required) of a kind, in the documented order (for help and templates)."""
    return tuple((column.name, column.required) for column in _kind(kind).columns)


def _kind(kind: str) -> _Kind:
    spec = _KINDS.get(kind)
    if spec is None:
        raise InvalidInput(f"'{kind}' is not an import kind (one of: {', '.join(KINDS)})")
    return spec


# --- values in messages -------------------------------------------------------------------


def _show(value: object) -> str:
    """A value as a user would write it in the file."""
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, m.Tier):
        return f"{value.above}:{value.unit_price}"
    if isinstance(value, tuple):
        return ";".join(_show(v) for v in value)
    return str(value)  # text, whole numbers, Decimals as written (never through float)


def _quoted(value: object) -> str:
    shown = _show(value)
    return p.quote(shown) if shown else "blank"


# --- errors -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Error:
    line: int | None
    column: str | None
    message: str
    # A clash with a stored record: which line (if any) of this file put it there is only
    # worked out at the end, when the error is reported (see _Run._name_earlier_lines).
    clash: _Clash | None = None


@dataclass(slots=True)
class _Clash:
    key: Hashable
    stored: object
    row: object
    earlier_line: int | None = None


# --- the dates a record may have --------------------------------------------------------------


def first_month(uow: UnitOfWork, today: date) -> Month | None:
    """The account's first month, as far as the import bounds go: the month of the earliest of
    the commits' starts, the agent seats' starts, the usage records and the storage snapshots in
    the store, leaving out what lies after ``today`` (a commit or seat signed for later says
    nothing about where the history starts); None while there is none of them.

    A looser reading than the billing engine's first billed month (which counts only commits
    of the commit scope and records a product meters): this one only guards imports. Each
    import may reach a month further back than what is stored, so history can be filled in
    backwards, a month at a time, but a year typed wrong cannot start it a decade early.
    """
    days: list[date] = [commit.started_on for commit in uow.commits.all()]
    days += [seat.started_on for seat in uow.agents.all()]
    span = uow.rollups.span()
    if span is not None:
        days.append(span[0])
    days += [snapshot.day for snapshot in uow.storage.all()]
    past = [day for day in days if day <= today]
    return Month.of(min(past)) if past else None


@dataclass(frozen=True, slots=True)
class DateBounds:
    """What dates new records of an import may have, read once from the store before it.

    * Not before the first day of the month before the account's first month (see
      ``first_month``): a typo such as 2016 for 2026 would otherwise start the billing history
      ten years early. While the store has no first month, only the years of
      ``csv_parsing.FIRST_YEAR`` to ``LAST_YEAR`` bound it.
    * Usage records and storage snapshots (what has happened) not after today + 1 day, today
      in the account's time zone (a day of slack for clocks and zones ahead of it).
    """

    first_month: Month | None
    latest: date
    zone: ZoneInfo | None  # the account's, to find an instant's day

    @property
    def earliest(self) -> date | None:
        return None if self.first_month is None else self.first_month.plus(-1).first_day

    def problem(self, dated: _Dated, value: date | datetime) -> str | None:
        if isinstance(value, datetime):
            day = value.astimezone(self.zone).date() if self.zone else value.date()
            shown = f"{day.isoformat()} in {self.zone}" if self.zone else day.isoformat()
        else:
            day, shown = value, value.isoformat()
        earliest = self.earliest
        if earliest is not None and day < earliest:
            return (
                f"{shown} is before {earliest.isoformat()}: records may start at most a month "
                f"before the account's first month, {self.first_month} (its earliest commit, "
                "agent seat, usage record or storage snapshot)"
            )
        if dated.happened and day > self.latest:
            return (
                f"{shown} is after {self.latest.isoformat()} (today + 1 day): records cannot "
                "be dated in the future"
            )
        return None


def date_bounds(
    uow: UnitOfWork, today: date | None = None, zone: ZoneInfo | None = None
) -> DateBounds:
    """The bounds for records imported into ``uow``'s store (``today`` defaults to today in
    the account's time zone, or in UTC while there is no account)."""
    if today is None:
        account = uow.account.get()
        today = account_today(account) if account is not None else datetime.now(UTC).date()
    return DateBounds(first_month(uow, today), today + timedelta(days=1), zone)


class _AccountCollection:
    """The single account row seen as a collection, so the one engine handles every kind."""

    def __init__(self, repository: AccountRepository) -> None:
        self._repository = repository

    def get_many(self, keys: Sequence[Hashable]) -> dict[Hashable, m.Account]:
        account = self._repository.get()
        return {} if account is None else {_ACCOUNT_KEY: account}

    def add_many(self, items: Sequence[m.Account]) -> None:
        for account in items:
            self._repository.save(account)


_BLANK: Any = object()  # what _Run._parse returns for a row of empty cells


class _Stop(Exception):
    """Reading cannot go on (broken CSV quoting); the errors so far are reported."""


# --- the import ---------------------------------------------------------------------------


def _bump_all(uow: UnitOfWork, resources: frozenset[str]) -> None:
    for resource in sorted(resources):
        uow.versions.bump(resource)


def import_file(
    store: UnitOfWorkFactory,
    kind: str,
    path: Path,
    user_id: str | None = None,
    *,
    state: TaskState | None = None,
    today: date | None = None,
) -> ImportReport:
    """Import one CSV file of ``kind`` in one transaction, or raise and write nothing.

    ``state`` (optional) hears the share of the file read and the rows read after each chunk,
    and cancels the import there (``Cancelled``: the transaction is rolled back).
    ``today`` (default: today in the account's time zone) bounds the dates of records.
    Raises ImportFailed (bad file), PermissionDenied (the user may not edit usage),
    NotFound (no such ``user_id``).
    """
    _kind(kind)
    path = Path(path)
    with store(write=True) as uow:
        report = import_into(uow, kind, path, user_id, state=state, today=today)
        if report.added:
            # What the import changed moves on, for every client polling the versions (the
            # API server moves "records" itself, as the import's If-Match resource).
            changed = CHANGED_BY_KIND.get(kind, RESOURCES)
            if report.auto_recharge:
                changed |= {"credits"}
            _guard(path.name, None, lambda: _bump_all(uow, changed))
        _guard(path.name, None, uow.commit)
    return report


def import_into(
    uow: UnitOfWork,
    kind: str,
    path: Path,
    user_id: str | None = None,
    *,
    state: TaskState | None = None,
    today: date | None = None,
) -> ImportReport:
    """Import one CSV file of ``kind`` in ``uow``, a writing unit of work, without committing
    it (the caller commits: the API server commits the import with its own bookkeeping, in one
    transaction). Raises as ``import_file``; whatever it raises, roll ``uow`` back."""
    spec = _kind(kind)
    path = Path(path)
    actor = resolve_actor(uow, user_id)
    actor.rights.require(Area.USAGE, Level.EDIT, "import data")
    report = _Run(uow, spec, path, state, today).execute()
    if report.added and spec.name in CHARGE_KINDS:
        # Usage just recorded may bring the balance below the auto-recharge threshold;
        # the recharge lands in this same transaction.
        fired = _guard(path.name, None, lambda: apply_auto_recharge(uow, actor))
        if fired is not None:
            report = dataclasses.replace(report, auto_recharge=fired.summary())
    entry = m.AuditEntry(
        at=datetime.now(UTC),
        actor=actor.audit_name,
        origin="import",
        action="import",
        entity=kind,
        entity_id=path.name,
        after={
            "file": path.name,
            "rows": report.rows,
            "added": report.added,
            "skipped": report.skipped,
        },
    )
    _guard(path.name, None, lambda: uow.audit.add(entry))
    return report


def _guard(file: str, lines: tuple[int, int] | None, call: Callable[[], T]) -> T:
    """Run a store call; a store failure becomes one line naming the file, never a traceback.

    The repository implementations raise their own exception types (SQLAlchemy today, HTTP
    errors for a remote store), so anything that is not already a BillingError is wrapped
    (the original stays chained for a debugger). The unit of work rolls back as the error
    leaves it, so nothing of the file is kept.
    """
    try:
        return call()
    except BillingError:
        raise
    except Exception as exc:
        cause = getattr(exc, "orig", None) or exc
        detail = (str(cause).strip().splitlines() or [type(cause).__name__])[0][:200]
        where = f", lines {lines[0]}-{lines[1]}" if lines else ""
        raise ImportFailed(
            [f"{file}{where}: the store failed during the import, nothing was written ({detail})"]
        ) from exc


# One cell of a row: (field position, index in the file's record, parser, required, column).
_Step = tuple[int, int, p.Parser, bool, str]


class _Run:
    """One import of one file: reading, checking, writing, counting, collecting errors."""

    def __init__(
        self,
        uow: UnitOfWork,
        kind: _Kind,
        path: Path,
        state: TaskState | None,
        today: date | None = None,
    ) -> None:
        self.uow = uow
        self.kind = kind
        self.path = path
        self.file = path.name
        self.state = state
        self.size = 0  # bytes in the file, and the open file's bytes (for the share read)
        self.raw: BinaryIO | None = None
        self.collection: Any = (
            (_AccountCollection(uow.account) if kind.single_row else getattr(uow, kind.collection))
            if kind.adapter is None
            else kind.adapter(uow)
        )
        self.columns = self._bind_money(kind.columns)
        self.write: Callable[[Sequence[Any]], None] = self.collection.add_many
        zone = None
        if kind.rolled_up:
            try:
                zone = rollup_zone(uow)
            except InvalidInput as exc:
                raise ImportFailed([f"{self.file}: {exc}"]) from None
            self.write = partial(add_records, uow, kind.collection)
        self.closed_zone = zone
        # Read once: closing a month and importing never share a unit of work.
        self.closed = ClosedPeriods.of(uow, zone) if kind.late is not None else ClosedPeriods()
        self.bounds = None if kind.dated is None else date_bounds(uow, today, zone)
        self.field_names = tuple(column.name for column in kind.columns)
        self.defaults = tuple(column.blank for column in kind.columns)
        # Per-row plan: (field position, file index, parser, required, column name).
        self.plan: tuple[_Step, ...] = ()
        self.width = 0
        self.errors: list[_Error] = []
        self.more = 0
        self.chunk_errors: list[_Error] = []
        self.rows = 0
        self.added = 0
        self.skipped = 0
        # Referenced records by collection and key (None: not stored); few and read-only here.
        self.known: dict[str, dict[Hashable, Any]] = {}
        # Rows this file added, by key (only for kinds that refuse repeats): (line, row).
        self.written: dict[Hashable, tuple[int, Any]] = {}

    # -- setup --

    def _bind_money(self, columns: tuple[_Column, ...]) -> tuple[_Column, ...]:
        if not self.kind.needs_account:
            return columns
        account = self.uow.account.get()
        if account is None:
            raise ImportFailed(
                [
                    f"{self.file}: the store has no account yet, and this file holds amounts "
                    f"in the account's currency (import the account first)"
                ]
            )
        bound = []
        for column in columns:
            if column.parse is None:
                parse = p.money(account.currency, signed=column.signed, positive=column.positive)
                column = _Column(column.name, parse, column.required, column.blank)
            bound.append(column)
        return tuple(bound)

    # -- errors --

    def _error(
        self, line: int | None, column: str | None, message: str, clash: _Clash | None = None
    ) -> None:
        self.chunk_errors.append(_Error(line, column, message, clash))

    def _merge_errors(self) -> None:
        """Move this chunk's errors to the report in line order (checks run phase by phase)."""
        if not self.chunk_errors:
            return
        self.chunk_errors.sort(key=lambda e: e.line or 0)
        room = max(0, MAX_ERRORS - len(self.errors))
        self.errors.extend(self.chunk_errors[:room])
        self.more += max(0, len(self.chunk_errors) - room)
        self.chunk_errors = []

    def _format(self, error: _Error) -> str:
        where = self.file
        if error.line is not None:
            where += f", line {error.line}"
        if error.column is not None:
            where += f", column '{error.column}'"
        message = error.message
        clash = error.clash
        if clash is not None:
            message = self._clash_message(clash, error.column)
        # One line whatever the file holds (the command line prints exactly one), and no
        # character that prints as nothing or steers a terminal.
        return p.visible(f"{where}: {message}")

    def _fail(self) -> ImportFailed:
        return ImportFailed([self._format(e) for e in self.errors], self.more)

    # -- reading --

    def _records(self) -> Generator[tuple[int, list[str]], None, None]:
        """(first physical line, fields) of every record, the header included.

        The line is where the record starts: a quoted value spanning lines makes the reader's
        line_num run ahead, so the start is the previous record's last line + 1.
        """
        if self.kind.name == "payments" and camt.looks_like_xml(self.path):
            # A CAMT.053 bank statement: its credit entries as rows (services/camt.py).
            currency = self.uow.account.get()
            yield from camt.records(self.path, currency.currency if currency else "")
            return
        try:
            raw = self.path.open("rb")
            self.size = os.fstat(raw.fileno()).st_size
            self.raw = raw
            handle = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        except FileNotFoundError:
            raise ImportFailed([f"{self.path}: no such file"]) from None
        except OSError as exc:
            raise ImportFailed([f"{self.path}: cannot read the file ({exc.strerror})"]) from None
        with handle:
            reader = csv.reader(handle, strict=True)
            last = 0
            try:
                for record in reader:
                    yield last + 1, record
                    last = reader.line_num
            except UnicodeDecodeError:
                raise ImportFailed(
                    [f"{self.file}: not UTF-8 text ({self._utf8_problem()})"]
                ) from None
            except csv.Error as exc:
                self._error(last + 1, None, f"the CSV is malformed here ({exc}); check the quotes")
                raise _Stop from None

    def _utf8_problem(self) -> str:
        """Where the first byte that is not UTF-8 is (error path only: reads the file again)."""
        line = 1
        carry = b""
        with self.path.open("rb") as handle:
            while True:
                block = handle.read(1 << 20)
                data = carry + block
                # Decode whole lines only, so a character split between blocks is no error.
                cut = data.rfind(b"\n") + 1 if block else len(data)
                whole, carry = data[:cut], data[cut:]
                try:
                    whole.decode("utf-8")
                except UnicodeDecodeError as exc:
                    line += whole.count(b"\n", 0, exc.start)
                    return f"byte 0x{whole[exc.start]:02X} on line {line}; save the file as UTF-8"
                line += whole.count(b"\n")
                if not block:
                    return "save the file as UTF-8"

    def _read_header(self, line: int, header: list[str]) -> bool:
        names = [name.strip() for name in header]
        expected = ", ".join(self.field_names)
        if not any(names):
            self._error(line, None, f"no header row (expected: {expected})")
            return False
        position = {name: pos for pos, name in enumerate(self.field_names)}
        found: dict[str, int] = {}
        for index, name in enumerate(names):
            if not name:
                self._error(line, None, f"column {index + 1} of the header has no name")
            elif name in found:
                self._error(line, name, "the column appears twice in the header")
            elif name not in position:
                self._error(line, name, f"unknown column (expected: {expected})")
            else:
                found[name] = index
        for column in self.columns:
            if column.required and column.name not in found:
                self._error(line, None, f"missing column '{column.name}'")
        if self.chunk_errors:
            return False
        self.width = len(names)
        self.plan = tuple(
            (pos, found[column.name], column.parse, column.required, column.name)
            for pos, column in enumerate(self.columns)
            if column.name in found and column.parse is not None
        )
        return True

    def _parse(self, line: int, record: list[str], report: bool = True) -> Any | None:
        """The record as a domain object, None when it is bad (errors reported unless
        ``report`` is off), or _BLANK for a row of empty cells.
        """
        if len(record) != self.width:
            if self._is_blank(record):
                return _BLANK
            if report:
                self._error(
                    line,
                    None,
                    f"{len(record)} values where the header has {self.width} columns",
                )
            return None
        values = list(self.defaults)
        problems: Problems | None = None
        for position, index, parse, required, name in self.plan:
            text = record[index].strip()
            if text:
                hidden = None if text.isprintable() else p.hidden_character(text)
                try:
                    if hidden is not None:
                        raise p.BadValue(f"{p.quote(text)} {hidden}")
                    values[position] = parse(text)
                except p.BadValue as exc:
                    problems = problems or []
                    problems.append((name, str(exc)))
            elif required:
                problems = problems or []
                problems.append((name, "a value is required"))
        if problems is None:
            item = self.kind.cls(*values)
            check = self.kind.check
            if check is None:
                return item
            problems = check(item)
            if not problems:
                return item
        if self._is_blank(record):
            return _BLANK
        if report:
            for name, message in problems:
                self._error(line, name, message)
        return None

    def _is_blank(self, record: list[str]) -> bool:
        # Spreadsheets save rows of empty cells below the data; they carry nothing.
        return not any(value.strip() for value in record)

    # -- the whole file --

    def _fast(self) -> ImportReport | None:
        """The calls of a well-formed file through the store's staging table
        (``services.bulk_calls``), or None: then the row path imports the file."""
        staging = getattr(self.uow, "bulk_calls", None)
        if self.kind.name != "calls" or not isinstance(staging, CallStaging):
            return None
        zone, dated = self.closed_zone, self.kind.dated
        if zone is None or dated is None:
            return None
        bounds = self.bounds
        problem = None if bounds is None else partial(bounds.problem, dated)
        try:
            raw = self.path.open("rb")
            self.size = os.fstat(raw.fileno()).st_size
            self.raw = raw
        except OSError:
            return None  # the row path says why
        with raw:
            try:
                header_text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                header = next(csv.reader(header_text, strict=True), None)
                header_text.detach()  # the fast path reads the file again from its start
                if header is None or not self._read_header(1, header):
                    return None
                columns = [
                    bulk_calls.Column(name, index, parse, required)
                    for _position, index, parse, required, name in self.plan
                ]
                outcome = _guard(
                    self.file,
                    None,
                    lambda: bulk_calls.import_calls(
                        self.uow,
                        staging,
                        raw,
                        columns,
                        self.width,
                        zone=zone,
                        bound_problem=problem,
                        closed=self.closed.spans,
                        progress=self._report_rows,
                    ),
                )
            except (UnicodeDecodeError, csv.Error):
                return None
            finally:
                self.chunk_errors = []  # the row path finds (and reports) any problem again
        if outcome is None:
            return None
        self.rows, self.added, self.skipped = outcome.rows, outcome.added, outcome.skipped
        return ImportReport(self.kind.name, self.file, self.rows, self.added, self.skipped)

    def execute(self) -> ImportReport:
        fast = self._fast()
        if fast is not None:
            return fast
        chunk: list[tuple[int, Any]] = []
        try:
            records = self._records()
            first = next(records, None)
            if first is None:
                raise ImportFailed(
                    [
                        f"{self.file}: the file is empty (expected a header row: "
                        f"{', '.join(self.field_names)})"
                    ]
                )
            if not self._read_header(*first):
                self._merge_errors()
                raise self._fail()
            single_row = self.kind.single_row
            for line, record in records:
                if not record:
                    continue
                if single_row and self.rows and not self._is_blank(record):
                    self.rows += 1
                    self._error(line, None, "the account file holds one account: one row only")
                    continue
                item = self._parse(line, record)
                if item is _BLANK:
                    continue
                self.rows += 1
                if item is not None:
                    chunk.append((line, item))
                    if len(chunk) >= CHUNK_ROWS:
                        self._flush(chunk)
                        chunk = []
        except _Stop:
            pass
        self._flush(chunk)
        if self.kind.single_row and self.rows == 0 and not self.errors:
            self.errors.append(_Error(None, None, "no account row below the header"))
        if self.errors:
            self._name_earlier_lines()
            raise self._fail()
        return ImportReport(self.kind.name, self.file, self.rows, self.added, self.skipped)

    def _flush(self, chunk: list[tuple[int, Any]]) -> None:
        """Check references, drop or refuse repeats, write the new rows of one chunk."""
        chunk = self._check_references(chunk) if chunk else chunk
        if chunk:
            key_of = self.kind.key
            firsts: dict[Hashable, tuple[int, Any]] = {}
            for line, item in chunk:
                key = key_of(item)
                seen = firsts.get(key) or self.written.get(key)
                if seen is None:
                    firsts[key] = (line, item)
                elif seen[1] == item and self.kind.repeat is not None:
                    self._error(line, None, f"repeats line {seen[0]} exactly; {self.kind.repeat}")
                elif seen[1] == item:
                    self.skipped += 1
                else:
                    self._clash(line, key, seen[1], item, earlier_line=seen[0])
            lines = (chunk[0][0], chunk[-1][0])
            keys = list(firsts)
            stored = _guard(self.file, lines, lambda: self.collection.get_many(keys))
            new = []
            # Only new records can be late: a stored one re-imported as it is stays skipped.
            closed = self.closed
            late = self.kind.late if closed else None
            dated, bounds = self.kind.dated, self.bounds
            for key, (line, item) in firsts.items():
                old = stored.get(key)
                if old is None:
                    if dated is not None and bounds is not None:
                        problem = bounds.problem(dated, getattr(item, dated.column))
                        if problem is not None:
                            self._error(line, dated.column, problem)
                            continue
                    found = None if late is None else late(closed, item)
                    if found is None:
                        new.append(item)
                    else:
                        self._error(line, found[0], late_record_message(found[1]))
                elif old == item:
                    self.skipped += 1
                else:
                    self._clash(line, key, old, item, earlier_line=None)
            if new:
                # Written even when errors were found: later chunks then see these rows as
                # stored, so repeats far apart are still reported; the rollback drops them.
                _guard(self.file, lines, lambda: self.write(new))
                self.added += len(new)
                if self.kind.repeat is not None:
                    self.written.update((key_of(item), firsts[key_of(item)]) for item in new)
        self._merge_errors()
        self._report_rows(self.rows)

    def _report_rows(self, rows: int) -> None:
        """Tell the task's state how far the file is read; stop here when it was cancelled."""
        if self.state is not None:
            self.state.check("the import")
            # A closed file was read to its end (the last chunk is written after it).
            read = self.size if self.raw is None or self.raw.closed else self.raw.tell()
            share = read / self.size if self.size else None
            self.state.progress(share, f"{rows:,} rows read")

    def _check_references(self, chunk: list[tuple[int, Any]]) -> list[tuple[int, Any]]:
        if not self.kind.references:
            return chunk
        refused: set[int] = set()
        for reference in self.kind.references:
            get = operator.attrgetter(reference.column)
            known = self.known.setdefault(reference.collection, {})
            missing = list({get(item) for _, item in chunk} - known.keys() - {None})
            if missing:
                lookup = partial(getattr(self.uow, reference.collection).get_many, missing)
                found = _guard(self.file, None, lookup)
                for key in missing:
                    known[key] = found.get(key)
            for line, item in chunk:
                key = get(item)
                if key is None:
                    continue
                target = known[key]
                message: str | None
                if target is None:
                    message = (
                        f"{reference.noun} {p.quote(key)} is not in the store ({reference.first})"
                    )
                elif reference.accept is not None:
                    message = reference.accept(target)
                else:
                    message = None
                if message is not None:
                    self._error(line, reference.column, message)
                    refused.add(line)
        return [(line, item) for line, item in chunk if line not in refused] if refused else chunk

    # -- rows that clash with a stored one --

    def _clash(
        self, line: int, key: Hashable, stored: object, row: object, earlier_line: int | None
    ) -> None:
        differing = self._differing(stored, row)
        clash = _Clash(key, stored, row, earlier_line)
        self._error(line, differing[0] if differing else None, "", clash)

    def _differing(self, stored: object, row: object) -> list[str]:
        return [name for name in self.field_names if getattr(stored, name) != getattr(row, name)]

    def _clash_message(self, clash: _Clash, column: str | None) -> str:
        what = self.kind.describe(clash.key)
        differing = self._differing(clash.stored, clash.row)
        if column is None:  # cannot happen for dataclasses that compare unequal
            return f"{what} is already stored with other values"
        old = _quoted(getattr(clash.stored, column))
        new = _quoted(getattr(clash.row, column))
        if clash.earlier_line is not None:
            text = f"{what} is also on line {clash.earlier_line} with {old}; this line has {new}"
        else:
            text = f"{what} is already stored with {old}; this file has {new}"
        if len(differing) > 1:
            text += f" (also different: {', '.join(differing[1:])})"
        return text

    def _name_earlier_lines(self) -> None:
        """For clashes with a stored record, find whether an earlier line of this file put it
        there: re-read the file up to the last such clash (only ever done for a failed import).
        """
        open_clashes: dict[Hashable, list[tuple[int, _Clash]]] = {}
        for error in self.errors:
            clash = error.clash
            if clash is not None and clash.earlier_line is None and error.line is not None:
                open_clashes.setdefault(clash.key, []).append((error.line, clash))
        if not open_clashes:
            return
        last = max(line for pending in open_clashes.values() for line, _ in pending)
        key_of = self.kind.key
        records = self._records()
        try:
            next(records)  # the header, already checked
            for line, record in records:
                if line >= last:
                    break
                item = self._parse(line, record, report=False) if record else None
                if item is None or item is _BLANK:
                    continue
                for clash_line, clash in open_clashes.get(key_of(item), ()):
                    if clash.earlier_line is None and line < clash_line and item == clash.stored:
                        clash.earlier_line = line
        except (_Stop, ImportFailed):
            pass  # the file changed under us: the clashes keep their "already stored" wording
        finally:
            records.close()
