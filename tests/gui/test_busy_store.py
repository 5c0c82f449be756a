"""A write while another program holds the store's write lock (issue 15 §1): the GUI shows the
store's one line and goes on working."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from billing_desktop.bootstrap import SqlStore
from billing_desktop.store.sql.engine import BUSY, BUSY_TIMEOUT_ENV
from billing_desktop.ui.models.members import Panel, Side
from tests.gui.test_billing_units_tab import open_tab, stored, wait
from tests.integration.units_workspace import fill


@pytest.fixture
def impatient_store(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SqlStore]:
    """The units workspace, on a store whose writers wait 0.2 s for the write lock."""
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, "0.2")
    opened = SqlStore(f"sqlite:///{store_path}")
    with opened(write=True) as uow:
        fill(uow)
        uow.commit()
    yield opened
    opened.dispose()


def test_a_write_to_a_busy_store_shows_the_one_line_and_the_tab_goes_on(
    qtbot: Any, impatient_store: SqlStore, store_path: Path
) -> None:
    tab = open_tab(qtbot, impatient_store)
    before = stored(impatient_store)
    other = sqlite3.connect(store_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program is writing
    try:
        tab.editor.select(Panel.NUMBERS, Side.AVAILABLE, ["+15550102"])
        qtbot.keyClick(tab.editor.numbers.available_view, Qt.Key.Key_Enter)
        wait(qtbot, tab)
        assert tab.message_bar.text == BUSY[0].upper() + BUSY[1:]  # the line, as a sentence
        assert tab.isVisible() and tab.isEnabled()
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert stored(impatient_store) == before  # nothing changed

    # The other program is done: the same action now goes through.
    tab.editor.select(Panel.NUMBERS, Side.AVAILABLE, ["+15550102"])
    qtbot.keyClick(tab.editor.numbers.available_view, Qt.Key.Key_Enter)
    wait(qtbot, tab)
    unit = tab.editor.members.unit.name if tab.editor.members else None
    assert unit is not None and "+15550102" in stored(impatient_store)[unit][1]
