"""The server enforces PRODUCT §9 itself: every role × every endpoint, called over HTTP.

The expected rights are PRODUCT §9's table written out here, and the tab each endpoint belongs
to is written out here too (not taken from ``domain.access`` or ``api.operations``), so a wrong
mapping in the code fails these tests instead of being copied into them.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from billing_desktop import cli
from billing_desktop.api.operations import OPERATIONS
from billing_desktop.bootstrap import SqlStore
from billing_desktop.server.gate import Limits
from billing_desktop.server.state import hash_token
from billing_desktop.store.sql import tables as t
from tests.server.conftest import ROLES, Api, Servers

# --- PRODUCT §9, literally ---------------------------------------------------------------------

USAGE, UNITS, PLANS, INVOICES, USAGE_DATA = (
    "Usage",
    "Billing Units",
    "Plans",
    "Invoices",
    "Usage Data",
)
TABS = (USAGE, UNITS, PLANS, INVOICES, USAGE_DATA)
E, V, N, H = "edit", "view", "—", "hidden"

# | role / privilege | Usage | Billing Units | Plans | Invoices | Usage Data |
PRODUCT_9: dict[str, tuple[str, str, str, str, str]] = {
    "admin": (E, E, E, V, V),
    "Edit Billing": (E, N, E, V, V),
    "View billing unit": (N, V, N, N, N),
    "Edit billing unit": (N, E, N, N, N),
    "supervisor": (V, E, N, N, V),
    "shared-account user": (V, N, H, V, V),
    "agent": (N, N, N, N, N),
}

# Which rows of the table each test user holds ("a user's rights are the union of their role
# and access groups"; "hidden" stays hidden whatever a group adds).
HOLDS: dict[str, tuple[str, ...]] = {
    "admin": ("admin",),
    "edit_billing": ("agent", "Edit Billing"),
    "view_billing_unit": ("agent", "View billing unit"),
    "edit_billing_unit": ("agent", "Edit billing unit"),
    "supervisor": ("supervisor",),
    "shared": ("shared-account user",),
    "agent": ("agent",),
    "supervisor_edit_billing": ("supervisor", "Edit Billing"),
    "shared_edit_billing": ("shared-account user", "Edit Billing"),
}
RANK = {N: 0, V: 1, E: 2}


def level(role: str, tab: str) -> str:
    cells = [PRODUCT_9[row][TABS.index(tab)] for row in HOLDS[role]]
    if H in cells:
        return N
    return max(cells, key=RANK.__getitem__)


def allowed(role: str, tab: str | None, need: str) -> bool:
    if tab is None:  # the workspace read: any signed-in user
        return True
    return RANK[level(role, tab)] >= RANK[need]


# --- every endpoint with valid arguments --------------------------------------------------------


@dataclass(frozen=True)
class Case:
    tab: str | None  # None: any signed-in user (the workspace read)
    need: str  # V for reads, E for writes
    arguments: Mapping[str, Any]
    also: tuple[tuple[str, str], ...] = ()  # further (tab, level) the operation needs
    only: tuple[str, ...] | None = None  # of those the table allows, only these roles may
    # The answer to an allowed role: 200, or the service's own refusal after the rights check
    # (a prepaid invoice for the demo's credit-card account: 422, not 403).
    ok: int = 200

    def allows(self, role: str) -> bool:
        return (
            allowed(role, self.tab, self.need)
            and all(allowed(role, tab, need) for tab, need in self.also)
            and (self.only is None or role in self.only)
        )


def month(year: int, number: int) -> dict[str, int]:
    return {"year": year, "month": number}


NOVEMBER = month(2026, 11)
OCTOBER = month(2026, 10)
CALLS = {"first": "2026-11-01", "last": "2026-11-21"}
TODAY = "2026-11-21"

CASES: dict[str, Case] = {
    "overview.workspace": Case(None, V, {}),
    "overview.change_versions": Case(None, V, {}),
    # Usage tab
    "usage_page.usage_page": Case(USAGE, V, {"month": NOVEMBER, "today": TODAY}),
    "usage_page.transactions": Case(USAGE, V, {"month": OCTOBER}),
    "billing.usage_summary": Case(USAGE, V, {"month": NOVEMBER, "today": TODAY}),
    "pricing.rate_card": Case(USAGE, V, {"today": TODAY}),
    "credits.purchase_credits": Case(USAGE, E, {"amount": "100.00"}),
    "credits.make_one_time_payment": Case(USAGE, E, {"amount": "50.00"}),
    "credits.set_auto_recharge": Case(
        USAGE, E, {"enabled": True, "threshold": "100.00", "amount": "500.00"}
    ),
    "billing.close_month": Case(USAGE, E, {"month": month(2026, 9)}),
    # Reads that need the right to edit Usage (closing months; the activity report).
    "billing.preview_close": Case(USAGE, V, {"month": month(2026, 9)}, also=((USAGE, E),)),
    "billing.months_to_close": Case(USAGE, V, {"today": TODAY}, also=((USAGE, E),)),
    "activity.activity_start": Case(USAGE, V, {"query": {}, "limit": 50}, also=((USAGE, E),)),
    "activity.activity_page": Case(
        USAGE, V, {"query": {}, "offset": 0, "limit": 50}, also=((USAGE, E),)
    ),
    "activity.activity_count": Case(USAGE, V, {"query": {}}, also=((USAGE, E),)),
    "activity.activity_choices": Case(USAGE, V, {}, also=((USAGE, E),)),
    "activity.verify_audit_chain": Case(USAGE, V, {}, also=((USAGE, E),)),
    # Billing Units tab
    "units.units_overview": Case(UNITS, V, {"today": TODAY}),
    "units.unit_members": Case(UNITS, V, {"unit_id": 1}),
    "units.deletion_impact": Case(UNITS, V, {"unit_id": 1}),
    "units.unit_report": Case(UNITS, V, {"month": OCTOBER}),
    "units.find_unit": Case(UNITS, V, {"name": "Sales"}),
    "units.add_unit": Case(UNITS, E, {"name": "Quality"}),
    "units.rename_unit": Case(UNITS, E, {"unit_id": 2, "name": "Customer Support"}),
    "units.delete_unit": Case(UNITS, E, {"unit_id": 3}),
    "units.restore_unit": Case(
        UNITS, E, {"unit": {"id": 99, "name": "Archive", "user_ids": [], "numbers": []}}
    ),
    "units.assign": Case(UNITS, E, {"unit_id": 1, "user_ids": ["u040"]}),
    "units.unassign": Case(UNITS, E, {"unit_id": 2, "user_ids": ["u004"]}),
    "units.reapply": Case(
        UNITS,
        E,
        {"change": {"unit_id": 1, "unit_name": "Sales", "assigned": True, "user_ids": ["u039"]}},
    ),
    "units.revert": Case(
        UNITS,
        E,
        {"change": {"unit_id": 1, "unit_name": "Sales", "assigned": True, "user_ids": ["u002"]}},
    ),
    # Plans tab
    "overview.apps": Case(PLANS, V, {"today": TODAY}),
    "plans.app_plans": Case(PLANS, V, {"app_id": "app-sales-assistant", "today": TODAY}),
    "plans.change_plan": Case(PLANS, E, {"app_id": "app-sales-assistant", "plan_code": "scale"}),
    "plans.cancel_downgrade": Case(PLANS, E, {"app_id": "app-support-bot"}),
    "plans.change_owner": Case(PLANS, E, {"app_id": "app-voice-ivr", "user_id": "u001"}),
    "plans.add_funds": Case(PLANS, E, {"app_id": "app-legacy-faq", "amount": "100.00"}),
    "plans.request_extension": Case(
        PLANS,
        E,
        {"app_id": "app-recruiting-screener", "reason": "pilot", "requested_end": "2027-01-31"},
    ),
    # Invoices tab
    "statements.invoice_history": Case(INVOICES, V, {"today": TODAY}),
    "statements.invoice_document": Case(INVOICES, V, {"number": "INV-000001"}),
    "statements.statement": Case(INVOICES, V, {"month": OCTOBER, "today": TODAY}),
    "statements.statement_months": Case(INVOICES, V, {"today": TODAY}),
    # documents (issue 23)
    "einvoicing.e_invoice": Case(INVOICES, V, {"number": "INV-000001", "today": TODAY}),
    "archiving.bundle_plan": Case(INVOICES, V, {"month": month(2026, 8)}),
    # Invoices tab: payments, reconciliation and credit notes (issue 18). Writing them takes
    # the right to edit billing (Usage) and to see Invoices.
    "payments.list_payments": Case(INVOICES, V, {}),
    "payments.record_payment": Case(
        USAGE,
        E,
        {"invoice": "INV-000005", "amount": "10.00", "paid_on": "2026-11-20"},
        also=((INVOICES, V),),
    ),
    "payments.void_payment": Case(
        USAGE, E, {"number": "PMT-000001", "reason": "bounced"}, also=((INVOICES, V),)
    ),
    "reconcile.reconciliation": Case(INVOICES, V, {}),
    "reconcile.confirm_lines": Case(
        USAGE, E, {"choices": [["demo-bank-000001", "INV-000006"]]}, also=((INVOICES, V),)
    ),
    "reconcile.dismiss_lines": Case(
        USAGE, E, {"line_ids": ["demo-bank-000002"]}, also=((INVOICES, V),)
    ),
    "credit_notes.creditable": Case(INVOICES, V, {"invoice": "INV-000004"}),
    "credit_notes.issue_credit_note": Case(
        USAGE,
        E,
        {"invoice": "INV-000004", "amount": "1.00", "reason": "goodwill"},
        also=((INVOICES, V),),
    ),
    # Usage tab, issue 20 (branch explain): explain, forecast, what-if
    # va-sessions: its records are conversations, which name apps (plan data)
    "explain.explain_charge": Case(
        USAGE, V, {"month": OCTOBER, "product": "va-sessions", "today": TODAY}
    ),
    "explain.explained_conversations": Case(
        USAGE, V, {"month": OCTOBER, "product": "va-sessions", "offset": 0}
    ),
    "forecast.month_forecast": Case(USAGE, V, {"today": TODAY}),
    "whatif.what_if": Case(
        USAGE,
        V,
        {"month": NOVEMBER, "changes": {"agents": 30}, "today": TODAY},
        also=((UNITS, V),),
    ),
    # Billing Units tab, issue 20 §5 (branch dated-assignments): an assignment's cost preview
    "assignment_preview.preview_assignment": Case(
        UNITS, V, {"unit_id": 1, "user_ids": ["u040"], "today": TODAY}
    ),
    "units.membership_history": Case(UNITS, V, {}),
    # Usage Data tab
    "sessions.sessions_scope": Case(USAGE_DATA, V, {}),
    "sessions.session_statistics": Case(
        USAGE_DATA, V, {"first": "2026-11-01", "last": "2026-11-21"}
    ),
    "usage_data.call_log_start": Case(USAGE_DATA, V, {"query": CALLS, "limit": 50}),
    "usage_data.call_log_page": Case(USAGE_DATA, V, {"query": CALLS, "offset": 0, "limit": 50}),
    "usage_data.call_log_count": Case(USAGE_DATA, V, {"query": CALLS}),
    "statistics.interview_statistics": Case(USAGE_DATA, V, {"today": TODAY}),
    "statistics.sms_statistics": Case(USAGE_DATA, V, {"today": TODAY}),
    "statistics.recording_statistics": Case(USAGE_DATA, V, {"today": TODAY}),
    "quotas.quota_overview": Case(USAGE_DATA, V, {"today": TODAY}),
    # Nobody edits Usage Data (§9): quotas are set by those who edit Usage and see Usage Data.
    "quotas.set_quota": Case(
        USAGE, E, {"statistic": "sms", "quota": 2000}, also=((USAGE_DATA, V),)
    ),
    "quotas.set_packs": Case(
        USAGE,
        E,
        {"statistic": "sms", "packs": [{"name": "SMS 5,000", "volume": 5000, "price": "32.00"}]},
        also=((USAGE_DATA, V),),
    ),
    # Issue 19: My account and payment methods (view Usage to see, edit Usage to change).
    "account.account_details": Case(USAGE, V, {"today": TODAY}),
    "account.update_account": Case(USAGE, E, {"values": {"vat_id": "DE136695976"}}),
    "payment_methods.payment_methods": Case(USAGE, V, {"today": TODAY}),
    "payment_methods.add_card": Case(
        USAGE,
        E,
        {"brand": "Visa", "last_four": "1881", "expiry": "12/29", "holder": "Test Holder"},
    ),
    "payment_methods.add_bank_account": Case(USAGE, E, {"name": "Payroll", "last_four": "0130"}),
    "payment_methods.remove_payment_method": Case(USAGE, E, {"method_id": 2}),
    "payment_methods.set_default_payment_method": Case(USAGE, E, {"method_id": 1}),
    "recording_storage.recording_storage": Case(USAGE_DATA, V, {"today": TODAY}),
    "prepaid.prepaid_invoices": Case(USAGE, V, {"today": TODAY}),
    "prepaid.issue_prepaid_invoice": Case(USAGE, E, {"amount": "500.00"}, ok=422),
    "prepaid.mark_prepaid_paid": Case(USAGE, E, {"number": "PRE-000001"}),
    # branch autopay-packs: auto-pay (Usage edit runs it, Invoices view shows it) and packs.
    "auto_pay.auto_pay_status": Case(INVOICES, V, {"today": TODAY}),
    "auto_pay.apply_auto_pay": Case(USAGE, E, {}),
    "pack_purchases.pack_purchases": Case(USAGE_DATA, V, {}),
    "pack_purchases.buy_pack": Case(
        USAGE, E, {"statistic": "interviews", "pack": "Interviews 100"}, also=((USAGE_DATA, V),)
    ),
    # Extension decisions: Plans edit, and admins only (Edit Billing may ask, not grant).
    "plan_extensions.approve_extension": Case(
        PLANS,
        E,
        {"app_id": "app-legacy-faq", "until": "2027-01-31"},
        only=("admin",),
    ),
    "plan_extensions.reject_extension": Case(
        PLANS, E, {"app_id": "app-sales-assistant", "reason": "budget"}, only=("admin",)
    ),
}


def test_every_operation_has_a_case() -> None:
    """A new endpoint must be added to the table above (its tab and valid arguments)."""
    assert set(CASES) == set(OPERATIONS)
    for name, case in CASES.items():
        assert OPERATIONS[name].writes == (case.need == E), name


# Each role on its own server and store, so the writes one role makes never change what
# another role's calls find; within a role every case works whatever order they run in.
@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("operation", list(CASES))
def test_role_by_endpoint(servers: Servers, operation: str, role: str) -> None:
    case = CASES[operation]
    api = servers.get(role)
    response = api.call(operation, case.arguments, role)
    if case.allows(role):
        assert response.status_code == case.ok, (operation, role, response.text)
        if level(role, PLANS) == N:
            # Contents, not only the status: no plan, no app, no app pool ("app:<id>").
            assert plan_data_in(response.text, plan_words(api.store)) == [], operation
            assert "app:" not in response.text, operation
    else:
        assert response.status_code == 403, (operation, role, response.text)
        body = response.json()
        assert body["error"] == "PermissionDenied"
        assert set(body) == {"error", "message", "detail"}


# --- no plan data for users without the Plans tab -----------------------------------------------

# What an app's plan looks like in a response (the app rows and plan objects of the Plans tab).
PLAN_KEYS = frozenset(
    {"pending_plan", "plan_ends_on", "plan_code", "monthly_price", "included_sessions"}
)


def plan_words(store: SqlStore) -> frozenset[str]:
    """The codes and names of the workspace's plans and the ids and names of its apps (the
    Plans tab's rows), lower case."""
    with store() as uow:
        rows = uow.connection.execute(sa.select(t.plans.c.code, t.plans.c.name)).all()
        rows += uow.connection.execute(sa.select(t.apps.c.id, t.apps.c.name)).all()
    return frozenset(word.lower() for row in rows for word in row)


