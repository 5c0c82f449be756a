"""The invoice PDF read back with pdftotext: header, one line per product with its figures,
lines that add up exactly to the total, summary lines of history invoices, receipts, long
invoices over several pages, hostile names, currencies."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.money import format_money
from billing_desktop.domain.periods import Month
from billing_desktop.reports.invoice import render_invoice
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.demo import build_demo
from billing_desktop.services.month_close import close_month
from billing_desktop.services.statements import (
    DEFAULT_ISSUER,
    AccountHeader,
    DocumentKind,
    DocumentLine,
    InvoiceDocument,
    invoice_document,
)
from billing_desktop.store.ports import ClosedMonth, MonthLine
from tests.integration.pdf_text import page_count, page_size_points, pdf_text, squeeze

D = Decimal
TODAY = date(2026, 11, 21)
MONEY = re.compile(r"-?(?:[$€¥₹₽£]|[A-Z]{3} )[\d,]+(?:\.\d+)?")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlStore]:
    store = SqlStore(f"sqlite:///{tmp_path_factory.mktemp('invoice') / 'demo.db'}")
    build_demo(store, seed=7, today=TODAY)
    for month in (Month(2026, 9), Month(2026, 10)):
        with store() as uow:
            close_month(uow, resolve_actor(uow, None), month, today=TODAY)
            uow.commit()
    yield store
    store.dispose()


def document(store: SqlStore, number: str) -> InvoiceDocument:
    with store() as uow:
        return invoice_document(uow, resolve_actor(uow, None), number, TODAY)


def figures(line: str) -> list[str]:
    return MONEY.findall(line)


def test_an_invoice_has_its_header_lines_and_exact_totals(demo: SqlStore) -> None:
    invoice = document(demo, "INV-000007")
    data = render_invoice(invoice).data
    assert page_count(data) == 1 and page_size_points(data) == pytest.approx(
        (595.28, 841.89), abs=0.1
    )
    text = pdf_text(data, layout=True)
    lines = text.splitlines()
    for expected in (
        DEFAULT_ISSUER.name,
        "INVOICE",
        "Invoice number",
        "INV-000007",
        "Issue date",
        "1 Nov 2026",
        "Due date",
        "1 Dec 2026",
        "Billing period",
        "October 2026",
        "Bill to",
        "Northwind Contact Center",
        "Amounts in USD ($), 2 decimals",
        "Page 1 of 1",
        "Please pay $116.20 by 1 Dec 2026, quoting INV-000007.",
    ):
        assert expected in text, expected
    with demo() as uow:
        stored = uow.closing.lines(date(2026, 10, 1))
        names = {p.code: p.name for p in uow.products.all()}

    def usd(amount: Decimal, *, price: bool = False) -> str:
        return format_money(amount, "USD", keep_precision=price)

    totals = []
    for row in stored:
        line = next(x for x in lines if x.strip().startswith(names[row.product] + " ("))
        assert figures(line) == [
            usd(row.unit_price, price=True),
            usd(row.amount),
            usd(row.credit_applied),
            usd(row.charged),
        ], line
        totals.append(D(figures(line)[-1].replace("$", "").replace(",", "")))
    assert len([x for x in lines if x.strip().startswith(tuple(names.values()))]) == len(stored)
    due = next(x for x in lines if "Total due" in x)
    assert figures(due) == [usd(sum(totals, D(0)))] == ["$116.20"]
    subtotal = next(x for x in lines if "Subtotal" in x)
    credit = next(x for x in lines if x.strip().startswith("Credit applied"))
    assert figures(subtotal) == [usd(sum((r.amount for r in stored), D(0)))]
    assert figures(credit) == [usd(-sum((r.credit_applied for r in stored), D(0)))]


def test_a_history_invoice_prints_one_labelled_summary_line(demo: SqlStore) -> None:
    data = render_invoice(document(demo, "INV-000003")).data
    text = pdf_text(data, layout=True)
    line = next(x for x in text.splitlines() if "Usage for May 2026" in x)
    assert figures(line) == ["$2,261.17", "$0.00", "$2,261.17"]
    # The cell wraps onto two lines; the label is whole in reading order.
    assert "UsageforMay2026(summaryline)" in squeeze(pdf_text(data, raw=True))
    assert "Paid 17 Jun 2026" in text
    assert "Summary line: May 2026 was billed before per-product lines were kept" in " ".join(
        text.split()
    )
    assert "Please pay" not in text  # paid


def test_an_order_prints_as_a_paid_receipt(demo: SqlStore) -> None:
    text = pdf_text(render_invoice(document(demo, "CR-000002")).data)
    assert "RECEIPT" in text and "Receipt number" in text and "CR-000002" in text
    assert "Paid 6 Sep 2026" in text and "$250.00" in text and "Please pay" not in text


def make_invoice(
    lines: list[tuple[str, Decimal, Decimal]], currency: str = "USD", name: str = "Acme"
) -> InvoiceDocument:
    return InvoiceDocument(
        kind=DocumentKind.INVOICE,
        number="INV-000042",
        issuer=DEFAULT_ISSUER,
        account=AccountHeader(name, currency, "UTC", m.PlanTier.PRO, m.PaymentMethod.INVOICE),
        issued_on=date(2026, 11, 1),
        due_on=date(2026, 12, 1),
        period=Month(2026, 10),
        status=m.InvoiceStatus.ISSUED,
        paid_on=None,
        lines=tuple(
            DocumentLine(
                description=description,
                unit="minute",
                quantity=D(100),
                free_units=D(10),
                unit_price=D("0.0125"),
                tiered=False,
                amount=amount,
                credit_applied=credit,
                total=amount - credit,
            )
            for description, amount, credit in lines
        ),
    )


cents = st.integers(min_value=0, max_value=10**9).map(lambda c: D(c).scaleb(-2))


@settings(max_examples=12, deadline=None)
@given(st.lists(st.tuples(cents, cents), min_size=1, max_size=30))
def test_the_printed_lines_add_up_exactly_to_the_printed_total(
    amounts: list[tuple[Decimal, Decimal]],
) -> None:
    lines = [(f"Product {i}", max(a, c), min(a, c)) for i, (a, c) in enumerate(amounts)]
    invoice = make_invoice(lines)
    text = pdf_text(render_invoice(invoice).data, layout=True)
    rows = [x for x in text.splitlines() if x.strip().startswith("Product ")]
    assert len(rows) == len(lines)  # no line hidden, zero lines included

    def value(money: str) -> Decimal:
        return D(money.replace("$", "").replace(",", ""))

    printed = sum((value(figures(row)[-1]) for row in rows), D(0))
    due = next(x for x in text.splitlines() if "Total due" in x)
    assert value(figures(due)[0]) == printed == invoice.total


def test_a_long_invoice_repeats_its_header_and_numbers_its_pages() -> None:
    invoice = make_invoice([(f"Product {i}", D(i), D(0)) for i in range(90)])
    data = render_invoice(invoice).data
    pages = page_count(data)
    assert pages >= 2
    header = "DescriptionQuantityFreeunitsappliedUnitpriceAmountCreditappliedTotal"
    for page in range(1, pages + 1):
        assert f"Page {page} of {pages}" in pdf_text(data, first=page, last=page)
    for page in (1, 2):  # the lines run over two pages: the header row is on both
        assert header in squeeze(pdf_text(data, first=page, last=page, raw=True))
    assert "Total due" in pdf_text(data, first=pages, last=pages)
    assert "Product 89" in pdf_text(data, first=2, last=pages)


def test_hostile_names_and_other_scripts_print_literally(store: SqlStore, tmp_path: Path) -> None:
    name = "Ωμέγα & Ёлка <Ltd> €₹₽"
    product = '<img src=x onerror="alert(1)"> &amp; Co'
    with store() as uow:
        uow.account.save(
            m.Account(name, "INR", "Asia/Kolkata", m.PlanTier.PRO, m.PaymentMethod.INVOICE,
                      m.CommitScope.NONE)
        )  # fmt: skip
        uow.users.add_many([m.User("ada", "Ada", "ada@example.com", m.Role.ADMIN)])
        uow.products.add_many(
            [
                m.Product("X", product, m.Unit.MINUTE, D("2"), D(0), False, m.Metering.SUM,
                          m.Source.CALLS, m.CommitAvailability.NOT_AVAILABLE)
            ]
        )  # fmt: skip
        uow.closing.add(
            ClosedMonth(date(2026, 10, 1), datetime(2026, 11, 1, tzinfo=UTC), "test", "INV-000001"),
            [MonthLine("X", D(5), D(0), D(0), D(2), D("10.00"), D(0), D("10.00"), D("-10.00"))],
        )
        uow.invoices.add_many(
            [m.Invoice("INV-000001", date(2026, 11, 1), date(2026, 10, 1), D("10.00"),
                       m.InvoiceStatus.ISSUED, date(2026, 12, 1))]
        )  # fmt: skip
        uow.commit()
    text = pdf_text(render_invoice(document(store, "INV-000001")).data)
    assert text.count(name) == 2  # the "Bill to" paragraph and the footer
    assert squeeze(product) in squeeze(text)
    assert "₹10.00" in text and "Amounts in INR (₹), 2 decimals" in text


def test_minor_units_follow_the_currency() -> None:
    yen = pdf_text(render_invoice(make_invoice([("A", D(1234), D(0))], "JPY")).data)
    assert "¥1,234" in yen and "¥1,234.00" not in yen and "no decimals" in yen
    dinar = pdf_text(render_invoice(make_invoice([("A", D("1.235"), D(0))], "KWD")).data)
    assert "KWD 1.235" in dinar and "3 decimals" in dinar
