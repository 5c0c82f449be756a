"""Run as ``python -m tests.gui.spanish_walk STORE OUT.json`` with BILLING_DESKTOP_LANGUAGE set:
open the main window on STORE, show every tab and every section tab, and write every text a
user can see or hear (labels, buttons, group titles, tab titles, menu actions, combo items,
column headers, placeholders, tool tips, accessible names) to OUT.json as
``[[where, text], ...]`` (where: the module that built the widget, its class and name).

A separate process, because the GUI's language is chosen once per process before any ui module
is imported (tests/gui/test_spanish_gui.py runs it).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _texts(window: object) -> list[tuple[str, str]]:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import (
        QAbstractButton,
        QComboBox,
        QGroupBox,
        QLabel,
        QLineEdit,
        QTabBar,
        QTableView,
        QTreeView,
        QWidget,
    )

    assert isinstance(window, QWidget)
    found: list[tuple[str, str]] = []

    def owner(widget: QWidget) -> str:
        """The module of the nearest project class around ``widget`` (who built it)."""
        node: QWidget | None = widget
        while node is not None and node is not window:
            module = type(node).__module__
            if module.startswith("billing_desktop."):
                return module
            node = node.parentWidget()
        return type(window).__module__

    def add(widget: QWidget, text: str) -> None:
        if text and text.strip():
            where = f"{owner(widget)}:{type(widget).__name__}#{widget.objectName()}"
            found.append((where, text))

    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window):
            continue
        add(widget, widget.toolTip())
        add(widget, widget.accessibleName())
        plain_label = isinstance(widget, QLabel) and widget.textFormat() != Qt.TextFormat.RichText
        if plain_label or isinstance(widget, QAbstractButton):
            add(widget, widget.text())
        elif isinstance(widget, QGroupBox):
            add(widget, widget.title())
        elif isinstance(widget, QTabBar):
            for index in range(widget.count()):
                add(widget, widget.tabText(index))
        elif isinstance(widget, QComboBox):
            for index in range(widget.count()):
                add(widget, widget.itemText(index))
        elif isinstance(widget, QLineEdit):
            add(widget, widget.placeholderText())
        elif isinstance(widget, (QTableView, QTreeView)) and widget.model() is not None:
            model = widget.model()
            header = (
                widget.horizontalHeader() if isinstance(widget, QTableView) else widget.header()
            )
            for column in range(header.count()):
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                    value = model.headerData(column, Qt.Orientation.Horizontal, role)
                    if isinstance(value, str):
                        add(widget, value)
    return found


def _menu_texts(window: object) -> list[tuple[str, str]]:
    from PySide6.QtWidgets import QMainWindow, QMenu

    assert isinstance(window, QMainWindow)
    found: list[tuple[str, str]] = []
    pending = list(window.menuBar().actions())
    while pending:
        action = pending.pop()
        if action.isVisible() and action.text():
            found.append(
                (f"billing_desktop.ui.main_window:QAction#{action.objectName()}", action.text())
            )
            found.append(
                (
                    f"billing_desktop.ui.main_window:QAction#{action.objectName()}",
                    action.statusTip(),
                )
            )
        menu = action.menu()
        if isinstance(menu, QMenu):
            pending.extend(menu.actions())
    return [(where, text) for where, text in found if text]


def walk(store_location: str) -> list[tuple[str, str]]:
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtWidgets import QDialogButtonBox, QTabWidget

    from billing_desktop.bootstrap import open_store
    from billing_desktop.ui.app import application
    from billing_desktop.ui.main_window import MainWindow
    from billing_desktop.ui.screenshot import _settle

    application()
    window = MainWindow(open_store(store_location), None, remember=False)
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    window.resize(1280, 800)
    window.show()
    _settle(window)
    found = _menu_texts(window) + _texts(window)
    for area in window.tab_pages:
        window.select_area(area)
        _settle(window)
        found += _texts(window)
        page = window.tab_pages[area]
        for inner in page.findChildren(QTabWidget):
            for index in range(inner.count()):
                inner.setCurrentIndex(index)
                _settle(window)
                found += _texts(window)
    window.close()
    QCoreApplication.processEvents()
    # Qt's own standard buttons (Qt's qtbase catalog, installed with ours)
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    found += [("qt:QDialogButtonBox", button.text()) for button in box.buttons()]
    return found


if __name__ == "__main__":
    texts = walk(sys.argv[1])
    Path(sys.argv[2]).write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
