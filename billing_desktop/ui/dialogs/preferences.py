"""Preferences (Ctrl+, ; the application menu on macOS): theme, language, the store the app
opens by default, where backups are kept and how many, and signing in to a server.

Settings live in QSettings: ``view/theme`` (ui.theme) and ``store/default``. The default store
is used when the app starts with neither ``--store`` nor ``BILLING_DESKTOP_STORE``; empty means
the per-user data folder's ``billing.db``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from billing_desktop.domain.errors import BillingError
from billing_desktop.ui import theme
from billing_desktop.ui.dialogs.preferences_sections import BackupsSection, LanguageChooser
from billing_desktop.ui.i18n import tr
from billing_desktop.ui.service_messages import translate_message

DEFAULT_STORE_KEY = "store/default"
THEME_TITLES = {
    theme.SYSTEM: tr("Follow the system"),
    theme.LIGHT: tr("Light"),
    theme.DARK: tr("Dark"),
}


def default_store(settings: QSettings) -> str | None:
    """The store chosen in Preferences to open at start, or None (the built-in default)."""
    value = str(settings.value(DEFAULT_STORE_KEY, "") or "").strip()
    return value or None


def preferences_action(parent: QWidget) -> QAction:
    """File ▸ Preferences… (Ctrl+, ; moved to the application menu on macOS)."""
    action = QAction(tr("Pre&ferences…"), parent)
    action.setObjectName("actionPreferences")
    action.setMenuRole(QAction.MenuRole.PreferencesRole)
    standard = QKeySequence.keyBindings(QKeySequence.StandardKey.Preferences)
    action.setShortcuts(standard or [QKeySequence("Ctrl+,")])
    action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
    return action


class PreferencesDialog(QDialog):
    """The Preferences window. Changes apply as they are made (theme) or on OK (the store).

    Signals:
        connect_requested(): "Sign in to a server…" was pressed (the window's File ▸ Connect).
    """

    connect_requested = Signal()

    def __init__(
        self,
        settings: QSettings,
        store_file: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.setWindowTitle(tr("Preferences"))
        self.settings = settings

        appearance = QGroupBox(tr("Appearance"), self)
        self.theme_combo = QComboBox(appearance)
        self.theme_combo.setObjectName("themeCombo")
        for choice in theme.CHOICES:
            self.theme_combo.addItem(THEME_TITLES[choice], choice)
        self.theme_combo.setCurrentIndex(theme.CHOICES.index(theme.saved_choice(settings)))
        self.theme_combo.currentIndexChanged.connect(self._theme_chosen)
        theme_label = QLabel(tr("&Theme:"), appearance)
        theme_label.setBuddy(self.theme_combo)
        form = QFormLayout(appearance)
        form.addRow(theme_label, self.theme_combo)
        self.language = LanguageChooser(settings, appearance)
        language_label = QLabel(tr("&Language:"), appearance)
        language_label.setBuddy(self.language.combo)
        form.addRow(language_label, self.language)

        stores = QGroupBox(tr("Store"), self)
        self.store_edit = QLineEdit(stores)
        self.store_edit.setObjectName("defaultStoreEdit")
        self.store_edit.setPlaceholderText(
            tr("The built-in default (your data folder's billing.db)")
        )
        self.store_edit.setText(default_store(settings) or "")
        self.store_edit.setClearButtonEnabled(True)
        self.store_edit.setToolTip(
            tr(
                "A store file, or a server address (https://…), opened when the app starts without "
                "--store or BILLING_DESKTOP_STORE"
            )
        )
        browse = QPushButton(tr("&Browse…"), stores)
        browse.setObjectName("browseStoreButton")
        browse.clicked.connect(self._browse)
        store_label = QLabel(tr("&Open at start:"), stores)
        store_label.setBuddy(self.store_edit)
        row = QHBoxLayout()
        row.addWidget(self.store_edit, 1)
        row.addWidget(browse)
        self.connect_button = QPushButton(tr("&Sign in to a server…"), stores)
        self.connect_button.setObjectName("signInButton")
        self.connect_button.setToolTip(tr("Connect to a Billing Desktop server with a token"))
        self.connect_button.clicked.connect(self._connect)
        store_form = QFormLayout(stores)
        store_form.addRow(store_label, row)
        store_form.addRow("", self.connect_button)

        backups = BackupsSection(store_file, self)  # folder and rotation (lang-core)
        self.backups = backups
        self.backups_label = backups.where_label

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(appearance)
        layout.addWidget(stores)
        layout.addWidget(backups)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)

    def _theme_chosen(self, _index: int) -> None:
        theme.choose(str(self.theme_combo.currentData()), self.settings)

    def _browse(self) -> None:
        start = self.store_edit.text().strip() or str(Path.home())
        chosen, _ = QFileDialog.getOpenFileName(
            self, tr("Store to open at start"), start, tr("Billing stores (*.db);;All files (*)")
        )
        if chosen:
            self.store_edit.setText(chosen)

    def _connect(self) -> None:
        self.accept()
        self.connect_requested.emit()

    def accept(self) -> None:
        if self.backups.problem():  # said in the dialog; nothing saved
            return
        try:
            self.backups.save()
        except BillingError as exc:
            QMessageBox.warning(self, tr("Preferences"), translate_message(str(exc)))
            return
        self.language.save()
        self.settings.setValue(DEFAULT_STORE_KEY, self.store_edit.text().strip())
        self.settings.sync()
        super().accept()
