"""Open representative dialogs with the GUI in Spanish and print every text they show, and the
buttons and labels too narrow for their (longer) Spanish text, as JSON.

Run in a process of its own (``python -m tests.gui.spanish_dialogs_probe``): the language is
installed before any ui module is imported, as the app does at start-up, so the strings that
modules translate once at import time (column titles, status names) are Spanish too.
``tests/unit/test_translations_dialogs.py`` runs it and checks no English text is left;
``--shots FOLDER`` also saves each dialog as a PNG (the README's screenshots).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["BILLING_DESKTOP_LANGUAGE"] = "es"


def wait(app: Any, done: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("the dialog did not finish loading")
        app.processEvents()
        time.sleep(0.01)
    for _ in range(5):
        app.processEvents()


def visible_texts(widget: Any) -> list[str]:
    """The texts a user sees or hears in ``widget``: titles, labels, buttons, group boxes,
    tabs, combo items, header titles, placeholders, tooltips and accessible names."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import (
        QAbstractButton,
        QComboBox,
        QDialogButtonBox,
        QGroupBox,
        QLabel,
        QLineEdit,
        QListWidget,
        QTableView,
        QTabWidget,
        QTreeView,
        QWidget,
    )

    found = [widget.windowTitle()]
    for child in [widget, *widget.findChildren(QWidget)]:
        if not child.isVisibleTo(widget) and child is not widget:
            continue
        found += [child.toolTip(), child.accessibleName()]
        if isinstance(child, QLabel):
            found.append(child.text())
        elif isinstance(child, QAbstractButton):
            box = child.parent()
            standard = isinstance(box, QDialogButtonBox) and box.standardButton(child)
            if not standard:  # OK, Cancel, Close…: Qt's own translations
                found.append(child.text())
        elif isinstance(child, QGroupBox):
            found.append(child.title())
        elif isinstance(child, QLineEdit):
            found.append(child.placeholderText())
        elif isinstance(child, QComboBox):
            found += [child.itemText(i) for i in range(child.count())]
        elif isinstance(child, QTabWidget):
            found += [child.tabText(i) for i in range(child.count())]
        elif isinstance(child, QListWidget):
            found += [child.item(i).text() for i in range(child.count())]
        if isinstance(child, QTableView | QTreeView) and child.model() is not None:
            model = child.model()
            header = child.horizontalHeader() if isinstance(child, QTableView) else child.header()
            for column in range(header.count()):
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                    value = model.headerData(column, Qt.Orientation.Horizontal, role)
                    if isinstance(value, str):
                        found.append(value)
    return [text for text in found if text and text.strip()]


def clipped_texts(widget: Any) -> list[str]:
    """The buttons and one-line labels of ``widget`` narrower than their text needs."""
    from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

    found = []
    for child in widget.findChildren(QWidget):
        if not child.isVisibleTo(widget):
            continue
        one_line = isinstance(child, QLabel) and not child.wordWrap() and child.text()
        if (isinstance(child, QAbstractButton) or one_line) and (
            child.width() < child.sizeHint().width()
        ):
            found.append(f"{child.text()!r}: {child.width()} < {child.sizeHint().width()} px")
    return found


def open_plan_manager(window: Any) -> Any:
    """Plans ▸ Manage… on the first app."""
    from PySide6.QtWidgets import QApplication

    from billing_desktop.domain.access import Area

    plans = window.tab_pages[Area.PLANS]
    window.select_area(Area.PLANS)
    wait(QApplication.instance(), lambda: not window.runner.busy and plans.model.rowCount() > 0)
    plans.table.selectRow(0)
    return plans.open_manage()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shots", type=Path, help="save each dialog as a PNG in this folder")
    args = parser.parse_args(argv)

    from billing_desktop.ui import i18n

    assert i18n.install_language("es") == "es"
    from PySide6.QtWidgets import QDialog

    from billing_desktop.bootstrap import SqlStore
    from billing_desktop.domain.access import Area
    from billing_desktop.domain.periods import Month
    from billing_desktop.ui.app import application
    from billing_desktop.ui.dialogs.connect_server import ConnectServerDialog
    from billing_desktop.ui.main_window import MainWindow
    from billing_desktop.ui.tabs.usage_explain import explain_row, open_what_if
    from tests.usage_workspace import build, utc_today

    app = application()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["XDG_CONFIG_HOME"] = folder  # the user's settings are not read or changed
        store = SqlStore(f"sqlite:///{folder}/store.db")
        with store() as uow:
            build(uow, utc_today())
            uow.commit()
        window = MainWindow(store, "ada")
        window.resize(1280, 800)
        window.show()
        wait(app, lambda: not window.runner.busy and window.current_page_name != "loading")

        def idle() -> bool:
            return not window.runner.busy

        usage: Any = window.tab_pages[Area.USAGE]
        window.select_area(Area.USAGE)
        wait(app, lambda: idle() and usage.manage_refusal() is None)
        invoices: Any = window.tab_pages[Area.INVOICES]
        openers: dict[str, Callable[[], Any]] = {
            "manage-credits": lambda: usage.open_manage_credits(),
            "preferences": window.open_preferences,
            "activity": window.open_activity_report,
            "help": window.open_help,
            "connect-server": lambda: ConnectServerDialog(window),
            "account": lambda: window.open_account(),
            "prepaid": lambda: invoices.open_prepaid(),
            "reconcile": lambda: invoices.open_reconcile(),
            "what-if": lambda: open_what_if(usage),
            "close-month": lambda: usage.open_close_month(Month.of(utc_today()).plus(-1)),
            "explain-charge": lambda: explain_row(usage, 0),
            "statements": window.save_statements,
            "month-end-bundle": window.export_bundle,
            "backups": window.restore_from_backup,
            "plan-manager": lambda: open_plan_manager(window),
        }
        texts: dict[str, list[str]] = {}
        clipped: dict[str, list[str]] = {}
        for name, opener in openers.items():
            before = set(window.findChildren(QDialog))
            dialog = opener()
            if dialog is None:
                opened = [d for d in window.findChildren(QDialog) if d not in before]
                dialog = opened[0] if opened else None
            if dialog is None:
                raise RuntimeError(f"{name}: no dialog opened")
            dialog.show()
            wait(app, idle)
            texts[name] = visible_texts(dialog)
            clipped[name] = clipped_texts(dialog)
            if args.shots is not None:
                args.shots.mkdir(parents=True, exist_ok=True)
                dialog.grab().save(str(args.shots / f"lang-dialogs-{name}.png"))
            dialog.close()
            wait(app, idle)
        window.close()
        store.dispose()
    json.dump({"texts": texts, "clipped": clipped}, sys.stdout, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
