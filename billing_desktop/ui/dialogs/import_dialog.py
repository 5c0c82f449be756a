"""File ▸ Import…: pick a kind of CSV file and the file (PRODUCT §12)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFileDialog, QWidget

from billing_desktop.ui.forms.ui_import_dialog import Ui_ImportDialog
from billing_desktop.ui.i18n import tr


class ImportDialog(QDialog):
    """Asks for the import kind and the CSV file; the caller runs the import.

    Signals: the standard ``QDialog`` ones (``accepted`` once a kind and an existing file
    are chosen).
    """

    def __init__(
        self,
        kinds: Sequence[str],
        parent: QWidget | None = None,
        kind: str | None = None,
        folder: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.ui = Ui_ImportDialog()
        self.ui.setupUi(self)
        self._folder = folder or Path.home()
        self.ui.kindCombo.addItems(list(kinds))
        if kind is not None and kind in kinds:
            self.ui.kindCombo.setCurrentText(kind)
        self.ui.browseButton.clicked.connect(self._browse)
        self.ui.fileEdit.textChanged.connect(self._update_ok)
        self._update_ok()

    @property
    def kind(self) -> str:
        return self.ui.kindCombo.currentText()

    @property
    def path(self) -> Path:
        return Path(self.ui.fileEdit.text().strip()).expanduser()

    def set_path(self, path: Path) -> None:
        self.ui.fileEdit.setText(str(path))

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, tr("Choose a CSV file"), str(self._folder), tr("CSV files (*.csv);;All files (*)")
        )
        if chosen:
            self.set_path(Path(chosen))

    def _update_ok(self) -> None:
        button = self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok)
        button.setText(tr("&Import"))
        button.setEnabled(bool(self.ui.fileEdit.text().strip()))

    def accept(self) -> None:
        if not self.path.is_file():
            self.ui.fileEdit.setFocus()
            self.ui.fileEdit.selectAll()
            self.ui.introLabel.setText(
                tr("{path} is not a file. Choose the CSV file to import.").format(path=self.path)
            )
            return
        super().accept()
