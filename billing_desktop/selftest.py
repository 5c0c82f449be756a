"""``billing-desktop --self-test``: prove that a build, frozen or not, has all its parts.

Offscreen and in a folder of its own (a temporary one unless a folder is given), it imports
every module of the package, starts Qt, finds the icon, style sheet and PDF fonts, opens a new
store (running every migration), imports calls by the fast path (Arrow, ADBC), builds a small
demo workspace, renders every tab, writes a statement PDF and reads it back through QtPdf and
the print preview, and saves the billing units chart as a PNG. It prints one line per check and
returns 0 when all pass; otherwise the failing check's line says what is wrong and the status
is 1.

A frozen bundle that misses a Qt plugin, a data file, a migration or a hidden import fails one of
these checks, which is why CI runs it from the bundle (``packaging/build_bundle.sh``).
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TAB_SIZE = (1280, 800)
CHART_SIZE = (800, 400)
LOG_NAME = "self-test.log"
# Left out of the module check: __main__ runs the command line; the HTTP API server is the
# 'server' extra, which the desktop bundle leaves out (packaging/bundle_contents.py).
NOT_IMPORTED = ("billing_desktop.__main__", "billing_desktop.server")


class CheckFailed(Exception):
    """A check found something missing or wrong; the message says what."""


@dataclass
class _Run:
    """What the checks share: the working folder, the store, and what earlier checks made."""

    folder: Path
    out: list[TextIO]
    store: Any = None
    month: Any = None
    statement_pdf: bytes = b""
    statement_pages: int = 0
    files: dict[str, Path] = field(default_factory=dict)

    def say(self, line: str) -> None:
        for stream in self.out:
            stream.write(line + "\n")
            stream.flush()


def _import_all(package: str, path: Sequence[str]) -> list[str]:
    """Import every module under ``package`` (recursively) but ``NOT_IMPORTED``; their names."""
    import importlib
    import pkgutil

    imported: list[str] = []
    for info in pkgutil.iter_modules(path, package + "."):
        if any(info.name == skip or info.name.startswith(skip + ".") for skip in NOT_IMPORTED):
            continue
        module = importlib.import_module(info.name)
        imported.append(info.name)
        if info.ispkg:
            imported.extend(_import_all(info.name, module.__path__))
    return imported


def _check_modules(run: _Run) -> str:
    import billing_desktop

    names = _import_all("billing_desktop", billing_desktop.__path__)
    # The frozen importer lists the modules it holds: too few means the walk found nothing.
    if len(names) < 20:
        raise CheckFailed(f"only {len(names)} billing_desktop modules found: {', '.join(names)}")
    return f"imported {len(names)} billing_desktop modules"


def _check_qt(run: _Run) -> str:
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import QCoreApplication, qInstallMessageHandler, qVersion
    from PySide6.QtGui import QGuiApplication, QImageReader

    from billing_desktop.ui.app import application
    from billing_desktop.ui.screenshot import _quiet_messages

    created = QCoreApplication.instance() is None
    application()
    if created:  # our own process: keep the offscreen plugin's size-hint noise out
        qInstallMessageHandler(_quiet_messages)
    platform_name = QGuiApplication.platformName()
    if platform_name != "offscreen":
        raise CheckFailed(f"the Qt platform is '{platform_name}', not 'offscreen'")
    formats = {bytes(f.data()).decode() for f in QImageReader.supportedImageFormats()}
    missing = {"png", "svg"} - formats
    if missing:
        raise CheckFailed(
            f"Qt cannot read {', '.join(sorted(missing))} images "
            f"(image format plugins: {', '.join(sorted(formats)) or 'none'})"
        )
    return f"Qt {qVersion()} (PySide6 {pyside_version}), platform offscreen, png and svg images"


def _check_resources(run: _Run) -> str:
    from billing_desktop.reports.fonts import REGULAR, fonts_folder
    from billing_desktop.ui.resources import (
        ICON_NAME,
        STYLESHEET,
        app_icon,
        resource_path,
        stylesheet,
    )

    icon_path = resource_path(f"icons/{ICON_NAME}")
    if icon_path is None:
        raise CheckFailed(f"the application icon icons/{ICON_NAME} is missing")
    if app_icon().pixmap(64, 64).isNull():
        raise CheckFailed(f"the application icon {icon_path} does not render (no SVG icon engine)")
    style = stylesheet()
    if not style.strip():
        raise CheckFailed(f"the style sheet styles/{STYLESHEET} is missing or empty")
    fonts = fonts_folder()
    from billing_desktop.ui.i18n import catalog_translations

    spanish = catalog_translations("es")
    if spanish.gettext("Usage per product") == "Usage per product":
        raise CheckFailed("the Spanish catalog (resources/locale/es) is missing or incomplete")
    if spanish.gettext("there is no invoice {1}") == "there is no invoice {1}":
        raise CheckFailed(
            "the Spanish service messages (resources/locale/es/services.po) are missing"
        )
    return f"icon, style sheet, the Spanish catalog and {REGULAR} fonts in {fonts.parent}"


def _check_store(run: _Run) -> str:
    from alembic.script import ScriptDirectory

    from billing_desktop.bootstrap import SqlStore, open_store
    from billing_desktop.store.sql.engine import alembic_config, current_revision, head_revision

    path = run.folder / "self-test.db"
    store = open_store(str(path), create=True)
    run.store = store
    if not isinstance(store, SqlStore):
        raise CheckFailed(f"{path} did not open as a local SQL store")
    revision = current_revision(store.engine)
    head = head_revision()
    if revision != head:
        raise CheckFailed(f"the new store is at schema {revision}, not the newest {head}")
    migrations = sum(1 for _ in ScriptDirectory.from_config(alembic_config()).walk_revisions())
    return f"new store {path.name} migrated to {head} ({migrations} migrations)"


def _check_id_rules(run: _Run) -> str:
    """The imports' id check reads Unicode tables shipped as data files of a dependency."""
    from billing_desktop.services import csv_parsing

    try:
        csv_parsing.identifier("\u0441" + "1")  # Cyrillic es: looks like Latin "c1"
    except csv_parsing.BadValue:
        return "look-alike ids are refused (Unicode script and confusables tables loaded)"
    raise CheckFailed("a look-alike id was accepted: the Unicode tables are not working")


