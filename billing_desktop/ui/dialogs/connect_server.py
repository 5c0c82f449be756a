"""File ▸ Connect to server…: the address of a ``billing-desktop serve`` and a sign-in token.

The token is checked against the server before the window switches to it, then kept in the
system keyring (Keychain, Credential Manager, Secret Service) — never in a settings file.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget

from billing_desktop.config import APP_NAME, ORGANISATION, is_remote
from billing_desktop.remote.client import saved_token
from billing_desktop.ui import theme
from billing_desktop.ui.forms.ui_connect_server import Ui_ConnectServerDialog
from billing_desktop.ui.i18n import tr

LAST_SERVER_KEY = "remote/last_server"


def connect(url: str, token: str) -> Any:
    """Worker thread: the remote store on ``url`` signed in with ``token`` — the same
    offline-capable store (through this machine's replica) as ``--store https://…`` gets from
    ``bootstrap.open_store``. The token is checked by reading the workspace from the server
    itself (the first sync then runs in the window, with progress), then kept in the keyring
    (if the machine has one)."""
    from billing_desktop.bootstrap import open_store
    from billing_desktop.domain.errors import StoreError
    from billing_desktop.remote.client import HttpStore, save_token
    from billing_desktop.services.overview import workspace

    store = open_store(url, token=token)
    assert isinstance(store, HttpStore)
    try:
        HttpStore.read(store, workspace, None)  # the server's answer, not the replica's
    except BaseException:
        store.close()
        raise
    with suppress(StoreError):  # no keyring here: the token lives for this session only
        save_token(url, token)
    return store


class ConnectServerDialog(QDialog):
    """Asks for the server's address and a token; the caller connects.

    Signals: the standard ``QDialog`` ones (``accepted`` once both look usable).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_ConnectServerDialog()
        self.ui.setupUi(self)  # the layout: forms/connect_server.ui
        self.url_edit = self.ui.serverUrl
        self.token_edit = self.ui.serverToken
        self.error_label = self.ui.connectError
        self.buttons = self.ui.buttonBox
        self.url_edit.setText(str(QSettings(ORGANISATION, APP_NAME).value(LAST_SERVER_KEY, "")))
        self.error_label.setStyleSheet(f"color: {theme.NEGATIVE.name()};")
        self.error_label.hide()
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(tr("&Connect"))
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self.url_edit.textChanged.connect(self._fill_saved_token)
        self._fill_saved_token()

    @property
    def url(self) -> str:
        return self.url_edit.text().strip().rstrip("/")

    @property
    def token(self) -> str:
        return self.token_edit.text().strip()

    def _fill_saved_token(self) -> None:
        if self.token or not is_remote(self.url):
            return
        saved = saved_token(self.url)
        if saved:
            self.token_edit.setText(saved)

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    def _accept(self) -> None:
        if not is_remote(self.url):
            self.show_error(tr("Server address: give an http:// or https:// address."))
            self.url_edit.setFocus()
            return
        if not self.token:
            self.show_error(tr("Token: paste the token your administrator gave you."))
            self.token_edit.setFocus()
            return
        QSettings(ORGANISATION, APP_NAME).setValue(LAST_SERVER_KEY, self.url)
        self.accept()
