"""Background operations: store work off the GUI thread (Anki's ``CollectionOp`` idea).

A view asks the :class:`TaskRunner` to run a plain function (usually one that opens its own unit
of work, ``with store() as uow: ...``, and returns plain data). The function runs on a
``QThreadPool`` worker; its result or exception comes back to the GUI thread through a queued
signal, where the ``on_done`` / ``on_error`` callbacks run. Nothing Qt-side is touched from the
worker, and no unit of work, connection or ORM object crosses threads.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from PySide6.QtCore import (
    QCoreApplication,
    QEventLoop,
    QObject,
    QRunnable,
    Qt,
    QThreadPool,
    Signal,
    Slot,
)

from billing_desktop.domain.errors import BillingError
from billing_desktop.services.task_state import Progress as StateProgress
from billing_desktop.services.task_state import TaskState
from billing_desktop.ui.i18n import tr
from billing_desktop.ui.service_messages import translate_message

T = TypeVar("T")

log = logging.getLogger(__name__)

GENERIC_ERROR = tr("Something went wrong while talking to the store. The details were logged.")

PROGRESS_STEPS = 1000  # a progress bar's resolution for a task's fraction done


def progress_value(progress: StateProgress) -> int | None:
    """A task's fraction done as a value of a 0..PROGRESS_STEPS bar (None while unknown)."""
    return None if progress.fraction is None else round(progress.fraction * PROGRESS_STEPS)


def user_message(exc: BaseException) -> str:
    """What to tell the user about ``exc``: a BillingError's own one-line message, or a
    generic sentence (the details go to the log)."""
    if isinstance(exc, BillingError):
        return translate_message(str(exc)) if str(exc) else type(exc).__name__
    return GENERIC_ERROR


class _Relay(QObject):
    """Carries a task's outcome from its worker thread to the GUI thread.

    Signals:
        done(int, object): task id and the function's return value.
        failed(int, object): task id and the exception it raised.
        state_progress(int, object): task id and a ``Progress`` its ``TaskState`` reported.
    """

    done = Signal(int, object)
    failed = Signal(int, object)
    state_progress = Signal(int, object)


@dataclass(eq=False)
class TaskHandle:
    """A submitted task. ``cancel()`` drops its callbacks, and stops the work itself when it
    was given a ``TaskState`` (``run(..., with_state=True)``): at its next step it raises
    ``Cancelled`` and writes nothing."""

    id: int
    description: str
    on_done: Callable[[Any], None] | None = None
    on_error: Callable[[str], None] | None = None
    cancelled: bool = False
    finished: bool = False
    runnable: QRunnable | None = field(default=None, repr=False)
    state: TaskState | None = field(default=None, repr=False)
    on_state_progress: Callable[[StateProgress], None] | None = None

    def cancel(self) -> None:
        self.cancelled = True
        if self.state is not None:
            self.state.cancel()


class _Task(QRunnable):
    def __init__(
        self,
        task_id: int,
        relay: _Relay,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        state: TaskState | None = None,
    ) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the runner holds it until the outcome is delivered
        self._id = task_id
        self._relay = relay
        self._fn = fn
        self._args = args
        self._state = state

    def run(self) -> None:
        try:
            if self._state is not None:
                result = self._fn(*self._args, state=self._state)
            else:
                result = self._fn(*self._args)
        except BaseException as exc:  # delivered to the GUI thread, never lost
            self._relay.failed.emit(self._id, exc)
        else:
            self._relay.done.emit(self._id, result)


