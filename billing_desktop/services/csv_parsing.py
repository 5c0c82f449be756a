"""Cell parsers for CSV imports (PRODUCT §12): one function per kind of value.

Every parser takes the cell's text already trimmed and non-blank (blank cells are the import
engine's business: required or optional) and returns the domain value, or raises ``BadValue``
whose message completes "calls.csv, line 7, column 'x': ...". They run once per cell of files
with a million rows, so they avoid regular expressions where a string method does, and every
pattern and lookup table is built once at import time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from functools import cache
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.model import Privilege, Tier
from billing_desktop.domain.money import parse_amount, validate_currency

E = TypeVar("E", bound=StrEnum)
Parser = Callable[[str], object]

# Whole numbers go to INTEGER columns, which are 32-bit on PostgreSQL.
MAX_WHOLE = 2**31 - 1
# Decimals are stored as their text in a 40-character column (ExactDecimal).
MAX_DECIMAL_TEXT = 30
# Usage quantities are rolled up as integer millionths (usage_hourly.quantity).
QUANTITY_DECIMALS = 6
# Graduated tiers are stored as "above:price;above:price" text in a 500-character column.
MAX_TIERS_TEXT = 500
ID_LENGTH = 100
NAME_LENGTH = 200

_DECIMAL = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_SIGNED_DECIMAL = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
_INSTANT_EXAMPLE = "e.g. 2026-10-01T09:30:00Z"


class BadValue(ValueError):
    """A cell's text is not acceptable; the message names the text and what was expected."""


QUOTE_LENGTH = 40


def quote(value: str) -> str:
    """A cell's text for a one-line message: quoted, cut short, line breaks shown as \\n."""
    if len(value) > QUOTE_LENGTH:
        value = value[: QUOTE_LENGTH - 3] + "..."
    return "'" + value.replace("\r", "\\r").replace("\n", "\\n") + "'"


def text(max_length: int) -> Callable[[str], str]:
    """Free text (ids, names, campaigns) up to the column's length."""

    def parse(value: str) -> str:
        if len(value) > max_length:
            raise BadValue(f"is {len(value)} characters long (at most {max_length})")
        return value

    return parse


identifier = text(ID_LENGTH)
name = text(NAME_LENGTH)


def whole_number(value: str) -> int:
    """A count or a number of seconds: plain ASCII digits, 0 or more."""
    if value.isdigit() and value.isascii():
        number = int(value)
        if number > MAX_WHOLE:
            raise BadValue(f"{quote(value)} is too large (at most {MAX_WHOLE})")
        return number
    if value[:1] == "-" and value[1:].isdigit():
        raise BadValue(f"{quote(value)} must be 0 or more")
    raise BadValue(f"{quote(value)} is not a whole number")


def decimal(value: str) -> Decimal:
    """A price, quantity, minutes or free units: a plain decimal (no exponent), 0 or more.

    Parsed straight to Decimal, never through float, so 0.0125 stays 0.0125.
    """
    if _DECIMAL.fullmatch(value) is None:
        if _SIGNED_DECIMAL.fullmatch(value) is not None and value[0] == "-":
            raise BadValue(f"{quote(value)} must be 0 or more")
        raise BadValue(f"{quote(value)} is not a number (write it like 12.5)")
    if len(value) > MAX_DECIMAL_TEXT:
        raise BadValue(f"{quote(value)} has too many digits (at most {MAX_DECIMAL_TEXT})")
    return Decimal(value)


def quantity(value: str) -> Decimal:
    """A usage quantity that is summed into the rollups (a recording's minutes): a decimal
    with at most six decimals, which the rollups keep exactly."""
    number = decimal(value)
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -QUANTITY_DECIMALS:
        raise BadValue(f"{quote(value)} has more than {QUANTITY_DECIMALS} decimals")
    return number


def tiers(value: str) -> tuple[Tier, ...]:
    """Graduated prices: ';'-separated ABOVE:PRICE pairs, thresholds increasing and above 0.

    ``10000:0.015;50000:0.01``: billable units beyond 10,000 cost 0.015 each, beyond 50,000
    0.01 (below the first threshold the product's unit_price applies). Blank items are ignored.
    """
    found: list[Tier] = []
    for item in value.split(";"):
        item = item.strip()
        if not item:
            continue
        above_text, colon, price_text = item.partition(":")
        if not colon or not above_text.strip() or not price_text.strip():
            raise BadValue(f"tier {quote(item)} is not ABOVE:PRICE (e.g. 10000:0.015)")
        try:
            above = decimal(above_text.strip())
            price = decimal(price_text.strip())
        except BadValue as exc:
            raise BadValue(f"tier {quote(item)}: {exc}") from None
        if above <= 0:
            raise BadValue(f"tier {quote(item)}: the threshold must be more than 0")
        if found and above <= found[-1].above:
            previous = found[-1].above
            raise BadValue(f"tier {quote(item)}: thresholds must increase (after {previous})")
        found.append(Tier(above, price))
    stored = ";".join(f"{tier.above}:{tier.unit_price}" for tier in found)
    if len(stored) > MAX_TIERS_TEXT:
        raise BadValue(f"the tiers are {len(stored)} characters long (at most {MAX_TIERS_TEXT})")
    return tuple(found)


