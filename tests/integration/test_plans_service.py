"""Plans services: eligibility, upgrade now / downgrade at period end across close-month,
funds with ledger and audit, extension requests, owners, and the shared-account refusal."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.access import FULL_RIGHTS, Actor
from billing_desktop.domain.errors import InvalidInput, PermissionDenied
from billing_desktop.domain.metering import BILLING_SESSIONS
from billing_desktop.domain.periods import Month
from billing_desktop.services import overview, plans
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.month_close import close_month
from tests.gui.workspace_data import fill

TODAY = date(2026, 11, 21)


@pytest.fixture
def ws(store: SqlStore) -> SqlStore:
    with store() as uow:
        fill(uow)
        uow.plans.add_many([m.Plan("scale", "Scale", Decimal("599.00"), 50_000, 3)])
        uow.commit()
    return store


def test_eligibility_uses_the_peak_of_the_last_three_full_months(ws: SqlStore) -> None:
    with ws() as uow:
        uow.rollups.add(
            {
                (date(2026, 8, 3), 10, "careers", BILLING_SESSIONS): Decimal(12_400),
                (date(2026, 7, 3), 10, "careers", BILLING_SESSIONS): Decimal(90_000),  # too old
                (date(2026, 10, 3), 10, "faq", BILLING_SESSIONS): Decimal(99_000),  # other app
                (date(2026, 10, 3), 10, "careers", BILLING_SESSIONS): Decimal(3_000),
            }
        )
        actor = resolve_actor(uow, "ada")
        view = plans.app_plans(uow, actor, "careers", TODAY)
        assert view.usage == 12_400
        options = {o.plan.code: o for o in view.options}
        assert options["starter"].reason == "needs 12,400 sessions a month; includes 1,000"
        assert not options["starter"].eligible and options["scale"].eligible
        with pytest.raises(InvalidInput, match="not eligible"):
            plans.change_plan(uow, actor, "careers", "starter", TODAY)


def test_upgrade_now_downgrade_at_period_end_across_close_month(ws: SqlStore) -> None:
    with ws() as uow:
        actor = resolve_actor(uow, "ada")
        up = plans.change_plan(uow, actor, "careers", "scale", TODAY)
        assert up.takes_effect_on is None
        assert uow.apps.get_many(["careers"])["careers"].plan == "scale"
        down = plans.change_plan(uow, actor, "careers", "starter", TODAY)
        assert down.takes_effect_on == date(2026, 11, 30)
        careers = uow.apps.get_many(["careers"])["careers"]
        assert (careers.plan, careers.pending_plan) == ("scale", "starter")
        uow.commit()
    with ws() as uow:
        actor = resolve_actor(uow, "ada")
        close_month(uow, actor, Month(2026, 11), date(2026, 12, 2))
        apps = uow.apps.get_many(["careers", "faq"])
        assert (apps["careers"].plan, apps["careers"].pending_plan) == ("starter", None)
        # faq's period ends 2026-12-31: closing November leaves its downgrade pending
        assert (apps["faq"].plan, apps["faq"].pending_plan) == ("growth", "starter")
        close_month(uow, actor, Month(2026, 12), date(2027, 1, 3))
        faq = uow.apps.get_many(["faq"])["faq"]
        assert (faq.plan, faq.pending_plan, faq.plan_ends_on) == ("starter", None, None)
        actions = [e.action for e in uow.audit.for_entities("app", ["careers", "faq"])]
        assert actions.count("plan-downgrade-applied") == 2
        assert "plan-upgrade" in actions and "plan-downgrade-scheduled" in actions


def test_an_upgrade_clears_and_cancel_drops_a_pending_downgrade(ws: SqlStore) -> None:
    with ws() as uow:
        actor = resolve_actor(uow, "ada")
        plans.cancel_downgrade(uow, actor, "faq")
        faq = uow.apps.get_many(["faq"])["faq"]
        assert (faq.plan, faq.pending_plan) == ("growth", None)
        with pytest.raises(InvalidInput, match="no pending downgrade"):
            plans.cancel_downgrade(uow, actor, "faq")
        plans.change_plan(uow, actor, "faq", "starter", TODAY)
        plans.change_plan(uow, actor, "faq", "scale", TODAY)
        faq = uow.apps.get_many(["faq"])["faq"]
        assert (faq.plan, faq.pending_plan) == ("scale", None)
        audit = uow.audit.for_entities("app", ["faq"])[0]
        assert audit.action == "plan-downgrade-cancelled"
        assert audit.before == {
            "plan": "growth",
            "pending_plan": "starter",
            "plan_ends_on": "2026-12-31",
        }


def test_add_funds_raises_the_balance_with_a_ledger_row_and_audit(ws: SqlStore) -> None:
    with ws() as uow:
        actor = resolve_actor(uow, "ada")
        app = plans.add_funds(uow, actor, "faq", "100.10", TODAY)
        assert app.balance == Decimal("84.85")
        [row] = [e for e in uow.ledger.all() if e.pool == "app:faq"]
        assert (row.kind, row.amount, row.reference) == (
            m.LedgerKind.PURCHASE,
            Decimal("100.10"),
            "APP-000001",
        )
        assert uow.audit.for_entities("app", ["faq"])[-1].after == {
            "balance": "$84.85",
            "amount": "$100.10",
            "reference": "APP-000001",
        }
        for bad in ["0", "-5", "1.001", "1000000.01", "abc", ""]:
            with pytest.raises(InvalidInput):
                plans.add_funds(uow, actor, "faq", bad, TODAY)


def test_extension_requests_are_recorded_as_pending(ws: SqlStore) -> None:
    with ws() as uow:
        actor = resolve_actor(uow, "ada")
        stored = plans.request_extension(
            uow, actor, "faq", "<b>peak</b> season", date(2027, 3, 31), TODAY
        )
        uow.commit()
    with ws() as uow:
        [found] = uow.extension_requests.for_apps(["faq"])
        assert found == stored and found.status == "pending" and found.requested_by == "ada"
        row = next(r for r in overview.apps(uow, resolve_actor(uow, "ada"), TODAY) if r.id == "faq")
        assert any("Extension to 2027-03-31" in n for n in row.notices)
        with pytest.raises(InvalidInput):
            plans.request_extension(uow, resolve_actor(uow, "ada"), "faq", "x", TODAY, TODAY)


def test_owner_changes_to_admins_and_supervisors_only(ws: SqlStore) -> None:
    with ws() as uow:
        actor = resolve_actor(uow, "ada")
        assert [o.id for o in plans.owner_candidates(uow)] == ["ada", "sam"]
        plans.change_owner(uow, actor, "careers", "sam")
        assert uow.apps.get_many(["careers"])["careers"].owner_user_id == "sam"
        entry = uow.audit.for_entities("app", ["careers"])[-1]
        assert (entry.before, entry.after) == ({"owner_user_id": "ada"}, {"owner_user_id": "sam"})
        with pytest.raises(InvalidInput, match="cannot own"):
            plans.change_owner(uow, actor, "careers", "alex")


def test_shared_account_users_are_refused_even_with_widened_rights(ws: SqlStore) -> None:
    with ws() as uow:
        shared = resolve_actor(uow, "shay")
        widened = dataclasses.replace(shared, rights=FULL_RIGHTS)
        calls = [
            lambda a: plans.app_plans(uow, a, "faq", TODAY),
            lambda a: plans.change_plan(uow, a, "faq", "scale", TODAY),
            lambda a: plans.cancel_downgrade(uow, a, "faq"),
            lambda a: plans.add_funds(uow, a, "faq", "10", TODAY),
            lambda a: plans.request_extension(uow, a, "faq", "x", date(2027, 1, 1), TODAY),
            lambda a: plans.change_owner(uow, a, "faq", "ada"),
        ]
        for call in calls:
            for actor in (shared, widened):
                with pytest.raises(PermissionDenied, match="shared-account"):
                    call(actor)
        # a supervisor lacks the Plans right: refused by rights
        with pytest.raises(PermissionDenied):
            plans.add_funds(uow, resolve_actor(uow, "sam"), "faq", "10", TODAY)
        assert uow.apps.get_many(["faq"])["faq"].balance == Decimal("-15.25")


def test_the_owner_setting_up_an_empty_workspace_is_not_refused(ws: SqlStore) -> None:
    with ws() as uow:
        owner = Actor(None, "local owner", FULL_RIGHTS)
        before = uow.apps.get_many(["careers"])["careers"].balance
        changed = plans.add_funds(
            uow, owner, "careers", "1", TODAY, datetime(2026, 11, 21, tzinfo=UTC)
        )
        assert changed.balance == before + 1
        assert uow.apps.get_many(["careers"])["careers"].balance == before + 1
        rows = [e for e in uow.ledger.all() if e.pool == "app:careers"]
        assert [(e.amount, e.occurred_on) for e in rows][-1] == (Decimal(1), TODAY)
        audit = uow.audit.recent(1)[0]
        assert (audit.action, audit.actor) == ("app-funds-added", "local owner")