def _check_calls_import(run: _Run) -> str:
    """Big imports of calls read the file with Arrow and stage it through the ADBC SQLite
    driver, whose shared library is a data file of its package."""
    from datetime import UTC, datetime, timedelta

    from billing_desktop.bootstrap import SqlStore
    from billing_desktop.services import bulk_calls
    from billing_desktop.services.imports import import_file

    store = SqlStore(f"sqlite:///{run.folder / 'import-check.db'}")
    account, calls = run.folder / "import-account.csv", run.folder / "import-calls.csv"
    account.write_text(
        "name,currency,timezone,plan,payment_method,commit_scope\nCheck,USD,UTC,pro,invoice,none\n",
        encoding="utf-8",
    )
    now = datetime.now(UTC).replace(microsecond=0)
    rows = [
        f"c{n:05},live,candidate,Phone,,Check,,,"
        f"{(now - timedelta(seconds=n + 1)).strftime('%Y-%m-%dT%H:%M:%SZ')},{n % 300}"
        for n in range(2_000)
    ]
    header = "id,type,triggered_by,trigger_source,candidate_id,campaign,number,user_id,"
    calls.write_text("\n".join([header + "started_at,duration_seconds", *rows]) + "\n")
    outcomes: list[object] = []
    real = bulk_calls.import_calls

    def watched(*args: Any, **kwargs: Any) -> bulk_calls.Outcome | None:
        outcomes.append(real(*args, **kwargs))
        return outcomes[-1]  # type: ignore[return-value]

    try:
        bulk_calls.import_calls = watched
        import_file(store, "account", account)
        report = import_file(store, "calls", calls)
    finally:
        bulk_calls.import_calls = real
        store.dispose()
    if report.added != len(rows):
        raise CheckFailed(f"{calls.name}: {report.added} of {len(rows)} calls imported")
    if not outcomes or not isinstance(outcomes[0], bulk_calls.Outcome):
        raise CheckFailed("the calls went row by row: the fast path (Arrow, ADBC) did not run")
    return f"{report.added:,} calls imported through Arrow and the ADBC SQLite driver"


def _check_demo(run: _Run) -> str:
    from billing_desktop.services.demo import build_demo

    report = build_demo(run.store, seed=7, months=2, agents=5)
    return report.summary().splitlines()[0]


def _check_tabs(run: _Run) -> str:
    from billing_desktop.ui.screenshot import FILE_NAMES, take_screenshots

    folder = run.folder / "tabs"
    written = take_screenshots(run.store, user_id=None, out_dir=folder, size=TAB_SIZE)
    names = [path.name for path in written]
    missing = [name for name in FILE_NAMES.values() if name not in names]
    if missing:  # the demo's admin sees every tab
        raise CheckFailed(f"rendered {', '.join(names)}; missing {', '.join(missing)}")
    for path in written:
        width, height, _ = _read_png(path)
        if (width, height) != TAB_SIZE:
            raise CheckFailed(f"{path.name} is {width}x{height}, not {TAB_SIZE[0]}x{TAB_SIZE[1]}")
    return f"{len(written)} tabs rendered: {', '.join(names)}"


