"""Prepaid invoices (issue 19 §4): own gap-free numbers, credit only once paid, listed with
their status in Invoices, printed as an invoice, the store stays sound; the command."""

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
from billing_desktop.reports.invoice import render_invoice
from billing_desktop.services import prepaid, statements
from billing_desktop.services.billing import usage_summary
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.integrity import ledger_problems
from tests.integration.pdf_text import pdf_text, squeeze
from tests.usage_workspace import build

TODAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


@pytest.fixture
def acme(store: SqlStore) -> SqlStore:
    with store() as uow:
        build(uow, TODAY, m.PaymentMethod.INVOICE)
        uow.commit()
    return store


def write(store: SqlStore, action: Any, *args: Any, user: str | None = None) -> Any:
    with store() as uow:
        actor = resolve_actor(uow, user)
    return store.write(action, actor, *args, today=TODAY, now=NOW)


def balance(store: SqlStore) -> Decimal:
    with store() as uow:
        return usage_summary(uow, resolve_actor(uow, None), None, TODAY).balance


def test_the_credit_comes_only_when_it_is_paid(acme: SqlStore) -> None:
    before = balance(acme)
    first = write(acme, prepaid.issue_prepaid_invoice, "500")
    second = write(acme, prepaid.issue_prepaid_invoice, "250.00")
    assert balance(acme) == before  # issued, not paid: no credit
    assert (first.number, second.number) == ("PRE-000001", "PRE-000002")
    assert first.due_on == date(2026, 12, 21) and first.status == m.InvoiceStatus.ISSUED
    with acme() as uow:
        credits_rows = [e for e in uow.ledger.all() if e.pool == m.CREDITS_POOL]
        assert not any(e.reference.startswith("PRE-") for e in credits_rows)
    paid = write(acme, prepaid.mark_prepaid_paid, "PRE-000001")
    assert paid.status == m.InvoiceStatus.PAID and paid.credited
    with pytest.raises(InvalidInput, match="paid already"):
        write(acme, prepaid.mark_prepaid_paid, "PRE-000001")
    with acme() as uow:
        credit = [
            e for e in uow.ledger.all() if e.pool == m.CREDITS_POOL and e.reference == "PRE-000001"
        ]
        assert [(e.kind, e.amount) for e in credit] == [(m.LedgerKind.PURCHASE, Decimal("500.00"))]
        assert ledger_problems(uow) == []
        listed = prepaid.prepaid_invoices(uow, resolve_actor(uow, None), TODAY)
        history = statements.invoice_history(uow, resolve_actor(uow, None), today=TODAY)
    assert [(i.number, i.status) for i in listed] == [
        ("PRE-000002", m.InvoiceStatus.ISSUED), ("PRE-000001", m.InvoiceStatus.PAID),
    ]  # fmt: skip
    rows = {r.number: r for r in history.rows}
    assert rows["PRE-000001"].status == m.InvoiceStatus.PAID
    assert rows["PRE-000001"].description == "Prepaid credit"
    assert [r.kind for r in history.rows if r.number == "PRE-000001"] == [
        statements.DocumentKind.INVOICE
    ]  # its credit row is not listed as a receipt of its own
    # The paid invoice's credit is in the month's balance; the unpaid one adds nothing yet.
    assert balance(acme) == before + Decimal("500.00")


def test_it_prints_as_an_invoice(acme: SqlStore) -> None:
    write(acme, prepaid.issue_prepaid_invoice, "500")
    with acme() as uow:
        document = statements.invoice_document(uow, resolve_actor(uow, None), "PRE-000001", TODAY)
    assert document.total == Decimal("500.00") and document.period is None
    text = squeeze(pdf_text(render_invoice(document).data))
    assert "PRE-000001" in text and squeeze("Prepaid credit") in text


def test_who_may_and_which_accounts(acme: SqlStore, store: SqlStore) -> None:
    with pytest.raises(PermissionDenied, match="edit Usage"):
        write(acme, prepaid.issue_prepaid_invoice, "500", user="sam")
    assert write(acme, prepaid.issue_prepaid_invoice, "500", user="eve").number == "PRE-000001"
    with pytest.raises(InvalidInput, match="more than zero"):
        write(acme, prepaid.issue_prepaid_invoice, "0")
    from billing_desktop.services.account import update_account

    with acme() as uow:
        actor = resolve_actor(uow, None)
    acme.write(update_account, actor, {"payment_method": "credit_card"}, TODAY, NOW)
    with pytest.raises(InvalidInput, match="pays by credit card"):
        write(acme, prepaid.issue_prepaid_invoice, "500")


def test_the_command(acme: SqlStore, store_path: Path, capsys: Any) -> None:
    def run(*args: str) -> int:
        return cli.main(["--store", str(store_path), "prepaid", *args])

    assert run("--amount", "120.50") == 0
    assert capsys.readouterr().out.startswith("Prepaid invoice PRE-000001 of $120.50 issued")
    assert run() == 2
    assert "needs --amount" in capsys.readouterr().err
    assert run("mark-paid", "PRE-000001", "--json") == 0
    assert json.loads(capsys.readouterr().out)["status"] == "paid"
    assert run("list") == 0
    assert "PRE-000001" in capsys.readouterr().out
    assert run("mark-paid", "INV-000001") == 2
    assert "no prepaid invoice INV-000001" in capsys.readouterr().err


def test_a_recorded_payment_that_pays_a_prepaid_invoice_adds_its_credit_once(
    acme: SqlStore,
) -> None:
    """Payments recorded against a prepaid invoice (issue 18) settle it; the one that pays it in
    full adds its credit, as marking it paid does, and only once."""
    from billing_desktop.services.payments import record_payment

    before = balance(acme)
    write(acme, prepaid.issue_prepaid_invoice, "300.00")
    with acme() as uow:
        actor = resolve_actor(uow, None)
        record_payment(uow, actor, "PRE-000001", "100.00", TODAY, now=NOW)
        uow.commit()
    assert balance(acme) == before  # partly paid: no credit yet
    with acme() as uow:
        record_payment(uow, resolve_actor(uow, None), "PRE-000001", "200.00", TODAY, now=NOW)
        uow.commit()
    assert balance(acme) == before + Decimal("300.00")
    with acme() as uow:
        purchases = [
            e for e in uow.ledger.all()
            if e.reference == "PRE-000001" and e.kind == m.LedgerKind.PURCHASE
        ]  # fmt: skip
        assert len(purchases) == 1
        assert ledger_problems(uow) == []
