"""Payment methods on file (issue 19 §2): checking a typed card number or IBAN, and expiry.

A full card number (or IBAN) is checked where it is typed — Luhn check digit and the card
brand's number ranges and lengths, or the IBAN's check digits and its country's format (both
by python-stdnum) — and reduced at once to what is kept: the brand and the last four digits.
The number itself is never stored, sent to a server, logged or audited; the use cases that add
a method take only the reduced form (as a card platform's own client library would hand over
a token). The CVC is checked for its length and forgotten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from stdnum import iban as stdnum_iban
from stdnum import luhn
from stdnum.exceptions import ValidationError

from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.periods import Month

EXPIRING_DAYS = 30
MAX_HOLDER = 100
MAX_BANK_NAME = 100


@dataclass(frozen=True, slots=True)
class Brand:
    name: str
    prefixes: tuple[tuple[int, int], ...]  # inclusive ranges of leading digits
    lengths: tuple[int, ...]
    cvc_length: int = 3


# Issuer identification ranges of the card brands accepted (ISO/IEC 7812 prefixes as the
# networks publish them). The longest matching prefix decides.
BRANDS: tuple[Brand, ...] = (
    Brand("Visa", ((4, 4),), (13, 16, 19)),
    Brand("Mastercard", ((51, 55), (2221, 2720)), (16,)),
    Brand("American Express", ((34, 34), (37, 37)), (15,), cvc_length=4),
    Brand("Discover", ((6011, 6011), (644, 649), (65, 65)), (16, 17, 18, 19)),
    Brand("JCB", ((3528, 3589),), (16, 17, 18, 19)),
    Brand("Diners Club", ((300, 305), (36, 36), (38, 39)), (14, 15, 16, 17, 18, 19)),
    Brand("UnionPay", ((62, 62),), (16, 17, 18, 19)),
)
BRAND_NAMES = tuple(brand.name for brand in BRANDS)


@dataclass(frozen=True, slots=True)
class CardSummary:
    """What is kept of a typed card number."""

    brand: str
    last_four: str


def _digits(text: str, what: str) -> str:
    compact = re.sub(r"[\s-]", "", text)
    if not compact:
        raise InvalidInput(f"enter the {what}")
    if not compact.isdigit() or not compact.isascii():
        raise InvalidInput(f"the {what} may contain only digits, spaces and dashes")
    return compact


def card_brand(number: str) -> Brand | None:
    """The brand whose ranges hold ``number`` (digits only), or None."""
    best: tuple[int, Brand] | None = None
    for brand in BRANDS:
        for low, high in brand.prefixes:
            size = len(str(low))
            head = int(number[:size]) if len(number) >= size else -1
            if low <= head <= high and (best is None or size > best[0]):
                best = (size, brand)
    return None if best is None else best[1]


def check_card(number: str, cvc: str) -> CardSummary:
    """Brand and last four of a typed card number, checked with its CVC (InvalidInput naming
    the problem otherwise). The number and CVC go no further than this function."""
    digits = _digits(number, "card number")
    brand = card_brand(digits)
    if brand is None:
        raise InvalidInput(
            "the card number belongs to no accepted card brand (" + ", ".join(BRAND_NAMES) + ")"
        )
    if len(digits) not in brand.lengths:
        lengths = " or ".join(str(n) for n in brand.lengths)
        raise InvalidInput(
            f"a {brand.name} card number has {lengths} digits; this one has {len(digits)}"
        )
    if not luhn.is_valid(digits):
        raise InvalidInput("the card number is mistyped: its check digit does not match")
    code = cvc.strip()
    if not code.isdigit() or not code.isascii() or len(code) != brand.cvc_length:
        raise InvalidInput(
            f"the security code (CVC) of a {brand.name} card is {brand.cvc_length} digits"
        )
    return CardSummary(brand.name, digits[-4:])


def check_iban(text: str) -> str:
    """The last four characters of a typed IBAN, checked (country format and check digits)."""
    compact = re.sub(r"\s", "", text).upper()
    if not compact:
        raise InvalidInput("enter the IBAN")
    try:
        valid = stdnum_iban.validate(compact)
    except ValidationError as exc:
        problem = str(exc).rstrip(".").lower()
        raise InvalidInput(f"the IBAN is not valid: {problem}") from None
    return str(valid)[-4:]


def parse_expiry(text: str) -> Month:
    """A card's expiry as printed on it, MM/YY (or MM/YYYY): the month it is valid through."""
    match = re.fullmatch(r"\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*", text)
    if not match:
        raise InvalidInput(f"expiry '{text.strip()}' is not a month as on the card (MM/YY)")
    month, year = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise InvalidInput(f"expiry '{text.strip()}': the month must be 01 to 12")
    if year < 100:
        year += 2000
    return Month(year, month)


def expiry_text(month: Month) -> str:
    return f"{month.month:02d}/{month.year % 100:02d}"


def expiry_state(valid_through: Month, today: date) -> str:
    """ "expired", "expiring" (within 30 days of its last valid day) or "" (fine)."""
    if valid_through.last_day < today:
        return "expired"
    if valid_through.last_day <= today + timedelta(days=EXPIRING_DAYS):
        return "expiring"
    return ""


def check_holder(text: str, what: str = "card holder's name", limit: int = MAX_HOLDER) -> str:
    name = " ".join(text.split())
    if not name:
        raise InvalidInput(f"enter the {what}")
    if len(name) > limit:
        raise InvalidInput(f"the {what} is {len(name)} characters long; at most {limit}")
    if any(ch.isdigit() for ch in name) and sum(ch.isdigit() for ch in name) >= 8:
        raise InvalidInput(f"the {what} must not contain a number")
    return name
