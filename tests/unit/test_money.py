from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.money import (
    format_amount,
    format_money,
    from_minor,
    minor_digits,
    parse_amount,
    round_money,
    to_minor,
    validate_currency,
)

CURRENCIES = ("USD", "EUR", "JPY", "KWD", "GBP", "CHF")


@pytest.mark.parametrize(("currency", "digits"), [("USD", 2), ("JPY", 0), ("KWD", 3)])
def test_minor_digits_follow_iso_4217(currency: str, digits: int) -> None:
    assert minor_digits(currency) == digits


def test_currency_codes_are_validated() -> None:
    assert validate_currency(" usd ") == "USD"
    for bad in ("US", "DOLLAR", "XYZ", "12A"):
        with pytest.raises(InvalidInput):
            validate_currency(bad)


def test_round_half_up_to_the_minor_unit() -> None:
    assert round_money(Decimal("0.125"), "USD") == Decimal("0.13")
    assert round_money(Decimal("-0.125"), "USD") == Decimal("-0.13")
    assert round_money(Decimal("12.5"), "JPY") == Decimal("13")
    assert round_money(Decimal("1.0005"), "KWD") == Decimal("1.001")


def test_to_minor_refuses_amounts_finer_than_the_currency() -> None:
    assert to_minor(Decimal("10.25"), "USD") == 1025
    with pytest.raises(InvalidInput, match="more decimals"):
        to_minor(Decimal("10.255"), "USD")
    with pytest.raises(InvalidInput):
        to_minor(Decimal("1.5"), "JPY")


def test_parse_amount() -> None:
    assert parse_amount("30", "USD") == Decimal("30.00")
    assert parse_amount(" -10.5 ", "USD") == Decimal("-10.50")
    for bad in ("abc", "1e999999999", "NaN", "1.234"):
        with pytest.raises(InvalidInput):
            parse_amount(bad, "USD")


def test_json_amounts_have_exactly_the_minor_digits() -> None:
    assert format_amount(Decimal("-10"), "USD") == "-10.00"
    assert format_amount(Decimal("1500"), "JPY") == "1500"
    assert format_amount(Decimal("2.5"), "KWD") == "2.500"


def test_display_amounts() -> None:
    assert format_money(Decimal("-1234.5"), "USD") == "-$1,234.50"
    assert format_money(Decimal("1500"), "JPY") == "¥1,500"
    assert format_money(Decimal("0"), "EUR") == "€0.00"


@settings(max_examples=1000)
@given(st.integers(min_value=-(10**12), max_value=10**12), st.sampled_from(CURRENCIES))
def test_minor_units_round_trip(minor: int, currency: str) -> None:
    amount = from_minor(minor, currency)
    assert to_minor(amount, currency) == minor
    assert amount.as_tuple().exponent == -minor_digits(currency)


@settings(max_examples=1000)
@given(
    st.decimals(min_value=-(10**9), max_value=10**9, places=6, allow_nan=False),
    st.sampled_from(CURRENCIES),
)
def test_rounding_moves_at_most_half_a_minor_unit(amount: Decimal, currency: str) -> None:
    rounded = round_money(amount, currency)
    half = Decimal(1).scaleb(-minor_digits(currency)) / 2
    assert abs(rounded - amount) <= half
    to_minor(rounded, currency)  # always representable in minor units


def test_unit_prices_keep_their_precision() -> None:
    assert format_money(Decimal("0.0125"), "USD", keep_precision=True) == "$0.0125"
    assert format_money(Decimal("65"), "USD", keep_precision=True) == "$65.00"
    assert format_money(Decimal("0.5"), "JPY", keep_precision=True) == "¥0.5"
