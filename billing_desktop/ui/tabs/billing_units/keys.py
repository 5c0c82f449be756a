"""Keys of the units table: Delete deletes the unit, Enter goes to its members."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent


class TableKeys(QObject):
    """An event filter: Delete (or Backspace) calls ``on_delete``, Enter ``on_enter``."""

    def __init__(
        self, parent: QObject, on_delete: Callable[[], None], on_enter: Callable[[], None]
    ) -> None:
        super().__init__(parent)
        self._on_delete = on_delete
        self._on_enter = on_enter

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                self._on_delete()
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._on_enter()
                return True
        return False
