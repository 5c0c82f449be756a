"""The desktop application: QApplication set-up (names, icon, style) and ``run_gui``."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from billing_desktop import APP_NAME, __version__, paths
from billing_desktop.config import ORGANISATION
from billing_desktop.domain.errors import BillingError

log = logging.getLogger(__name__)

ICON_NAME = "billing-desktop.svg"
STYLESHEET = "light.qss"


def resource_dirs() -> list[Path]:
    """Where ``resources/`` may be: the frozen bundle, the source tree, the installed package."""
    return paths.resource_dirs()


def resource_path(relative: str) -> Path | None:
    """The first existing ``resources/<relative>``, or None (a missing resource never crashes)."""
    for folder in resource_dirs():
        candidate = folder / relative
        if candidate.is_file():
            return candidate
    return None


def app_icon() -> QIcon:
    path = resource_path(f"icons/{ICON_NAME}")
    return QIcon(str(path)) if path else QIcon()


def stylesheet() -> str:
    path = resource_path(f"styles/{STYLESHEET}")
    if path is None:
        return ""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        log.warning("cannot read the style sheet %s: %s", path, exc)
        return ""


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
