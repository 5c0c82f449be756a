"""Changes to billing units, queued and undoable: each is a typed ``store.write`` call.

A command is pushed on the tab's ``QUndoStack`` once its change is in the store; its undo and
redo run the inverse change and the change again through the tab's queue (``run_edit``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtGui import QUndoCommand

from billing_desktop.domain.access import Actor
from billing_desktop.services.gateway import Gateway as Store
from billing_desktop.ui.i18n import tr

T = TypeVar("T")
# A change to the store: a typed ``store.write(use_case, actor, ...)`` call, made on a worker
# thread (mypy checks its arguments against the use case's).
Change = Callable[[Store, Actor], T]


@dataclass
class Edit(Generic[T]):
    """A change waiting its turn in the queue, with what to do when it is done."""

    description: str
    change: Change[T]
    on_done: Callable[[T], None] | None
    on_error: Callable[[str], None] | None


class EditRunner(Protocol):
    """What queues the changes (the tab): one at a time, in order."""

    def run_edit(
        self,
        description: str,
        change: Change[T],
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        history: bool = False,
    ) -> None: ...


class StoreCommand(QUndoCommand):
    """An undoable change that is already in the store when pushed.

    ``undo_change``/``redo_change`` make the inverse change and the change again (read their
    arguments when they run, so a redo can pass on what the undo before it found);
    ``redone`` receives a redo's result.
    """

    def __init__(
        self,
        tab: EditRunner,
        text: str,
        undo_change: Change[object],
        redo_change: Change[Any],
        redone: Callable[[Any], None] | None = None,
    ) -> None:
        super().__init__(text)
        self._tab = tab
        self._undo_change = undo_change
        self._redo_change = redo_change
        self._redone = redone
        self._pushed = False

    def redo(self) -> None:
        if not self._pushed:  # QUndoStack.push() calls redo(): the change is already made
            self._pushed = True
            return
        self._tab.run_edit(
            tr("Redo {text}").format(text=self.text()),
            self._redo_change,
            on_done=self._redone,
            history=True,
        )

    def undo(self) -> None:
        self._tab.run_edit(
            tr("Undo {text}").format(text=self.text()), self._undo_change, history=True
        )
