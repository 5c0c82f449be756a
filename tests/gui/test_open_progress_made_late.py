"""The "Opening…" dialog of a slow open is made only once the open has taken longer than
``ui.app.OPEN_PROGRESS_AFTER_MS``: making and hiding it cost 6-12 ms of every start (B1),
which is quick and never shows it. (What the dialog says and does: test_backups_gui.py.)"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from PySide6 import QtWidgets
from PySide6.QtWidgets import QApplication, QProgressDialog

from billing_desktop.bootstrap import SqlStore
from billing_desktop.ui import app as gui_app
from tests.gui.test_backups_gui import filled  # noqa: F401  (fixture)


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[QProgressDialog]:
    """Every progress dialog made from here on (``_open_showing_progress`` imports the class
    from PySide6.QtWidgets when it runs)."""
    dialogs: list[QProgressDialog] = []

    class Recorded(QProgressDialog):
        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            dialogs.append(self)

    monkeypatch.setattr(QtWidgets, "QProgressDialog", Recorded)
    return dialogs


def test_a_quick_open_makes_no_dialog_and_a_slow_one_makes_one(
    qapp: QApplication,
    filled: Path,  # noqa: F811
    made: list[QProgressDialog],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = gui_app.open_at_start(str(filled))
    assert isinstance(store, SqlStore) and made == []
    store.dispose()

    import billing_desktop.bootstrap as bootstrap

    real = bootstrap.open_store

    def slow_open(location: str | None, create: bool = False) -> Any:
        time.sleep(0.4)
        return real(location, create=create)

    monkeypatch.setattr(bootstrap, "open_store", slow_open)
    monkeypatch.setattr(gui_app, "OPEN_PROGRESS_AFTER_MS", 50)
    store = gui_app.open_at_start(str(filled))
    assert isinstance(store, SqlStore) and len(made) == 1
    assert made[0].labelText().startswith(f"Opening {filled.name}…")
    assert not made[0].isVisible()  # hidden again once the store is open
    store.dispose()
