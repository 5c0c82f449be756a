"""``serve``'s per-process settings: request threads (and as many pooled connections)."""

from __future__ import annotations

import pytest

from billing_desktop.server import main


def test_request_threads_default_and_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(main.THREADS_VARIABLE, raising=False)
    assert main.server_threads() == main.THREADS == 4
    monkeypatch.setenv(main.THREADS_VARIABLE, "3")
    assert main.server_threads() == 3
    for bad in ("0", "-2", "many", "1000"):
        monkeypatch.setenv(main.THREADS_VARIABLE, bad)
        with pytest.raises(SystemExit, match=main.THREADS_VARIABLE):
            main.server_threads()
