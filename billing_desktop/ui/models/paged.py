"""A table model that pages a very large list in from the store (the 1M-row call log).

Qt asks ``canFetchMore``/``fetchMore`` when the view scrolls near the end; each fetch runs one
page query on the :class:`~billing_desktop.ui.tasks.TaskRunner` and appends the rows on the GUI
thread. Ordering and filtering belong in SQL, not in a proxy model (ARCHITECTURE: Habits).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Signal

from billing_desktop.ui.models.table import Column, ColumnTableModel
from billing_desktop.ui.tasks import TaskHandle, TaskRunner

R = TypeVar("R")
PAGE_SIZE = 500

# load_page(offset, limit) -> rows; runs on a worker thread and opens its own unit of work.
PageLoader = Callable[[int, int], Sequence[Any]]


class PagedTableModel(ColumnTableModel[Any]):
    """A :class:`ColumnTableModel` whose rows arrive page by page.

    Signals:
        page_loaded(int): rows held after a page arrived.
        load_failed(str): a page could not be read (the user-facing message).
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
    ) -> None:
        super().__init__(columns, parent)
        self._runner = runner
        self._load_page = load_page
        self._page_size = page_size
        self._total = 0
        self._fetching: TaskHandle | None = None
        self._generation = 0

    @property
    def total(self) -> int:
        """How many rows exist in the store (not how many are loaded)."""
        return self._total

    @property
    def page_size(self) -> int:
        return self._page_size

    @property
    def fetching(self) -> bool:
        return self._fetching is not None

    def reset(self, total: int, first_page: Sequence[Any]) -> None:
        """Start over with ``total`` rows in the store and the first page already read."""
        self._generation += 1
        if self._fetching is not None:
            self._fetching.cancel()
            self._fetching = None
        self._total = max(total, len(first_page))
        self.set_rows(first_page)

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> bool:
        if parent.isValid():
            return False
        return self._fetching is None and len(self._rows) < self._total

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> None:
        if not self.canFetchMore(parent):
            return
        generation, offset = self._generation, len(self._rows)
        limit = min(self._page_size, self._total - offset)
        self._fetching = self._runner.run(
            self._load_page,
            offset,
            limit,
            on_done=lambda rows: self._arrived(generation, offset, rows),
            on_error=lambda message: self._failed(generation, message),
            description=f"page of {limit} rows from {offset}",
        )

    def _arrived(self, generation: int, offset: int, rows: Sequence[Any]) -> None:
        if generation != self._generation:
            return
        self._fetching = None
        if offset != len(self._rows):
            return  # a reset happened in between; the next fetch starts from the right place
        if not rows:
            self._total = len(self._rows)  # the store shrank since the count was taken
        self.append_rows(rows)
        self.page_loaded.emit(len(self._rows))

    def _failed(self, generation: int, message: str) -> None:
        if generation != self._generation:
            return
        self._fetching = None
        self._total = len(self._rows)  # stop asking until the next refresh
        self.load_failed.emit(message)
