"""GUI fixtures: a populated store built through the repositories, isolated settings."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from billing_desktop import APP_NAME
from billing_desktop.bootstrap import SqlStore
from billing_desktop.config import ORGANISATION
from billing_desktop.store.ports import UnitOfWork
from tests.gui.workspace_data import fill
from tests.usage_workspace import build, utc_today

HERE = Path(__file__).resolve().parent


@pytest.fixture
def today() -> date:
    """Today in UTC, the usage workspace's calendar (tests/usage_workspace.py)."""
    return utc_today()


@pytest.fixture
def acme(store: SqlStore, today: date) -> SqlStore:
    """The usage workspace: a month of usage up to today, commits, credits (Usage tab tests)."""
    with store() as uow:
        build(uow, today)
        uow.commit()
    return store


@pytest.fixture
def populated_store(store: SqlStore) -> SqlStore:
    """The per-test store filled with a small workspace of every kind of data."""
    with store() as uow:
        fill(uow)
        uow.commit()
    return store


class RecordingStore:
    """Wraps a unit-of-work factory and records the thread each unit of work is opened on."""

    def __init__(self, inner: SqlStore) -> None:
        self.inner = inner
        self.threads: list[threading.Thread] = []

    @property
    def description(self) -> str:
        return self.inner.description

    @property
    def remote(self) -> bool:
        return False

    def __call__(self, *, write: bool = False) -> UnitOfWork:
        self.threads.append(threading.current_thread())
        return self.inner(write=write)

    def read(self, service: Any, *args: Any, **kwargs: Any) -> Any:
        self.threads.append(threading.current_thread())
        return self.inner.read(service, *args, **kwargs)

    def write(self, service: Any, *args: Any, **kwargs: Any) -> Any:
        self.threads.append(threading.current_thread())
        return self.inner.write(service, *args, **kwargs)

    def add_write_listener(self, listener: Any) -> None:
        self.inner.add_write_listener(listener)

    def remove_write_listener(self, listener: Any) -> None:
        self.inner.remove_write_listener(listener)

    def close(self) -> None:
        self.inner.close()


@pytest.fixture(autouse=True)
def clean_settings() -> Iterator[QSettings]:
    """Every GUI test starts from (and leaves) empty application settings."""
    settings = QSettings(ORGANISATION, APP_NAME)
    settings.clear()
    settings.sync()
    yield settings
    settings.clear()
    settings.sync()


@pytest.fixture
def app_theme(qapp: QApplication) -> Iterator[QApplication]:
    """A test that changes the theme (ui.theme) leaves the application as other tests expect
    it: its palette, style sheet and the light values of the themed colours."""
    from billing_desktop.ui import theme

    palette, sheet = QPalette(qapp.palette()), qapp.styleSheet()
    yield qapp
    for shared, light, _dark in theme._themed:
        shared.setRgba(light.rgba())
    theme._state.update(dark=False, choice=theme.SYSTEM)
    qapp.setPalette(palette)
    qapp.setStyleSheet(sheet)
