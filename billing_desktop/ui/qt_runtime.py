"""Keep ``None`` alive under Qt for Python 6.12.0 on Python 3.11.

PySide6 6.12.0 drops one reference to ``None`` every time Python calls a Qt method that returns
nothing (``setText``, ``update``, ``processEvents``…). On Python 3.12 and later ``None`` is
immortal and the lost references change nothing; on 3.11 ``None`` is reference-counted, so a
running app aborted with "Fatal Python error: none_dealloc" once some 50,000 such calls had been
made — minutes of use on a large store (found by bench/call_log.py; probe: 1,000 calls of
``QLabel.setText`` take 1,000 from ``sys.getrefcount(None)``). Other objects are not affected
(``True``/``False`` returned by ``isVisible`` keep their count).

:func:`keep_none_alive` does on 3.11 what 3.12 does for every interpreter: it gives ``None`` a
reference count no program can use up (2**40 extra references, once, before any Qt call),
so ``None`` can never reach zero. Nothing else changes: ``None`` was never freed anyway —
freeing it is the fatal error. Called when ``billing_desktop.ui`` is imported, so every window,
dialog, test and benchmark of the GUI is covered; a no-op on 3.12+ and on other interpreters.
Kept while the project supports Python 3.11 (the default ``python3`` of the machines it is
built on); tests/unit/test_qt_runtime.py fails if the guard stops working.
"""

from __future__ import annotations

import ctypes
import sys

SPARE_REFERENCES = 1 << 40  # a million Qt calls a second would take 35 years to use it up


def keep_none_alive() -> bool:
    """Give ``None`` its spare references where they are needed (once); True when given now."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    count = ctypes.c_ssize_t.from_address(id(None))  # PyObject.ob_refcnt, the first field
    if count.value >= SPARE_REFERENCES:
        return False
    count.value += SPARE_REFERENCES
    return True


__all__ = ["SPARE_REFERENCES", "keep_none_alive"]
