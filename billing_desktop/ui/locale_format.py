"""Numbers, money and dates on screen, in the GUI's language (Babel's CLDR locale data).

English keeps the formats the app has always shown (``$1,234.56``, ``-$56.70``, ``2026-12-04``,
``December 2026``): they are what the README, the tests and the command line show. Spanish
follows CLDR for ``es``: ``1234,56 US$``, ``12.345,67 US$``, ``-56,70 US$``, ``4 dic 2026``,
``Diciembre de 2026``.

Only what is shown in the GUI goes through here. Files (CSV, XLSX, PDF documents), the command
line and the API stay ISO and English (``billing_desktop.domain.money.format_money``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date, format_interval, format_skeleton, format_time
from babel.numbers import format_currency, format_decimal

from billing_desktop.domain.money import format_money as english_money
from billing_desktop.domain.money import minor_digits
from billing_desktop.ui.i18n import SOURCE_LANGUAGE, current_language


def _babel_locale() -> str | None:
    """The Babel locale of the GUI, or None for English (today's formats)."""
    language = current_language()
    return None if language == SOURCE_LANGUAGE else language


def format_money(amount: Decimal, currency: str, *, keep_precision: bool = False) -> str:
    """An amount with its currency; rounded half-up to the minor unit unless
    ``keep_precision`` (unit prices keep their extra decimals)."""
    locale = _babel_locale()
    if locale is None:
        return english_money(amount, currency, keep_precision=keep_precision)
    digits = minor_digits(currency)
    if keep_precision:
        exponent = amount.normalize().as_tuple().exponent
        shown = max(digits, -exponent if isinstance(exponent, int) else digits)
    else:
        shown = digits
    value = amount.quantize(Decimal(1).scaleb(-shown), rounding=ROUND_HALF_UP)
    return format_currency(value, currency, locale=locale, decimal_quantization=False)


def format_number(value: int | Decimal) -> str:
    """A count or quantity with the locale's separators, never rounded ("12,000", "2.5")."""
    locale = _babel_locale()
    if locale is None:
        if isinstance(value, Decimal):
            if value == value.to_integral_value():
                return f"{value.normalize():,f}"
            return f"{value:,f}"
        return f"{value:,}"
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = value.normalize()
    return format_decimal(value, locale=locale, decimal_quantization=False)


def format_day(day: date) -> str:
    """A calendar day: ``2026-12-04`` in English, ``4 dic 2026`` in Spanish."""
    locale = _babel_locale()
    if isinstance(day, datetime):
        return format_moment(day)
    return day.isoformat() if locale is None else format_date(day, "medium", locale=locale)


def format_moment(moment: datetime) -> str:
    """A date and time to the minute: ``2026-12-04 10:15`` / ``4 dic 2026 10:15``."""
    locale = _babel_locale()
    if locale is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    return f"{format_date(moment, 'medium', locale=locale)} {format_time(moment, 'HH:mm')}"


def format_month(first_day: date, *, capital: bool = True) -> str:
    """A month and its year: ``December 2026`` / ``Diciembre de 2026`` (``diciembre de
    2026`` inside a sentence: ``capital=False``)."""
    locale = _babel_locale()
    if locale is None:
        return f"{first_day:%B %Y}"
    text = format_skeleton("yMMMM", first_day, locale=locale)
    return text[:1].upper() + text[1:] if capital else text


def format_month_only(first_day: date) -> str:
    """A month without its year, inside a sentence: ``October`` / ``octubre``."""
    locale = _babel_locale()
    if locale is None:
        return f"{first_day:%B}"
    return format_date(first_day, "LLLL", locale=locale)


def format_short_month(first_day: date) -> str:
    """A month for an axis: ``Dec 2026`` / ``dic 2026``."""
    locale = _babel_locale()
    if locale is None:
        return f"{first_day:%b %Y}"
    return format_skeleton("yMMM", first_day, locale=locale)


def format_date_as(day: date, english: str, pattern: str) -> str:
    """``english`` (the text English shows, e.g. ``Nov 21``) in English; otherwise ``day`` in
    the CLDR ``pattern`` of the GUI's language (``d MMM``: ``21 nov``). For chart axes."""
    locale = _babel_locale()
    return english if locale is None else format_date(day, pattern, locale=locale)


def format_weekday_day(day: date) -> str:
    """A day with its weekday: ``Sat 21 Nov 2026`` / ``sáb 21 nov 2026``
    (``services.session_ranges.day_text`` in English)."""
    locale = _babel_locale()
    if locale is None:
        return f"{day:%a} {day.day} {day:%b %Y}"
    return format_date(day, "EEE d MMM y", locale=locale)


def format_day_range(first: date, last: date) -> str:
    """A range of days, said once where they share it: ``15 – 21 Nov 2026`` /
    ``15–21 nov 2026`` (``services.session_ranges.range_text`` in English)."""
    if first == last:
        return format_weekday_day(first)
    locale = _babel_locale()
    if locale is None:
        if first.year != last.year:
            return f"{first.day} {first:%b %Y} – {last.day} {last:%b %Y}"
        if first.month != last.month:
            return f"{first.day} {first:%b} – {last.day} {last:%b %Y}"
        return f"{first.day} – {last.day} {last:%b %Y}"
    return format_interval(first, last, "yMMMd", locale=locale)


def month_name(month: object, *, capital: bool = True) -> str:
    """``services.usage_page.month_name`` for the GUI: a ``Month`` (its ``first_day``).

    ``capital=False`` inside a sentence: Spanish writes a month in lower case there ("Cerrar
    octubre de 2026"); a label or a sentence that starts with the month keeps the capital."""
    first_day = getattr(month, "first_day", month)
    assert isinstance(first_day, date)
    return format_month(first_day, capital=capital)


__all__ = [
    "format_date_as",
    "format_day",
    "format_day_range",
    "format_moment",
    "format_money",
    "format_month",
    "format_month_only",
    "format_number",
    "format_short_month",
    "format_weekday_day",
    "month_name",
]
