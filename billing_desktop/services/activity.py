"""The activity report (issue 18 §4): who changed what, when and from where, read from the
audit log page by page in SQL, and the check of its tamper-evident chain.

Every write adds audit rows (``services.ledger.audit``, imports, the month close, the API
server's own row per request). This module only reads them: filtered by local days in the
account's time zone, user, kind of change (the row's action) and object (its entity and id),
newest first. The before and after of a row become one readable line ("name: Sales → Sales
EU"). The chain (``domain.audit_chain``) is walked in chain order; the first row whose hash
does not follow names where the log was changed.

Plan data stays with those who see Plans (``services.visibility``): for anyone else the rows
about apps and plans (entity ``app``, imports of apps and plans, the server's rows for the
``plans`` resource) are left out of every page, count, choice and export, in SQL.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.audit_chain import GENESIS, link
from billing_desktop.domain.errors import InvalidInput
from billing_desktop.services.overview import account_zone
from billing_desktop.services.task_state import TaskState
from billing_desktop.services.visibility import sees_plans
from billing_desktop.store.ports import AuditQuery, AuditRow, UnitOfWork

# Where a change was made: the audit row's origin, as the report names it.
SOURCES = {
    "desktop/local": "Desktop",
    "api": "Server",
    "import": "Import",
    "sync": "Sync",
}
# The rows that are plan data (PRODUCT §9): (entity, entity id or None for any id). The demo
# workspace's row counts the apps and plans it made, so it is one of them.
PLAN_ROWS: tuple[tuple[str, str | None], ...] = (
    ("workspace", None),
    ("app", None),
    ("apps", None),
    ("plans", None),
    ("resource", "plans"),
)
ARROW = " → "
MAX_PAGE = 5000
CHAIN_CHUNK = 2000
HEADER = ("When", "User", "Source", "Kind of change", "Object", "Change")


def source_label(origin: str) -> str:
    return SOURCES.get(origin, origin)


def _require(actor: Actor) -> None:
    actor.rights.require(Area.USAGE, Level.EDIT, "see the activity report")


@dataclass(frozen=True, slots=True)
class ActivityQuery:
    """The report as asked for: local days ``first``..``last`` (inclusive, account's zone),
    one user id, one kind of change (an action), one object (entity, and optionally its id)."""

    first: date | None = None
    last: date | None = None
    user: str | None = None
    kind: str | None = None
    entity: str | None = None
    entity_id: str | None = None

    def __post_init__(self) -> None:
        if self.first is not None and self.last is not None and self.last < self.first:
            raise InvalidInput(f"the range ends ({self.last}) before it starts ({self.first})")


@dataclass(frozen=True, slots=True)
class ActivityLine:
    """One audit row as the report shows it (time in the account's zone)."""

    id: int
    at: datetime
    user: str  # the user id (or the name of the store's owner)
    user_name: str
    source: str  # Desktop, Server, Import, Sync
    kind: str  # the action
    entity: str
    entity_id: str
    change: str  # the readable before → after
    chained: bool

    @property
    def object(self) -> str:
        return f"{self.entity} {self.entity_id}".strip()

    def cells(self) -> tuple[str, ...]:
        """The row of :data:`HEADER` (exports)."""
        return (
            self.at.isoformat(timespec="seconds"),
            self.user_label,
            self.source,
            self.kind,
            self.object,
            self.change,
        )

    @property
    def user_label(self) -> str:
        return self.user if self.user_name in ("", self.user) else f"{self.user_name} ({self.user})"


@dataclass(frozen=True, slots=True)
class ActivityChoices:
    """What the filters offer: users (id, name), kinds of change and objects seen in the log."""

    users: tuple[tuple[str, str], ...]
    kinds: tuple[str, ...]
    entities: tuple[str, ...]
    zone: str
    span: tuple[date, date] | None


@dataclass(frozen=True, slots=True)
class ActivityStart:
    total: int
    rows: tuple[ActivityLine, ...]
    choices: ActivityChoices


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The result of walking the chain: how many rows, and the first that breaks it."""

    rows: int
    broken_id: int | None = None
    broken_seq: int | None = None
    reason: str = ""

    @property
    def verified(self) -> bool:
        return self.broken_id is None and not self.reason

    def summary(self) -> str:
        if self.verified:
            noun = "row" if self.rows == 1 else "rows"
            return f"chain verified: {self.rows} audit {noun}, none changed"
        return f"chain broken at audit row {self.broken_id}: {self.reason}"

    def as_json(self) -> dict[str, object]:
        return {
            "verified": self.verified,
            "rows": self.rows,
            "broken_row": self.broken_id,
            "broken_seq": self.broken_seq,
            "reason": self.reason,
        }


def filters_text(query: ActivityQuery) -> str:
    """The filters in words ("from 2026-10-01 to 2026-10-31, user u001"), for a saved file."""
    parts = []
    if query.first is not None or query.last is not None:
        parts.append(f"from {query.first or 'the start'} to {query.last or 'today'}")
    if query.user:
        parts.append(f"user {query.user}")
    if query.kind:
        parts.append(f"kind {query.kind}")
    if query.entity:
        parts.append(f"object {query.entity} {query.entity_id or ''}".rstrip())
    return ", ".join(parts) if parts else "all activity"


def line_json(line: ActivityLine) -> dict[str, object]:
    """One row of ``activity --json``."""
    return {
        "id": line.id,
        "at": line.at.isoformat(),
        "user": line.user,
        "user_name": line.user_name,
        "source": line.source,
        "kind": line.kind,
        "object": {"kind": line.entity, "id": line.entity_id},
        "change": line.change,
        "chained": line.chained,
    }


# Readable changes ------------------------------------------------------------------------


def _value(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value if value else "''"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


def describe_change(before: Mapping[str, object] | None, after: Mapping[str, object] | None) -> str:
    """One readable line for a row's before and after: the fields in both that changed as
    ``field: old → new``; a field only the after has (a detail such as ``added_users``) as
    ``field: value`` and one only the before has as ``field: old → —`` (empty ones left out);
    a new record's fields (``field: value``) when there was no before; "removed (…)" when
    there is no after."""
    if before is None and after is None:
        return ""
    if before is None:
        assert after is not None
        return "; ".join(f"{k}: {_value(v)}" for k, v in after.items())
    if after is None:
        return "removed (" + "; ".join(f"{k}: {_value(v)}" for k, v in before.items()) + ")"
    parts = []
    for key in list(before) + [k for k in after if k not in before]:
        old, new = before.get(key), after.get(key)
        if key in before and key in after:
            if old != new:
                parts.append(f"{key}: {_value(old)}{ARROW}{_value(new)}")
        elif key in after:
            if new not in (None, [], {}, ""):  # a detail of the change ("added_users")
                parts.append(f"{key}: {_value(new)}")
        elif old not in (None, [], {}, ""):
            parts.append(f"{key}: {_value(old)}{ARROW}—")
    return "; ".join(parts) if parts else "no change"


# Queries ---------------------------------------------------------------------------------


def _day_start(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(), zone).astimezone(UTC)


def store_query(actor: Actor, query: ActivityQuery, zone: tzinfo) -> AuditQuery:
    """The store's query for ``query`` as ``actor`` may see it."""
    return AuditQuery(
        start=None if query.first is None else _day_start(query.first, zone),
        end=None if query.last is None else _day_start(query.last + timedelta(days=1), zone),
        actor=query.user,
        action=query.kind,
        entity=query.entity,
        entity_id=query.entity_id,
        hidden=() if sees_plans(actor) else PLAN_ROWS,
    )


def _names(uow: UnitOfWork) -> dict[str, str]:
    return {user.id: user.name for user in uow.users.all()}


def _line(row: AuditRow, zone: tzinfo, names: Mapping[str, str]) -> ActivityLine:
    entry = row.entry
    return ActivityLine(
        id=row.id,
        at=entry.at.astimezone(zone),
        user=entry.actor,
        user_name=names.get(entry.actor, entry.actor),
        source=source_label(entry.origin),
        kind=entry.action,
        entity=entry.entity,
        entity_id=entry.entity_id,
        change=describe_change(entry.before, entry.after),
        chained=row.seq is not None,
    )


def activity_count(uow: UnitOfWork, actor: Actor, query: ActivityQuery) -> int:
    _require(actor)
    zone = account_zone(uow.account.get())
    return uow.audit.count(store_query(actor, query, zone))


def activity_page(
    uow: UnitOfWork, actor: Actor, query: ActivityQuery, offset: int, limit: int
) -> list[ActivityLine]:
    """``limit`` rows (at most 5,000) from ``offset``, newest first."""
    _require(actor)
    zone = account_zone(uow.account.get())
    rows = uow.audit.page(store_query(actor, query, zone), offset, min(max(limit, 0), MAX_PAGE))
    names = _names(uow)
    return [_line(row, zone, names) for row in rows]


def activity_choices(uow: UnitOfWork, actor: Actor) -> ActivityChoices:
    """The users, kinds of change and objects the actor's log holds (for the filters)."""
    _require(actor)
    zone = account_zone(uow.account.get())
    everything = store_query(actor, ActivityQuery(), zone)
    names = _names(uow)
    users = tuple((u, names.get(u, u)) for u in uow.audit.distinct("actor", everything))
    instants = uow.audit.span(everything)
    span = None
    if instants is not None:
        span = (instants[0].astimezone(zone).date(), instants[1].astimezone(zone).date())
    return ActivityChoices(
        users=users,
        kinds=tuple(uow.audit.distinct("action", everything)),
        entities=tuple(uow.audit.distinct("entity", everything)),
        zone=str(getattr(zone, "key", zone)),
        span=span,
    )


def activity_start(
    uow: UnitOfWork, actor: Actor, query: ActivityQuery, limit: int
) -> ActivityStart:
    """The count, the first page and the filter choices, in one read."""
    return ActivityStart(
        total=activity_count(uow, actor, query),
        rows=tuple(activity_page(uow, actor, query, 0, limit)),
        choices=activity_choices(uow, actor),
    )


# read_page(offset, limit): a page of the report, from a local or a remote store.
PageReader = Callable[[int, int], Sequence[ActivityLine]]


def all_lines(
    read_page: PageReader, total: int, state: TaskState | None = None, chunk: int = 1000
) -> Iterator[Sequence[ActivityLine]]:
    """Every line of a query, chunk by chunk, through ``read_page(offset, limit)`` (a local or
    remote store's :func:`activity_page`); ``state`` hears progress and may cancel."""
    done = 0
    while done < total:
        if state is not None:
            state.check("the export")
        lines = read_page(done, chunk)
        if not lines:
            break
        done += len(lines)
        if state is not None:
            state.progress(done / total if total else 1.0, f"{done:,} of {total:,} rows")
        yield lines


# The chain -------------------------------------------------------------------------------


def verify_audit_chain(uow: UnitOfWork, actor: Actor) -> ChainReport:
    """Walk the whole chain: every row's hash must be the SHA-256 of the previous row's hash
    and its own content, and the places must run 1, 2, 3 … without a gap."""
    _require(actor)
    previous, expected_seq, rows = GENESIS, 1, 0
    while True:
        links = uow.audit.chain(expected_seq - 1, CHAIN_CHUNK)
        if not links:
            break
        for chained in links:
            if chained.seq != expected_seq:
                return ChainReport(
                    rows,
                    chained.id,
                    chained.seq,
                    f"row {expected_seq} of the chain is missing (removed); the next is "
                    f"number {chained.seq}",
                )
            if chained.hash != link(previous, chained.content):
                return ChainReport(
                    rows,
                    chained.id,
                    chained.seq,
                    "its content or its place does not match its hash (changed after it was "
                    "written)",
                )
            previous = chained.hash
            expected_seq += 1
            rows += 1
    loose = uow.audit.unsealed()
    if loose:
        return ChainReport(
            rows, loose[0].id, None, "it is not in the chain (added outside Billing Desktop)"
        )
    return ChainReport(rows)


__all__ = [
    "HEADER",
    "PLAN_ROWS",
    "SOURCES",
    "ActivityChoices",
    "ActivityLine",
    "ActivityQuery",
    "ActivityStart",
    "ChainReport",
    "activity_choices",
    "activity_count",
    "activity_page",
    "activity_start",
    "all_lines",
    "describe_change",
    "filters_text",
    "line_json",
    "source_label",
    "store_query",
    "verify_audit_chain",
]
