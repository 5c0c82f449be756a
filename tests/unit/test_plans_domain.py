"""Plan rules: eligibility from the last three full months, change kinds, notices, extensions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.model import App, AppStatus, Plan
from billing_desktop.domain.periods import Month
from billing_desktop.domain.plans import (
    Change,
    ExtensionRequest,
    check_extension,
    downgrade_due,
    notices,
    peak_usage,
    period_end,
    plan_options,
    usage_months,
)

PLANS = [
    Plan("starter", "Starter", Decimal("49"), 1_000, 1),
    Plan("growth", "Growth", Decimal("199"), 10_000, 2),
    Plan("scale", "Scale", Decimal("599"), 50_000, 3),
]


def app(**kw: object) -> App:
    base: dict[str, object] = {
        "id": "a", "name": "A", "owner_user_id": "u", "plan": "growth",
        "status": AppStatus.ACTIVE, "balance": Decimal(0),
    }  # fmt: skip
    base.update(kw)
    return App(**base)  # type: ignore[arg-type]


def test_usage_months_are_the_three_full_months_before_today() -> None:
    assert usage_months(date(2026, 1, 15)) == [Month(2025, 10), Month(2025, 11), Month(2025, 12)]


def test_usage_is_the_highest_month_rounded_up() -> None:
    assert peak_usage([Decimal(5), Decimal("12399.2"), Decimal(100)]) == 12_400
    assert peak_usage([]) == 0


def test_a_plan_below_usage_is_not_eligible_with_the_reason() -> None:
    options = {o.plan.code: o for o in plan_options(PLANS, "growth", 12_400)}
    assert options["growth"].current and options["growth"].eligible
    assert not options["starter"].eligible
    assert options["starter"].change == Change.DOWNGRADE
    assert options["scale"].eligible and options["scale"].change == Change.UPGRADE
    # an upgrade can still be ineligible, and the reason says by how much
    small = [*PLANS, Plan("plus", "Plus", Decimal(250), 11_000, 4)]
    plus = next(o for o in plan_options(small, "growth", 12_400) if o.plan.code == "plus")
    assert not plus.eligible
    assert plus.reason == "needs 12,400 sessions a month; includes 11,000"


@given(st.integers(min_value=0, max_value=100_000))
def test_eligible_exactly_when_included_covers_usage(usage: int) -> None:
    for option in plan_options(PLANS, "growth", usage):
        if not option.current:
            assert option.eligible == (option.plan.included_sessions >= usage)
            assert bool(option.reason) != option.eligible


def test_period_end_and_due_downgrades() -> None:
    assert period_end(app(), date(2026, 11, 21)) == date(2026, 11, 30)
    later = app(plan_ends_on=date(2026, 12, 31), pending_plan="starter")
    assert period_end(later, date(2026, 11, 21)) == date(2026, 12, 31)
    assert not downgrade_due(later, Month(2026, 11))
    assert downgrade_due(later, Month(2026, 12))
    assert not downgrade_due(app(plan_ends_on=date(2026, 11, 30)), Month(2026, 12))


def test_notices_for_pending_downgrade_expiry_and_extension() -> None:
    today = date(2026, 11, 21)
    assert notices(app(), today) == []
    assert notices(app(plan_ends_on=date(2027, 1, 30)), today) == []  # beyond 30 days
    [expiry] = notices(app(plan_ends_on=date(2026, 12, 4)), today)
    assert "2026-12-04" in expiry and "13 days" in expiry
    pending = app(plan_ends_on=date(2026, 11, 30), pending_plan="starter")
    [down] = notices(pending, today, {"starter": "Starter"})
    assert down.startswith("Downgrade to Starter pending") and "2026-11-30" in down
    request = ExtensionRequest(
        "a", "why", date(2027, 2, 1), "u", datetime(2026, 11, 20, tzinfo=UTC)
    )
    assert "Extension to 2027-02-01" in notices(app(), today, extensions=[request])[0]


def test_extension_requests_are_checked() -> None:
    today = date(2026, 11, 21)
    assert check_extension("  busy season  ", date(2026, 12, 1), today) == "busy season"
    for reason, end in [
        ("", date(2026, 12, 1)),
        ("x" * 501, date(2026, 12, 1)),
        ("ok", today),
        ("ok", date(2027, 11, 22)),
    ]:
        with pytest.raises(InvalidInput):
            check_extension(reason, end, today)
    assert check_extension("x" * 500, date(2027, 11, 21), today)
