"""API tokens live in the OS keyring only: never in the store, the settings or a log file.

A test keyring (in memory) stands in for Keychain / Credential Manager / Secret Service. The
client signs in through the GUI's connect step, then the command line works on the remote
store with the token from the keyring while everything logs at DEBUG to a file; afterwards
no file under the test's folders, the settings and data folders, or the log holds the token.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from PySide6.QtCore import QSettings

from billing_desktop import APP_NAME, cli
from billing_desktop.bootstrap import SqlStore
from billing_desktop.config import ORGANISATION, TOKEN_ENV
from billing_desktop.remote.client import KEYRING_SERVICE, HttpStore, server_key
from tests.live_server import live_server, token_for
from tests.server.conftest import Template, copy_store


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps passwords in this process only."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def debug_log(tmp_path: Path) -> Iterator[Path]:
    """Everything at DEBUG (the app, httpx, httpcore, uvicorn) into one file."""
    path = tmp_path / "logs" / "debug.log"
    path.parent.mkdir()
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    names = ["", "httpx", "httpcore", "uvicorn", "uvicorn.error", "uvicorn.access", "keyring"]
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    yield path
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)
    handler.close()


def files_holding(text: str, *folders: Path) -> list[Path]:
    needle = text.encode()
    found = []
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and needle in path.read_bytes():
                found.append(path)
    return found


def xdg_folders() -> list[Path]:
    """The settings and data folders tests/conftest.py gives this test session."""
    return [Path(os.environ[name]) for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME")]


def test_the_token_is_only_in_the_keyring(
    qtbot: Any,
    demo_template: Template,
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
    debug_log: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from billing_desktop.ui.dialogs.connect_server import ConnectServerDialog, connect
    from billing_desktop.ui.main_window import MainWindow

    server_store = copy_store(demo_template, tmp_path / "server")
    token = token_for(server_store, demo_template.users["admin"])
    out = tmp_path / "out"
    out.mkdir()
    settings = QSettings(ORGANISATION, APP_NAME)
    try:
        with live_server(server_store) as url:
            # Sign in as the GUI does: the dialog takes the address and token, the connect step
            # reads the workspace and keeps the token in the keyring.
            dialog = ConnectServerDialog()
            qtbot.addWidget(dialog)
            dialog.url_edit.setText(url)
            dialog.token_edit.setText(token)
            dialog._accept()
            remote = connect(dialog.url, dialog.token)
            remote.close()
            assert memory_keyring.passwords == {(KEYRING_SERVICE, server_key(url)): token}

            # The window on the remote store, with the token from the keyring.
            store = HttpStore(url)
            window = MainWindow(store, None, settings=settings)
            qtbot.addWidget(window)
            window.show()
            qtbot.waitUntil(
                lambda: not window.runner.busy and window.current_page_name != "loading",
                timeout=20_000,
            )
            assert window.workspace is not None
            window.close()
            store.close()

            # The command line, with the token from the keyring.
            commands = [
                ["usage", "--json"],
                ["units", "add", "Quality"],
                ["units", "report", "--month", "2026-10"],
                ["sessions", "--from", "2026-11-01", "--to", "2026-11-07"],
                ["statement", "--month", "2026-10", "--out", str(out / "statement.pdf")],
            ]
            for command in commands:
                assert cli.main(["--store", url, *command]) == 0, command
            printed = capsys.readouterr()
            assert "Added billing unit 'Quality'" in printed.out
            # A refused token is reported without showing it.
            memory_keyring.set_password(KEYRING_SERVICE, server_key(url), token + "x")
            assert cli.main(["--store", url, "usage"]) == 2
            refused = capsys.readouterr()
            assert "sign in" in refused.err
            memory_keyring.set_password(KEYRING_SERVICE, server_key(url), token)
        settings.sync()
        server_store.dispose()

        # The log recorded the requests (so it would have shown a token had one been logged),
        # and the settings were written.
        assert "HTTP Request: POST" in debug_log.read_text()
        assert files_holding(url, debug_log.parent) == [debug_log]
        assert Path(settings.fileName()).is_file()
        for text in (token, token + "x"):
            assert text not in printed.out + printed.err + refused.out + refused.err
            assert files_holding(text, tmp_path, *xdg_folders()) == []
        # The server's store (with its write-ahead log) holds the token's hash only.
        assert files_holding(token, tmp_path / "server") == []
    finally:
        settings.clear()
        settings.sync()


def test_the_server_store_holds_no_plaintext_token(demo_store: SqlStore) -> None:
    tokens = [token_for(demo_store, "u001") for _ in range(3)]
    demo_store.dispose()
    folder = Path(str(demo_store.engine.url.database)).parent
    for token in tokens:
        assert files_holding(token, folder) == []
