"""The GUI's language at start-up: the Preferences choice (or the OS locale), installed for
:func:`billing_desktop.ui.i18n.tr` and for Qt itself.

Qt's own texts go through ``QCoreApplication.translate``: the forms compiled from ``forms/*.ui``
(their ``retranslateUi``) and Qt's standard buttons and dialogs. Two translators serve them:

* :class:`CatalogTranslator` looks a text up in the same gettext catalog as :func:`tr`, so a
  Designer form's strings are translated in ``resources/locale/<lang>/*.po`` like the rest;
* Qt's own ``qtbase_<lang>.qm`` (shipped with PySide6) translates the standard buttons ("OK",
  "Cancel", "&Yes"), the file dialogs and the context menus of line edits.

The language is read once, before any widget is built: changing it in Preferences takes effect
at the next start (the dialog says so). ``BILLING_DESKTOP_LANGUAGE`` overrides both.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTranslator

from billing_desktop.domain.access import Area
from billing_desktop.ui import i18n
from billing_desktop.ui.i18n import tr

LANGUAGE_KEY = "view/language"
SYSTEM = "system"
# (value saved, title shown in its own language so anyone can find theirs)
CHOICES: tuple[tuple[str, str], ...] = ((SYSTEM, ""), ("en", "English"), ("es", "Español"))

_installed: list[QTranslator] = []  # kept alive while installed


def saved_language(settings: QSettings) -> str:
    """The Preferences choice: ``system`` (the OS locale), ``en`` or ``es``."""
    value = str(settings.value(LANGUAGE_KEY, SYSTEM) or SYSTEM)
    return value if value in {code for code, _title in CHOICES} else SYSTEM


def save_language(settings: QSettings, language: str) -> None:
    settings.setValue(LANGUAGE_KEY, language)
    settings.sync()


class CatalogTranslator(QTranslator):
    """Qt's ``translate`` answered from the gettext catalog of :func:`i18n.tr`. None (a null
    QString) tells Qt there is no translation here, so it asks the next translator (Qt's own
    qtbase catalog) or keeps the source text; an empty string would blank the text."""

    def translate(
        self,
        context: str,
        source_text: str,
        disambiguation: str | None = None,
        n: int = -1,
    ) -> str | None:
        if not source_text or i18n.current_language() == i18n.SOURCE_LANGUAGE:
            return None
        translated = i18n.tr(source_text)
        return translated if translated != source_text else None

    def isEmpty(self) -> bool:
        return i18n.current_language() == i18n.SOURCE_LANGUAGE


def area_title(area: Area) -> str:
    """A tab's title in the GUI's language (``Area.label`` is the English one)."""
    titles = {
        Area.USAGE: tr("Usage"),
        Area.BILLING_UNITS: tr("Billing Units"),
        Area.PLANS: tr("Plans"),
        Area.INVOICES: tr("Invoices"),
        Area.USAGE_DATA: tr("Usage Data"),
    }
    return titles.get(area, area.label)


def qt_translations_folder() -> str:
    return QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)


def install_catalog(settings: QSettings | None = None) -> str:
    """Install the chosen language for :func:`tr` (no Qt translators: no application needed).

    Run when the ``billing_desktop.ui`` package is first imported, so texts that modules mark
    at import time (tables of titles) are already in the GUI's language whatever imports first.
    """
    if settings is None:
        from billing_desktop import APP_NAME
        from billing_desktop.config import ORGANISATION

        settings = QSettings(ORGANISATION, APP_NAME)
    choice = saved_language(settings)
    return i18n.install_language(None if choice == SYSTEM else choice)


def install(app: QCoreApplication, settings: QSettings) -> str:
    """Install the chosen language for :func:`tr`, the forms and Qt's own dialogs; the
    language in use (``en`` when the chosen one ships no catalog)."""
    language = install_catalog(settings)
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    if language == i18n.SOURCE_LANGUAGE:
        return language
    QLocale.setDefault(QLocale(language))  # Qt's date editors and spin boxes follow it
    qt_own = QTranslator(app)
    if qt_own.load(f"qtbase_{language}", qt_translations_folder()):
        _installed.append(qt_own)
    _installed.append(CatalogTranslator(app))
    for translator in _installed:  # the last installed is asked first: our catalog wins
        app.installTranslator(translator)
    return language


__all__ = [
    "CHOICES",
    "LANGUAGE_KEY",
    "SYSTEM",
    "CatalogTranslator",
    "area_title",
    "install",
    "install_catalog",
    "save_language",
    "saved_language",
]
