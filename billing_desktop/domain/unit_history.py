"""Billing-unit assignments with effective dates (issue 20 §5). Pure: no I/O, no Qt, no SQL.

The unit tables hold who is in which unit *now*. Every change made since the history began
(migration 0015) also leaves one :class:`MembershipChange` per member and unit it touched: "this
number joined (or left) that unit from this instant", with who recorded it and when.

How a month is read:

* The membership in force at an instant ``t`` is today's, with every recorded change that takes
  effect after ``t`` undone, latest first (:func:`units_at`). Assignments made before the
  history began have no change recorded: they are read as in force since the start of time.
* A change without a date takes effect from the start of the earliest open month (the month
  after the last closed one; the start of time when no month is closed) — or from the member's
  own latest change when that is later. So it re-allocates the open months as a drop always
  did, and never a closed month.
* A dated change takes effect from local midnight (the account's time zone) of its day. The day
  must lie in an open month, after every closed month, not after today, and not before the
  member's latest recorded change (a member's history is one timeline, so the unit tables are
  always its end).
* Records (calls, alerts) go to the membership in force when they happened; the month's
  recurring charges (agent seats, number rentals) go to the membership in force at the end of
  the month (now, for the running month).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise
from zoneinfo import ZoneInfo

from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.model import BillingUnit
from billing_desktop.domain.periods import Month, local_midnight

USER = "user"
NUMBER = "number"


@dataclass(frozen=True, slots=True)
class MembershipChange:
    """A member joined (``added``) or left a unit, in force from ``effective_from`` (None: from
    the start of time)."""

    unit_id: int
    unit_name: str
    kind: str  # USER or NUMBER
    member: str  # a user id or a phone number
    added: bool
    effective_from: datetime | None
    recorded_at: datetime | None = None
    actor: str = ""
    id: int = 0  # the order changes were recorded in (0 until stored)


def _key(change: MembershipChange) -> tuple[str, str]:
    return change.kind, change.member


def latest_effective(
    changes: Iterable[MembershipChange],
) -> dict[tuple[str, str], datetime]:
    """Each member's latest effective instant among ``changes`` (start-of-time ones left out)."""
    latest: dict[tuple[str, str], datetime] = {}
    for change in changes:
        if change.effective_from is None:
            continue
        key = _key(change)
        if key not in latest or change.effective_from > latest[key]:
            latest[key] = change.effective_from
    return latest


def undated_start(closed: Iterable[Month], zone: ZoneInfo) -> datetime | None:
    """Where a change without a date takes effect: the start of the month after the last closed
    month, or None (the start of time) when no month is closed."""
    last = max(closed, default=None)
    return None if last is None else last.plus(1).bounds(zone)[0]


def dated_start(day: date, today: date, closed: Iterable[Month], zone: ZoneInfo) -> datetime:
    """The instant a change "from ``day``" takes effect, or InvalidInput (one line) when the day
    is in or before a closed month, or after today."""
    closed = list(closed)
    month = Month.of(day)
    if closed and month <= max(closed):
        first_open = max(closed).plus(1).first_day
        why = f"{month} is closed" if month in closed else f"{max(closed)} is closed"
        raise InvalidInput(
            f"from {day}: {why}; closed months are never re-allocated, "
            f"give a date from {first_open} on"
        )
    if day > today:
        raise InvalidInput(f"from {day}: that is after today ({today}); give today or earlier")
    return local_midnight(day, zone)


def check_timeline(
    members: Iterable[tuple[str, str]],
    effective: datetime | None,
    latest: dict[tuple[str, str], datetime],
    day: date | None,
) -> None:
    """A dated change may not start before a member's latest recorded change."""
    if effective is None or day is None:
        return
    for key in members:
        if key in latest and latest[key] > effective:
            kind, member = key
            raise InvalidInput(
                f"from {day}: {kind} {member} has a change from "
                f"{latest[key].date()} already; give that date or a later one"
            )


def effective_for(
    key: tuple[str, str], effective: datetime | None, latest: dict[tuple[str, str], datetime]
) -> datetime | None:
    """A change's instant for one member: never before the member's latest recorded change."""
    last = latest.get(key)
    if last is None:
        return effective
    if effective is None or last > effective:
        return last
    return effective


def membership_diff(
    before: Sequence[BillingUnit],
    after: Sequence[BillingUnit],
) -> list[tuple[int, str, str, str, bool]]:
    """(unit id, unit name, kind, member, added) for every member that joined or left a unit
    between ``before`` and ``after`` (a unit missing on one side has no members there)."""
    old = {u.id: u for u in before}
    new = {u.id: u for u in after}
    out: list[tuple[int, str, str, str, bool]] = []
    for unit_id in sorted({*old, *new}):
        was = old.get(unit_id)
        now = new.get(unit_id)
        name = (now or was).name  # type: ignore[union-attr]
        for kind, members_was, members_now in (
            (USER, set(was.user_ids) if was else set(), set(now.user_ids) if now else set()),
            (NUMBER, set(was.numbers) if was else set(), set(now.numbers) if now else set()),
        ):
            out.extend((unit_id, name, kind, m, False) for m in sorted(members_was - members_now))
            out.extend((unit_id, name, kind, m, True) for m in sorted(members_now - members_was))
    return out


def units_at(
    now: Sequence[BillingUnit], changes: Sequence[MembershipChange], at: datetime
) -> tuple[BillingUnit, ...]:
    """The units as they were at instant ``at``: ``now`` with every change in force only after
    ``at`` undone, latest recorded first. A unit deleted since comes back (with the name it had)
    when it had members at ``at``; a unit with no members at ``at`` that exists now stays."""
    users: dict[int, set[str]] = {u.id: set(u.user_ids) for u in now}
    numbers: dict[int, set[str]] = {u.id: set(u.numbers) for u in now}
    names: dict[int, str] = {u.id: u.name for u in now}
    for change in sorted(changes, key=lambda c: c.id, reverse=True):
        if change.effective_from is None or change.effective_from <= at:
            continue
        bucket = (users if change.kind == USER else numbers).setdefault(change.unit_id, set())
        names.setdefault(change.unit_id, change.unit_name)
        if change.added:
            bucket.discard(change.member)
        else:
            bucket.add(change.member)
    current = {u.id for u in now}
    return tuple(
        BillingUnit(
            unit_id,
            names[unit_id],
            tuple(sorted(users.get(unit_id, ()))),
            tuple(sorted(numbers.get(unit_id, ()))),
        )
        for unit_id in sorted(names)
        if unit_id in current or users.get(unit_id) or numbers.get(unit_id)
    )


def segments(
    start: datetime, end: datetime, changes: Sequence[MembershipChange]
) -> list[tuple[datetime, datetime]]:
    """[start, end) cut at every instant inside it where a change takes effect."""
    cuts = sorted(
        {
            c.effective_from
            for c in changes
            if c.effective_from is not None and start < c.effective_from < end
        }
    )
    bounds = [start, *cuts, end]
    return list(pairwise(bounds))
