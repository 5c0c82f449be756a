"""Pieces the multi-section dialogs share (Manage credits, Plans ▸ Manage)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QWidget

from billing_desktop.ui.models.table import NEGATIVE


def status_label(parent: QWidget) -> QLabel:
    """The line under a dialog's sections saying what the last action did (selectable)."""
    label = QLabel(parent)
    label.setObjectName("statusLabel")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def colour_label(label: QLabel, error: bool) -> None:
    """An error line in red (``NEGATIVE``, which follows the theme); otherwise the text colour
    of the window around it."""
    window = label.window()
    palette = label.palette()
    normal = window.palette().color(QPalette.ColorRole.WindowText)
    palette.setColor(QPalette.ColorRole.WindowText, QColor(NEGATIVE if error else normal))
    label.setPalette(palette)


def shows_error(label: QLabel) -> bool:
    """Whether ``label`` is in the error colour (``colour_label``)."""
    return label.palette().color(QPalette.ColorRole.WindowText) == NEGATIVE


def close_button_box(dialog: QDialog, *action_buttons: QPushButton) -> QDialogButtonBox:
    """A Close button box for a dialog whose sections each have their own action button.

    None of the buttons is a default: Enter in a section's field runs that section's action
    (through ``returnPressed``), never another section's button or Close.
    """
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    box.rejected.connect(dialog.reject)
    for button in (*action_buttons, box.button(QDialogButtonBox.StandardButton.Close)):
        button.setAutoDefault(False)
        button.setDefault(False)
    return box