def plan_data_in(text: str, words: frozenset[str]) -> list[str]:
    """Plan codes or names anywhere in a JSON response (as values, keys or words of a text),
    and the keys of plan fields."""
    found: list[str] = []

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for name, item in value.items():
                if name in PLAN_KEYS or name.lower() in words:
                    found.append(f"key {name}")
                walk(item, name)
        elif isinstance(value, list):
            for item in value:
                walk(item, key)
        elif isinstance(value, str) and value.lower() in words:
            found.append(f"{key}={value}")

    walk(json.loads(text))
    for word in words:
        found.extend(
            f"text {match.group(0)!r}"
            for match in re.finditer(rf"\b{re.escape(word)}\b", text, re.IGNORECASE)
        )
    return found


def test_the_plan_data_check_finds_plan_data(servers: Servers) -> None:
    """The check above would see plan data: it finds it in what an admin gets from Plans."""
    api = servers.get("admin")
    words = plan_words(api.store)
    assert {"starter", "growth", "scale", "enterprise"} <= words
    assert {"sales assistant", "app-sales-assistant"} <= words
    for operation in ("overview.apps", "plans.app_plans"):
        response = api.call(operation, CASES[operation].arguments, "admin")
        assert response.status_code == 200
        assert plan_data_in(response.text, words), operation


