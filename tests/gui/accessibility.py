"""Helpers for the accessibility tests: which controls a screen reader could not name."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)

INTERACTIVE = (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QTabBar,
)


def accessible_name(widget: QWidget, buddies: dict[int, QLabel]) -> str:
    """What a screen reader announces as the control's name ("" when nothing)."""
    if widget.accessibleName().strip():
        return widget.accessibleName().strip()
    label = buddies.get(id(widget))
    if label is not None and label.text().replace("&", "").strip():
        return label.text().replace("&", "").strip().rstrip(":")
    if isinstance(widget, QAbstractButton) and widget.text().replace("&", "").strip():
        return widget.text().replace("&", "").strip()
    if isinstance(widget, QTabBar) and widget.count():
        return "tabs"  # each tab is named by its own text
    return ""


def interactive_controls(root: QWidget) -> list[QWidget]:
    """The visible controls under ``root`` a user can act on (inner parts of a compound
    control, such as a combo box's own line edit or a spin box's, are left to their owner)."""
    found = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, INTERACTIVE) or not widget.isVisibleTo(root.window()):
            continue
        parent = widget.parentWidget()
        if isinstance(parent, (QComboBox, QAbstractSpinBox)):
            continue
        if type(widget).__name__ in ("QScrollBar",) or widget.objectName().startswith("qt_"):
            continue
        found.append(widget)
    return found


def unnamed_controls(root: QWidget) -> list[str]:
    """Each visible control under ``root`` without an accessible name, label buddy or text."""
    buddies = {}
    for label in root.findChildren(QLabel):
        buddy = label.buddy()
        if buddy is not None:
            buddies[id(buddy)] = label
    return [
        f"{type(w).__name__} {w.objectName() or '(no object name)'}"
        for w in interactive_controls(root)
        if not accessible_name(w, buddies)
    ]
