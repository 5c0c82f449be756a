"""Cell parsers for CSV imports (PRODUCT §12): one function per kind of value.

Every parser takes the cell's text already trimmed and non-blank (blank cells are the import
engine's business: required or optional) and returns the domain value, or raises ``BadValue``
whose message completes "calls.csv, line 7, column 'x': ...". They run once per cell of files
with a million rows, so they avoid regular expressions where a string method does, and every
pattern and lookup table is built once at import time.
"""

from __future__ import annotations

import re
import unicodedata
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

# Every date and time in an import lies in these years: a billing history does not reach back
# before 2000, and nothing is billed ahead by decades. It keeps typos such as 0001-01-01 or
# 9999-12-31 out of the store (and out of date arithmetic, which overflows near year 1 and 9999).
FIRST_YEAR = 2000
LAST_YEAR = 2099
# Upper bounds of quantities, far above any real record and far below what the store can add up
# (usage_hourly keeps integer millionths in a signed 64-bit column).
MAX_CALL_SECONDS = 7 * 86_400  # a call lasts at most a week
MAX_RECORDING_MINUTES = Decimal(7 * 1_440)  # so does a recording
MAX_QUANTITY = Decimal(10) ** 12  # storage quantities, free units, tier thresholds
MAX_UNIT_PRICE = Decimal(10) ** 6  # a price per unit (minute, message, agent, GB)

_DECIMAL = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_SIGNED_DECIMAL = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
_INSTANT_EXAMPLE = "e.g. 2026-10-01T09:30:00Z"


class BadValue(ValueError):
    """A cell's text is not acceptable; the message names the text and what was expected."""


QUOTE_LENGTH = 40


_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(char: str) -> str:
    code = ord(char)
    if char in _ESCAPES:
        return _ESCAPES[char]
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def visible(value: str) -> str:
    """``value`` with every character that prints as nothing (controls, zero-width, bidi,
    exotic spaces) written as an escape: ``\\u200b``. Messages stay one line and show what
    is really there."""
    if value.isprintable():
        return value
    return "".join(c if c.isprintable() or c == " " else _escape(c) for c in value)


def quote(value: str) -> str:
    """A cell's text for a one-line message: quoted, cut short, invisible characters and line
    breaks shown as escapes (\\n, \\u200b)."""
    if len(value) > QUOTE_LENGTH:
        value = value[: QUOTE_LENGTH - 3] + "..."
    return "'" + visible(value) + "'"


def _character(char: str) -> str:
    """U+200B (ZERO WIDTH SPACE): a character named for a message."""
    name = (
        unicodedata.name(char, "")
        or _CONTROL_NAMES.get(char)
        or _UNNAMED.get(unicodedata.category(char), "a character without a name")
    )
    return f"U+{ord(char):04X} ({name})"


_UNNAMED = {
    "Cc": "a control character",
    "Co": "a private-use character",
    "Cn": "an unassigned code point",
}


_CONTROL_NAMES = {
    "\0": "NUL",
    "\t": "TAB",
    "\n": "LINE FEED",
    "\r": "CARRIAGE RETURN",
    "\x1b": "ESCAPE",
    "\x7f": "DELETE",
}
BOM = "\ufeff"
# Characters that reorder the display of text (embeddings, overrides, isolates): with them a
# name can read differently from what it holds ("Trojan Source").
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Invisible characters refused in ids on top of every control and format character (the
# zero-width ones and the bidi marks are format characters, Cf, already).
_ID_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def hidden_character(value: str) -> str | None:
    """Why a cell of any column is refused for a character no file should hold, or None.

    Refused everywhere: control characters (C0 and C1, NUL, tab and line breaks among them:
    every value is one line), a byte order mark (one may only start the file), line and
    paragraph separators, and the bidi embeddings, overrides and isolates. Run only on cells
    that are not ``isprintable()``, so ordinary cells cost one C-level scan.
    """
    for char in value:
        if char == BOM:
            return (
                "holds a byte order mark (U+FEFF), which may only start the file "
                "(were two files joined?)"
            )
        category = unicodedata.category(char)
        if category == "Cc":
            return f"holds the control character {_character(char)}; values are one line of text"
        if category in ("Zl", "Zp"):
            return f"holds a line break {_character(char)}; values are one line of text"
        if char in BIDI_CONTROLS:
            return (
                f"holds the bidi control {_character(char)}, which changes the order text "
                "is shown in"
            )
    return None


def text(max_length: int) -> Callable[[str], str]:
    """Free text (names, campaigns, labels) up to the column's length, in NFC: the same name
    typed with a composed or a decomposed accent is the same name."""

    def parse(value: str) -> str:
        value = unicodedata.normalize("NFC", value)
        if len(value) > max_length:
            raise BadValue(f"is {len(value)} characters long (at most {max_length})")
        return value

    return parse


name = text(NAME_LENGTH)

# Scripts that are written together (UTS #39, "highly restrictive"): Japanese mixes Han,
# Hiragana and Katakana, Korean Han and Hangul, Chinese Han and Bopomofo; any of them may be
# mixed with Latin. Everything else is one script (plus Common and Inherited: digits, marks,
# punctuation).
_SCRIPT_MIXES = (
    frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "HAN", "HANGUL"}),
    frozenset({"LATIN", "HAN", "BOPOMOFO"}),
)
_NO_SCRIPT = frozenset({"COMMON", "INHERITED"})