def test_a_shared_account_user_is_refused_every_plans_endpoint(servers: Servers) -> None:
    api = servers.get("shared")
    plans_endpoints = [name for name, case in CASES.items() if case.tab == PLANS]
    assert len(plans_endpoints) == 9
    for role in ("shared", "shared_edit_billing"):
        for operation in plans_endpoints:
            response = api.call(operation, CASES[operation].arguments, role)
            assert response.status_code == 403, (role, operation)
            assert plan_data_in(response.text, plan_words(api.store)) == []


# --- imports ---------------------------------------------------------------------------------

IMPORTS = {
    # kind: (tabs whose edit right it needs, a valid one-row file)
    "sms": ((USAGE,), "id,type,campaign,sent_at\n{id},outbound,Fall hiring,2026-11-20T10:00:00Z\n"),
    "plans": (
        (USAGE, PLANS),
        "code,name,monthly_price,included_sessions,rank\n{id},Test {id},9.00,100,9\n",
    ),
}


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("kind", list(IMPORTS))
def test_imports_by_role(servers: Servers, kind: str, role: str) -> None:
    tabs, text = IMPORTS[kind]
    api = servers.get(role)
    response = api.client.post(
        f"/api/v1/imports/{kind}",
        content=text.format(id=f"t-{role}").encode(),
        params={"file_name": f"{kind}.csv"},
        headers=api.headers(
            role, **{"Content-Type": "text/csv", "Idempotency-Key": f"import-{kind}-{role}"}
        )
        | {"If-Match": "*"},
    )
    if all(allowed(role, tab, E) for tab in tabs):
        assert response.status_code == 200, response.text
        assert response.json()["added"] == 1
    else:
        assert response.status_code == 403, response.text
        assert response.json()["error"] == "PermissionDenied"


