"""What an assignment would do to the units cost report, before it is saved (issue 20 §5).

The preview plans the assignment exactly as :func:`services.units.assign` will make it (the same
checks, the same history rows with the same effective instants) and computes the cost report
of every month it affects twice: as the store is, and with the planned membership and history.
Nothing is written. The months shown run from the month the change takes effect in (the first
open month for a change without a date) to the current month, the latest 12 at most; a closed
month is never among them, as no change reaches into one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from billing_desktop.domain.access import Actor
from billing_desktop.domain.model import BillingUnit
from billing_desktop.domain.money import format_amount
from billing_desktop.domain.periods import Month
from billing_desktop.domain.unit_history import MembershipChange
from billing_desktop.services.billing import BillingEngine
from billing_desktop.services.units.commands import Assignment, plan_assign
from billing_desktop.services.units.common import _require_view
from billing_desktop.services.units.history import check_from, plan_changes
from billing_desktop.services.units.report import UnitReport, _report
from billing_desktop.store.ports import UnitOfWork

MAX_MONTHS = 12


@dataclass(frozen=True, slots=True)
class PreviewRow:
    """One unit's cost in one month, before and after the change (None: the Unassigned row)."""

    unit_id: int | None
    name: str
    before: Decimal
    after: Decimal

    @property
    def change(self) -> Decimal:
        return self.after - self.before


@dataclass(frozen=True, slots=True)
class MonthPreview:
    month: Month
    rows: tuple[PreviewRow, ...]
    total: Decimal  # the month's total: the same before and after

    @property
    def changed(self) -> bool:
        return any(row.change for row in self.rows)


@dataclass(frozen=True, slots=True)
class AssignmentPreview:
    change: Assignment
    effective_from: datetime | None  # None: from the start of time (no month is closed)
    currency: str
    basis: str
    months: tuple[MonthPreview, ...]  # oldest first

    def as_json(self) -> dict[str, object]:
        """The shape of ``units assign --preview --json``."""

        def money(amount: Decimal) -> str:
            return format_amount(amount, self.currency)

        return {
            "change": self.change.describe(),
            "from": str(self.change.from_date) if self.change.from_date else None,
            "effective_from": self.effective_from.isoformat() if self.effective_from else None,
            "currency": self.currency,
            "basis": self.basis,
            "months": [
                {
                    "month": str(m.month),
                    "total": money(m.total),
                    "units": [
                        {
                            "name": row.name,
                            "unassigned": row.unit_id is None,
                            "before": money(row.before),
                            "after": money(row.after),
                            "change": money(row.change),
                        }
                        for row in m.rows
                    ],
                }
                for m in self.months
            ],
        }


def _compare(before: UnitReport, after: UnitReport) -> MonthPreview:
    old = {row.unit_id: row for row in before.rows}
    new = {row.unit_id: row for row in after.rows}
    keys = [row.unit_id for row in after.rows]
    keys += [row.unit_id for row in before.rows if row.unit_id not in new]
    rows = []
    for key in keys:
        was = old.get(key)
        now = new.get(key)
        name = (now or was).name  # type: ignore[union-attr]
        rows.append(
            PreviewRow(
                key,
                name,
                was.total if was else Decimal(0),
                now.total if now else Decimal(0),
            )
        )
    # The Unassigned row last, as in the report.
    rows.sort(key=lambda r: r.unit_id is None)
    return MonthPreview(after.month, tuple(rows), after.total)


def _numbered(
    history: Sequence[MembershipChange], new: Sequence[MembershipChange]
) -> list[MembershipChange]:
    first = max((c.id for c in history), default=0) + 1
    return [
        MembershipChange(
            c.unit_id,
            c.unit_name,
            c.kind,
            c.member,
            c.added,
            c.effective_from,
            c.recorded_at,
            c.actor,
            first + i,
        )
        for i, c in enumerate(new)
    ]


def preview_assignment(
    uow: UnitOfWork,
    actor: Actor,
    unit_id: int,
    user_ids: Sequence[str] = (),
    teams: Sequence[str] = (),
    numbers: Sequence[str] = (),
    move: bool = False,
    from_date: date | None = None,
    today: date | None = None,
    basis: str = "list",
    move_users: bool = False,
) -> AssignmentPreview:
    """The cost report of each affected month before → after ``assign(...)`` with the same
    arguments; refused as the assignment itself would be (closed month, held number, …). Who
    may see the units report may see this: it writes nothing."""
    _require_view(actor)
    check_from(uow, from_date, today)
    plan = plan_assign(uow, unit_id, user_ids, teams, numbers, move, from_date, move_users)
    engine = BillingEngine(uow, today)
    currency = engine.account.currency
    if not plan.after:
        return AssignmentPreview(plan.change, None, currency, basis, ())
    history = uow.units.history()
    planned = _numbered(
        history, plan_changes(uow, actor, plan.before, plan.after, from_date, today)
    )
    changed = {u.id: u for u in plan.after}
    units_after: list[BillingUnit] = [changed.get(u.id, u) for u in uow.units.all()]
    current = engine.current_month
    first = engine.first_open_month(current)
    starts = [c.effective_from for c in planned]
    if all(s is not None for s in starts):
        first = max(first, min(Month.of(s.astimezone(engine.zone)) for s in starts if s))
    first = max(first, current.plus(1 - MAX_MONTHS))
    months = []
    month = first
    while month <= current:
        before = _report(uow, month, today, basis)
        after = _report(uow, month, today, basis, (units_after, [*history, *planned]))
        months.append(_compare(before, after))
        month = month.plus(1)
    effective = min((s for s in starts if s is not None), default=None)
    return AssignmentPreview(plan.change, effective, currency, basis, tuple(months))
