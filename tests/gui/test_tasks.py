"""The task runner: work on a pool thread, outcomes on the GUI thread."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import pytest

from billing_desktop.domain.errors import InvalidInput
from billing_desktop.services.task_state import Cancelled, Progress, TaskState
from billing_desktop.ui.tasks import GENERIC_ERROR, TaskRunner, reporting, user_message


@pytest.fixture
def runner(qtbot: Any) -> Any:
    made = TaskRunner()
    yield made
    made.shutdown()


def test_work_runs_off_the_gui_thread_and_the_result_comes_back_on_it(
    qtbot: Any, runner: TaskRunner
) -> None:
    seen: dict[str, Any] = {}

    def work(a: int, b: int) -> int:
        seen["worker"] = threading.current_thread()
        return a + b

    def done(result: int) -> None:
        seen["result"] = result
        seen["delivered"] = threading.current_thread()

    with qtbot.waitSignal(runner.busy_changed, check_params_cb=lambda busy: not busy):
        runner.run(work, 2, 3, on_done=done)
        assert runner.busy and runner.pending == 1
    assert seen["result"] == 5
    assert seen["worker"] is not threading.main_thread()
    assert seen["delivered"] is threading.main_thread()
    assert runner.pending == 0


def test_a_billing_error_reaches_on_error_with_its_own_message(
    qtbot: Any, runner: TaskRunner
) -> None:
    messages: list[str] = []

    def fail() -> None:
        raise InvalidInput("'x' is not an amount")

    runner.run(fail, on_done=lambda _: pytest.fail("no result expected"), on_error=messages.append)
    assert runner.wait_idle(5)
    assert messages == ["'x' is not an amount"]


def test_other_errors_get_a_generic_message_and_are_logged(
    qtbot: Any, runner: TaskRunner, caplog: pytest.LogCaptureFixture
) -> None:
    def crash() -> None:
        raise ZeroDivisionError("boom")

    with (
        caplog.at_level(logging.ERROR, logger="billing_desktop.ui.tasks"),
        qtbot.waitSignal(runner.error) as signal,
    ):
        runner.run(crash, description="divide")
    assert signal.args == [GENERIC_ERROR]
    assert "divide failed" in caplog.text and "ZeroDivisionError" in caplog.text


def test_progress_reaches_the_gui_thread(qtbot: Any, runner: TaskRunner) -> None:
    received: list[tuple[Progress, threading.Thread]] = []

    def work(*, state: TaskState) -> str:
        state.progress(0.5, "half way")
        state.progress(1.0, "done")
        return "ok"

    results: list[str] = []
    runner.run(
        work,
        with_state=True,
        on_done=results.append,
        on_state_progress=lambda p: received.append((p, threading.current_thread())),
    )
    assert runner.wait_idle(5)
    assert [p for p, _ in received] == [Progress(0.5, "half way"), Progress(1.0, "done")]
    assert all(t is threading.main_thread() for _, t in received)
    assert results == ["ok"]


def test_work_below_the_use_cases_reports_through_reporting(qtbot: Any, runner: TaskRunner) -> None:
    """``reporting`` hands a store-level function (``progress(fraction, text)``) the state."""
    received: list[Progress] = []

    def copy(name: str, *, progress: Callable[[float | None, str], None]) -> str:
        progress(0.25, f"{name} 25%")
        return name

    results: list[str] = []
    runner.run(
        reporting(copy, "store"),
        with_state=True,
        on_done=results.append,
        on_state_progress=received.append,
    )
    assert runner.wait_idle(5)
    assert received == [Progress(0.25, "store 25%")] and results == ["store"]


def test_a_cancelled_task_delivers_nothing(qtbot: Any, runner: TaskRunner) -> None:
    gate = threading.Event()
    delivered: list[object] = []
    handle = runner.run(gate.wait, 5, on_done=delivered.append)
    handle.cancel()
    gate.set()
    assert runner.wait_idle(5)
    assert delivered == [] and handle.finished


def test_user_messages() -> None:
    assert user_message(InvalidInput("bad month")) == "bad month"
    assert user_message(RuntimeError("secret internals")) == GENERIC_ERROR


def test_cancel_stops_the_work_itself_when_it_has_a_task_state(
    qtbot: Any, runner: TaskRunner
) -> None:
    """Issue 16.3: Cancel reaches the work (its TaskState), not only its callbacks; progress
    arrives typed (fraction and text) on the GUI thread."""
    started = threading.Event()
    stopped_by: list[str] = []
    heard: list[Progress] = []

    def work(state: TaskState) -> int:
        steps = 0
        state.progress(0.0, "starting")
        started.set()
        while steps < 10_000:  # far longer than the test waits: only Cancel ends it
            try:
                state.check("the loop")
            except Cancelled as exc:
                stopped_by.append(str(exc))
                raise
            steps += 1
            threading.Event().wait(0.001)
        return steps

    handle = runner.run(work, with_state=True, on_state_progress=heard.append)
    assert started.wait(5)
    qtbot.waitUntil(lambda: heard == [Progress(0.0, "starting")], timeout=5_000)
    handle.cancel()
    assert runner.wait_idle(10)
    assert stopped_by == ["the loop was cancelled; nothing was written"]
    assert handle.state is not None and handle.state.cancelled()


def test_progress_fractions_are_kept_between_0_and_1() -> None:
    heard: list[Progress] = []
    state = TaskState(heard.append)
    state.progress(1.5, "over")
    state.progress(-1, "under")
    state.progress(None, "unknown")
    assert heard == [Progress(1.0, "over"), Progress(0.0, "under"), Progress(None, "unknown")]
