"""File ▸ Export month-end bundle…: a closed month's statement, invoices (Factur-X), call log,
units report and SHA-256 manifest in a new folder, optionally signed (issue 23).

The bundle is made on the task runner with a progress dialog whose Cancel stops it; a
cancelled or failed bundle leaves nothing (it is made in a hidden folder and moved into place
at the end). The certificate's password is typed in a password field, handed to the worker
and never stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from billing_desktop.domain.access import Actor
from billing_desktop.domain.periods import Month
from billing_desktop.services.gateway import Gateway as Store
from billing_desktop.services.statements import StatementMonth, statement_months
from billing_desktop.services.task_state import TaskState
from billing_desktop.ui.context import TabContext, read
from billing_desktop.ui.i18n import tr
from billing_desktop.ui.locale_format import month_name  # in the GUI's language

if TYPE_CHECKING:
    from billing_desktop.archive.bundle import Written
    from billing_desktop.ui.dialogs.print_preview import RenderProgress


def bundle_folder_name(month: Month) -> str:
    return f"bundle-{month}"


@dataclass(frozen=True)
class Signing:
    certificate: Path
    password: bytes


def make_bundle(
    store: Store,
    actor: Actor,
    month: Month,
    out: Path,
    signing: Signing | None,
    *,
    state: TaskState,
) -> Written:
    """The bundle, on a worker thread (the certificate is opened here, not on the GUI's)."""
    from billing_desktop.archive.bundle import export_bundle

    signer = None
    if signing is not None:
        from billing_desktop.archive.signing import CertificateSigner

        signer = CertificateSigner(signing.certificate, signing.password)
    return export_bundle(store, actor, month, out, state, signer)


class MonthEndBundleDialog(QDialog):
    """Choose a closed month, a folder and (optionally) a certificate, then export.

    Signals:
        months_loaded(): the month list is filled (or says why it is empty).
        exported(object): the bundle was written; its ``archive.bundle.Written``.
    """

    months_loaded = Signal()
    exported = Signal(object)

    def __init__(
        self, context: TabContext, parent: QWidget | None = None, *, folder: Path | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("monthEndBundleDialog")
        self.setWindowTitle(tr("Export month-end bundle"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.context = context
        self.progress: RenderProgress | None = None
        self.result_text = ""

        intro = QLabel(
            tr(
                "The statement, invoices (Factur-X PDF/A-3 and XML), call log and billing-units "
                "report of a closed month, with a SHA-256 manifest, in a new folder. The same "
                "month always gives the same files."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.month_combo = QComboBox(self)
        self.month_combo.setObjectName("monthCombo")
        self.folder_edit = QLineEdit(str(folder or Path.home()), self)
        self.folder_edit.setObjectName("folderEdit")
        browse = QPushButton(tr("&Browse…"), self)
        browse.clicked.connect(self._browse_folder)
        self.target_label = QLabel(self)
        self.target_label.setObjectName("targetLabel")
        self.target_label.setWordWrap(True)

        self.sign_check = QCheckBox(tr("&Sign the PDFs and the manifest (PAdES, CMS)"), self)
        self.sign_check.setObjectName("signCheck")
        self.certificate_edit = QLineEdit(self)
        self.certificate_edit.setObjectName("certificateEdit")
        self.certificate_edit.setPlaceholderText(tr("certificate and key, .p12 or .pfx"))
        self.certificate_browse = QPushButton(tr("B&rowse…"), self)
        self.certificate_browse.clicked.connect(self._browse_certificate)
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("passwordEdit")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("&Export bundle"))
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)

        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(browse)
        certificate_row = QHBoxLayout()
        certificate_row.addWidget(self.certificate_edit, 1)
        certificate_row.addWidget(self.certificate_browse)
        form = QFormLayout()
        form.addRow(tr("&Month:"), self.month_combo)
        form.addRow(self._label(tr("&In folder:"), self.folder_edit), folder_row)
        form.addRow("", self.target_label)
        signing = QFormLayout()
        signing.setContentsMargins(24, 0, 0, 0)
        signing.addRow(self._label(tr("&Certificate:"), self.certificate_edit), certificate_row)
        signing.addRow(tr("&Password:"), self.password_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addSpacing(6)
        layout.addWidget(self.sign_check)
        layout.addLayout(signing)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        for widget in (self.folder_edit, self.certificate_edit, self.password_edit):
            widget.textChanged.connect(lambda _text: self._update())
        self.sign_check.toggled.connect(lambda _on: self._update())
        self.month_combo.currentIndexChanged.connect(lambda _index: self._update())
        self.resize(520, 340)
        self.month_combo.addItem(tr("Loading…"))
        self._update()
        self.context.runner.run(
            partial(read, self.context.store, statement_months, self.context.actor),
            on_done=self._months_ready,
            on_error=self._months_failed,
            description="list closed months",
        )

    def _label(self, text: str, buddy: QWidget) -> QLabel:
        """A row label whose mnemonic focuses ``buddy`` (a row of a layout has no buddy)."""
        label = QLabel(text, self)
        label.setBuddy(buddy)
        return label

    # Choices -------------------------------------------------------------------------------

    def _months_ready(self, months: Sequence[StatementMonth]) -> None:
        self.month_combo.clear()
        closed = [m.month for m in months if m.closed]
        for month in closed:
            self.month_combo.addItem(month_name(month), str(month))
        if not closed:
            self.month_combo.addItem(tr("No closed month yet: close a month first"))
        self._update()
        self.months_loaded.emit()

    def _months_failed(self, message: str) -> None:
        self.month_combo.clear()
        self.month_combo.addItem(tr("Could not list the months: {message}").format(message=message))
        self._update()
        self.months_loaded.emit()

    @property
    def month(self) -> Month | None:
        value = self.month_combo.currentData()
        return Month.parse(value) if isinstance(value, str) else None

    @property
    def target(self) -> Path | None:
        month = self.month
        text = self.folder_edit.text().strip()
        if month is None or not text:
            return None
        return Path(text).expanduser() / bundle_folder_name(month)

    def _browse_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, tr("Export the bundle in"), self.folder_edit.text()
        )
        if chosen:
            self.folder_edit.setText(chosen)

    def _browse_certificate(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, tr("Signing certificate"), self.folder_edit.text(), tr("PKCS#12 (*.p12 *.pfx)")
        )
        if chosen:
            self.certificate_edit.setText(chosen)
            self.sign_check.setChecked(True)

    def _update(self) -> None:
        signing = self.sign_check.isChecked()
        for widget in (self.certificate_edit, self.certificate_browse, self.password_edit):
            widget.setEnabled(signing)
        target = self.target
        if target is None:
            self.target_label.setText("")
        elif target.exists():
            self.target_label.setText(
                tr("{target} exists: choose another folder.").format(target=target)
            )
        else:
            self.target_label.setText(tr("Writes {target}").format(target=target))
        ok = (
            target is not None
            and not target.exists()
            and self.progress is None
            and (not signing or bool(self.certificate_edit.text().strip()))
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    # The export ----------------------------------------------------------------------------

    def start(self) -> None:
        from billing_desktop.ui.dialogs.print_preview import RenderProgress, notify

        month, target = self.month, self.target
        if month is None or target is None:
            return
        if not target.parent.is_dir():
            notify(
                self,
                tr("Month-end bundle"),
                tr("{parent} is not a folder.").format(parent=target.parent),
                warning=True,
            )
            return
        signing = None
        if self.sign_check.isChecked():
            signing = Signing(
                Path(self.certificate_edit.text().strip()).expanduser(),
                self.password_edit.text().encode("utf-8"),
            )
        progress = RenderProgress(
            tr("Month-end bundle"),
            tr("Preparing {month}…").format(month=month_name(month, capital=False)),
            self,
        )
        self.progress = progress
        self._update()
        task = self.context.runner.run(
            make_bundle,
            self.context.store,
            self.context.actor,
            month,
            target,
            signing,
            with_state=True,
            on_state_progress=progress.show_progress,
            on_done=self._done,
            on_error=self._failed,
            description=f"export the {month} bundle",
        )
        progress.follow(task)

    def _close_progress(self) -> bool:
        """Close the progress dialog; True when the user had cancelled."""
        progress, self.progress = self.progress, None
        cancelled = False
        if progress is not None:
            cancelled = progress.cancelled
            progress.finish()
        self._update()
        return cancelled

    def _done(self, written: Written) -> None:
        from billing_desktop.ui.dialogs.print_preview import notify

        self._close_progress()
        signed = tr(", signed") if written.signed else ""
        self.result_text = (
            tr("Wrote {count} files{signed} to {folder}: ").format(
                count=len(written.files), signed=signed, folder=written.folder
            )
            + ", ".join(written.files)
            + "."
        )
        self.exported.emit(written)
        self.password_edit.clear()
        self.accept()
        notify(self.parentWidget() or self, tr("Month-end bundle"), self.result_text)

    def _failed(self, message: str) -> None:
        from billing_desktop.ui.dialogs.print_preview import notify

        cancelled = self._close_progress()
        self.result_text = tr("Cancelled: nothing was written.") if cancelled else message
        if not cancelled:
            notify(self, tr("Month-end bundle"), message, warning=True)


__all__ = ["MonthEndBundleDialog", "make_bundle"]
