"""Buttons that appear on the table row under the mouse: a main action and a "…" menu.

The buttons float over the right end of the hovered row (a child of the view's viewport), so
the model keeps no column for them and the keyboard path stays the tab's own (its toolbar
button, Enter, the context menu). The row whose buttons are shown is ``row``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QMenu, QToolButton, QWidget

from billing_desktop.ui.i18n import tr

RowCallback = Callable[[int], object]


class RowActions(QWidget):
    """Hover buttons for ``view``: ``main`` (e.g. "Manage…") and a "…" button whose menu
    lists ``more`` ((text, callback) pairs). Each callback gets the row."""

    def __init__(
        self,
        view: QAbstractItemView,
        main: tuple[str, RowCallback],
        more: Sequence[tuple[str, RowCallback]],
        parent_name: str = "rowActions",
    ) -> None:
        super().__init__(view.viewport())
        self.setObjectName(parent_name)
        self.view = view
        self.row = -1
        self.setAutoFillBackground(True)
        self.main_button = QToolButton(self)
        self.main_button.setObjectName(f"{parent_name}Main")
        self.main_button.setText(main[0])
        self.main_button.setAccessibleName(main[0].replace("&", "").rstrip("…"))
        self.main_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the toolbar's button has it
        self.main_button.clicked.connect(lambda: self._run(main[1]))
        self.more_button = QToolButton(self)
        self.more_button.setObjectName(f"{parent_name}More")
        self.more_button.setText("…")
        self.more_button.setAccessibleName(tr("More actions"))
        self.more_button.setToolTip(tr("More actions for this row"))
        self.more_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        # "…" says there is more: no menu arrow drawn over it
        self.more_button.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0; }")
        self.menu = QMenu(self.more_button)
        self.more_actions: list[QAction] = []
        for text, callback in more:
            action = self.menu.addAction(text)
            action.triggered.connect(lambda _checked=False, c=callback: self._run(c))
            self.more_actions.append(action)
        self.more_button.setMenu(self.menu)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 0, 2, 0)
        layout.setSpacing(2)
        layout.addWidget(self.main_button)
        layout.addWidget(self.more_button)
        self.hide()
        view.setMouseTracking(True)
        view.entered.connect(self._entered)
        view.viewport().installEventFilter(self)
        model = view.model()
        if model is not None:
            model.modelReset.connect(self.clear)
            model.layoutChanged.connect(self.clear)

    def _run(self, callback: RowCallback) -> None:
        if self.row >= 0:
            callback(self.row)

    def _entered(self, index: QModelIndex) -> None:
        self.show_for(index.row() if index.isValid() else -1)

    def show_for(self, row: int) -> None:
        """Show the buttons at the right end of ``row`` (-1: hide them)."""
        model = self.view.model()
        if model is None or not 0 <= row < model.rowCount():
            self.clear()
            return
        self.row = row
        rect = self.view.visualRect(model.index(row, 0))
        self.adjustSize()
        height = max(rect.height() - 2, 1)
        width = self.sizeHint().width()
        self.resize(width, height)
        self.move(self.view.viewport().width() - width - 4, rect.top() + 1)
        self.show()
        self.raise_()

    def clear(self) -> None:
        self.row = -1
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is not self.view.viewport():
            return False
        if event.type() == QEvent.Type.Leave and not self.menu.isVisible():
            self.clear()
        elif event.type() == QEvent.Type.Resize and self.row >= 0:
            self.show_for(self.row)
        return False
