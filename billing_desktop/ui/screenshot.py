"""``billing-desktop screenshot``: render the main window to one PNG per visible tab.

Works without a display (the offscreen platform is chosen when there is none) and never shows a
window on screen or touches the user's saved window settings.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from pathlib import Path

from billing_desktop.domain.access import Area
from billing_desktop.domain.errors import BillingError
from billing_desktop.services.gateway import Gateway as Store

FILE_NAMES: dict[Area, str] = {
    Area.USAGE: "usage.png",
    Area.BILLING_UNITS: "billing-units.png",
    Area.PLANS: "plans.png",
    Area.INVOICES: "invoices.png",
    Area.USAGE_DATA: "usage-data.png",
}
EMPTY_NAME = "empty.png"
NO_ACCESS_NAME = "no-access.png"
TIMEOUT_SECONDS = 120.0


class ScreenshotError(BillingError):
    """The window could not be rendered (e.g. the store took too long to answer)."""


def _needs_offscreen() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return False
    if sys.platform.startswith("linux") or "bsd" in sys.platform:
        return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return False


def _parse_month(month: str | None) -> date | None:
    if month is None:
        return None
    try:
        year, number = month.split("-")
        return date(int(year), int(number), 1)
    except ValueError:
        raise ScreenshotError(f"'{month}' is not a month (YYYY-MM)") from None


def take_screenshots(
    store: Store,
    user_id: str | None,
    out_dir: Path,
    size: tuple[int, int] = (1280, 800),
    month: str | None = None,
) -> list[Path]:
    """Save one PNG per tab ``user_id`` may see (in tab order) into ``out_dir``.

    An empty store gives ``empty.png``; a user without billing rights ``no-access.png``.
    Returns the paths written.
    """
    first_month = _parse_month(month)
    if _needs_offscreen():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QCoreApplication, Qt, qInstallMessageHandler

    from billing_desktop.ui.app import application
    from billing_desktop.ui.main_window import MainWindow

    created = QCoreApplication.instance() is None
    application()
    if created:  # our own process (the command line): keep the offscreen plugin's noise out
        qInstallMessageHandler(_quiet_messages)
    out_dir.mkdir(parents=True, exist_ok=True)
    window = MainWindow(store, user_id, month=first_month, remember=False)
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    try:
        window.resize(*size)
        window.show()
        _settle(window)
        if window.load_error is not None:
            raise ScreenshotError(window.load_error)
        page = window.current_page_name
        if page == "empty":
            return [_save(window, out_dir / EMPTY_NAME)]
        if page == "no_access":
            return [_save(window, out_dir / NO_ACCESS_NAME)]
        written: list[Path] = []
        for area in window.tab_pages:
            window.select_area(area)
            _settle(window)
            written.append(_save(window, out_dir / FILE_NAMES[area]))
        return written
    finally:
        window.close()
        window.deleteLater()
        QCoreApplication.processEvents()


def _quiet_messages(mode: object, context: object, message: str) -> None:
    """Qt messages to stderr, minus the offscreen plugin's harmless size-hint complaint."""
    if "propagateSizeHints" in message:
        return
    sys.stderr.write(f"{message}\n")


def _settle(window: object, timeout: float = TIMEOUT_SECONDS) -> None:
    """Wait until every store read has been delivered and the window has laid itself out."""
    from PySide6.QtCore import QCoreApplication

    from billing_desktop.ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not window.runner.wait_idle(remaining):
            raise ScreenshotError(
                f"the window was still loading after {timeout:.0f} seconds; nothing more saved"
            )
        # Delivering a result may start more work (a tab's first load): wait for that too.
        for _ in range(3):
            QCoreApplication.processEvents()
        if not window.runner.busy and window.current_page_name != "loading":
            return


def _save(window: object, path: Path) -> Path:
    from PySide6.QtWidgets import QWidget

    assert isinstance(window, QWidget)
    if not window.grab().save(str(path), "PNG"):
        raise ScreenshotError(f"cannot write {path}")
    return path
