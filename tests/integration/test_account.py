"""My account (issue 19 §1): fields, rights, audit, the currency, time-zone and payment-method
rules, the customer block of invoices, and the `account` command."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from billing_desktop import cli
from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.errors import InvalidInput, PermissionDenied
from billing_desktop.domain.metering import CALLS, rollup_deltas
from billing_desktop.domain.periods import Month
from billing_desktop.reports.invoice import render_invoice
from billing_desktop.services import account, credits, statements
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.month_close import close_month
from tests.integration.pdf_text import pdf_text, squeeze
from tests.usage_workspace import build

TODAY = date(2026, 11, 21)
SHARED = m.User("shay", "Shared Desk", "desk@example.com", m.Role.SHARED)
AGENT = m.User("alex", "Alex Agent", "alex@example.com", m.Role.AGENT)
NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


@pytest.fixture
def acme(store: SqlStore) -> SqlStore:
    with store() as uow:
        build(uow, TODAY)
        uow.users.add_many([SHARED, AGENT])
        uow.commit()
    return store


def _set(store: SqlStore, values: dict[str, str], user: str | None = None) -> account.AccountChange:
    with store() as uow:
        actor = resolve_actor(uow, user)
    return store.write(account.update_account, actor, values, TODAY, NOW)


def test_every_field_is_checked_saved_and_audited_in_one_row(acme: SqlStore) -> None:
    change = _set(
        acme,
        {
            "name": "Acme Recruiting GmbH",
            "contacts": "billing@acme.example; ap@acme.example, billing@acme.example",
            "address": "Acme Recruiting GmbH\nHauptstr. 1\n\n10115 Berlin",
            "vat_id": "de 136 695 976",
            "plan": "enterprise",
            "commit_scope": "account",
        },
    )
    assert change.changed == ("name", "contacts", "address", "vat_id", "plan", "commit_scope")
    details = change.details
    assert details.contacts == ("billing@acme.example", "ap@acme.example")
    assert details.address == ("Acme Recruiting GmbH", "Hauptstr. 1", "10115 Berlin")
    assert details.vat_id == "DE136695976"
    with acme() as uow:
        stored = uow.account.get()
        assert stored is not None and stored.plan == m.PlanTier.ENTERPRISE
        assert stored.commit_scope == m.CommitScope.ACCOUNT
        rows = [a for a in uow.audit.recent() if a.action == "account-changed"]
        assert len(rows) == 1
        assert rows[0].before == {
            "name": "Acme Recruiting",
            "contacts": [],
            "address": [],
            "vat_id": "",
            "plan": "pro",
            "commit_scope": "product",
        }
        assert rows[0].after is not None and rows[0].after["vat_id"] == "DE136695976"
        assert uow.versions.get("workspace") >= 1
    assert _set(acme, {"vat_id": "DE136695976"}).changed == ()  # the same value: nothing


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("contacts", "billing@acme", "not an e-mail address"),
        ("vat_id", "DE136695977", "not a valid VAT id"),
        ("address", "\n".join(f"line {n}" for n in range(6)), "at most 5 lines"),
        ("timezone", "Mars/Olympus", "not a time zone"),
        ("timezone", "localtime", "depends on the machine"),
        ("plan", "gold", "not one of"),
        ("name", " ", "Name: enter the account's name"),
        ("colour", "blue", "not a field of the account"),
    ],
)
def test_bad_values_name_the_field_and_nothing_is_written(
    acme: SqlStore, field: str, value: str, problem: str
) -> None:
    with pytest.raises(InvalidInput, match=problem):
        _set(acme, {"vat_id": "DE136695976", field: value})
    with acme() as uow:
        assert account.account_details(uow, resolve_actor(uow, None), TODAY).vat_id == ""


def test_who_may_view_and_who_may_change(acme: SqlStore) -> None:
    with acme() as uow:
        for user in ("ada", "sam", "shay", "eve"):
            details = account.account_details(uow, resolve_actor(uow, user), TODAY)
            assert details.can_edit == (user in ("ada", "eve")), user
        with pytest.raises(PermissionDenied):
            account.account_details(uow, resolve_actor(uow, "alex"), TODAY)
    for user in ("sam", "shay"):
        with pytest.raises(PermissionDenied, match="edit Usage"):
            _set(acme, {"name": "Taken over"}, user)
    assert _set(acme, {"name": "Edited by Eve"}, "eve").changed == ("name",)


def test_the_currency_is_frozen_once_a_money_row_exists(store: SqlStore) -> None:
    with store() as uow:
        build(uow, TODAY)
        uow.commit()
    assert _set(store, {"currency": "EUR"}).details.currency == "EUR"  # no money rows yet
    with store(write=True) as uow:
        credits.purchase_credits(uow, resolve_actor(uow, None), "10", today=TODAY, now=NOW)
        uow.commit()
    with pytest.raises(InvalidInput, match="cannot change once the account has money rows"):
        _set(store, {"currency": "USD"})
    with store() as uow:
        assert account.account_details(uow, resolve_actor(uow, None), TODAY).currency_locked


def test_switching_to_invoice_switches_auto_recharge_off_and_says_so(acme: SqlStore) -> None:
    with acme(write=True) as uow:
        credits.set_auto_recharge(uow, resolve_actor(uow, None), True, "10", "50", now=NOW)
        uow.commit()
    change = _set(acme, {"payment_method": "invoice"})
    assert any("Auto-recharge is now off" in text for text in change.messages)
    with acme() as uow:
        setting = credits.auto_recharge_settings(uow)
        assert not setting.enabled and setting.amount == Decimal("50.00")  # amounts kept
    back = _set(acme, {"payment_method": "credit_card"})
    assert back.messages == ()  # the demo card is on file and valid


def _call_hours(store: SqlStore, first: date, last: date) -> dict[tuple[date, int], Decimal]:
    with store() as uow:
        rows = uow.rollups.rows(first, last, [CALLS])
    return {(r.day, r.hour): r.quantity for r in rows if r.quantity}


def test_a_time_zone_change_counts_from_the_first_open_month_and_keeps_closed_ones(
    acme: SqlStore,
) -> None:
    with acme(write=True) as uow:
        actor = resolve_actor(uow, None)
        close_month(uow, actor, Month(2026, 9), TODAY, NOW)
        close_month(uow, actor, Month(2026, 10), TODAY, NOW)
        uow.commit()
    with acme() as uow:
        closed_lines = uow.closing.lines(date(2026, 10, 1))
        october = uow.rollups.totals(date(2026, 10, 1), date(2026, 10, 31))
        november_calls = [
            c for c in uow.calls.all() if c.started_at >= datetime(2026, 11, 1, tzinfo=UTC)
        ]
    change = _set(acme, {"timezone": "America/New_York"})
    assert "counts from 2026-11" in " ".join(change.messages)
    with acme() as uow:
        assert uow.closing.lines(date(2026, 10, 1)) == closed_lines  # never re-bucketed
        assert uow.rollups.totals(date(2026, 10, 1), date(2026, 10, 31)) == october
        assert uow.rollups.totals(date(2026, 11, 1), date(2026, 11, 30))[CALLS] == len(
            november_calls
        )
    # November's calls are at 00:00-09:00 UTC on the 1st: 19:00-04:00 in New York, so those
    # before local midnight stay in the open month's first hour, the rest move to local hours.
    from zoneinfo import ZoneInfo

    expected: dict[tuple[date, int], Decimal] = {}
    for (day, hour, _app, measure), quantity in rollup_deltas(
        november_calls, ZoneInfo("America/New_York")
    ).items():
        if measure == CALLS:
            key = (day, hour) if day >= date(2026, 11, 1) else (date(2026, 11, 1), 0)
            expected[key] = expected.get(key, Decimal(0)) + quantity
    assert _call_hours(acme, date(2026, 11, 1), date(2026, 11, 30)) == expected
    # 00:00-03:00 UTC are still Oct 31 in New York (EDT until 06:00 UTC), 04:00 UTC is midnight.
    assert expected[(date(2026, 11, 1), 0)] == 5
    with acme() as uow:
        assert uow.account.get().timezone == "America/New_York"  # type: ignore[union-attr]


def test_the_address_and_vat_id_are_in_the_customer_block_of_invoices(acme: SqlStore) -> None:
    with acme(write=True) as uow:
        actor = resolve_actor(uow, None)
        close_month(uow, actor, Month(2026, 9), TODAY, NOW)
        report = close_month(uow, actor, Month(2026, 10), TODAY, NOW)
        uow.commit()
    assert report.invoice is not None
    number = report.invoice.number
    _set(acme, {"address": "Hauptstr. 1\n10115 Berlin", "vat_id": "DE136695976"})
    with acme() as uow:
        document = statements.invoice_document(uow, resolve_actor(uow, None), number, TODAY)
    assert document.account.lines == ("Hauptstr. 1", "10115 Berlin", "VAT id: DE136695976")
    text = squeeze(pdf_text(render_invoice(document).data))
    assert squeeze("Acme Recruiting Hauptstr. 1 10115 Berlin VAT id: DE136695976") in text


def run(store_path: Path, *args: str) -> int:
    return cli.main(["--store", str(store_path), *args])


def test_the_account_command_shows_and_sets(acme: SqlStore, store_path: Path, capsys: Any) -> None:
    assert run(store_path, "account", "set", "vat_id", "DE136695976") == 0
    assert capsys.readouterr().out.strip() == "Saved vat id."
    assert run(store_path, "account", "set", "address", r"Hauptstr. 1\n10115 Berlin") == 0
    capsys.readouterr()
    assert run(store_path, "account", "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["vat_id"] == "DE136695976"
    assert shown["address"] == ["Hauptstr. 1", "10115 Berlin"]
    assert run(store_path, "account") == 0
    shown_text = capsys.readouterr().out.splitlines()
    assert "VAT id                DE136695976" in shown_text
    assert "Payment terms (days)  30" in shown_text
    assert run(store_path, "account", "set", "contacts", "not-an-address") == 2
    assert "Billing contacts: 'not-an-address' is not an e-mail address" in capsys.readouterr().err
    assert run(store_path, "--user", "sam", "account", "set", "name", "X") == 2
    assert "edit Usage" in capsys.readouterr().err
    with acme() as uow:
        assert uow.account.get().name == "Acme Recruiting"  # type: ignore[union-attr]


def test_payment_terms_date_the_invoices_of_months_closed_afterwards(acme: SqlStore) -> None:
    with pytest.raises(InvalidInput, match="whole days from 0 to 120"):
        _set(acme, {"payment_terms": "121"})
    with pytest.raises(InvalidInput, match="give one e-mail address"):
        _set(acme, {"invoice_email": "a@acme.example, b@acme.example"})
    change = _set(acme, {"payment_terms": "14", "invoice_email": "ap@acme.example"})
    assert (change.details.payment_terms, change.details.invoice_email) == (14, "ap@acme.example")
    with acme(write=True) as uow:
        actor = resolve_actor(uow, None)
        close_month(uow, actor, Month(2026, 9), TODAY, NOW)
        report = close_month(uow, actor, Month(2026, 10), TODAY, NOW)
        uow.commit()
    assert report.invoice is not None
    assert report.invoice.issued_on == date(2026, 11, 1)
    assert report.invoice.due_on == date(2026, 11, 15)
