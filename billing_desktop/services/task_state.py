"""What long work is given to report progress and learn it was cancelled (Orange's TaskState).

One object per task: the work calls ``progress(fraction, text)`` as it goes and ``check()`` (or
asks ``cancelled()``) between steps; the GUI's Cancel calls ``cancel()``, which stops the work
itself at its next step, not only its callbacks. The work then raises :class:`Cancelled` and
leaves nothing half-written. Qt-free: the GUI's task runner relays progress to its thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from billing_desktop.domain.errors import BillingError

# How a cancelled task's message ends ("the import was cancelled; nothing was written").
CANCELLED_SUFFIX = "was cancelled; nothing was written"


class Cancelled(BillingError):
    """The work was cancelled before it finished; nothing of it was written."""


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a task is: ``fraction`` from 0 to 1 (None while unknown) and what it does."""

    fraction: float | None
    text: str = ""


class TaskState:
    """Given to one long task; safe to use from the worker and the GUI thread."""

    def __init__(self, report: Callable[[Progress], None] | None = None) -> None:
        self._report = report
        self._cancel = threading.Event()

    def progress(self, fraction: float | None = None, text: str = "") -> None:
        if fraction is not None:
            fraction = min(1.0, max(0.0, fraction))
        if self._report is not None:
            self._report(Progress(fraction, text))

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self, what: str = "the work") -> None:
        """Raise :class:`Cancelled` when the task was cancelled (call between steps)."""
        if self._cancel.is_set():
            raise Cancelled(f"{what} {CANCELLED_SUFFIX}")
