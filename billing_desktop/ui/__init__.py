"""The Qt GUI: main window, tabs, dialogs, models and widgets."""

from billing_desktop.ui.qt_runtime import keep_none_alive

keep_none_alive()  # before any Qt call: see qt_runtime (PySide6 6.12.0 on Python 3.11)
