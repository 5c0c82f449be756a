"""The membership in force at an instant, read off today's units and the recorded changes
(``domain.unit_history``)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.model import BillingUnit
from billing_desktop.domain.periods import Month
from billing_desktop.domain.unit_history import (
    NUMBER,
    USER,
    MembershipChange,
    dated_start,
    effective_for,
    membership_diff,
    segments,
    undated_start,
    units_at,
)

ZONE = ZoneInfo("America/New_York")


def at(day: int) -> datetime:
    return datetime(2026, 10, day, tzinfo=UTC)


def change(
    unit: int, name: str, kind: str, member: str, added: bool, day: int | None, n: int
) -> MembershipChange:
    return MembershipChange(unit, name, kind, member, added, at(day) if day else None, id=n)


# Now: Sales (1) holds nobody; Support (2) holds +1 and ada. Recorded: +1 moved from Sales to
# Support on the 10th; ada joined Support on the 20th; Old (3, since deleted) held +2 until the
# 15th.
NOW = (BillingUnit(1, "Sales"), BillingUnit(2, "Support", ("ada",), ("+1",)))
HISTORY = (
    change(1, "Sales", NUMBER, "+1", False, 10, 1),
    change(2, "Support", NUMBER, "+1", True, 10, 2),
    change(3, "Old", NUMBER, "+2", False, 15, 3),
    change(2, "Support", USER, "ada", True, 20, 4),
    change(2, "Support", USER, "bo", True, None, 5),  # from the start of time: never undone
)


def test_units_at_undoes_every_change_in_force_only_later() -> None:
    assert units_at(NOW, HISTORY, at(5)) == (
        BillingUnit(1, "Sales", (), ("+1",)),
        BillingUnit(2, "Support", (), ()),
        BillingUnit(3, "Old", (), ("+2",)),  # a deleted unit comes back while it held anything
    )
    assert units_at(NOW, HISTORY, at(12)) == (
        BillingUnit(1, "Sales"),
        BillingUnit(2, "Support", (), ("+1",)),
        BillingUnit(3, "Old", (), ("+2",)),
    )
    assert units_at(NOW, HISTORY, at(25)) == NOW  # nothing takes effect later: today's


def test_segments_cut_the_month_where_changes_take_effect() -> None:
    assert segments(at(1), at(31), HISTORY) == [
        (at(1), at(10)),
        (at(10), at(15)),
        (at(15), at(20)),
        (at(20), at(31)),
    ]
    assert segments(at(21), at(31), HISTORY) == [(at(21), at(31))]


def test_membership_diff_names_who_joined_and_left() -> None:
    before = [BillingUnit(1, "Sales", ("ada",), ("+1",)), BillingUnit(2, "Support")]
    after = [BillingUnit(1, "Sales", ("ada",)), BillingUnit(2, "Support", ("bo",), ("+1",))]
    assert membership_diff(before, after) == [
        (1, "Sales", NUMBER, "+1", False),
        (2, "Support", USER, "bo", True),
        (2, "Support", NUMBER, "+1", True),
    ]


def test_when_changes_take_effect() -> None:
    closed = [Month(2026, 9)]
    assert undated_start([], ZONE) is None
    assert undated_start(closed, ZONE) == datetime(2026, 10, 1, 4, tzinfo=UTC)
    assert dated_start(date(2026, 10, 5), date(2026, 10, 9), closed, ZONE) == datetime(
        2026, 10, 5, tzinfo=ZONE
    )
    with pytest.raises(InvalidInput, match=r"2026-09 is closed.*from 2026-10-01 on"):
        dated_start(date(2026, 9, 30), date(2026, 10, 9), closed, ZONE)
    with pytest.raises(InvalidInput, match="2026-09 is closed"):
        dated_start(date(2026, 8, 3), date(2026, 10, 9), closed, ZONE)  # before a closed month
    with pytest.raises(InvalidInput, match="after today"):
        dated_start(date(2026, 10, 10), date(2026, 10, 9), closed, ZONE)
    # A change without a date never lands before the member's own latest change.
    latest = {(NUMBER, "+1"): at(10)}
    assert effective_for((NUMBER, "+1"), at(1), latest) == at(10)
    assert effective_for((NUMBER, "+1"), None, latest) == at(10)
    assert effective_for((NUMBER, "+1"), at(12), latest) == at(12)
    assert effective_for((USER, "ada"), None, latest) is None
