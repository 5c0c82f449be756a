"""Auto-pay of invoices (issue 19 §3) and buying add-on volume packs (issue 19 §5): the payment
by the default method on the due date, once, and why not; the pack that raises this month's
quota and is charged to the credit or invoiced; their commands."""

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
from billing_desktop.domain.errors import InvalidInput, NotFound, PermissionDenied
from billing_desktop.domain.periods import Month
from billing_desktop.domain.quotas import AddOnPack, QuotaState, Statistic
from billing_desktop.domain.receivables import ReceiptMethod
from billing_desktop.services import auto_pay, pack_purchases, quotas, statements
from billing_desktop.services import payment_methods as pm
from billing_desktop.services.account import update_account
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.integrity import ledger_problems
from billing_desktop.services.payments import void_payment
from billing_desktop.services.receivables import left_on_invoices
from billing_desktop.services.usage_page import usage_page
from tests.usage_workspace import build

TODAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
D = Decimal


def make(store: SqlStore, pays_by: m.PaymentMethod) -> SqlStore:
    with store() as uow:
        build(uow, TODAY, pays_by)
        uow.commit()
    return store


@pytest.fixture
def card_account(store: SqlStore) -> SqlStore:
    return make(store, m.PaymentMethod.CREDIT_CARD)  # Visa •••• 4242 on file, the default


@pytest.fixture
def invoice_account(store: SqlStore) -> SqlStore:
    return make(store, m.PaymentMethod.INVOICE)  # no payment method on file


def actor_of(store: SqlStore, user: str | None = None) -> Any:
    with store() as uow:
        return resolve_actor(uow, user)


def add_invoice(store: SqlStore, number: str, issued: date, due: date, amount: str) -> None:
    """An invoice as close-month writes one: the record and its ledger row (owed)."""
    with store() as uow:
        invoice = m.Invoice(number, issued, Month.of(issued).first_day, D(amount),
                            m.InvoiceStatus.ISSUED, due)  # fmt: skip
        uow.invoices.add_many([invoice])
        uow.ledger.add_many(
            [m.LedgerEntry(issued, m.LedgerKind.INVOICE, -D(amount), reference=number)]
        )
        uow.commit()


def auto_pay_on(store: SqlStore) -> Any:
    return store.write(update_account, actor_of(store), {"auto_pay": "on"}, TODAY, NOW)


def run_auto_pay(store: SqlStore, user: str | None = None) -> auto_pay.AutoPayReport:
    result = store.write(auto_pay.apply_auto_pay, actor_of(store, user), TODAY, now=NOW)
    assert isinstance(result, auto_pay.AutoPayReport)
    return result


# -- auto-pay ------------------------------------------------------------------------------


def test_a_due_invoice_is_paid_once_by_the_default_card_on_its_due_date(
    card_account: SqlStore, store_path: Path
) -> None:
    add_invoice(card_account, "INV-000901", date(2026, 10, 1), date(2026, 10, 31), "120.50")
    add_invoice(card_account, "INV-000902", date(2026, 11, 1), date(2026, 11, 30), "80.00")
    assert run_auto_pay(card_account).enabled is False  # off: nothing is paid
    change = auto_pay_on(card_account)
    assert "by Visa •••• 4242 on their due date, including invoices already due" in (
        change.summary()
    )
    report = run_auto_pay(card_account)
    assert [(p.invoice, p.amount, p.paid_on, p.method) for p in report.paid] == [
        ("INV-000901", D("120.50"), date(2026, 10, 31), "Visa •••• 4242")
    ]  # INV-000902 is not due before 30 November
    with card_account() as uow:
        (payment,) = uow.payments.all()
        assert (payment.invoice, payment.amount, payment.paid_on) == (
            "INV-000901", D("120.50"), date(2026, 10, 31),
        )  # fmt: skip
        assert payment.method == ReceiptMethod.CARD
        assert (payment.reference, payment.payer) == ("AUTOPAY-INV-000901", "Visa •••• 4242")
        assert left_on_invoices(uow)["INV-000901"] == 0
        assert ledger_problems(uow) == []
        actions = [a.action for a in uow.audit.recent()]
        assert "auto-pay" in actions and "record-payment" in actions
        history = statements.invoice_history(uow, resolve_actor(uow, None), today=TODAY)
    rows = {r.number: r for r in history.rows}
    assert rows["INV-000901"].status == m.InvoiceStatus.PAID
    assert rows["INV-000902"].status == m.InvoiceStatus.ISSUED
    # Twice, and after a restart (a new store object on the same file): nothing more is paid.
    assert run_auto_pay(card_account).paid == ()
    card_account.dispose()
    again = SqlStore(f"sqlite:///{store_path}")
    try:
        assert run_auto_pay(again).paid == ()
        with again() as uow:
            assert len(uow.payments.all()) == 1
    finally:
        again.dispose()


