"""Repository Protocols and the unit of work (ARCHITECTURE: store/).

Designed for two implementations (SQL now, HTTP later): every call is coarse-grained, takes and
returns plain domain dataclasses, and nothing lazy crosses the boundary. A unit of work rolls
back unless ``commit()`` is called.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import TYPE_CHECKING, ParamSpec, Protocol, Self, TypeVar, runtime_checkable

from billing_desktop.domain.model import (
    Account,
    AgentSeat,
    Alert,
    App,
    AuditEntry,
    BillingUnit,
    Call,
    Commit,
    Conversation,
    Interview,
    Invoice,
    LedgerEntry,
    PhoneNumber,
    Plan,
    Product,
    Recording,
    Sms,
    StorageSnapshot,
    User,
)
from billing_desktop.domain.plans import ExtensionRequest
from billing_desktop.domain.receivables import (
    BankLine,
    BankLineDismissal,
    CreditNote,
    Payment,
    PaymentVoid,
)
from billing_desktop.domain.unit_history import MembershipChange

if TYPE_CHECKING:
    import pyarrow as pa  # record batches of calls (CallStaging, CallBatches); never at run time

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")
P = ParamSpec("P")


class Collection(Protocol[K, T]):
    """A keyed set of records of one kind (what an import writes and what a tab lists)."""

    def get_many(self, keys: Sequence[K]) -> dict[K, T]:
        """The stored records among ``keys`` (missing keys are absent from the result)."""
        ...

    def add_many(self, items: Sequence[T]) -> None:
        """Insert new records; their keys must not be stored yet.

        A key already stored or given twice, or a record referring to one the store does not
        hold, raises ``Conflict``: nothing of the call is written, and the unit of work goes on.
        """
        ...

    def all(self) -> list[T]: ...

    def count(self) -> int: ...

    def key_of(self, item: T) -> K: ...


class AppRepository(Collection[str, App], Protocol):
    """Apps (virtual agents): a collection whose records can also be changed in place."""

    def update(self, app: App) -> None:
        """Store ``app`` over the stored app with its id (NotFound when there is none)."""
        ...


class ExtensionRequestRepository(Protocol):
    """Plan extension requests (Plans tab ▸ Manage)."""

    def add(self, request: ExtensionRequest) -> ExtensionRequest:
        """Store a new request; returns it with its id."""
        ...

    def decide(self, request: ExtensionRequest) -> None:
        """Store the decision of the stored request ``request.id`` (status and decision)."""
        ...

    def for_apps(self, app_ids: Sequence[str]) -> list[ExtensionRequest]:
        """The requests about these apps, oldest first."""
        ...


class AccountRepository(Protocol):
    def get(self) -> Account | None: ...

    def save(self, account: Account) -> None: ...


class BillingUnitRepository(Protocol):
    def all(self) -> list[BillingUnit]: ...

    def names(self) -> dict[int, str]:
        """Every unit's name by its id (one read: what a name check needs, not the members)."""
        ...

    def add(self, name: str) -> BillingUnit:
        """A new empty unit whose id is one more than the highest stored (``Conflict`` when
        the name is taken)."""
        ...

    def set_members(
        self, unit_id: int, user_ids: Sequence[str], numbers: Sequence[str]
    ) -> None: ...

    def count(self) -> int: ...

    def get(self, unit_id: int) -> BillingUnit | None:
        """The unit with its members, or None."""
        ...

    def rename(self, unit_id: int, name: str) -> None: ...

    def delete(self, unit_id: int) -> None:
        """Remove the unit and its memberships (its numbers become unassigned)."""
        ...

    def restore(self, unit: BillingUnit) -> None:
        """Re-create a deleted unit with its id, name and members (undo of a delete);
        ``Conflict`` and nothing changed when the id or name is taken or a number is held."""
        ...

    def record(self, changes: Sequence[MembershipChange]) -> None:
        """Append membership changes to the history (ids given in order)."""
        ...

    def history(self, after: datetime | None = None) -> list[MembershipChange]:
        """The recorded changes in the order recorded; with ``after``, only those taking
        effect after that instant (start-of-time ones never are)."""
        ...


