"""The desktop application: QApplication set-up (names, icon, style) and ``run_gui``."""

from __future__ import annotations

import logging
import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from billing_desktop import APP_NAME, __version__
from billing_desktop.config import ORGANISATION
from billing_desktop.domain.errors import BillingError
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


def application() -> QApplication:
    """The running QApplication, created and configured when there is none yet."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(sys.argv[:1])
    configure_application(app)
    return app


def run_gui(store_location: str | None, user_id: str | None) -> int:
    """Start the desktop application on the store at ``store_location`` as ``user_id``.

    Returns the exit status: the event loop's, or 2 when the store cannot be opened.
    """
    app = application()
    from billing_desktop.bootstrap import open_store

    try:
        store = open_store(store_location)
    except BillingError as exc:
        QMessageBox.critical(None, APP_NAME, f"Cannot open the store.\n\n{exc}")
        return 2
    from billing_desktop.ui.main_window import MainWindow

    window = MainWindow(store, user_id)
    window.show()
    return int(app.exec())
