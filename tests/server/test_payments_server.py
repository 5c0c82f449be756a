"""Payments, bank reconciliation and credit notes through the API server (issue 18): the same
use cases over HTTP, for those who may edit billing; the others read them, or get 403."""

from __future__ import annotations

from typing import Any

from tests.server.conftest import Api

TODAY = "2026-11-21"


def ok(api: Api, operation: str, arguments: dict[str, Any], role: str = "admin") -> Any:
    response = api.call(operation, arguments, role)
    assert response.status_code == 200, (operation, role, response.text)
    return response.json()


def invoice_row(api: Api, number: str, role: str = "admin") -> dict[str, Any]:
    rows = ok(api, "statements.invoice_history", {"today": TODAY}, role)["rows"]
    (row,) = [r for r in rows if r["number"] == number]
    return row


def test_the_demo_shows_a_partly_paid_invoice_and_a_bank_line_to_confirm(api: Api) -> None:
    row = invoice_row(api, "INV-000005", "shared")
    assert row["status"] == "overdue" and 0 < float(row["left"]) < float(row["amount"])
    listed = ok(api, "payments.list_payments", {}, "shared")["rows"]
    assert [(p["number"], p["invoice"]) for p in listed] == [("PMT-000001", "INV-000005")]
    lines = ok(api, "reconcile.reconciliation", {}, "shared")["lines"]
    assert [(x["id"], x["state"], x["invoice"]) for x in lines] == [
        ("demo-bank-000002", "unmatched", ""),
        ("demo-bank-000001", "matched", "INV-000006"),
    ]


def test_record_void_credit_and_confirm_over_http(api: Api) -> None:
    before = invoice_row(api, "INV-000005")
    left = before["left"]
    paid = ok(
        api,
        "payments.record_payment",
        {"invoice": "INV-000005", "amount": left, "paid_on": "2026-11-20", "method": "card"},
        "edit_billing",
    )
    assert paid["payment"]["number"] == "PMT-000002" and paid["left"] == "0.00"
    assert invoice_row(api, "INV-000005")["status"] == "paid"
    voided = ok(api, "payments.void_payment", {"number": "PMT-000002", "reason": "chargeback"})
    assert voided["left"] == left and voided["payment"]["void_reason"] == "chargeback"
    note = ok(
        api,
        "credit_notes.issue_credit_note",
        {"invoice": "INV-000004", "amount": "12.34", "reason": "goodwill"},
    )
    assert (note["number"], note["settled"], note["to_credit"]) == ("CN-000001", "0.00", "12.34")
    document = ok(api, "statements.invoice_document", {"number": "CN-000001"}, "shared")
    assert document["kind"] == "credit_note" and document["corrects"] == "INV-000004"
    dismissed = ok(api, "reconcile.dismiss_lines", {"line_ids": ["demo-bank-000002"]})
    assert dismissed["lines"] == ["demo-bank-000002"]
    (line,) = ok(api, "reconcile.reconciliation", {})["lines"]
    done = ok(api, "reconcile.confirm_lines", {"choices": [[line["id"], "INV-000006"]]})
    assert done["payments"] == ["PMT-000003"]
    assert invoice_row(api, "INV-000006")["status"] == "paid"


def test_those_who_only_view_invoices_cannot_write_them(api: Api) -> None:
    for operation, arguments in (
        ("payments.record_payment", {"invoice": "INV-000005", "amount": "1.00"}),
        ("payments.void_payment", {"number": "PMT-000001", "reason": "x"}),
        ("credit_notes.issue_credit_note", {"invoice": "INV-000005", "amount": "1", "reason": "x"}),
        ("reconcile.confirm_lines", {"choices": [["demo-bank-000001", "INV-000006"]]}),
    ):
        response = api.call(operation, arguments, "shared")
        assert response.status_code == 403, (operation, response.text)
    assert invoice_row(api, "INV-000006")["status"] == "overdue"


def test_a_bank_statement_is_imported_through_the_server(api: Api) -> None:
    text = "date,amount,reference,payer\n2026-11-19,10.00,INV-000006 part,Acme\n"
    response = api.client.post(
        "/api/v1/imports/payments",
        content=text.encode(),
        params={"file_name": "bank.csv"},
        headers=api.headers(
            "admin", **{"Content-Type": "text/csv", "Idempotency-Key": "bank-1", "If-Match": "*"}
        ),
    )
    assert response.status_code == 200, response.text
    assert response.json()["added"] == 1
    lines = ok(api, "reconcile.reconciliation", {})["lines"]
    assert len(lines) == 3  # the demo's two lines and this one
    assert [(x["amount"], x["state"], x["invoice"]) for x in lines if x["payer"] == "Acme"] == [
        ("10.00", "matched", "INV-000006")
    ]


def test_a_camt_statement_is_imported_through_the_server(api: Api) -> None:
    from tests.integration.test_camt import entry, statement, tx

    xml = statement(
        entry("25.00", f"<NtryDtls>{tx('25.00', 'INV-000006', 'Acme')}</NtryDtls>", ref="B-9")
    )
    response = api.client.post(
        "/api/v1/imports/payments",
        content=xml.encode(),
        params={"file_name": "statement.xml"},
        headers=api.headers(
            "admin", **{"Content-Type": "text/csv", "Idempotency-Key": "camt-1", "If-Match": "*"}
        ),
    )
    assert response.status_code == 200, response.text
    assert (response.json()["rows"], response.json()["added"]) == (1, 1)
    lines = ok(api, "reconcile.reconciliation", {})["lines"]
    assert [(x["id"], x["state"]) for x in lines if x["id"] == "B-9"] == [("B-9", "matched")]
