"""The desktop application: QApplication set-up (names, icon, style) and ``run_gui``."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from billing_desktop import APP_NAME, __version__
from billing_desktop.config import ORGANISATION, STORE_ENV
from billing_desktop.domain.errors import BillingError
from billing_desktop.ui.i18n import tr
from billing_desktop.ui.resources import app_icon, stylesheet

log = logging.getLogger(__name__)


def configure_application(app: QApplication) -> None:
    """Names (for QSettings), version, window icon, Fusion style and the light style sheet."""
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORGANISATION)
    app.setApplicationVersion(__version__)
    app.setApplicationDisplayName(APP_NAME)
    app.setWindowIcon(app_icon())
    app.setStyle("Fusion")
    app.setStyleSheet(stylesheet())
    from PySide6.QtCore import QSettings

    from billing_desktop.ui import language

    # the Preferences language (or the OS's), before any widget or ui module is built
    language.install(app, QSettings(ORGANISATION, APP_NAME))
    from billing_desktop.ui import theme

    # the OS's colour scheme, or the user's View ▸ Theme choice (light and dark style sheets)
    theme.apply_theme(app, theme.saved_choice(QSettings(ORGANISATION, APP_NAME)))


def application() -> QApplication:
    """The running QApplication, created and configured when there is none yet."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(sys.argv[:1])
    configure_application(app)
    return app


def first_run(store_location: str | None) -> bool:
    """The app starts on the default store and it does not exist yet: create it (the first
    run). A chosen location, or a default file that exists but is empty, is never created
    silently: the user is asked (:func:`open_at_start`)."""
    import os

    from billing_desktop.config import STORE_ENV, default_store_path

    return (
        not store_location and not os.environ.get(STORE_ENV) and not default_store_path().exists()
    )


def open_at_start(store_location: str | None) -> Any:
    """The store to start on, or None to quit: a damaged store (moved aside) or a missing or
    empty one is not opened; the user chooses what to do (:class:`StoreProblemDialog`)."""
    from billing_desktop.bootstrap import open_store
    from billing_desktop.store.sql.safety import NoStore, StoreDamaged

    try:
        return _open_showing_progress(open_store, store_location, first_run(store_location))
    except _QuitWhileOpening:
        return None
    except (StoreDamaged, NoStore) as exc:
        problem = exc
    except BillingError as exc:
        QMessageBox.critical(
            None, APP_NAME, tr("Cannot open the store.\n\n{problem}").format(problem=exc)
        )
        return None
    from billing_desktop.ui.dialogs.backups import StoreProblemDialog

    if isinstance(problem, StoreDamaged):
        path: Path | None = problem.path
        if problem.moved_to is None:
            message = str(problem)
        else:
            message = tr(
                "{path} failed its integrity check ({detail}).\n\nIt was moved aside to {moved_to}."
            ).format(
                path=problem.path,
                detail=problem.detail.removeprefix("integrity check: "),
                moved_to=problem.moved_to,
            )
    else:
        path = problem.path or _store_file(store_location)
        message = tr("{path}: {reason}.").format(
            path=path, reason=problem.reason or tr("there is no store here")
        )
    if path is None:  # an empty database on a server: nothing to create or restore here
        QMessageBox.critical(
            None, APP_NAME, tr("Cannot open the store.\n\n{problem}").format(problem=problem)
        )
        return None
    dialog = StoreProblemDialog(path, message, damaged=isinstance(problem, StoreDamaged))
    if dialog.exec() != StoreProblemDialog.DialogCode.Accepted:
        return None
    return dialog.store


OPEN_PROGRESS_AFTER_MS = 500  # a quicker open shows nothing


class _QuitWhileOpening(Exception):
    """The user chose Quit while the store was being opened."""