def _check_statement(run: _Run) -> str:
    from billing_desktop.reports.layout import write_atomically
    from billing_desktop.reports.statement import render_statement
    from billing_desktop.services.context import resolve_actor
    from billing_desktop.services.statements import statement, statement_months

    with run.store() as uow:
        actor = resolve_actor(uow, None)
        months = statement_months(uow, actor)
        if not months:
            raise CheckFailed("the demo workspace has no month to print a statement for")
        run.month = months[0].month
        data = statement(uow, actor, run.month)
    rendered = render_statement(data)
    path = run.folder / f"statement-{run.month}.pdf"
    write_atomically(path, rendered.data)
    written = path.read_bytes()
    if not written.startswith(b"%PDF-"):
        raise CheckFailed(f"{path.name} does not start with %PDF-")
    run.statement_pdf = written
    run.statement_pages = rendered.pages
    run.files["statement"] = path
    size = len(written) // 1024
    return f"{path.name}: {rendered.pages} page(s), {size} KB, starts with %PDF-"


def _check_print_preview(run: _Run) -> str:
    from PySide6.QtPdf import QPdfDocument

    from billing_desktop.ui.dialogs.print_preview import PdfFile, PdfPrintPreview

    path = run.files["statement"]
    document = QPdfDocument()
    document.load(str(path))
    if document.status() != QPdfDocument.Status.Ready:
        raise CheckFailed(f"QtPdf cannot read {path.name} (status {document.status().name})")
    if document.pageCount() != run.statement_pages:
        raise CheckFailed(
            f"QtPdf reads {document.pageCount()} page(s) in {path.name}; "
            f"reportlab wrote {run.statement_pages}"
        )
    document.close()
    preview = PdfPrintPreview([PdfFile(path.name, run.statement_pdf)], "Self-test")
    try:
        widget = preview.preview_widget
        if widget is None:
            raise CheckFailed("the print preview has no preview widget")
        widget.updatePreview()
        if preview.painted_pages != run.statement_pages or widget.pageCount() < 1:
            raise CheckFailed(
                f"the print preview painted {preview.painted_pages} of "
                f"{run.statement_pages} page(s)"
            )
    finally:
        preview.deleteLater()
    return f"QtPdf read {run.statement_pages} page(s); print preview painted them all"


def _check_chart(run: _Run) -> str:
    from PySide6.QtCore import QCoreApplication, Qt

    from billing_desktop.domain.money import format_money
    from billing_desktop.services.context import resolve_actor
    from billing_desktop.services.units import unit_report
    from billing_desktop.ui.charts.bars import HorizontalBarChart, Series
    from billing_desktop.ui.tabs.unit_report import RECURRING_COLOUR, USAGE_COLOUR

    with run.store() as uow:
        report = unit_report(uow, resolve_actor(uow, None), run.month)
    if not report.rows:
        raise CheckFailed(f"the billing units report for {run.month} has no rows")
    chart = HorizontalBarChart(lambda amount: format_money(amount, report.currency))
    chart.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    try:
        chart.resize(*CHART_SIZE)
        chart.set_data(
            [row.name for row in report.rows],
            [
                Series("Usage", [row.usage for row in report.rows], USAGE_COLOUR),
                Series("Recurring", [row.recurring for row in report.rows], RECURRING_COLOUR),
            ],
        )
        chart.show()
        QCoreApplication.processEvents()
        path = run.folder / f"billing-units-{run.month}.png"
        chart.save_png(path)
    finally:
        chart.close()
        chart.deleteLater()
        QCoreApplication.processEvents()
    width, height, colours = _read_png(path, count_colours=True)
    if (width, height) != CHART_SIZE:
        raise CheckFailed(f"{path.name} is {width}x{height}, not {CHART_SIZE[0]}x{CHART_SIZE[1]}")
    if USAGE_COLOUR.rgb() not in colours:
        raise CheckFailed(f"{path.name} shows no usage bar (a blank chart?)")
    run.files["chart"] = path
    return f"{path.name}: {width}x{height}, {len(report.rows)} bars, {len(colours)} colours"