class LedgerRepository(Protocol):
    def add_many(self, entries: Sequence[LedgerEntry]) -> None: ...

    def all(self) -> list[LedgerEntry]: ...

    def between(self, first: date, last: date) -> list[LedgerEntry]:
        """Rows with ``first <= occurred_on <= last``, in date then insertion order."""
        ...

    def pool_totals(self, before: date) -> dict[str, Decimal]:
        """Sum of the rows of each credit pool dated before ``before`` ("" = invoices/payments)."""
        ...


RollupKey = tuple[date, int, str, str]
"""(local day, local hour, app or '', measure) of an hourly usage rollup."""


@dataclass(frozen=True, slots=True)
class RollupRow:
    day: date
    hour: int
    app: str
    measure: str
    quantity: Decimal


class RollupRepository(Protocol):
    """Hourly usage rollups, kept in step with the raw records in the same transaction."""

    def add(self, deltas: Mapping[RollupKey, Decimal]) -> None:
        """Add quantities to the rollups (creating rows as needed)."""
        ...

    def totals(self, first: date, last: date, app: str | None = None) -> dict[str, Decimal]:
        """Quantity per measure over local days [first, last] (one app or all)."""
        ...

    def rows(
        self, first: date, last: date, measures: Sequence[str], app: str | None = None
    ) -> list[RollupRow]:
        """The hourly rows of ``measures`` over [first, last], summed over apps unless ``app``."""
        ...

    def span(self, measures: Sequence[str] | None = None) -> tuple[date, date] | None:
        """First and last local day with any rollup (of one of ``measures``), or None."""
        ...

    def clear(self) -> None: ...


@dataclass(frozen=True, slots=True)
class MonthLine:
    """One product's rating of a closed month (also an invoice line)."""

    product: str
    quantity: Decimal
    free_units_total: Decimal
    free_units_used: Decimal
    unit_price: Decimal
    amount: Decimal
    credit_applied: Decimal
    charged: Decimal
    balance: Decimal


@dataclass(frozen=True, slots=True)
class ClosedMonth:
    month: date  # first day
    closed_at: datetime
    closed_by: str
    invoice_number: str | None


