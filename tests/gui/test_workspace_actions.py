"""Filling a store from the window: the demo workspace and CSV imports, both off the GUI thread."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from billing_desktop.bootstrap import SqlStore
from billing_desktop.services import imports
from billing_desktop.ui.dialogs.import_dialog import ImportDialog
from tests.gui.test_main_window import ALL_TABS, open_window, wait_idle

ACCOUNT_CSV = (
    "name,currency,timezone,plan,payment_method,commit_scope\n"
    "Imported Ltd,EUR,Europe/Paris,pro,invoice,account\n"
)


def message_boxes() -> list[QMessageBox]:
    return [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()
    ]


def close_message_boxes() -> list[str]:
    texts = []
    for box in message_boxes():
        texts.append(box.text())
        box.accept()
    return texts


def test_the_import_dialog_lists_every_kind_and_wants_a_real_file(
    qtbot: Any, tmp_path: Path
) -> None:
    dialog = ImportDialog(imports.KINDS, kind="calls")
    qtbot.addWidget(dialog)
    kinds = [dialog.ui.kindCombo.itemText(i) for i in range(dialog.ui.kindCombo.count())]
    assert kinds == list(imports.KINDS)
    assert dialog.kind == "calls"
    ok = dialog.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    dialog.set_path(tmp_path / "missing.csv")
    assert ok.isEnabled()
    dialog.show()
    ok.click()
    assert dialog.isVisible() and "not a file" in dialog.ui.introLabel.text()
    real = tmp_path / "calls.csv"
    real.write_text("id\n", encoding="utf-8")
    dialog.set_path(real)
    with qtbot.waitSignal(dialog.accepted):
        ok.click()
    assert dialog.path == real


def test_an_import_fills_an_empty_store(qtbot: Any, store: SqlStore, tmp_path: Path) -> None:
    csv = tmp_path / "account.csv"
    csv.write_text(ACCOUNT_CSV, encoding="utf-8")
    window = open_window(qtbot, store, remember=False)
    assert window.current_page_name == "empty"
    window.run_import("account", csv)
    qtbot.waitUntil(lambda: bool(message_boxes()), timeout=10_000)
    wait_idle(qtbot, window)
    texts = close_message_boxes()
    assert any("1 added" in text for text in texts)
    # An account alone is a workspace: its owner (no users yet) sees every tab.
    assert window.current_page_name == "workspace"
    assert window.windowTitle() == "Billing Desktop — Imported Ltd"


def test_a_failed_import_shows_the_one_line_error(
    qtbot: Any, store: SqlStore, tmp_path: Path
) -> None:
    csv = tmp_path / "account.csv"
    csv.write_text("name,currency\nX,EUR\n", encoding="utf-8")
    window = open_window(qtbot, store, remember=False)
    window.run_import("account", csv)
    qtbot.waitUntil(lambda: bool(message_boxes()), timeout=10_000)
    texts = close_message_boxes()
    assert len(texts) == 1 and "nothing was imported" in texts[0] and "account.csv" in texts[0]
    assert window.ui.actionImport.isEnabled()
    with store() as uow:
        assert uow.account.get() is None


def test_the_demo_button_builds_the_demo_workspace(qtbot: Any, store: SqlStore) -> None:
    window = open_window(qtbot, store, remember=False)
    progress: list[str] = []
    window.runner.pending_changed.connect(lambda _n: progress.append(window.ui.loadingLabel.text()))
    window.ui.createDemoButton.click()
    assert window.current_page_name == "loading"
    assert not window.ui.actionRefresh.isEnabled()  # nothing may reload mid-build
    qtbot.waitUntil(lambda: window.current_page_name == "workspace", timeout=60_000)
    wait_idle(qtbot, window)
    assert window.tab_titles == ALL_TABS
    assert window.ui.actionRefresh.isEnabled()
    assert any("demo workspace" in text for text in progress)


def test_cancel_stops_the_demo_and_nothing_is_written(qtbot: Any, store: SqlStore) -> None:
    """The status bar's Cancel stops the work itself (not only its callbacks): the demo's
    transaction rolls back, the window says so without an alarm, and the store stays empty."""
    window = open_window(qtbot, store, remember=False)
    assert window.task_cancel.isHidden()
    window.ui.createDemoButton.click()
    assert window.task_cancel.isVisibleTo(window)
    window.task_cancel.click()  # before the first batch: the demo stops there
    qtbot.waitUntil(lambda: window.task_cancel.isHidden(), timeout=60_000)
    wait_idle(qtbot, window)
    assert not message_boxes()
    assert "cancelled; nothing was written" in window.statusBar().currentMessage()
    assert window.current_page_name == "empty" and window.ui.createDemoButton.isEnabled()
    with store() as uow:
        assert uow.account.get() is None and uow.users.count() == 0


def test_an_import_shows_its_progress_and_can_be_cancelled(
    qtbot: Any, store: SqlStore, tmp_path: Path, monkeypatch: Any
) -> None:
    account = tmp_path / "account.csv"
    account.write_text(ACCOUNT_CSV, encoding="utf-8")
    imports.import_file(store, "account", account)
    users = tmp_path / "users.csv"
    rows = [
        f"u{n},User {n},u{n}@example.com,{'admin' if n == 0 else 'agent'},," for n in range(300)
    ]
    users.write_text("id,name,email,role,teams,access_groups\n" + "\n".join(rows), "utf-8")
    window = open_window(qtbot, store, remember=False)
    wait_idle(qtbot, window)
    monkeypatch.setattr(imports, "CHUNK_ROWS", 1)
    shown: list[str] = []
    window.statusBar().messageChanged.connect(shown.append)
    window.run_import("users", users)
    qtbot.waitUntil(lambda: bool(message_boxes()), timeout=10_000)
    close_message_boxes()
    assert any(text.startswith("Importing users.csv…") for text in shown)
    assert window.task_cancel.isHidden()  # finished: Cancel goes away
    # The second import waits at its start until Cancel was pressed, so the cancel is seen.
    gate = threading.Event()
    execute = imports._Run.execute

    def gated(run: Any) -> Any:
        gate.wait(10)
        return execute(run)

    monkeypatch.setattr(imports._Run, "execute", gated)
    window.run_import("users", users)
    window.cancel_long_task()
    gate.set()
    qtbot.waitUntil(lambda: window.task_cancel.isHidden(), timeout=10_000)
    wait_idle(qtbot, window)
    assert [box.text() for box in message_boxes()] == []
    assert window.statusBar().currentMessage() == (
        "Import of users.csv cancelled; nothing was imported"
    )
