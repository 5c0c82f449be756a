"""The window on a remote store, with a live server: File ▸ Connect to server… opens the
offline-capable replica store, the first sync at the window's start shows progress and can be
cancelled and resumed, a discarded change leaves every open view at once, and a conflicting
change is edited (PRODUCT §13)."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest

from billing_desktop.bootstrap import SqlStore, open_store
from billing_desktop.domain.access import Area
from billing_desktop.domain.errors import StoreError
from billing_desktop.remote.replica import (
    APPLIED,
    CONFLICT,
    DISCARDED,
    PENDING,
    ReplicaStore,
    SyncReport,
    server_folder,
)
from billing_desktop.services import overview, units
from billing_desktop.store.sql import replication as rep
from billing_desktop.ui.dialogs.connect_server import connect
from billing_desktop.ui.dialogs.edit_change import EditChangeDialog
from billing_desktop.ui.dialogs.pending_changes import PendingChangesDialog
from billing_desktop.ui.main_window import MainWindow
from billing_desktop.ui.tabs.billing_units import BillingUnitsTab
from tests.fault_proxy import fault_proxy
from tests.gui.test_main_window import open_window, wait_idle
from tests.live_server import live_server, token_for

SCREENSHOTS = os.environ.get("BILLING_DESKTOP_SCREENSHOTS")  # a folder: save the PNGs there


def _save(widget: Any, name: str) -> None:
    if SCREENSHOTS:
        widget.grab().save(str(Path(SCREENSHOTS) / name))


def test_connect_to_server_opens_the_same_offline_capable_store_as_the_command_line(
    qtbot: Any, populated_store: SqlStore
) -> None:
    token = token_for(populated_store, "ada")
    with live_server(populated_store) as url:
        with pytest.raises(StoreError):
            connect(url, "not-a-token")
        store = connect(url, token)
        assert type(store) is type(open_store(url, token=token)) is ReplicaStore
        assert store.folder == server_folder(url)
        assert store._replica is None  # the first sync is the window's, with progress
        window = open_window(qtbot, populated_store, "ada")
        window.connect_server(url, token)
        qtbot.waitUntil(lambda: isinstance(window.store, ReplicaStore), timeout=10_000)
        qtbot.waitUntil(lambda: window.current_page_name not in ("loading", "no_access"))
        wait_idle(qtbot, window)
        assert set(window.tab_pages) == set(Area)
        assert window.offline.label.isVisibleTo(window)
        assert window.offline.label.text().startswith("Online · synced")
        # Offline from now on: the tabs are read from this machine's copy.
        replica = window.store._replica
        assert replica is not None and replica.state("complete") is True
        window.close()
        store.close()


class _HeldSync:
    """Holds the first sync after its first batch until released; counts what it fetched."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.release = threading.Event()
        self.batches = 0
        self.chunks = 0
        self.reports: list[SyncReport] = []
        fetch, sync = ReplicaStore._fetch_batch, ReplicaStore.sync

        def held_fetch(store: ReplicaStore, *args: Any) -> None:
            if self.batches == 1:
                self.release.wait(10)
            fetch(store, *args)
            self.batches += 1
            self.chunks += len(args[1])

        def recorded_sync(store: ReplicaStore, *args: Any, **kwargs: Any) -> SyncReport:
            report = sync(store, *args, **kwargs)
            self.reports.append(report)
            return report

        monkeypatch.setattr(ReplicaStore, "_fetch_batch", held_fetch)
        monkeypatch.setattr(ReplicaStore, "sync", recorded_sync)


def test_the_first_sync_at_the_windows_start_shows_progress_and_cancels_resumably(
    qtbot: Any, populated_store: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rep, "CHUNK", 40)
    token = token_for(populated_store, "ada")
    held = _HeldSync(monkeypatch)
    with live_server(populated_store) as url:
        store = ReplicaStore(url, token, folder=tmp_path / "r", retries=0)
        window = MainWindow(store, remember=False, poll_seconds=0)
        qtbot.addWidget(window)
        messages: list[str] = []
        window.statusBar().messageChanged.connect(messages.append)
        window.show()
        qtbot.waitUntil(lambda: window.task_cancel.isVisible(), timeout=10_000)
        # Never blank: the page says what happens, the status bar how far it is.
        assert window.current_page_name == "loading"
        assert "First sync" in window.ui.loadingLabel.text()
        assert window.offline.label.text() == "First sync in progress"
        step = next(m for m in messages if "Syncing" in m)
        assert step.startswith("First sync in progress — Syncing ") and " / " in step
        assert step.endswith(" rows") and window.busy_bar.maximum() > 0
        _save(window, "offline-ui-first-sync.png")
        window.task_cancel.click()
        held.release.set()
        qtbot.waitUntil(lambda: window.current_page_name == "no_access", timeout=10_000)
        assert window.ui.noAccessTitle.text() == "First sync not finished"
        _save(window, "offline-ui-first-sync-cancelled.png")
        assert "press F5" in window.ui.noAccessText.text()
        assert not window.task_cancel.isVisible()
        assert window.offline.label.text().startswith("First sync not finished")
        replica = store._replica
        assert replica is not None and not replica.state("complete", False)
        kept = held.chunks
        assert held.batches == 2 and held.reports == []  # cancelled at the next batch's end

        window.refresh()  # F5: goes on where it stopped
        qtbot.waitUntil(lambda: window.current_page_name not in ("loading", "no_access"))
        wait_idle(qtbot, window)
        assert set(window.tab_pages) == set(Area)
        assert replica.state("complete") is True
        (resumed,) = held.reports
        fresh = ReplicaStore(url, token, folder=tmp_path / "fresh", retries=0).sync()
        assert resumed.fetched_chunks == fresh.fetched_chunks - kept  # not over again
        assert window.offline.label.text().startswith("Online · synced")
        window.close()
        store.close()


