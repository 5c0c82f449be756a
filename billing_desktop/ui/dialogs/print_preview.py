"""Print preview of our PDF documents: the system's print dialog behind a preview of the very
PDF that "Save as PDF…" writes (QPrintPreviewDialog painting pages rendered by QtPdf).

The PDF is made by reportlab off the GUI thread before this dialog opens; here its pages are
only rasterised: for the preview at a resolution that keeps every page in memory affordable
(the preview holds all of them at once), for the printer page by page at up to 300 dpi.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QPageLayout, QPageSize, QPaintEngine, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog, QPrintPreviewWidget
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QToolBar, QWidget

from billing_desktop.domain.errors import BillingError
from billing_desktop.services.task_state import Progress, TaskState
from billing_desktop.ui.tasks import PROGRESS_STEPS, TaskHandle, progress_value

if TYPE_CHECKING:
    from billing_desktop.reports.layout import RenderHooks

PRINT_DPI = 300
PREVIEW_DPI = 150
MIN_PREVIEW_DPI = 50
PREVIEW_BUDGET = 256 * 1024 * 1024  # bytes of page images the preview may hold


def notify(parent: QWidget, title: str, text: str, *, warning: bool = False) -> QMessageBox:
    """A window-modal message that does not block the event loop (as the main window's)."""
    icon = QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Information
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("statementsMessage" if not warning else "statementsWarning")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def render_hooks(state: TaskState) -> RenderHooks:
    """Hooks for a render on a worker thread: its progress and its cancel are the task's."""
    from billing_desktop.reports.layout import RenderHooks  # reportlab: only when rendering

    return RenderHooks(state.progress, state.cancelled)


class RenderProgress(QProgressDialog):
    """Progress of a render running on the task runner; Cancel stops the render itself (its
    task's state, checked by the worker between pages) and nothing half-made is written.

    Signals: the standard ``QProgressDialog`` ones (``canceled`` when the user cancels).
    """

    def __init__(self, title: str, label: str, parent: QWidget | None = None) -> None:
        super().__init__(label, "Cancel", 0, PROGRESS_STEPS, parent)
        self.setObjectName("renderProgress")
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumDuration(300)  # quick renders finish before it would flash up
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.task: TaskHandle | None = None
        self.cancelled = False
        self.canceled.connect(self.cancel)
        self.setValue(0)

    def follow(self, task: TaskHandle) -> None:
        """The render this dialog shows: Cancel stops it (its outcome still arrives, so the
        view closes this dialog and says nothing)."""
        self.task = task
        if self.cancelled:
            self._stop()

    def cancel(self) -> None:
        """Cancel button, Escape, closing the dialog, or a caller: stop the render."""
        self.cancelled = True
        self._stop()
        super().cancel()

    def _stop(self) -> None:
        if self.task is not None and self.task.state is not None:
            self.task.state.cancel()

    def show_progress(self, progress: Progress) -> None:
        if progress.text:
            self.setLabelText(progress.text)
        value = progress_value(progress)
        if value is not None:
            self.setValue(value)

    def finish(self) -> None:
        self.reset()
        self.hide()
        self.deleteLater()


@dataclass(frozen=True, slots=True)
class PdfFile:
    """A rendered PDF and the file name it is offered under ("statement-2026-10.pdf")."""

    name: str
    data: bytes


def preview_dpi(pages: int) -> int:
    """Sharp for short documents, coarser for long ones so all pages fit the memory budget."""
    a4_square_inches = 8.27 * 11.69
    affordable = math.sqrt(PREVIEW_BUDGET / (max(pages, 1) * 4 * a4_square_inches))
    return int(max(MIN_PREVIEW_DPI, min(PREVIEW_DPI, affordable)))


class _LoadedPdf:
    """A QPdfDocument reading from bytes held in memory (the buffer must outlive it)."""

    def __init__(self, data: bytes, parent: QWidget) -> None:
        self.bytes = QByteArray(data)
        self.buffer = QBuffer(self.bytes, parent)
        self.buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(parent)
        self.document.load(self.buffer)
        if self.document.status() != QPdfDocument.Status.Ready:
            raise BillingError("the PDF could not be read back for printing")


class PdfPrintPreview(QPrintPreviewDialog):
    """Preview, print (the toolbar's printer button opens the system print dialog) or save one
    or more PDFs printed one after the other.

    Signals:
        saved(str): the PDF was saved to this path by "Save as PDF…".
    """

    saved = Signal(str)

    def __init__(
        self,
        files: Sequence[PdfFile],
        title: str,
        parent: QWidget | None = None,
        *,
        folder: Path | None = None,
    ) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setPageOrientation(QPageLayout.Orientation.Portrait)
        printer.setFullPage(True)  # the PDF has its own margins: paint the whole sheet
        printer.setDocName(title)
        super().__init__(printer, parent)
        self.setObjectName("printPreview")
        self.setWindowTitle(f"Print preview — {title}")
        self._printer = printer  # the dialog does not own it: keep it alive
        self.files = list(files)
        self.folder = folder or Path.home()
        self._loaded = [_LoadedPdf(f.data, self) for f in self.files]
        self.paintRequested.connect(self._paint)
        self.painted_pages = 0

        self.save_action = QAction("Save as PDF…", self)
        self.save_action.setObjectName("savePdfAction")
        self.save_action.setShortcut(QKeySequence.StandardKey.Save)
        self.save_action.setToolTip("Save the document as a PDF file")
        self.save_action.triggered.connect(self.save_as)
        self.save_action.setEnabled(len(self.files) == 1)
        toolbar = self.findChild(QToolBar)
        if toolbar is not None:
            toolbar.addSeparator()
            toolbar.addAction(self.save_action)
        self.resize(980, 760)

    @property
    def page_count(self) -> int:
        return sum(loaded.document.pageCount() for loaded in self._loaded)

    @property
    def preview_widget(self) -> QPrintPreviewWidget | None:
        return self.findChild(QPrintPreviewWidget)

    def _paint(self, printer: QPrinter) -> None:
        engine = printer.paintEngine()
        previewing = engine is not None and engine.type() == QPaintEngine.Type.Picture
        dpi = preview_dpi(self.page_count) if previewing else min(PRINT_DPI, printer.resolution())
        painter = QPainter()
        if not painter.begin(printer):
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        try:
            sheet = printer.paperRect(QPrinter.Unit.DevicePixel)
            first = True
            self.painted_pages = 0
            for loaded in self._loaded:
                document = loaded.document
                for page in range(document.pageCount()):
                    if not first:
                        printer.newPage()
                    first = False
                    points = document.pagePointSize(page)
                    size = QSize(
                        max(1, round(points.width() * dpi / 72)),
                        max(1, round(points.height() * dpi / 72)),
                    )
                    image = document.render(page, size)
                    scale = min(sheet.width() / size.width(), sheet.height() / size.height())
                    width, height = size.width() * scale, size.height() * scale
                    target = QRectF(
                        sheet.x() + (sheet.width() - width) / 2,
                        sheet.y() + (sheet.height() - height) / 2,
                        width,
                        height,
                    )
                    painter.drawImage(target, image)
                    self.painted_pages += 1
        finally:
            painter.end()

    def save_as(self) -> None:
        if len(self.files) != 1:
            return
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Save as PDF", str(self.folder / self.files[0].name), "PDF files (*.pdf)"
        )
        if not chosen:
            return
        self.save_to(Path(chosen))

    def save_to(self, path: Path) -> None:
        from billing_desktop.reports.layout import write_atomically

        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        try:
            write_atomically(path, self.files[0].data)
        except (OSError, BillingError) as exc:
            notify(self, "Save as PDF", f"{path} could not be written: {exc}", warning=True)
            return
        self.saved.emit(str(path))
