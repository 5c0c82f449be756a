"""Money: Decimal amounts in an ISO 4217 currency, integer minor units for storage.

Rounding rules are named where they are applied; the default for amounts is half-up to the
currency's minor unit (PRODUCT §3).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

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


def minor_digits(currency: str) -> int:
    """Number of decimals of the currency's minor unit: USD 2, JPY 0, KWD 3."""
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
    return Decimal(minor).scaleb(-digits).quantize(Decimal(1).scaleb(-digits))


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
