"""The list models of the unit editor's assignment panels, with drag and drop between them.

Each panel (users and teams; phone numbers) has two lists: what is *available* and what is
*assigned* to the unit. Items are dragged from one list of a panel to the other list of the same
panel. A drop does not change the model: the model reports what was dropped (``dropped``) and
the editor asks the service to change the store; the lists are then re-read from the store.
So what the lists show is always what the store holds.

A number held by another unit is listed (greyed, with that unit's name) so it can be found and
explicitly moved; dropping it is refused (``refused``, naming the holding unit).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QFont

from billing_desktop.ui import theme
from billing_desktop.ui.i18n import tr

MIME_TYPE = "application/x-billing-desktop-unit-members"
HELD = theme.HELD  # grey: a number another unit holds

Index = QModelIndex | QPersistentModelIndex


class Panel(StrEnum):
    PEOPLE = "people"
    NUMBERS = "numbers"


class Side(StrEnum):
    AVAILABLE = "available"
    ASSIGNED = "assigned"

    @property
    def other(self) -> Side:
        return Side.ASSIGNED if self is Side.AVAILABLE else Side.AVAILABLE


class Kind(StrEnum):
    USER = "user"
    TEAM = "team"
    NUMBER = "number"


@dataclass(frozen=True, slots=True)
class MemberItem:
    """One entry of a list: a user, a team (dropping it assigns its members) or a number."""

    kind: Kind
    key: str  # user id, team name or E.164 number
    text: str
    tooltip: str = ""
    holder: str | None = None  # for a number held by another unit: that unit's name
    keywords: str = ""  # more to match a filter on (an email, team and unit names)

    @property
    def search_text(self) -> str:
        return f"{self.key} {self.text} {self.keywords}".casefold()

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "key": self.key, "text": self.text, "holder": self.holder}

    @classmethod
    def from_json(cls, data: Any) -> MemberItem:
        if not isinstance(data, dict):
            raise ValueError("not an item")
        holder = data.get("holder")
        return cls(
            Kind(str(data["kind"])),
            str(data["key"]),
            str(data.get("text", data["key"])),
            holder=None if holder is None else str(holder),
        )


def decode_members(data: QMimeData) -> tuple[Panel, Side, list[MemberItem]] | None:
    """The panel, side and items of a drag from a member list, or None for anything else."""
    if not data.hasFormat(MIME_TYPE):
        return None
    try:
        payload = json.loads(bytes(data.data(MIME_TYPE).data()).decode("utf-8"))
        items = [MemberItem.from_json(item) for item in payload["items"]]
        return Panel(payload["panel"]), Side(payload["side"]), items
    except (ValueError, KeyError, TypeError):
        return None


class MemberListModel(QAbstractListModel):
    """One list of an assignment panel (e.g. the numbers available to the unit).

    Shows the items matching the filter text. With ``editable`` off (view-only users) nothing
    can be dragged from or dropped on it.

    Signals:
        dropped(list): ``MemberItem``s were dropped here from the panel's other list.
        refused(list): numbers held by another unit were dropped on an *assigned* list; the
            ``MemberItem``s carry the holding unit's name in ``holder``.
    """

    dropped = Signal(list)
    refused = Signal(list)

    ITEM_ROLE = Qt.ItemDataRole.UserRole
    HOLDER_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, panel: Panel, side: Side, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.panel = panel
        self.side = side
        self._all: list[MemberItem] = []
        self._shown: list[MemberItem] = []
        self._filter = ""
        self._editable = True

    # Contents ---------------------------------------------------------------------------

    @property
    def items(self) -> list[MemberItem]:
        """Every item, whether the filter shows it or not."""
        return list(self._all)

    @property
    def shown(self) -> list[MemberItem]:
        return list(self._shown)

    @property
    def keys(self) -> list[str]:
        return [item.key for item in self._all]

    def item_at(self, row: int) -> MemberItem:
        return self._shown[row]

    def row_of(self, key: str) -> int:
        """The row showing ``key``, or -1."""
        for row, item in enumerate(self._shown):
            if item.key == key:
                return row
        return -1

    def set_items(self, items: Sequence[MemberItem]) -> None:
        self.beginResetModel()
        self._all = list(items)
        self._shown = self._matching()
        self.endResetModel()

    @property
    def filter_text(self) -> str:
        return self._filter

    def set_filter(self, text: str) -> None:
        wanted = text.strip().casefold()
        if wanted == self._filter:
            return
        self.beginResetModel()
        self._filter = wanted
        self._shown = self._matching()
        self.endResetModel()

    def _matching(self) -> list[MemberItem]:
        if not self._filter:
            return list(self._all)
        words = self._filter.split()
        return [i for i in self._all if all(w in i.search_text for w in words)]

    @property
    def editable(self) -> bool:
        return self._editable

    def set_editable(self, editable: bool) -> None:
        if editable == self._editable:
            return
        self._editable = editable
        if self._shown:
            self.dataChanged.emit(self.index(0), self.index(len(self._shown) - 1))

    # Qt model interface -----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._shown)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._shown)):
            return None
        if index.column() != 0:
            return None
        item = self._shown[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return item.text
        if role == Qt.ItemDataRole.ToolTipRole:
            return item.tooltip or None
        if role == Qt.ItemDataRole.ForegroundRole and item.holder is not None:
            return QBrush(HELD)
        if role == Qt.ItemDataRole.FontRole and item.kind is Kind.TEAM:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return (
                item.text
                if item.holder is None
                else tr("{text}, held by {holder}").format(text=item.text, holder=item.holder)
            )
        if role == self.ITEM_ROLE:
            return item.key
        if role == self.HOLDER_ROLE:
            return item.holder
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            # Drops land on the list itself (the order is the store's, not the drop point's).
            return Qt.ItemFlag.ItemIsDropEnabled if self._editable else Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self._editable:
            flags |= Qt.ItemFlag.ItemIsDragEnabled
        return flags

    # Drag and drop ------------------------------------------------------------------------

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({i.row() for i in indexes if i.isValid() and i.row() < len(self._shown)})
        payload = {
            "panel": self.panel.value,
            "side": self.side.value,
            "items": [self._shown[row].as_json() for row in rows],
        }
        data = QMimeData()
        data.setData(MIME_TYPE, QByteArray(json.dumps(payload).encode("utf-8")))
        data.setText("\n".join(self._shown[row].key for row in rows))
        return data

    def canDropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: Index,
    ) -> bool:
        if not self._editable or action not in (Qt.DropAction.MoveAction, Qt.DropAction.CopyAction):
            return False
        decoded = decode_members(data)
        if decoded is None:
            return False
        panel, side, items = decoded
        return panel is self.panel and side is self.side.other and bool(items)

    def dropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: Index,
    ) -> bool:
        """Report the drop (``dropped``/``refused``); True when anything may be assigned."""
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        decoded = decode_members(data)
        assert decoded is not None
        _panel, _side, items = decoded
        held = [i for i in items if self.side is Side.ASSIGNED and i.holder is not None]
        accepted = [i for i in items if i not in held]
        if accepted:
            self.dropped.emit(accepted)
        if held:  # after: the refusal message must outlive the accepted part's start
            self.refused.emit(held)
        return bool(accepted)
