"""A column table model that sorts itself and gives cells tooltips and extra roles.

For short lists (a month's products): the rows are already in memory, so sorting them here is
instant, and there is no proxy model in between (ARCHITECTURE: no QSortFilterProxyModel).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt

from billing_desktop.ui.models.table import Column, ColumnTableModel, Index

R = TypeVar("R")

BAR_ROLE = int(Qt.ItemDataRole.UserRole) + 1  # (used, total) for a bar delegate


@dataclass(frozen=True)
class RichColumn(Column[R]):
    """A :class:`Column` with a sort key, a per-cell tooltip and a value for ``BAR_ROLE``."""

    sort_key: Callable[[R], Any] | None = None
    cell_tooltip: Callable[[R], str | None] | None = None
    bar: Callable[[R], Any] | None = None


class SortableTableModel(ColumnTableModel[R]):
    """A :class:`ColumnTableModel` whose ``sort()`` reorders its rows in place (a layout change,
    persistent indexes follow their rows); new rows keep the last sort order.

    Signals: the standard ``QAbstractItemModel`` ones (``layoutChanged`` after a sort).
    """

    def __init__(self, columns: Sequence[Column[R]], parent: QObject | None = None) -> None:
        super().__init__(columns, parent)
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder

    @property
    def sort_column(self) -> int:
        return self._sort_column

    @property
    def sort_order(self) -> Qt.SortOrder:
        return self._sort_order

    def _key(self, column: int) -> Callable[[R], Any]:
        spec = self.columns[column]
        if isinstance(spec, RichColumn) and spec.sort_key is not None:
            return spec.sort_key
        if spec.raw is not None:
            return spec.raw
        return spec.text

    def _sorted(self, rows: Sequence[R]) -> list[R]:
        if not (0 <= self._sort_column < self.columnCount()):
            return list(rows)
        descending = self._sort_order == Qt.SortOrder.DescendingOrder
        return sorted(rows, key=self._key(self._sort_column), reverse=descending)

    def set_rows(self, rows: Sequence[R]) -> None:
        super().set_rows(self._sorted(rows))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort_column = column
        self._sort_order = order
        if not self._rows or not (0 <= column < self.columnCount()):
            return
        self.layoutAboutToBeChanged.emit()
        key = self._key(column)
        rows = self._rows
        positions = sorted(
            range(len(rows)),
            key=lambda i: key(rows[i]),
            reverse=order == Qt.SortOrder.DescendingOrder,
        )
        new_row = {old: new for new, old in enumerate(positions)}
        self._rows = [rows[i] for i in positions]
        before = self.persistentIndexList()
        after = [self.index(new_row[i.row()], i.column()) for i in before]
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role in (Qt.ItemDataRole.ToolTipRole, BAR_ROLE) and index.isValid():
            if not (0 <= index.row() < len(self._rows)):
                return None
            if not (0 <= index.column() < len(self._columns)):
                return None
            column = self._columns[index.column()]
            if not isinstance(column, RichColumn):
                return None
            row = self._rows[index.row()]
            if role == BAR_ROLE:
                return column.bar(row) if column.bar is not None else None
            return column.cell_tooltip(row) if column.cell_tooltip is not None else None
        return super().data(index, role)
