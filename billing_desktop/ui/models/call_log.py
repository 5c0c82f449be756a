"""The call-log model: a window onto a very large, SQL-sorted call log (PRODUCT §8.1, B6).

Every call of the query is a row (``rowCount()`` is the SQL count); the pages being looked at
are read from the store as the view shows them (see :class:`WindowedTableModel`). Clicking a
header does not sort the held rows in Python: it asks the owner (``sort_requested``) to read
the log again ordered in SQL, so the order is right over every row of the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

from billing_desktop.ui.models.paged import PAGE_SIZE, PageLoader, WindowedTableModel
from billing_desktop.ui.models.table import Column
from billing_desktop.ui.tasks import TaskRunner


class CallLogModel(WindowedTableModel):
    """A :class:`WindowedTableModel` whose columns each name an SQL sort key (or None).

    Signals:
        sort_requested(str, bool): the sort key and whether descending, for a new SQL read.
    """

    sort_requested = Signal(str, bool)

    def __init__(
        self,
        columns: Sequence[Column[Any]],
        sort_keys: Sequence[str | None],
        runner: TaskRunner,
        load_page: PageLoader,
        page_size: int = PAGE_SIZE,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(columns, runner, load_page, page_size, parent)
        self._sort_keys = list(sort_keys)

    def sort_key(self, column: int) -> str | None:
        return self._sort_keys[column] if 0 <= column < len(self._sort_keys) else None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = self.sort_key(column)
        if key is not None:
            self.sort_requested.emit(key, order == Qt.SortOrder.DescendingOrder)
