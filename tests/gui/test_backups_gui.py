"""Backups in the app: File ▸ Back up now… and Restore from backup…, the daily backup, and
the start on a damaged, missing or empty store (PRODUCT §10)."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QProgressDialog, QPushButton

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.errors import StoreError
from billing_desktop.services.task_state import Progress, TaskState
from billing_desktop.store.sql import backups
from billing_desktop.ui import app as gui_app
from billing_desktop.ui.dialogs import backups as backups_dialog
from billing_desktop.ui.dialogs.backups import BackupsDialog, StoreProblemDialog
from tests.gui.test_main_window import open_window, wait_idle
from tests.gui.workspace_data import ACCOUNT
from tests.integration.test_store_safety import damage


def unit_names(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        names = {str(r[0]) for r in conn.execute("SELECT name FROM billing_units")}
    conn.close()
    return names


@pytest.fixture
def filled(populated_store: SqlStore, store_path: Path) -> Path:
    """The populated store's file, closed (a test opens it as the app would)."""
    populated_store.dispose()
    return store_path


def make_backup(store: Path, when: datetime, reason: str) -> Path:
    target = backups.backup_folder(store) / f"{store.stem}.{when:%Y%m%d-%H%M%S}.{reason}.db"
    target.parent.mkdir(exist_ok=True)
    backups.copy_store(store, target)
    return target


def test_the_backups_dialog_lists_dates_kinds_and_sizes(qtbot: Any, filled: Path) -> None:
    older = make_backup(filled, datetime(2026, 11, 2, 9, 30), "daily")
    newer = make_backup(filled, datetime(2026, 12, 1, 18, 5, 7), "pre-close")
    dialog = BackupsDialog(filled)
    qtbot.addWidget(dialog)
    dialog.show()
    table = dialog.table
    rows = [
        [table.topLevelItem(i).text(c) for c in range(4)]  # type: ignore[union-attr]
        for i in range(table.topLevelItemCount())
    ]
    size = backups.human_size(newer.stat().st_size)
    assert rows == [
        ["2026-12-01 18:05:07", "Before a month close", size, newer.name],
        ["2026-11-02 09:30:00", "Daily", backups.human_size(older.stat().st_size), older.name],
    ]
    assert dialog.restore_button.isEnabled() and not dialog.empty_label.isVisible()
    table.setCurrentItem(table.topLevelItem(1))
    dialog.restore_button.click()
    assert dialog.chosen == older
    dialog.grab().save("/tmp/backups-dialog.png")


def test_the_backups_dialog_without_backups_says_so(qtbot: Any, filled: Path) -> None:
    dialog = BackupsDialog(filled)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.empty_label.isVisible() and not dialog.restore_button.isEnabled()
    assert dialog.file_button.isEnabled()


