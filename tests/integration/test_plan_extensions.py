"""Plan extension decisions (issue 19 §6): an admin approves with a new end date or rejects
with a reason; the app's plan end, its notices and the audit follow; the command."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from billing_desktop import cli
from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.errors import InvalidInput, PermissionDenied
from billing_desktop.services import overview, plan_extensions, plans
from billing_desktop.services.context import resolve_actor
from tests.gui.workspace_data import fill

TODAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
EDITOR = m.User(
    "eve", "Eve Editor", "eve@example.com", m.Role.SUPERVISOR, (), (m.Privilege.EDIT_BILLING,)
)


@pytest.fixture
def ws(store: SqlStore) -> SqlStore:
    with store() as uow:
        fill(uow)
        uow.users.add_many([EDITOR])
        actor = resolve_actor(uow, "eve")
        plans.request_extension(
            uow, actor, "careers", "Pilot runs longer", date(2027, 2, 28), TODAY, NOW
        )
        plans.request_extension(uow, actor, "faq", "Budget review", date(2027, 3, 31), TODAY, NOW)
        uow.commit()
    return store


def notices_of(store: SqlStore, app_id: str) -> tuple[str, ...]:
    with store() as uow:
        rows = overview.apps(uow, resolve_actor(uow, "ada"), TODAY)
    return next(r.notices for r in rows if r.id == app_id)


def test_approving_sets_the_plan_end_and_the_notices_follow(ws: SqlStore) -> None:
    assert "Extension to 2027-02-28 requested 2026-11-21: pending." in notices_of(ws, "careers")
    with ws() as uow:
        decided = plan_extensions.approve_extension(
            uow, resolve_actor(uow, "ada"), "careers", date(2027, 1, 31), TODAY, NOW
        )
        uow.commit()
    assert (decided.status, decided.granted_end, decided.decided_by) == (
        "approved", date(2027, 1, 31), "ada",
    )  # fmt: skip
    with ws() as uow:
        app = uow.apps.get_many(["careers"])["careers"]
        assert app.plan_ends_on == date(2027, 1, 31)
        view = plans.app_plans(uow, resolve_actor(uow, "ada"), "careers", TODAY)
        assert view.period_end == date(2027, 1, 31)
        assert view.extensions[0].granted_end == date(2027, 1, 31)
        row = next(a for a in uow.audit.recent() if a.action == "plan-extension-approved")
        assert row.before is not None and row.before["plan_ends_on"] is None
        assert row.after is not None and row.after["plan_ends_on"] == "2027-01-31"
    notices = notices_of(ws, "careers")
    assert "Extension approved on 2026-11-21: the plan runs to 2027-01-31." in notices
    assert not any("pending" in n for n in notices)
    with ws() as uow, pytest.raises(InvalidInput, match="no pending extension request"):
        plan_extensions.approve_extension(uow, resolve_actor(uow, "ada"), "careers", None, TODAY)


def test_rejecting_needs_a_reason_and_keeps_the_plan_end(ws: SqlStore) -> None:
    with ws() as uow:
        admin = resolve_actor(uow, "ada")
        with pytest.raises(InvalidInput, match="give a reason"):
            plan_extensions.reject_extension(uow, admin, "faq", "   ")
        plan_extensions.reject_extension(uow, admin, "faq", "Budget is not approved", NOW)
        uow.commit()
    with ws() as uow:
        assert uow.apps.get_many(["faq"])["faq"].plan_ends_on == date(2026, 12, 31)
    assert "Extension to 2027-03-31 rejected on 2026-11-21: Budget is not approved" in notices_of(
        ws, "faq"
    )


@pytest.mark.parametrize(
    ("user", "problem"),
    [
        ("eve", "only an admin"),
        ("shay", "not available to shared-account users"),
        ("sam", "right to edit Plans"),
    ],
)
def test_only_admins_decide(ws: SqlStore, user: str, problem: str) -> None:
    with ws() as uow:
        actor = resolve_actor(uow, user)
        assert not plans.app_plans(uow, resolve_actor(uow, "eve"), "careers", TODAY).can_decide
        with pytest.raises(PermissionDenied, match=problem):
            plan_extensions.approve_extension(uow, actor, "careers", None, TODAY)
        with pytest.raises(PermissionDenied, match=problem):
            plan_extensions.reject_extension(uow, actor, "careers", "no")
        assert plans.app_plans(uow, resolve_actor(uow, "ada"), "careers", TODAY).can_decide


def test_the_granted_end_is_checked(ws: SqlStore) -> None:
    with ws() as uow:
        admin = resolve_actor(uow, "ada")
        for bad, problem in ((TODAY, "after today"), (date(2028, 1, 1), "within a year")):
            with pytest.raises(InvalidInput, match=problem):
                plan_extensions.approve_extension(uow, admin, "careers", bad, TODAY)


def test_the_command_lists_approves_and_rejects(
    ws: SqlStore, store_path: Path, capsys: Any
) -> None:
    def run(*args: str) -> int:
        return cli.main(["--store", str(store_path), "plans", "extension", *args])

    assert run("list") == 0
    assert "careers: to 2027-02-28 (pending) — Pilot runs longer" in capsys.readouterr().out
    assert run("approve", "careers", "--until", "2027-02-15") == 0
    assert capsys.readouterr().out.strip() == (
        "Extension approved: careers's plan now ends on 2027-02-15."
    )
    assert run("reject", "faq") == 2
    assert "needs --reason" in capsys.readouterr().err
    assert run("reject", "faq", "--reason", "Not this year", "--json") == 0
    assert json.loads(capsys.readouterr().out)["decision_note"] == "Not this year"
    assert run("approve", "faq") == 2
    assert "FAQ bot has no pending extension request" in capsys.readouterr().err
    assert cli.main(["--store", str(store_path), "--user", "eve", "plans", "extension",
                     "approve", "careers"]) == 2  # fmt: skip
    assert "only an admin" in capsys.readouterr().err
