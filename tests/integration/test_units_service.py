"""Billing units through the service layer and the SQL store (PRODUCT §6, §9, §10)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.errors import InvalidInput, NotFound, PermissionDenied
from billing_desktop.domain.money import round_money
from billing_desktop.domain.rating import list_price
from billing_desktop.domain.units import NumberHeld
from billing_desktop.services import units as service
from billing_desktop.services.billing import usage_summary
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.month_close import close_month
from tests.integration.units_workspace import (
    EXPECTED_OCTOBER,
    OCTOBER,
    OCTOBER_TOTAL,
    TODAY,
    fill,
    unit_ids,
)

D = Decimal


@pytest.fixture
def units_store(store: SqlStore) -> SqlStore:
    with store() as uow:
        fill(uow)
        uow.commit()
    return store


def units_by_name(store: SqlStore) -> dict[str, m.BillingUnit]:
    with store() as uow:
        return {u.name: u for u in uow.units.all()}


def audit(store: SqlStore) -> list[m.AuditEntry]:
    with store() as uow:
        return [a for a in uow.audit.recent() if a.entity == service.ENTITY]


def do(store: SqlStore, call, *args, user: str | None = None, **kwargs):  # type: ignore[no-untyped-def]
    """Run a changing service as ``user`` and commit, as the GUI and the CLI do."""
    with store() as uow:
        result = call(uow, resolve_actor(uow, user), *args, **kwargs)
        uow.commit()
        return result


# -- the report ----------------------------------------------------------------------------------


def report(store: SqlStore, month=OCTOBER, user: str | None = None) -> service.UnitReport:  # type: ignore[no-untyped-def]
    with store() as uow:
        return service.unit_report(uow, resolve_actor(uow, user), month, today=TODAY)


def test_the_report_allocates_october_as_worked_out_by_hand(units_store: SqlStore) -> None:
    result = report(units_store)
    assert {r.name: (r.usage, r.recurring, r.total) for r in result.rows} == EXPECTED_OCTOBER
    assert [r.name for r in result.rows] == ["Sales", "Support", "Unassigned"]
    assert result.total == OCTOBER_TOTAL
    assert not result.closed


def test_the_rows_add_up_to_the_accounts_list_price_total(units_store: SqlStore) -> None:
    """The total is the billing engine's quantities at list price, each rounded once."""
    with units_store() as uow:
        summary = usage_summary(uow, resolve_actor(uow, None), OCTOBER, today=TODAY)
        prices = {p.code: p for p in uow.products.all()}
    expected = sum(
        (
            round_money(list_price(p.quantity, prices[p.code].unit_price), "USD")
            for p in summary.products
        ),
        D(0),
    )
    result = report(units_store)
    assert expected == OCTOBER_TOTAL == result.total
    assert sum((r.total for r in result.rows), D(0)) == result.total


def test_the_report_json_has_the_promised_shape(units_store: SqlStore) -> None:
    data = report(units_store).as_json()
    assert data["month"] == "2026-10" and data["currency"] == "USD"
    assert data["total"] == "200.69"
    assert data["units"] == [
        {
            "name": "Sales",
            "unassigned": False,
            "usage": "1.65",
            "recurring": "33.66",
            "total": "35.31",
        },
        {
            "name": "Support",
            "unassigned": False,
            "usage": "0.22",
            "recurring": "98.66",
            "total": "98.88",
        },
        {
            "name": "Unassigned",
            "unassigned": True,
            "usage": "0.34",
            "recurring": "66.16",
            "total": "66.50",
        },
    ]


def test_membership_changes_move_costs_between_rows_but_never_the_total(
    units_store: SqlStore,
) -> None:
    ids = unit_ids_of(units_store)
    do(units_store, service.assign, ids["Support"], ["di"], numbers=["+15550102"])
    result = report(units_store)
    rows = {r.name: r for r in result.rows}
    assert result.total == OCTOBER_TOTAL == sum((r.total for r in result.rows), D(0))
    # di's seat, alert and number-less call, and the spare number's calls and rental, moved.
    assert rows["Support"].recurring == D("98.66") + D("65.01") + D("1.15")
    assert rows["Unassigned"].recurring == D(0)


