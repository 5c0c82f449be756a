"""Printing keeps text as text: "print to file" saves the PDF itself and CUPS gets the PDF.

The measure the issue asks for is made here: a statement printed to a file is the vector PDF
(its size is the PDF's, its text extracts with pdftotext), where the old path painted 300 dpi
page images (hundreds of KB a page, no text).
"""

from __future__ import annotations

import os
import stat
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtPrintSupport import QPrinter

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.periods import Month
from billing_desktop.reports.statement import render_statement
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.statements import statement
from billing_desktop.ui.dialogs import print_preview
from billing_desktop.ui.dialogs.print_preview import (
    VIA_CUPS,
    VIA_FILE,
    VIA_RASTER,
    PdfFile,
    PdfPrintPreview,
    lp_arguments,
)
from tests.integration.pdf_text import pdf_text

# A vector statement of one page is tens of KB; the rasterised print was 624 KB a page.
MAX_VECTOR_BYTES = 120 * 1024


@pytest.fixture
def statement_pdf(acme: SqlStore, today: date) -> PdfFile:
    with acme() as uow:
        data = statement(uow, resolve_actor(uow, None), Month.of(today))
    rendered = render_statement(data)
    return PdfFile(f"statement-{Month.of(today)}.pdf", rendered.data)


def test_print_to_file_saves_the_vector_pdf(
    qtbot: Any, statement_pdf: PdfFile, tmp_path: Path
) -> None:
    preview = PdfPrintPreview([statement_pdf], "Statement")
    qtbot.addWidget(preview)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    target = tmp_path / "printed"  # the suffix is added
    printer.setOutputFileName(str(target))
    with qtbot.waitSignal(preview.saved) as saved:
        preview.paintRequested.emit(printer)  # what the dialog's Print does
    written = Path(saved.args[0])
    assert written == tmp_path / "printed.pdf" and preview.printed_via == VIA_FILE
    data = written.read_bytes()
    assert data == statement_pdf.data  # the PDF itself: fonts, vectors, text
    assert len(data) < MAX_VECTOR_BYTES
    text = " ".join(pdf_text(written).split())
    assert "Statement" in text and len(text) > 200  # text is text, not a picture
    assert preview.painted_pages == 0  # nothing was rasterised
    sys.stderr.write(f"\nprinted-to-file statement: {len(data)} bytes, {len(text)} chars of text\n")


def test_several_documents_print_to_a_file_each(
    qtbot: Any, statement_pdf: PdfFile, tmp_path: Path
) -> None:
    second = PdfFile("statement-other.pdf", statement_pdf.data)
    preview = PdfPrintPreview([statement_pdf, second], "Statements")
    qtbot.addWidget(preview)
    targets = preview.file_targets(tmp_path / "batch.pdf")
    assert targets == [
        tmp_path / f"batch-{statement_pdf.name}",
        tmp_path / "batch-statement-other.pdf",
    ]
    preview.print_to_file(tmp_path / "batch.pdf")
    assert all(t.read_bytes() == statement_pdf.data for t in targets)


class ChosenPrinter(QPrinter):
    """What a print dialog on a CUPS desktop returns (this test machine has no printer, and Qt
    keeps no printer name or duplex mode it does not know)."""

    def __init__(self, name: str, duplex: QPrinter.DuplexMode) -> None:
        super().__init__(QPrinter.PrinterMode.HighResolution)
        self._name = name
        self._duplex = duplex

    def printerName(self) -> str:
        return self._name

    def duplex(self) -> QPrinter.DuplexMode:
        return self._duplex


def fake_lp(folder: Path, status: int = 0) -> Path:
    """An ``lp`` that records its arguments and keeps a copy of each file it is given."""
    script = folder / "lp"
    script.write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "$@" > "{folder}/args"\n'
        'seen=0; for a in "$@"; do if [ "$seen" = 1 ]; then '
        f'cp "$a" "{folder}/job-$(basename "$a")"; fi; '
        'if [ "$a" = "--" ]; then seen=1; fi; done\n'
        f'[ {status} = 0 ] || echo "lp: The printer or class does not exist." >&2\n'
        f"exit {status}\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


@pytest.mark.skipif(sys.platform == "win32", reason="CUPS's lp: macOS, Linux and the BSDs")
def test_a_printer_gets_the_pdf_through_cups(
    qtbot: Any, statement_pdf: PdfFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lp = fake_lp(tmp_path)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    preview = PdfPrintPreview([statement_pdf], "Statement 2026-11")
    qtbot.addWidget(preview)
    printer = ChosenPrinter("Office_Laser", QPrinter.DuplexMode.DuplexLongSide)
    printer.setCopyCount(2)
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(1, 1)
    assert print_preview.lp_command() == str(lp)
    preview.print_with_lp(str(lp), printer)
    assert preview.printed_via == VIA_CUPS
    args = (tmp_path / "args").read_text().splitlines()
    assert args[: args.index("--")] == lp_arguments(printer, "Statement 2026-11")
    assert args[:2] == ["-d", "Office_Laser"]
    assert args[args.index("-n") : args.index("-n") + 2] == ["-n", "2"]
    assert "sides=two-sided-long-edge" in args and "page-ranges=1-1" in args
    job = next(tmp_path.glob("job-*"))
    assert job.read_bytes() == statement_pdf.data  # CUPS gets the vector PDF
    assert "Statement" in pdf_text(job)


@pytest.mark.skipif(sys.platform == "win32", reason="CUPS's lp: macOS, Linux and the BSDs")
def test_a_refused_job_is_said_not_raised(
    qtbot: Any, statement_pdf: PdfFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lp = fake_lp(tmp_path, status=1)
    shown: list[str] = []
    monkeypatch.setattr(print_preview, "notify", lambda _p, _t, text, **_k: shown.append(text))
    preview = PdfPrintPreview([statement_pdf], "Statement")
    qtbot.addWidget(preview)
    printer = ChosenPrinter("nowhere", QPrinter.DuplexMode.DuplexNone)
    preview.print_with_lp(str(lp), printer)
    assert preview.printed_via is None
    assert shown == ["The printer refused the document: lp: The printer or class does not exist."]
    assert (tmp_path / "args").read_text().splitlines()[:2] == ["-d", "nowhere"]


class SpoolerPrinter(QPrinter):
    """A printer that says it is a native one (as on Windows) while Qt writes its pages to a
    PDF file, so what the raster path sends can be measured."""

    def outputFormat(self) -> QPrinter.OutputFormat:
        return QPrinter.OutputFormat.NativeFormat


def test_without_lp_the_pages_are_painted(
    qtbot: Any, statement_pdf: PdfFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows (no PDF spooler) or no CUPS client: pages painted at up to 300 dpi, as before;
    the measure shows why the vector paths are preferred (no text, several times the size)."""
    monkeypatch.setattr(print_preview, "lp_command", lambda: None)
    preview = PdfPrintPreview([statement_pdf], "Statement")
    qtbot.addWidget(preview)
    printer = SpoolerPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFileName(str(tmp_path / "raster.pdf"))
    preview.paintRequested.emit(printer)
    assert preview.printed_via == VIA_RASTER and preview.painted_pages >= 1
    raster = (tmp_path / "raster.pdf").read_bytes()
    assert len(raster) > 3 * len(statement_pdf.data)
    assert pdf_text(tmp_path / "raster.pdf").strip() == ""  # a picture of text
    sys.stderr.write(f"\nrasterised print: {len(raster)} bytes, no text\n")
