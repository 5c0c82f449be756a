"""GUI formatting (ui/locale_format): English keeps today's formats, Spanish follows Babel's
CLDR data; files and the command line keep using domain.money.format_money."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

import pytest

from billing_desktop.domain.money import format_money as file_money
from billing_desktop.ui import i18n
from billing_desktop.ui import locale_format as lf


@pytest.fixture
def spanish(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(i18n.LANGUAGE_ENV, raising=False)
    assert i18n.install_language("es") == "es"
    yield
    i18n.install_language(i18n.SOURCE_LANGUAGE)


def test_english_keeps_todays_formats() -> None:
    assert i18n.current_language() == "en"
    assert lf.format_money(Decimal("1234.565"), "USD") == "$1,234.57"
    assert lf.format_money(Decimal("-3014.2"), "USD") == file_money(Decimal("-3014.2"), "USD")
    assert lf.format_money(Decimal("0.0125"), "USD", keep_precision=True) == "$0.0125"
    assert lf.format_number(12000) == "12,000"
    assert lf.format_number(Decimal("2.5")) == "2.5"
    assert lf.format_number(Decimal("1490.52")) == "1,490.52"
    assert lf.format_day(date(2026, 12, 4)) == "2026-12-04"
    assert lf.format_moment(datetime(2026, 12, 4, 10, 15)) == "2026-12-04 10:15"
    assert lf.format_month(date(2026, 12, 1)) == "December 2026"
    assert lf.format_short_month(date(2026, 12, 1)) == "Dec 2026"


def test_spanish_follows_babels_locale_data(spanish: None) -> None:
    assert lf.format_money(Decimal("1234.565"), "USD") == "1.234,57\xa0US$"  # half-up
    assert lf.format_money(Decimal("-56.7"), "USD") == "-56,70\xa0US$"
    assert lf.format_money(Decimal("5"), "EUR") == "5,00\xa0€"
    assert lf.format_money(Decimal("1000"), "JPY") == "1.000\xa0JPY"  # no minor unit
    assert lf.format_money(Decimal("0.0125"), "USD", keep_precision=True) == "0,0125\xa0US$"
    assert lf.format_number(1234567) == "1.234.567"
    assert lf.format_number(Decimal("1490.52")) == "1.490,52"
    assert lf.format_number(Decimal("2.50")) == "2,5"
    assert lf.format_day(date(2026, 12, 4)) == "4 dic 2026"
    assert lf.format_moment(datetime(2026, 12, 4, 10, 15)) == "4 dic 2026 10:15"
    assert lf.format_month(date(2026, 12, 1)) == "Diciembre de 2026"
    assert lf.format_month(date(2026, 12, 1), capital=False) == "diciembre de 2026"
    assert lf.format_month_only(date(2026, 10, 1)) == "octubre"
    assert lf.format_short_month(date(2026, 12, 1)) == "dic 2026"


def test_files_stay_english_whatever_the_gui_language(spanish: None) -> None:
    assert file_money(Decimal("1234.5"), "USD") == "$1,234.50"
    assert i18n.tr("Usage per product") == "Consumo por producto"


def test_a_table_cell_uses_the_gui_format(spanish: None) -> None:
    from billing_desktop.ui.models.table import display_money, format_number

    assert display_money(Decimal("-3014.2"), "USD") == "-3.014,20\xa0US$"
    assert format_number(Decimal("12000")) == "12.000"
