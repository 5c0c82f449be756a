"""Preferences sections: the GUI's language and the backups (folder and rotation).

* **Language**: System (the OS locale), English or Español, saved in QSettings
  (``view/language``). The GUI's texts are built once, so a new language applies at the next
  start; the section says so when the choice differs from the language in use.
* **Backups**: where backups go (empty: a ``backups`` folder beside the store) and how many
  automatic backups rotation keeps. Saved for the app, the command line and a server of the
  same user (``store/sql/backup_policy``). A folder that cannot be written is refused with
  a message in the dialog, and nothing is saved.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from billing_desktop.store.sql.backup_policy import (
    LIMITS,
    BackupPolicy,
    folder_problem,
    load_policy,
    save_policy,
    store_backup_folder,
)
from billing_desktop.ui import i18n, language, theme
from billing_desktop.ui.i18n import ntr, tr


class LanguageChooser(QWidget):
    """A combo box of System / English / Español and a note when a restart is needed."""

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.combo = QComboBox(self)
        self.combo.setObjectName("languageCombo")
        for code, title in language.CHOICES:
            self.combo.addItem(title or tr("System (the computer's language)"), code)
        self.combo.setCurrentIndex(self.combo.findData(language.saved_language(settings)))
        self.combo.setAccessibleName(tr("Language"))
        self.note = QLabel(tr("The new language is used when Billing Desktop starts again."), self)
        self.note.setObjectName("languageRestartNote")
        self.note.setWordWrap(True)
        self.combo.currentIndexChanged.connect(self._update_note)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        layout.addWidget(self.note, 1)
        self._update_note()

    @property
    def choice(self) -> str:
        return str(self.combo.currentData())

    def would_use(self) -> str:
        """The language the chosen setting gives at the next start."""
        if self.choice != language.SYSTEM:
            return self.choice
        found = i18n.os_language()
        return found if found in i18n.available_languages() else i18n.SOURCE_LANGUAGE

    def _update_note(self, _index: int = 0) -> None:
        self.note.setVisible(self.would_use() != i18n.current_language())

    def save(self) -> None:
        language.save_language(self.settings, self.choice)


class BackupsSection(QGroupBox):
    """The backups folder and the rotation counts, editable and checked before saving."""

    def __init__(self, store_file: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(tr("Backups"), parent)
        self.setObjectName("backupsSection")
        self.store_file = store_file
        policy = load_policy()

        self.folder_edit = QLineEdit(self)
        self.folder_edit.setObjectName("backupFolderEdit")
        self.folder_edit.setPlaceholderText(tr("Beside each store, in a “backups” folder"))
        self.folder_edit.setClearButtonEnabled(True)
        self.folder_edit.setText(str(policy.folder) if policy.folder else "")
        self.folder_edit.setToolTip(
            tr(
                "A folder for the backups of every store (each store gets a folder of its own "
                "in it); empty keeps them beside the store"
            )
        )
        self.folder_edit.textChanged.connect(self._changed)
        browse = QPushButton(tr("Bro&wse…"), self)
        browse.setObjectName("browseBackupFolderButton")
        browse.clicked.connect(self._browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(browse)
        folder_label = QLabel(tr("Backup &folder:"), self)
        folder_label.setBuddy(self.folder_edit)

        self.days_spin = self._spin("keep_days", policy.keep_days, "keepDaysSpin")
        self.weeks_spin = self._spin("keep_weeks", policy.keep_weeks, "keepWeeksSpin")
        self.newest_spin = self._spin("keep_newest", policy.keep_newest, "keepNewestSpin")
        days_label = QLabel(tr("Keep one a &day for:"), self)
        days_label.setBuddy(self.days_spin)
        weeks_label = QLabel(tr("Keep one a &week for:"), self)
        weeks_label.setBuddy(self.weeks_spin)
        newest_label = QLabel(tr("Always keep the &newest:"), self)
        newest_label.setBuddy(self.newest_spin)

        self.where_label = QLabel(self)
        self.where_label.setObjectName("backupsInfo")
        self.where_label.setWordWrap(True)
        self.where_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("backupFolderError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {theme.NEGATIVE.name()};")
        self.error_label.hide()

        form = QFormLayout(self)
        form.addRow(folder_label, folder_row)
        form.addRow("", self.error_label)
        form.addRow(days_label, self.days_spin)
        form.addRow(weeks_label, self.weeks_spin)
        form.addRow(newest_label, self.newest_spin)
        form.addRow(self.where_label)
        for spin in (self.days_spin, self.weeks_spin, self.newest_spin):
            spin.valueChanged.connect(self._changed)
        self._changed()

    def _spin(self, name: str, value: int, object_name: str) -> QSpinBox:
        low, high = LIMITS[name]
        spin = QSpinBox(self)
        spin.setObjectName(object_name)
        spin.setRange(low, high)
        spin.setValue(value)
        spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        spin.setSuffix(
            {
                "keep_days": tr(" days"),
                "keep_weeks": tr(" weeks"),
                "keep_newest": tr(" backups"),
            }[name]
        )
        return spin

    def policy(self) -> BackupPolicy:
        text = self.folder_edit.text().strip()
        return BackupPolicy(
            folder=Path(text).expanduser() if text else None,
            keep_days=self.days_spin.value(),
            keep_weeks=self.weeks_spin.value(),
            keep_newest=self.newest_spin.value(),
        )

    def _changed(self, *_args: object) -> None:
        self.error_label.hide()
        policy = self.policy()
        kept = (
            ntr(
                "Automatic backups (daily and before a month close): the newest of each of the "
                "last {days} day,",
                "Automatic backups (daily and before a month close): the newest of each of the "
                "last {days} days,",
                policy.keep_days,
            ).format(days=policy.keep_days)
            + " "
            + ntr(
                "of each of the last {weeks} week, and the {newest} newest are kept; manual "
                "backups are never deleted.",
                "of each of the last {weeks} weeks, and the {newest} newest are kept; manual "
                "backups are never deleted.",
                policy.keep_weeks,
            ).format(weeks=policy.keep_weeks, newest=policy.keep_newest)
        )
        if self.store_file is None:
            where = tr("Backups are made for a local store only (a server backs up its own).")
        else:
            where = tr("Backups of {store} go to {folder}.").format(
                store=self.store_file.name, folder=store_backup_folder(self.store_file, policy)
            )
        self.where_label.setText(f"{where} {kept}")
        self._fit()

    def _fit(self) -> None:
        """Grow the dialog to its wrapped labels (Qt sizes a window by their one-line hint)."""
        window = self.window()
        if window is not self and window.isVisible():
            window.adjustSize()

    def _browse(self) -> None:
        start = self.folder_edit.text().strip() or str(Path.home())
        chosen = QFileDialog.getExistingDirectory(self, tr("Folder for backups"), start)
        if chosen:
            self.folder_edit.setText(chosen)

    def problem(self) -> str:
        """Why the settings cannot be saved ("" when they can); shown in the section."""
        policy = self.policy()
        found = ""
        if policy.folder is not None:
            found = folder_problem(policy.folder)
        if found:
            self.error_label.setText(
                tr("Backups cannot go to this folder: {reason}.").format(reason=found)
            )
            self.error_label.show()
            self._fit()
            self.folder_edit.setFocus()
        return found

    def save(self) -> None:
        save_policy(self.policy())
