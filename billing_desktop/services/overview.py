"""Read services behind the main window and its tabs (PRODUCT §5–§9).

Each function takes an open unit of work and the acting user, checks the actor's rights, and
returns plain dataclasses (never ORM rows), so the GUI can call them on a worker thread and
hand the results to the GUI thread. Display formatting (currency symbols, alignment) is left to
the views; times are converted to the account's time zone here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.model import Account, AppStatus, Role
from billing_desktop.domain.plans import notices as plan_notices
from billing_desktop.domain.plans import period_end
from billing_desktop.services.context import OWNER_NAME, is_empty, resolve_actor
from billing_desktop.store.ports import CallRow, UnitOfWork, UnitSummary

ROLE_TITLES = {
    Role.ADMIN: "Admin",
    Role.SUPERVISOR: "Supervisor",
    Role.SHARED: "Shared account",
    Role.AGENT: "Agent",
}

ENTERPRISE_INVOICES = (
    "Invoices are not listed here for accounts on the Enterprise plan: Enterprise billing "
    "follows your contract, and your account team sends the invoices directly."
)


@dataclass(frozen=True, slots=True)
class Workspace:
    """Who is acting on which workspace, and which tabs they may see."""

    actor: Actor
    account: Account | None
    empty: bool
    areas: tuple[Area, ...]
    user_label: str

    @property
    def currency(self) -> str | None:
        return self.account.currency if self.account else None


@dataclass(frozen=True, slots=True)
class AppRow:
    """An app (virtual agent) with its plan, as the Plans tab lists it."""

    id: str
    name: str
    owner_name: str
    plan_name: str
    status: AppStatus
    balance: Decimal
    plan_ends_on: date | None
    pending_plan_name: str | None
    # What the information icon says (pending downgrade, plan expiring within 30 days, pending
    # extension request); empty: no icon.
    notices: tuple[str, ...] = ()
    owner_user_id: str = ""
    plan: str = ""


def account_zone(account: Account | None) -> tzinfo:
    """The account's time zone (UTC when there is no account or the zone is unknown)."""
    if account is None:
        return UTC
    try:
        return ZoneInfo(account.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def month_start(day: date) -> date:
    return day.replace(day=1)


def current_month(account: Account | None, now: datetime | None = None) -> date:
    """The first day of the month it is now in the account's time zone."""
    instant = now or datetime.now(UTC)
    return month_start(instant.astimezone(account_zone(account)).date())


def recent_months(
    account: Account | None, count: int = 12, now: datetime | None = None
) -> list[date]:
    """The last ``count`` months (first days), the current one first."""
    months = [current_month(account, now)]
    while len(months) < count:
        previous = months[-1]
        months.append(date(previous.year - (previous.month == 1), (previous.month - 2) % 12 + 1, 1))
    return months


def _user_label(uow: UnitOfWork, actor: Actor) -> str:
    if actor.user_id is None:
        return f"{OWNER_NAME} (setting up)" if actor.name == OWNER_NAME else actor.name
    user = uow.users.get_many([actor.user_id]).get(actor.user_id)
    if user is None:
        return actor.name
    return f"{user.name} ({ROLE_TITLES[user.role]})"


def workspace(uow: UnitOfWork, user_id: str | None) -> Workspace:
    """The workspace as ``user_id`` sees it (PRODUCT §9).

    An empty store is reported as such with the setting-up owner as actor, whatever
    ``user_id`` says: there is nobody to be yet, and the empty page only offers the demo
    workspace and imports. An unknown ``user_id`` on a non-empty store raises NotFound.
    """
    if is_empty(uow):
        actor = resolve_actor(uow, None)
        return Workspace(actor, None, True, (), _user_label(uow, actor))
    actor = resolve_actor(uow, user_id)
    return Workspace(
        actor=actor,
        account=uow.account.get(),
        empty=False,
        areas=actor.rights.visible_areas,
        user_label=_user_label(uow, actor),
    )


def billing_units(uow: UnitOfWork, actor: Actor) -> list[UnitSummary]:
    """Billing units with their user and number counts, by name (PRODUCT §6)."""
    actor.rights.require(Area.BILLING_UNITS, Level.VIEW, "see billing units")
    return uow.queries.unit_summaries()


def apps(uow: UnitOfWork, actor: Actor, today: date | None = None) -> list[AppRow]:
    """Every app with owner, plan, status and balance, by name (PRODUCT §7)."""
    actor.rights.require(Area.PLANS, Level.VIEW, "see plans")
    stored = uow.apps.all()
    day = today or datetime.now(UTC).astimezone(account_zone(uow.account.get())).date()
    extensions = uow.extension_requests.for_apps([a.id for a in stored])
    owners = uow.users.get_many(sorted({a.owner_user_id for a in stored}))
    plan_codes = {a.plan for a in stored} | {a.pending_plan for a in stored if a.pending_plan}
    plans = uow.plans.get_many(sorted(plan_codes))

    def plan_name(code: str) -> str:
        plan = plans.get(code)
        return plan.name if plan else code

    def owner_name(user_id: str) -> str:
        owner = owners.get(user_id)
        return owner.name if owner else user_id

    rows = [
        AppRow(
            id=a.id,
            name=a.name,
            owner_name=owner_name(a.owner_user_id),
            plan_name=plan_name(a.plan),
            status=a.status,
            balance=a.balance,
            # The same end the app's Manage dialog states (the month's end when none is set).
            plan_ends_on=period_end(a, day),
            pending_plan_name=plan_name(a.pending_plan) if a.pending_plan else None,
            notices=tuple(
                plan_notices(
                    a,
                    day,
                    {code: plan.name for code, plan in plans.items()},
                    [e for e in extensions if e.app == a.id],
                )
            ),
            owner_user_id=a.owner_user_id,
            plan=a.plan,
        )
        for a in stored
    ]
    return sorted(rows, key=lambda r: (r.name.casefold(), r.id))


def call_count(uow: UnitOfWork, actor: Actor) -> int:
    """How many calls the call log holds (Usage Data tab)."""
    actor.rights.require(Area.USAGE_DATA, Level.VIEW, "see the call log")
    return uow.queries.call_count()


def call_page(uow: UnitOfWork, actor: Actor, offset: int, limit: int) -> list[CallRow]:
    """``limit`` calls from ``offset``, newest first, start times in the account's zone."""
    actor.rights.require(Area.USAGE_DATA, Level.VIEW, "see the call log")
    zone = account_zone(uow.account.get())
    rows = uow.queries.call_page(max(offset, 0), max(limit, 0))
    return [_in_zone(row, zone) for row in rows]


def _in_zone(row: CallRow, zone: tzinfo) -> CallRow:
    return dataclasses.replace(row, started_at=row.started_at.astimezone(zone))


def change_versions(uow: UnitOfWork, actor: Actor) -> dict[str, int]:
    """Each resource's version: every write moves one on, so a client polling these learns of
    writes made elsewhere (another process, another client of the server). Names only, no
    data, so any signed-in user of the workspace may read them."""
    return uow.versions.all()
