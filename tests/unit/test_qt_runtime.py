"""The Qt for Python build and the interpreter together keep ``None`` alive.

PySide6 6.12.0 drops one reference to ``None`` each time a Qt method that returns nothing is
called. On Python 3.11 ``None`` is reference-counted, so a running app aborts with "Fatal Python
error: none_dealloc" once some 50,000 such calls have been made (found by bench/call_log.py,
which waits on the event loop). From Python 3.12 ``None`` is immortal and the lost references
change nothing. This fails on any interpreter and PySide6 pair where the count falls.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QObject


def test_qt_calls_that_return_nothing_do_not_use_up_none(qapp: object) -> None:
    target = QObject()
    before = sys.getrefcount(None)
    for _ in range(2_000):
        target.setObjectName("probe")  # returns nothing
        QCoreApplication.processEvents()  # returns nothing; what bench/call_log.py loops on
    after = sys.getrefcount(None)
    # Ordinary garbage comes and goes; 4,000 lost references cannot hide in it (and stay far
    # from the ~50,000 that abort the process on a bad pair).
    assert after > before - 1_000, (before, after)


def test_the_interpreter_is_one_the_project_supports() -> None:
    assert sys.version_info >= (3, 12), "pyproject.toml requires Python 3.12 (see README)"
