"""Offline work in the window (PRODUCT §13): the status bar's online/offline and pending count,
File ▸ Work offline, File ▸ Pending changes…, File ▸ Sign out, and a sync in the background.

Shown only on a remote store read through its replica (``remote.replica.ReplicaStore``); on a
local store none of it appears.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox, QWidget

from billing_desktop.services.task_state import TaskState
from billing_desktop.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from billing_desktop.remote.replica import ReplicaStore

STATUS_EVERY_MS = 5_000
SYNC_EVERY_MS = 60_000


def replica_of(store: Any) -> ReplicaStore | None:
    # No replica exists before its module is imported: a local store's start does not import
    # the HTTP client (httpx, rich) to find that out (issue 21, B1).
    module = sys.modules.get("billing_desktop.remote.replica")
    if module is None:
        return None
    return store if isinstance(store, module.ReplicaStore) else None


def _when(iso: str | None) -> str:
    if not iso:
        return "never"
    moment = datetime.fromisoformat(iso).astimezone()
    if moment.date() == datetime.now(UTC).astimezone().date():
        return moment.strftime("%H:%M")
    return moment.strftime("%Y-%m-%d %H:%M")


def _age(iso: str) -> str:
    minutes = int((datetime.now(UTC) - datetime.fromisoformat(iso)).total_seconds() // 60)
    if minutes < 1:
        return "under a minute"
    if minutes < 120:
        return f"{minutes} min"
    return f"{minutes // 60} h"


def status_text(store: ReplicaStore) -> str:
    """``Offline since 13:40 · as of 13:32 · 2 pending (oldest 8 min)``."""
    replica = store._replica
    pending = replica.outbox(("pending",)) if replica is not None else []
    waiting = replica.outbox(("conflict", "refused")) if replica is not None else []
    if store.forced_offline:
        parts = ["Working offline", f"as of {_when(store.synced_at())}"]
    elif store.online is False:
        parts = [f"Offline since {_when(store.offline_since)}", f"as of {_when(store.synced_at())}"]
    else:
        parts = [f"Online · synced {_when(store.synced_at())}"]
    if pending:
        parts.append(f"{len(pending)} pending (oldest {_age(str(pending[0]['created_at']))})")
    if waiting:
        parts.append(f"{len(waiting)} need you")
    return " · ".join(parts)


class OfflineControls(QObject):
    """The offline status and actions of one main window."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.label = QLabel(window)
        self.label.setObjectName("syncStatusLabel")
        window.ui.statusbar.addPermanentWidget(self.label)
        self.work_offline = QAction("Work &offline", window)
        self.work_offline.setObjectName("actionWorkOffline")
        self.work_offline.setCheckable(True)
        self.work_offline.toggled.connect(self._set_offline)
        self.pending_action = QAction("&Pending changes…", window)
        self.pending_action.setObjectName("actionPendingChanges")
        self.pending_action.triggered.connect(self.show_pending)
        self.sign_out_action = QAction("Sign &out…", window)
        self.sign_out_action.setObjectName("actionSignOut")
        self.sign_out_action.triggered.connect(self.sign_out)
        menu = window.ui.menuFile
        before = window.ui.actionQuit
        for action in (self.work_offline, self.pending_action, self.sign_out_action):
            menu.insertAction(before, action)
        menu.insertSeparator(before)
        self.runner = TaskRunner(self, max_threads=1)
        self._syncing = False
        self.dialog: QWidget | None = None
        self._status_timer = QTimer(self)
        self._status_timer.setInterval(STATUS_EVERY_MS)
        self._status_timer.timeout.connect(self.refresh)
        self._sync_timer = QTimer(self)
        self._sync_timer.setInterval(SYNC_EVERY_MS)
        self._sync_timer.timeout.connect(self.sync_now)
        window.workspace_loaded.connect(lambda _workspace: self.refresh())
        self.follow()

    @property
    def store(self) -> ReplicaStore | None:
        return replica_of(self.window.store)

    def follow(self) -> None:
        """Show or hide it all for the window's store (called when the store changes)."""
        store = self.store
        shown = store is not None
        for action in (self.work_offline, self.pending_action, self.sign_out_action):
            action.setVisible(shown)
        self.label.setVisible(shown)
        if store is None:
            self._status_timer.stop()
            self._sync_timer.stop()
            return
        self.work_offline.blockSignals(True)
        self.work_offline.setChecked(store.forced_offline)
        self.work_offline.blockSignals(False)
        self._status_timer.start()
        self._sync_timer.start()
        self.refresh()

    def refresh(self) -> None:
        store = self.store
        if store is None:
            return
        text = status_text(store)
        self.label.setText(text)
        self.label.setToolTip(
            "Reads come from this machine's copy of the workspace; changes made while the "
            "server does not answer wait in the outbox (File ▸ Pending changes…)"
        )
        dialog = self.dialog
        if dialog is not None and hasattr(dialog, "reload"):
            dialog.reload()

    def _set_offline(self, offline: bool) -> None:
        store = self.store
        if store is None:
            return
        store.forced_offline = offline
        if not offline:
            store.online = None
            self.sync_now()
        self.refresh()

    def sync_now(self, on_done: Any = None) -> None:
        store = self.store
        if store is None or store.forced_offline or self._syncing:
            return
        self._syncing = True

        def done(report: Any) -> None:
            self._syncing = False
            self.refresh()
            if on_done is not None:
                on_done(report)

        def failed(message: str) -> None:
            self._syncing = False
            if store.online is not False:
                store.offline_since = datetime.now(UTC).isoformat(timespec="seconds")
            store.online = False
            self.refresh()
            if on_done is not None:
                on_done(message)

        def syncing(*, state: TaskState) -> Any:
            return store.sync(state.progress)

        self.runner.run(
            syncing,
            with_state=True,
            on_done=done,
            on_error=failed,
            # "Syncing calls… 40%" (a first sync takes time)
            on_state_progress=lambda step: self.label.setText(
                step.text if step.fraction is None else f"{step.text} {step.fraction:.0%}"
            ),
            description="sync",
        )

    def show_pending(self) -> None:
        from billing_desktop.ui.dialogs.pending_changes import PendingChangesDialog

        store = self.store
        if store is None:
            return
        if self.dialog is None:
            self.dialog = PendingChangesDialog(store, self, self.window)
        self.dialog.show()
        self.dialog.raise_()

    def sign_out(self) -> None:
        store = self.store
        if store is None:
            return
        replica = store._replica
        unsent = len(replica.outbox(("pending", "conflict", "refused"))) if replica else 0
        text = "Sign out of this server? This machine's copy of the workspace and the saved "
        text += "token are deleted."
        if unsent:
            text += (
                f"\n\n{unsent} change(s) have not reached the server and will be lost. Export "
                "them first with File ▸ Pending changes… ▸ Export…"
            )
        box = QMessageBox(QMessageBox.Icon.Warning, "Sign out", text, parent=self.window)
        export = box.addButton("Export…", QMessageBox.ButtonRole.ActionRole) if unsent else None
        confirm = box.addButton("Sign out", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if export is not None and box.clickedButton() is export:
            self.export_outbox()
            return
        if box.clickedButton() is not confirm:
            return
        self._status_timer.stop()
        self._sync_timer.stop()
        store.sign_out()
        self.label.setText("Signed out")
        self.window.signed_out()

    def export_outbox(self) -> None:
        store = self.store
        if store is None:
            return
        from pathlib import Path

        name, _ = QFileDialog.getSaveFileName(
            self.window, "Export the outbox", "outbox.json", "JSON (*.json)"
        )
        if name:
            count = store.export_outbox(Path(name))
            self.window.statusBar().showMessage(f"Exported {count} outbox entries", 10_000)
