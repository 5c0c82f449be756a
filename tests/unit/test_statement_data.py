"""Statement and invoice data (services/statements/): statuses derived from the ledger, the
history and its filters, invoice lines that add up, statements that agree with the ledger and
with ``usage`` for closed months, and who may see what."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.errors import InvalidInput, NotFound, PermissionDenied, StoreError
from billing_desktop.domain.periods import Month
from billing_desktop.services import statements as s
from billing_desktop.services.billing import usage_summary
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.demo import build_demo
from billing_desktop.services.month_close import close_month
from billing_desktop.services.overview import ENTERPRISE_INVOICES
from billing_desktop.services.receivables import settle
from billing_desktop.store.ports import ClosedMonth, MonthLine

D = Decimal
TODAY = date(2026, 11, 21)
SEPTEMBER, OCTOBER, NOVEMBER = Month(2026, 9), Month(2026, 10), Month(2026, 11)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlStore]:
    """The seed-7 demo with September and October closed (INV-000007 bills October)."""
    store = SqlStore(f"sqlite:///{tmp_path_factory.mktemp('statements') / 'demo.db'}")
    build_demo(store, seed=7, today=TODAY)
    for month in (SEPTEMBER, OCTOBER):
        with store() as uow:
            close_month(uow, resolve_actor(uow, None), month, today=TODAY)
            uow.commit()
    yield store
    store.dispose()


def invoice(number: str, period: date, amount: str, status: m.InvoiceStatus) -> m.Invoice:
    issued = Month.of(period).plus(1).first_day
    return m.Invoice(number, issued, period, D(amount), status, issued + timedelta(days=30))


def payment(day: date, amount: str, reference: str) -> m.LedgerEntry:
    return m.LedgerEntry(day, m.LedgerKind.PAYMENT, D(amount), reference=reference)


def bill(day: date, amount: str, reference: str) -> m.LedgerEntry:
    return m.LedgerEntry(day, m.LedgerKind.INVOICE, D(amount), reference=reference)


def small_store(store: SqlStore, plan: m.PlanTier = m.PlanTier.PRO) -> SqlStore:
    """Three invoices whose stored statuses are all wrong, and the ledger that says so."""
    with store() as uow:
        uow.account.save(
            m.Account(
                "Smith & Sons <Ltd>",
                "EUR",
                "Europe/Berlin",
                plan,
                m.PaymentMethod.INVOICE,
                m.CommitScope.NONE,
            )
        )
        uow.users.add_many(
            [
                m.User("ada", "Ada", "ada@example.com", m.Role.ADMIN),
                m.User("sam", "Sam", "sam@example.com", m.Role.SUPERVISOR),
                m.User("shay", "Shay", "shay@example.com", m.Role.SHARED),
            ]
        )
        uow.invoices.add_many(
            [
                # Stored "paid", but no payment in the ledger: overdue.
                invoice("INV-000001", date(2025, 11, 1), "100.00", m.InvoiceStatus.PAID),
                # Stored "issued", paid in two parts: paid on the second.
                invoice("INV-000002", date(2026, 9, 1), "200.00", m.InvoiceStatus.ISSUED),
                # Stored "overdue", not due yet: issued.
                invoice("INV-000003", date(2026, 10, 1), "50.00", m.InvoiceStatus.OVERDUE),
            ]
        )
        uow.ledger.add_many(
            [
                bill(date(2025, 12, 1), "-100.00", "INV-000001"),
                bill(date(2026, 10, 1), "-200.00", "INV-000002"),
                payment(date(2026, 10, 5), "120.00", "INV-000002"),
                payment(date(2026, 10, 20), "80.00", "INV-000002"),
                m.LedgerEntry(
                    date(2026, 10, 12),
                    m.LedgerKind.PURCHASE,
                    D("75.00"),
                    reference="CR-000009",
                    description="Credit purchase",
                    pool=m.CREDITS_POOL,
                ),
                bill(date(2026, 11, 1), "-50.00", "INV-000003"),
            ]
        )  # fmt: skip
        uow.commit()
    return store


# --- statuses --------------------------------------------------------------------------------


def test_an_invoice_is_paid_when_payments_cover_it_on_the_day_they_do() -> None:
    bill = invoice("INV-1", date(2026, 9, 1), "200.00", m.InvoiceStatus.ISSUED)
    parts = [
        payment(date(2026, 10, 20), "80.00", "INV-1"),
        payment(date(2026, 10, 5), "120", "INV-1"),
    ]
    settled = settle(bill, parts, TODAY)
    assert (settled.status, settled.paid_on, settled.left) == (
        m.InvoiceStatus.PAID,
        date(2026, 10, 20),
        D(0),
    )
    part = settle(bill, parts[:1], TODAY)
    assert (part.status, part.left) == (m.InvoiceStatus.OVERDUE, D("120.00"))  # part paid only
    early = settle(bill, parts[:1], date(2026, 10, 21))  # before its due date
    assert (early.status, early.left) == (m.InvoiceStatus.PARTLY_PAID, D("120.00"))


def test_an_unpaid_invoice_is_overdue_only_after_its_due_date() -> None:
    bill = invoice("INV-1", date(2026, 10, 1), "50.00", m.InvoiceStatus.ISSUED)
    assert bill.due_on == date(2026, 12, 1)
    assert settle(bill, [], date(2026, 12, 1)).status == m.InvoiceStatus.ISSUED
    assert settle(bill, [], date(2026, 12, 2)).status == m.InvoiceStatus.OVERDUE
    undated = m.Invoice("INV-2", date(2026, 1, 1), date(2025, 12, 1), D(1), m.InvoiceStatus.ISSUED)
    assert settle(undated, [], TODAY).status == m.InvoiceStatus.ISSUED


def test_the_history_derives_statuses_from_the_ledger_not_from_what_was_stored(
    store: SqlStore,
) -> None:
    with small_store(store)() as uow:
        history = s.invoice_history(uow, resolve_actor(uow, None), today=TODAY)
    rows = {r.number: r for r in history.rows}
    assert rows["INV-000001"].status == m.InvoiceStatus.OVERDUE
    assert rows["INV-000002"].status == m.InvoiceStatus.PAID
    assert rows["INV-000002"].paid_on == date(2026, 10, 20)
    assert rows["INV-000003"].status == m.InvoiceStatus.ISSUED
    order = rows["CR-000009"]
    assert (order.kind, order.status, order.amount, order.period) == (
        s.DocumentKind.RECEIPT,
        m.InvoiceStatus.PAID,
        D("75.00"),
        "",
    )
    assert [r.number for r in history.rows] == [
        "INV-000003",
        "CR-000009",
        "INV-000002",
        "INV-000001",
    ]  # newest first
    assert history.years == (2026, 2025)
    assert history.currency == "EUR"


def test_the_history_filters_by_year_and_status(store: SqlStore) -> None:
    with small_store(store)() as uow:
        actor = resolve_actor(uow, None)

        def numbers(**filters: object) -> list[str]:
            history = s.invoice_history(uow, actor, today=TODAY, **filters)  # type: ignore[arg-type]
            assert history.years == (2026, 2025)  # every year, whatever the filter
            return [r.number for r in history.rows]

        assert numbers(year=2025) == ["INV-000001"]
        assert numbers(status=m.InvoiceStatus.PAID) == ["CR-000009", "INV-000002"]
        assert numbers(year=2026, status=m.InvoiceStatus.OVERDUE) == []
        assert numbers(year=2026, status=m.InvoiceStatus.ISSUED) == ["INV-000003"]


def test_enterprise_accounts_are_refused_invoices_but_keep_statements(store: SqlStore) -> None:
    with small_store(store, m.PlanTier.ENTERPRISE)() as uow:
        actor = resolve_actor(uow, None)
        with pytest.raises(PermissionDenied) as refused:
            s.invoice_history(uow, actor, today=TODAY)
        assert str(refused.value) == ENTERPRISE_INVOICES
        assert "Enterprise plan" in str(refused.value)
        with pytest.raises(PermissionDenied, match="Enterprise plan"):
            s.invoice_document(uow, actor, "INV-000002", today=TODAY)
        assert s.statement(uow, actor, OCTOBER, TODAY).movements  # the ledger stays available


@pytest.mark.parametrize("service", ["history", "document", "statement", "months"])
def test_users_without_the_invoices_tab_are_refused(store: SqlStore, service: str) -> None:
    with small_store(store)() as uow:
        supervisor = resolve_actor(uow, "sam")
        calls = {
            "history": lambda: s.invoice_history(uow, supervisor, today=TODAY),
            "document": lambda: s.invoice_document(uow, supervisor, "INV-000002", TODAY),
            "statement": lambda: s.statement(uow, supervisor, OCTOBER, TODAY),
            "months": lambda: s.statement_months(uow, supervisor, TODAY),
        }
        with pytest.raises(PermissionDenied, match="Invoices"):
            calls[service]()
        # A shared-account user has the Invoices tab: allowed.
        assert s.invoice_history(uow, resolve_actor(uow, "shay"), today=TODAY).rows


# --- invoice documents -----------------------------------------------------------------------


def test_an_invoice_has_one_line_per_stored_product_line_and_they_add_up(demo: SqlStore) -> None:
    with demo() as uow:
        actor = resolve_actor(uow, None)
        document = s.invoice_document(uow, actor, "INV-000007", TODAY)
        stored = uow.closing.lines(OCTOBER.first_day)
        amount = uow.invoices.get_many(["INV-000007"])["INV-000007"].amount
        names = {p.code: p.name for p in uow.products.all()}
    assert document.period == OCTOBER and document.issued_on == date(2026, 11, 1)
    assert document.due_on == date(2026, 12, 1) and document.status == m.InvoiceStatus.ISSUED
    assert [line.description for line in document.lines] == [names[x.product] for x in stored]
    for line, row in zip(document.lines, stored, strict=True):
        assert (line.quantity, line.free_units, line.unit_price) == (
            row.quantity,
            row.free_units_used,
            row.unit_price,
        )
        assert (line.amount, line.credit_applied, line.total) == (
            row.amount,
            row.credit_applied,
            row.charged,
        )
        assert line.total == line.amount - line.credit_applied
    assert document.total == amount == D("116.20")
    assert document.subtotal - document.credit_applied == document.total
    assert any(line.total == 0 for line in document.lines)  # shown, and still adding up


def test_a_month_closed_by_the_previous_system_prints_as_one_summary_line(demo: SqlStore) -> None:
    with demo() as uow:
        document = s.invoice_document(uow, resolve_actor(uow, None), "INV-000003", TODAY)
    (line,) = document.lines
    assert line.summary and line.description == "Usage for May 2026"
    assert line.total == line.amount == document.total == D("2261.17")
    assert line.quantity is None and line.unit_price is None
    assert document.status == m.InvoiceStatus.PAID and document.paid_on == date(2026, 6, 17)
    assert any("Summary line" in note for note in document.notes)


def test_orders_print_as_receipts_and_unknown_numbers_are_not_found(demo: SqlStore) -> None:
    with demo() as uow:
        actor = resolve_actor(uow, None)
        receipt = s.invoice_document(uow, actor, "CR-000002", TODAY)
        with pytest.raises(NotFound, match="INV-999999"):
            s.invoice_document(uow, actor, "INV-999999", TODAY)
    assert receipt.kind == s.DocumentKind.RECEIPT and receipt.total == D("250.00")
    assert receipt.status == m.InvoiceStatus.PAID and receipt.period is None


def test_an_invoice_whose_lines_do_not_add_up_is_never_printed(store: SqlStore) -> None:
    small_store(store)
    with store() as uow:
        line = MonthLine("X", D(10), D(0), D(0), D("1.5"), D("15.00"), D(0), D("15.00"), D("-15"))
        uow.closing.add(
            ClosedMonth(date(2026, 9, 1), datetime(2026, 10, 1, tzinfo=UTC), "test", "INV-000002"),
            [line],
        )  # the invoice says 200.00
        uow.commit()
    with store() as uow, pytest.raises(StoreError, match=r"add up to 15\.00, not the invoiced"):
        s.invoice_document(uow, resolve_actor(uow, None), "INV-000002", TODAY)


def test_the_issuer_comes_from_the_workspace_settings(store: SqlStore) -> None:
    small_store(store)
    with store() as uow:
        assert s.issuer(uow) == s.DEFAULT_ISSUER
        uow.settings.put(s.ISSUER_SETTING, {"name": "Acme Cloud GmbH", "lines": ["Berlin", ""]})
        assert s.issuer(uow) == s.Issuer("Acme Cloud GmbH", ("Berlin",))
        uow.settings.put(s.ISSUER_SETTING, {"lines": ["no name"]})
        assert s.issuer(uow) == s.DEFAULT_ISSUER


# --- statements ------------------------------------------------------------------------------


def statement_of(store: SqlStore, month: Month) -> s.StatementData:
    with store() as uow:
        return s.statement(uow, resolve_actor(uow, None), month, TODAY)


def test_closing_is_opening_plus_the_months_ledger_rows(demo: SqlStore) -> None:
    with demo() as uow:
        everything = uow.ledger.all()
    for month in (Month(2026, 4), Month(2026, 8), SEPTEMBER, OCTOBER, NOVEMBER):
        data = statement_of(demo, month)
        before = sum((e.amount for e in everything if e.occurred_on < month.first_day), D(0))
        during = [e for e in everything if month.first_day <= e.occurred_on <= month.last_day]
        assert data.opening_balance == before
        assert [mv.amount for mv in data.movements] == [e.amount for e in during]
        assert data.closing_balance == before + sum((e.amount for e in during), D(0))
        assert data.closing_balance == data.closing_credit + data.closing_owed
        assert sum((data.group_total(g) for g in s.MovementGroup), D(0)) == (
            data.closing_balance - data.opening_balance
        )
        if data.movements:
            assert data.movements[-1].balance == data.closing_balance
    assert set(s.GROUP_OF_KIND) == set(m.LedgerKind)  # every kind is summed somewhere


def test_each_month_opens_with_the_balance_the_month_before_closed(demo: SqlStore) -> None:
    months = [Month(2026, n) for n in range(3, 12)]
    data = [statement_of(demo, month) for month in months]
    for earlier, later in itertools.pairwise(data):
        assert later.opening_balance == earlier.closing_balance


def test_a_closed_months_usage_is_exactly_what_usage_reports(demo: SqlStore) -> None:
    data = statement_of(demo, OCTOBER)
    with demo() as uow:
        report = usage_summary(uow, resolve_actor(uow, None), OCTOBER, TODAY).as_json()
    products = report["products"]
    assert isinstance(products, list)
    assert [u.code for u in data.usage] == [p["code"] for p in products]
    for charge, product in zip(data.usage, products, strict=True):
        assert f"{charge.amount:.2f}" == product["amount"]
        assert f"{charge.credit_applied:.2f}" == product["credit_applied"]
        assert f"{charge.charged:.2f}" == product["charged"]
        assert str(charge.quantity.normalize()) == str(D(product["quantity"]).normalize())  # type: ignore[union-attr]
    assert data.closed and not data.provisional
    # Credit applied is what the month's usage debits took from the pools.
    debits = sum((mv.amount for mv in data.movements if mv.kind == m.LedgerKind.USAGE_DEBIT), D(0))
    assert (
        data.usage_credit_applied == -debits == -data.group_total(s.MovementGroup.USAGE_FROM_CREDIT)
    )
    # The month's charges are INV-000007, issued in November (in November's statement).
    assert data.usage_invoice is not None and data.usage_invoice.number == "INV-000007"
    assert data.usage_charged == data.usage_invoice.amount
    assert data.invoices == ()
    november = statement_of(demo, NOVEMBER)
    assert [i.number for i in november.invoices] == ["INV-000007"]
    assert november.group_total(s.MovementGroup.INVOICES_ISSUED) == -D("116.20")


def test_history_months_show_their_invoice_as_one_summary_line(demo: SqlStore) -> None:
    data = statement_of(demo, Month(2026, 8))
    (line,) = data.usage
    assert line.summary and line.charged == line.amount == D("1920.50")
    assert data.usage_invoice is not None and data.usage_invoice.number == "INV-000006"
    assert data.usage_invoice.status == m.InvoiceStatus.OVERDUE
    assert [i.number for i in data.invoices] == ["INV-000005"]
    assert any("previous billing system" in note for note in data.notes)


def test_an_open_month_has_a_provisional_statement_rated_like_usage(demo: SqlStore) -> None:
    data = statement_of(demo, NOVEMBER)
    with demo() as uow:
        report = usage_summary(uow, resolve_actor(uow, None), NOVEMBER, TODAY)
    assert data.provisional and not data.closed
    assert [(u.code, u.charged) for u in data.usage] == [
        (p.code, p.charged) for p in report.products
    ]
    assert data.notes[0].startswith("Provisional: November 2026 is not closed yet")
    # Nothing of the open month's usage is in the ledger yet.
    assert data.group_total(s.MovementGroup.USAGE_FROM_CREDIT) == 0


def test_months_that_have_not_started_or_hold_nothing_are_refused(demo: SqlStore) -> None:
    with pytest.raises(InvalidInput, match="2026-12 has not started yet"):
        statement_of(demo, Month(2026, 12))
    with pytest.raises(InvalidInput, match="nothing to state for 2020-01"):
        statement_of(demo, Month(2020, 1))
    ledger_only = statement_of(demo, Month(2025, 11))  # a commit recharged before history
    assert not ledger_only.closed and not ledger_only.provisional and not ledger_only.usage
    assert ledger_only.movements


def test_statement_months_are_the_closed_the_open_and_the_ledgers(demo: SqlStore) -> None:
    with demo() as uow:
        months = s.statement_months(uow, resolve_actor(uow, None), TODAY)
    assert [str(x.month) for x in months] == [
        "2026-11",
        "2026-10",
        "2026-09",
        "2026-08",
        "2026-07",
        "2026-06",
        "2026-05",
        "2026-04",
        "2026-03",
        "2025-11",
    ]
    flags = {str(x.month): (x.closed, x.provisional) for x in months}
    assert flags["2026-11"] == (False, True)
    assert flags["2026-10"] == (True, False)
    assert flags["2025-11"] == (False, False)
    for entry in months:  # each of them can be printed
        statement_of(demo, entry.month)


def test_a_store_without_an_account_is_reported(store_path: Path, store: SqlStore) -> None:
    with store() as uow, pytest.raises(StoreError, match="no account"):
        s.statement(uow, resolve_actor(uow, None), OCTOBER, TODAY)


def test_lines_of_products_with_price_tiers_are_marked(store: SqlStore) -> None:
    small_store(store)
    with store() as uow:
        uow.products.add_many(
            [
                m.Product(
                    "VOICE",
                    "Voice minutes",
                    m.Unit.MINUTE,
                    D("0.02"),
                    D(0),
                    True,
                    m.Metering.SUM,
                    m.Source.CALLS,
                    m.CommitAvailability.NOT_AVAILABLE,
                    (m.Tier(D(10000), D("0.015")),),
                )
            ]
        )
        line = MonthLine(
            "VOICE", D(20000), D(0), D(0), D("0.02"), D("200.00"), D(0), D("200.00"), D("-200")
        )
        uow.closing.add(
            ClosedMonth(date(2026, 9, 1), datetime(2026, 10, 1, tzinfo=UTC), "test", "INV-000002"),
            [line],
        )
        uow.commit()
    with store() as uow:
        document = s.invoice_document(uow, resolve_actor(uow, None), "INV-000002", TODAY)
    (printed,) = document.lines
    assert printed.tiered and printed.description == "Voice minutes" and printed.unit == "minute"
    assert any(note.startswith("† Graduated prices") for note in document.notes)
    assert document.total == D("200.00")