def test_a_partly_paid_invoice_gets_the_rest_and_a_voided_auto_payment_is_not_repeated(
    card_account: SqlStore,
) -> None:
    from billing_desktop.services.payments import record_payment

    add_invoice(card_account, "INV-000901", date(2026, 10, 1), date(2026, 10, 31), "100.00")
    card_account.write(record_payment, actor_of(card_account), "INV-000901", "30.00",
                       date(2026, 10, 5), now=NOW)  # fmt: skip
    auto_pay_on(card_account)
    (paid,) = run_auto_pay(card_account).paid
    assert paid.amount == D("70.00")
    card_account.write(void_payment, actor_of(card_account), paid.payment, "card disputed",
                       now=NOW)  # fmt: skip
    assert run_auto_pay(card_account).paid == ()  # undone on purpose: never paid twice
    with card_account() as uow:
        assert left_on_invoices(uow)["INV-000901"] == D("70.00")


def test_without_a_default_method_or_with_an_expired_card_nothing_is_paid_and_it_says_why(
    invoice_account: SqlStore, store_path: Path, capsys: Any
) -> None:
    add_invoice(invoice_account, "INV-000901", date(2026, 10, 1), date(2026, 10, 31), "50.00")
    change = auto_pay_on(invoice_account)
    assert "Auto-pay pays nothing while there is no default payment method" in change.summary()
    report = run_auto_pay(invoice_account)
    assert report.paid == () and report.problem == auto_pay.NO_DEFAULT
    assert [u.invoice for u in report.unpaid] == ["INV-000901"]
    assert cli.main(["--store", str(store_path), "auto-pay"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Auto-pay could not pay INV-000901 ($50.00, due 2026-10-31): there is "
                          "no default payment method")  # fmt: skip
    # An expired card (valid through October 2026) is no better.
    invoice_account.write(pm.add_card, actor_of(invoice_account), "Visa", "1111", "10/26",
                          "Ann Lee", date(2026, 10, 2), NOW)  # valid then  # fmt: skip
    assert "expired (10/26)" in (run_auto_pay(invoice_account).problem or "")
    with invoice_account() as uow:
        assert uow.payments.all() == []
    # The Invoices tab's note reads the same status, writing nothing.
    with invoice_account() as uow:
        status = auto_pay.auto_pay_status(uow, resolve_actor(uow, None), TODAY)
    assert "Auto-pay could not pay INV-000901" in status.summary()
    # A valid default method: a bank account pays by direct debit.
    invoice_account.write(pm.add_bank_account, actor_of(invoice_account), "Acme GmbH", "3000",
                          TODAY, NOW)  # fmt: skip
    bank = next(m_ for m_ in pm_methods(invoice_account) if m_.kind == pm.BANK)
    invoice_account.write(pm.set_default_payment_method, actor_of(invoice_account), bank.id,
                           TODAY, NOW)  # fmt: skip
    assert cli.main(["--store", str(store_path), "auto-pay", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [(p["invoice"], p["amount"], p["method"]) for p in shown["paid"]] == [
        ("INV-000901", "50.00", "Bank account •••• 3000")
    ]
    with invoice_account() as uow:
        assert uow.payments.all()[0].method == ReceiptMethod.DIRECT_DEBIT


def pm_methods(store: SqlStore) -> tuple[pm.PaymentMethodInfo, ...]:
    with store() as uow:
        return pm.payment_methods(uow, resolve_actor(uow, None), TODAY).methods


def test_the_usage_refresh_pays_for_editors_only_and_a_supervisor_may_not_run_it(
    card_account: SqlStore,
) -> None:
    add_invoice(card_account, "INV-000901", date(2026, 10, 1), date(2026, 10, 31), "10.00")
    auto_pay_on(card_account)
    with card_account() as uow:
        page = usage_page(uow, resolve_actor(uow, "sam"), None, TODAY)  # a supervisor: no
    assert page.auto_paid == ()
    with pytest.raises(PermissionDenied):
        run_auto_pay(card_account, "sam")
    with card_account() as uow:
        page = usage_page(uow, resolve_actor(uow, None), None, TODAY)  # the app's start
    assert [p.invoice for p in page.auto_paid] == ["INV-000901"]
    with card_account() as uow:
        assert [p.reference for p in uow.payments.all()] == ["AUTOPAY-INV-000901"]


def test_close_month_pays_an_invoice_already_due(card_account: SqlStore) -> None:
    from billing_desktop.services.month_close import close_month

    actor = actor_of(card_account)
    card_account.write(update_account, actor, {"auto_pay": "on", "payment_terms": "0"}, TODAY,
                       NOW)  # fmt: skip
    card_account.write(close_month, actor, Month.of(TODAY).plus(-2), TODAY, NOW)
    report = card_account.write(close_month, actor, Month.of(TODAY).plus(-1), TODAY, NOW)
    assert report.invoice is not None and report.invoice.due_on == date(2026, 11, 1)
    with card_account() as uow:
        (payment,) = uow.payments.all()
        assert (payment.invoice, payment.amount) == (report.invoice.number, report.invoice.amount)
        assert payment.paid_on == date(2026, 11, 1)


def test_the_setting_is_checked(card_account: SqlStore, store_path: Path, capsys: Any) -> None:
    with pytest.raises(InvalidInput, match="Auto-pay invoices: give on or off"):
        card_account.write(update_account, actor_of(card_account), {"auto_pay": "maybe"})
    assert cli.main(["--store", str(store_path), "account", "set", "auto_pay", "on"]) == 0
    capsys.readouterr()
    assert cli.main(["--store", str(store_path), "account", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["auto_pay"] is True


# -- add-on packs --------------------------------------------------------------------------


def offer_packs(store: SqlStore, sms_quota: int = 40) -> None:
    actor = actor_of(store)
    store.write(quotas.set_quota, actor, "sms", sms_quota, now=NOW)
    store.write(quotas.set_packs, actor, "sms",
                [AddOnPack("SMS 100", 100, D("7.00")), AddOnPack("Free 10", 10, D("0"))],
                now=NOW)  # fmt: skip


def overview(store: SqlStore, day: date = TODAY) -> quotas.QuotaOverview:
    with store() as uow:
        return quotas.quota_overview(uow, resolve_actor(uow, None), day)


def buy(store: SqlStore, *args: Any, user: str | None = None) -> pack_purchases.PackPurchase:
    found = store.write(pack_purchases.buy_pack, actor_of(store, user), *args, today=TODAY,
                        now=NOW)  # fmt: skip
    assert isinstance(found, pack_purchases.PackPurchase)
    return found


def test_a_pack_raises_this_months_quota_and_is_charged_to_the_credit(
    card_account: SqlStore,
) -> None:
    offer_packs(card_account)  # 50 SMS this month against a quota of 40: exceeded
    before = overview(card_account).line(Statistic.SMS)
    assert before.state == QuotaState.EXCEEDED and before.beyond == 10
    with card_account() as uow:
        uow.ledger.add_many(
            [
                m.LedgerEntry(
                    TODAY,
                    m.LedgerKind.PURCHASE,
                    D("100.00"),
                    reference="CR-000001",
                    pool=m.CREDITS_POOL,
                )
            ]
        )
        uow.commit()  # fmt: skip
    bought = buy(card_account, "sms", "sms 100", 2)
    assert (bought.number, bought.extra, bought.price, bought.paid_by) == (
        "PACK-000001", 200, D("14.00"), pack_purchases.BY_CREDIT,
    )  # fmt: skip
    after = overview(card_account).line(Statistic.SMS)
    assert (after.quota, after.packs_bought, after.extra, after.effective_quota) == (
        40,
        2,
        200,
        240,
    )
    assert after.state == QuotaState.OK and after.beyond == 0 and after.percent == 20
    # Next month's quota is the plain quota again.
    assert overview(card_account, date(2026, 12, 2)).line(Statistic.SMS).extra == 0
    with card_account() as uow:
        rows = [e for e in uow.ledger.all() if e.reference == "PACK-000001"]
        assert [(e.kind, e.amount, e.pool, e.occurred_on) for e in rows] == [
            (m.LedgerKind.USAGE_DEBIT, D("-14.00"), m.CREDITS_POOL, TODAY)
        ]
        assert ledger_problems(uow) == []
        audit = next(a for a in uow.audit.recent() if a.action == "usage-pack.buy")
        assert (audit.entity, audit.entity_id) == ("ledger", "PACK-000001")
        data = statements.statement(uow, resolve_actor(uow, None), Month.of(TODAY), TODAY)
    shown = [mv for mv in data.movements if mv.reference == "PACK-000001"]
    assert [(mv.amount, mv.description) for mv in shown] == [
        (D("-14.00"), "Add-on pack 2 × SMS 100: +200 messages in 2026-11")
    ]
    # A free pack writes no money row but still raises the quota.
    free = buy(card_account, "sms", "Free 10")
    assert free.price == 0 and overview(card_account).line(Statistic.SMS).extra == 210
    with card_account() as uow:
        assert not [e for e in uow.ledger.all() if e.reference == free.number]


def test_buying_is_refused_and_writes_nothing(card_account: SqlStore) -> None:
    offer_packs(card_account)
    with pytest.raises(InvalidInput, match=r"costs \$7.00 and the account has \$0.00 of credit"):
        buy(card_account, "sms", "SMS 100")
    with pytest.raises(NotFound, match="offered: 'SMS 100', 'Free 10'"):
        buy(card_account, "sms", "SMS 5000")
    with pytest.raises(InvalidInput, match="Count: give 1 to 100"):
        buy(card_account, "sms", "Free 10", 0)
    with pytest.raises(InvalidInput, match="no monthly quota"):
        card_account.write(quotas.set_packs, actor_of(card_account), "interviews",
                           [AddOnPack("I 10", 10, D("1"))], now=NOW)  # fmt: skip
        buy(card_account, "interviews", "I 10")
    with pytest.raises(PermissionDenied):
        buy(card_account, "sms", "Free 10", user="sam")  # a supervisor only views
    with card_account() as uow:
        assert uow.settings.get(pack_purchases.PURCHASES_KEY) is None
    assert buy(card_account, "sms", "Free 10", user="eve").number == "PACK-000001"


def test_an_invoice_account_gets_an_invoice_for_the_pack_that_auto_pay_pays(
    invoice_account: SqlStore,
) -> None:
    offer_packs(invoice_account)
    bought = buy(invoice_account, "sms", "SMS 100")
    assert bought.paid_by == pack_purchases.BY_INVOICE
    with invoice_account() as uow:
        (invoice,) = uow.invoices.get_many(["PACK-000001"]).values()
        assert (invoice.amount, invoice.issued_on, invoice.due_on) == (
            D("7.00"), TODAY, date(2026, 12, 21),
        )  # fmt: skip
        actor = resolve_actor(uow, None)
        history = statements.invoice_history(uow, actor, today=TODAY)
        document = statements.invoice_document(uow, actor, "PACK-000001", TODAY)
        data = statements.statement(uow, actor, Month.of(TODAY), TODAY)
        assert ledger_problems(uow) == []
    assert [(i.number, i.amount) for i in data.invoices if i.number.startswith("PACK-")] == [
        ("PACK-000001", D("7.00"))
    ]  # on the month's statement
    assert {r.number: r.status for r in history.rows}["PACK-000001"] == m.InvoiceStatus.ISSUED
    assert [(line.description, line.total) for line in document.lines] == [
        ("Add-on pack SMS 100: +100 messages in 2026-11", D("7.00"))
    ]
    assert overview(invoice_account).line(Statistic.SMS).effective_quota == 140
    # Paid like any invoice: auto-pay pays it on its due date once a default method is on file.
    actor = actor_of(invoice_account)
    invoice_account.write(update_account, actor, {"auto_pay": "on"}, TODAY, NOW)
    invoice_account.write(pm.add_bank_account, actor, "Acme GmbH", "3000", TODAY, NOW)
    due_day = date(2026, 12, 21)
    assert invoice_account.write(auto_pay.apply_auto_pay, actor, TODAY, now=NOW).paid == ()
    (paid,) = invoice_account.write(auto_pay.apply_auto_pay, actor, due_day, now=NOW).paid
    assert (paid.invoice, paid.amount, paid.paid_on) == ("PACK-000001", D("7.00"), due_day)


def test_the_commands(card_account: SqlStore, store_path: Path, capsys: Any) -> None:
    offer_packs(card_account)

    def run(*args: str) -> int:
        return cli.main(["--store", str(store_path), "packs", *args])

    assert run("buy", "sms", "Free 10") == 0
    out = capsys.readouterr().out  # the month is the real one on the command line
    assert out.startswith("Bought Free 10 (PACK-000001): SMS messages quota of ")
    assert out.rstrip().endswith("raised by 10 messages; no charge.")
    assert run("list", "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert [b["number"] for b in shown["bought"]] == ["PACK-000001"]
    assert {o["name"]: o["price"] for o in shown["offered"]} == {
        "SMS 100": "7.00",
        "Free 10": "0.00",
    }
    assert run("buy", "sms", "nope") == 2
    assert "there is no SMS messages pack 'nope'" in capsys.readouterr().err
    assert run("buy", "sms") == 2
    assert "give the STATISTIC and the PACK" in capsys.readouterr().err
    assert run() == 0
    assert "+1 pack (+10)" in capsys.readouterr().out


def test_pack_prices_come_from_the_rate_cards_packs_file(
    card_account: SqlStore, tmp_path: Path
) -> None:
    from billing_desktop.domain.errors import ImportFailed
    from billing_desktop.services.imports import import_file

    path = tmp_path / "packs.csv"
    path.write_text("statistic,name,volume,price\nsms,SMS 500,500,4.50\nsms,Big,5000,30\n")
    assert import_file(card_account, "packs", path).added == 2
    offered = overview(card_account).line(Statistic.SMS).packs
    assert [(p.name, p.volume, p.price) for p in offered] == [
        ("SMS 500", 500, D("4.50")), ("Big", 5000, D("30")),
    ]  # fmt: skip
    changed = tmp_path / "changed.csv"
    changed.write_text("statistic,name,volume,price\nsms,SMS 750,750,5\nsms,SMS 500,500,4.00\n")
    with pytest.raises(ImportFailed) as refused:
        import_file(card_account, "packs", changed)
    assert str(refused.value) == (
        "changed.csv, line 3, column 'price': pack (sms, sms 500) is already stored with '4.50'; "
        "this file has '4.00'"
    )
    typo = tmp_path / "typo.csv"
    typo.write_text("statistic,name,volume,price\nsms,SMS 750,750,5\ntexts,T,1,1\n")
    with pytest.raises(ImportFailed) as refused:
        import_file(card_account, "packs", typo)
    assert str(refused.value).startswith(
        "typo.csv, line 3, column 'statistic': 'texts' is not one of: interviews, sms"
    )
    # All or nothing: the good line 2 was not kept.
    assert [p.name for p in overview(card_account).line(Statistic.SMS).packs] == ["SMS 500", "Big"]
