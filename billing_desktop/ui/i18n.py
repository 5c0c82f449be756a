"""The GUI's language: strings marked with :func:`tr` / :func:`ntr`, translated from gettext
catalogs (``resources/locale/<language>/*.po``, read with Babel at start-up).

Why gettext ``.po`` files read by Babel rather than Qt Linguist: Babel is already how the GUI
formats numbers, money and dates for the user's locale; ``.po`` is the format translators and
their tools know; and no Qt build tool (lupdate/lrelease) is needed to ship or test a catalog.
A language's folder may hold several ``.po`` files (one per part of the GUI); they are read as
one catalog. The command line and every file the app writes stay in English and ISO formats.

English is the source language: with no catalog (or ``en``) :func:`tr` returns its argument.
"""

from __future__ import annotations

import gettext
import io
import locale
import os
from pathlib import Path

from billing_desktop.paths import resource_dirs

SOURCE_LANGUAGE = "en"
LANGUAGE_ENV = "BILLING_DESKTOP_LANGUAGE"  # overrides the OS locale (and Preferences) when set

_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = SOURCE_LANGUAGE


def tr(message: str) -> str:
    """``message`` in the GUI's language (mark every user-visible literal with it)."""
    return _translations.gettext(message)


def ntr(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n`` in the GUI's language."""
    return _translations.ngettext(singular, plural, n)


def current_language() -> str:
    return _language


def locale_folders() -> list[Path]:
    """Every ``resources/locale`` folder found (the first one holding a language wins)."""
    return [folder / "locale" for folder in resource_dirs() if (folder / "locale").is_dir()]


def available_languages() -> list[str]:
    """English and every language a catalog is shipped for, e.g. ``["en", "es"]``."""
    found = {SOURCE_LANGUAGE}
    for folder in locale_folders():
        found.update(child.name for child in folder.iterdir() if any(child.glob("*.po")))
    return sorted(found)


def os_language() -> str:
    """The OS locale's language code (``es`` for ``es_ES.UTF-8``), or English."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value and value not in {"C", "POSIX"} and not value.startswith("C."):
            return value.split(".")[0].split("_")[0].lower()
    code = locale.getlocale()[0]
    return code.split("_")[0].lower() if code else SOURCE_LANGUAGE


def catalog_translations(language: str) -> gettext.NullTranslations:
    """The gettext translations of ``language`` from its ``.po`` files (all of them, merged;
    fuzzy entries are left out), or the identity when none is shipped."""
    if language == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    # Babel's catalog reader only when a catalog is read: not at an English start (B1).
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for folder in locale_folders():
        files = sorted((folder / language).glob("*.po"))
        if not files:
            continue
        merged = None
        for path in files:
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=language)
            if merged is None:
                merged = catalog
                continue
            for message in catalog:
                if message.id and message.id not in merged:
                    merged[message.id] = message
        buffer = io.BytesIO()
        assert merged is not None
        write_mo(buffer, merged)
        buffer.seek(0)
        return gettext.GNUTranslations(buffer)
    return gettext.NullTranslations()


def install_language(language: str | None = None) -> str:
    """Use ``language`` (or the environment override, else the OS's) for :func:`tr` from now
    on; a language with no catalog falls back to English. Returns the language in use."""
    global _translations, _language
    wanted = os.environ.get(LANGUAGE_ENV) or language or os_language()
    wanted = wanted.split("_")[0].lower()
    if wanted not in available_languages():
        wanted = SOURCE_LANGUAGE
    _translations = catalog_translations(wanted)
    _language = wanted
    return wanted


__all__ = [
    "LANGUAGE_ENV",
    "SOURCE_LANGUAGE",
    "available_languages",
    "catalog_translations",
    "current_language",
    "install_language",
    "ntr",
    "os_language",
    "tr",
]
