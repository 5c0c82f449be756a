"""Backups in the app: the list to restore from, and what to do when a store cannot be opened.

* :class:`BackupsDialog` (File ▸ Restore from backup…, and the start dialog's Restore button):
  the backups of a store, newest first, with their dates, kinds and sizes; or any file.
* :class:`StoreProblemDialog`: shown at start instead of the window when the store is damaged
  (moved aside: Restore from a backup…, Open another store…, Quit) or missing or empty (Create
  a new store here, Open another store…, Quit). Restoring and opening run off the GUI thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from billing_desktop.services.task_state import TaskState
from billing_desktop.store.sql.backups import Backup, backup_folder, human_size, list_backups
from billing_desktop.ui.forms.ui_backups_dialog import Ui_BackupsDialog
from billing_desktop.ui.i18n import tr
from billing_desktop.ui.service_messages import translate_message
from billing_desktop.ui.tasks import TaskRunner

REASON_LABELS = {
    "manual": tr("Backed up by hand"),
    "daily": tr("Daily"),
    "pre-close": tr("Before a month close"),
    "pre-migration": tr("Before an upgrade"),
}
FILE_FILTER = tr("Billing stores (*.db);;All files (*)")


def restore_and_open(store: Path, backup: Path, *, state: TaskState) -> Any:
    """Restore ``backup`` over ``store`` and open the result (runs on a worker thread). Not
    cancellable: a restore half done is worse than one finished."""
    from billing_desktop.bootstrap import open_store
    from billing_desktop.store.sql import backups
    from billing_desktop.store.sql.engine import head_revision, known_revisions

    def report(done: float | None, text: str) -> None:
        state.progress(
            done, tr("Restoring {backup_name}… {text}").format(backup_name=backup.name, text=text)
        )

    backups.restore(store, backup, known=known_revisions(), head=head_revision(), progress=report)
    state.progress(None, tr("Opening the restored store…"))
    return open_store(str(store))


class BackupsDialog(QDialog):
    """Choose a backup of ``store``: its backups, newest first, or any file (``chosen``)."""

    def __init__(self, store: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_BackupsDialog()
        self.ui.setupUi(self)  # the layout: forms/backups_dialog.ui
        self.store = store
        self.chosen: Path | None = None
        self.backups = list_backups(store)
        self.ui.introLabel.setText(
            tr(
                "Restore <b>{store_name}</b> from one of its backups in {backup_folder}. "
                "The current store is kept aside next to it, as "
                "{store_name}.replaced-&lt;date&gt;; nothing is deleted."
            ).format(store_name=store.name, backup_folder=backup_folder(store))
        )
        self.table = self.ui.backupsTable
        for backup in self.backups:
            item = QTreeWidgetItem(
                [
                    backup.taken.strftime("%Y-%m-%d %H:%M:%S"),
                    REASON_LABELS.get(backup.reason, backup.reason),
                    human_size(backup.size),
                    backup.path.name,
                ]
            )
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setToolTip(3, str(backup.path))
            self.table.addTopLevelItem(item)
        header = self.table.header()
        header.setStretchLastSection(True)
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.empty_label = self.ui.emptyLabel
        self.empty_label.setVisible(not self.backups)

        self.buttons = self.ui.buttonBox
        self.restore_button = self.buttons.addButton(
            tr("&Restore"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.restore_button.setObjectName("restoreButton")
        self.file_button = self.buttons.addButton(
            tr("Choose a &file…"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.file_button.setObjectName("fileButton")
        self.buttons.accepted.connect(self._restore_selected)
        self.buttons.rejected.connect(self.reject)
        self.file_button.clicked.connect(self._choose_file)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.itemDoubleClicked.connect(lambda *_: self._restore_selected())

        first = self.table.topLevelItem(0)
        if first is not None:
            self.table.setCurrentItem(first)
        self._selection_changed()

    @property
    def selected(self) -> Backup | None:
        item = self.table.currentItem()
        if item is None or not item.isSelected():
            return None
        return self.backups[self.table.indexOfTopLevelItem(item)]

    def _selection_changed(self) -> None:
        self.restore_button.setEnabled(self.selected is not None)

    def _restore_selected(self) -> None:
        backup = self.selected
        if backup is not None:
            self.chosen = backup.path
            self.accept()

    def _choose_file(self) -> None:
        folder = backup_folder(self.store)
        chosen, _ = QFileDialog.getOpenFileName(
            self,
            tr("Restore from a file"),
            str(folder if folder.is_dir() else self.store.parent),
            FILE_FILTER,
        )
        if chosen:
            self.chosen = Path(chosen)
            self.accept()


class StoreProblemDialog(QDialog):
    """What to do when the store at ``path`` cannot be opened at start.

    ``damaged``: it was moved aside (``message`` says where); offer Restore from a backup…,
    Open another store… and Quit. Otherwise there is no store there; offer Create a new store
    here, Open another store… and Quit. ``in_app``: the window is open on another store, so
    the last choice is Cancel. ``store`` holds the opened store once accepted."""

    def __init__(
        self,
        path: Path,
        message: str,
        *,
        damaged: bool,
        in_app: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("storeProblemDialog")
        self.path = path
        self.damaged = damaged
        self.store: Any = None
        self.backups_dialog: BackupsDialog | None = None
        self.runner = TaskRunner(self)
        self.setWindowTitle(tr("The store is damaged") if damaged else tr("No store here"))

        title = QLabel(self)
        title.setObjectName("titleLabel")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        title.setFont(font)
        title.setText(
            tr("{file} is damaged and was moved aside").format(file=path.name)
            if damaged
            else tr("There is no store at {file}").format(file=path.name)
        )
        self.message = QLabel(message, self)
        self.message.setObjectName("messageLabel")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setMinimumWidth(520)
        leave = tr("cancel") if in_app else tr("quit")
        advice = QLabel(self)
        advice.setObjectName("adviceLabel")
        advice.setWordWrap(True)
        advice.setText(
            tr(
                "Restore the store from one of its backups, open another store, or "
                "{leave}. The damaged file is kept; nothing was deleted."
            ).format(leave=leave)
            if damaged
            else tr(
                "Create a new, empty store here (then add the demo workspace or import "
                "your data), open another store, or {leave}."
            ).format(leave=leave)
        )
        self.status = QLabel(self)
        self.status.setObjectName("statusLabel")
        self.status.setWordWrap(True)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("progressBar")
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.hide()

        self.first_button = QPushButton(
            tr("&Restore from a backup…") if damaged else tr("&Create a new store here"), self
        )
        self.first_button.setObjectName("restoreButton" if damaged else "createButton")
        self.open_button = QPushButton(tr("&Open another store…"), self)
        self.open_button.setObjectName("openButton")
        self.quit_button = QPushButton(tr("&Cancel") if in_app else tr("&Quit"), self)
        self.quit_button.setObjectName("quitButton")
        self.first_button.setDefault(True)
        self.first_button.clicked.connect(self.restore if damaged else self.create_store)
        self.open_button.clicked.connect(self.open_another)
        self.quit_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.first_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.quit_button)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addSpacing(4)
        layout.addWidget(self.message)
        layout.addSpacing(8)
        layout.addWidget(advice)
        layout.addStretch(1)
        layout.addWidget(self.status)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)

    # Actions -----------------------------------------------------------------------------

    def restore(self) -> None:
        """Restore from a backup…: the backups of the damaged store's path."""
        dialog = BackupsDialog(self.path, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.backups_dialog = dialog
        dialog.accepted.connect(lambda: self._restore_from(dialog.chosen))
        dialog.open()

    def _restore_from(self, backup: Path | None) -> None:
        if backup is None:
            return
        self._start(tr("Restoring {backup_name}…").format(backup_name=backup.name))
        self.runner.run(
            restore_and_open,
            self.path,
            backup,
            with_state=True,
            on_done=self._opened,
            on_error=self._failed,
            on_state_progress=lambda step: self.status.setText(translate_message(step.text)),
            description="restore a backup",
        )

    def create_store(self) -> None:
        from billing_desktop.bootstrap import open_store

        self._start(tr("Creating a new store at {path}…").format(path=self.path))
        self.runner.run(
            lambda: open_store(str(self.path), create=True),
            on_done=self._opened,
            on_error=self._failed,
            description="create a store",
        )

    def open_another(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, tr("Open store"), str(self.path.parent), FILE_FILTER
        )
        if chosen:
            self.open_path(Path(chosen))

    def open_path(self, path: Path) -> None:
        from billing_desktop.bootstrap import open_store

        self._start(tr("Opening {path}…").format(path=path))
        self.runner.run(
            open_store,
            str(path),
            on_done=self._opened,
            on_error=self._failed,
            description="open a store",
        )

    # Outcomes ----------------------------------------------------------------------------

    def _start(self, message: str) -> None:
        self.status.setText(message)
        self.progress.show()
        for button in (self.first_button, self.open_button, self.quit_button):
            button.setEnabled(False)

    def _opened(self, store: Any) -> None:
        self.progress.hide()
        self.store = store
        self.accept()

    def _failed(self, message: str) -> None:
        self.progress.hide()
        self.status.setText(message)
        for button in (self.first_button, self.open_button, self.quit_button):
            button.setEnabled(True)

    def done(self, result: int) -> None:
        self.runner.shutdown()
        super().done(result)
