"""Plans tab actions (PRODUCT §7, §9): eligibility, plan changes, funds, extensions, owners.

Every function takes the caller's unit of work (the caller commits once, so the change and its
audit row land together or not at all) and the acting user. Reading needs the right to view
Plans, changing needs the right to edit Plans, and shared-account users are refused outright —
even if their rights were somehow widened — because the Plans tab is hidden for them.

App funds: an app's balance is its own credit pool, ``app:<id>``. Adding funds raises the
balance and writes a ``purchase`` ledger row of the same amount in that pool (reference
``APP-nnnnnn``), so the ledger explains every balance; the billing engine draws only on the
``credits`` and commit pools, so app funds never pay account usage.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial

from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.errors import InvalidInput, NotFound, PermissionDenied
from billing_desktop.domain.metering import BILLING_SESSIONS
from billing_desktop.domain.model import (
    App,
    LedgerEntry,
    LedgerKind,
    Plan,
    Privilege,
    Role,
    User,
)
from billing_desktop.domain.money import credit_amount, format_money
from billing_desktop.domain.periods import Month, account_today
from billing_desktop.domain.plans import (
    Change,
    ExtensionRequest,
    PlanOption,
    check_extension,
    downgrade_due,
    peak_usage,
    period_end,
    plan_options,
    usage_months,
)
from billing_desktop.services.changes import changes
from billing_desktop.services.context import require_account
from billing_desktop.services.ledger import audit, next_reference
from billing_desktop.services.visibility import APP_POOL_PREFIX
from billing_desktop.store.ports import UnitOfWork

SHARED_REFUSAL = (
    "Plans are not available to shared-account users: ask an admin or a user with the "
    "Edit Billing access group."
)
FUNDS_PREFIX = "APP-"
OWNER_ROLES = (Role.ADMIN, Role.SUPERVISOR)


_audit = partial(audit, entity="app")  # the audit row of a change to one of these


def app_pool(app_id: str) -> str:
    """The ledger pool of an app's balance."""
    return f"{APP_POOL_PREFIX}{app_id}"


@dataclass(frozen=True, slots=True)
class Owner:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class AppPlans:
    """What the Manage dialog shows for one app."""

    app: App
    currency: str
    today: date
    plan: Plan | None
    pending_plan: Plan | None
    period_end: date
    usage: int  # highest monthly billing sessions of the last three full months
    usage_months: tuple[str, ...]
    options: tuple[PlanOption, ...]
    extensions: tuple[ExtensionRequest, ...]
    owner: Owner
    owners: tuple[Owner, ...]  # who may own an app
    can_edit: bool
    can_decide: bool = False  # may approve or reject extension requests (admins)


@dataclass(frozen=True, slots=True)
class PlanChangeResult:
    app: App
    change: Change
    takes_effect_on: date | None  # None: applied now

    def summary(self, names: dict[str, str]) -> str:
        if self.change == Change.DOWNGRADE and self.takes_effect_on is not None:
            target = names.get(self.app.pending_plan or "", self.app.pending_plan)
            return (
                f"Downgrade to {target} scheduled: it takes effect at the end of "
                f"{self.takes_effect_on.isoformat()}."
            )
        return f"Plan changed to {names.get(self.app.plan, self.app.plan)} now."


# Rights ----------------------------------------------------------------------------------


def _acting_user(uow: UnitOfWork, actor: Actor) -> User | None:
    if actor.user_id is None:
        return None
    return uow.users.get_many([actor.user_id]).get(actor.user_id)


def _require(uow: UnitOfWork, actor: Actor, level: Level, action: str) -> None:
    user = _acting_user(uow, actor)
    if user is not None and user.role == Role.SHARED:
        raise PermissionDenied(SHARED_REFUSAL)
    actor.rights.require(Area.PLANS, level, action)


def _app(uow: UnitOfWork, app_id: str) -> App:
    app = uow.apps.get_many([app_id]).get(app_id)
    if app is None:
        raise NotFound(f"app {app_id}: no such app in this workspace")
    return app


def _today(uow: UnitOfWork, today: date | None) -> date:
    return today or account_today(require_account(uow))


def app_usage(uow: UnitOfWork, app_id: str, today: date) -> int:
    """The app's highest monthly billing sessions over the last three full months."""
    totals = [
        uow.rollups.totals(m.first_day, m.last_day, app=app_id).get(BILLING_SESSIONS, Decimal(0))
        for m in usage_months(today)
    ]
    return peak_usage(totals)