def money(
    currency: str, *, signed: bool = False, positive: bool = False
) -> Callable[[str], Decimal]:
    """An amount in ``currency`` with at most its minor-unit digits (USD 2, JPY 0, KWD 3)."""
    pattern = _SIGNED_DECIMAL if signed else _DECIMAL

    def parse(value: str) -> Decimal:
        if pattern.fullmatch(value) is None:
            if not signed and _SIGNED_DECIMAL.fullmatch(value) is not None and value[0] == "-":
                raise BadValue(f"{quote(value)} must be 0 or more")
            raise BadValue(f"{quote(value)} is not an amount (write it like 12.50)")
        try:
            amount = parse_amount(value, currency)
        except InvalidInput as exc:
            raise BadValue(str(exc)) from None
        if positive and amount <= 0:
            raise BadValue(f"{quote(value)} must be more than 0")
        return amount

    return parse


def day(value: str) -> date:
    """A calendar day written YYYY-MM-DD (not the week or ordinal forms ISO also allows)."""
    if len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise BadValue(f"{quote(value)} is not a date (YYYY-MM-DD, e.g. 2026-10-01)")


def instant(value: str) -> datetime:
    """An ISO 8601 time with a UTC offset or Z, returned as an aware UTC datetime.

    A naive time is refused rather than guessed: the account's zone, the machine's zone and
    UTC would each give a different instant, and usage is billed by the day.
    """
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadValue(
            f"{quote(value)} is not a time (ISO 8601 with offset, {_INSTANT_EXAMPLE})"
        ) from None
    zone = parsed.tzinfo
    if zone is None:
        raise BadValue(f"{quote(value)} needs a UTC offset or Z ({_INSTANT_EXAMPLE})")
    return parsed if zone is UTC else parsed.astimezone(UTC)


def phone_number(value: str) -> str:
    """An E.164 number: '+', country code, at most 15 digits, no spaces or dashes."""
    if _E164.fullmatch(value) is None:
        raise BadValue(f"{quote(value)} is not an E.164 phone number (e.g. +15550100)")
    return value


def boolean(value: str) -> bool:
    lowered = value.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise BadValue(f"{quote(value)} is not true or false")


def choice(enum_type: type[E]) -> Callable[[str], E]:
    """One of an enumeration's values, spelled exactly as PRODUCT §12 lists them."""
    members: dict[str, E] = {member.value: member for member in enum_type}
    expected = ", ".join(members)

    def parse(value: str) -> E:
        member = members.get(value)
        if member is None:
            raise BadValue(f"{quote(value)} is not one of: {expected}")
        return member

    return parse


def email(value: str) -> str:
    local, at, domain = value.partition("@")
    if not at or not local or not domain or "@" in domain or any(c.isspace() for c in value):
        raise BadValue(f"{quote(value)} is not an email address")
    if len(value) > 320:
        raise BadValue(f"is {len(value)} characters long (at most 320)")
    return value


def currency(value: str) -> str:
    try:
        return validate_currency(value)
    except InvalidInput as exc:
        raise BadValue(str(exc)) from None


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def timezone_name(value: str) -> str:
    """An IANA zone name, exactly as the zone database spells it (Europe/Berlin)."""
    names = _zone_names()
    if names:
        # Membership, not ZoneInfo(value): on case-insensitive file systems ZoneInfo would
        # accept "europe/berlin" and the misspelling would only fail on another machine.
        if value in names:
            return value
    else:  # no zone list available (no tzdata): fall back to loading the zone
        try:
            ZoneInfo(value)
            return value
        except (ZoneInfoNotFoundError, ValueError):
            pass
    raise BadValue(f"{quote(value)} is not a time zone (e.g. Europe/Berlin)")


def name_list(value: str) -> tuple[str, ...]:
    """';'-separated names (teams): items trimmed, blanks dropped, repeats dropped, order kept."""
    names = dict.fromkeys(item.strip() for item in value.split(";"))
    names.pop("", None)
    for item in names:
        if len(item) > NAME_LENGTH:
            raise BadValue(f"{quote(item)} is {len(item)} characters long (at most {NAME_LENGTH})")
    return tuple(names)


_PRIVILEGES = {p.value: p for p in Privilege}


def privileges(value: str) -> tuple[Privilege, ...]:
    """';'-separated access groups, returned sorted and unique, as the store keeps them."""
    found: set[Privilege] = set()
    for item in value.split(";"):
        item = item.strip()
        if not item:
            continue
        privilege = _PRIVILEGES.get(item)
        if privilege is None:
            raise BadValue(
                f"{quote(item)} is not an access group (expected: {', '.join(_PRIVILEGES)})"
            )
        found.add(privilege)
    return tuple(sorted(found, key=lambda p: p.value))
