"""The history of unit membership (issue 20 §5): what each change to the unit tables records,
and from which instant it takes effect (the rules are in ``domain.unit_history``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.model import BillingUnit
from billing_desktop.domain.periods import Month
from billing_desktop.domain.unit_history import (
    MembershipChange,
    check_timeline,
    dated_start,
    effective_for,
    latest_effective,
    membership_diff,
    undated_start,
)
from billing_desktop.store.ports import UnitOfWork


def _zone(uow: UnitOfWork) -> ZoneInfo:
    account = uow.account.get()
    return ZoneInfo(account.timezone) if account is not None else ZoneInfo("UTC")


def check_from(uow: UnitOfWork, from_date: date | None, today: date | None = None) -> None:
    """InvalidInput (one line) when changes "from ``from_date``" are not allowed."""
    if from_date is None:
        return
    zone = _zone(uow)
    closed = [Month.of(c.month) for c in uow.closing.all()]
    dated_start(from_date, today or datetime.now(UTC).astimezone(zone).date(), closed, zone)


def plan_changes(
    uow: UnitOfWork,
    actor: Actor,
    before: Sequence[BillingUnit],
    after: Sequence[BillingUnit],
    from_date: date | None,
    today: date | None = None,
    now: datetime | None = None,
) -> list[MembershipChange]:
    """The history rows of going from ``before`` to ``after`` (only the units that changed need
    be given), each with its effective instant; InvalidInput and nothing planned when the date
    is not allowed (closed month, future, before a member's latest change)."""
    diff = membership_diff(before, after)
    if not diff:
        return []
    zone = _zone(uow)
    closed = [Month.of(c.month) for c in uow.closing.all()]
    latest = latest_effective(uow.units.history())
    if from_date is None:
        effective = undated_start(closed, zone)
    else:
        today = today or datetime.now(UTC).astimezone(zone).date()
        effective = dated_start(from_date, today, closed, zone)
        check_timeline(
            [(kind, member) for _u, _n, kind, member, _a in diff], effective, latest, from_date
        )
    at = now or datetime.now(UTC)
    return [
        MembershipChange(
            unit_id,
            name,
            kind,
            member,
            added,
            effective_for((kind, member), effective, latest),
            at,
            actor.audit_name,
        )
        for unit_id, name, kind, member, added in diff
    ]


def record_changes(
    uow: UnitOfWork,
    actor: Actor,
    before: Sequence[BillingUnit],
    after: Sequence[BillingUnit],
    from_date: date | None,
    today: date | None = None,
) -> list[MembershipChange]:
    """Plan and append the history rows of a change already made to the unit tables."""
    changes = plan_changes(uow, actor, before, after, from_date, today)
    uow.units.record(changes)
    return changes


def membership_history(uow: UnitOfWork, actor: Actor) -> tuple[MembershipChange, ...]:
    """Every recorded change to unit membership, oldest first: who joined or left which unit,
    from which instant, recorded when and by whom (``units history``)."""
    actor.rights.require(Area.BILLING_UNITS, Level.VIEW, "see billing units")
    return tuple(uow.units.history())
