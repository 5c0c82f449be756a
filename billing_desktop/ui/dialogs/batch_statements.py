"""File ▸ Print statement… / Save statements…: the statements of one or several months,
printed (through the print preview) or saved as PDF files in a folder (PRODUCT §8).

The months are read and the PDFs rendered on the task runner; a progress dialog follows the
whole batch and can cancel it. A cancelled batch keeps the files already finished and writes
nothing half-made (each file is written all at once). A month with nothing to state is
skipped and named in the summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from billing_desktop.domain.access import Actor
from billing_desktop.domain.errors import BillingError
from billing_desktop.domain.periods import Month
from billing_desktop.services.gateway import Gateway as Store
from billing_desktop.services.statements import StatementMonth, statement_months
from billing_desktop.services.task_state import TaskState
from billing_desktop.ui.context import TabContext, read
from billing_desktop.ui.i18n import ntr, tr
from billing_desktop.ui.locale_format import month_name  # in the GUI's language
from billing_desktop.ui.service_messages import translate_message

if TYPE_CHECKING:
    from billing_desktop.ui.dialogs.print_preview import PdfFile, RenderProgress

PRINT = "print"
SAVE = "save"


def statement_file_name(month: Month) -> str:
    return f"statement-{month}.pdf"


@dataclass
class BatchResult:
    """What a batch made: PDFs (in month order), the files written, months skipped (with the
    reason), and whether the user cancelled before the end."""

    files: list[PdfFile] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    skipped: list[tuple[Month, str]] = field(default_factory=list)
    cancelled: bool = False


def render_statements(
    store: Store,
    actor: Actor,
    months: Sequence[Month],
    folder: Path | None,
    today: date | None = None,
    *,
    state: TaskState,
) -> BatchResult:
    """Render the statement of each month (on a worker thread); with ``folder``, write each
    as ``statement-YYYY-MM.pdf`` there as soon as it is finished."""
    from billing_desktop.reports.layout import RenderCancelled, RenderHooks, write_atomically
    from billing_desktop.reports.statement import render_statement
    from billing_desktop.services.statements import statement
    from billing_desktop.ui.dialogs.print_preview import PdfFile

    result = BatchResult()
    count = len(months)
    for index, month in enumerate(months):
        if state.cancelled():
            result.cancelled = True
            break
        label = tr("Statement {month} ({index} of {count})").format(
            month=month_name(month, capital=False), index=index + 1, count=count
        )

        def report(fraction: float, message: str, index: int = index, label: str = label) -> None:
            state.progress((index + fraction) / count, f"{label}\n{message}")

        try:
            data = store.read(statement, actor, month, today)
            rendered = render_statement(data, RenderHooks(report, state.cancelled))
        except RenderCancelled:
            result.cancelled = True
            break
        except BillingError as exc:
            result.skipped.append((month, translate_message(str(exc))))
            continue
        pdf = PdfFile(statement_file_name(month), rendered.data)
        result.files.append(pdf)
        if folder is not None:
            path = folder / pdf.name
            write_atomically(path, pdf.data)
            result.written.append(path)
    return result


class StatementsDialog(QDialog):
    """Choose months and whether to print or save their statements, then run the batch.

    Signals:
        months_loaded(): the month list is filled (or says why it is empty).
        finished_batch(object): a batch ended; its :class:`BatchResult`.
    """

    months_loaded = Signal()
    finished_batch = Signal(object)

    def __init__(
        self,
        context: TabContext,
        parent: QWidget | None = None,
        *,
        mode: str = PRINT,
        folder: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("statementsDialog")
        self.setWindowTitle(tr("Statements"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.context = context
        self.progress: RenderProgress | None = None
        self.preview: QWidget | None = None
        self.result_text = ""

        intro = QLabel(
            tr("Choose the months. A month that is not closed yet gets a provisional statement."),
            self,
        )
        intro.setWordWrap(True)
        self.month_list = QListWidget(self)
        self.month_list.setObjectName("monthList")
        self.month_list.setMinimumHeight(200)
        self.month_list.itemChanged.connect(lambda _item: self._update_ok())
        all_button = QPushButton(tr("Select &all"), self)
        none_button = QPushButton(tr("Select &none"), self)
        all_button.clicked.connect(lambda: self.check_all(True))
        none_button.clicked.connect(lambda: self.check_all(False))

        self.print_radio = QRadioButton(tr("&Print, with a preview"), self)
        self.save_radio = QRadioButton(tr("Save as PDF &files in a folder:"), self)
        self.mode_group = QButtonGroup(self)
        self.mode_group.addButton(self.print_radio)
        self.mode_group.addButton(self.save_radio)
        self.folder_edit = QLineEdit(str(folder or Path.home()), self)
        self.folder_edit.setObjectName("folderEdit")
        browse = QPushButton(tr("&Browse…"), self)
        browse.clicked.connect(self._browse)
        self.browse_button = browse

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)

        picks = QHBoxLayout()
        picks.addWidget(all_button)
        picks.addWidget(none_button)
        picks.addStretch(1)
        folder_row = QHBoxLayout()
        folder_row.setContentsMargins(24, 0, 0, 0)
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(browse)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.month_list, 1)
        layout.addLayout(picks)
        layout.addSpacing(6)
        layout.addWidget(self.print_radio)
        layout.addWidget(self.save_radio)
        layout.addLayout(folder_row)
        layout.addWidget(self.buttons)

        (self.save_radio if mode == SAVE else self.print_radio).setChecked(True)
        self.print_radio.toggled.connect(lambda _on: self._update_ok())
        self.folder_edit.textChanged.connect(lambda _text: self._update_ok())
        self.resize(460, 440)
        self._update_ok()
        self.month_list.addItem(tr("Loading…"))
        self.context.runner.run(
            partial(read, self.context.store, statement_months, self.context.actor),
            on_done=self._months_ready,
            on_error=self._months_failed,
            description="list statement months",
        )

    # Months ------------------------------------------------------------------------------

    def _months_ready(self, months: Sequence[StatementMonth]) -> None:
        self.month_list.clear()
        latest_closed = next((m.month for m in months if m.closed), None)
        for entry in months:
            if entry.closed:
                state = tr("closed")
            elif entry.provisional:
                state = tr("open: provisional")
            else:
                state = tr("before this store's billing: ledger only")
            item = QListWidgetItem(f"{month_name(entry.month)} — {state}")
            item.setData(Qt.ItemDataRole.UserRole, str(entry.month))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            chosen = entry.month == (latest_closed or months[0].month)
            item.setCheckState(Qt.CheckState.Checked if chosen else Qt.CheckState.Unchecked)
            self.month_list.addItem(item)
        if not months:
            self.month_list.addItem(tr("No month has anything to state yet."))
        self._update_ok()
        self.months_loaded.emit()

    def _months_failed(self, message: str) -> None:
        self.month_list.clear()
        self.month_list.addItem(tr("Could not list the months: {message}").format(message=message))
        self._update_ok()
        self.months_loaded.emit()

    def _items(self) -> list[QListWidgetItem]:
        items = (self.month_list.item(i) for i in range(self.month_list.count()))
        return [i for i in items if i is not None and i.data(Qt.ItemDataRole.UserRole)]

    def check_all(self, checked: bool) -> None:
        state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        for item in self._items():
            item.setCheckState(state)

    def set_checked(self, months: Sequence[Month]) -> None:
        wanted = {str(m) for m in months}
        for item in self._items():
            on = item.data(Qt.ItemDataRole.UserRole) in wanted
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    @property
    def chosen_months(self) -> list[Month]:
        """The checked months, oldest first (the order statements are printed in)."""
        months = [
            Month.parse(item.data(Qt.ItemDataRole.UserRole))
            for item in self._items()
            if item.checkState() == Qt.CheckState.Checked
        ]
        return sorted(months)

    @property
    def mode(self) -> str:
        return PRINT if self.print_radio.isChecked() else SAVE

    @property
    def folder(self) -> Path:
        return Path(self.folder_edit.text().strip()).expanduser()

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, tr("Save statements in"), str(self.folder))
        if chosen:
            self.folder_edit.setText(chosen)

    def _update_ok(self) -> None:
        saving = self.mode == SAVE
        self.folder_edit.setEnabled(saving)
        self.browse_button.setEnabled(saving)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        count = len(self.chosen_months)
        noun = ntr("statement", "{count} statements", count).format(count=count)
        ok.setText(
            tr("&Save {noun}").format(noun=noun)
            if saving
            else tr("&Print {noun}…").format(noun=noun)
        )
        ok.setEnabled(
            count > 0 and self.progress is None and (not saving or bool(self.folder_edit.text()))
        )

    # The batch ---------------------------------------------------------------------------

    def start(self) -> None:
        """Render the chosen months' statements on the runner, with a progress dialog."""
        from billing_desktop.ui.dialogs.print_preview import RenderProgress

        months = self.chosen_months
        if not months:
            return
        folder: Path | None = None
        if self.mode == SAVE:
            folder = self.folder
            if not folder.is_dir():
                from billing_desktop.ui.dialogs.print_preview import notify

                notify(
                    self,
                    tr("Statements"),
                    tr("{folder} is not a folder.").format(folder=folder),
                    warning=True,
                )
                return
        noun = ntr("statement", "{count} statements", len(months)).format(count=len(months))
        progress = RenderProgress(tr("Statements"), tr("Preparing {noun}…").format(noun=noun), self)
        self.progress = progress
        self._update_ok()
        task = self.context.runner.run(
            render_statements,
            self.context.store,
            self.context.actor,
            months,
            folder,
            with_state=True,
            on_state_progress=progress.show_progress,
            on_done=self._done,
            on_error=self._failed,
            description=f"render {noun}",
        )
        progress.follow(task)

    def _close_progress(self) -> None:
        progress, self.progress = self.progress, None
        if progress is not None:
            progress.finish()
        self._update_ok()

    def _done(self, result: BatchResult) -> None:
        from billing_desktop.ui.dialogs.print_preview import PdfPrintPreview, notify

        self._close_progress()
        self.result_text = summary(result)
        self.finished_batch.emit(result)
        finished = bool(result.files) and not result.cancelled
        owner = self.parentWidget() or self
        if finished and self.mode == PRINT:
            names = [f.name.removesuffix(".pdf") for f in result.files]
            title = (
                names[0]
                if len(names) == 1
                else tr("{first} to {last}").format(first=names[0], last=names[-1])
            )
            preview = PdfPrintPreview(result.files, title, owner, folder=self.folder)
            self.preview = preview
            self.accept()
            preview.open()
            if result.skipped:
                notify(preview, tr("Statements"), self.result_text)
            return
        if finished:
            self.accept()  # saved: say where, from the window (this dialog is closing)
            notify(owner, tr("Statements"), self.result_text)
        else:
            notify(self, tr("Statements"), self.result_text)

    def _failed(self, message: str) -> None:
        from billing_desktop.ui.dialogs.print_preview import notify

        self._close_progress()
        self.result_text = message
        notify(self, tr("Statements"), message, warning=True)


def summary(result: BatchResult) -> str:
    lines: list[str] = []
    if result.written:
        folder = result.written[0].parent
        lines.append(
            ntr(
                "Saved {count} statement in {folder}: {files}.",
                "Saved {count} statements in {folder}: {files}.",
                len(result.written),
            ).format(
                count=len(result.written),
                folder=folder,
                files=", ".join(p.name for p in result.written),
            )
        )
    elif result.files:
        lines.append(
            ntr("{count} statement ready.", "{count} statements ready.", len(result.files)).format(
                count=len(result.files)
            )
        )
    if result.cancelled:
        lines.append(tr("Cancelled: the statements not finished were not written."))
    for month, reason in result.skipped:
        lines.append(tr("Skipped {month}: {reason}").format(month=month, reason=reason))
    if not lines:
        lines.append(tr("No statement was made."))
    return "\n".join(lines)


__all__ = ["BatchResult", "StatementsDialog", "render_statements", "summary"]
