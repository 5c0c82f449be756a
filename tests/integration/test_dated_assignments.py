"""Assignments with effective dates (issue 20 §5): the cost report allocates each record to the
unit in force when it happened, closed months never change, the preview is what is saved."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.periods import Month
from billing_desktop.services import units as service
from billing_desktop.services.assignment_preview import preview_assignment
from billing_desktop.services.billing import usage_summary
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.demo import build_demo
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
NOVEMBER = Month(2026, 11)
SALES_LINE = "+15550100"  # Sales's number: c1 (Oct 2, 2 min) and c6 (Oct 31, 60 min)

# October once Sales's number moved to Support from October 5: c1 stays with Sales, c6 goes to
# Support (VOICE 1.20, CALLS 0.10), and the number's rental follows its unit at the month's end.
MOVED_OCTOBER = {
    "Sales": (D("0.35"), D("32.51"), D("32.86")),
    "Support": (D("1.52"), D("99.81"), D("101.33")),
    "Unassigned": (D("0.34"), D("66.16"), D("66.50")),
}


@pytest.fixture
def units_store(store: SqlStore) -> SqlStore:
    with store() as uow:
        fill(uow)
        uow.commit()
    return store


def do(store: SqlStore, call, *args, **kwargs):  # type: ignore[no-untyped-def]
    with store() as uow:
        result = call(uow, resolve_actor(uow, None), *args, **kwargs)
        uow.commit()
        return result


def figures(store: SqlStore, month: Month = OCTOBER) -> dict[str, tuple[D, D, D]]:
    with store() as uow:
        report = service.unit_report(uow, resolve_actor(uow, None), month, TODAY)
    assert sum((r.total for r in report.rows), D(0)) == report.total
    return {r.name: (r.usage, r.recurring, r.total) for r in report.rows}


def move_line(store: SqlStore, day: date | None) -> service.Assignment:
    with store() as uow:
        support = unit_ids(uow)["Support"]
    return do(
        store, service.assign, support, numbers=[SALES_LINE], move=True, from_date=day, today=TODAY
    )


def history(store: SqlStore) -> list[tuple[str, str, bool, str | None]]:
    with store() as uow:
        return [
            (c.unit_name, c.member, c.added, c.effective_from and c.effective_from.isoformat())
            for c in uow.units.history()
        ]


def test_a_dated_move_splits_the_month_at_its_date(units_store: SqlStore) -> None:
    assert figures(units_store) == EXPECTED_OCTOBER
    change = move_line(units_store, date(2026, 10, 5))
    assert change.describe() == "Move 1 number from Sales to Support from 2026-10-05"
    assert figures(units_store) == MOVED_OCTOBER
    assert sum(t for _u, _r, t in MOVED_OCTOBER.values()) == OCTOBER_TOTAL
    # The history says who, when and from which instant (local midnight, New York).
    assert history(units_store) == [
        ("Sales", SALES_LINE, False, "2026-10-05T04:00:00+00:00"),
        ("Support", SALES_LINE, True, "2026-10-05T04:00:00+00:00"),
    ]
    with units_store() as uow:
        rows = uow.units.history()
        assert {r.actor for r in rows} == {resolve_actor(uow, None).audit_name}
        audit = [a for a in uow.audit.recent() if a.action == "billing-unit.assign"]
    assert audit[0].after is not None and audit[0].after["from"] == "2026-10-05"


def test_a_move_from_after_the_last_record_changes_only_the_rental(units_store: SqlStore) -> None:
    move_line(units_store, date(2026, 11, 1))  # after every October call
    moved = figures(units_store)
    assert moved["Sales"][0] == EXPECTED_OCTOBER["Sales"][0]  # usage stays with Sales
    assert moved["Support"][0] == EXPECTED_OCTOBER["Support"][0]
    # The rental follows the unit at October's end: still Sales.
    assert moved == EXPECTED_OCTOBER


def test_undo_of_a_dated_move_restores_the_month_and_keeps_the_history(
    units_store: SqlStore,
) -> None:
    change = move_line(units_store, date(2026, 10, 5))
    undone = do(units_store, service.revert, change)
    assert undone.from_date == date(2026, 10, 5)
    assert figures(units_store) == EXPECTED_OCTOBER
    with units_store() as uow:
        assert SALES_LINE in {u.name: u for u in uow.units.all()}["Sales"].numbers
    assert len(history(units_store)) == 4  # the move and its undo, both kept
    do(units_store, service.reapply, change)
    assert figures(units_store) == MOVED_OCTOBER


def test_a_closed_month_is_never_reallocated(units_store: SqlStore) -> None:
    do(units_store, close_month, OCTOBER.plus(-1), today=TODAY)  # Bo's seat: September first
    do(units_store, close_month, OCTOBER, today=TODAY)
    closed = figures(units_store)
    november = figures(units_store, NOVEMBER)
    # A date inside the closed month: refused in one line, nothing written.
    with pytest.raises(InvalidInput) as refused:
        move_line(units_store, date(2026, 10, 20))
    message = str(refused.value)
    assert "\n" not in message
    assert "2026-10 is closed" in message and "from 2026-11-01 on" in message
    assert history(units_store) == []
    # A change without a date (a drop) re-allocates the open months only.
    move_line(units_store, None)
    assert figures(units_store) == closed
    assert figures(units_store, NOVEMBER) != november
    assert history(units_store)[0][3] == "2026-11-01T04:00:00+00:00"
    # Deleting a unit leaves the closed month's report as it was, name and all.
    with units_store() as uow:
        sales = unit_ids(uow)["Sales"]
    do(units_store, service.delete_unit, sales)
    assert figures(units_store) == closed
    assert "Sales" not in figures(units_store, NOVEMBER)


def test_dates_after_today_or_before_a_later_change_are_refused(units_store: SqlStore) -> None:
    with pytest.raises(InvalidInput, match="after today"):
        move_line(units_store, date(2026, 11, 22))
    move_line(units_store, date(2026, 10, 20))
    with units_store() as uow:
        sales = unit_ids(uow)["Sales"]
    with pytest.raises(InvalidInput, match="has a change from 2026-10-20 already"):
        do(
            units_store,
            service.assign,
            sales,
            numbers=[SALES_LINE],
            move=True,
            from_date=date(2026, 10, 10),
            today=TODAY,
        )
    # A drop after a dated change takes effect from that change on, not before it.
    do(units_store, service.assign, sales, numbers=[SALES_LINE], move=True, today=TODAY)
    assert figures(units_store) == EXPECTED_OCTOBER


def test_the_preview_is_what_is_then_saved(units_store: SqlStore) -> None:
    with units_store() as uow:
        support = unit_ids(uow)["Support"]
        actor = resolve_actor(uow, None)
        preview = preview_assignment(
            uow,
            actor,
            support,
            numbers=[SALES_LINE],
            move=True,
            from_date=date(2026, 10, 5),
            today=TODAY,
        )
        assert uow.units.history() == []  # nothing written
    assert [m.month for m in preview.months] == [OCTOBER, NOVEMBER]
    october = preview.months[0]
    assert {r.name: r.before for r in october.rows} == {
        name: total for name, (_u, _r, total) in EXPECTED_OCTOBER.items()
    }
    assert {r.name: r.after for r in october.rows} == {
        name: total for name, (_u, _r, total) in MOVED_OCTOBER.items()
    }
    assert {r.name: r.change for r in october.rows}["Support"] == D("2.45")
    move_line(units_store, date(2026, 10, 5))
    for month_preview in preview.months:
        saved = figures(units_store, month_preview.month)
        assert {r.name: r.after for r in month_preview.rows} == {
            name: total for name, (_u, _r, total) in saved.items()
        }
    shape = preview.as_json()
    assert shape["from"] == "2026-10-05"
    assert shape["months"][0]["units"][1] == {  # type: ignore[index]
        "name": "Support",
        "unassigned": False,
        "before": "98.88",
        "after": "101.33",
        "change": "2.45",
    }


def test_the_preview_refuses_what_the_change_would_refuse(units_store: SqlStore) -> None:
    do(units_store, close_month, OCTOBER.plus(-1), today=TODAY)  # Bo's seat: September first
    do(units_store, close_month, OCTOBER, today=TODAY)
    with units_store() as uow:
        support = unit_ids(uow)["Support"]
        with pytest.raises(InvalidInput, match="closed"):
            preview_assignment(
                uow,
                resolve_actor(uow, None),
                support,
                numbers=[SALES_LINE],
                move=True,
                from_date=date(2026, 10, 5),
                today=TODAY,
            )


def test_a_user_moved_from_a_date_takes_the_later_alerts_along(units_store: SqlStore) -> None:
    """Ada (Sales) moves to Support from October 8: her alert of the 7th stays with Sales, the
    one of the 8th goes to Support (ALERTS: 6 cents over four equal shares, ties to the earlier
    target)."""
    with units_store() as uow:
        ids = unit_ids(uow)
    change = do(
        units_store,
        service.assign,
        ids["Support"],
        ["ada"],
        from_date=date(2026, 10, 8),
        today=TODAY,
        move_users=True,
    )
    assert change.describe() == "Move 1 user from Sales to Support from 2026-10-08"
    with units_store() as uow:
        now = {u.name: u.user_ids for u in uow.units.all()}
    assert now == {"Sales": ("bo",), "Support": ("ada", "bo", "cy")}
    moved = figures(units_store)
    assert moved["Sales"] == (D("1.64"), D("33.66"), D("35.30"))
    assert moved["Support"] == (D("0.23"), D("98.66"), D("98.89"))
    assert moved["Unassigned"] == EXPECTED_OCTOBER["Unassigned"]
    do(units_store, service.revert, change)
    assert figures(units_store) == EXPECTED_OCTOBER
    with units_store() as uow:
        assert {u.name: u.user_ids for u in uow.units.all()}["Sales"] == ("ada", "bo")


def test_as_invoiced_still_adds_up_to_the_months_charges_after_dated_moves(
    tmp_path: Path,
) -> None:
    """On the demo (September closed): a number and a user moved from dates in October and
    November; every month's units still add up to its charges to the minor unit."""
    store = SqlStore(f"sqlite:///{tmp_path / 'demo.db'}")
    build_demo(store, seed=7, today=TODAY)
    do(store, close_month, Month(2026, 9), today=TODAY)
    with store() as uow:
        units = sorted(uow.units.all(), key=lambda u: u.id)
    holder = next(u for u in units if u.numbers)
    other = next(u for u in units if u.id != holder.id)
    member = next(u for u in units if u.user_ids)
    do(
        store,
        service.assign,
        other.id,
        numbers=[holder.numbers[0]],
        move=True,
        from_date=date(2026, 10, 12),
        today=TODAY,
    )
    target = next(u for u in units if u.id != member.id)
    do(
        store,
        service.assign,
        target.id,
        [member.user_ids[0]],
        from_date=date(2026, 11, 3),
        today=TODAY,
        move_users=True,
    )
    seen = D(0)
    for month in (Month(2026, 9), OCTOBER, NOVEMBER):
        with store() as uow:
            actor = resolve_actor(uow, None)
            charges = sum(
                (p.charged for p in usage_summary(uow, actor, month, TODAY).products), D(0)
            )
            report = service.unit_report(uow, actor, month, TODAY, "invoiced")
        assert report.total == charges
        assert sum((r.total for r in report.rows), D(0)) == charges
        seen += charges
    assert seen > 0
    store.dispose()