class TaskRunner(QObject):
    """Runs store work on a thread pool and delivers outcomes on the GUI thread.

    Signals:
        busy_changed(bool): True when the first task starts, False when the last one ends.
        pending_changed(int): the number of tasks submitted and not yet delivered.
        error(str): a task without ``on_error`` failed; the user-facing message.
    """

    busy_changed = Signal(bool)
    pending_changed = Signal(int)
    error = Signal(str)

    def __init__(self, parent: QObject | None = None, max_threads: int = 4) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._relay = _Relay()
        # Queued: the slots run on this object's (the GUI) thread, whatever thread emits.
        self._relay.done.connect(self._deliver_done, Qt.ConnectionType.QueuedConnection)
        self._relay.failed.connect(self._deliver_failed, Qt.ConnectionType.QueuedConnection)
        self._relay.state_progress.connect(
            self._deliver_state_progress, Qt.ConnectionType.QueuedConnection
        )
        self._tasks: dict[int, TaskHandle] = {}
        self._next_id = 1

    @property
    def pending(self) -> int:
        return len(self._tasks)

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    def run(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        with_state: bool = False,
        on_state_progress: Callable[[StateProgress], None] | None = None,
        description: str = "",
    ) -> TaskHandle:
        """Run ``fn(*args)`` on a worker thread.

        ``on_done(result)`` or ``on_error(message)`` then runs on the GUI thread. With
        ``with_state``, ``fn`` is given ``state=TaskState``: what it reports reaches
        ``on_state_progress`` (a ``Progress``: fraction and text) on the GUI thread, and the
        handle's ``cancel()`` stops the work at its next step (``handle.state.cancel()`` stops it
        and still delivers its ``Cancelled`` error to ``on_error``).
        """
        task_id = self._next_id
        self._next_id += 1
        state = None
        if with_state:
            relay = self._relay
            state = TaskState(lambda progress: relay.state_progress.emit(task_id, progress))
        runnable = _Task(task_id, self._relay, fn, args, state)
        handle = TaskHandle(
            task_id,
            description or getattr(fn, "__name__", "task"),
            on_done,
            on_error,
            runnable=runnable,
            state=state,
            on_state_progress=on_state_progress,
        )
        self._tasks[task_id] = handle
        if len(self._tasks) == 1:
            self.busy_changed.emit(True)
        self.pending_changed.emit(len(self._tasks))
        self._pool.start(runnable)
        return handle

    def cancel_all(self) -> None:
        """Drop the callbacks of every pending task (e.g. before the views are replaced)."""
        for handle in self._tasks.values():
            handle.cancel()

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Process events until no task is pending; False when ``timeout`` seconds pass first.

        For scripted use (screenshots, tests); an interactive window never blocks like this.
        """
        deadline = time.monotonic() + timeout
        while self._tasks:
            if time.monotonic() > deadline:
                return False
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            if self._tasks:
                time.sleep(0.005)
        QCoreApplication.processEvents()
        return True

    def shutdown(self, timeout_ms: int = 10_000) -> None:
        """Forget every callback and wait for running work to finish (window closing)."""
        self.cancel_all()
        self._pool.waitForDone(timeout_ms)

    def _finish(self, task_id: int) -> TaskHandle | None:
        handle = self._tasks.pop(task_id, None)
        if handle is None:
            return None
        handle.finished = True
        handle.runnable = None
        self.pending_changed.emit(len(self._tasks))
        if not self._tasks:
            self.busy_changed.emit(False)
        return handle

    @Slot(int, object)
    def _deliver_done(self, task_id: int, result: Any) -> None:
        handle = self._finish(task_id)
        if handle is None or handle.cancelled or handle.on_done is None:
            return
        try:
            handle.on_done(result)
        except Exception as exc:
            log.exception("the view failed to show the result of %s", handle.description)
            self.error.emit(user_message(exc))

    @Slot(int, object)
    def _deliver_failed(self, task_id: int, exc: BaseException) -> None:
        handle = self._finish(task_id)
        description = handle.description if handle else f"task {task_id}"
        if not isinstance(exc, BillingError):
            log.error("%s failed", description, exc_info=(type(exc), exc, exc.__traceback__))
        if handle is None or handle.cancelled:
            return
        message = user_message(exc)
        if handle.on_error is not None:
            handle.on_error(message)
        else:
            self.error.emit(message)

    @Slot(int, object)
    def _deliver_state_progress(self, task_id: int, progress: StateProgress) -> None:
        handle = self._tasks.get(task_id)
        if handle is not None and not handle.cancelled and handle.on_state_progress is not None:
            handle.on_state_progress(progress)


def reporting(fn: Callable[..., T], *args: Any, **kwargs: Any) -> Callable[..., T]:
    """``fn(*args, progress=state.progress, **kwargs)`` as a task of ``run(with_state=True)``:
    for work below the use cases (the store's backups) that reports ``progress(fraction, text)``
    and knows no ``TaskState``."""

    def run(*, state: TaskState) -> T:
        return fn(*args, progress=state.progress, **kwargs)

    return run
