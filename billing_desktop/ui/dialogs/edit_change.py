"""Pending changes ▸ Edit…: change the values of a conflicting (or refused) change.

Each argument of the change is shown pre-filled with yours, the server's value now beside it
(when the conflict shows one for it); below, everything that differs three ways. *Queue the
edited change* replaces the entry by the edited one, based on the server's current version
(``ReplicaStore.edit``); the original stays in the outbox as superseded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from billing_desktop.domain.errors import BillingError
from billing_desktop.remote.edits import as_text, edited
from billing_desktop.ui import theme
from billing_desktop.ui.i18n import tr
from billing_desktop.ui.models.table import ColumnTableModel
from billing_desktop.ui.service_messages import translate_message
from billing_desktop.ui.widgets.table import make_table

if TYPE_CHECKING:
    from billing_desktop.remote.replica import ReplicaStore
    from billing_desktop.ui.models.table import Column

# A value that is not the same in all three: (what, base, yours, server's now), as the
# pending-changes window's conflict view lists them.
ThreeWayRow = tuple[str, str, str, str]


def server_value(name: str, yours: str, rows: list[ThreeWayRow]) -> str:
    """The server's value now of the thing argument ``name`` changed: the three-way row named
    like it (``rows[7].name`` for ``name``) whose "yours" is the argument's value."""
    for path, _base, mine, server in rows:
        if path.rsplit(".", 1)[-1] == name and mine == yours:
            return server
    for path, _base, _mine, server in rows:
        if path.rsplit(".", 1)[-1] == name:
            return server
    return "—"


class EditChangeDialog(QDialog):
    """Edit the arguments of outbox entry ``entry``; ``new_seq`` once queued."""

    def __init__(
        self,
        store: ReplicaStore,
        entry: dict[str, Any],
        rows: list[ThreeWayRow],
        columns: list[Column[ThreeWayRow]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.entry = entry
        self.new_seq: int | None = None
        self.setObjectName("editChangeDialog")
        self.setWindowTitle(tr("Edit change {id}").format(id=entry["seq"]))
        intro = QLabel(
            tr(
                "{operation}: change the values below. The edited change is sent on top of "
                "the server's current version; the original stays in the list as superseded."
            ).format(operation=entry["operation"]),
            self,
        )
        intro.setWordWrap(True)
        grid = QGridLayout()
        for column, title in enumerate((tr("Argument"), tr("Yours"), tr("Server's now"))):
            header = QLabel(title, self)
            bold = header.font()
            bold.setBold(True)
            header.setFont(bold)
            grid.addWidget(header, 0, column)
        self.edits: dict[str, QLineEdit] = {}
        arguments: dict[str, Any] = dict(entry.get("arguments") or {})
        for row, (name, value) in enumerate(arguments.items(), start=1):
            text = as_text(value)
            label = QLabel(name, self)
            edit = QLineEdit(text, self)
            edit.setObjectName(f"edit_{name}")
            edit.setMinimumWidth(220)
            label.setBuddy(edit)
            server = QLabel(server_value(name, text, rows), self)
            server.setObjectName(f"server_{name}")
            grid.addWidget(label, row, 0)
            grid.addWidget(edit, row, 1)
            grid.addWidget(server, row, 2)
            self.edits[name] = edit
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        self.differences: ColumnTableModel[ThreeWayRow] = ColumnTableModel(columns, self)
        self.differences.set_rows(rows)
        table = make_table(self)
        table.setModel(self.differences)
        table.horizontalHeader().setStretchLastSection(True)
        table.resizeColumnsToContents()
        table.setVisible(bool(rows))
        self.error = QLabel(self)
        self.error.setObjectName("editChangeError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {theme.NEGATIVE.name()};")
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(tr("&Queue the edited change"))
        buttons.accepted.connect(self.queue)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(grid)
        differs = QLabel(tr("What differs (when you edited, yours, the server's now):"), self)
        differs.setVisible(bool(rows))
        layout.addWidget(differs)
        layout.addWidget(table, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(720, 340 if rows else 200)

    def changes(self) -> dict[str, Any]:
        original: dict[str, Any] = dict(self.entry.get("arguments") or {})
        return edited(original, {name: edit.text() for name, edit in self.edits.items()})

    def queue(self) -> None:
        changes = self.changes()
        if not changes:
            self.error.setText(tr("Nothing was changed: edit a value, or cancel."))
            self.error.show()
            return
        try:
            self.new_seq = self.store.edit(int(self.entry["seq"]), changes)
        except BillingError as exc:
            self.error.setText(translate_message(str(exc)))
            self.error.show()
            return
        self.accept()
