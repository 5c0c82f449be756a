"""Representative dialogs shown in Spanish: no English text of ours is left on them.

The dialogs are opened in a process of their own (tests/gui/spanish_dialogs_probe.py) with the
language installed before any ui module is imported, as the app does at start-up; this process
stays in English. A visible text that is (or fills in) an English message id whose Spanish
translation differs fails.
"""

from __future__ import annotations

import json
import os
import re
import string
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from billing_desktop.ui import help, i18n
from billing_desktop.ui.help import AREA_PAGES, PAGES, HelpWindow, help_folder
from tests.unit.test_translations_dialogs import ROOT, extracted, merged_catalog

DIALOGS = {
    "manage-credits": "Manage credits",
    "preferences": "Preferences",
    "activity": "Activity report",
    "help": "Billing Desktop — User guide",
    "account": "My account",
    "prepaid": "Prepaid invoices",
    "reconcile": "Reconcile bank statement",
    "what-if": "What if…",
}

# Dialogs laid out in Qt Designer forms (ui/forms/), whose texts the main catalog translates.
FORMS = {"connect-server", "backups"}
# Names from the workspace's data that happen to equal one of our messages (a product's name).
DATA = {"Billing sessions"}


def template_pattern(template: str) -> re.Pattern[str]:
    """A regular expression matching ``template`` with any value in its placeholders."""
    parts = []
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name is not None:
            parts.append(".*?")
    return re.compile("".join(parts), re.DOTALL)


def english_left(texts: list[str]) -> list[str]:
    """The texts that are one of our English messages (or fill one in) whose Spanish differs
    or is missing."""
    catalog = merged_catalog()
    patterns = []
    for key in extracted():
        english = key if isinstance(key, str) else key[1]
        message = catalog.get(key if isinstance(key, str) else key[0])
        found = message.string if message is not None else None
        translated = found if isinstance(found, str) else (*(found or ()), "", "")[1]
        words = "".join(part[0] for part in string.Formatter().parse(english))
        if translated != english and re.search(r"[A-Za-z]{3}", words):
            patterns.append((english, template_pattern(english.strip())))
    return [
        f"{text!r} (English: {english!r})"
        for text in texts
        for english, pattern in patterns
        if pattern.fullmatch(text.strip())
    ]


def test_dialogs_show_spanish_texts() -> None:
    environment = dict(os.environ, BILLING_DESKTOP_LANGUAGE="es", QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-m", "tests.gui.spanish_dialogs_probe"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    probed = json.loads(done.stdout)
    shown: dict[str, list[str]] = probed["texts"]
    spanish = i18n.catalog_translations("es")
    assert set(shown) >= {*DIALOGS, "close-month", "explain-charge", "plan-manager", *FORMS}
    for name, title in DIALOGS.items():
        assert shown[name][0] == spanish.gettext(title) != title, name
    for name, texts in shown.items():
        assert len(texts) >= 8, name  # the dialog's texts were read
        if name in FORMS:
            continue
        left = english_left([text for text in texts if text not in DATA])
        assert not left, f"{name} shows English: " + "; ".join(left)
    assert "&Guardar la recarga automática" in shown["manage-credits"]
    clipped = {name: found for name, found in probed["clipped"].items() if found}
    assert not clipped, f"Spanish texts cut off: {clipped}"
    assert "Todos los usuarios" in shown["activity"]


def test_the_english_check_finds_english_texts() -> None:
    assert english_left(["Manage credits", "Saved."]) != []
    assert english_left(["Current balance for October 2026: <b>$1.00</b>"]) != []
    assert english_left(["Gestionar créditos", "October 2026", "$1.00", "—"]) == []


def test_the_guide_is_read_in_the_gui_language_falling_back_to_english(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    english, spanish = help_folder("en"), help_folder("es")
    assert english == ROOT / "resources" / "help" and spanish == english / "es"
    assert help_folder("pt") == english  # no Portuguese guide: English
    translations = i18n.catalog_translations("es")
    for name, title in PAGES:
        text = (spanish / name).read_text(encoding="utf-8")
        for link in re.findall(r"\]\(([^)]+)\)", text):
            assert (spanish / link).is_file(), f"es/{name} links to a missing {link}"
        if name in AREA_PAGES.values():  # each tab's page is titled as its tab
            assert text.splitlines()[0] == f"# {translations.gettext(title)}"
    monkeypatch.delenv(i18n.LANGUAGE_ENV, raising=False)
    try:
        assert i18n.install_language("es") == "es"
        window = HelpWindow()
        qtbot.addWidget(window)
        assert window.windowTitle() == "Billing Desktop — Guía del usuario"
        assert window.browser.toPlainText().startswith("Guía del usuario de Billing Desktop")
        window.show_page("usage.md")
        assert window.browser.toPlainText().startswith("Consumo")
        partial = tmp_path / "es"  # a translation of the index page only
        partial.mkdir()
        (partial / "index.md").write_text("# Guía\n", encoding="utf-8")
        monkeypatch.setattr(
            help, "help_folder", lambda language=None: partial if language != "en" else english
        )
        window.show_page("plans.md")  # not translated: the English page
        assert window.browser.toPlainText().startswith("Plans")
        window.show_page("index.md")
        assert window.browser.toPlainText().startswith("Guía")
    finally:
        i18n.install_language("en")
    assert i18n.current_language() == "en"
