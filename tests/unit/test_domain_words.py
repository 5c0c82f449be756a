"""The engine's words on screen (ui/domain_words.py): English as the services write them, and
Spanish from the catalog when the GUI speaks Spanish."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from billing_desktop.domain.model import Frequency
from billing_desktop.services.credits import AutoRecharge
from billing_desktop.ui import domain_words as words
from billing_desktop.ui import i18n


@pytest.fixture
def spanish(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(i18n.LANGUAGE_ENV, raising=False)  # the suite runs in English
    i18n.install_language("es")
    try:
        yield
    finally:
        i18n.install_language("en")


def test_english_is_what_the_services_say() -> None:
    setting = AutoRecharge(True, Decimal(100), Decimal(50))
    assert words.auto_recharge_text(setting, "USD") == setting.describe("USD")
    off = AutoRecharge(False, Decimal(0), Decimal(0))
    assert words.auto_recharge_text(off, "USD") == off.describe("USD") == "Off"
    assert words.quantity_with_unit(Decimal("1490.52"), "minute") == "1,490.52 minutes"
    assert words.quantity_with_unit(1, "agent") == "1 agent"
    assert words.quantity_with_unit(3, "widget") == "3 widget"  # unknown units as given
    assert words.frequency_word(Frequency.YEARLY) == "yearly"
    assert words.store_description("Local store: /a/b.db") == "Local store: /a/b.db"
    assert words.store_description("Remote store: h:1 (replica)") == "Remote store: h:1 (replica)"


def test_spanish_comes_from_the_catalog(spanish: None) -> None:
    assert words.quantity_with_unit(Decimal("1490.52"), "minute") == "1.490,52 minutos"
    assert words.quantity_with_unit(1, "session") == "1 sesión"
    assert words.unit_plural("agent") == "agentes"
    assert words.frequency_word(Frequency.QUARTERLY) == "trimestral"
    assert words.auto_recharge_text(AutoRecharge(False, Decimal(0), Decimal(0)), "USD") == (
        "Desactivada"
    )
    on = words.auto_recharge_text(AutoRecharge(True, Decimal(100), Decimal(50)), "USD")
    assert on.startswith("Activada: añade 50,00") and "100,00" in on
    assert words.store_description("Remote store: h:1 (replica)") == (
        "Almacén remoto: h:1 (réplica)"
    )
