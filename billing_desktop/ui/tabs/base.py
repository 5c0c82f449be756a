"""What every tab shares: a caption, a table of one kind of data, and an empty state.

Tabs are thin: they say which service to call and which columns to show. The read runs on the
task runner (``read(store, service, ...)`` opens its own unit of work on the worker thread);
the result is shown on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, ClassVar, Concatenate, ParamSpec, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from billing_desktop.domain.access import Area
from billing_desktop.store.ports import RESOURCES, UnitOfWork
from billing_desktop.ui.context import TabContext, read
from billing_desktop.ui.i18n import tr
from billing_desktop.ui.language import area_title
from billing_desktop.ui.models.table import Column, ColumnTableModel
from billing_desktop.ui.tasks import TaskHandle
from billing_desktop.ui.widgets.table import make_table

T = TypeVar("T")
P = ParamSpec("P")


class Page(QWidget):
    """What the main window needs of a tab (or of a section inside a tab).

    A page loads from the store when first shown (``ensure_loaded``), reloads on F5
    (``refresh``), reloads when next shown after ``mark_stale``, and stops loading on
    ``cancel``. Subclasses implement ``start_load()``, which starts one task on the runner and
    keeps its handle in ``self._handle``, and call ``finish_load()`` when its result or error
    is shown.

    Signals:
        loaded(): the data (or the empty state, or an error) is shown.
    """

    loaded = Signal()

    area: ClassVar[Area]
    # The resources (``store.ports.RESOURCES``) whose changes this page shows: a write that
    # changes one of them reloads the page, or marks it stale when it is not shown.
    watches: ClassVar[frozenset[str]] = RESOURCES

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._handle: TaskHandle | None = None
        self._loaded_once = False
        self._stale = True

    @property
    def is_loading(self) -> bool:
        return self._handle is not None

    @property
    def loaded_once(self) -> bool:
        return self._loaded_once

    def ensure_loaded(self) -> None:
        """Load when never loaded or marked stale (pages load when first shown)."""
        if self._stale and self._handle is None:
            self.refresh()

    def mark_stale(self) -> None:
        self._stale = True

    def follow_changes(self, resources: frozenset[str], shown: bool) -> None:
        """A write changed ``resources``: reload now when shown and already loaded, else
        reload when next shown."""
        if not resources & self.watches:
            return
        if shown:
            self.refresh()
        else:
            self.mark_stale()

    def refresh(self) -> None:
        self.cancel()
        self._stale = False
        self.start_load()

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def start_load(self) -> None:
        raise NotImplementedError

    def finish_load(self, failed: bool = False) -> None:
        """The load's result (or error) is shown; a failed load is tried again when the page
        is next shown."""
        self._handle = None
        self._loaded_once = True
        if failed:
            self._stale = True


class TableTab(Page):
    """A tab showing one table loaded from the store, or a short explanation when it is empty.

    Subclasses set ``area`` and ``columns()``, and implement ``start_load()`` (usually
    ``self.load(service, *args)``) and ``empty_text()``.

    Signals:
        loaded(): see :class:`Page`.
    """

    stretch_column: ClassVar[int | None] = None  # a column taking the spare width, if any
    min_first_width: ClassVar[int] = 220

    def __init__(self, context: TabContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName(f"{self.area.value}Tab")

        self.caption = QLabel(self)
        self.caption.setObjectName("caption")
        self.caption.setWordWrap(True)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.toolbar = QHBoxLayout()
        self.toolbar.setContentsMargins(0, 0, 0, 0)
        self.toolbar.addWidget(self.caption, 1)

        self.model = self.make_model()
        self.table = make_table(self)
        self.table.setObjectName(f"{self.area.value}Table")
        self.table.setAccessibleName(area_title(self.area))
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        if self.stretch_column is not None:
            header.setSectionResizeMode(self.stretch_column, QHeaderView.ResizeMode.Stretch)

        self.empty_label = QLabel(self)
        self.empty_label.setObjectName("emptyState")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 10, 4, 4)
        layout.setSpacing(8)
        layout.addLayout(self.toolbar)
        layout.addWidget(self.stack, 1)
        self.setFocusProxy(self.table)
        self.show_message(tr("Loading…"))

    # What a subclass provides ---------------------------------------------------------------

    def columns(self) -> Sequence[Column[Any]]:
        raise NotImplementedError

    def make_model(self) -> ColumnTableModel[Any]:
        return ColumnTableModel(self.columns(), self)

    def empty_text(self) -> str:
        return tr("Nothing to show yet.")

    def rows_of(self, result: Any) -> Sequence[Any]:
        """The rows in a service result (a list by default)."""
        return list(result)

    def populate(self, result: Any) -> int:
        """Put a service result into the model; returns the number of rows shown."""
        rows = self.rows_of(result)
        self.model.set_rows(rows)
        return len(rows)

    def clear_model(self) -> None:
        self.model.set_rows([])

    def unavailable_text(self, result: Any) -> str | None:
        """A reason to show instead of the table, when the result says there is one."""
        return None

    # Loading ----------------------------------------------------------------------------

    def load(
        self, service: Callable[Concatenate[UnitOfWork, P], Any], *args: P.args, **kwargs: P.kwargs
    ) -> None:
        """Read ``service(uow, *args, **kwargs)`` on the runner, then show it (mypy checks the
        arguments against the service's own)."""
        self._handle = self.context.runner.run(
            partial(read, self.context.store, service, *args, **kwargs),
            on_done=self._show_result,
            on_error=self._show_error,
            description=f"load {self.area.label}",
        )

    def _show_result(self, result: Any) -> None:
        self.finish_load()
        reason = self.unavailable_text(result)
        if reason is not None:
            self.clear_model()
            self.show_message(reason)
        elif self.populate(result):
            self.fit_columns()
            self.stack.setCurrentWidget(self.table)
        else:
            self.show_message(self.empty_text())
        self.loaded.emit()

    def _show_error(self, message: str) -> None:
        self.finish_load(failed=True)
        self.clear_model()
        self.show_message(
            tr("Could not load {label}: {message}").format(
                label=area_title(self.area), message=message
            )
        )
        self.loaded.emit()

    def show_message(self, text: str) -> None:
        self.empty_label.setText(text)
        self.stack.setCurrentWidget(self.empty_label)

    @property
    def showing_table(self) -> bool:
        return self.stack.currentWidget() is self.table

    def fit_columns(self) -> None:
        """Size columns to their contents (the loaded rows), leaving room for the header."""
        header = self.table.horizontalHeader()
        for column in range(self.model.columnCount()):
            if column == self.stretch_column:
                continue
            self.table.resizeColumnToContents(column)
            width = header.sectionSize(column) + 12
            if column == 0:
                width = max(width, self.min_first_width)
            header.resizeSection(column, width)
