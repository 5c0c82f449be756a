"""One column-driven table model for every list the tabs show.

A tab declares its columns (title, how to get the shown value from a row, alignment, an
optional colour); the model does the Qt plumbing. Rows are plain service results. Numbers and
money are right-aligned; money is formatted in the account's currency.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from billing_desktop.ui import locale_format, theme
from billing_desktop.ui.i18n import tr
from billing_desktop.ui.locale_format import format_money

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex

LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
CENTER = Qt.AlignmentFlag.AlignCenter
NEGATIVE = theme.NEGATIVE  # "to be invoiced" red (PRODUCT §4.4); lighter in the dark theme
_CELL_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable  # once, not per call


@dataclass(frozen=True)
class Column(Generic[R]):
    """One column: its header, the text shown for a row, and how it is aligned.

    ``sort_value`` is the raw value (for callers that need it, e.g. tests and exports);
    ``foreground`` may colour a cell (negative balances in red).
    """

    title: str
    text: Callable[[R], str]
    align: Qt.AlignmentFlag = LEFT
    tooltip: str = ""
    raw: Callable[[R], Any] | None = None
    foreground: Callable[[R], QColor | None] | None = None
    cell_tooltip: Callable[[R], str | None] | None = None  # e.g. the full text of a long cell


NEGATIVE_DESCRIPTION = tr("Negative amount (shown in red)")


def negative_description(column: Column[R], row: R) -> str | None:
    """Colour is never the only signal: a red negative figure also says so to a screen reader
    (its text already carries the minus sign)."""
    if column.raw is None or column.foreground is None:
        return None
    value = column.raw(row)
    if isinstance(value, (Decimal, int)) and not isinstance(value, bool) and value < 0:
        return NEGATIVE_DESCRIPTION
    return None


def text_column(title: str, get: Callable[[R], object], tooltip: str = "") -> Column[R]:
    return Column(title, lambda row: _text(get(row)), LEFT, tooltip, get)


def number_column(title: str, get: Callable[[R], int | Decimal], tooltip: str = "") -> Column[R]:
    return Column(title, lambda row: format_number(get(row)), RIGHT, tooltip, get)


def money_column(
    title: str,
    get: Callable[[R], Decimal],
    currency: str | None,
    tooltip: str = "",
    red_when_negative: bool = False,
) -> Column[R]:
    def colour(row: R) -> QColor | None:
        return NEGATIVE if get(row) < 0 else None

    return Column(
        title,
        lambda row: display_money(get(row), currency),
        RIGHT,
        tooltip,
        get,
        colour if red_when_negative else None,
    )


def price_column(
    title: str, get: Callable[[R], Decimal], currency: str | None, tooltip: str = ""
) -> Column[R]:
    return Column(title, lambda row: display_price(get(row), currency), RIGHT, tooltip, get)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return locale_format.format_moment(value)
    if isinstance(value, date):
        return locale_format.format_day(value)
    return str(value)


def format_number(value: int | Decimal) -> str:
    """Thousands separators, no exponent ("12,000", "2.5"), in the GUI's locale."""
    return locale_format.format_number(value)


def display_money(amount: Decimal, currency: str | None) -> str:
    if currency is None:
        return f"{amount:,f}"
    return format_money(amount, currency)


def display_price(price: Decimal, currency: str | None) -> str:
    """A unit price: money formatting, but never rounded away (0.0125 stays 0.0125)."""
    if currency is None:
        return f"{price:,f}"
    return format_money(price, currency, keep_precision=True)


class ColumnTableModel(QAbstractTableModel, Generic[R]):
    """A read-only table over a list of plain rows, described by :class:`Column` objects.

    Signals: the standard ``QAbstractItemModel`` ones (``modelReset`` when rows are replaced,
    ``rowsInserted`` when rows are appended).
    """

    def __init__(self, columns: Sequence[Column[R]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: list[R] = []

    @property
    def columns(self) -> list[Column[R]]:
        return list(self._columns)

    @property
    def rows(self) -> list[R]:
        return list(self._rows)

    def row_at(self, row: int) -> R:
        return self._rows[row]

    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def append_rows(self, rows: Sequence[R]) -> None:
        if not rows:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()

    # Qt model interface -----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        if not (0 <= index.column() < len(self._columns)):
            return None
        column = self._columns[index.column()]
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return column.align
        if role == Qt.ItemDataRole.ForegroundRole and column.foreground is not None:
            colour = column.foreground(row)
            return QBrush(colour) if colour is not None else None
        if role == Qt.ItemDataRole.UserRole:
            return column.raw(row) if column.raw is not None else column.text(row)
        if role == Qt.ItemDataRole.ToolTipRole and column.cell_tooltip is not None:
            return column.cell_tooltip(row)
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:
            return negative_description(column, row)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            column = self._columns[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return column.title
            if role == Qt.ItemDataRole.ToolTipRole:
                return column.tooltip or None
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return column.align
            return None
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _CELL_FLAGS
