"""Reading billing units: the overview table, one unit's members, what deleting a unit
would leave unassigned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.errors import NotFound
from billing_desktop.domain.model import BillingUnit
from billing_desktop.domain.periods import Month
from billing_desktop.domain.units import (
    name_key,
    number_holders,
    team_members,
    unit_order,
)
from billing_desktop.services.units.common import ZERO, _count, _list, _require_view
from billing_desktop.services.units.report import _report
from billing_desktop.store.ports import UnitOfWork

# -- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UnitRow:
    """A unit as the units table lists it, with its share of the month's list-price total."""

    id: int
    name: str
    users: int
    numbers: int
    month_total: Decimal | None  # None when there is no account (nothing to price)
    user_names: tuple[str, ...] = ()  # who is in the unit, by name
    number_list: tuple[str, ...] = ()  # which numbers, in order


@dataclass(frozen=True, slots=True)
class UnitsOverview:
    month: Month | None
    currency: str | None
    rows: tuple[UnitRow, ...]
    unassigned: Decimal | None  # this month's Unassigned row, None when there is none


@dataclass(frozen=True, slots=True)
class PersonEntry:
    """A user of the workspace, for the assignment panels."""

    id: str
    name: str
    email: str
    teams: tuple[str, ...]
    unit_names: tuple[str, ...]  # every unit the user is in (users may be in several)


@dataclass(frozen=True, slots=True)
class NumberEntry:
    number: str
    label: str
    holder_id: int | None
    holder_name: str | None


@dataclass(frozen=True, slots=True)
class UnitMembers:
    """Everything the unit editor shows for one unit: its members and what is available."""

    unit: BillingUnit
    people: tuple[PersonEntry, ...]  # every user, by name
    teams: dict[str, tuple[str, ...]]  # team -> member ids
    numbers: tuple[NumberEntry, ...]  # every number of the workspace, by number


def _require_edit(actor: Actor) -> None:
    actor.rights.require(Area.BILLING_UNITS, Level.EDIT, "change billing units")


def units_overview(
    uow: UnitOfWork,
    actor: Actor,
    today: date | None = None,
    month: Month | None = None,
    basis: str = "list",
) -> UnitsOverview:
    """The units table: every unit by name with its users and numbers and its share of
    ``month``'s total (default: the current month) on ``basis`` (list price or as invoiced)."""
    _require_view(actor)
    stored = uow.units.all()
    units = sorted(stored, key=unit_order)
    report = None
    if uow.account.get() is not None:
        report = _report(uow, month, today, basis, units_now=stored)  # read once, not twice
    totals = {row.unit_id: row.total for row in report.rows} if report else {}
    names = uow.users.get_many(sorted({u for unit in units for u in unit.user_ids}))
    rows = tuple(
        UnitRow(
            unit.id,
            unit.name,
            len(unit.user_ids),
            len(unit.numbers),
            totals.get(unit.id, ZERO) if report else None,
            tuple(
                sorted(
                    (names[u].name if u in names else u for u in unit.user_ids),
                    key=str.casefold,
                )
            )
            if unit.user_ids
            else (),
            tuple(unit.numbers),
        )
        for unit in units
    )
    return UnitsOverview(
        report.month if report else None,
        report.currency if report else None,
        rows,
        totals.get(None) if report else None,
    )


def get_unit(uow: UnitOfWork, unit_id: int) -> BillingUnit:
    unit = uow.units.get(unit_id)
    if unit is None:
        raise NotFound(f"billing unit {unit_id} no longer exists")
    return unit


def find_unit(uow: UnitOfWork, actor: Actor, name: str) -> BillingUnit:
    """The unit named ``name`` (whatever its case), or NotFound."""
    _require_view(actor)
    wanted = name_key(name)
    for unit in uow.units.all():
        if name_key(unit.name) == wanted:
            return unit
    raise NotFound(f"no billing unit named '{name.strip()}'")


def unit_members(uow: UnitOfWork, actor: Actor, unit_id: int) -> UnitMembers:
    """The unit's members and every user, team and number the editor may offer."""
    _require_view(actor)
    unit = get_unit(uow, unit_id)
    units = sorted(uow.units.all(), key=unit_order)
    users = uow.users.all()
    units_of: dict[str, list[str]] = {}
    for other in units:
        for user_id in other.user_ids:
            units_of.setdefault(user_id, []).append(other.name)
    people = tuple(
        PersonEntry(u.id, u.name, u.email, u.teams, tuple(units_of.get(u.id, ())))
        for u in sorted(users, key=lambda u: (u.name.casefold(), u.id))
    )
    holders = number_holders(units)
    numbers = tuple(
        NumberEntry(
            n.number,
            n.label,
            holders[n.number].id if n.number in holders else None,
            holders[n.number].name if n.number in holders else None,
        )
        for n in uow.numbers.all()
    )
    return UnitMembers(unit, people, team_members(users), numbers)


@dataclass(frozen=True, slots=True)
class DeletionImpact:
    """What deleting a unit leaves behind: the question the delete confirmation asks."""

    unit: BillingUnit
    numbers: tuple[str, ...]  # become unassigned
    users_left_without_unit: tuple[str, ...]  # names of members in no other unit

    def question(self) -> str:
        lines = [f"Delete the billing unit '{self.unit.name}'?"]
        if self.numbers:
            lines.append(
                f"{_count(len(self.numbers), 'phone number')} will become unassigned: "
                + _list(self.numbers)
                + "."
            )
        if self.users_left_without_unit:
            lines.append(
                f"{_count(len(self.users_left_without_unit), 'user')} will be in no billing "
                "unit: " + _list(self.users_left_without_unit) + "."
            )
        if not self.numbers and not self.unit.user_ids:
            lines.append("It has no users or numbers.")
        lines.append("Their costs will show as Unassigned. You can undo this.")
        return "\n\n".join(lines)


def deletion_impact(uow: UnitOfWork, actor: Actor, unit_id: int) -> DeletionImpact:
    _require_view(actor)
    unit = get_unit(uow, unit_id)
    elsewhere = {u for other in uow.units.all() if other.id != unit_id for u in other.user_ids}
    alone = [u for u in unit.user_ids if u not in elsewhere]
    names = uow.users.get_many(alone)
    return DeletionImpact(
        unit,
        unit.numbers,
        tuple(sorted((names[u].name if u in names else u) for u in alone)),
    )
