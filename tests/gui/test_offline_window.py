"""The window on a remote store with the server down: the replica, the status bar, the
pending-changes window and a conflict shown three ways (PRODUCT §13)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.access import Area
from billing_desktop.remote.replica import APPLIED, CONFLICT, ReplicaStore
from billing_desktop.services import overview, units
from billing_desktop.ui.dialogs.pending_changes import PendingChangesDialog, three_way
from tests.fault_proxy import fault_proxy
from tests.gui.test_main_window import open_window, wait_idle
from tests.live_server import live_server, token_for

SCREENSHOTS = os.environ.get("BILLING_DESKTOP_SCREENSHOTS")  # a folder: save the PNGs there


def _save(widget: Any, name: str) -> None:
    if SCREENSHOTS:
        widget.grab().save(str(Path(SCREENSHOTS) / name))


def test_the_app_starts_with_the_server_down_and_shows_the_replica(
    qtbot: Any, populated_store: SqlStore, tmp_path: Path
) -> None:
    token = token_for(populated_store, "ada")
    with live_server(populated_store) as url, fault_proxy(url) as proxy:
        first = ReplicaStore(proxy.url, token, folder=tmp_path / "r", retries=0)
        first.sync()
        first.close()
        proxy.mode = "drop"  # the server is gone when the app starts
        store = ReplicaStore(proxy.url, token, folder=tmp_path / "r", retries=0)
        window = open_window(qtbot, store)
        wait_idle(qtbot, window)
        assert window.workspace is not None and window.current_page_name != "no access"
        assert set(window.tab_pages) == set(Area)
        # The copy is shown at once; the sync behind it finds the server gone.
        qtbot.waitUntil(lambda: window.offline.label.text().startswith("Offline since"))
        status = window.offline.label.text()
        assert status.startswith("Offline since") and "as of" in status
        assert window.offline.work_offline.isVisible() or window.offline.work_offline.isEnabled()
        _save(window, "offline-window-server-down.png")
        window.close()
        store.close()


def test_a_local_store_shows_no_offline_controls(qtbot: Any, populated_store: SqlStore) -> None:
    window = open_window(qtbot, populated_store, "ada")
    assert not window.offline.label.isVisibleTo(window)
    assert not window.offline.sign_out_action.isVisible()
    window.close()


def test_pending_changes_show_a_conflict_three_ways(
    qtbot: Any, qtmodeltester: Any, populated_store: SqlStore, tmp_path: Path
) -> None:
    token = token_for(populated_store, "ada")
    with live_server(populated_store) as url, fault_proxy(url) as proxy:
        store = ReplicaStore(proxy.url, token, folder=tmp_path / "r", retries=0, offline=False)
        actor = store.read(overview.workspace, None).actor
        unit = store.read(units.units_overview, actor).rows[0]
        store.forced_offline = True
        store.write(units.rename_unit, actor, unit.id, "Renamed here")
        store.write(units.add_unit, actor, "Made here")
        admin = populated_store.read(overview.workspace, "ada").actor
        populated_store.write(units.rename_unit, admin, unit.id, "Renamed there")
        store.forced_offline = False
        report = store.sync()
        assert (report.conflicts, report.applied) == (1, 1)  # adding a unit is no conflict
        controls = type("Controls", (), {"runner": None, "export_outbox": lambda self: None})()
        dialog = PendingChangesDialog(store, controls)
        qtbot.addWidget(dialog)
        dialog.show()
        qtmodeltester.check(dialog.model)
        assert dialog.model.rowCount() == 2
        assert [e["status"] for e in dialog.model.entries] == [CONFLICT, APPLIED]
        dialog.table.selectRow(0)
        qtmodeltester.check(dialog.conflict)
        rows = dialog.conflict.rows
        assert (f"rows[{unit.id}].name", unit.name, "Renamed here", "Renamed there") in rows
        assert dialog.mine_button.isEnabled() and dialog.theirs_button.isEnabled()
        _save(dialog, "offline-pending-changes-conflict.png")
        dialog.keep_server()
        assert dialog.model.entries[0]["status"] == "discarded"
        dialog.close()
        store.close()


def test_three_way_lists_only_what_differs() -> None:
    base = {"rows": [{"id": 1, "name": "A", "users": 2}, {"id": 2, "name": "B", "users": 0}]}
    mine = {"rows": [{"id": 1, "name": "A2", "users": 2}, {"id": 2, "name": "B", "users": 0}]}
    server = {"rows": [{"id": 2, "name": "B", "users": 1}, {"id": 1, "name": "A3", "users": 2}]}
    assert three_way(base, mine, server) == [
        ("rows[1].name", "A", "A2", "A3"),
        ("rows[2].users", "0", "0", "1"),
    ]
