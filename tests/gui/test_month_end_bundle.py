"""File ▸ Export month-end bundle… (issue 23): closed months only, the folder it writes,
signing fields (the password hidden), the export on the task runner with its progress, the
written bundle verifying, and a cancel that leaves nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit

from billing_desktop.archive.bundle import Written, verify_bundle
from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.periods import Month
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.demo import build_demo
from billing_desktop.services.month_close import close_month
from billing_desktop.ui.dialogs.month_end_bundle import MonthEndBundleDialog
from billing_desktop.ui.main_window import MainWindow
from tests.gui.test_main_window import open_window, wait_idle
from tests.gui.workspace_data import ROLE_USERS

TODAY = date(2026, 11, 21)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlStore]:
    store = SqlStore(f"sqlite:///{tmp_path_factory.mktemp('gui-bundle') / 'demo.db'}")
    build_demo(store, seed=7, today=TODAY)
    for month in (Month(2026, 9), Month(2026, 10)):
        with store() as uow:
            close_month(uow, resolve_actor(uow, None), month, today=TODAY)
            uow.commit()
    yield store
    store.dispose()


def open_dialog(qtbot: Any, window: MainWindow, folder: Path) -> MonthEndBundleDialog:
    window.action_export_bundle.trigger()
    dialog = window.statements_dialog
    assert isinstance(dialog, MonthEndBundleDialog)
    qtbot.waitUntil(lambda: dialog.month is not None, timeout=10_000)
    wait_idle(qtbot, window)
    dialog.folder_edit.setText(str(folder))
    return dialog


def test_the_menu_action_is_for_whoever_sees_invoices(
    qtbot: Any, populated_store: SqlStore
) -> None:
    window = open_window(qtbot, populated_store)
    assert window.action_export_bundle in window.ui.menuFile.actions()
    assert window.action_export_bundle.isEnabled()
    supervisor = open_window(qtbot, populated_store, ROLE_USERS["supervisor"])
    assert not supervisor.action_export_bundle.isEnabled()


def test_exporting_a_closed_month_writes_a_bundle_that_verifies(
    qtbot: Any, demo_store: SqlStore, tmp_path: Path
) -> None:
    window = open_window(qtbot, demo_store, remember=False)
    dialog = open_dialog(qtbot, window, tmp_path)
    months = [dialog.month_combo.itemText(i) for i in range(dialog.month_combo.count())]
    # Closed months only (the history's and this store's), newest first: not November.
    assert months[:3] == ["October 2026", "September 2026", "August 2026"]
    assert "November 2026" not in months and len(months) == 8
    assert dialog.target == tmp_path / "bundle-2026-10"
    assert dialog.target_label.text() == f"Writes {tmp_path / 'bundle-2026-10'}"
    assert dialog.password_edit.echoMode() == QLineEdit.EchoMode.Password
    assert not dialog.password_edit.isEnabled()
    dialog.sign_check.setChecked(True)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()  # signing needs a certificate
    dialog.sign_check.setChecked(False)
    assert ok.isEnabled()
    dialog.grab().save(str(tmp_path / "dialog.png"))
    with qtbot.waitSignal(dialog.exported, timeout=60_000) as exported:
        ok.click()
    written = exported.args[0]
    assert isinstance(written, Written) and written.folder == tmp_path / "bundle-2026-10"
    assert verify_bundle(written.folder).ok
    assert "statement-2026-10.pdf" in dialog.result_text
    # The folder now exists: the same choice cannot overwrite it.
    again = open_dialog(qtbot, window, tmp_path)
    assert "exists" in again.target_label.text()
    assert not again.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    again.reject()


def test_a_cancelled_export_leaves_nothing(
    qtbot: Any, demo_store: SqlStore, tmp_path: Path
) -> None:
    window = open_window(qtbot, demo_store, remember=False)
    dialog = open_dialog(qtbot, window, tmp_path)
    dialog.start()
    progress = dialog.progress
    assert progress is not None
    progress.cancel()
    qtbot.waitUntil(lambda: dialog.progress is None, timeout=60_000)
    wait_idle(qtbot, window)
    assert dialog.result_text == "Cancelled: nothing was written."
    assert list(tmp_path.iterdir()) == []
