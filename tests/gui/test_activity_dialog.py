"""View ▸ Activity report (issue 18 §4): who may open it, the windowed model, filters, the
chain's state (also when a row was edited in the file), export, and following writes."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path
from typing import Any

from billing_desktop.bootstrap import SqlStore
from billing_desktop.services import units
from billing_desktop.services.context import resolve_actor
from billing_desktop.ui.dialogs.activity import ActivityDialog
from tests.gui.test_main_window import open_window, wait_idle


def _writes(store: SqlStore, count: int) -> None:
    actor = store.read(lambda uow: resolve_actor(uow, "ada"))
    for n in range(count):
        store.write(units.add_unit, actor, f"Unit {n:02d}")


def _open(qtbot: Any, store: SqlStore, user: str = "ada") -> ActivityDialog:
    window = open_window(qtbot, store, user, poll_seconds=0)
    assert window.activity_action.isEnabled()
    window.activity_action.trigger()
    dialog = window.activity_dialog
    assert isinstance(dialog, ActivityDialog)
    qtbot.waitUntil(lambda: dialog.chain is not None and dialog.model.total > 0, timeout=5000)
    wait_idle(qtbot, window)
    return dialog


def test_only_usage_editors_may_open_it(qtbot: Any, acme: SqlStore) -> None:
    window = open_window(qtbot, acme, "sam", poll_seconds=0)
    assert not window.activity_action.isEnabled()
    assert window.open_activity_report() is None


def test_rows_newest_first_in_a_valid_windowed_model(
    qtbot: Any, qtmodeltester: Any, acme: SqlStore
) -> None:
    _writes(acme, 12)
    dialog = _open(qtbot, acme)
    model = dialog.model
    qtmodeltester.check(model)
    assert model.total == 12
    assert model.index(0, 4).data().startswith("billing_unit")
    assert model.index(0, 5).data().startswith("name: Unit 11")
    assert model.index(11, 5).data().startswith("name: Unit 00")
    assert model.index(0, 2).data() == "Desktop"
    assert "Chain verified: 12 audit rows" in dialog.chain_label.text()

    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("billing-unit.add"))
    dialog.entity_combo.setCurrentIndex(dialog.entity_combo.findData("billing_unit"))
    dialog.entity_id_edit.setText(model.row_at(3).entity_id)
    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        dialog.apply_filters()
    assert model.total == 1
    assert dialog.count_label.text().startswith("1 change,")
    dialog.entity_id_edit.setText("no such id")
    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        dialog.apply_filters()
    assert model.total == 0 and dialog.status.text() == "No activity matches these filters."


def test_the_report_says_where_an_edited_row_breaks_the_chain(
    qtbot: Any, acme: SqlStore, store_path: Path
) -> None:
    _writes(acme, 3)
    dialog = _open(qtbot, acme)
    with sqlite3.connect(store_path) as conn:
        conn.execute("UPDATE audit_log SET actor = 'mallory' WHERE chain_seq = 2")
        (row_id,) = conn.execute("SELECT id FROM audit_log WHERE chain_seq = 2").fetchone()
    with qtbot.waitSignal(dialog.verified, timeout=5000):
        dialog.refresh()
    assert f"Chain broken at audit row {row_id}" in dialog.chain_label.text()


def test_export_and_following_writes(qtbot: Any, acme: SqlStore, tmp_path: Path) -> None:
    _writes(acme, 2)
    dialog = _open(qtbot, acme)
    window = dialog.parent()
    path = tmp_path / "activity.csv"
    handle = dialog.export(path)
    assert handle is not None
    qtbot.waitUntil(lambda: dialog._export is None, timeout=10_000)
    assert "2 rows saved" in dialog.status.text()
    with path.open(encoding="utf-8-sig", newline="") as handle_in:
        rows = list(csv.reader(handle_in))
    assert rows[0][:3] == ["When", "User", "Source"] and len(rows) == 3

    dialog.export(tmp_path / "missing" / "activity.pdf")
    qtbot.waitUntil(lambda: dialog._export is None, timeout=10_000)
    assert dialog.status.text().startswith(f"{tmp_path / 'missing' / 'activity.pdf'}: ")
    assert dialog.status.property("error")

    # A write through the window's store: the report follows at once.
    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        window.store.write(  # type: ignore[union-attr]
            units.add_unit, dialog.context.actor, "Late unit"
        )
    qtbot.waitUntil(lambda: dialog.model.total == 3, timeout=5000)