def owner_candidates(uow: UnitOfWork) -> list[Owner]:
    """Users who may own an app: admins, supervisors and the Edit Billing access group."""
    return [
        Owner(u.id, u.name)
        for u in sorted(uow.users.all(), key=lambda u: (u.name.casefold(), u.id))
        if u.role in OWNER_ROLES or Privilege.EDIT_BILLING in u.access_groups
    ]


def _may_decide(uow: UnitOfWork, actor: Actor) -> bool:
    """Admins (and the owner of a store without users) decide on extension requests."""
    if not actor.rights.can_edit(Area.PLANS):
        return False
    user = _acting_user(uow, actor)
    return actor.user_id is None or (user is not None and user.role == Role.ADMIN)


def app_plans(uow: UnitOfWork, actor: Actor, app_id: str, today: date | None = None) -> AppPlans:
    """The app, its plan, its usage and the plans it may move to (Manage dialog)."""
    _require(uow, actor, Level.VIEW, "see plans")
    day = _today(uow, today)
    app = _app(uow, app_id)
    plans = uow.plans.all()
    by_code = {p.code: p for p in plans}
    usage = app_usage(uow, app_id, day)
    owner = uow.users.get_many([app.owner_user_id]).get(app.owner_user_id)
    return AppPlans(
        app=app,
        currency=require_account(uow).currency,
        today=day,
        plan=by_code.get(app.plan),
        pending_plan=by_code.get(app.pending_plan) if app.pending_plan else None,
        period_end=period_end(app, day),
        usage=usage,
        usage_months=tuple(str(m) for m in usage_months(day)),
        options=tuple(plan_options(plans, app.plan, usage)),
        extensions=tuple(uow.extension_requests.for_apps([app_id])),
        owner=Owner(app.owner_user_id, owner.name if owner else app.owner_user_id),
        owners=tuple(owner_candidates(uow)),
        can_edit=actor.rights.can_edit(Area.PLANS),
        can_decide=_may_decide(uow, actor),
    )


# Changing --------------------------------------------------------------------------------


def _state(app: App) -> dict[str, object]:
    return {
        "plan": app.plan,
        "pending_plan": app.pending_plan,
        "plan_ends_on": app.plan_ends_on.isoformat() if app.plan_ends_on else None,
    }


@changes("plans")
def change_plan(
    uow: UnitOfWork,
    actor: Actor,
    app_id: str,
    plan_code: str,
    today: date | None = None,
    now: datetime | None = None,
) -> PlanChangeResult:
    """Move the app to ``plan_code``: an upgrade applies now (and drops a pending downgrade),
    a downgrade is scheduled for the end of the plan period (applied by close-month)."""
    _require(uow, actor, Level.EDIT, "change plans")
    day = _today(uow, today)
    app = _app(uow, app_id)
    plans = uow.plans.all()
    option = next((o for o in plan_options(plans, app.plan, 0) if o.plan.code == plan_code), None)
    if option is None:
        raise NotFound(f"plan {plan_code}: no such plan in the catalogue")
    if option.current:
        if app.pending_plan is None:
            raise InvalidInput(f"{app.name} is already on {option.plan.name}")
        return cancel_downgrade(uow, actor, app_id, now=now)
    usage = app_usage(uow, app_id, day)
    target = option.plan
    if target.included_sessions < usage:
        raise InvalidInput(
            f"{app.name} is not eligible for {target.name}: needs {usage:,} sessions a month; "
            f"includes {target.included_sessions:,}"
        )
    if option.change == Change.UPGRADE:
        changed = dataclasses.replace(app, plan=target.code, pending_plan=None)
        effect: date | None = None
        action = "plan-upgrade"
    else:
        effect = period_end(app, day)
        changed = dataclasses.replace(app, pending_plan=target.code, plan_ends_on=effect)
        action = "plan-downgrade-scheduled"
    uow.apps.update(changed)
    _audit(uow, actor, action, app_id, _state(app), _state(changed), now)
    return PlanChangeResult(changed, option.change, effect)


@changes("plans")
def cancel_downgrade(
    uow: UnitOfWork, actor: Actor, app_id: str, now: datetime | None = None
) -> PlanChangeResult:
    """Drop the app's pending downgrade; it keeps its plan."""
    _require(uow, actor, Level.EDIT, "change plans")
    app = _app(uow, app_id)
    if app.pending_plan is None:
        raise InvalidInput(f"{app.name} has no pending downgrade to cancel")
    changed = dataclasses.replace(app, pending_plan=None)
    uow.apps.update(changed)
    _audit(uow, actor, "plan-downgrade-cancelled", app_id, _state(app), _state(changed), now)
    return PlanChangeResult(changed, Change.SAME, None)


