"""Issue 18 §1 and §4 through the server: the close preview equals the close made through it,
the activity report names the server as the source, the chain stays valid with the server's
own rows (tagged with their Idempotency-Key before the commit seals them), and a shared-account
user with Edit Billing sees no Plans activity."""

from __future__ import annotations

from typing import Any

from billing_desktop.services.activity import verify_audit_chain
from billing_desktop.services.context import resolve_actor
from tests.server.conftest import Api

SEPTEMBER = {"year": 2026, "month": 9}
TODAY = "2026-11-21"


def _ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def test_the_preview_through_the_server_is_what_the_close_writes(api: Api) -> None:
    due = _ok(api.call("billing.months_to_close", {"today": TODAY}))
    assert due[0] == SEPTEMBER
    # A write is dated by the server's clock (no "today"), so the preview is too.
    preview = _ok(api.call("billing.preview_close", {"month": SEPTEMBER}))
    closed = _ok(api.call("billing.close_month", {"month": SEPTEMBER}))
    assert closed["already_closed"] is False
    assert closed["invoice"] == preview["invoice"]
    assert closed["lines"] == len(preview["lines"])
    again = _ok(api.call("billing.preview_close", {"month": SEPTEMBER}))
    assert again["already_closed"] is True
    assert again["ledger_rows"] == [] and again["invoice"] is None


def test_server_activity_is_chained_and_named_by_its_source(api: Api) -> None:
    _ok(api.call("units.add_unit", {"name": "Quality"}))
    _ok(api.call("plans.change_plan", {"app_id": "app-sales-assistant", "plan_code": "scale"}))
    rows = _ok(api.call("activity.activity_page", {"query": {}, "offset": 0, "limit": 10}))
    assert [r["source"] for r in rows[:4]] == ["Server"] * 4
    assert {r["kind"] for r in rows[:4]} == {
        "plans.change_plan",
        "plan-upgrade",
        "units.add_unit",
        "billing-unit.add",
    }
    report = _ok(api.call("activity.verify_audit_chain", {}))
    assert report["broken_id"] is None and report["rows"] >= 5
    with api.store() as uow:  # the same check on the store itself
        assert verify_audit_chain(uow, resolve_actor(uow, None)).verified

    # A shared-account user with Edit Billing: the report, without any Plans activity.
    shared = _ok(
        api.call(
            "activity.activity_page", {"query": {}, "offset": 0, "limit": 50}, "shared_edit_billing"
        )
    )
    assert [r["kind"] for r in shared] == ["units.add_unit", "billing-unit.add"]
    assert "app-sales-assistant" not in str(shared)
    hidden = api.call(
        "activity.activity_count", {"query": {"entity": "app"}}, "shared_edit_billing"
    )
    assert _ok(hidden) == 0
    refused = api.call(
        "activity.activity_page", {"query": {}, "offset": 0, "limit": 5}, "supervisor"
    )
    assert refused.status_code == 403
