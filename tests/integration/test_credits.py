"""Manage credits end to end on a real store: purchases, one-time payments, auto-recharge."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.cli import main
from billing_desktop.domain import model as m
from billing_desktop.domain.access import Actor
from billing_desktop.domain.errors import InvalidInput, PermissionDenied
from billing_desktop.domain.periods import Month
from billing_desktop.services import credits
from billing_desktop.services.billing import usage_summary
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.imports import import_file
from billing_desktop.services.month_close import close_month
from billing_desktop.services.usage_page import month_choices, transactions, usage_page
from billing_desktop.store.ports import UnitOfWork
from tests.usage_workspace import build, utc_today

D = Decimal
TODAY = date(2026, 11, 21)
NOVEMBER = Month(2026, 11)
NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


@pytest.fixture
def acme(store: SqlStore) -> SqlStore:
    with store() as uow:
        build(uow, TODAY)
        uow.commit()
    return store


def actor(uow: UnitOfWork, user: str | None = None) -> Actor:
    return resolve_actor(uow, user)


def balance(store: SqlStore, today: date = TODAY) -> Decimal:
    with store() as uow:
        return usage_summary(uow, actor(uow), None, today).balance


def credit_rows(store: SqlStore) -> list[m.LedgerEntry]:
    with store() as uow:
        return [e for e in uow.ledger.all() if e.pool == m.CREDITS_POOL]


def audit_of(store: SqlStore, action: str) -> list[m.AuditEntry]:
    with store() as uow:
        return [a for a in uow.audit.recent(1000) if a.action == action]


def test_a_purchase_is_a_credits_ledger_row_with_its_audit_row(acme: SqlStore) -> None:
    assert balance(acme) == D("21.20")
    with acme() as uow:
        change = credits.purchase_credits(uow, actor(uow), "250.00", today=TODAY, now=NOW)
        uow.commit()
    assert change.entry == m.LedgerEntry(
        TODAY,
        m.LedgerKind.PURCHASE,
        D("250.00"),
        reference="CR-000001",
        description="Credit purchase",
        pool=m.CREDITS_POOL,
    )
    assert change.summary() == "Purchased credits of $250.00 (CR-000001, 2026-11-21)."
    [stored] = credit_rows(acme)
    assert stored.id is not None and stored.amount == D("250.00")
    [audit] = audit_of(acme, "purchase-credits")
    assert (audit.actor, audit.entity, audit.entity_id, audit.at) == (
        "ada",
        "ledger",
        "CR-000001",
        NOW,
    )
    assert audit.after == {
        "kind": "purchase",
        "amount": "250.00",
        "currency": "USD",
        "pool": "credits",
        "occurred_on": "2026-11-21",
    }
    # Credit bought pays the month's charges first, then is credit left: +250.00 exactly.
    assert balance(acme) == D("271.20")
    with acme() as uow:
        second = credits.purchase_credits(uow, actor(uow), D("1.5"), today=TODAY)
        uow.commit()
    assert second.entry.reference == "CR-000002" and second.entry.amount == D("1.50")


def test_a_one_time_payment_is_credit_too(acme: SqlStore) -> None:
    with acme() as uow:
        change = credits.make_one_time_payment(uow, actor(uow, "eve"), "40", today=TODAY)
        uow.commit()
    assert change.entry.kind == m.LedgerKind.ONE_TIME_PAYMENT
    assert change.entry.reference == "OTP-000001" and change.entry.pool == m.CREDITS_POOL
    assert audit_of(acme, "one-time-payment")[0].actor == "eve"  # Edit Billing may pay
    assert balance(acme) == D("61.20")


def test_ledger_and_audit_rows_land_together_or_not_at_all(
    acme: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    with acme() as uow:
        credits.purchase_credits(uow, actor(uow), "10.00", today=TODAY)
        # no commit: the unit of work rolls back, nothing of the action stays
    with acme() as uow:

        def broken(entry: m.AuditEntry) -> None:
            raise RuntimeError("disk full")

        monkeypatch.setattr(uow.audit, "add", broken)
        with pytest.raises(RuntimeError):
            credits.purchase_credits(uow, actor(uow), "10.00", today=TODAY)
            uow.commit()
    assert credit_rows(acme) == []
    assert audit_of(acme, "purchase-credits") == []


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("", "enter an amount in USD"),
        ("abc", "'abc' is not an amount"),
        ("0", "more than zero"),
        ("-5.00", "more than zero"),
        ("1.234", "more decimals than USD allows (2)"),
        ("1000000.01", "at most $1,000,000.00 per action"),
        ("12,50", "use a dot for decimals"),
        ("NaN", "is not an amount"),
    ],
)
def test_bad_amounts_are_refused_and_nothing_is_written(
    acme: SqlStore, amount: str, message: str
) -> None:
    with acme() as uow, pytest.raises(InvalidInput, match=re.escape(message)):
        credits.purchase_credits(uow, actor(uow), amount, today=TODAY)
        uow.commit()
    assert credit_rows(acme) == []


def test_the_largest_amount_and_grouped_digits_are_accepted() -> None:
    assert credits.credit_amount("1,000,000.00", "USD") == D("1000000.00")
    assert credits.credit_amount(" 7 ", "JPY") == D("7")
    assert credits.credit_amount("1.125", "KWD") == D("1.125")
    with pytest.raises(InvalidInput, match="more decimals than JPY allows"):
        credits.credit_amount("7.5", "JPY")


@pytest.mark.parametrize("user", ["sam"])  # a supervisor may view Usage, not edit it
def test_viewers_may_not_change_credits(acme: SqlStore, user: str) -> None:
    with acme() as uow:
        viewer = actor(uow, user)
        for call in (
            lambda: credits.purchase_credits(uow, viewer, "5", today=TODAY),
            lambda: credits.make_one_time_payment(uow, viewer, "5", today=TODAY),
            lambda: credits.set_auto_recharge(uow, viewer, True, "10", "20"),
            lambda: credits.apply_auto_recharge(uow, viewer, TODAY),
        ):
            with pytest.raises(PermissionDenied, match="edit Usage"):
                call()
        uow.commit()
    assert credit_rows(acme) == []


def set_auto(store: SqlStore, enabled: bool, threshold: str, amount: str) -> None:
    with store() as uow:
        credits.set_auto_recharge(uow, actor(uow), enabled, threshold, amount, now=NOW)
        uow.commit()


def test_auto_recharge_settings_are_stored_in_minor_units_and_audited(acme: SqlStore) -> None:
    with acme() as uow:
        assert credits.auto_recharge_settings(uow) == credits.AutoRecharge(False, D(0), D(0))
    set_auto(acme, True, "100.00", "500")
    with acme() as uow:
        assert uow.settings.get("auto_recharge") == {
            "enabled": True,
            "threshold_minor": 10000,
            "amount_minor": 50000,
        }
        assert credits.auto_recharge_settings(uow) == credits.AutoRecharge(
            True, D("100.00"), D("500.00")
        )
    [audit] = audit_of(acme, "auto-recharge-settings")
    assert audit.before == {
        "enabled": False,
        "threshold": "0.00",
        "amount": "0.00",
        "currency": "USD",
    }
    assert audit.after == {
        "enabled": True,
        "threshold": "100.00",
        "amount": "500.00",
        "currency": "USD",
    }
    set_auto(acme, False, "", "")  # switching off keeps the amounts
    with acme() as uow:
        assert credits.auto_recharge_settings(uow) == credits.AutoRecharge(
            False, D("100.00"), D("500.00")
        )
    with acme() as uow, pytest.raises(InvalidInput, match="Recharge amount: give an amount"):
        credits.set_auto_recharge(uow, actor(uow), True, "10", "0")


def test_auto_recharge_is_refused_for_an_account_paying_by_invoice(store: SqlStore) -> None:
    with store() as uow:
        build(uow, TODAY, m.PaymentMethod.INVOICE)
        uow.commit()
    with store() as uow:
        assert credits.auto_recharge_refusal(uow.account.get()) == credits.CARD_ONLY  # type: ignore[arg-type]
        with pytest.raises(InvalidInput, match="only when the payment method is a credit card"):
            credits.set_auto_recharge(uow, actor(uow), True, "100", "50")
        # Off is always allowed, and an "on" setting left from a card account never fires.
        credits.set_auto_recharge(uow, actor(uow), False, "100", "50")
        uow.settings.put(
            "auto_recharge", {"enabled": True, "threshold_minor": 10**9, "amount_minor": 100}
        )
        assert credits.apply_auto_recharge(uow, actor(uow), TODAY) is None
        uow.commit()
    assert credit_rows(store) == []
    assert "only when the payment method is a credit card" in credits.CARD_ONLY


def test_auto_recharge_fires_once_per_threshold_crossing(acme: SqlStore) -> None:
    def apply() -> credits.CreditChange | None:
        with acme() as uow:
            fired = credits.apply_auto_recharge(uow, actor(uow), TODAY, now=NOW)
            uow.commit()
        return fired

    set_auto(acme, True, "20.00", "50.00")
    assert apply() is None  # 21.20 is not below 20.00
    set_auto(acme, True, "100.00", "50.00")
    fired = apply()  # 21.20 < 100.00: +50.00
    assert fired is not None
    assert fired.entry == m.LedgerEntry(
        TODAY,
        m.LedgerKind.PURCHASE,
        D("50.00"),
        reference="AUTO-000001",
        description="Auto-recharge",
        pool=m.CREDITS_POOL,
    )
    assert balance(acme) == D("71.20")
    [audit] = audit_of(acme, "auto-recharge")
    assert audit.entity_id == "AUTO-000001"
    assert audit.after is not None and audit.after["balance_before"] == "21.20"
    assert audit.after["threshold"] == "100.00"
    # Still below 100.00, but this drop was answered already: no second charge.
    assert apply() is None
    assert apply() is None
    # Back above the threshold (a purchase), then usage drops it below again: a new crossing.
    with acme() as uow:
        credits.purchase_credits(uow, actor(uow), "40", today=TODAY)
        uow.commit()
    assert balance(acme) == D("111.20")
    assert apply() is None  # re-armed, nothing to do
    with acme() as uow:
        uow.ledger.add_many(
            [m.LedgerEntry(TODAY, m.LedgerKind.USAGE_DEBIT, D("-30.00"), pool=m.CREDITS_POOL)]
        )
        uow.commit()
    assert balance(acme) == D("81.20")
    second = apply()
    assert second is not None and second.entry.reference == "AUTO-000002"
    refs = [e.reference for e in credit_rows(acme) if e.reference.startswith("AUTO-")]
    assert refs == ["AUTO-000001", "AUTO-000002"]


def test_an_import_of_usage_fires_auto_recharge_in_the_same_transaction(
    store: SqlStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    today = utc_today()
    with store() as uow:
        build(uow, today)
        credits.set_auto_recharge(uow, actor(uow), True, "21.00", "75.00")
        uow.commit()
    assert balance(store, today) == D("21.20")
    first = Month.of(today).first_day
    calls = tmp_path / "calls.csv"
    calls.write_text(
        "id,type,triggered_by,trigger_source,candidate_id,campaign,number,user_id,started_at,"
        "duration_seconds\n"
        # 60 more minutes, all billable: 1.20, paid by the commit; 21.20 -> 20.00
        f"late-1,autocall,candidate,Email,,Fall,,,{first.isoformat()}T10:00:00Z,3600\n",
        encoding="utf-8",
    )
    report = import_file(store, "calls", calls)
    assert report.auto_recharge is not None and "AUTO-000001" in report.auto_recharge
    assert "Auto-recharge added $75.00" in report.summary()
    assert report.as_dict()["auto_recharge"] == report.auto_recharge
    assert balance(store, today) == D("95.00")
    again = import_file(store, "calls", calls)  # everything skipped: nothing new, no charge
    assert again.auto_recharge is None and "auto_recharge" not in again.as_dict()
    assert [e.reference for e in credit_rows(store)] == ["AUTO-000001"]
    with store() as uow:
        [audit] = [a for a in uow.audit.recent() if a.action == "auto-recharge"]
    assert audit.actor == "ada"


def test_the_usage_page_is_the_summary_plus_months_transactions_and_settings(
    acme: SqlStore,
) -> None:
    with acme() as uow:
        admin = actor(uow)
        # The VOICE commit from September starts the billing history: September closes first.
        close_month(uow, admin, Month(2026, 9), today=TODAY, now=NOW)
        close_month(uow, admin, Month(2026, 10), today=TODAY, now=NOW)
        credits.purchase_credits(uow, admin, "25.00", today=TODAY)
        uow.commit()
    with acme() as uow:
        page = usage_page(uow, actor(uow), None, TODAY)
        assert page.summary.as_json() == usage_summary(uow, actor(uow), None, TODAY).as_json()
        assert page.is_current and page.month == NOVEMBER and page.can_edit
        assert page.product_commits == 1 and page.fired is None
        assert page.pending_storage == ()
        labels = [c.label for c in page.months]
        assert labels[:3] == [
            "November 2026 (current)",
            "October 2026 — closed, INV-000001",
            "September 2026 — closed, no invoice",
        ]
        assert len(labels) == 12
        viewer = usage_page(uow, actor(uow, "sam"), Month(2026, 10), TODAY)
        assert viewer.summary.closed and not viewer.can_edit
        rows = transactions(uow, actor(uow), NOVEMBER)
    # October's invoice is issued on November 1st; the purchase follows.
    assert [(t.kind_label, t.reference, t.amount, t.who) for t in rows] == [
        ("Invoice", "INV-000001", D("-0.20"), "Ada Admin"),
        ("Credit purchase", "CR-000001", D("25.00"), "Ada Admin"),
    ]
    # The running balance: every row before November (October's close) plus these.
    assert [t.balance_after for t in rows] == [D("-0.20"), D("24.80")]
    assert rows[1].as_csv("USD") == [
        "2026-11-21",
        "Credit purchase",
        "",
        "CR-000001",
        "Credit purchase",
        "25.00",
        "24.80",
        "USD",
        "Ada Admin",
    ]


def test_month_choices_include_closed_and_asked_months(acme: SqlStore) -> None:
    with acme() as uow:
        choices = month_choices(uow, TODAY, Month(2020, 2))
    assert len(choices) == 13
    assert choices[0].current and choices[-1].month == Month(2020, 2)
    assert choices[-1].label == "February 2020 — open, not closed yet"  # its state beside it


def test_a_refresh_with_auto_recharge_on_commits_the_recharge(acme: SqlStore) -> None:
    set_auto(acme, True, "1000", "10")
    with acme() as uow:
        page = usage_page(uow, actor(uow), None, TODAY)
    assert page.fired is not None and page.summary.balance == D("31.20")
    assert page.transactions[-1].kind_label == "Auto-recharge"
    assert [e.reference for e in credit_rows(acme)] == ["AUTO-000001"]  # committed
    with acme() as uow:  # a viewer's refresh never buys anything
        assert usage_page(uow, actor(uow, "sam"), None, TODAY).fired is None


def test_usage_json_shows_the_purchase(acme: SqlStore, store_path: Path, capsys: Any) -> None:
    with acme() as uow:
        credits.purchase_credits(uow, actor(uow), "100", today=utc_today())
        uow.commit()
    capsys.readouterr()
    assert main(["--store", str(store_path), "usage", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    with acme() as uow:
        assert data == usage_summary(uow, actor(uow)).as_json()


def test_peak_day_storage_is_announced_until_the_28th(acme: SqlStore) -> None:
    with acme() as uow:
        uow.products.add_many(
            [
                m.Product(
                    "STORE",
                    "Recording storage",
                    m.Unit.GB,
                    D("0.25"),
                    D("0"),
                    False,
                    m.Metering.PEAK_DAY,
                    m.Source.STORAGE,
                    m.CommitAvailability.NOT_AVAILABLE,
                )
            ]
        )
        uow.storage.add_many([m.StorageSnapshot(date(2026, 11, 2), D("40"))])
        uow.commit()
    with acme() as uow:
        before = usage_page(uow, actor(uow), None, date(2026, 11, 27))
        after = usage_page(uow, actor(uow), None, date(2026, 11, 28))
        october = usage_page(uow, actor(uow), Month(2026, 10), date(2026, 11, 27))
    assert before.pending_storage == ("Recording storage",)
    assert "STORE" not in [p.code for p in before.summary.products]
    assert after.pending_storage == () and "STORE" in [p.code for p in after.summary.products]
    assert october.pending_storage == ()


def test_saving_auto_recharge_with_fire_buys_at_once_in_the_same_transaction(
    store: SqlStore,
) -> None:
    today = utc_today()
    with store() as uow:
        build(uow, today)
        saved = credits.set_auto_recharge(uow, actor(uow), True, "100", "50", fire=True)
        uow.commit()
    assert saved.fired is not None and saved.fired.entry.reference == "AUTO-000001"
    assert "Auto-recharge added $50.00" in saved.fired.summary()
    assert saved == credits.AutoRecharge(True, D(100), D(50))  # what fired is not the setting
    assert balance(store, today) == D("71.20")
    with store() as uow:  # the next refresh finds it done (disarmed until back above)
        assert credits.apply_auto_recharge(uow, actor(uow), today) is None
        again = credits.set_auto_recharge(uow, actor(uow), False, "100", "50", fire=True)
    assert again.fired is None