def test_a_closed_month_is_reported_from_its_stored_rating(units_store: SqlStore) -> None:
    with units_store() as uow:
        # Bo's seat from 2026-09-01 makes September the first billed month: it closes first.
        close_month(uow, resolve_actor(uow, None), OCTOBER.plus(-1), today=TODAY)
        close_month(uow, resolve_actor(uow, None), OCTOBER, today=TODAY)
        uow.commit()
        uow.numbers.add_many([m.PhoneNumber("+15550103", "New line")])  # after the close
        uow.commit()
    result = report(units_store)
    assert result.closed
    # Four numbers now, three rated then: the rated 3.45 is shared, never more.
    assert result.total == OCTOBER_TOTAL == sum((r.total for r in result.rows), D(0))


def test_a_unit_with_nothing_shows_zeros_and_the_unassigned_row_goes_when_empty(
    store: SqlStore,
) -> None:
    with store() as uow:
        uow.account.save(
            m.Account(
                "Bare", "EUR", "UTC", m.PlanTier.PRO, m.PaymentMethod.INVOICE, m.CommitScope.NONE
            )
        )
        uow.users.add_many([m.User("ada", "Ada", "a@x", m.Role.ADMIN)])
        uow.commit()
    do(store, service.add_unit, "Empty")
    result = report(store)
    assert [(r.name, r.total) for r in result.rows] == [("Empty", D("0.00"))]
    assert result.total == D("0.00")


def test_seeing_the_report_needs_the_billing_units_view_right(units_store: SqlStore) -> None:
    assert report(units_store, user="vera").total == OCTOBER_TOTAL  # view billing unit
    assert report(units_store, user="sam").total == OCTOBER_TOTAL  # supervisor
    for user in ("shay", "di"):  # shared account, agent
        with pytest.raises(PermissionDenied, match="view Billing Units"):
            report(units_store, user=user)


def test_the_report_as_csv_is_safe_for_spreadsheets(units_store: SqlStore) -> None:
    do(units_store, service.add_unit, "=HYPERLINK(1)")
    text = service.report_csv(report(units_store))
    lines = text.splitlines()
    assert lines[0] == "month,currency,billing_unit,usage,recurring,total"
    assert "2026-10,USD,'=HYPERLINK(1),0.00,0.00,0.00" in lines
    assert lines[-1] == "2026-10,USD,Total,2.21,198.48,200.69"
    assert text.endswith("\r\n")


# -- add, rename, delete -------------------------------------------------------------------------


def unit_ids_of(store: SqlStore) -> dict[str, int]:
    with store() as uow:
        return unit_ids(uow)


def test_adding_a_unit_trims_its_name_and_audits_it(units_store: SqlStore) -> None:
    unit = do(units_store, service.add_unit, "  Marketing  ", user="ed")
    assert unit.name == "Marketing"
    entry = audit(units_store)[0]
    assert (entry.action, entry.actor, entry.entity_id) == ("billing-unit.add", "ed", str(unit.id))
    assert entry.after == {"name": "Marketing", "users": [], "numbers": []}


@pytest.mark.parametrize("name", ["sales", " SALES ", ""])
def test_a_taken_or_empty_name_is_refused_and_nothing_written(
    units_store: SqlStore, name: str
) -> None:
    before = audit(units_store)
    with pytest.raises(InvalidInput):
        do(units_store, service.add_unit, name)
    assert audit(units_store) == before
    assert sorted(units_by_name(units_store)) == ["Sales", "Support"]


def test_renaming_keeps_the_members_and_refuses_another_units_name(
    units_store: SqlStore,
) -> None:
    ids = unit_ids_of(units_store)
    before = do(units_store, service.rename_unit, ids["Sales"], " Sales East ")
    assert before.name == "Sales"
    units = units_by_name(units_store)
    assert units["Sales East"].numbers == ("+15550100",)
    assert audit(units_store)[0].before == {"name": "Sales"}
    with pytest.raises(InvalidInput, match="already a billing unit named 'Support'"):
        do(units_store, service.rename_unit, ids["Sales"], "support")
    do(units_store, service.rename_unit, ids["Sales"], "sales east")  # its own name, new case
    assert "sales east" in units_by_name(units_store)


