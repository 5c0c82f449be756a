"""Credit amounts and the auto-recharge rule, without a store (services/credits.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing_desktop.domain import model as m
from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.periods import Month
from billing_desktop.services import credits
from billing_desktop.services.pricing import pricing_file_name
from billing_desktop.services.usage_page import MonthChoice

D = Decimal


@pytest.mark.parametrize(
    ("text", "currency", "expected"),
    [
        ("250", "USD", D("250.00")),
        ("250.5", "USD", D("250.50")),
        ("1,250.75", "USD", D("1250.75")),
        ("1000000", "USD", D("1000000.00")),
        ("500", "JPY", D("500")),
        ("0.125", "KWD", D("0.125")),
        ("  12.00  ", "EUR", D("12.00")),
    ],
)
def test_amounts_in_the_minor_unit_are_accepted(text: str, currency: str, expected: D) -> None:
    amount = credits.credit_amount(text, currency)
    assert amount == expected
    assert amount.as_tuple().exponent == expected.as_tuple().exponent  # quantized


@pytest.mark.parametrize(
    ("text", "currency", "problem"),
    [
        ("", "USD", "enter an amount"),
        ("ten", "USD", "is not an amount"),
        ("Infinity", "USD", "is not an amount"),
        ("0", "USD", "more than zero"),
        ("0.00", "USD", "more than zero"),
        ("-1", "USD", "more than zero"),
        ("0.001", "USD", "more decimals than USD allows"),
        ("5.5", "JPY", "more decimals than JPY allows"),
        ("1.0001", "KWD", "more decimals than KWD allows"),
        ("1000000.01", "USD", "at most"),
        ("2,000,000", "USD", "at most"),
        ("10,5", "EUR", "use a dot for decimals"),
        ("1,2345", "USD", "use a dot for decimals"),
    ],
)
def test_bad_amounts_name_the_problem(text: str, currency: str, problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem) as caught:
        credits.credit_amount(text, currency, "Purchase amount")
    assert str(caught.value).startswith("Purchase amount: ")


def test_a_threshold_may_be_zero_but_not_negative() -> None:
    assert credits.credit_amount("0", "USD", "Threshold", allow_zero=True) == D("0.00")
    with pytest.raises(InvalidInput, match="zero or more"):
        credits.credit_amount("-0.01", "USD", "Threshold", allow_zero=True)


@given(st.integers(min_value=1, max_value=100_000_000))
def test_every_whole_number_of_cents_up_to_the_maximum_round_trips(cents: int) -> None:
    amount = D(cents).scaleb(-2)
    assert credits.credit_amount(str(amount), "USD") == amount
    assert credits.credit_amount(amount, "USD") == amount


def test_only_card_accounts_may_auto_recharge() -> None:
    card = m.Account(
        "A", "USD", "UTC", m.PlanTier.PRO, m.PaymentMethod.CREDIT_CARD, m.CommitScope.NONE
    )
    invoice = m.Account(
        "A", "USD", "UTC", m.PlanTier.PRO, m.PaymentMethod.INVOICE, m.CommitScope.NONE
    )
    assert credits.auto_recharge_refusal(card) is None
    refusal = credits.auto_recharge_refusal(invoice)
    assert refusal is not None and "credit card" in refusal and "invoice" in refusal


def test_settings_and_changes_describe_themselves() -> None:
    assert credits.AutoRecharge(False, D(0), D(0)).describe("USD") == "Off"
    on = credits.AutoRecharge(True, D("100"), D("500"))
    assert on.describe("EUR") == "On: adds €500.00 when the balance is below €100.00"
    entry = m.LedgerEntry(date(2026, 11, 2), m.LedgerKind.PURCHASE, D("500.00"),
                          reference="AUTO-000003", pool=m.CREDITS_POOL)  # fmt: skip
    assert credits.CreditChange(entry, "USD").summary() == (
        "Auto-recharge added $500.00 (AUTO-000003, 2026-11-02)."
    )
    payment = m.LedgerEntry(date(2026, 11, 2), m.LedgerKind.ONE_TIME_PAYMENT, D("5"),
                            reference="OTP-000001", pool=m.CREDITS_POOL)  # fmt: skip
    assert credits.CreditChange(payment, "JPY").summary() == (
        "One-time payment of ¥5 (OTP-000001, 2026-11-02)."
    )


def test_month_choices_and_file_names_read_well() -> None:
    assert MonthChoice(Month(2026, 11), current=True).label == "November 2026 (current)"
    assert MonthChoice(Month(2026, 9), closed=True, invoice_number="INV-000004").label == (
        "September 2026 — closed, INV-000004"
    )
    assert MonthChoice(Month(2026, 8), closed=True).label == "August 2026 — closed, no invoice"
    assert pricing_file_name("Northwind Contact Center", date(2026, 11, 21), "pdf") == (
        "usage-pricing-northwind-contact-center-2026-11-21.pdf"
    )
    assert pricing_file_name("Ünïcode / *?", date(2026, 1, 2), ".csv") == (
        "usage-pricing-unicode-2026-01-02.csv"
    )
    assert pricing_file_name("???", date(2026, 1, 2), "csv") == "usage-pricing-2026-01-02.csv"
