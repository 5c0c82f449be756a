"""The services' messages reach a Spanish GUI in Spanish: real failing actions (an import the
services refuse, an amount the domain refuses, a write the service refuses) show Spanish text
with the values in it, the status bar names the role in Spanish, and a month inside a sentence
is lower case ("Cerrar noviembre de 2026"). The window runs in a process of its own
(tests/gui/service_messages_probe.py), since the language is chosen once per process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from typing import Any

import pytest

from tests.unit.test_translations import ROOT
from tests.usage_workspace import utc_today


@pytest.fixture(scope="module")
def shown() -> dict[str, Any]:
    env = dict(os.environ, BILLING_DESKTOP_LANGUAGE="es", QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-m", "tests.gui.service_messages_probe"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=180,
        capture_output=True,
        text=True,
    )
    found: dict[str, Any] = json.loads(done.stdout)
    return found


def test_the_status_bar_names_the_role_in_spanish(shown: dict[str, Any]) -> None:
    assert shown["user"] == "Usuario: Ada Admin (Administrador)"


def test_a_refused_import_shows_the_spanish_reason_and_count(shown: dict[str, Any]) -> None:
    box = shown["import_failed"]
    assert box["title"] == "La importación falló"
    assert box["text"].startswith(
        "packs.csv: no se importó nada.\n\n"
        "packs.csv, línea 2, columna 'statistic': 'texts' no es uno de: "
    )
    assert box["text"].endswith(" (y 2 errores más)")


def test_an_amount_the_domain_refuses_is_explained_in_spanish(shown: dict[str, Any]) -> None:
    assert shown["manage_credits"] == (
        "Importe de la compra: indique un importe mayor que cero (-5 no lo es)"
    )


def test_a_write_the_service_refuses_is_explained_in_spanish(shown: dict[str, Any]) -> None:
    assert shown["prepaid"] == (
        "Las facturas prepago son para cuentas que pagan por factura; esta cuenta paga con "
        "tarjeta de crédito: compre crédito en Consumo ▸ Gestionar créditos."
    )


def test_the_quota_banner_is_spanish_and_keeps_the_product_name(shown: dict[str, Any]) -> None:
    assert shown["quota_banner"].startswith(
        "Cuota superada — Mensajes SMS: 50 de 40 mensajes usados este mes (125 %). Lo que "
        "supera la cuota (10 mensajes) cuesta "
    )
    assert shown["quota_banner"].endswith(
        " por mensaje, «SMS messages» en la tarifa. Un paquete adicional puede costar menos."
    )


def test_the_sessions_caption_is_spanish_with_spanish_dates(shown: dict[str, Any]) -> None:
    caption = shown["sessions_caption"]
    assert " por día, todas las aplicaciones, en UTC." in caption
    assert "Agentes: el máximo diario de agentes con licencia en cada intervalo" in caption
    for english in ("Mon ", "Tue ", "Wed ", "Thu ", "Fri ", "Sat ", "Sun ", " Nov ", " Dec "):
        assert english not in caption


def test_a_month_inside_a_sentence_is_lower_case(shown: dict[str, Any]) -> None:
    names = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto"]
    names += ["septiembre", "octubre", "noviembre", "diciembre"]
    month = date.fromordinal(utc_today().replace(day=1).toordinal() - 1)  # last month
    expected = f"{names[month.month - 1]} de {month.year}"
    closing = shown["close_month"]
    assert closing["title"] == f"Cerrar {expected}"
    assert closing["button"] == f"&Cerrar {expected}"
    assert closing["intro"].startswith(f"Cerrar <b>{expected}</b> escribe")
    assert shown["close_bar"].startswith("&Cerrar ")
    assert shown["close_bar"][len("&Cerrar ")].islower()