def _read_png(path: Path, count_colours: bool = False) -> tuple[int, int, set[int]]:
    """Width, height (and the set of 0xAARRGGBB colours) of a real, non-empty PNG image."""
    from PySide6.QtGui import QImage

    if not path.is_file() or path.stat().st_size == 0:
        raise CheckFailed(f"{path.name} was not written")
    if not path.read_bytes().startswith(PNG_SIGNATURE):
        raise CheckFailed(f"{path.name} is not a PNG file")
    image = QImage(str(path))
    if image.isNull() or image.width() == 0 or image.height() == 0:
        raise CheckFailed(f"{path.name} is not a readable image")
    colours: set[int] = set()
    if count_colours:
        import numpy as np

        image = image.convertToFormat(QImage.Format.Format_ARGB32)
        pixels = np.frombuffer(image.constBits(), dtype=np.uint32, count=image.sizeInBytes() // 4)
        colours = {int(value) for value in np.unique(pixels)}
        if len(colours) < 3:
            raise CheckFailed(f"{path.name} is blank ({len(colours)} colour(s))")
    return image.width(), image.height(), colours


def _check_einvoice(run: _Run) -> str:
    """A Factur-X invoice: the EN 16931 schema and the PDF/A data are in this installation."""
    from billing_desktop.reports.invoice import render_invoice
    from billing_desktop.services.context import resolve_actor
    from billing_desktop.services.einvoicing import e_invoice

    with run.store() as uow:
        numbers = sorted(i.number for i in uow.invoices.all())
        if not numbers:
            raise CheckFailed("the demo workspace has no invoice")
        document = e_invoice(uow, resolve_actor(uow, None), numbers[-1])
    rendered = render_invoice(document.document, einvoice=document)  # checks the XML's XSD
    path = run.folder / f"{numbers[-1]}.pdf"
    path.write_bytes(rendered.data)
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(rendered.data)) as pdf:
        if "factur-x.xml" not in pdf.attachments:
            raise CheckFailed(f"{path.name} has no factur-x.xml")
    return f"{path.name}: PDF/A-3 with factur-x.xml (EN 16931 schema checked)"


CHECKS: tuple[tuple[str, Callable[[_Run], str]], ...] = (
    ("modules", _check_modules),
    ("qt", _check_qt),
    ("resources", _check_resources),
    ("store", _check_store),
    ("ids", _check_id_rules),
    ("import", _check_calls_import),
    ("demo", _check_demo),
    ("tabs", _check_tabs),
    ("statement", _check_statement),
    ("einvoice", _check_einvoice),
    ("print", _check_print_preview),
    ("chart", _check_chart),
)


def run(folder: Path | None = None, out: TextIO | None = None) -> int:
    """Run every check in ``folder`` (kept afterwards), or in a temporary folder (removed).

    Prints one line per check to ``out`` (default stdout; also to ``self-test.log`` in a kept
    folder). Returns 0 when every check passed, 1 at the first failure.
    """
    # Before anything imports Qt: the self-test never needs, or opens, a display.
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if folder is None:
        with tempfile.TemporaryDirectory(
            prefix="billing-desktop-self-test-", ignore_cleanup_errors=True
        ) as temporary:
            return _run_in(Path(temporary), out, keep_log=False)
    folder.mkdir(parents=True, exist_ok=True)
    return _run_in(folder, out, keep_log=True)


def _run_in(folder: Path, out: TextIO | None, keep_log: bool) -> int:
    from billing_desktop import __version__

    streams: list[TextIO] = []
    console = out if out is not None else sys.stdout
    if console is not None:  # None in a Windows GUI executable: the log file still tells
        streams.append(console)
    log = (folder / LOG_NAME).open("w", encoding="utf-8") if keep_log else None
    if log is not None:
        streams.append(log)
    state = _Run(folder=folder, out=streams)
    frozen = "frozen" if getattr(sys, "frozen", False) else "not frozen"
    state.say(
        f"billing-desktop {__version__} self-test ({frozen}, {platform.system()}, "
        f"Python {platform.python_version()}) in {folder}"
    )
    started = time.monotonic()
    try:
        for name, check in CHECKS:
            try:
                detail = check(state)
            except CheckFailed as exc:
                return _failed(state, name, str(exc))
            except Exception as exc:
                state.say(traceback.format_exc().rstrip())
                return _failed(state, name, f"{type(exc).__name__}: {exc}")
            state.say(f"ok    {name:<10} {detail}")
        state.say(f"self-test passed: {len(CHECKS)} checks in {time.monotonic() - started:.1f} s")
        return 0
    finally:
        dispose = getattr(state.store, "dispose", None)
        if callable(dispose):  # release the SQLite file so its folder can be removed
            dispose()
        if log is not None:
            log.close()


def _failed(state: _Run, name: str, message: str) -> int:
    state.say(f"FAIL  {name:<10} {message}")
    state.say(f"self-test FAILED at '{name}': {message}")
    return 1