def test_deleting_says_what_becomes_unassigned_and_restoring_undoes_it(
    units_store: SqlStore,
) -> None:
    ids = unit_ids_of(units_store)
    with units_store() as uow:
        impact = service.deletion_impact(uow, resolve_actor(uow, None), ids["Sales"])
    assert impact.numbers == ("+15550100",)
    assert impact.users_left_without_unit == ("Ada Admin",)  # bo is in Support too
    question = impact.question()
    assert "1 phone number will become unassigned: +15550100" in question
    assert "1 user will be in no billing unit: Ada Admin" in question

    deleted = do(units_store, service.delete_unit, ids["Sales"])
    assert sorted(units_by_name(units_store)) == ["Support"]
    assert report(units_store).total == OCTOBER_TOTAL  # Sales's costs are Unassigned now
    assert audit(units_store)[0].before == {
        "name": "Sales",
        "users": ["ada", "bo"],
        "numbers": ["+15550100"],
    }
    do(units_store, service.restore_unit, deleted)
    assert units_by_name(units_store)["Sales"] == deleted  # the same id and members
    assert {r.name: r.total for r in report(units_store).rows}["Sales"] == D("35.31")


def test_restoring_is_refused_when_a_number_went_elsewhere(units_store: SqlStore) -> None:
    ids = unit_ids_of(units_store)
    deleted = do(units_store, service.delete_unit, ids["Sales"])
    do(units_store, service.assign, ids["Support"], numbers=["+15550100"])
    with pytest.raises(NumberHeld, match="\\+15550100 is already in unit 'Support'"):
        do(units_store, service.restore_unit, deleted)
    assert sorted(units_by_name(units_store)) == ["Support"]


# -- assigning -------------------------------------------------------------------------------------


def test_assigning_users_teams_and_numbers_in_one_transaction_with_an_audit_row(
    units_store: SqlStore,
) -> None:
    unit = do(units_store, service.add_unit, "Marketing")
    change = do(
        units_store, service.assign, unit.id, ["di"], ["support"], ["+15550102"], user="sam"
    )
    assert change.user_ids == ("di", "bo", "cy") and change.numbers == ("+15550102",)
    assert change.describe() == "Assign 3 users and 1 number to Marketing"
    stored = units_by_name(units_store)["Marketing"]
    assert stored.user_ids == ("bo", "cy", "di") and stored.numbers == ("+15550102",)
    entry = audit(units_store)[0]
    assert (entry.action, entry.actor, entry.origin) == (
        "billing-unit.assign",
        "sam",
        "desktop/local",
    )
    assert entry.after is not None and entry.after["added_numbers"] == ["+15550102"]
    # Users may be in several units: bo is in Sales, Support and Marketing now.
    assert sum("bo" in u.user_ids for u in units_by_name(units_store).values()) == 3


def test_a_number_in_another_unit_is_refused_naming_it_and_nothing_is_written(
    units_store: SqlStore,
) -> None:
    ids = unit_ids_of(units_store)
    before_units, before_audit = units_by_name(units_store), audit(units_store)
    with pytest.raises(NumberHeld) as refused:
        do(units_store, service.assign, ids["Support"], ["di"], numbers=["+15550102", "+15550100"])
    assert str(refused.value) == "+15550100 is already in unit 'Sales'"
    assert units_by_name(units_store) == before_units  # not even di or the free number
    assert audit(units_store) == before_audit


def test_moving_a_number_here_and_undoing_it_puts_it_back(units_store: SqlStore) -> None:
    ids = unit_ids_of(units_store)
    change = do(units_store, service.assign, ids["Support"], numbers=["+15550100"], move=True)
    assert change.moved_from == (("+15550100", ids["Sales"], "Sales"),)
    assert change.describe() == "Move 1 number from Sales to Support"
    units = units_by_name(units_store)
    assert units["Sales"].numbers == () and "+15550100" in units["Support"].numbers
    do(units_store, service.revert, change)
    units = units_by_name(units_store)
    assert units["Sales"].numbers == ("+15550100",)
    assert units["Support"].numbers == ("+15550101",)
    do(units_store, service.reapply, change)
    assert units_by_name(units_store)["Sales"].numbers == ()


