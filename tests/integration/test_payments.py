"""Payments of invoices, credit notes and bank reconciliation on a real store (issue 18 §2, §3).

The workspace is the usage workspace with October 2026 closed as ``close-month`` writes it:
invoice INV-000001 of 400.00 with two lines (VOICE 300.00, SMS 100.00), issued on
1 November, due on 1 December.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.cli import main
from billing_desktop.domain import model as m
from billing_desktop.domain.errors import (
    ImportFailed,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from billing_desktop.domain.periods import Month
from billing_desktop.reports.invoice import render_invoice
from billing_desktop.reports.statement import render_statement
from billing_desktop.services import credit_notes, payments, reconcile
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.imports import import_file
from billing_desktop.services.integrity import ledger_problems
from billing_desktop.services.receivables import left_on_invoices
from billing_desktop.services.statements import (
    DocumentKind,
    invoice_document,
    invoice_history,
    statement,
)
from billing_desktop.store.ports import ClosedMonth, MonthLine, UnitOfWork
from tests.integration.pdf_text import pdf_text
from tests.usage_workspace import build

D = Decimal
TODAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
OCTOBER = date(2026, 10, 1)
INVOICE = "INV-000001"


def line(product: str, charged: str) -> MonthLine:
    amount = D(charged)
    return MonthLine(product, D(1000), D(0), D(0), D("0.01"), amount, D(0), amount, -amount)


def close_october(uow: UnitOfWork, amounts: tuple[str, str] = ("300.00", "100.00")) -> None:
    """What close-month writes for October: its lines, the invoice and its ledger row."""
    lines = [line("VOICE", amounts[0]), line("SMS", amounts[1])]
    total = sum((x.charged for x in lines), D(0))
    closed = ClosedMonth(OCTOBER, NOW, "ada", INVOICE)
    uow.closing.add(closed, lines)
    uow.invoices.add_many(
        [m.Invoice(INVOICE, date(2026, 11, 1), OCTOBER, total, m.InvoiceStatus.ISSUED,
                   date(2026, 12, 1))]
    )  # fmt: skip
    uow.ledger.add_many(
        [m.LedgerEntry(date(2026, 11, 1), m.LedgerKind.INVOICE, -total, reference=INVOICE,
                       description="Invoice for October 2026")]
    )  # fmt: skip


@pytest.fixture
def acme(store: SqlStore) -> SqlStore:
    with store() as uow:
        build(uow, TODAY)
        close_october(uow)
        uow.commit()
    return store


def run(store: SqlStore, action: Callable[..., Any], *args: Any, user: str | None = None,
        **kwargs: Any) -> Any:  # fmt: skip
    with store(write=True) as uow:
        result = action(uow, resolve_actor(uow, user), *args, now=NOW, **kwargs)
        uow.commit()
    return result


def left(store: SqlStore) -> Decimal:
    with store() as uow:
        return left_on_invoices(uow)[INVOICE]


def status(store: SqlStore) -> tuple[m.InvoiceStatus, Decimal]:
    with store() as uow:
        rows = invoice_history(uow, resolve_actor(uow, None), today=TODAY).rows
    (row,) = [r for r in rows if r.number == INVOICE]
    return row.status, row.left


def pools(store: SqlStore) -> dict[str, Decimal]:
    with store() as uow:
        return uow.ledger.pool_totals(before=date.max)


def check(store: SqlStore) -> list[str]:
    with store() as uow:
        return ledger_problems(uow)


# --- payments --------------------------------------------------------------------------------


def test_a_partial_payment_leaves_the_invoice_partly_paid_with_what_is_left(acme: SqlStore) -> None:
    assert status(acme) == (m.InvoiceStatus.ISSUED, D("400.00"))
    result = run(acme, payments.record_payment, "inv-000001", "150.00", date(2026, 11, 10),
                 "bank transfer", "INV-000001 part", "Acme Corp")  # fmt: skip
    assert result.payment.number == "PMT-000001"
    assert (result.payment.applied, result.payment.to_credit, result.left) == (
        D("150.00"),
        D("0.00"),
        D("250.00"),
    )
    assert status(acme) == (m.InvoiceStatus.PARTLY_PAID, D("250.00"))
    with acme() as uow:
        later = invoice_history(uow, resolve_actor(uow, None), today=date(2026, 12, 2)).rows
    assert [(r.status, r.left) for r in later if r.number == INVOICE] == [
        (m.InvoiceStatus.OVERDUE, D("250.00"))
    ]
    # The rest pays it: paid on the day the second payment came.
    run(acme, payments.record_payment, INVOICE, "250.00", date(2026, 11, 15))
    assert status(acme) == (m.InvoiceStatus.PAID, D(0))
    with acme() as uow:
        row = next(
            r for r in invoice_history(uow, resolve_actor(uow, None), today=TODAY).rows
            if r.number == INVOICE
        )  # fmt: skip
    assert row.paid_on == date(2026, 11, 15)
    assert check(acme) == []


def test_an_over_payment_pays_the_invoice_and_the_rest_becomes_credit(acme: SqlStore) -> None:
    credit_before = pools(acme).get(m.CREDITS_POOL, D(0))
    result = run(acme, payments.record_payment, INVOICE, "450.00", date(2026, 11, 10))
    assert (result.payment.applied, result.payment.to_credit) == (D("400.00"), D("50.00"))
    assert pools(acme)[m.CREDITS_POOL] == credit_before + D("50.00")
    assert status(acme) == (m.InvoiceStatus.PAID, D(0))
    with acme() as uow:
        rows = [e for e in uow.ledger.all() if e.reference == "PMT-000001"]
    assert [(e.pool, e.amount) for e in rows] == [("", D("400.00")), ("credits", D("50.00"))]
    assert check(acme) == []


def test_voiding_reverses_what_the_payment_wrote_and_deletes_nothing(acme: SqlStore) -> None:
    run(acme, payments.record_payment, INVOICE, "450.00", date(2026, 11, 10))
    credit = pools(acme)[m.CREDITS_POOL]
    result = run(acme, payments.void_payment, "PMT-000001", "  cheque   bounced ")
    assert result.payment.voided_on == TODAY and result.payment.void_reason == "cheque bounced"
    assert status(acme) == (m.InvoiceStatus.ISSUED, D("400.00"))
    assert pools(acme)[m.CREDITS_POOL] == credit - D("50.00")
    with acme() as uow:
        rows = [e for e in uow.ledger.all() if e.reference == "PMT-000001"]
        audit = [a.action for a in uow.audit.recent(20) if a.entity == "payment"]
        assert len(uow.payments.all()) == 1  # still there, marked void
    assert sorted(e.amount for e in rows) == [D("-400.00"), D("-50.00"), D("50.00"), D("400.00")]
    assert all("cheque bounced" in e.description for e in rows if e.amount < 0)
    assert audit == ["void-payment", "record-payment"]
    with pytest.raises(InvalidInput, match="already void"):
        run(acme, payments.void_payment, "PMT-000001", "again")
    with pytest.raises(InvalidInput, match="Reason: required"):
        run(acme, payments.void_payment, "PMT-000001", "   ")
    with pytest.raises(NotFound, match="no payment PMT-000009"):
        run(acme, payments.void_payment, "PMT-000009", "x")
    assert check(acme) == []


def test_a_payment_whose_credit_was_spent_cannot_be_voided(acme: SqlStore) -> None:
    run(acme, payments.record_payment, INVOICE, "450.00", date(2026, 11, 10))
    spend = pools(acme)[m.CREDITS_POOL]
    with acme(write=True) as uow:  # usage of a later month takes all the credit
        uow.ledger.add_many([m.LedgerEntry(TODAY, m.LedgerKind.USAGE_DEBIT, -spend,
                                           reference="2026-11", pool=m.CREDITS_POOL)])  # fmt: skip
        uow.commit()
    with pytest.raises(InvalidInput, match="cannot be voided"):
        run(acme, payments.void_payment, "PMT-000001", "bounced")
    with acme() as uow:
        assert uow.payment_voids.all() == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("INV-000001", "0"), "Amount: give an amount more than zero"),
        (("INV-000001", "12.345"), "Amount:"),
        (("INV-000001", "-5"), "Amount: give an amount more than zero"),
        (("INV-000001", "10", date(2026, 10, 31)), "before INV-000001 was issued"),
        (("INV-000001", "10", None, "paypal"), "Method: 'paypal' is not one of"),
        (("INV-000001", "10", None, "cash", "x" * 201), "Reference: at most 200 characters"),
    ],
)
def test_bad_payments_are_refused_and_write_nothing(
    acme: SqlStore, args: tuple[Any, ...], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        run(acme, payments.record_payment, *args)
    with acme() as uow:
        assert uow.payments.all() == []
    assert status(acme) == (m.InvoiceStatus.ISSUED, D("400.00"))


def test_a_payment_dated_in_the_future_or_of_no_invoice_is_refused(acme: SqlStore) -> None:
    with pytest.raises(InvalidInput, match="in the future"):
        run(acme, payments.record_payment, INVOICE, "10", date(2026, 11, 22))
    with pytest.raises(NotFound, match="no invoice INV-000404"):
        run(acme, payments.record_payment, "INV-000404", "10")


def test_who_may_record_and_see_payments(acme: SqlStore) -> None:
    # Eve has Edit Billing; Sam is a supervisor (no Invoices at all).
    run(acme, payments.record_payment, INVOICE, "10.00", user="eve")
    with pytest.raises(PermissionDenied):
        run(acme, payments.record_payment, INVOICE, "10.00", user="sam")
    with acme() as uow:
        with pytest.raises(PermissionDenied):
            payments.list_payments(uow, resolve_actor(uow, "sam"))
        listed = payments.list_payments(uow, resolve_actor(uow, "ada"), INVOICE)
    assert [r.number for r in listed.rows] == ["PMT-000001"]


# --- credit notes ----------------------------------------------------------------------------


def test_a_credit_note_reduces_what_is_due_and_never_changes_the_closed_month(
    acme: SqlStore,
) -> None:
    with acme() as uow:
        lines_before = uow.closing.lines(OCTOBER)
        invoice_before = uow.invoices.all()
    note = run(acme, credit_notes.issue_credit_note, INVOICE, "40.00", "SMS billed twice", "SMS")
    assert (note.number, note.line, note.settled, note.to_credit, note.left) == (
        "CN-000001",
        "SMS",
        D("40.00"),
        D("0.00"),
        D("360.00"),
    )
    assert status(acme) == (m.InvoiceStatus.PARTLY_PAID, D("360.00"))
    with acme() as uow:
        assert uow.closing.lines(OCTOBER) == lines_before
        assert uow.invoices.all() == invoice_before
    # At most what is left on the line (100 - 40), then on the invoice (400 - 40).
    with pytest.raises(
        InvalidInput, match=r"more than is left on line SMS of INV-000001 \(\$60.00\)"
    ):
        run(acme, credit_notes.issue_credit_note, INVOICE, "60.01", "again", "SMS")
    with pytest.raises(InvalidInput, match=r"more than is left on INV-000001 \(\$360.00\)"):
        run(acme, credit_notes.issue_credit_note, INVOICE, "360.01", "everything")
    with pytest.raises(InvalidInput, match="has no line 'DATA'"):
        run(acme, credit_notes.issue_credit_note, INVOICE, "1", "x", "DATA")
    with pytest.raises(InvalidInput, match="Reason: required"):
        run(acme, credit_notes.issue_credit_note, INVOICE, "1", " ")
    second = run(acme, credit_notes.issue_credit_note, INVOICE, "60.00", "rest of SMS", "SMS")
    assert second.number == "CN-000002"
    with acme() as uow:
        found = credit_notes.creditable(uow, resolve_actor(uow, None), INVOICE)
    assert found.total == D("300.00")
    assert {code: rest for code, _name, rest in found.lines} == {
        "VOICE": D("300.00"),
        "SMS": D("0.00"),
    }
    assert check(acme) == []


def test_a_credit_note_on_a_paid_invoice_becomes_credit(acme: SqlStore) -> None:
    run(acme, payments.record_payment, INVOICE, "300.00", date(2026, 11, 5))
    credit = pools(acme).get(m.CREDITS_POOL, D(0))
    note = run(acme, credit_notes.issue_credit_note, INVOICE, "150.00", "price error")
    assert (note.settled, note.to_credit, note.left) == (D("100.00"), D("50.00"), D("0.00"))
    assert pools(acme)[m.CREDITS_POOL] == credit + D("50.00")
    assert status(acme) == (m.InvoiceStatus.PAID, D(0))
    assert check(acme) == []


def test_a_credit_note_has_its_pdf_its_history_row_and_its_statement_row(acme: SqlStore) -> None:
    run(acme, credit_notes.issue_credit_note, INVOICE, "25.50", "Voice minutes rated twice",
        "VOICE")  # fmt: skip
    with acme() as uow:
        admin = resolve_actor(uow, None)
        history = invoice_history(uow, admin, today=TODAY).rows
        document = invoice_document(uow, admin, "CN-000001", today=TODAY)
        november = statement(uow, admin, Month(2026, 11), today=TODAY)
    (row,) = [r for r in history if r.kind == DocumentKind.CREDIT_NOTE]
    assert (row.number, row.amount, row.issued_on) == ("CN-000001", D("-25.50"), TODAY)
    assert row.description == "Correction of INV-000001, line VOICE: Voice minutes rated twice"
    assert document.kind == DocumentKind.CREDIT_NOTE and document.corrects == INVOICE
    assert document.total == D("25.50")
    text = pdf_text(render_invoice(document).data)
    for shown in ("CREDIT NOTE", "CN-000001", "Corrects invoice", INVOICE, "Voice minutes",
                  "Total credited", "$25.50", "Reason: Voice minutes rated twice"):  # fmt: skip
        assert shown in text, shown
    assert "Please pay" not in text
    (movement,) = [x for x in november.movements if x.kind == m.LedgerKind.CREDIT_NOTE]
    assert (movement.reference, movement.amount) == ("CN-000001", D("25.50"))
    assert november.closing_owed == D("-374.50")
    printed = pdf_text(render_statement(november).data)
    for shown in ("Credit note", "CN-000001", "Credit note on INV-000001, line", "$25.50"):
        assert shown in printed, shown


# --- the ledger always agrees ----------------------------------------------------------------


def test_check_names_a_payment_whose_rows_were_tampered_with(acme: SqlStore) -> None:
    run(acme, payments.record_payment, INVOICE, "100.00", date(2026, 11, 10))
    with acme(write=True) as uow:
        uow.ledger.add_many([m.LedgerEntry(TODAY, m.LedgerKind.PAYMENT, D("350.00"),
                                           reference="PMT-000001")])  # fmt: skip
        uow.commit()
    problems = check(acme)
    assert "invoice INV-000001 is settled beyond its amount by 50.00" in problems
    assert "payment PMT-000001 is for 100.00 but its ledger rows total 450.00" in problems


# --- bank statements -------------------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


STATEMENT = (
    "date,amount,reference,payer\n"
    "2026-11-18,150.00,Invoice INV-000001 part,Acme Corp\n"
    "2026-11-19,99.00,Refund of deposit,Landlord Ltd\n"
)


def test_a_bank_statement_is_staged_matched_and_confirmed(acme: SqlStore, tmp_path: Path) -> None:
    report = import_file(acme, "payments", write(tmp_path / "bank.csv", STATEMENT))
    assert (report.rows, report.added, report.skipped) == (2, 2, 0)
    assert status(acme) == (m.InvoiceStatus.ISSUED, D("400.00"))  # nothing paid by the import
    again = import_file(acme, "payments", write(tmp_path / "again.csv", STATEMENT))
    assert (again.added, again.skipped) == (0, 2)  # idempotent
    with acme() as uow:
        found = reconcile.reconciliation(uow, resolve_actor(uow, None))
    states = [(x.state, x.invoice, x.amount) for x in found.lines]
    assert states == [
        (reconcile.MatchState.MATCHED, INVOICE, D("150.00")),
        (reconcile.MatchState.UNMATCHED, "", D("99.00")),
    ]
    done = run(acme, reconcile.confirm_lines, [(found.lines[0].id, INVOICE)])
    assert done.payments == ("PMT-000001",)
    assert status(acme) == (m.InvoiceStatus.PARTLY_PAID, D("250.00"))
    with acme() as uow:
        (payment,) = uow.payments.all()
        rest = reconcile.reconciliation(uow, resolve_actor(uow, None))
    assert (payment.paid_on, payment.payer, payment.bank_line) == (
        date(2026, 11, 18),
        "Acme Corp",
        found.lines[0].id,
    )
    assert [x.amount for x in rest.lines] == [D("99.00")] and rest.confirmed == 1
    # The line now matches by its amount: what is left.
    import_file(acme, "payments", write(tmp_path / "dec.csv", STATEMENT.splitlines()[0]
                                        + "\n2026-11-20,250.00,thanks,Acme Corp\n"))  # fmt: skip
    with acme() as uow:
        suggested = reconcile.reconciliation(uow, resolve_actor(uow, None)).lines
    assert [(x.state, x.invoice) for x in suggested if x.amount == D("250.00")] == [
        (reconcile.MatchState.SUGGESTED, INVOICE)
    ]
    with pytest.raises(InvalidInput, match="confirmed already"):
        run(acme, reconcile.confirm_lines, [(found.lines[0].id, INVOICE)])
    assert check(acme) == []


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("date,amount\n2026-11-17,1.00\n2026-11-18,-5.00\n", "bank.csv, line 3, column 'amount'"),
        ("date,amount\n2026-11-17,1.00\n2026-13-01,5.00\n", "bank.csv, line 3, column 'date'"),
        ("date,amount,memo\n2026-11-18,5.00,x\n", "bank.csv, line 1, column 'memo'"),
        (
            "date,amount,reference\n2026-11-18,5.00,a\n2026-11-19,1.00,b\n2026-11-18,5.00,a\n",
            "bank.csv, line 4: repeats line 2 exactly; two transfers alike",
        ),
        ("amount\n5.00\n", "bank.csv, line 1"),
    ],
)
def test_a_bad_bank_statement_names_file_line_and_column_and_stages_nothing(
    acme: SqlStore, tmp_path: Path, text: str, error: str
) -> None:
    with pytest.raises(ImportFailed) as failed:
        import_file(acme, "payments", write(tmp_path / "bank.csv", text))
    assert error in str(failed.value)
    with acme() as uow:
        assert uow.bank_lines.all() == []


@pytest.mark.parametrize(
    ("reference", "found"),
    [
        ("INV-000005", ["INV-000005"]),
        ("inv 5 and INV-12", ["INV-000005", "INV-000012"]),
        ("Invoice INV000031", ["INV-000031"]),
        ("invoice #7", ["INV-000007"]),
        ("INVENTORY 5", []),
        ("payment for October", []),
    ],
)
def test_invoice_numbers_in_a_bank_reference(reference: str, found: list[str]) -> None:
    assert reconcile.invoice_numbers_in(reference) == found


# --- the command line ------------------------------------------------------------------------


def cli(store: SqlStore, *args: str) -> list[str]:
    return ["--store", str(store.path), *args]


def test_the_command_line(acme: SqlStore, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(cli(acme, "payments", "record", "--invoice", INVOICE, "--amount", "100",
                    "--date", "2026-11-12", "--method", "cheque", "--reference", "CHQ 1",
                    "--json")) == 0  # fmt: skip
    shown = json.loads(capsys.readouterr().out)
    assert (shown["number"], shown["amount"], shown["left"]) == ("PMT-000001", "100.00", "300.00")
    assert main(cli(acme, "credit-note", "--invoice", INVOICE, "--amount", "20",
                    "--reason", "goodwill", "--line", "VOICE")) == 0  # fmt: skip
    assert capsys.readouterr().out.startswith("Credit note CN-000001: $20.00 on INV-000001")
    assert main(cli(acme, "payments", "list")) == 0
    listing = capsys.readouterr().out
    assert "PMT-000001" in listing and "Cheque" in listing and "$100.00" in listing
    assert main(cli(acme, "payments", "void", "PMT-000001", "--reason", "bounced")) == 0
    assert "left to pay on INV-000001: $380.00" in capsys.readouterr().out
    assert main(cli(acme, "payments", "list", "--json")) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert listed["voided_on"] is not None and listed["void_reason"] == "bounced"
    assert main(cli(acme, "credit-note", "--invoice", INVOICE, "--amount", "1000",
                    "--reason", "x")) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "more than is left on INV-000001" in err
    assert main(cli(acme, "payments", "record", "--invoice", "INV-9", "--amount", "1")) == 2
    assert "no invoice INV-9" in capsys.readouterr().err
    assert main(cli(acme, "check")) == 0


def test_reconcile_and_confirm_from_the_command_line(
    acme: SqlStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bank = write(tmp_path / "bank.csv", STATEMENT)
    assert main(cli(acme, "import", "payments", str(bank))) == 0
    capsys.readouterr()
    assert main(cli(acme, "payments", "reconcile", "--json")) == 0
    lines = json.loads(capsys.readouterr().out)
    assert [(x["state"], x["invoice"]) for x in lines] == [
        ("matched", INVOICE),
        ("unmatched", None),
    ]
    assert main(cli(acme, "payments", "confirm", "--matched")) == 0
    assert capsys.readouterr().out.strip() == "Recorded 1 payment(s): PMT-000001"
    assert main(cli(acme, "payments", "confirm", "--matched")) == 2
    assert "nothing to do" in capsys.readouterr().err
    assert main(cli(acme, "payments", "confirm", "--line", lines[1]["id"], INVOICE)) == 0
    assert status(acme) == (m.InvoiceStatus.PARTLY_PAID, D("151.00"))


def test_transfers_alike_are_told_apart_by_the_banks_id_even_across_chunks(
    acme: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from billing_desktop.services import imports

    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    rows = "2026-11-18,5.00,rent\n" * 3
    with pytest.raises(ImportFailed) as failed:
        import_file(
            acme, "payments", write(tmp_path / "bank.csv", "date,amount,reference\n" + rows)
        )
    assert [e.split(";")[0] for e in failed.value.errors] == [
        "bank.csv, line 3: repeats line 2 exactly",
        "bank.csv, line 4: repeats line 2 exactly",  # in the next chunk
    ]
    with_ids = "date,amount,reference,id\n" + "".join(
        f"2026-11-18,5.00,rent,TX{n}\n" for n in range(3)
    )
    report = import_file(acme, "payments", write(tmp_path / "ids.csv", with_ids))
    assert (report.added, report.skipped) == (3, 0)
    with acme() as uow:
        assert sorted(line.id for line in uow.bank_lines.all()) == ["TX0", "TX1", "TX2"]


def test_the_pdf_of_a_partly_paid_invoice_asks_for_what_is_left(acme: SqlStore) -> None:
    with acme() as uow:
        before = invoice_document(uow, resolve_actor(uow, None), INVOICE, today=TODAY)
    assert "Please pay $400.00" in pdf_text(render_invoice(before).data)
    run(acme, payments.record_payment, INVOICE, "150.00", date(2026, 11, 10))
    with acme() as uow:
        document = invoice_document(uow, resolve_actor(uow, None), INVOICE, today=TODAY)
    assert (document.status, document.left, document.total) == (
        m.InvoiceStatus.PARTLY_PAID,
        D("250.00"),
        D("400.00"),
    )
    text = " ".join(pdf_text(render_invoice(document).data).split())
    assert "Partly paid" in text
    assert "Received so far (payments and credit notes): $150.00." in text
    assert "Please pay $250.00 by" in text


def test_lines_that_pay_no_invoice_are_set_aside(
    acme: SqlStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import_file(acme, "payments", write(tmp_path / "bank.csv", STATEMENT))
    with acme() as uow:
        lines = reconcile.reconciliation(uow, resolve_actor(uow, None)).lines
    refund = next(x.id for x in lines if x.state == reconcile.MatchState.UNMATCHED)
    with pytest.raises(PermissionDenied):
        run(acme, reconcile.dismiss_lines, [refund], user="sam")
    assert main(cli(acme, "payments", "dismiss", refund, "--reason", "deposit refund")) == 0
    assert capsys.readouterr().out.strip() == f"Set aside 1 bank line(s): {refund}"
    with acme() as uow:
        found = reconcile.reconciliation(uow, resolve_actor(uow, None))
        (kept,) = uow.bank_line_dismissals.all()
    assert [x.reference for x in found.lines] == ["Invoice INV-000001 part"]
    assert (found.dismissed, kept.reason) == (1, "deposit refund")
    assert main(cli(acme, "payments", "dismiss", refund)) == 2
    assert "set aside already" in capsys.readouterr().err
    matched = found.lines[0].id
    run(acme, reconcile.confirm_lines, [(matched, INVOICE)])
    with pytest.raises(InvalidInput, match="confirmed already"):
        run(acme, reconcile.dismiss_lines, [matched])
    with pytest.raises(NotFound, match="no imported bank line nope"):
        run(acme, reconcile.dismiss_lines, ["nope"])