# --- sign-in ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer bdt_not-a-token",
        "Basic dTAwMTpzZWNyZXQ=",
        "bdt_no-scheme",
    ],
)
def test_without_a_valid_token_every_endpoint_is_401(
    lenient_api: Api, authorization: str | None
) -> None:
    api = lenient_api
    headers = {} if authorization is None else {"Authorization": authorization}
    for operation, case in CASES.items():
        response = api.call(operation, case.arguments, role=None, headers=headers)
        assert response.status_code == 401, (operation, response.text)
        assert response.json()["error"] == "Unauthorized"
    response = api.client.post(
        "/api/v1/imports/sms",
        content=b"id,type,campaign,sent_at\n",
        headers={**headers, "Idempotency-Key": "k", "If-Match": "*"},
    )
    assert response.status_code == 401


def test_a_revoked_token_is_401(api: Api) -> None:
    token = api.token("admin")
    assert api.call("units.units_overview", {}).status_code == 200
    with api.store() as uow:
        uow.connection.execute(
            t.api_tokens.update()
            .where(t.api_tokens.c.token_hash == hash_token(token))
            .values(revoked_at=datetime.now(UTC))
        )
        uow.commit()
    # The server keeps a valid sign-in for at most Limits.sign_in_cache: refused within it.
    bound = Limits().sign_in_cache.total_seconds()
    started = time.monotonic()
    while api.call("units.units_overview", {}).status_code == 200:
        assert time.monotonic() - started < bound + 1.0, "still signed in past the bound"
        time.sleep(0.05)
    for operation, arguments in (
        ("units.units_overview", {}),
        ("units.add_unit", {"name": "After revoking"}),
    ):
        response = api.call(operation, arguments)
        assert response.status_code == 401, response.text
        assert "revoked" in response.json()["message"]
    with api.store() as uow:  # the refused write left nothing behind
        assert "After revoking" not in [unit.name for unit in uow.units.all()]


