"""Changing billing units: add, rename, delete, restore, assign and unassign, each audited,
each returning what its inverse (the GUI's undo) takes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from billing_desktop.domain.access import Actor
from billing_desktop.domain.errors import InvalidInput, NotFound
from billing_desktop.domain.model import BillingUnit
from billing_desktop.domain.units import (
    NumberHeld,
    clean_unit_name,
    expand_teams,
    held_elsewhere,
    number_holders,
)
from billing_desktop.services.changes import changes
from billing_desktop.services.units.common import _audit, _count
from billing_desktop.services.units.history import check_from, plan_changes, record_changes
from billing_desktop.services.units.queries import _require_edit, get_unit
from billing_desktop.store.ports import UnitOfWork

# -- changing ----------------------------------------------------------------------------------


def _snapshot(unit: BillingUnit) -> dict[str, object]:
    return {"name": unit.name, "users": list(unit.user_ids), "numbers": list(unit.numbers)}


def _other_names(uow: UnitOfWork, unit_id: int | None) -> list[str]:
    # The names alone: a unit write holds the "units" version until it commits (the API
    # server's If-Match), so what it reads before then is kept short (B10).
    return [name for other, name in uow.units.names().items() if other != unit_id]


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
    record_changes(uow, actor, [unit], [BillingUnit(unit.id, unit.name)], None)
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
    record_changes(uow, actor, [BillingUnit(unit.id, unit.name)], [restored], None)
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
    # In force from this day (issue 20 §5); None: from the start of the open months.
    from_date: date | None = None
    # Users who left other units for this one: (user id, that unit's id, its name).
    users_moved_from: tuple[tuple[str, int, str], ...] = field(default=())

    @property
    def changed(self) -> bool:
        return bool(self.user_ids or self.numbers or self.users_moved_from)

    def describe(self) -> str:
        """ "Assign 2 users and 1 number to Sales" (the undo history's text), "… from
        2026-12-10" when dated."""
        text = self._describe()
        return text if self.from_date is None else f"{text} from {self.from_date}"

    def _describe(self) -> str:
        moved = {number for number, _id, _name in self.moved_from}
        users_moved = {user for user, _id, _name in self.users_moved_from}
        parts = []
        free_users = [u for u in self.user_ids if u not in users_moved]
        if free_users:
            parts.append(_count(len(free_users), "user"))
        free = [n for n in self.numbers if n not in moved]
        if free:
            parts.append(_count(len(free), "number"))
        what = " and ".join(parts)
        if not self.assigned:
            return f"Remove {what or 'nothing'} from {self.unit_name}"
        if not moved and not users_moved:
            return f"Assign {what or 'nothing'} to {self.unit_name}"
        sources = ", ".join(
            sorted({name for _n, _id, name in (*self.moved_from, *self.users_moved_from)})
        )
        counts = []
        if users_moved:
            counts.append(_count(len(users_moved), "user"))
        if moved:
            counts.append(_count(len(moved), "number"))
        move = f"{' and '.join(counts)} from {sources}"
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


@dataclass(frozen=True, slots=True)
class AssignPlan:
    """What an assign would do, written nothing yet: the result, and the units it touches as
    they are and as they would be."""

    change: Assignment
    before: tuple[BillingUnit, ...] = ()
    after: tuple[BillingUnit, ...] = ()


def plan_assign(
    uow: UnitOfWork,
    unit_id: int,
    user_ids: Sequence[str] = (),
    teams: Sequence[str] = (),
    numbers: Sequence[str] = (),
    move: bool = False,
    from_date: date | None = None,
    move_users: bool = False,
) -> AssignPlan:
    """The checks and the outcome of :func:`assign`, without writing anything."""
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
    users_moved = tuple(
        (user, other.id, other.name)
        for other in sorted(units, key=lambda u: u.id)
        if move_users and other.id != unit.id
        for user in wanted_users
        if user in other.user_ids
    )
    if not new_users and not new_numbers and not users_moved:
        return AssignPlan(Assignment(unit.id, unit.name, True, from_date=from_date))
    moved = tuple((number, other.id, other.name) for number, other in held)
    by_id = {u.id: u for u in units}
    before: list[BillingUnit] = []
    after: list[BillingUnit] = []
    for source_id in sorted({i for _n, i, _name in (*moved, *users_moved)}):
        source = by_id[source_id]
        leaving = {n for n, other_id, _name in moved if other_id == source_id}
        going = {u for u, other_id, _name in users_moved if other_id == source_id}
        before.append(source)
        after.append(
            BillingUnit(
                source.id,
                source.name,
                tuple(u for u in source.user_ids if u not in going),
                tuple(n for n in source.numbers if n not in leaving),
            )
        )
    before.append(unit)
    after.append(
        BillingUnit(
            unit.id,
            unit.name,
            tuple(sorted({*unit.user_ids, *new_users})),
            tuple(sorted({*unit.numbers, *new_numbers})),
        )
    )
    change = Assignment(
        unit.id, unit.name, True, new_users, new_numbers, moved, from_date, users_moved
    )
    return AssignPlan(change, tuple(before), tuple(after))


@changes("units")
def assign(
    uow: UnitOfWork,
    actor: Actor,
    unit_id: int,
    user_ids: Sequence[str] = (),
    teams: Sequence[str] = (),
    numbers: Sequence[str] = (),
    move: bool = False,
    from_date: date | None = None,
    today: date | None = None,
    move_users: bool = False,
) -> Assignment:
    """Add users, the members of teams, and numbers to a unit.

    A number already in another unit is refused (NumberHeld names that unit) and nothing is
    written, unless ``move``: then it leaves that unit for this one. Members already in the
    unit are left as they are. ``move_users``: the users leave the other units they are in.
    ``from_date``: in force from that day (an open month's, not after today); without it, from
    the start of the open months (``domain.unit_history``).
    """
    _require_edit(actor)
    check_from(uow, from_date, today)
    plan = plan_assign(uow, unit_id, user_ids, teams, numbers, move, from_date, move_users)
    if not plan.after:
        return plan.change
    history = plan_changes(uow, actor, plan.before, plan.after, from_date, today)
    for changed in plan.after:
        uow.units.set_members(changed.id, changed.user_ids, changed.numbers)
    uow.units.record(history)
    change = plan.change
    unit = plan.before[-1]
    _audit(
        uow,
        actor,
        "billing-unit.assign",
        unit.id,
        _snapshot(unit),
        {
            "name": unit.name,
            "added_users": list(change.user_ids),
            "added_numbers": list(change.numbers),
            "moved_from": {number: name for number, _id, name in change.moved_from},
            **(
                {"users_moved_from": [[u, name] for u, _id, name in change.users_moved_from]}
                if change.users_moved_from
                else {}
            ),
            **({"from": str(from_date)} if from_date else {}),
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
    from_date: date | None = None,
    today: date | None = None,
) -> Assignment:
    """Remove users and numbers from a unit (the numbers become unassigned), from
    ``from_date`` (as :func:`assign`)."""
    _require_edit(actor)
    check_from(uow, from_date, today)
    unit = get_unit(uow, unit_id)
    gone_users = tuple(u for u in dict.fromkeys(user_ids) if u in unit.user_ids)
    gone_numbers = tuple(n for n in dict.fromkeys(numbers) if n in unit.numbers)
    if not gone_users and not gone_numbers:
        return Assignment(unit.id, unit.name, False, from_date=from_date)
    after = BillingUnit(
        unit.id,
        unit.name,
        tuple(u for u in unit.user_ids if u not in gone_users),
        tuple(n for n in unit.numbers if n not in gone_numbers),
    )
    history = plan_changes(uow, actor, [unit], [after], from_date, today)
    uow.units.set_members(unit.id, after.user_ids, after.numbers)
    uow.units.record(history)
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
            **({"from": str(from_date)} if from_date else {}),
        },
    )
    return Assignment(unit.id, unit.name, False, gone_users, gone_numbers, from_date=from_date)


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
            from_date=change.from_date,
            move_users=bool(change.users_moved_from),
        )
    return unassign(
        uow, actor, change.unit_id, change.user_ids, change.numbers, from_date=change.from_date
    )


@changes("units")
def revert(uow: UnitOfWork, actor: Actor, change: Assignment) -> Assignment:
    """Undo ``change``: take back what it added (numbers it moved go back to their unit, when
    that unit still exists) or put back what it removed. One transaction, one audit row per
    unit changed."""
    when = change.from_date
    if not change.assigned:
        return assign(
            uow, actor, change.unit_id, change.user_ids, numbers=change.numbers, from_date=when
        )
    undone = unassign(uow, actor, change.unit_id, change.user_ids, change.numbers, from_date=when)
    by_source: dict[int, list[str]] = {}
    for number, source_id, _name in change.moved_from:
        by_source.setdefault(source_id, []).append(number)
    for source_id, back in sorted(by_source.items()):
        if uow.units.get(source_id) is not None:
            assign(uow, actor, source_id, numbers=back, from_date=when)
    users_back: dict[int, list[str]] = {}
    for user, source_id, _name in change.users_moved_from:
        users_back.setdefault(source_id, []).append(user)
    for source_id, back in sorted(users_back.items()):
        if uow.units.get(source_id) is not None:
            assign(uow, actor, source_id, back, from_date=when)
    return undone
