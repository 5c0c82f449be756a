"""The read services behind the main window and its tabs (services/overview.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.access import Area
from billing_desktop.domain.errors import NotFound, PermissionDenied
from billing_desktop.services import overview
from billing_desktop.services.context import OWNER_NAME
from tests.gui.workspace_data import (
    ACCOUNT,
    CALLS,
    ROLE_USERS,
    fill,
    this_month_start_utc,
)


@pytest.fixture
def filled(store: SqlStore) -> SqlStore:
    with store() as uow:
        fill(uow)
        uow.commit()
    return store


def actor_of(store: SqlStore, role: str | None = "admin") -> overview.Workspace:
    with store() as uow:
        return overview.workspace(uow, ROLE_USERS[role] if role else None)


def test_an_empty_store_is_reported_as_empty(store: SqlStore) -> None:
    with store() as uow:
        workspace = overview.workspace(uow, "whoever")
    assert workspace.empty and workspace.account is None and workspace.areas == ()
    assert workspace.actor.name == OWNER_NAME
    assert workspace.user_label == f"{OWNER_NAME} (setting up)"


@pytest.mark.parametrize(
    ("role", "areas", "label"),
    [
        (None, tuple(Area), "Ada Admin (Admin)"),
        ("shared", (Area.USAGE, Area.INVOICES, Area.USAGE_DATA), "Shared Desk (Shared account)"),
        (
            "supervisor",
            (Area.USAGE, Area.BILLING_UNITS, Area.USAGE_DATA),
            "Sam Supervisor (Supervisor)",
        ),
        ("agent", (), "Alex Agent (Agent)"),
    ],
)
def test_the_workspace_says_what_each_user_may_see(
    filled: SqlStore, role: str | None, areas: tuple[Area, ...], label: str
) -> None:
    workspace = actor_of(filled, role)
    assert not workspace.empty
    assert workspace.account == ACCOUNT and workspace.currency == "USD"
    assert workspace.areas == areas
    assert workspace.user_label == label


def test_an_unknown_user_is_not_found(filled: SqlStore) -> None:
    with filled() as uow, pytest.raises(NotFound, match="nobody"):
        overview.workspace(uow, "nobody")


def test_month_helpers() -> None:
    now = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)  # 1 February in Berlin
    assert overview.current_month(ACCOUNT, now) == date(2026, 2, 1)
    assert overview.current_month(None, now) == date(2026, 1, 1)
    months = overview.recent_months(ACCOUNT, 12, now)
    assert months[:3] == [date(2026, 2, 1), date(2026, 1, 1), date(2025, 12, 1)]
    assert len(months) == 12 and months[-1] == date(2025, 3, 1)
    unknown_zone = m.Account(
        "X", "USD", "Mars/Olympus", m.PlanTier.PRO, m.PaymentMethod.INVOICE, m.CommitScope.NONE
    )
    assert overview.account_zone(unknown_zone) is UTC


def test_billing_units_and_apps(filled: SqlStore) -> None:
    admin = actor_of(filled).actor
    with filled() as uow:
        units = overview.billing_units(uow, admin)
        apps = overview.apps(uow, admin)
    assert [(u.name, u.users, u.numbers) for u in units] == [("Sales", 2, 1), ("Support", 0, 0)]
    assert [(a.name, a.owner_name, a.plan_name) for a in apps] == [
        ("Careers bot", "Ada Admin", "Growth"),
        ("FAQ bot", "Sam Supervisor", "Growth"),
    ]
    assert apps[1].balance == Decimal("-15.25") and apps[1].pending_plan_name == "Starter"


def test_the_call_log_pages_newest_first_in_the_account_zone(filled: SqlStore) -> None:
    admin = actor_of(filled).actor
    with filled() as uow:
        assert overview.call_count(uow, admin) == CALLS
        first = overview.call_page(uow, admin, 0, 3)
        last = overview.call_page(uow, admin, CALLS - 2, 10)
    assert [c.id for c in first] == [f"call-{i:05}" for i in (CALLS - 1, CALLS - 2, CALLS - 3)]
    assert [c.id for c in last] == ["call-00001", "call-00000"]
    started = first[0].started_at
    assert started.utcoffset() in (timedelta(hours=1), timedelta(hours=2))  # Berlin
    expected = this_month_start_utc() + timedelta(hours=2, minutes=CALLS - 1)
    assert started == expected


@pytest.mark.parametrize(
    ("role", "service"),
    [
        ("shared", lambda uow, a: overview.apps(uow, a)),
        ("shared", lambda uow, a: overview.billing_units(uow, a)),
        ("agent", lambda uow, a: overview.call_count(uow, a)),
        ("agent", lambda uow, a: overview.call_page(uow, a, 0, 10)),
    ],
)
def test_services_refuse_users_without_the_right(
    filled: SqlStore, role: str, service: object
) -> None:
    actor = actor_of(filled, role).actor
    with filled() as uow, pytest.raises(PermissionDenied):
        service(uow, actor)  # type: ignore[operator]
