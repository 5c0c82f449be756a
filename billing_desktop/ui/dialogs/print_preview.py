"""Print preview of our PDF documents: the system's print dialog behind a preview of the very
PDF that "Save as PDF…" writes (QPrintPreviewDialog painting pages rendered by QtPdf).

The PDF is made by reportlab off the GUI thread before this dialog opens. The preview shows
its pages rasterised by QtPdf (at a resolution that keeps every page in memory affordable).
Printing keeps text as text (issue 22):

* "Print to file" (Qt's PDF output) saves the PDF itself, byte for byte;
* on macOS, Linux and the BSDs the PDF goes to CUPS as it is (``lp``, which takes PDF
  directly), with the printer, copies, page range, duplex and colour chosen in the dialog;
* elsewhere (Windows, whose print spooler takes no PDF, or a system without ``lp``) the pages
  are painted through QPrinter at up to 300 dpi, as before.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
import tempfile
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
from billing_desktop.ui.i18n import tr
from billing_desktop.ui.service_messages import translate_message
from billing_desktop.ui.tasks import PROGRESS_STEPS, TaskHandle, progress_value

if TYPE_CHECKING:
    from billing_desktop.reports.layout import RenderHooks

PRINT_DPI = 300
PREVIEW_DPI = 150
MIN_PREVIEW_DPI = 50
PREVIEW_BUDGET = 256 * 1024 * 1024  # bytes of page images the preview may hold
LP_TIMEOUT_SECONDS = 60

# How a print was made (PdfPrintPreview.printed_via).
VIA_FILE = "file"  # the PDF itself saved where "print to file" said
VIA_CUPS = "cups"  # the PDF handed to CUPS by lp
VIA_RASTER = "raster"  # pages painted through QPrinter


def lp_command() -> str | None:
    """CUPS's ``lp`` where the platform's spooler takes PDF directly (not on Windows)."""
    if sys.platform == "win32":
        return None
    return shutil.which("lp")


def lp_arguments(printer: QPrinter, title: str) -> list[str]:
    """``lp`` options for what the print dialog chose (destination, copies, pages, sides)."""
    args = ["-t", title or "Billing Desktop"]
    if printer.printerName():
        args[:0] = ["-d", printer.printerName()]
    copies = printer.copyCount()
    if copies > 1:
        args += ["-n", str(copies)]
        args += ["-o", f"collate={'true' if printer.collateCopies() else 'false'}"]
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        last = printer.toPage() if printer.toPage() >= printer.fromPage() else printer.fromPage()
        args += ["-o", f"page-ranges={printer.fromPage()}-{last}"]
    sides = {
        QPrinter.DuplexMode.DuplexLongSide: "two-sided-long-edge",
        QPrinter.DuplexMode.DuplexShortSide: "two-sided-short-edge",
        QPrinter.DuplexMode.DuplexNone: "one-sided",
    }.get(printer.duplex())
    if sides is not None:
        args += ["-o", f"sides={sides}"]
    if printer.colorMode() == QPrinter.ColorMode.GrayScale:
        args += ["-o", "print-color-mode=monochrome"]
    return args


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
        super().__init__(label, tr("Cancel"), 0, PROGRESS_STEPS, parent)
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
            self.setLabelText(translate_message(progress.text))
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
            raise BillingError(tr("the PDF could not be read back for printing"))


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
        self.setWindowTitle(tr("Print preview — {title}").format(title=title))
        self._printer = printer  # the dialog does not own it: keep it alive
        self.files = list(files)
        self.folder = folder or Path.home()
        self._loaded = [_LoadedPdf(f.data, self) for f in self.files]
        self.paintRequested.connect(self._paint)
        self.painted_pages = 0
        self.printed_via: str | None = None  # VIA_FILE, VIA_CUPS or VIA_RASTER, once printed
        self.title = title

        self.save_action = QAction(tr("Save as PDF…"), self)
        self.save_action.setObjectName("savePdfAction")
        self.save_action.setShortcut(QKeySequence.StandardKey.Save)
        self.save_action.setToolTip(tr("Save the document as a PDF file"))
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
        if not previewing and self._print_vector(printer):
            return
        self.printed_via = None if previewing else VIA_RASTER
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

    # Printing the PDF itself ----------------------------------------------------------------

    def _print_vector(self, printer: QPrinter) -> bool:
        """Print the PDF as it is when the output allows it; False: paint the pages instead."""
        if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat:
            target = printer.outputFileName()
            if target:
                self.print_to_file(Path(target))
                return True
        command = lp_command()
        if printer.outputFormat() == QPrinter.OutputFormat.NativeFormat and command:
            self.print_with_lp(command, printer)
            return True
        return False

    def file_targets(self, path: Path) -> list[Path]:
        """Where "print to file" puts each document: ``path`` for one; for several (a batch of
        statements), one file each beside it, named after the chosen file and the document."""
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        if len(self.files) == 1:
            return [path]
        return [path.with_name(f"{path.stem}-{f.name}") for f in self.files]

    def print_to_file(self, path: Path) -> None:
        from billing_desktop.reports.layout import write_atomically

        written: list[Path] = []
        for target, pdf in zip(self.file_targets(path), self.files, strict=True):
            try:
                write_atomically(target, pdf.data)
            except (OSError, BillingError) as exc:
                notify(
                    self,
                    tr("Print to file"),
                    tr("{target} could not be written: {exc}").format(target=target, exc=exc),
                    warning=True,
                )
                return
            written.append(target)
        self.printed_via = VIA_FILE
        for target in written:
            self.saved.emit(str(target))

    def print_with_lp(self, command: str, printer: QPrinter) -> None:
        """Hand the PDFs to CUPS in one job; a refusal is shown, never a traceback."""
        with tempfile.TemporaryDirectory(prefix="billing-print-") as folder:
            paths = []
            for index, pdf in enumerate(self.files):
                path = Path(folder) / f"{index:03d}-{pdf.name}"
                path.write_bytes(pdf.data)
                paths.append(str(path))
            try:
                done = subprocess.run(
                    [command, *lp_arguments(printer, self.title), "--", *paths],
                    capture_output=True,
                    text=True,
                    timeout=LP_TIMEOUT_SECONDS,
                    check=False,
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                notify(self, tr("Print"), tr(
"The document could not be sent to the printer: {exc}"
).format(exc=exc),
                       warning=True)  # fmt: skip
                return
        if done.returncode != 0:
            reason = (done.stderr or done.stdout).strip() or tr(
                "lp exited with {returncode}"
            ).format(returncode=done.returncode)
            notify(
                self,
                tr("Print"),
                tr("The printer refused the document: {reason}").format(reason=reason),
                warning=True,
            )
            return
        self.printed_via = VIA_CUPS

    def save_as(self) -> None:
        if len(self.files) != 1:
            return
        chosen, _ = QFileDialog.getSaveFileName(
            self, tr("Save as PDF"), str(self.folder / self.files[0].name), tr("PDF files (*.pdf)")
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
            notify(
                self,
                tr("Save as PDF"),
                tr("{path} could not be written: {exc}").format(path=path, exc=exc),
                warning=True,
            )
            return
        self.saved.emit(str(path))
