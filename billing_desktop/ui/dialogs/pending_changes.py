"""File ▸ Pending changes…: the outbox of a remote store read through its replica.

Every change made while the server did not answer, with its status; a conflict shows three
ways — what it was when you edited (base), yours, and the server's now — with *Apply mine on
top* and *Keep the server's*. *Preview* asks the server what each pending change would do
(nothing is applied), *Sync now* sends them, *Export…* writes the whole outbox to a file.
Nothing is dropped: a change kept off the server stays in the list as "discarded".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from billing_desktop.ui.i18n import tr
from billing_desktop.ui.models.table import Column, ColumnTableModel, text_column
from billing_desktop.ui.service_messages import translate_message
from billing_desktop.ui.widgets.table import make_table

if TYPE_CHECKING:
    from billing_desktop.remote.replica import ReplicaStore

Index = QModelIndex | QPersistentModelIndex

_STATUS_TEXT = {
    "pending": tr("Pending"),
    "applied": tr("Applied"),
    "conflict": tr("Conflict"),
    "refused": tr("Refused"),
    "discarded": tr("Discarded"),
}


class OutboxModel(QAbstractTableModel):
    HEADERS = ("ID", tr("Status"), tr("Change"), tr("Made"), tr("Why"))

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entries: list[dict[str, Any]] = []
        self.verdicts: dict[int, str] = {}

    def set_entries(self, entries: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.entries = entries
        self.endResetModel()

    def set_verdicts(self, verdicts: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.verdicts = {
            int(v["seq"]): tr("preview: {verdict}").format(verdict=v["verdict"])
            + (f" — {translate_message(v['reason'])}" if v["reason"] else "")
            for v in verdicts
        }
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.entries):
            return None
        entry = self.entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            column = index.column()
            if column == 0:
                return str(entry["seq"])
            if column == 1:
                status = _STATUS_TEXT.get(str(entry["status"]), str(entry["status"]))
                return (
                    tr("{status} (request)").format(status=status) if entry["request"] else status
                )
            if column == 2:
                return _describe(entry)
            if column == 3:
                return str(entry["created_at"]).replace("T", " ")[:16]
            if column == 4:
                return self.verdicts.get(int(entry["seq"])) or translate_message(
                    str(entry["reason"])
                )
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 4:
            return translate_message(str(entry["reason"])) or None
        return None


def _describe(entry: dict[str, Any]) -> str:
    arguments = entry.get("arguments") or {}
    shown = ", ".join(f"{k}={v}" for k, v in arguments.items() if v not in (None, [], ""))
    return f"{entry['operation']}({shown})"


def _flatten(value: Any, prefix: str = "") -> dict[str, str]:
    """Paths to leaf values; a list of objects with an ``id`` is keyed by it (a unit stays
    "rows[7]" wherever it sorts)."""
    found: dict[str, str] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            found.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(value, list):
        for position, item in enumerate(value):
            key = item.get("id", position) if isinstance(item, dict) else position
            found.update(_flatten(item, f"{prefix}[{key}]"))
    else:
        found[prefix] = "" if value is None else str(value)
    return found


# A value that is not the same in all three: (what, base, yours, server's now).
ThreeWayRow = tuple[str, str, str, str]


def _part(position: int) -> Callable[[ThreeWayRow], str]:
    return lambda row: row[position]


THREE_WAY_COLUMNS: list[Column[ThreeWayRow]] = [
    text_column(title, _part(position))
    for position, title in enumerate(
        (tr("What"), tr("When you edited"), tr("Yours"), tr("Server's now"))
    )
]


def three_way(base: Any, mine: Any, server: Any) -> list[ThreeWayRow]:
    """(what, base, yours, server's) for every value that is not the same in all three."""
    flat = [_flatten(base), _flatten(mine), _flatten(server)]
    paths = sorted(set().union(*flat))
    rows = []
    for path in paths:
        base_value, mine_value, server_value = (f.get(path, "—") for f in flat)
        if len({base_value, mine_value, server_value}) > 1:
            rows.append((path, base_value, mine_value, server_value))
    return rows


class PendingChangesDialog(QDialog):
    def __init__(self, store: ReplicaStore, controls: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.controls = controls
        self.setWindowTitle(tr("Pending changes"))
        self.setObjectName("pendingChangesDialog")
        self.resize(880, 520)
        self.model = OutboxModel(self)
        self.table = make_table(self)
        self.table.setSelectionMode(self.table.SelectionMode.SingleSelection)
        self.table.setModel(self.model)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.conflict: ColumnTableModel[ThreeWayRow] = ColumnTableModel(THREE_WAY_COLUMNS, self)
        self.conflict_table = make_table(self)
        self.conflict_table.setModel(self.conflict)
        self.conflict_table.horizontalHeader().setStretchLastSection(True)
        self.detail = QLabel(self)
        self.detail.setObjectName("pendingDetail")
        self.detail.setWordWrap(True)
        self.empty = QLabel(tr("Nothing is waiting: every change has reached the server."), self)
        self.empty.setObjectName("pendingEmpty")

        self.preview_button = QPushButton(tr("&Preview"), self)
        self.sync_button = QPushButton(tr("&Sync now"), self)
        self.mine_button = QPushButton(tr("Apply &mine on top"), self)
        self.theirs_button = QPushButton(tr("&Keep the server's"), self)
        self.edit_button = QPushButton(tr("&Edit…"), self)
        self.edit_button.setObjectName("editChangeButton")
        self.export_button = QPushButton(tr("&Export…"), self)
        close = QPushButton(tr("Close"), self)
        self.preview_button.clicked.connect(self.preview)
        self.sync_button.clicked.connect(self.sync)
        self.mine_button.clicked.connect(self.apply_mine)
        self.theirs_button.clicked.connect(self.keep_server)
        self.edit_button.clicked.connect(self.edit)
        self.export_button.clicked.connect(controls.export_outbox)
        close.clicked.connect(self.close)

        lower = QWidget(self)
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.detail)
        lower_layout.addWidget(self.conflict_table)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.detail.setMinimumHeight(self.detail.fontMetrics().height() * 2 + 6)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        buttons = QHBoxLayout()
        for button in (self.preview_button, self.sync_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        for button in (
            self.mine_button,
            self.theirs_button,
            self.edit_button,
            self.export_button,
            close,
        ):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.reload()

    def reload(self) -> None:
        replica = self.store._replica
        entries = replica.outbox() if replica is not None else []
        chosen = self.current()
        self.model.set_entries(entries)
        self.empty.setVisible(not any(e["status"] != "applied" for e in entries))
        if chosen is not None:
            for row, entry in enumerate(entries):
                if entry["seq"] == chosen["seq"]:
                    self.table.selectRow(row)
        self._selected()
        self.table.resizeColumnsToContents()

    def current(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        row = rows[0].row()
        return self.model.entries[row] if 0 <= row < len(self.model.entries) else None

    def _selected(self, *_: Any) -> None:
        entry = self.current()
        conflict = entry is not None and entry["status"] == "conflict"
        self.mine_button.setEnabled(conflict)
        self.edit_button.setEnabled(
            entry is not None and entry["status"] in ("conflict", "refused")
        )
        self.theirs_button.setEnabled(
            entry is not None and entry["status"] in ("pending", "conflict", "refused")
        )
        if entry is None:
            self.detail.setText(tr("Select a change to see it."))
            self.conflict.set_rows([])
            return
        if conflict:
            server = entry.get("server") or {}
            value = server.get("value") if isinstance(server, dict) else None
            self.detail.setText(
                tr(
                    "Changed on the server after you edited it offline. What differs is below: "
                    "apply yours on top, keep the server's, or edit yours."
                )
            )
            self.detail.setToolTip(translate_message(str(entry["reason"])))
            self.conflict.set_rows(three_way(entry.get("base"), entry.get("mine"), value))
            self.conflict_table.resizeColumnsToContents()
            return
        self.detail.setText(translate_message(str(entry["reason"])) or _describe(entry))
        self.conflict.set_rows([])

    def preview(self) -> None:
        self.preview_button.setEnabled(False)

        def done(verdicts: Any) -> None:
            self.preview_button.setEnabled(True)
            self.model.set_verdicts(verdicts)

        def failed(message: str) -> None:
            self.preview_button.setEnabled(True)
            self.detail.setText(tr("Preview failed: {message}").format(message=message))

        self.controls.runner.run(
            self.store.preview, on_done=done, on_error=failed, description="preview"
        )

    def sync(self) -> None:
        self.model.set_verdicts([])
        self.controls.sync_now(on_done=lambda _: self.reload())

    def apply_mine(self) -> None:
        entry = self.current()
        if entry is not None:
            self.store.apply_mine(int(entry["seq"]))
            self.sync()

    def keep_server(self) -> None:
        entry = self.current()
        if entry is not None:
            self.store.discard(int(entry["seq"]), "the server's kept")
            self.reload()

    def conflict_rows(self, entry: dict[str, Any]) -> list[ThreeWayRow]:
        server = entry.get("server") or {}
        value = server.get("value") if isinstance(server, dict) else None
        if entry["status"] != "conflict":
            return []
        return three_way(entry.get("base"), entry.get("mine"), value)

    def edit(self) -> None:
        """Edit the values of the chosen conflicting (or refused) change, then send it."""
        from billing_desktop.ui.dialogs.edit_change import EditChangeDialog

        entry = self.current()
        if entry is None:
            return
        dialog = EditChangeDialog(
            self.store, entry, self.conflict_rows(entry), THREE_WAY_COLUMNS, self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self._edited)
        self.edit_dialog = dialog
        dialog.open()

    def _edited(self) -> None:
        self.reload()  # the edited change is listed at once, sent when the server answers
        self.sync()