class ClosingRepository(Protocol):
    def all(self) -> list[ClosedMonth]: ...

    def get(self, month: date) -> ClosedMonth | None: ...

    def add(self, closed: ClosedMonth, lines: Sequence[MonthLine]) -> None: ...

    def lines(self, month: date) -> list[MonthLine]: ...


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """Which audit rows the activity report shows: ``start`` <= at < ``end``, one actor, one
    action, one object (``entity``, and its id when given); rows of a ``hidden`` pair
    (entity, entity id or None for every id) are left out (plan data, PRODUCT §9)."""

    start: datetime | None = None
    end: datetime | None = None
    actor: str | None = None
    action: str | None = None
    entity: str | None = None
    entity_id: str | None = None
    hidden: tuple[tuple[str, str | None], ...] = ()


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One stored audit row with its id and its place in the chain (None: not sealed)."""

    id: int
    entry: AuditEntry
    seq: int | None = None


@dataclass(frozen=True, slots=True)
class ChainLink:
    """What the chain covers of one row (``domain.audit_chain.CONTENT_FIELDS``) and its hash."""

    id: int
    seq: int | None
    content: dict[str, object]
    hash: str | None


class AuditRepository(Protocol):
    def add(self, entry: AuditEntry) -> None:
        """Add a row; it joins the chain (gets its ``seq`` and hash) when the unit of work
        commits, so rows join in the order their writes commit."""
        ...

    def tag(self, request_key: str) -> None:
        """Give the rows added in this unit of work without a request key this one."""
        ...

    def seal(self) -> None:
        """Chain the rows added in this unit of work (the unit of work calls it as it commits;
        on PostgreSQL it takes the chain's lock first)."""
        ...

    def count(self, query: AuditQuery) -> int: ...

    def page(self, query: AuditQuery, offset: int, limit: int) -> list[AuditRow]:
        """``limit`` rows from ``offset``, newest first (by time, then id)."""
        ...

    def distinct(self, column: str, query: AuditQuery) -> list[str]:
        """The values of ``column`` (actor, action or entity) among the rows of ``query``."""
        ...

    def span(self, query: AuditQuery) -> tuple[datetime, datetime] | None:
        """The first and last ``at`` among the rows of ``query`` (None when there are none)."""
        ...

    def chain(self, after_seq: int, limit: int) -> list[ChainLink]:
        """``limit`` sealed rows after ``after_seq``, in chain order."""
        ...

    def unsealed(self) -> list[ChainLink]:
        """Committed rows that never joined the chain (none unless the log was tampered with)."""
        ...

    def recent(self, limit: int = 100) -> list[AuditEntry]: ...

    def for_entities(self, entity: str, entity_ids: Sequence[str]) -> list[AuditEntry]:
        """Audit rows about the ``entity`` records with these ids, oldest first."""
        ...


@dataclass(frozen=True, slots=True)
class UnitSummary:
    id: int
    name: str
    users: int
    numbers: int


@dataclass(frozen=True, slots=True)
class CallRow:
    """One line of the call log as the Usage Data tab lists it."""

    id: str
    type: str
    triggered_by: str
    trigger_source: str
    candidate_id: str | None
    campaign: str
    number: str | None
    started_at: datetime
    duration_seconds: int


# A CallRow's fields in order as a plain tuple, ``started_at`` as integer microseconds since
# the Unix epoch (UTC) and the optional ids as None: what exports stream (Queries.call_chunks).
CallRecord = tuple[str, str, str, str, str | None, str, str | None, int, int]


@dataclass(frozen=True, slots=True)
class CallUsage:
    """Calls of a period grouped by number and user (billing-unit cost allocation)."""

    number: str | None
    user_id: str | None
    calls: int
    minutes: int  # started minutes, as calls are metered (61 s -> 2)


# Columns the call log can be ordered by (every order ends with the call id as a tie-break).
CALL_SORT_COLUMNS = (
    "id",
    "type",
    "triggered_by",
    "trigger_source",
    "candidate_id",
    "campaign",
    "number",
    "started_at",
    "duration_seconds",
)


@dataclass(frozen=True, slots=True)
class CallFilter:
    """Which calls the call log shows; applied in SQL. ``None`` means no condition."""

    start: datetime | None = None  # first instant included
    end: datetime | None = None  # first instant excluded
    type: str | None = None
    campaign: str | None = None


@dataclass(frozen=True, slots=True)
class CallOrder:
    column: str = "started_at"  # one of CALL_SORT_COLUMNS
    descending: bool = True


@dataclass(frozen=True, slots=True)
class BucketCount:
    """Records of one kind in one time range, counted per key (an interview method, an SMS
    type). ``bucket`` is the index ``i`` of the range ``[bounds[i], bounds[i + 1])`` asked for."""

    bucket: int
    key: str
    count: int


@dataclass(frozen=True, slots=True)
class BucketMinutes:
    """Recordings in one time range: how many, and their minutes (exact)."""

    bucket: int
    recordings: int
    minutes: Decimal


@dataclass(frozen=True, slots=True)
class ConversationTotals:
    """Conversations started in a range, and their sessions (domain.sessions, counted in SQL):
    every started 15 minutes without human-agent time, and of voice conversations in all."""

    count: int
    billing_sessions: int
    voice_sessions: int


class Queries(Protocol):
    """Read models for screens and reports, computed by the store (SQL does the heavy lifting)."""

    def call_usage_by_number_and_user(self, start: datetime, end: datetime) -> list[CallUsage]:
        """Calls started in [start, end), grouped by (number, user_id)."""
        ...

    def alerts_by_user(self, start: datetime, end: datetime) -> dict[str, int]:
        """Alerts delivered in [start, end), counted per user."""
        ...

    def unit_summaries(self) -> list[UnitSummary]: ...

    def call_count(self) -> int: ...

    def call_page(self, offset: int, limit: int) -> list[CallRow]:
        """Calls newest first (ties by id), ``limit`` rows from ``offset``."""
        ...

    def agents_active_between(self, start: date, end: date) -> int:
        """Seats active on at least one day of [start, end]."""
        ...

    def call_count_where(self, where: CallFilter) -> int: ...

    def call_page_where(
        self, where: CallFilter, order: CallOrder, offset: int, limit: int
    ) -> list[CallRow]:
        """``limit`` calls from ``offset`` in ``order`` (ties by id in the same direction)."""
        ...

    def call_chunks(
        self, where: CallFilter, order: CallOrder, chunk_size: int
    ) -> Iterator[list[CallRecord]]:
        """Every matching call in ``order``, streamed from the store in chunks (constant memory),
        as plain tuples (see :data:`CallRecord`) so that a million-row export builds no object
        per call."""
        ...

    def call_span(self) -> tuple[datetime, datetime] | None:
        """The first and last call start, or None without calls."""
        ...

    def call_campaigns(self) -> list[str]: ...

    def numbers_count(self) -> int: ...

    # Usage Data statistics (PRODUCT §8.1): ``bounds`` are increasing instants delimiting
    # consecutive ranges (month boundaries in the account's zone, worked out by the caller).

    def interviews_by_method(self, bounds: Sequence[datetime]) -> list[BucketCount]:
        """Interviews completed in each range, counted per method (ranges without any absent)."""
        ...

    def sms_by_type(self, bounds: Sequence[datetime]) -> list[BucketCount]:
        """SMS messages sent in each range, counted per message type."""
        ...

    def recording_minutes(
        self, bounds: Sequence[datetime], campaign: str | None = None
    ) -> list[BucketMinutes]:
        """Recordings made in each range (of one campaign, or all): count and exact minutes."""
        ...

    def recording_campaigns(self) -> list[str]:
        """The campaigns that have recordings, by name."""
        ...

    # A product's records (explain a charge): conversations started in [start, end), of one
    # channel or all.

    def conversation_totals(
        self, start: datetime, end: datetime, channel: str | None = None
    ) -> ConversationTotals: ...

    def conversation_page(
        self, start: datetime, end: datetime, channel: str | None, offset: int, limit: int
    ) -> list[Conversation]:
        """``limit`` of those conversations from ``offset``, by start (ties by id)."""
        ...


class VersionRepository(Protocol):
    """A counter per resource (``RESOURCES``) that every write moves on."""

    def all(self) -> dict[str, int]: ...

    def get(self, resource: str) -> int:
        """The resource's version (0 before its first write)."""
        ...

    def bump(self, resource: str, expected: int | None = None) -> int | None:
        """The next version, if ``resource`` is at ``expected`` (None: any); None if stale."""
        ...


class SettingsRepository(Protocol):
    """Workspace settings: one JSON-able value per key (money as integer minor units)."""

    def get(self, key: str) -> object | None: ...

    def put(self, key: str, value: object) -> None: ...


@runtime_checkable
class BulkLoad(Protocol):
    """Filling empty tables with millions of rows (the demo's build, PERFORMANCE.md B9),
    offered by a store as its unit of work's ``bulk_load`` (None or absent where it has none:
    rows are then inserted as usual). Inside ``loading(tables)`` the store may defer the
    upkeep of the tables' ordinary indexes to the end; on an error the unit of work must be
    rolled back (nothing of it committed)."""

    def loading(self, tables: Sequence[str]) -> AbstractContextManager[None]: ...


@runtime_checkable
class CallStaging(Protocol):
    """The fast path of a big import of calls (PERFORMANCE.md B3), offered by a store as its
    unit of work's ``bulk_calls`` (None or absent where it has none: the import then goes row
    by row). Cells are staged as the file holds them, already checked by the import: ids, the
    enumerations and names as stored, optional cells blank ('') or a value, ``started_at`` as
    UTC text 'YYYY-MM-DDTHH:MM:SSZ', ``duration_seconds`` as ASCII digits. Staged rows reach
    the calls only through ``insert_new``, in the unit of work's transaction."""

    def begin(self, columns: Sequence[str]) -> None:
        """Start staging rows whose cells are these calls columns, in this order."""

    def add(self, batch: pa.RecordBatch) -> None:
        """Stage a batch of rows: an Arrow record batch of string columns named as ``begin``
        was told, in its order."""

    def overlap(self) -> tuple[int, int]:
        """(staged rows whose id is stored already, how many of them are stored identically)."""
        ...

    def minute_totals(self, skip_stored: bool) -> list[tuple[str, int, int]]:
        """(UTC minute 'YYYY-MM-DDTHH:MM', calls, started minutes) of the staged rows (those
        not stored yet when ``skip_stored``), by minute."""
        ...

    def insert_new(self, skip_stored: bool) -> int:
        """Write the staged rows as calls (leaving out the stored ones when ``skip_stored``);
        Conflict, and nothing written, when an id comes twice or a reference is missing."""
        ...

    def end(self) -> None:
        """Drop what was staged (always called, whether the rows were written or not)."""


class CallSnapshot(Protocol):
    """One consistent read of the calls (see :class:`CallBatches`): the span, the count and
    the rows it gives all come from the same state of the store."""

    def call_span(self) -> tuple[datetime, datetime] | None:
        """The first and last start of every call (``Queries.call_span``)."""
        ...

    def call_count_where(self, where: CallFilter) -> int: ...

    def call_batches(
        self, where: CallFilter, order: CallOrder, batch_rows: int
    ) -> Iterator[pa.RecordBatch]:
        """Every matching call in ``order`` (as ``Queries.call_chunks``), as Arrow record
        batches of about ``batch_rows`` rows with the columns id, type, triggered_by,
        trigger_source, candidate_id, campaign, number (text; the optional ids '' where
        there is none), started_at (int64 microseconds since the Unix epoch, UTC) and
        duration_seconds (int64)."""
        ...


@runtime_checkable
class CallBatches(Protocol):
    """The call log as Arrow record batches, for an export that builds its lines with no
    Python object per cell (PERFORMANCE.md B4), offered by a store as its unit of work's
    ``call_batches`` (None or absent where it has none: the export then reads
    ``Queries.call_chunks``). ``snapshot()`` opens one read transaction of its own, which
    never writes."""

    def snapshot(self) -> AbstractContextManager[CallSnapshot]: ...


class UnitOfWork(Protocol):
    account: AccountRepository
    versions: VersionRepository
    products: Collection[str, Product]
    commits: Collection[tuple[str | None, date], Commit]
    users: Collection[str, User]
    agents: Collection[tuple[str, date], AgentSeat]
    numbers: Collection[str, PhoneNumber]
    plans: Collection[str, Plan]
    apps: AppRepository
    conversations: Collection[str, Conversation]
    alerts: Collection[str, Alert]
    calls: Collection[str, Call]
    sms: Collection[str, Sms]
    interviews: Collection[str, Interview]
    recordings: Collection[str, Recording]
    storage: Collection[date, StorageSnapshot]
    invoices: Collection[str, Invoice]
    payments: Collection[str, Payment]
    payment_voids: Collection[str, PaymentVoid]
    credit_notes: Collection[str, CreditNote]
    bank_lines: Collection[str, BankLine]
    bank_line_dismissals: Collection[str, BankLineDismissal]
    units: BillingUnitRepository
    ledger: LedgerRepository
    audit: AuditRepository
    queries: Queries
    rollups: RollupRepository
    closing: ClosingRepository
    settings: SettingsRepository
    extension_requests: ExtensionRequestRepository

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class UnitOfWorkFactory(Protocol):
    """Opens units of work on one store; safe to call from any thread."""

    @property
    def description(self) -> str:
        """Where the store is, for the status bar ("Local store: /path/billing.db")."""
        ...

    def __call__(self, *, write: bool = False) -> UnitOfWork:
        """A unit of work; ``write=True`` for one that changes the store: it waits its turn
        behind another writer from its start (the store is busy past a bounded wait)."""
        ...


# What a write can change, as the operations of ``api.operations`` name it (their ``resource``).
RESOURCES: frozenset[str] = frozenset(
    {"workspace", "credits", "closing", "units", "plans", "records", "quotas"}
)
