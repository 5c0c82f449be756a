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

from billing_desktop.services.task_state import Cancelled, Progress, TaskState
from billing_desktop.ui.i18n import ntr, tr
from billing_desktop.ui.service_messages import translate_message
from billing_desktop.ui.tasks import TaskHandle, TaskRunner

if TYPE_CHECKING:
    from billing_desktop.remote.replica import ReplicaStore

STATUS_EVERY_MS = 5_000
SYNC_EVERY_MS = 60_000

# How the window's start with a remote store ended (``open_replica``).
COPY_READY, SYNCED, OFFLINE, INCOMPLETE = "ready", "synced", "offline", "incomplete"
FIRST_SYNC_CANCELLED = "the first sync was cancelled; what was fetched is kept"


def open_replica(store: ReplicaStore, *, state: TaskState) -> str:
    """Worker thread, when a window opens on a remote store: a replica that finished its
    first sync is shown at once (COPY_READY: the window syncs it in the background);
    otherwise the first sync runs here, reporting ``Syncing calls 120,000 / 1,000,000`` and
    stopping at the next chunk when cancelled (what was fetched is kept: the next sync goes on
    from there). OFFLINE: the server did not answer (the window reads what is here);
    INCOMPLETE: it did not, and the copy here never finished its first sync."""
    from billing_desktop.domain.errors import Unavailable

    with store._sync_lock:
        if store._replica is None:
            store._replica = store._open_known()
        replica = store._replica
        if replica is not None and replica.state("complete", False):
            store._tried = True  # reads go to the copy at once
            return COPY_READY

    def progress(fraction: float, text: str) -> None:
        if state.cancelled():
            raise Cancelled(FIRST_SYNC_CANCELLED)
        state.progress(fraction, text)

    try:
        store.sync(progress, quick=True)
    except Cancelled:
        store._tried = False  # the next start (or F5) resumes it
        raise
    except Unavailable as exc:
        store._went_offline(exc)
        replica = store._replica
        return INCOMPLETE if replica is not None else OFFLINE
    return SYNCED


def replica_of(store: Any) -> ReplicaStore | None:
    # No replica exists before its module is imported: a local store's start does not import
    # the HTTP client (httpx, rich) to find that out (issue 21, B1).
    module = sys.modules.get("billing_desktop.remote.replica")
    if module is None:
        return None
    return store if isinstance(store, module.ReplicaStore) else None


def _when(iso: str | None) -> str:
    if not iso:
        return tr("never")
    moment = datetime.fromisoformat(iso).astimezone()
    if moment.date() == datetime.now(UTC).astimezone().date():
        return moment.strftime("%H:%M")
    return moment.strftime("%Y-%m-%d %H:%M")


