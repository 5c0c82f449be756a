"""Billing units (PRODUCT §6): add, rename, delete, assign, and the cost report.

Every change checks the actor's right to edit Billing Units, applies the domain rules
(``domain.units``), and writes one audit row — all in the caller's unit of work, so the change
and its audit row are committed together (the caller commits). Each change returns what it
did, in a form its inverse takes: the GUI's undo history replays those through here, so an undo
changes the store, not just the screen.

The report allocates a month's list-price charges to the units (the rules are in
``domain.units``). Quantities are the billing engine's: from the hourly rollups for an open
month, from the stored rating for a closed one. What drove them (which number, which user) comes
from the raw calls and alerts of the month and from the agent seats and numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path

from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.errors import InvalidInput, NotFound
from billing_desktop.domain.metering import MEASURES
from billing_desktop.domain.model import BillingUnit, Metering, Product, Source
from billing_desktop.domain.money import format_amount, quantum
from billing_desktop.domain.periods import Month
from billing_desktop.domain.units import (
    Allocation,
    Driver,
    Membership,
    NumberHeld,
    ProductCost,
    UnitCost,
    allocate,
    clean_unit_name,
    expand_teams,
    held_elsewhere,
    is_recurring,
    licensed_agents,
    list_price_total,
    name_key,
    number_holders,
    team_members,
    unit_order,
)
from billing_desktop.exports.csv_export import safe_cell
from billing_desktop.services.billing import BillingEngine
from billing_desktop.services.changes import changes
from billing_desktop.services.ledger import audit
from billing_desktop.store.ports import UnitOfWork

ENTITY = "billing_unit"
_audit = partial(audit, entity=ENTITY)  # the audit row of a change to one of these
ZERO = Decimal(0)


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


def _require_view(actor: Actor) -> None:
    actor.rights.require(Area.BILLING_UNITS, Level.VIEW, "see billing units")


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
    units = sorted(uow.units.all(), key=unit_order)
    report = None
    if uow.account.get() is not None:
        report = _report(uow, month, today, basis)
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
            ),
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


# -- changing ----------------------------------------------------------------------------------


def _snapshot(unit: BillingUnit) -> dict[str, object]:
    return {"name": unit.name, "users": list(unit.user_ids), "numbers": list(unit.numbers)}


def _other_names(uow: UnitOfWork, unit_id: int | None) -> list[str]:
    return [u.name for u in uow.units.all() if u.id != unit_id]


@changes("units")
def add_unit(uow: UnitOfWork, actor: Actor, name: str) -> BillingUnit:
    """A new, empty unit (the name trimmed, unique whatever its case)."""
    _require_edit(actor)
    cleaned = clean_unit_name(name, _other_names(uow, None))
    unit = uow.units.add(cleaned)
    _audit(uow, actor, "billing-unit.add", unit.id, None, _snapshot(unit))
    return unit


@changes("units")
def rename_unit(uow: UnitOfWork, actor: Actor, unit_id: int, name: str) -> BillingUnit:
    """Rename a unit; returns the unit as it was (its old name is the undo)."""
    _require_edit(actor)
    unit = get_unit(uow, unit_id)
    cleaned = clean_unit_name(name, _other_names(uow, unit_id))
    if cleaned != unit.name:
        uow.units.rename(unit_id, cleaned)
        _audit(uow, actor, "billing-unit.rename", unit_id, {"name": unit.name}, {"name": cleaned})
    return unit


@changes("units")
def delete_unit(uow: UnitOfWork, actor: Actor, unit_id: int) -> BillingUnit:
    """Delete a unit; its numbers become unassigned. Returns the unit as it was (for undo)."""
    _require_edit(actor)
    unit = get_unit(uow, unit_id)
    uow.units.delete(unit_id)
    _audit(uow, actor, "billing-unit.delete", unit_id, _snapshot(unit), None)
    return unit


@changes("units")
def restore_unit(uow: UnitOfWork, actor: Actor, unit: BillingUnit) -> BillingUnit:
    """Re-create a deleted unit as it was (undo of a delete, redo of an add).

    Refused when its name is taken again, or one of its numbers is now in another unit."""
    _require_edit(actor)
    if uow.units.get(unit.id) is not None:
        raise InvalidInput(f"billing unit '{unit.name}' exists already")
    clean_unit_name(unit.name, _other_names(uow, None))
    holders = number_holders(uow.units.all())
    held = held_elsewhere(unit.numbers, unit.id, holders)
    if held:
        raise NumberHeld([(number, other.name) for number, other in held])
    known = uow.users.get_many(list(unit.user_ids))
    restored = BillingUnit(
        unit.id, unit.name, tuple(u for u in unit.user_ids if u in known), unit.numbers
    )
    uow.units.restore(restored)
    _audit(uow, actor, "billing-unit.restore", unit.id, None, _snapshot(restored))
    return restored


@dataclass(frozen=True, slots=True)
class Assignment:
    """What one assign or unassign changed (only what really changed, so undo is exact)."""

    unit_id: int
    unit_name: str
    assigned: bool  # True: added to the unit; False: removed from it
    user_ids: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    # Numbers moved here from another unit: (number, that unit's id, its name).
    moved_from: tuple[tuple[str, int, str], ...] = field(default=())

    @property
    def changed(self) -> bool:
        return bool(self.user_ids or self.numbers)

    def describe(self) -> str:
        """ "Assign 2 users and 1 number to Sales" (the undo history's text)."""
        moved = {number for number, _id, _name in self.moved_from}
        parts = []
        if self.user_ids:
            parts.append(_count(len(self.user_ids), "user"))
        free = [n for n in self.numbers if n not in moved]
        if free:
            parts.append(_count(len(free), "number"))
        what = " and ".join(parts)
        if not self.assigned:
            return f"Remove {what or 'nothing'} from {self.unit_name}"
        if not moved:
            return f"Assign {what or 'nothing'} to {self.unit_name}"
        sources = ", ".join(sorted({name for _n, _id, name in self.moved_from}))
        move = f"{_count(len(moved), 'number')} from {sources}"
        if not what:
            return f"Move {move} to {self.unit_name}"
        return f"Assign {what} to {self.unit_name} and move {move}"


def _check_users(uow: UnitOfWork, user_ids: Iterable[str]) -> list[str]:
    wanted = list(dict.fromkeys(u.strip() for u in user_ids))
    found = uow.users.get_many(wanted)
    missing = [u for u in wanted if u not in found]
    if missing:
        raise NotFound(f"no user '{missing[0]}' in this workspace")
    return wanted


def _check_numbers(uow: UnitOfWork, numbers: Iterable[str]) -> list[str]:
    wanted = list(dict.fromkeys(n.strip() for n in numbers))
    found = uow.numbers.get_many(wanted)
    missing = [n for n in wanted if n not in found]
    if missing:
        raise NotFound(f"{missing[0]} is not a phone number of this workspace")
    return wanted


@changes("units")
def assign(
    uow: UnitOfWork,
    actor: Actor,
    unit_id: int,
    user_ids: Sequence[str] = (),
    teams: Sequence[str] = (),
    numbers: Sequence[str] = (),
    move: bool = False,
) -> Assignment:
    """Add users, the members of teams, and numbers to a unit.

    A number already in another unit is refused (NumberHeld names that unit) and nothing is
    written, unless ``move``: then it leaves that unit for this one. Members already in the
    unit are left as they are.
    """
    _require_edit(actor)
    unit = get_unit(uow, unit_id)
    wanted_users = _check_users(uow, user_ids)
    if teams:
        for member in expand_teams(teams, uow.users.all()):
            if member not in wanted_users:
                wanted_users.append(member)
    wanted_numbers = _check_numbers(uow, numbers)
    units = uow.units.all()
    holders = number_holders(units)
    held = held_elsewhere(wanted_numbers, unit_id, holders)
    if held and not move:
        raise NumberHeld([(number, other.name) for number, other in held])
    new_users = tuple(u for u in wanted_users if u not in unit.user_ids)
    new_numbers = tuple(n for n in wanted_numbers if n not in unit.numbers)
    if not new_users and not new_numbers:
        return Assignment(unit.id, unit.name, True)
    moved = tuple((number, other.id, other.name) for number, other in held)
    by_id = {u.id: u for u in units}
    for source_id in sorted({other_id for _n, other_id, _name in moved}):
        source = by_id[source_id]
        leaving = {n for n, other_id, _name in moved if other_id == source_id}
        uow.units.set_members(
            source.id, source.user_ids, [n for n in source.numbers if n not in leaving]
        )
    uow.units.set_members(
        unit.id,
        sorted({*unit.user_ids, *new_users}),
        sorted({*unit.numbers, *new_numbers}),
    )
    change = Assignment(unit.id, unit.name, True, new_users, new_numbers, moved)
    _audit(
        uow,
        actor,
        "billing-unit.assign",
        unit.id,
        _snapshot(unit),
        {
            "name": unit.name,
            "added_users": list(new_users),
            "added_numbers": list(new_numbers),
            "moved_from": {number: name for number, _id, name in moved},
        },
    )
    return change


@changes("units")
def unassign(
    uow: UnitOfWork,
    actor: Actor,
    unit_id: int,
    user_ids: Sequence[str] = (),
    numbers: Sequence[str] = (),
) -> Assignment:
    """Remove users and numbers from a unit (the numbers become unassigned)."""
    _require_edit(actor)
    unit = get_unit(uow, unit_id)
    gone_users = tuple(u for u in dict.fromkeys(user_ids) if u in unit.user_ids)
    gone_numbers = tuple(n for n in dict.fromkeys(numbers) if n in unit.numbers)
    if not gone_users and not gone_numbers:
        return Assignment(unit.id, unit.name, False)
    uow.units.set_members(
        unit.id,
        [u for u in unit.user_ids if u not in gone_users],
        [n for n in unit.numbers if n not in gone_numbers],
    )
    _audit(
        uow,
        actor,
        "billing-unit.unassign",
        unit.id,
        _snapshot(unit),
        {
            "name": unit.name,
            "removed_users": list(gone_users),
            "removed_numbers": list(gone_numbers),
        },
    )
    return Assignment(unit.id, unit.name, False, gone_users, gone_numbers)


@changes("units")
def reapply(uow: UnitOfWork, actor: Actor, change: Assignment) -> Assignment:
    """Do ``change`` again (redo): the same users and numbers, moved again if they were."""
    if change.assigned:
        return assign(
            uow,
            actor,
            change.unit_id,
            change.user_ids,
            numbers=change.numbers,
            move=bool(change.moved_from),
        )
    return unassign(uow, actor, change.unit_id, change.user_ids, change.numbers)


@changes("units")
def revert(uow: UnitOfWork, actor: Actor, change: Assignment) -> Assignment:
    """Undo ``change``: take back what it added (numbers it moved go back to their unit, when
    that unit still exists) or put back what it removed. One transaction, one audit row per
    unit changed."""
    if not change.assigned:
        return assign(uow, actor, change.unit_id, change.user_ids, numbers=change.numbers)
    undone = unassign(uow, actor, change.unit_id, change.user_ids, change.numbers)
    by_source: dict[int, list[str]] = {}
    for number, source_id, _name in change.moved_from:
        by_source.setdefault(source_id, []).append(number)
    for source_id, back in sorted(by_source.items()):
        if uow.units.get(source_id) is not None:
            assign(uow, actor, source_id, numbers=back)
    return undone


# -- the report --------------------------------------------------------------------------------


BASES = ("list", "invoiced")


@dataclass(frozen=True, slots=True)
class UnitReport:
    """Usage and recurring charges per unit for a month (PRODUCT §6), at list price or as
    invoiced (issue 20 §4: each product's charge after free units and credits, shared in the
    same proportions, so the units add up to the month's charges)."""

    month: Month
    currency: str
    closed: bool
    rows: tuple[UnitCost, ...]  # units by name, then Unassigned when anything is unassigned
    total: Decimal  # the account's total of the month on this basis; the rows add up to it
    basis: str = "list"  # "list" or "invoiced"

    @property
    def usage(self) -> Decimal:
        return sum((r.usage for r in self.rows), ZERO)

    @property
    def recurring(self) -> Decimal:
        return sum((r.recurring for r in self.rows), ZERO)

    def as_json(self) -> dict[str, object]:
        """The shape PRODUCT §11.1 promises for ``units report --json``."""
        money = self._money
        return {
            "month": str(self.month),
            "currency": self.currency,
            "closed": self.closed,
            "basis": self.basis,
            "total": money(self.total),
            "units": [
                {
                    "name": row.name,
                    "unassigned": row.unit_id is None,
                    "usage": money(row.usage),
                    "recurring": money(row.recurring),
                    "total": money(row.total),
                }
                for row in self.rows
            ],
        }

    def _money(self, amount: Decimal) -> str:
        return format_amount(amount, self.currency)

    def _amount(self, amount: Decimal) -> Decimal:
        return amount.quantize(quantum(self.currency))


def unit_report(
    uow: UnitOfWork,
    actor: Actor,
    month: Month | None = None,
    today: date | None = None,
    basis: str = "list",
) -> UnitReport:
    """Usage and recurring charges per unit for ``month`` (default: the current month), at
    list price (``basis`` "list") or as invoiced ("invoiced")."""
    _require_view(actor)
    return _report(uow, month, today, basis)


def _report(
    uow: UnitOfWork, month: Month | None, today: date | None, basis: str = "list"
) -> UnitReport:
    if basis not in BASES:
        raise InvalidInput(f"basis '{basis}': use list or invoiced")
    engine = BillingEngine(uow, today)
    month = month or engine.current_month
    currency = engine.account.currency
    charged: dict[str, Decimal] = {}
    if basis == "invoiced":
        # The engine's lines, as usage --json shows them: quantity and what is charged.
        by_code = {p.code: p for p in engine.products}
        lines = [ln for ln in engine.month_lines(month) if ln.product in by_code]
        quantities = [(by_code[ln.product], ln.quantity) for ln in lines if ln.quantity > 0]
        charged = {ln.product: ln.charged for ln in lines}
    else:
        quantities = _quantities(engine, month)
    start, end = month.bounds(engine.zone)
    calls: list[tuple[str | None, str | None, int, int]] | None = None
    alerts: dict[str, int] | None = None
    agents: tuple[str, ...] | None = None
    numbers: list[str] | None = None
    products: list[ProductCost] = []
    for product, quantity in quantities:
        rule = (product.source, product.metering)
        drivers: list[Driver] = []
        if product.source == Source.CALLS and rule in MEASURES:
            if calls is None:
                calls = [
                    (row.number, row.user_id, row.calls, row.minutes)
                    for row in uow.queries.call_usage_by_number_and_user(start, end)
                ]
            by_minutes = product.metering == Metering.SUM
            drivers = [
                Driver(Decimal(minutes if by_minutes else count), number, user_id)
                for number, user_id, count, minutes in calls
            ]
        elif product.source == Source.ALERTS and rule in MEASURES:
            if alerts is None:
                alerts = uow.queries.alerts_by_user(start, end)
            drivers = [Driver(Decimal(n), user_id=u) for u, n in sorted(alerts.items())]
        elif rule == (Source.AGENTS, Metering.PER_AGENT):
            if agents is None:
                agents = licensed_agents(engine.seats, month.first_day, month.last_day)
            drivers = [Driver(Decimal(1), user_id=u) for u in agents]
        elif rule == (Source.NUMBERS, Metering.PER_NUMBER):
            if numbers is None:
                numbers = [n.number for n in uow.numbers.all()]
            drivers = [Driver(Decimal(1), number=n) for n in numbers]
        products.append(
            ProductCost(
                product.code,
                charged[product.code]
                if basis == "invoiced"
                else list_price_total(product, quantity, currency),
                quantity,
                is_recurring(product),
                tuple(drivers),
            )
        )
    allocation: Allocation = allocate(currency, products, Membership.of(uow.units.all()))
    return UnitReport(
        month, currency, month in engine.closed, allocation.rows, allocation.total, basis
    )


def _quantities(engine: BillingEngine, month: Month) -> list[tuple[Product, Decimal]]:
    """Each product's quantity in ``month``, as the month was (closed) or is (open) rated."""
    if month in engine.closed:
        by_code = {p.code: p for p in engine.products}
        lines = engine.uow.closing.lines(month.first_day)
        return [
            (by_code[line.product], line.quantity)
            for line in lines
            if line.product in by_code and line.quantity > 0
        ]
    totals = engine.uow.rollups.totals(month.first_day, month.last_day)
    found = []
    for product in engine.products:
        quantity = engine.quantity(product, month, totals)
        if quantity > 0 and engine.shown(product, month):
            found.append((product, quantity))
    return found


# -- presenting ----------------------------------------------------------------------------------


REPORT_HEADER = ("month", "currency", "billing_unit", "usage", "recurring", "total")
REPORT_AMOUNTS = (3, 4, 5)  # the columns of REPORT_HEADER that hold amounts


def report_rows(report: UnitReport) -> list[list[object]]:
    """The rows of :func:`report_csv`, typed: amounts as Decimals with the currency's
    minor-unit digits (for a workbook; CSV writes them as report_csv does)."""
    money = report._amount
    month, currency = str(report.month), report.currency
    rows: list[list[object]] = [
        [month, currency, row.name, money(row.usage), money(row.recurring), money(row.total)]
        for row in report.rows
    ]
    totals = [money(report.usage), money(report.recurring), money(report.total)]
    rows.append([month, currency, "Total", *totals])
    return rows


def write_report(report: UnitReport, path: Path) -> int:
    """Write the report to ``path`` as formula-safe CSV (the bytes of :func:`report_csv`), or
    as an Excel workbook when ``path`` ends in ``.xlsx``; returns the rows written."""
    from billing_desktop.exports.tables import money_format, write_table

    amounts = dict.fromkeys(REPORT_AMOUNTS, money_format(report.currency))
    rows = report_rows(report)
    return write_table(path, REPORT_HEADER, rows, title="Billing units", money=amounts)


def report_csv(report: UnitReport) -> str:
    """The report as CSV: one row per unit (Unassigned included) and a total row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(REPORT_HEADER)
    money = report._money
    for row in report.rows:
        writer.writerow(
            [
                str(report.month),
                report.currency,
                safe_cell(row.name),
                money(row.usage),
                money(row.recurring),
                money(row.total),
            ]
        )
    writer.writerow(
        [
            str(report.month),
            report.currency,
            "Total",
            money(report.usage),
            money(report.recurring),
            money(report.total),
        ]
    )
    return out.getvalue()


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _list(items: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")
