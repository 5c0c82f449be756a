"""Preferences: the language (applied at the next start) and the backups folder and rotation
(editable, checked: an unwritable folder is refused in the dialog and nothing is saved)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from billing_desktop.bootstrap import SqlStore
from billing_desktop.store.sql import backups
from billing_desktop.store.sql.backup_policy import BackupPolicy, load_policy, policy_file
from billing_desktop.ui import language
from billing_desktop.ui.dialogs.preferences import PreferencesDialog


@pytest.fixture(autouse=True)
def no_saved_policy() -> Iterator[None]:
    policy_file().unlink(missing_ok=True)
    yield
    policy_file().unlink(missing_ok=True)


def dialog_for(qtbot: Any, settings: QSettings, store_file: Path | None) -> PreferencesDialog:
    dialog = PreferencesDialog(settings, store_file)
    qtbot.addWidget(dialog)
    return dialog


def test_the_language_is_chosen_and_applies_at_the_next_start(
    qtbot: Any, clean_settings: QSettings
) -> None:
    dialog = dialog_for(qtbot, clean_settings, None)
    chooser = dialog.language
    titles = [chooser.combo.itemText(i) for i in range(chooser.combo.count())]
    assert titles[1:] == ["English", "Español"] and titles[0].startswith("System")
    assert chooser.choice == language.SYSTEM
    chooser.combo.setCurrentIndex(chooser.combo.findData("es"))
    assert not chooser.note.isHidden()  # the GUI runs in English: a restart is needed
    chooser.combo.setCurrentIndex(chooser.combo.findData("en"))
    assert chooser.note.isHidden()
    chooser.combo.setCurrentIndex(chooser.combo.findData("es"))
    dialog.accept()
    assert language.saved_language(clean_settings) == "es"


def test_an_unwritable_backup_folder_is_refused_in_the_dialog(
    qtbot: Any, clean_settings: QSettings, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    dialog = dialog_for(qtbot, clean_settings, tmp_path / "billing.db")
    dialog.show()
    dialog.backups.folder_edit.setText(str(blocker / "backups"))
    dialog.accept()
    assert dialog.isVisible() and dialog.result() != PreferencesDialog.DialogCode.Accepted
    error = dialog.backups.error_label
    assert error.isVisible() and "cannot go to this folder" in error.text()
    assert str(blocker) in error.text()
    assert not policy_file().exists() and load_policy() == BackupPolicy()
    dialog.backups.folder_edit.setText("relative/folder")
    dialog.accept()
    assert "full path" in error.text() and not policy_file().exists()


def test_the_backup_folder_and_rotation_are_saved_and_used_by_the_backups(
    qtbot: Any, clean_settings: QSettings, store: SqlStore, store_path: Path, tmp_path: Path
) -> None:
    chosen = tmp_path / "elsewhere" / "backups"
    dialog = dialog_for(qtbot, clean_settings, store_path)
    assert store_path.parent.name in dialog.backups.where_label.text()  # beside the store
    dialog.backups.folder_edit.setText(str(chosen))
    dialog.backups.days_spin.setValue(2)
    dialog.backups.weeks_spin.setValue(0)
    dialog.backups.newest_spin.setValue(1)
    assert str(chosen) in dialog.backups.where_label.text()
    dialog.accept()
    assert load_policy() == BackupPolicy(chosen, keep_days=2, keep_weeks=0, keep_newest=1)
    folder = backups.backup_folder(store_path)
    assert folder.parent == chosen and folder.name.startswith("store-")
    for day in (1, 2, 3, 4):  # one automatic backup a day for four days
        backups.take_backup(store_path, "daily", now=datetime(2026, 12, day, 9, 0))
    kept = backups.list_backups(store_path)
    assert [b.taken.day for b in kept] == [4, 3]  # two days; no weeks; newest among them
    assert all(b.path.parent == folder for b in kept)
    assert not (store_path.parent / "backups").exists()


def test_a_damaged_policy_file_means_the_defaults(tmp_path: Path) -> None:
    policy_file().parent.mkdir(parents=True, exist_ok=True)
    policy_file().write_text("{not json")
    assert load_policy() == BackupPolicy()
    policy_file().write_text('{"keep_days": 0}')  # out of range
    assert load_policy() == BackupPolicy()
