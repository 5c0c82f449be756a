"""No plan money for users without the Plans right (PRODUCT §9, §10; issue 15 §3).

An admin adds funds to an app: a ledger row in the app's pool ``app:<id>`` ("Funds added to
app Sales Assistant", APP-000001). Over HTTP, every endpoint that returns ledger rows or
balances made of them (and the sessions scope, which lists apps) is read as the shared-account
user before and after: what they get does not change at all, and carries no app name or id,
no ``app:`` pool, no APP- reference, no funds amount and no app balance; the admin's answer
does show the funds. The check is on the response *contents*, not the status code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

import pytest

from billing_desktop.services.context import resolve_actor
from billing_desktop.services.plans import add_funds
from tests.server.conftest import Api

TODAY = "2026-11-21"
FUNDED_ON = date(2026, 11, 21)
NOVEMBER = {"year": 2026, "month": 11}
APP = "app-sales-assistant"
FUNDS = "4321.98"
DESCRIPTION = "Funds added to app Sales Assistant"

# Every read that returns ledger rows, balances summed over the ledger's pools, or apps; and
# what the admin's answer shows of the funds once added (None: nothing: the figure is the
# account's own, which app funds never pay into).
LEDGER_READS: dict[str, tuple[Mapping[str, Any], tuple[str, ...] | None]] = {
    "usage_page.transactions": ({"month": NOVEMBER}, (DESCRIPTION, FUNDS, "app:")),
    "usage_page.usage_page": ({"month": NOVEMBER, "today": TODAY}, (DESCRIPTION, FUNDS)),
    "billing.usage_summary": ({"month": NOVEMBER, "today": TODAY}, None),
    "statements.invoice_history": ({"today": TODAY}, (DESCRIPTION, FUNDS, "APP-000001")),
    "statements.statement": ({"month": NOVEMBER, "today": TODAY}, (DESCRIPTION, FUNDS)),
    "statements.statement_months": ({"today": TODAY}, None),
    "sessions.sessions_scope": ({}, ("Sales Assistant", APP)),
}


def app_words(api: Api) -> list[str]:
    """What would give an app away: its ids, names and balances, the funds' amount and
    reference, and the pool prefix."""
    with api.store() as uow:
        apps = uow.apps.all()
    words = [FUNDS, "APP-000001", "app:"]
    for app in apps:
        words += [app.id, app.name, f"{app.balance:.2f}"]
    return words


def leaks(text: str, words: list[str]) -> list[str]:
    return [
        word
        for word in words
        if re.search(rf"(?<![\w.]){re.escape(word)}(?![\w]|\.\d)", text, re.IGNORECASE)
    ]


def add_app_funds(api: Api) -> None:
    with api.store() as uow:
        admin = resolve_actor(uow, api.users["admin"])
        add_funds(uow, admin, APP, FUNDS, today=FUNDED_ON)
        uow.commit()


def read(api: Api, operation: str, arguments: Mapping[str, Any], role: str) -> Any:
    response = api.call(operation, arguments, role)
    assert response.status_code == 200, (operation, role, response.text)
    return response


def without_clock(data: Any) -> Any:
    """A read without the moment it was made (``sessions_scope``'s "now"): data, not clock."""
    return {k: v for k, v in data.items() if k != "now"} if isinstance(data, dict) else data


@pytest.mark.parametrize("operation", list(LEDGER_READS))
def test_app_funds_change_nothing_a_shared_user_reads(api: Api, operation: str) -> None:
    arguments, admin_sees = LEDGER_READS[operation]
    before = without_clock(read(api, operation, arguments, "shared").json())
    admin_before = without_clock(read(api, operation, arguments, "admin").json())
    add_app_funds(api)
    words = app_words(api)

    after = read(api, operation, arguments, "shared")
    assert leaks(after.text, words) == [], operation
    assert without_clock(after.json()) == before, operation  # not a row, not a cent moved

    admin_read = read(api, operation, arguments, "admin")
    admin_after = admin_read.text
    if admin_sees is None:
        assert without_clock(admin_read.json()) == admin_before, operation
    else:
        for shown in admin_sees:
            assert shown in admin_after, (operation, shown)
        assert leaks(admin_after, words), operation  # the check above would see the leak


@pytest.mark.parametrize("role", ["shared", "shared_edit_billing", "supervisor"])
def test_no_user_without_plans_reads_app_funds(api: Api, role: str) -> None:
    add_app_funds(api)
    words = app_words(api)
    for operation, (arguments, _shown) in LEDGER_READS.items():
        if operation.startswith("statements.") and role == "supervisor":
            continue  # supervisors do not see Invoices at all (403, tested by role)
        response = read(api, operation, arguments, role)
        assert leaks(response.text, words) == [], (role, operation)


def test_the_receipt_of_app_funds_is_the_admins_only(api: Api) -> None:
    add_app_funds(api)
    words = app_words(api)
    admin = read(api, "statements.invoice_document", {"number": "APP-000001"}, "admin")
    assert DESCRIPTION in admin.text and FUNDS in admin.text
    assert "app's balance" in admin.text  # not "added to your credit": it is the app's
    shared = api.call("statements.invoice_document", {"number": "APP-000001"}, "shared")
    assert shared.status_code == 404, shared.text  # as if there were no such order
    assert leaks(shared.text.replace("APP-000001", ""), words) == []


def test_sessions_of_one_app_are_refused_without_naming_any_app(api: Api) -> None:
    arguments = {"first": "2026-11-01", "last": "2026-11-21", "app": APP}
    words = [w for w in app_words(api) if w != APP]
    admin = read(api, "sessions.session_statistics", arguments, "admin")
    assert admin.json()["app"] == APP
    for app in (APP, "no-such-app"):
        shared = api.call("sessions.session_statistics", {**arguments, "app": app}, "shared")
        assert shared.status_code == 403, shared.text
        assert shared.json()["error"] == "PermissionDenied"
        assert leaks(shared.text, words) == [], app