def _open_showing_progress(open_store: Any, store_location: str | None, create: bool) -> Any:
    """``open_store(store_location, create=create)`` in a worker thread, the event loop running
    meanwhile. Opening a store that changed since its last check reads every page of it
    (PRODUCT §10: ~2 s for a million calls, ~11 s for ten million), and a new version migrates
    it after a backup copy: when the open takes longer than :data:`OPEN_PROGRESS_AFTER_MS`, a
    dialog says so, with Quit. The open's own errors are raised here, in the GUI thread."""
    import threading

    from PySide6.QtCore import QEventLoop, QObject, QTimer, Signal
    from PySide6.QtWidgets import QLabel, QProgressDialog

    class Finished(QObject):
        done = Signal()

    outcome: dict[str, Any] = {}
    finished = Finished()
    loop = QEventLoop()
    finished.done.connect(loop.quit, Qt.ConnectionType.QueuedConnection)

    def work() -> None:
        try:
            outcome["store"] = open_store(store_location, create=create)
        except BaseException as exc:  # raised again in the GUI thread
            outcome["error"] = exc
        finished.done.emit()

    # The dialog is made only when the open takes longer than OPEN_PROGRESS_AFTER_MS: making
    # it (and hiding it again) cost 6-12 ms of every start, which never shows it (B1).
    dialogs: list[QProgressDialog] = []

    def show_progress() -> None:
        if "store" in outcome:
            return
        try:
            name = _store_file(store_location) if store_location else None
        except Exception:  # a location open_store will refuse in its own words
            name = None
        dialog = QProgressDialog(
            tr("Opening {store}…").format(store=name.name if name else tr("the store"))
            + "\n"
            + tr(
                "A store that changed since it was last opened is checked page by page first; "
                "a large one takes a few seconds."
            ),
            tr("Quit"),
            0,
            0,
        )
        label = QLabel(dialog.labelText())
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        dialog.setLabel(label)
        dialog.setMinimumWidth(440)
        dialog.setWindowTitle(APP_NAME)
        dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        dialog.setMinimumDuration(24 * 3600 * 1000)  # shown here, not by Qt's own timer
        dialog.canceled.connect(loop.quit)
        dialogs.append(dialog)
        dialog.show()

    shown = QTimer(singleShot=True, interval=OPEN_PROGRESS_AFTER_MS)
    shown.timeout.connect(show_progress)
    thread = threading.Thread(target=work, name="open-store", daemon=True)
    thread.start()
    shown.start()
    loop.exec()
    shown.stop()
    cancelled = any(d.wasCanceled() for d in dialogs)
    cancelled = cancelled and "store" not in outcome and "error" not in outcome
    for dialog in dialogs:
        dialog.reset()
        dialog.hide()
        dialog.deleteLater()
    if cancelled:
        raise _QuitWhileOpening
    if "error" in outcome:
        raise outcome["error"]
    return outcome["store"]


def _store_file(store_location: str | None) -> Path | None:
    import sqlalchemy as sa

    from billing_desktop.config import store_url
    from billing_desktop.store.sql.engine import sqlite_path

    return sqlite_path(sa.make_url(store_url(store_location)))


def run_gui(store_location: str | None, user_id: str | None) -> int:
    """Start the desktop application on the store at ``store_location`` as ``user_id``.

    Returns the exit status: the event loop's, or 2 when no store was opened.
    """
    app = application()
    if not store_location and not os.environ.get(STORE_ENV):
        from PySide6.QtCore import QSettings

        from billing_desktop.ui.dialogs.preferences import default_store

        store_location = default_store(QSettings(ORGANISATION, APP_NAME))  # Preferences
    store = open_at_start(store_location)
    if store is None:
        return 2
    from billing_desktop.ui.main_window import MainWindow

    window = MainWindow(store, user_id, auto_backup=True)
    collect_garbage_when_shown(window)
    window.show()
    return int(app.exec())


GC_AT_THE_LATEST_MS = 30_000


def collect_garbage_when_shown(window: Any) -> None:
    """Turn the cyclic garbage collector back on (when the start turned it off: see
    ``cli.core._cmd_gui``) once ``window`` shows its first screen filled (or its error), and in
    any case after :data:`GC_AT_THE_LATEST_MS`.

    What the start made is frozen first (``gc.freeze``: moved to the collector's permanent
    generation, which no collection walks). Turned on as it was, the collector's first
    collection walked the ~115,000 objects the start had made (modules, classes, SQLAlchemy's
    tables and compiled statements) before the first paint, to find ~800 unreachable ones:
    ≈ 33 ms of the start (B1), and every later full collection walked them again. The price:
    those few hundred cycles made during the start stay in memory."""
    import gc

    from PySide6.QtCore import QTimer

    from billing_desktop.ui.tabs.base import Page

    if gc.isenabled():
        return

    def collect() -> None:
        if not gc.isenabled():
            gc.freeze()
            gc.enable()

    def first_screen(_result: object = None) -> None:
        page = window.ui.tabs.currentWidget()
        if isinstance(page, Page) and not page.loaded_once:
            page.loaded.connect(collect, Qt.ConnectionType.SingleShotConnection)
        else:
            collect()

    window.workspace_loaded.connect(first_screen, Qt.ConnectionType.SingleShotConnection)
    window.workspace_failed.connect(first_screen, Qt.ConnectionType.SingleShotConnection)
    QTimer.singleShot(GC_AT_THE_LATEST_MS, collect)
