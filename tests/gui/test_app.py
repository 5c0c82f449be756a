"""Application set-up: resources, style, and a store that cannot be opened."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from billing_desktop.ui import app as gui_app
from billing_desktop.ui import resources


def test_the_icon_and_style_sheet_are_found() -> None:
    icon = resources.resource_path("icons/billing-desktop.svg")
    assert icon is not None and icon.suffix == ".svg"
    assert not resources.app_icon().isNull()
    assert "QTableView" in resources.stylesheet()


def test_missing_resources_do_not_crash(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(resources, "resource_dirs", lambda: [tmp_path / "nowhere"])
    assert resources.resource_path("icons/billing-desktop.svg") is None
    assert resources.app_icon().isNull()
    assert resources.stylesheet() == ""


def test_a_frozen_bundle_is_looked_in_first(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("sys._MEIPASS", str(tmp_path), raising=False)
    assert resources.resource_dirs()[0] == tmp_path / "resources"


def test_configure_application_names_the_application(qapp: QApplication) -> None:
    names = (qapp.applicationName(), qapp.organizationName())
    try:
        gui_app.configure_application(qapp)
        assert qapp.applicationName() == "Billing Desktop"
        assert qapp.organizationName() == "Billing Desktop"
        assert not qapp.windowIcon().isNull()
        assert "QTableView" in qapp.styleSheet()
    finally:
        qapp.setApplicationName(names[0])
        qapp.setOrganizationName(names[1])
        qapp.setStyleSheet("")


def test_a_store_that_cannot_be_opened_is_reported(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shown: list[str] = []

    def critical(_parent: Any, _title: str, text: str, *args: Any) -> None:
        shown.append(text)

    monkeypatch.setattr(QMessageBox, "critical", critical)
    assert gui_app.run_gui(str(tmp_path), None) == 2  # a folder is not a store file
    assert len(shown) == 1 and "folder" in shown[0]