def _age(iso: str) -> str:
    minutes = int((datetime.now(UTC) - datetime.fromisoformat(iso)).total_seconds() // 60)
    if minutes < 1:
        return tr("under a minute")
    if minutes < 120:
        return tr("{minutes} min").format(minutes=minutes)
    return tr("{hours} h").format(hours=minutes // 60)


def status_text(store: ReplicaStore) -> str:
    """``Offline since 13:40 · as of 13:32 · 2 pending (oldest 8 min)``."""
    replica = store._replica
    pending = replica.outbox(("pending",)) if replica is not None else []
    waiting = replica.outbox(("conflict", "refused")) if replica is not None else []
    if replica is not None and store.synced_at() is None:
        parts = [tr("First sync not finished")]  # nothing to be "as of" yet
    elif store.forced_offline:
        parts = [tr("Working offline"), tr("as of {time}").format(time=_when(store.synced_at()))]
    elif store.online is False:
        parts = [
            tr("Offline since {time}").format(time=_when(store.offline_since)),
            tr("as of {time}").format(time=_when(store.synced_at())),
        ]
    else:
        parts = [tr("Online · synced {time}").format(time=_when(store.synced_at()))]
    if pending:
        parts.append(
            tr("{count} pending (oldest {age})").format(
                count=len(pending), age=_age(str(pending[0]["created_at"]))
            )
        )
    if waiting:
        parts.append(tr("{count} need you").format(count=len(waiting)))
    return " · ".join(parts)


class OfflineControls(QObject):
    """The offline status and actions of one main window."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.label = QLabel(window)
        self.label.setObjectName("syncStatusLabel")
        window.ui.statusbar.addPermanentWidget(self.label)
        self.work_offline = QAction(tr("Work &offline"), window)
        self.work_offline.setObjectName("actionWorkOffline")
        self.work_offline.setCheckable(True)
        self.work_offline.toggled.connect(self._set_offline)
        self.pending_action = QAction(tr("&Pending changes…"), window)
        self.pending_action.setObjectName("actionPendingChanges")
        self.pending_action.triggered.connect(self.show_pending)
        self.sign_out_action = QAction(tr("Sign &out…"), window)
        self.sign_out_action.setObjectName("actionSignOut")
        self.sign_out_action.triggered.connect(self.sign_out)
        menu = window.ui.menuFile
        before = window.ui.actionQuit
        for action in (self.work_offline, self.pending_action, self.sign_out_action):
            menu.insertAction(before, action)
        menu.insertSeparator(before)
        self.runner = TaskRunner(self, max_threads=1)
        self._syncing = False
        self.first_sync: TaskHandle | None = None
        self._first_sync_of: ReplicaStore | None = None
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
        if self.first_sync is not None and self._first_sync_of is not store:
            self.first_sync.cancel()  # another store now: that first sync stops, resumable
            self._first_sync_done()
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
        text = tr("First sync in progress") if self.first_sync else status_text(store)
        self.label.setText(text)
        self.label.setToolTip(
            tr(
                "Reads come from this machine's copy of the workspace; changes made while the "
                "server does not answer wait in the outbox (File ▸ Pending changes…)"
            )
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
        if store is None or store.forced_offline or self._syncing or self.first_sync:
            return
        self._syncing = True

        def done(report: Any) -> None:
            self._syncing = False
            self.refresh()
            if self.window.workspace is None:  # a first sync finished here: show the copy
                self.window.reload()
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
                translate_message(step.text)
                if step.fraction is None
                else f"{translate_message(step.text)} {step.fraction:.0%}"
            ),
            description="sync",
        )

    # The window's start on a remote store ----------------------------

    def starting(self) -> bool:
        """Called by the window before it reads the workspace: True while this takes over
        (a remote store not opened yet: its copy is shown at once, or its first sync runs with
        progress and Cancel in the status bar); the window reloads when it is done."""
        store = self.store
        if self.first_sync is not None:
            return True
        if store is None or store._tried or store.forced_offline:
            return False
        window = self.window
        window._show_loading(tr("Opening this machine's copy of the workspace…"))
        self._first_sync_of = store
        self.first_sync = window.runner.run(
            open_replica,
            store,
            with_state=True,
            on_done=self._opened,
            on_error=self._first_sync_failed,
            on_state_progress=self._first_sync_progress,
            description="first sync",
        )
        return True

    def _first_sync_progress(self, step: Progress) -> None:
        window = self.window
        if window._long_task is not self.first_sync and self.first_sync is not None:
            window._start_long_task(self.first_sync)  # Cancel once there is something to stop
        text = tr("First sync in progress")
        window._long_task_progress(text + " —", step)
        fraction = "" if step.fraction is None else f" ({step.fraction:.0%})"
        window.ui.loadingLabel.setText(
            tr(
                "First sync of this workspace to this machine: nothing is shown until it is "
                "complete.\n{step}{fraction}"
            ).format(step=translate_message(step.text), fraction=fraction)
        )
        self.label.setText(text)

    def _first_sync_done(self) -> None:
        if self.window._long_task is self.first_sync:
            self.window._end_long_task()
        self.first_sync = None

    def _opened(self, outcome: str) -> None:
        self._first_sync_done()
        store = self.store
        if outcome == INCOMPLETE and store is not None:
            store._tried = False  # the next attempt resumes the first sync
            self._show_incomplete(
                tr(
                    "The server does not answer, and the first sync of this workspace to this "
                    "machine has not finished, so there is nothing complete to show. It goes on "
                    "where it stopped when the server answers: press F5 to try again."
                )
            )
            self.refresh()
            return
        self.window.reload()
        self.refresh()
        if outcome == COPY_READY:
            self.sync_now()  # the copy is shown "as of" its last sync meanwhile

    def _first_sync_failed(self, message: str) -> None:
        self._first_sync_done()
        store = self.store
        if store is not None:
            store._tried = False  # F5 (or the next start) goes on where it stopped
        if message == FIRST_SYNC_CANCELLED:
            self.window.statusBar().showMessage(tr("First sync cancelled"), 10_000)
            self._show_incomplete(
                tr(
                    "The first sync was cancelled. What was fetched is kept on this machine; "
                    "press F5 to go on where it stopped."
                )
            )
        else:
            self._show_incomplete(message)
        self.refresh()

    def _show_incomplete(self, text: str) -> None:
        self.window._show_no_access(tr("First sync not finished"), text)
        self.label.setText(tr("First sync not finished"))

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
        text = tr(
            "Sign out of this server? This machine's copy of the workspace and the saved "
            "token are deleted."
        )
        if unsent:
            text += ntr(
                "\n\n{count} change has not reached the server and will be lost. Export it "
                "first with File ▸ Pending changes… ▸ Export…",
                "\n\n{count} changes have not reached the server and will be lost. Export "
                "them first with File ▸ Pending changes… ▸ Export…",
                unsent,
            ).format(count=unsent)
        box = QMessageBox(QMessageBox.Icon.Warning, tr("Sign out"), text, parent=self.window)
        export = box.addButton(tr("Export…"), QMessageBox.ButtonRole.ActionRole) if unsent else None
        confirm = box.addButton(tr("Sign out"), QMessageBox.ButtonRole.DestructiveRole)
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
        self.label.setText(tr("Signed out"))
        self.window.signed_out()

    def export_outbox(self) -> None:
        store = self.store
        if store is None:
            return
        from pathlib import Path

        name, _ = QFileDialog.getSaveFileName(
            self.window, tr("Export the outbox"), "outbox.json", tr("JSON (*.json)")
        )
        if name:
            count = store.export_outbox(Path(name))
            self.window.statusBar().showMessage(
                ntr(
                    "Exported {count} outbox entry", "Exported {count} outbox entries", count
                ).format(count=count),
                10_000,
            )
