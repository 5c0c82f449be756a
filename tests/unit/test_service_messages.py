"""Service messages in the GUI's language (ui/service_messages.py).

* the committed ``.pot`` holds exactly the templates the source has (what CI's ``--check`` does),
  and the extraction sees the kinds of message there are;
* every template has a Spanish translation in ``services.po`` with the same placeholders;
* ``translate_message`` on messages really raised by the services (a pack bought 0 times, an
  invoice that does not exist, a refused right, a refused import) gives Spanish with the values
  in it; the most specific template wins; an unknown text and English are left as they are.
"""

from __future__ import annotations

import ast
import string
import textwrap
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.errors import (
    BillingError,
    ImportFailed,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from billing_desktop.domain.money import credit_amount
from billing_desktop.domain.periods import Month
from billing_desktop.services import pack_purchases
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.imports import import_file
from billing_desktop.services.month_close import CloseReport
from billing_desktop.services.payments import record_payment
from billing_desktop.services.units.commands import Assignment
from billing_desktop.ui import i18n
from billing_desktop.ui import service_messages as sm
from billing_desktop.ui.service_messages import translate_message
from tests.usage_workspace import build

ROOT = Path(__file__).resolve().parents[2]
SPANISH = ROOT / "resources" / "locale" / "es" / sm.CATALOG_NAME
TODAY = date(2026, 11, 21)


@pytest.fixture
def spanish(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(i18n.LANGUAGE_ENV, raising=False)  # the suite runs in English
    assert i18n.install_language("es") == "es"
    try:
        yield
    finally:
        i18n.install_language(i18n.SOURCE_LANGUAGE)


@pytest.fixture
def workspace(store: SqlStore) -> SqlStore:
    with store() as uow:
        build(uow, TODAY, m.PaymentMethod.CREDIT_CARD)
        uow.commit()
    return store


def actor_of(store: SqlStore, user: str | None = None) -> Any:
    with store() as uow:
        return resolve_actor(uow, user)


def raised(store: SqlStore, fn: Any, *args: Any, user: str | None = None) -> BillingError:
    with pytest.raises(BillingError) as caught:
        store.write(fn, actor_of(store, user), *args)
    return caught.value


def placeholders(text: str) -> set[str]:
    return {name for _l, name, _s, _c in string.Formatter().parse(text) if name is not None}


# -- the catalog ---------------------------------------------------------------------------------


def test_the_committed_templates_are_those_of_the_source() -> None:
    """CI runs ``--check``; this is the same comparison, so a new message fails here first."""
    assert sm.TEMPLATES_FILE.read_text(encoding="utf-8") == sm.pot_text(sm.extract_templates()), (
        "run: python -m billing_desktop.ui.service_messages --write, then translate the new "
        "templates in resources/locale/es/services.po"
    )


def test_the_extraction_sees_every_kind_of_message() -> None:
    found = set(sm.read_templates())
    assert len(found) > 400
    assert "there is no invoice {1}" in found  # NotFound(f"…")
    assert "Count: give 1 to {1} packs, not '{2}'" in found  # InvalidInput, two values
    assert "{1}: no such file" in found  # ImportFailed([f"…"])
    assert "the store has no account yet: import the account first" in found  # a constant
    assert "Closed {1}: nothing to invoice ({2} products rated)." in found  # a summary()
    assert "buy add-on packs" in found  # an action a refusal names
    assert "{1} is not a whole number" in found  # a CSV value's problem (BadValue)
    assert "you may not {1}: it needs the right to {2} {3}" in found


def test_f_string_values_become_numbered_placeholders(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "services").mkdir(parents=True)
    (package / "ui").mkdir()
    (package / "services" / "x.py").write_text(
        textwrap.dedent(
            """
            from billing_desktop.domain.errors import InvalidInput, NotFound

            class Gone(NotFound):
                pass

            SETTING_KEY = "not a message at all"
            REFUSAL = "you may not do this"

            def f(a, b, c):
                raise InvalidInput(f"{a!r} has {b:,} {{braces}}; " + "joined")

            def g(a):
                raise Gone(f"gone {a}" if a else "never here")

            def h():
                raise InvalidInput(REFUSAL)

            def summary(self):
                return f"Closed {self.month}: {self.count} rows."
            """
        )
    )
    (package / "ui" / "y.py").write_text('raise InvalidInput(f"the GUI marks its own {x}")\n')
    assert sm.extract_templates(package) == sorted(
        [
            "{1} has {2} {{braces}}; joined",
            "gone {1}",
            "never here",
            "you may not do this",
            "Closed {1}: {2} rows.",
            *sm.EXTRA_TEMPLATES,
        ],
        key=lambda t: (t.casefold(), t),
    )


def test_every_template_has_a_spanish_translation_with_the_same_placeholders() -> None:
    with SPANISH.open("rb") as handle:
        catalog = read_po(handle, locale="es")
    problems = []
    for template in sm.read_templates():
        message = catalog.get(template)
        if message is None or message.fuzzy or not message.string:
            problems.append(f"no Spanish for {template!r}")
        elif placeholders(str(message.string)) != placeholders(template):
            problems.append(f"{template!r} -> {message.string!r}: placeholders differ")
        else:
            str(message.string).format(None, *["x"] * len(placeholders(template)))  # well-formed
    assert not problems, "\n".join(problems)
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in SPANISH.read_text(encoding="utf-8")


# -- translating real messages -------------------------------------------------------------------


def test_a_pack_bought_zero_times_is_refused_in_spanish(workspace: SqlStore, spanish: None) -> None:
    error = raised(workspace, pack_purchases.buy_pack, "sms", "SMS 500", 0, TODAY)
    assert isinstance(error, InvalidInput)
    assert str(error) == f"Count: give 1 to {pack_purchases.MAX_COUNT} packs, not '0'"
    assert translate_message(str(error)) == (
        f"Cantidad: indique de 1 a {pack_purchases.MAX_COUNT} paquetes, no '0'"
    )


def test_an_invoice_that_does_not_exist_in_spanish(workspace: SqlStore, spanish: None) -> None:
    error = raised(workspace, record_payment, "INV-424242", "10.00", TODAY)
    assert isinstance(error, NotFound)
    assert translate_message(str(error)) == "no hay ninguna factura INV-424242"


def test_a_refused_right_names_the_action_and_area_in_spanish(
    workspace: SqlStore, spanish: None
) -> None:
    """The action and the area inside the refusal are translated too (values that are
    service words themselves)."""
    with workspace() as uow:  # an agent with no billing rights
        uow.users.add_many([m.User("ann", "Ann Agent", "ann@example.com", m.Role.AGENT)])
        uow.commit()
    error = raised(workspace, pack_purchases.buy_pack, "sms", "SMS 500", 1, TODAY, user="ann")
    assert isinstance(error, PermissionDenied)
    assert str(error) == "you may not buy add-on packs: it needs the right to view Usage Data"
    assert translate_message(str(error)) == (
        "no puede comprar paquetes adicionales: se necesita el permiso para ver Datos de uso"
    )


def test_a_refused_import_in_spanish_with_its_count_of_more_errors(
    workspace: SqlStore, tmp_path: Path, spanish: None
) -> None:
    path = tmp_path / "packs.csv"
    path.write_text("statistic,name,volume,price\ntexts,T,1,1\nsms,S,1.5,1\nsms,U,x,1\n")
    with pytest.raises(ImportFailed) as refused:
        import_file(workspace, "packs", path, today=TODAY)
    english = str(refused.value)
    assert english.startswith("packs.csv, line 2, column 'statistic': 'texts' is not one of: ")
    assert english.endswith(" (and 2 more errors)")
    shown = translate_message(english)
    expected_head = "packs.csv, línea 2, columna 'statistic': 'texts' no es uno de: "
    assert shown.startswith(expected_head), shown
    assert shown.endswith(" (y 2 errores más)"), shown
    # Each of the errors the import listed is Spanish as well.
    for error in refused.value.errors[1:]:
        assert translate_message(error) != error


def test_a_summary_of_several_lines_and_sentences(spanish: None) -> None:
    closed = CloseReport(Month(2026, 10), True, None, 0, "USD")
    assert closed.summary() == "2026-10 was already closed; nothing new was issued."
    assert translate_message(closed.summary()) == (
        "2026-10 ya estaba cerrado; no se ha emitido nada nuevo."
    )
    nothing = CloseReport(Month(2026, 10), False, None, 4, "USD")
    assert translate_message(nothing.summary()) == (
        "2026-10 cerrado: nada que facturar (4 productos tarificados)."
    )
    lines = "History: 3 invoices, 40 ledger rows.\nsomething no template knows"
    assert translate_message(lines) == (
        "Historial: 3 facturas, 40 movimientos del libro.\nsomething no template knows"
    )
    sentences = "Nothing changed. Auto-pay is off (My account ▸ Payment settings)."
    assert translate_message(sentences) == (
        "No ha cambiado nada. El pago automático está desactivado (Mi cuenta ▸ Ajustes de pago)."
    )


def test_the_most_specific_template_wins(spanish: None) -> None:
    # "there is no invoice {1}" matches too (with {1} = "or order X"): the longer literal wins.
    assert translate_message("there is no invoice or order INV-7") == (
        "no hay ninguna factura ni pedido INV-7"
    )
    # "{1}: {2}" matches any "a: b"; "{1}: no such file" is the one meant.
    assert translate_message("/tmp/x.csv: no such file") == "/tmp/x.csv: no existe ese archivo"
    # and the generic one still translates a known reason after a file name
    assert translate_message("calls.csv: a value is required") == "calls.csv: se requiere un valor"


def test_an_unknown_text_is_returned_unchanged(spanish: None) -> None:
    for text in ("", "Something only a plug-in says", "INV-000001", "ya está en español"):
        assert translate_message(text) == text


def test_english_is_the_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    assert i18n.current_language() == i18n.SOURCE_LANGUAGE
    assert translate_message("there is no invoice INV-1") == "there is no invoice INV-1"
    # and it does not even load the catalog
    sm.clear_cache()
    translate_message("there is no invoice INV-1")
    assert sm._templates.cache_info().currsize == 0


def test_a_broken_translation_shows_the_english_text(
    monkeypatch: pytest.MonkeyPatch, spanish: None
) -> None:
    broken = sm.compile_template("there is no invoice {1}", "no hay factura {7}")
    assert broken is not None
    monkeypatch.setattr(sm, "_templates", lambda language: (broken,))
    sm._translate.cache_clear()
    try:
        assert translate_message("there is no invoice INV-9") == "there is no invoice INV-9"
    finally:
        sm._translate.cache_clear()


def test_translating_is_cheap_after_the_first_time(spanish: None) -> None:
    import time

    sm.clear_cache()
    translate_message("there is no invoice INV-1")  # loads and compiles the catalog once
    started = time.perf_counter()
    for number in range(500):  # each a new text: matched, not cached
        translate_message(f"there is no payment PAY-{number}")
    assert time.perf_counter() - started < 2.0
    assert sm._templates.cache_info().misses == 1


def test_the_values_keep_their_text(spanish: None) -> None:
    """Quotes, dots and brackets in a value come back as they were."""
    text = "Line: INV-1 has no line 'a.b (c)' (its lines: x, y)"
    assert (
        translate_message(text)
        == "Línea: INV-1 no tiene ninguna línea 'a.b (c)' (sus líneas: x, y)"
    )


def test_when_the_language_changes_the_cache_follows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(i18n.LANGUAGE_ENV, raising=False)
    try:
        i18n.install_language("es")
        assert translate_message("there is no payment P-1") == "no hay ningún pago P-1"
        i18n.install_language("en")
        assert translate_message("there is no payment P-1") == "there is no payment P-1"
    finally:
        i18n.install_language(i18n.SOURCE_LANGUAGE)


def test_the_users_role_and_months_inside_a_sentence(spanish: None) -> None:
    from billing_desktop.ui.domain_words import user_label_text
    from billing_desktop.ui.locale_format import month_name

    assert user_label_text("Ada Admin (Admin)") == "Ada Admin (Administrador)"
    assert user_label_text("Eve (Shared account)") == "Eve (Cuenta compartida)"
    assert user_label_text("local owner (setting up)") == "propietario local (en configuración)"
    assert user_label_text("someone") == "someone"
    assert month_name(Month(2026, 10)) == "Octubre de 2026"  # a label
    assert month_name(Month(2026, 10), capital=False) == "octubre de 2026"  # in a sentence


def test_the_users_role_in_english() -> None:
    from billing_desktop.ui.domain_words import user_label_text
    from billing_desktop.ui.locale_format import month_name

    assert user_label_text("Ada Admin (Admin)") == "Ada Admin (Admin)"
    assert month_name(Month(2026, 10), capital=False) == "October 2026"


def test_the_main_window_still_sees_a_cancelled_import_or_demo(spanish: None) -> None:
    """main_window tells the user's own Cancel from a failure by the English suffix of the
    message (``CANCELLED_SUFFIX``); the messages it checks must not be translated away."""
    from billing_desktop.services.task_state import CANCELLED_SUFFIX

    for what in ("the import", "the demo"):
        assert translate_message(f"{what} {CANCELLED_SUFFIX}").endswith(CANCELLED_SUFFIX)


def test_the_command_line_stays_english_whatever_the_language(
    workspace: SqlStore, store_path: Path, spanish: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """Even in a process whose GUI language is Spanish (and a Spanish locale), the command line
    prints the services' English messages: only the GUI translates them."""
    from billing_desktop.cli import main

    workspace.dispose()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LANG", "es_ES.UTF-8")
        patch.setenv(i18n.LANGUAGE_ENV, "es")
        store = f"sqlite:///{store_path}"
        record = ["payments", "record", "--invoice", "INV-424242", "--amount", "1"]
        code = main(["--store", store, *record])
    assert code == 2
    assert "there is no invoice INV-424242" in capsys.readouterr().err
    assert translate_message("there is no invoice INV-424242") != "there is no invoice INV-424242"


def test_a_quota_banner_built_from_parts_is_spanish_throughout(
    workspace: SqlStore, spanish: None
) -> None:
    """The Quotas section's banner is made of the statistic's label, its units, a sentence
    chosen by the state and a price text: each part is a template of its own."""
    from billing_desktop.services import quotas

    workspace.write(quotas.set_quota, actor_of(workspace), "sms", 40)  # 50 SMS sent this month
    with workspace() as uow:
        overview = quotas.quota_overview(uow, resolve_actor(uow, None), TODAY)
    banner = next(line.message for line in overview.lines if line.message)
    assert banner.startswith("Quota exceeded — SMS messages: 50 of 40 messages used")
    shown = translate_message(banner)
    assert shown.startswith("Cuota superada — Mensajes SMS: 50 de 40 mensajes usados este mes")
    assert "Lo que supera la cuota (10 mensajes) cuesta " in shown
    assert " por mensaje, «" in shown and shown.endswith(
        "» en la tarifa. Un paquete adicional puede costar menos."
    )


def test_a_name_between_quotes_is_kept_as_given(spanish: None) -> None:
    """A quoted value is a name someone typed (a product, a column): even when it reads like
    a service word ("SMS messages" is a statistic's label too), it is not translated."""
    assert translate_message("no product 'SMS messages' on the rate card") == (
        "no hay ningún producto 'SMS messages' en la tarifa"
    )
    assert translate_message("SMS messages: the monthly quota was removed.") == (
        "Mensajes SMS: se ha quitado la cuota mensual."
    )


def test_money_and_counts_in_a_message_take_the_guis_formats(spanish: None) -> None:
    """The services format money and counts for English ("$1,234.50", "2,500"); inside a
    translated message they are shown as the rest of the Spanish GUI shows them."""
    nbsp = "\xa0"
    assert translate_message("Auto-recharge added $1,250.00 (AR-0001, 2026-12-04).") == (
        f"La recarga automática añadió 1.250,00{nbsp}US$ (AR-0001, 2026-12-04)."
    )
    assert translate_message("History: 3 invoices, 2,500 ledger rows.") == (
        "Historial: 3 facturas, 2.500 movimientos del libro."
    )
    # Not money or a grouped count: kept (an invoice number, a date, a typed value in quotes).
    assert sm.localise_value("INV-000007") == "INV-000007"
    assert sm.localise_value("2026-12-04") == "2026-12-04"
    assert translate_message("'1,5' is not an amount") == "'1,5' no es un importe"


def test_in_english_money_keeps_the_services_format() -> None:
    assert translate_message("Auto-recharge added $1,250.00 (AR-1, 2026-12-04).") == (
        "Auto-recharge added $1,250.00 (AR-1, 2026-12-04)."
    )


def test_the_sessions_dates_in_spanish_and_as_the_services_say_them_in_english(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from billing_desktop.services.session_ranges import day_text, range_text
    from billing_desktop.ui.locale_format import format_day_range, format_weekday_day

    ranges = [
        (date(2026, 11, 21), date(2026, 11, 21)),
        (date(2026, 11, 15), date(2026, 11, 21)),
        (date(2026, 8, 22), date(2026, 11, 21)),
        (date(2025, 8, 22), date(2026, 11, 21)),
    ]
    for first, last in ranges:  # English: exactly the services' texts
        assert format_day_range(first, last) == range_text(first, last)
    assert format_weekday_day(date(2026, 11, 21)) == day_text(date(2026, 11, 21))
    monkeypatch.delenv(i18n.LANGUAGE_ENV, raising=False)
    try:
        i18n.install_language("es")
        assert format_weekday_day(date(2026, 11, 21)) == "sáb 21 nov 2026"
        assert [format_day_range(a, b) for a, b in ranges] == [
            "sáb 21 nov 2026",
            "15–21 nov 2026",
            "22 ago\u2009–\u200921 nov 2026",  # CLDR's thin spaces around the dash
            "22 ago 2025\u2009–\u200921 nov 2026",
        ]
    finally:
        i18n.install_language(i18n.SOURCE_LANGUAGE)


def test_an_undo_text_counting_users_and_numbers_is_spanish_throughout(spanish: None) -> None:
    both = Assignment(1, "Sales", True, user_ids=("u1", "u2"), numbers=("+15550001",))
    assert both.describe() == "Assign 2 users and 1 number to Sales"
    assert translate_message(both.describe()) == "Asignar 2 usuarios y 1 número a Sales"
    gone = Assignment(1, "Sales", False, user_ids=("u1",), numbers=("+15550001", "+15550002"))
    assert translate_message(gone.describe()) == "Quitar 1 usuario y 2 números de Sales"


def _amount_fields_the_services_name() -> set[str]:
    """The ``what`` every service passes to ``credit_amount`` (its third argument)."""
    fields: set[str] = set()
    for path in (sm.PACKAGE / "services").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) == "credit_amount"
                and len(node.args) >= 3
                and isinstance(node.args[2], ast.Constant)
            ):
                fields.add(node.args[2].value)
    return fields


def test_an_amount_a_service_checks_itself_names_its_field_in_spanish(spanish: None) -> None:
    fields = _amount_fields_the_services_name()
    assert {"Threshold", "Recharge amount", "Purchase amount"} <= fields
    for field in fields:
        with pytest.raises(InvalidInput) as refused:
            credit_amount("-5", "USD", field)
        spanish_text = translate_message(str(refused.value))
        assert spanish_text.endswith("indique un importe mayor que cero (-5 no lo es)")
        assert field not in spanish_text, spanish_text