def test_tokens_create_prints_a_token_once_and_stores_its_hash(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    store_file = api.store.engine.url.database
    user = api.users["supervisor"]
    assert cli.main(["--store", str(store_file), "tokens", "create", "--user", user]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.splitlines()
    assert len(lines) == 1
    token = lines[0]
    assert token.startswith("bdt_") and len(token) > 40
    with api.store() as uow:
        rows = uow.connection.execute(sa.select(t.api_tokens)).mappings().all()
    mine = [row for row in rows if row["token_hash"] == hash_token(token)]
    assert len(mine) == 1
    assert mine[0]["user_id"] == user
    assert mine[0]["created_by"] == api.users["admin"]
    assert all(token not in str(dict(row)) for row in rows)
    api.store.dispose()
    assert token.encode() not in Path(str(store_file)).read_bytes()
    # It signs in as that user: a supervisor sees Billing Units and not Plans.
    headers = {"Authorization": f"Bearer {token}"}
    workspace = api.client.post("/api/v1/overview/workspace", json={}, headers=headers)
    assert workspace.status_code == 200
    assert workspace.json()["actor"]["user_id"] == user
    apps = api.client.post("/api/v1/overview/apps", json={}, headers=headers)
    assert apps.status_code == 403
    # A second token for the same user is another token; the first keeps working.
    assert cli.main(["--store", str(store_file), "tokens", "create", "--user", user]) == 0
    second = capsys.readouterr().out.strip()
    assert second != token
    assert (
        api.client.post("/api/v1/overview/workspace", json={}, headers=headers).status_code == 200
    )


def test_tokens_create_for_an_unknown_user_is_refused(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    store_file = api.store.engine.url.database
    with api.store() as uow:
        before = uow.connection.execute(sa.select(sa.func.count()).select_from(t.api_tokens))
        count = before.scalar()
    assert cli.main(["--store", str(store_file), "tokens", "create", "--user", "nobody"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "nobody" in err
    with api.store() as uow:
        after = uow.connection.execute(sa.select(sa.func.count()).select_from(t.api_tokens))
        assert after.scalar() == count


def test_only_an_admin_issues_tokens(api: Api, capsys: pytest.CaptureFixture[str]) -> None:
    store_file = str(api.store.engine.url.database)

    def tokens() -> int:
        with api.store() as uow:
            count = sa.select(sa.func.count()).select_from(t.api_tokens)
            return int(uow.connection.execute(count).scalar() or 0)

    before = tokens()
    supervisor = api.users["supervisor"]
    command = ["--store", store_file, "--user", supervisor, "tokens", "create", "--user", "x"]
    assert cli.main(command) == 2
    assert "is not an admin" in capsys.readouterr().err
    assert tokens() == before
    admin = ["--store", store_file, "--user", api.users["admin"], "tokens", "create"]
    assert cli.main([*admin, "--user", supervisor]) == 0
    assert tokens() == before + 1