def test_back_up_now_writes_a_copy_off_the_gui_thread(
    qtbot: Any, filled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    offered: list[str] = []

    def save_name(_parent: Any, _title: str, suggested: str, _filter: str) -> tuple[str, str]:
        offered.append(suggested)
        return suggested, ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    store = SqlStore(f"sqlite:///{filled}", create=False)
    window = open_window(qtbot, store, remember=False)
    assert window.ui.actionBackUpNow.isEnabled() and window.ui.actionRestoreBackup.isEnabled()
    window.ui.actionBackUpNow.trigger()
    wait_idle(qtbot, window)
    (made,) = backups.list_backups(filled)
    assert offered == [str(made.path)] and made.reason == "manual"
    assert unit_names(made.path) == unit_names(filled)
    assert made.path.name in window.statusBar().currentMessage()
    for box in window.findChildren(QMessageBox):
        box.close()
    store.dispose()


def test_restore_from_backup_replaces_the_store_and_reopens_it(qtbot: Any, filled: Path) -> None:
    backup = make_backup(filled, datetime(2026, 12, 1, 8, 0), "daily")
    store = SqlStore(f"sqlite:///{filled}", create=False)
    with store() as uow:
        uow.units.add("Added after the backup")
        uow.commit()
    window = open_window(qtbot, store, remember=False)
    window.ui.actionRestoreBackup.trigger()
    dialog = window.backups_dialog
    assert isinstance(dialog, BackupsDialog)
    with qtbot.waitSignal(window.store_changed, timeout=20_000):
        dialog.restore_button.click()
    wait_idle(qtbot, window)
    assert "Added after the backup" not in unit_names(filled)
    (replaced,) = [p for p in filled.parent.iterdir() if p.name.startswith("store.db.replaced-")
                   and not p.name.endswith(("-wal", "-shm"))]  # fmt: skip
    assert "Added after the backup" in unit_names(replaced)
    assert window.store is not store and window.current_page_name == "workspace"
    assert window.windowTitle().endswith(ACCOUNT.name)
    assert backup.exists()
    window.close()
    window.store.dispose()  # type: ignore[attr-defined]


def test_the_app_takes_one_daily_backup_when_it_opens_a_store(qtbot: Any, filled: Path) -> None:
    store = SqlStore(f"sqlite:///{filled}", create=False)
    window = open_window(qtbot, store, remember=False, auto_backup=True)
    qtbot.waitUntil(lambda: len(backups.list_backups(filled)) == 1, timeout=10_000)
    wait_idle(qtbot, window)
    window.reload()
    window._daily_backup()
    wait_idle(qtbot, window)
    assert [b.reason for b in backups.list_backups(filled)] == ["daily"]
    store.dispose()


def test_backups_are_not_offered_for_a_store_without_a_file(qtbot: Any) -> None:
    store = SqlStore("sqlite://")
    window = open_window(qtbot, store, remember=False)
    assert not window.ui.actionBackUpNow.isEnabled()
    assert not window.ui.actionRestoreBackup.isEnabled()
    store.dispose()


# Starting on a damaged, missing or empty store -------------------------------------------


def test_a_damaged_store_at_start_offers_restore_open_or_quit(
    qtbot: Any, filled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup = make_backup(filled, datetime(2026, 12, 1, 8, 0), "daily")
    damage(filled)
    shown: list[StoreProblemDialog] = []

    def exec_(dialog: StoreProblemDialog) -> int:
        shown.append(dialog)
        dialog.show()
        assert [
            b.text() for b in (dialog.first_button, dialog.open_button, dialog.quit_button)
        ] == [
            "&Restore from a backup…",
            "&Open another store…",
            "&Quit",
        ]
        text = dialog.message.text()
        assert text.startswith(f"{filled} failed its integrity check (")
        assert "moved aside to" in text
        dialog.grab().save("/tmp/store-problem-damaged.png")
        dialog.first_button.click()
        chooser = dialog.backups_dialog
        assert isinstance(chooser, BackupsDialog)
        assert chooser.table.topLevelItemCount() == 1
        chooser.restore_button.click()
        qtbot.waitUntil(lambda: dialog.store is not None, timeout=20_000)
        return int(dialog.result())

    monkeypatch.setattr(StoreProblemDialog, "exec", exec_)
    store = gui_app.open_at_start(str(filled))
    assert len(shown) == 1 and isinstance(store, SqlStore)
    assert store.path == filled and unit_names(filled) == unit_names(backup)
    assert [p for p in filled.parent.iterdir() if ".damaged-" in p.name]
    store.dispose()


def test_quit_at_a_damaged_start_opens_nothing(
    qapp: QApplication, filled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    damage(filled)

    def exec_(dialog: StoreProblemDialog) -> int:
        dialog.quit_button.click()
        return int(dialog.result())

    monkeypatch.setattr(StoreProblemDialog, "exec", exec_)
    assert gui_app.run_gui(str(filled), None) == 2
    assert not filled.exists()


def test_open_another_store_at_a_damaged_start(
    qtbot: Any, filled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other.db"
    shutil.copyfile(filled, other)
    damage(filled)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(other), ""))

    def exec_(dialog: StoreProblemDialog) -> int:
        dialog.open_button.click()
        qtbot.waitUntil(lambda: dialog.store is not None, timeout=20_000)
        return int(dialog.result())

    monkeypatch.setattr(StoreProblemDialog, "exec", exec_)
    store = gui_app.open_at_start(str(filled))
    assert isinstance(store, SqlStore) and store.path == other
    store.dispose()


@pytest.mark.parametrize("empty", [False, True])
def test_a_missing_or_empty_store_at_start_is_created_only_when_asked(
    qtbot: Any, tmp_path: Path, empty: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "chosen.db"
    if empty:
        path.write_bytes(b"")
    shown: list[str] = []

    def exec_(dialog: StoreProblemDialog) -> int:
        shown.append(dialog.message.text())
        dialog.show()
        assert dialog.first_button.text() == "&Create a new store here"
        if not empty:
            dialog.grab().save("/tmp/store-problem-missing.png")
        assert path.exists() == empty  # nothing created before the user asks
        dialog.first_button.click()
        qtbot.waitUntil(lambda: dialog.store is not None, timeout=20_000)
        return int(dialog.result())

    monkeypatch.setattr(StoreProblemDialog, "exec", exec_)
    store = gui_app.open_at_start(str(path))
    assert shown == [f"{path}: {'the file is empty' if empty else 'no such file'}."]
    assert isinstance(store, SqlStore) and path.stat().st_size > 0
    store.dispose()


def test_the_first_run_creates_the_default_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BILLING_DESKTOP_STORE", raising=False)
    from billing_desktop.config import default_store_path

    default = default_store_path()
    if default.exists():
        default.unlink()
    monkeypatch.setattr(
        StoreProblemDialog, "exec", lambda self: pytest.fail("no question on the first run")
    )
    store = gui_app.open_at_start(None)
    assert isinstance(store, SqlStore) and store.path == default and default.stat().st_size > 0
    store.dispose()
    default.unlink()


def test_restore_and_open_reports_progress(filled: Path, tmp_path: Path) -> None:
    backup = make_backup(filled, datetime(2026, 12, 1, 8, 0), "daily")
    steps: list[Progress] = []
    store = backups_dialog.restore_and_open(
        tmp_path / "new.db", backup, state=TaskState(steps.append)
    )
    messages = [step.text for step in steps]
    assert messages[-1] == "Opening the restored store…"
    assert any(m.startswith(f"Restoring {backup.name}… ") for m in messages)
    store.dispose()


def test_the_menu_offers_back_up_and_restore(qtbot: Any, filled: Path) -> None:
    store = SqlStore(f"sqlite:///{filled}", create=False)
    window = open_window(qtbot, store, remember=False)
    texts = [a.text() for a in window.ui.menuFile.actions()]
    assert texts.index("&Back up now…") + 1 == texts.index("&Restore from backup…")
    assert window.ui.actionRestoreBackup.toolTip().startswith("Replace the local store")
    store.dispose()


def test_opening_a_damaged_store_in_the_app_offers_a_restore(
    qtbot: Any, filled: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other" / "billing.db"
    other.parent.mkdir()
    shutil.copyfile(filled, other)
    backup = make_backup(other, datetime(2026, 12, 1, 8, 0), "daily")
    damage(other)
    store = SqlStore(f"sqlite:///{filled}", create=False)
    window = open_window(qtbot, store, remember=False)
    window.open_location(str(other))
    qtbot.waitUntil(lambda: isinstance(window.problem_dialog, StoreProblemDialog), timeout=10_000)
    dialog = window.problem_dialog
    assert isinstance(dialog, StoreProblemDialog)
    assert dialog.quit_button.text() == "&Cancel" and window.store is store
    assert window.current_page_name == "workspace"  # still on the store it had
    dialog.grab().save("/tmp/store-problem-in-app.png")
    dialog.first_button.click()
    chooser = dialog.backups_dialog
    assert isinstance(chooser, BackupsDialog) and chooser.backups[0].path == backup
    with qtbot.waitSignal(window.store_changed, timeout=20_000):
        chooser.restore_button.click()
    wait_idle(qtbot, window)
    assert window.store_path == other and unit_names(other) == unit_names(backup)
    window.close()
    store.dispose()
    window.store.dispose()  # type: ignore[attr-defined]


def _progress_dialogs() -> list[QProgressDialog]:
    widgets = QApplication.topLevelWidgets()
    return [w for w in widgets if isinstance(w, QProgressDialog) and w.isVisible()]


def test_a_slow_open_says_what_it_is_doing_and_then_opens(
    qapp: QApplication, filled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A changed store is checked page by page before the window (seconds on a large one):
    the GUI thread keeps running and, past half a second, a dialog says why it waits."""
    import billing_desktop.bootstrap as bootstrap

    real = bootstrap.open_store
    threads: list[str] = []

    def slow_open(location: str | None, create: bool = False) -> Any:
        threads.append(threading.current_thread().name)
        time.sleep(1.5)
        return real(location, create=create)

    monkeypatch.setattr(bootstrap, "open_store", slow_open)
    seen: list[str] = []
    look = QTimer(interval=100)
    look.timeout.connect(lambda: seen.extend(d.labelText() for d in _progress_dialogs()))
    look.start()
    store = gui_app.open_at_start(str(filled))
    look.stop()
    assert isinstance(store, SqlStore) and store.path == filled
    assert threads == ["open-store"]
    assert seen and seen[-1].startswith(f"Opening {filled.name}…")
    assert _progress_dialogs() == []
    store.dispose()


def test_a_quick_open_shows_nothing_and_quit_during_a_slow_one_opens_nothing(
    qapp: QApplication, filled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import billing_desktop.bootstrap as bootstrap

    seen: list[str] = []
    look = QTimer(interval=50)
    look.timeout.connect(lambda: seen.extend(d.labelText() for d in _progress_dialogs()))
    look.start()
    store = gui_app.open_at_start(str(filled))
    assert isinstance(store, SqlStore) and seen == []
    store.dispose()

    def never_done(location: str | None, create: bool = False) -> Any:
        time.sleep(8)
        raise AssertionError("the open should have been left")

    monkeypatch.setattr(bootstrap, "open_store", never_done)

    def quit_when_shown() -> None:
        for dialog in _progress_dialogs():
            button = dialog.findChild(QPushButton)
            assert button is not None and button.text() == "Quit"
            button.click()

    look.timeout.connect(quit_when_shown)
    started = time.monotonic()
    assert gui_app.open_at_start(str(filled)) is None
    look.stop()
    assert time.monotonic() - started < 5
    assert seen and _progress_dialogs() == []


def test_an_error_of_the_open_reaches_the_gui_thread(
    qapp: QApplication, filled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import billing_desktop.bootstrap as bootstrap

    def refused(location: str | None, create: bool = False) -> Any:
        raise StoreError(f"{location}: locked by another program")

    monkeypatch.setattr(bootstrap, "open_store", refused)
    shown: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "critical", lambda _parent, _title, text, *a: shown.append(text)
    )
    assert gui_app.open_at_start(str(filled)) is None
    assert shown and "locked by another program" in shown[0]
