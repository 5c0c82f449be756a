"""Plan rules of the Plans tab (PRODUCT §7): eligibility, upgrade/downgrade timing, notices.

An app's usage is its highest monthly total of billing sessions over the last three full
months; a plan is eligible when it includes at least that many sessions. An upgrade (a plan
of higher rank) applies at once; a downgrade waits for the end of the plan period
(``plan_ends_on``, or the end of the current month when the app has none) and is applied by
closing the month in which that period ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.model import App, Plan
from billing_desktop.domain.periods import Month

USAGE_MONTHS = 3
NOTICE_DAYS = 30
MAX_REASON = 500
MAX_EXTENSION_DAYS = 365
PENDING = "pending"
APPROVED = "approved"
REJECTED = "rejected"


class Change(StrEnum):
    SAME = "same"
    UPGRADE = "upgrade"
    DOWNGRADE = "downgrade"


@dataclass(frozen=True, slots=True)
class ExtensionRequest:
    """A request to extend an app's plan period, recorded for the account team."""

    app: str
    reason: str
    requested_end: date
    requested_by: str
    requested_at: datetime
    status: str = PENDING
    id: int | None = None
    # The admin's decision (issue 19 §6): who, when, the end date granted, or why not.
    decided_by: str | None = None
    decided_at: datetime | None = None
    granted_end: date | None = None
    decision_note: str = ""


@dataclass(frozen=True, slots=True)
class PlanOption:
    """One plan of the catalogue as seen from one app."""

    plan: Plan
    change: Change
    eligible: bool
    reason: str  # why not eligible ("" when eligible)

    @property
    def current(self) -> bool:
        return self.change == Change.SAME


def usage_months(today: date, count: int = USAGE_MONTHS) -> list[Month]:
    """The last ``count`` full months before ``today``'s month, oldest first."""
    current = Month.of(today)
    return [current.plus(-n) for n in range(count, 0, -1)]


def peak_usage(monthly_sessions: Sequence[Decimal | int]) -> int:
    """The highest monthly total (0 without data), rounded up to whole sessions."""
    if not monthly_sessions:
        return 0
    peak = max(Decimal(v) for v in monthly_sessions)
    return int(peak.to_integral_value(rounding="ROUND_CEILING")) if peak > 0 else 0


def change_between(current: Plan | None, target: Plan) -> Change:
    if current is None or target.code == current.code:
        return Change.SAME if current is not None else Change.UPGRADE
    if target.rank > current.rank:
        return Change.UPGRADE
    if target.rank < current.rank:
        return Change.DOWNGRADE
    return (
        Change.UPGRADE
        if target.included_sessions >= current.included_sessions
        else Change.DOWNGRADE
    )


def ineligibility(plan: Plan, usage: int) -> str:
    """Why ``plan`` cannot carry ``usage`` sessions a month ("" when it can)."""
    if plan.included_sessions >= usage:
        return ""
    return f"needs {usage:,} sessions a month; includes {plan.included_sessions:,}"


def plan_options(plans: Sequence[Plan], current_code: str, usage: int) -> list[PlanOption]:
    """Every plan, by rank, with whether the app may move to it. The current plan is always
    listed as eligible-to-keep (it is what the app has)."""
    by_code = {p.code: p for p in plans}
    current = by_code.get(current_code)
    options = []
    for plan in sorted(plans, key=lambda p: (p.rank, p.code)):
        change = change_between(current, plan)
        reason = "" if change == Change.SAME else ineligibility(plan, usage)
        options.append(PlanOption(plan, change, not reason, reason))
    return options


def period_end(app: App, today: date) -> date:
    """When the app's current plan period ends: ``plan_ends_on``, else the end of the month."""
    if app.plan_ends_on is not None:
        return app.plan_ends_on
    return Month.of(today).last_day


def downgrade_due(app: App, month: Month) -> bool:
    """True when closing ``month`` ends the period a pending downgrade waits for."""
    return (
        app.pending_plan is not None
        and app.plan_ends_on is not None
        and app.plan_ends_on <= month.last_day
    )


def notices(
    app: App,
    today: date,
    plan_names: dict[str, str] | None = None,
    extensions: Sequence[ExtensionRequest] = (),
) -> list[str]:
    """What the information icon says about ``app`` (empty: no icon)."""
    names = plan_names or {}
    found: list[str] = []
    if app.pending_plan is not None:
        target = names.get(app.pending_plan, app.pending_plan)
        when = period_end(app, today).isoformat()
        found.append(f"Downgrade to {target} pending: takes effect at the end of {when}.")
    if (
        app.plan_ends_on is not None
        and app.pending_plan is None
        and today <= app.plan_ends_on <= today + timedelta(days=NOTICE_DAYS)
    ):
        days = (app.plan_ends_on - today).days
        in_days = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
        found.append(f"Plan expires on {app.plan_ends_on.isoformat()} ({in_days}).")
    for request in extensions:
        if request.status == PENDING:
            found.append(
                f"Extension to {request.requested_end.isoformat()} requested "
                f"{request.requested_at.date().isoformat()}: pending."
            )
    decided = [r for r in extensions if r.status != PENDING and r.decided_at is not None]
    if decided:  # the latest decision, for as long as the notice window lasts
        latest = max(decided, key=lambda r: (r.decided_at or r.requested_at, r.id or 0))
        assert latest.decided_at is not None
        on = latest.decided_at.date()
        if on + timedelta(days=NOTICE_DAYS) >= today:
            if latest.status == APPROVED and latest.granted_end is not None:
                found.append(
                    f"Extension approved on {on.isoformat()}: the plan runs to "
                    f"{latest.granted_end.isoformat()}."
                )
            elif latest.status == REJECTED:
                found.append(
                    f"Extension to {latest.requested_end.isoformat()} rejected on "
                    f"{on.isoformat()}: {latest.decision_note}"
                )
    return found


def check_extension(reason: str, requested_end: date, today: date) -> str:
    """The reason, trimmed, if the request is acceptable; raises InvalidInput otherwise."""
    text = reason.strip()
    if not text:
        raise InvalidInput("give a reason for the extension")
    if len(text) > MAX_REASON:
        raise InvalidInput(
            f"the reason is {len(text):,} characters long; at most {MAX_REASON} are allowed"
        )
    if requested_end <= today:
        raise InvalidInput(
            f"the requested end date must be after today ({today.isoformat()}); "
            f"{requested_end.isoformat()} is not"
        )
    latest = today + timedelta(days=MAX_EXTENSION_DAYS)
    if requested_end > latest:
        raise InvalidInput(
            f"the requested end date must be within a year (by {latest.isoformat()}); "
            f"{requested_end.isoformat()} is too far"
        )
    return text
