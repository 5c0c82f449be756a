"""Money: Decimal amounts in an ISO 4217 currency, integer minor units for storage.

Rounding rules are named where they are applied; the default for amounts is half-up to the
currency's minor unit (PRODUCT §3).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

from babel.numbers import get_currency_precision, get_currency_symbol, is_currency

from billing_desktop.domain.errors import InvalidInput

HALF_UP = ROUND_HALF_UP
# Amounts must fit a signed 64-bit column in minor units with room to add them up.
MAX_AMOUNT = Decimal(10) ** 15  # adjusted() >= 15 means |amount| >= this


def validate_currency(code: str) -> str:
    """Return the upper-case ISO 4217 code, or raise InvalidInput."""
    normalised = code.strip().upper()
    if len(normalised) != 3 or not normalised.isalpha() or not is_currency(normalised):
        raise InvalidInput(f"'{code}' is not an ISO 4217 currency code")
    return normalised


@cache
def minor_digits(currency: str) -> int:
    """Number of decimals of the currency's minor unit: USD 2, JPY 0, KWD 3. (Kept per code:
    Babel looks it up in its data each time, a third of the units overview's money work.)"""
    return int(get_currency_precision(currency))


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_digits(currency))


def round_money(amount: Decimal, currency: str, rounding: str = HALF_UP) -> Decimal:
    """Round to the currency's minor unit (default rule: half-up)."""
    return amount.quantize(quantum(currency), rounding=rounding)


def to_minor(amount: Decimal, currency: str) -> int:
    """Exact conversion to integer minor units; refuses amounts finer than the minor unit."""
    if not amount.is_finite() or (amount and amount.adjusted() >= 15):
        raise InvalidInput(f"{amount} is out of range (at most {MAX_AMOUNT - 1:,} in size)")
    scaled = amount.scaleb(minor_digits(currency))
    if scaled != scaled.to_integral_value():
        raise InvalidInput(
            f"{amount} has more decimals than {currency} allows ({minor_digits(currency)})"
        )
    return int(scaled)


def from_minor(minor: int, currency: str) -> Decimal:
    digits = minor_digits(currency)
    if not minor:
        return _zero(digits)  # most units' and products' shares: no Decimal arithmetic
    return Decimal(minor).scaleb(-digits).quantize(Decimal(1).scaleb(-digits))


@cache
def _zero(digits: int) -> Decimal:
    return Decimal(0).scaleb(-digits).quantize(Decimal(1).scaleb(-digits))


def parse_amount(text: str, currency: str) -> Decimal:
    """Parse a money amount written with at most the currency's minor-unit decimals."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise InvalidInput(f"'{text}' is not an amount") from None
    if not value.is_finite():
        raise InvalidInput(f"'{text}' is not an amount")
    to_minor(value, currency)  # raises when too precise
    return value.quantize(quantum(currency))


def format_amount(amount: Decimal, currency: str) -> str:
    """Plain amount with exactly the minor-unit digits ("-10.00"), as the JSON shapes promise."""
    return str(amount.quantize(quantum(currency)))


def currency_symbol(currency: str) -> str:
    return str(get_currency_symbol(currency, locale="en"))


def format_money(amount: Decimal, currency: str, *, keep_precision: bool = False) -> str:
    """Human display: symbol, thousands separators, minus sign in front ("-$1,234.50").

    Amounts are rounded half-up to the minor unit; with ``keep_precision`` (unit prices) the
    extra decimals stay (``$0.0125``), never fewer than the currency's own.
    """
    digits = minor_digits(currency)
    if keep_precision:
        exponent = amount.normalize().as_tuple().exponent
        if isinstance(exponent, int):
            digits = max(digits, -exponent)
    rounded = amount.quantize(Decimal(1).scaleb(-digits), rounding=HALF_UP)
    sign = "-" if rounded < 0 else ""
    body = f"{abs(rounded):,.{digits}f}"
    symbol = currency_symbol(currency)
    if len(symbol) > 1 and symbol.isalpha():
        return f"{sign}{symbol} {body}"
    return f"{sign}{symbol}{body}"


MAX_CREDIT_AMOUNT = Decimal(1_000_000)  # per action, in the account's currency
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")


def credit_amount(
    value: str | Decimal, currency: str, what: str = "the amount", *, allow_zero: bool = False
) -> Decimal:
    """A credit amount as the user gave it, checked: positive (or zero when ``allow_zero``), at
    most the currency's minor-unit digits, at most ``MAX_CREDIT_AMOUNT``. Raises InvalidInput
    with a message naming ``what``."""
    text = value if isinstance(value, str) else format(value, "f")
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput(f"{what}: enter an amount in {currency}")
    if "," in cleaned:
        # Thousands separators only ("1,250.00"); "12,50" would be a decimal comma, which is
        # refused rather than read as 1250.
        if not _GROUPED.fullmatch(cleaned):
            raise InvalidInput(f"{what}: '{cleaned}' is not an amount (use a dot for decimals)")
        cleaned = cleaned.replace(",", "")
    try:
        amount = parse_amount(cleaned, currency)
    except InvalidInput as exc:
        raise InvalidInput(f"{what}: {exc}") from None
    if amount < 0 or (amount == 0 and not allow_zero):
        least = "zero or more" if allow_zero else "more than zero"
        raise InvalidInput(f"{what}: give an amount {least} ({text.strip()} is not)")
    if amount > MAX_CREDIT_AMOUNT:
        raise InvalidInput(
            f"{what}: at most {format_money(MAX_CREDIT_AMOUNT, currency)} per action "
            f"({format_money(amount, currency)} was given)"
        )
    return amount
