"""A table model over a very large list read from the store page by page (the 1M-row call log).

The model is a window onto the list: ``rowCount()`` is the whole count (from SQL), and only the
pages around the rows the view asks for are held, in a small least-recently-used cache. A row
whose page is not held yet shows a "Loading…" placeholder; asking for it queues its page, which
is read on the :class:`~billing_desktop.ui.tasks.TaskRunner` (never on the GUI thread) and
announced with ``dataChanged`` when it arrives. The view's scroll bar therefore spans every row
from the start, and Ctrl+End or a drag to the bottom reads one page at the far end, which the
store reads in the reverse order (``LIMIT``, no deep ``OFFSET``), so it is as quick as the first.

This replaces ``fetchMore`` paging on purpose. ``fetchMore`` only ever appends: reaching the
last of a million rows meant reading and holding all of them, the scroll bar grew as the user
scrolled, and memory grew with every page. Rows still come from SQL a page at a time, ordered
and filtered there (ARCHITECTURE: Habits); the model simply asks for the pages being looked at
instead of the next one. ``canFetchMore`` stays False (the Qt default): there is never
"more" to append.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor

from billing_desktop.ui.i18n import tr
from billing_desktop.ui.models.table import Column, ColumnTableModel
from billing_desktop.ui.tasks import TaskHandle, TaskRunner

PAGE_SIZE = 500
MAX_PAGES = 24  # pages held at most: 12,000 rows, a few screens either side of any position
MAX_LOADING = 2  # page reads running at once (the runner's pool is shared with the other tabs)
MAX_WANTED = 6  # pages waiting to be read; the oldest requests are dropped (scrolled past)
LOADING = tr("Loading…")
PLACEHOLDER_COLOUR = QColor(128, 128, 128)

# load_page(offset, limit) -> rows; runs on a worker thread and opens its own unit of work.
PageLoader = Callable[[int, int], Sequence[Any]]

# The roles :meth:`WindowedTableModel.data` answers. A view painting a cell asks for a dozen
# (font, background, decoration, check state, size hint…): those are answered None before any
# look-up, which is most of the calls a repaint makes (B6).
_ROLES = frozenset(
    int(role)
    for role in (
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.UserRole,
        Qt.ItemDataRole.ToolTipRole,
    )
)

Index = QModelIndex | QPersistentModelIndex


class WindowedTableModel(ColumnTableModel[Any]):
    """A :class:`ColumnTableModel` over ``total`` rows, of which only a few pages are held.

    Signals:
        page_loaded(int): the index of a page that arrived (its rows were announced with
            ``dataChanged``).
        load_failed(str): a page could not be read (the user-facing message); its rows show
            an empty placeholder until the next :meth:`reset`.
    """

    page_loaded = Signal(int)
    load_failed = Signal(str)

    def __init__(
        self,
        columns: Sequence[Column[Any]],
        runner: TaskRunner,
        load_page: PageLoader,
        page_size: int = PAGE_SIZE,
        parent: QObject | None = None,
        max_pages: int = MAX_PAGES,
    ) -> None:
        super().__init__(columns, parent)
        self._runner = runner
        self._load_page = load_page
        self._page_size = max(page_size, 1)
        self._max_pages = max(max_pages, 2)
        self._total = 0
        self._generation = 0
        self._pages: OrderedDict[int, Sequence[Any]] = OrderedDict()  # least recent first
        self._latest = -1  # the page last in ``_pages`` (the most recent), -1 for none
        self._loading: dict[int, TaskHandle] = {}
        self._wanted: OrderedDict[int, None] = OrderedDict()  # most recent last
        self._dropped: set[int] = set()  # wanted pages given up (asked for again if on screen)
        self._failed: set[int] = set()
        self._scheduled = False
        self.pages_read = 0  # pages read from the store since this model was made

    # State ------------------------------------------------------------------------------

    @property
    def total(self) -> int:
        """How many rows there are (all of them are rows of the model)."""
        return self._total

    @property
    def page_size(self) -> int:
        return self._page_size

    @property
    def max_pages(self) -> int:
        return self._max_pages

    @property
    def held_rows(self) -> int:
        """How many rows are held in memory (at most ``max_pages`` pages)."""
        return sum(len(page) for page in self._pages.values())

    @property
    def loading(self) -> bool:
        """Whether page reads are running or waiting to run."""
        return bool(self._loading or self._wanted)

    @property
    def rows(self) -> list[Any]:
        """The rows held, in row order (not every row: see :attr:`total`)."""
        return [row for number in sorted(self._pages) for row in self._pages[number]]

    def is_loaded(self, row: int) -> bool:
        return self._held(row) is not None

    def row_at(self, row: int) -> Any | None:
        """The row, when its page is held (None while it is loading)."""
        return self._held(row)

    def reset(
        self, total: int, first_page: Sequence[Any], load_page: PageLoader | None = None
    ) -> None:
        """Start over with ``total`` rows in the store and the first page already read; the
        other pages are read with ``load_page`` from now on, when given (the new query's)."""
        if load_page is not None:
            self._load_page = load_page
        self._reset(max(total, len(first_page)), [first_page] if first_page else [])

    def set_rows(self, rows: Sequence[Any]) -> None:
        """Every row at once (a short list): a reset with its first pages held."""
        size = self._page_size
        pages = [rows[start : start + size] for start in range(0, len(rows), size)]
        self._reset(len(rows), pages[: self._max_pages])

    def _reset(self, total: int, pages: Sequence[Sequence[Any]]) -> None:
        self.beginResetModel()
        self._generation += 1
        for handle in self._loading.values():
            handle.cancel()
        self._loading.clear()
        self._wanted.clear()
        self._dropped.clear()
        self._failed.clear()
        self._pages.clear()
        self._total = max(total, 0)
        for number, page in enumerate(pages):
            self._pages[number] = list(page)
        self._latest = len(pages) - 1
        self.endResetModel()

    def append_rows(self, rows: Sequence[Any]) -> None:
        raise NotImplementedError("a windowed model is reset with a new total, never appended")

    def request_rows(self, first: int, last: int) -> None:
        """Read the pages holding rows ``first``..``last`` (as the view does by showing them)."""
        if self._total == 0:
            return
        first, last = max(first, 0), min(last, self._total - 1)
        for number in range(first // self._page_size, last // self._page_size + 1):
            self._want(number)

    # Qt model interface -----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._total

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ROLES or not index.isValid():
            return None
        row, column_number = index.row(), index.column()
        if not (0 <= row < self._total and 0 <= column_number < len(self._columns)):
            return None
        column = self._columns[column_number]
        item = self._held(row)
        if item is None:
            return self._placeholder(row, column_number, column, role)
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(item)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return column.align
        if role == Qt.ItemDataRole.ForegroundRole and column.foreground is not None:
            colour = column.foreground(item)
            return QBrush(colour) if colour is not None else None
        if role == Qt.ItemDataRole.UserRole:
            return column.raw(item) if column.raw is not None else column.text(item)
        if role == Qt.ItemDataRole.ToolTipRole and column.cell_tooltip is not None:
            return column.cell_tooltip(item)
        return None

    # Pages ------------------------------------------------------------------------------

    def _held(self, row: int) -> Any | None:
        number, offset = divmod(row, self._page_size)
        page = self._pages.get(number)
        if page is None or offset >= len(page):
            return None
        if number != self._latest:  # a repaint asks for the same page hundreds of times
            self._pages.move_to_end(number)
            self._latest = number
        return page[offset]

    def _placeholder(self, row: int, column_number: int, column: Column[Any], role: int) -> Any:
        number = row // self._page_size
        # A page that failed, or came back shorter (the store shrank since the count), shows
        # empty rows until the next reset rather than being asked for again and again.
        coming = number not in self._pages and number not in self._failed
        if coming:
            self._want(number)
        if role == Qt.ItemDataRole.DisplayRole:
            return LOADING if column_number == 0 and coming else ""
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return column.align
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(PLACEHOLDER_COLOUR)
        return None

    def _want(self, number: int) -> None:
        if number in self._pages or number in self._loading or number in self._failed:
            return
        self._wanted[number] = None
        self._wanted.move_to_end(number)
        while len(self._wanted) > MAX_WANTED:
            dropped, _ = self._wanted.popitem(last=False)  # asked for long ago: scrolled past
            self._dropped.add(dropped)
        if not self._scheduled:
            # Start reads once the view has finished asking (data() runs inside paint events).
            self._scheduled = True
            QTimer.singleShot(0, self, self._start_reads)

    def _start_reads(self) -> None:
        self._scheduled = False
        dropped, self._dropped = self._dropped, set()
        for number in sorted(dropped):
            if number not in self._pages and number not in self._wanted:
                # Repaint its rows: a view still showing them asks for the page again.
                self._announce(number)
        while self._wanted and len(self._loading) < MAX_LOADING:
            number, _ = self._wanted.popitem(last=True)  # the rows looked at most recently
            if number not in self._pages and number not in self._loading:
                self._read(number)

    def _announce(self, number: int) -> None:
        first = number * self._page_size
        last = min(first + self._page_size, self._total) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, self.columnCount() - 1))

    def _read(self, number: int) -> None:
        generation = self._generation
        offset = number * self._page_size
        limit = min(self._page_size, self._total - offset)
        self._loading[number] = self._runner.run(
            self._load_page,
            offset,
            limit,
            on_done=lambda rows: self._arrived(generation, number, rows),
            on_error=lambda message: self._failed_to_read(generation, number, message),
            description=f"page of {limit} rows from {offset}",
        )

    def _arrived(self, generation: int, number: int, rows: Sequence[Any]) -> None:
        if generation != self._generation:
            return
        self._loading.pop(number, None)
        self.pages_read += 1
        self._pages[number] = list(rows)
        self._pages.move_to_end(number)
        self._latest = number
        while len(self._pages) > self._max_pages:
            self._pages.popitem(last=False)
        self._announce(number)
        self.page_loaded.emit(number)
        self._start_reads()

    def _failed_to_read(self, generation: int, number: int, message: str) -> None:
        if generation != self._generation:
            return
        self._loading.pop(number, None)
        self._failed.add(number)  # not asked again until the next reset: no retry storm
        self._announce(number)
        self.load_failed.emit(message)
        self._start_reads()