def identifier(value: str) -> str:
    """An id (of a call, user, app, product, plan...): what the store compares records by.

    Compared character by character, so ids that look the same must be the same text:

    * NFKC-normalised: full-width, ligature and other compatibility forms become the plain
      character (``ｃ１`` is ``c1``), composed and decomposed accents are one form;
    * no invisible character (control, zero-width, bidi, BOM, private-use, unassigned, any
      space but the plain one);
    * letters of one script, or of scripts written together (Japanese, Korean, Chinese, each
      optionally with Latin), never Latin mixed with Cyrillic or Greek;
    * not written only with letters of another script that look like Latin ones (Cyrillic
      ``с1`` against Latin ``c1``): the whole-script confusables of UTS #39;
    * no non-ASCII Latin letter or punctuation that looks like an ASCII one (an en dash for
      '-', a dotless ı for 'i', a curly quote for an apostrophe).

    Look-alikes among ASCII characters themselves (l and 1, O and 0) stay distinct: machine ids
    use both. Plain ASCII ids, the usual case, skip every check but the invisible characters.
    """
    if not value.isascii():
        value = unicodedata.normalize("NFKC", value)
    if not value.isprintable():
        for char in value:
            if unicodedata.category(char) in _ID_REFUSED_CATEGORIES or (
                char.isspace() and char != " "
            ):
                raise BadValue(f"{quote(value)} holds the invisible character {_character(char)}")
    if len(value) > ID_LENGTH:
        raise BadValue(f"is {len(value)} characters long (at most {ID_LENGTH})")
    if not value.isascii():
        _check_scripts(value)
    return value


def _check_scripts(value: str) -> None:
    from confusable_homoglyphs import categories  # its tables load on first use

    scripts: dict[str, str] = {}  # script -> its first character in the id
    for char in value:
        if char.isascii():
            if char.isalpha():
                scripts.setdefault("LATIN", char)
            continue
        script = categories.alias(char)
        if script in _NO_SCRIPT or script == "LATIN":
            latin = _ascii_look_alike(char)
            if latin is not None:
                raise BadValue(
                    f"{quote(value)} holds {_character(char)}, which looks like {quote(latin)}; "
                    f"write {quote(latin)}"
                )
        if script not in _NO_SCRIPT:
            scripts.setdefault(script, char)
    if len(scripts) > 1 and not any(scripts.keys() <= mix for mix in _SCRIPT_MIXES):
        found = " and ".join(
            f"{script.title()} ({quote(char)})" for script, char in sorted(scripts.items())
        )
        raise BadValue(f"{quote(value)} mixes scripts: {found}; write it in one script")
    if len(scripts) == 1 and "LATIN" not in scripts:
        looks = _all_look_latin(value)
        if looks is not None:
            char, latin = looks
            raise BadValue(
                f"{quote(value)} is written in {next(iter(scripts)).title()} letters that all "
                f"look like Latin ones ({quote(char)} looks like {quote(latin)}); write it in "
                "Latin letters"
            )


def _ascii_look_alike(char: str) -> str | None:
    """The ASCII character ``char`` looks like (UTS #39 confusables), or None."""
    from confusable_homoglyphs import confusables

    for homoglyph in confusables.confusables_data.get(char, ()):
        text: str = homoglyph["c"]
        if len(text) == 1 and text.isascii() and text.isprintable() and text != " ":
            return text
    return None