@changes("plans")
def add_funds(
    uow: UnitOfWork,
    actor: Actor,
    app_id: str,
    amount: str | Decimal,
    today: date | None = None,
    now: datetime | None = None,
) -> App:
    """Add ``amount`` to the app's balance, with its ledger row (pool ``app:<id>``)."""
    _require(uow, actor, Level.EDIT, "add funds to apps")
    currency = require_account(uow).currency
    value = credit_amount(amount, currency, "the amount")
    day = _today(uow, today)
    app = _app(uow, app_id)
    changed = dataclasses.replace(app, balance=app.balance + value)
    reference = next_reference(uow, FUNDS_PREFIX)
    uow.apps.update(changed)
    uow.ledger.add_many(
        [
            LedgerEntry(
                occurred_on=day,
                kind=LedgerKind.PURCHASE,
                amount=value,
                reference=reference,
                description=f"Funds added to app {app.name}",
                pool=app_pool(app_id),
            )
        ]
    )
    _audit(
        uow,
        actor,
        "app-funds-added",
        app_id,
        {"balance": format_money(app.balance, currency)},
        {
            "balance": format_money(changed.balance, currency),
            "amount": format_money(value, currency),
            "reference": reference,
        },
        now,
    )
    return changed


@changes("plans")
def request_extension(
    uow: UnitOfWork,
    actor: Actor,
    app_id: str,
    reason: str,
    requested_end: date,
    today: date | None = None,
    now: datetime | None = None,
) -> ExtensionRequest:
    """Record a pending request to extend the app's plan period to ``requested_end``."""
    _require(uow, actor, Level.EDIT, "request plan extensions")
    day = _today(uow, today)
    text = check_extension(reason, requested_end, day)
    app = _app(uow, app_id)
    when = now or datetime.now(UTC)
    stored = uow.extension_requests.add(
        ExtensionRequest(app.id, text, requested_end, actor.audit_name, when)
    )
    _audit(
        uow,
        actor,
        "plan-extension-requested",
        app_id,
        None,
        {"id": stored.id, "requested_end": requested_end.isoformat(), "reason": text},
        when,
    )
    return stored


@changes("plans")
def change_owner(
    uow: UnitOfWork, actor: Actor, app_id: str, user_id: str, now: datetime | None = None
) -> App:
    """Give the app to ``user_id`` (an admin, a supervisor or an Edit Billing user)."""
    _require(uow, actor, Level.EDIT, "change app owners")
    app = _app(uow, app_id)
    if user_id not in {o.id for o in owner_candidates(uow)}:
        user = uow.users.get_many([user_id]).get(user_id)
        if user is None:
            raise NotFound(f"user {user_id}: no such user in this workspace")
        raise InvalidInput(
            f"{user.name} cannot own an app: owners are admins, supervisors or users with the "
            "Edit Billing access group"
        )
    if user_id == app.owner_user_id:
        raise InvalidInput(f"{app.name} is already owned by that user")
    changed = dataclasses.replace(app, owner_user_id=user_id)
    uow.apps.update(changed)
    _audit(
        uow, actor, "app-owner-changed", app_id,
        {"owner_user_id": app.owner_user_id}, {"owner_user_id": user_id}, now,
    )  # fmt: skip
    return changed


# Close-month hook ------------------------------------------------------------------------


def due_downgrades(apps: Iterable[App], month: Month) -> list[tuple[App, App]]:
    """The apps whose pending downgrade closing ``month`` applies: (as now, as after)."""
    due = []
    for app in apps:
        if downgrade_due(app, month):
            assert app.pending_plan is not None
            changed = dataclasses.replace(
                app, plan=app.pending_plan, pending_plan=None, plan_ends_on=None
            )
            due.append((app, changed))
    return due


def apply_due_downgrades(uow: UnitOfWork, actor: Actor, month: Month, now: datetime) -> list[App]:
    """Apply the pending downgrades whose plan period ends in or before ``month`` (called by
    close-month, inside its unit of work). The new plan's period is open-ended again."""
    applied = []
    for app, changed in due_downgrades(uow.apps.all(), month):
        uow.apps.update(changed)
        _audit(uow, actor, "plan-downgrade-applied", app.id, _state(app), _state(changed), now)
        applied.append(changed)
    return applied