def test_opening_another_store_during_the_first_sync_stops_it_and_opens_that_one(
    qtbot: Any, populated_store: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rep, "CHUNK", 40)
    token = token_for(populated_store, "ada")
    held = _HeldSync(monkeypatch)
    with live_server(populated_store) as url:
        store = ReplicaStore(url, token, folder=tmp_path / "r", retries=0)
        window = MainWindow(store, "ada", remember=False, poll_seconds=0)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.task_cancel.isVisible(), timeout=10_000)
        window._switch_store(populated_store, None)  # File ▸ Open store… meanwhile
        held.release.set()
        wait_idle(qtbot, window)
        assert window.store is populated_store and set(window.tab_pages) == set(Area)
        assert window.offline.first_sync is None and not window.task_cancel.isVisible()
        assert held.batches == 2 and held.reports == []  # stopped at the next batch
        window.close()
        store.close()


def test_a_discarded_change_leaves_every_open_view_before_the_next_pull(
    qtbot: Any, populated_store: SqlStore, tmp_path: Path
) -> None:
    token = token_for(populated_store, "ada")
    with live_server(populated_store) as url, fault_proxy(url) as proxy:
        store = ReplicaStore(proxy.url, token, folder=tmp_path / "r", retries=0)
        window = open_window(qtbot, store, poll_seconds=0)
        qtbot.waitUntil(lambda: window.offline.label.text().startswith("Online"))
        tab = window.select_area(Area.BILLING_UNITS)
        assert isinstance(tab, BillingUnitsTab)
        wait_idle(qtbot, window)
        actor = window.workspace.actor if window.workspace else None
        unit = tab.model.rows[0]
        proxy.mode = "drop"
        store.forced_offline = True
        store.write(units.rename_unit, actor, unit.id, "Renamed offline")
        qtbot.waitUntil(lambda: any(u.name == "Renamed offline" for u in tab.model.rows))
        dialog = PendingChangesDialog(store, window.offline, window)
        dialog.show()
        dialog.table.selectRow(0)
        assert dialog.theirs_button.isEnabled() and not dialog.edit_button.isEnabled()
        dialog.keep_server()
        assert dialog.model.entries[0]["status"] == DISCARDED
        qtbot.waitUntil(lambda: any(u.name == unit.name for u in tab.model.rows))
        assert all(u.name != "Renamed offline" for u in tab.model.rows)
        assert store._replica is not None and store.synced_at()  # no pull happened
        dialog.close()
        window.close()
        store.close()


def test_a_conflicting_change_is_edited_and_sent_on_top_of_the_servers(
    qtbot: Any, qtmodeltester: Any, populated_store: SqlStore, tmp_path: Path
) -> None:
    token = token_for(populated_store, "ada")
    with live_server(populated_store) as url:
        store = ReplicaStore(url, token, folder=tmp_path / "r", retries=0, offline=False)
        actor = store.read(overview.workspace, None).actor
        unit = store.read(units.units_overview, actor).rows[0]
        store.forced_offline = True
        store.write(units.rename_unit, actor, unit.id, "Renamed here")
        admin = populated_store.read(overview.workspace, "ada").actor
        populated_store.write(units.rename_unit, admin, unit.id, "Renamed there")
        store.forced_offline = False
        assert store.sync().conflicts == 1

        synced: list[Any] = []

        class Controls:
            runner = None

            def export_outbox(self) -> None:
                raise AssertionError("not asked for")

            def sync_now(self, on_done: Any = None) -> None:
                synced.append(store.sync())
                if on_done is not None:
                    on_done(synced[-1])

        dialog = PendingChangesDialog(store, Controls())
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.table.selectRow(0)
        assert dialog.edit_button.isEnabled()
        _save(dialog, "offline-ui-pending-changes.png")
        dialog.edit()
        editor = dialog.edit_dialog
        assert isinstance(editor, EditChangeDialog)
        qtmodeltester.check(editor.differences)
        name = editor.edits["name"]
        assert name.text() == "Renamed here"  # yours, to edit
        assert editor.findChild(type(editor.error), "server_name").text() == "Renamed there"
        _save(editor, "offline-ui-edit-conflict.png")
        editor.queue()  # nothing changed: says so, queues nothing
        assert editor.error.isVisibleTo(editor) and "Nothing was changed" in editor.error.text()
        name.setText("  ")
        editor.queue()  # the use case's own check, shown in the dialog
        assert editor.isVisible() and "name" in editor.error.text().lower()
        assert [e["status"] for e in store.replica.outbox()] == [CONFLICT]
        name.setText("Agreed name")
        editor.queue()
        assert editor.new_seq is not None and not editor.isVisible()
        assert synced and synced[-1].applied == 1
        assert [(e["status"], e["reason"][:20]) for e in dialog.model.entries] == [
            (DISCARDED, f"superseded by entry {editor.new_seq}"[:20]),
            (APPLIED, ""),
        ]
        assert PENDING not in {e["status"] for e in store.replica.outbox()}
        with populated_store() as uow:
            assert uow.units.get(unit.id).name == "Agreed name"
        dialog.close()
        store.close()