def test_unassigning_and_its_undo(units_store: SqlStore) -> None:
    ids = unit_ids_of(units_store)
    change = do(units_store, service.unassign, ids["Sales"], ["bo", "nobody"], ["+15550100"])
    assert (change.user_ids, change.numbers) == (("bo",), ("+15550100",))
    assert change.describe() == "Remove 1 user and 1 number from Sales"
    assert units_by_name(units_store)["Sales"] == m.BillingUnit(ids["Sales"], "Sales", ("ada",))
    assert audit(units_store)[0].action == "billing-unit.unassign"
    do(units_store, service.revert, change)
    assert units_by_name(units_store)["Sales"].user_ids == ("ada", "bo")
    assert units_by_name(units_store)["Sales"].numbers == ("+15550100",)


def test_assigning_what_is_already_there_changes_nothing(units_store: SqlStore) -> None:
    ids = unit_ids_of(units_store)
    before = audit(units_store)
    change = do(units_store, service.assign, ids["Sales"], ["ada"], numbers=["+15550100"])
    assert not change.changed
    assert audit(units_store) == before


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"user_ids": ["zed"]}, "no user 'zed'"),
        ({"teams": ["Marketing"]}, "no team named 'Marketing'"),
        ({"numbers": ["+19999"]}, "\\+19999 is not a phone number of this workspace"),
    ],
)
def test_unknown_users_teams_and_numbers_are_named(
    units_store: SqlStore, kwargs: dict[str, list[str]], message: str
) -> None:
    ids = unit_ids_of(units_store)
    with pytest.raises(NotFound, match=message):
        do(units_store, service.assign, ids["Sales"], **kwargs)


def test_a_unit_that_is_gone_is_not_found(units_store: SqlStore) -> None:
    with pytest.raises(NotFound, match="billing unit 999 no longer exists"):
        do(units_store, service.assign, 999, ["ada"])


@pytest.mark.parametrize("user", ["vera", "shay", "di"])
def test_changes_need_the_edit_right(units_store: SqlStore, user: str) -> None:
    ids = unit_ids_of(units_store)
    for call, args in [
        (service.add_unit, ("X",)),
        (service.rename_unit, (ids["Sales"], "X")),
        (service.delete_unit, (ids["Sales"],)),
        (service.assign, (ids["Sales"], ["di"])),
        (service.unassign, (ids["Sales"], ["ada"])),
    ]:
        with pytest.raises(PermissionDenied, match="edit Billing Units"):
            do(units_store, call, *args, user=user)
    assert sorted(units_by_name(units_store)) == ["Sales", "Support"]


@pytest.mark.parametrize("user", ["ada", "sam", "ed"])
def test_admins_supervisors_and_billing_unit_editors_may_change_units(
    units_store: SqlStore, user: str
) -> None:
    unit = do(units_store, service.add_unit, f"Unit of {user}", user=user)
    do(units_store, service.assign, unit.id, ["di"], user=user)
    assert units_by_name(units_store)[f"Unit of {user}"].user_ids == ("di",)


def test_the_editor_data_lists_every_user_team_and_number_with_its_holder(
    units_store: SqlStore,
) -> None:
    ids = unit_ids_of(units_store)
    with units_store() as uow:
        members = service.unit_members(uow, resolve_actor(uow, "vera"), ids["Support"])
    assert members.unit.name == "Support"
    assert members.teams == {"Sales": ("ada", "bo"), "Support": ("bo", "cy")}
    assert [(n.number, n.holder_name) for n in members.numbers] == [
        ("+15550100", "Sales"),
        ("+15550101", "Support"),
        ("+15550102", None),
    ]
    bo = next(p for p in members.people if p.id == "bo")
    assert bo.unit_names == ("Sales", "Support")


def test_the_units_overview_has_counts_and_this_months_totals(units_store: SqlStore) -> None:
    with units_store() as uow:
        overview = service.units_overview(uow, resolve_actor(uow, None))
    assert [(r.name, r.users, r.numbers) for r in overview.rows] == [
        ("Sales", 2, 1),
        ("Support", 2, 1),
    ]
    assert all(r.month_total is not None for r in overview.rows)
    assert overview.currency == "USD"