def _all_look_latin(value: str) -> tuple[str, str] | None:
    """(a letter, the ASCII letter it looks like) when every letter of ``value`` looks like an
    ASCII letter, else None."""
    first: tuple[str, str] | None = None
    for char in value:
        if not char.isalpha():
            continue
        latin = _ascii_look_alike(char)
        if latin is None or not latin.isalpha():
            return None
        first = first or (char, latin)
    return first


def whole_number(value: str, maximum: int = MAX_WHOLE, unit: str = "") -> int:
    """A count or a number of seconds: plain ASCII digits, 0 or more, at most ``maximum``."""
    if value.isdigit() and value.isascii():
        number = int(value)
        if number > maximum:
            raise BadValue(f"{quote(value)} is too large (at most {maximum}{unit})")
        return number
    if value[:1] == "-" and value[1:].isdigit():
        raise BadValue(f"{quote(value)} must be 0 or more")
    raise BadValue(f"{quote(value)} is not a whole number")


def seconds_of_a_call(value: str) -> int:
    return whole_number(value, MAX_CALL_SECONDS, " seconds, 7 days")


def decimal(value: str, maximum: Decimal | None = None) -> Decimal:
    """A price, quantity, minutes or free units: a plain decimal (no exponent), 0 or more,
    at most ``maximum`` when given.

    Parsed straight to Decimal, never through float, so 0.0125 stays 0.0125.
    """
    if _DECIMAL.fullmatch(value) is None:
        if _SIGNED_DECIMAL.fullmatch(value) is not None and value[0] == "-":
            raise BadValue(f"{quote(value)} must be 0 or more")
        raise BadValue(f"{quote(value)} is not a number (write it like 12.5)")
    if len(value) > MAX_DECIMAL_TEXT:
        raise BadValue(f"{quote(value)} has too many digits (at most {MAX_DECIMAL_TEXT})")
    number = Decimal(value)
    if maximum is not None and number > maximum:
        raise BadValue(f"{quote(value)} is too large (at most {maximum:,})")
    return number


def decimal_upto(maximum: Decimal) -> Callable[[str], Decimal]:
    """``decimal`` with an upper bound, for a column."""

    def parse(value: str) -> Decimal:
        return decimal(value, maximum)

    return parse


def quantity(value: str) -> Decimal:
    """A usage quantity that is summed into the rollups (a recording's minutes): a decimal
    with at most six decimals, which the rollups keep exactly, and at most a week."""
    number = decimal(value, MAX_RECORDING_MINUTES)
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
            above = decimal(above_text.strip(), MAX_QUANTITY)
            price = decimal(price_text.strip(), MAX_UNIT_PRICE)
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


_YEARS = f"dates from {FIRST_YEAR}-01-01 to {LAST_YEAR}-12-31 are accepted"


def day(value: str) -> date:
    """A calendar day written YYYY-MM-DD (not the week or ordinal forms ISO also allows),
    in the years FIRST_YEAR to LAST_YEAR."""
    if len(value) == 10 and value[4] == "-" and value[7] == "-" and value.isascii():
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            pass
        else:
            if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
                raise BadValue(f"{quote(value)} is out of range ({_YEARS})")
            return parsed
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
    # Checked before the conversion, which overflows next to year 1 and year 9999.
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise BadValue(f"{quote(value)} is out of range ({_YEARS})")
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


# Names in a zone folder that are not IANA zones of their own: "localtime" is a link to the
# machine's zone (/etc/localtime), "posixrules" a default for POSIX TZ strings, "Factory" a
# placeholder that shows "-00"; posix/ and right/ are copies of the whole database (right/
# counts leap seconds). An account in one of them would bill different months on another
# machine, or none at all.
MACHINE_ZONES = frozenset({"localtime", "posixrules", "Factory"})
_MACHINE_ZONE_FOLDERS = ("posix/", "right/")


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(
        name
        for name in available_timezones()
        if name not in MACHINE_ZONES and not name.startswith(_MACHINE_ZONE_FOLDERS)
    )


def timezone_name(value: str) -> str:
    """An IANA zone name, exactly as the zone database spells it (Europe/Berlin, UTC,
    Etc/GMT-2), never one that depends on the machine (localtime, posixrules, Factory)."""
    if value in MACHINE_ZONES or value.startswith(_MACHINE_ZONE_FOLDERS):
        raise BadValue(
            f"{quote(value)} depends on the machine, not an IANA time zone: name the zone "
            "(e.g. Europe/Berlin)"
        )
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
    names = dict.fromkeys(unicodedata.normalize("NFC", item.strip()) for item in value.split(";"))
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
