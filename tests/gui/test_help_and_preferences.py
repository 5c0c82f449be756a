"""Help ▸ User guide (F1 opens the tab's page) and Preferences (Ctrl+, / the macOS app menu)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt, QUrl
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.access import Area
from billing_desktop.ui import app as ui_app
from billing_desktop.ui import theme
from billing_desktop.ui.dialogs.preferences import (
    DEFAULT_STORE_KEY,
    PreferencesDialog,
    default_store,
)
from billing_desktop.ui.help import AREA_PAGES, PAGES, help_folder
from billing_desktop.ui.main_window import MainWindow
from tests.gui.test_main_window import open_window, wait_idle

ROOT = Path(__file__).resolve().parents[2]


def active_window(qtbot: Any, store: SqlStore) -> MainWindow:
    window = open_window(qtbot, store, "ada")
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    return window


def test_every_page_of_the_guide_is_there_and_links_resolve() -> None:
    folder = help_folder()
    assert folder == ROOT / "resources" / "help"
    assert set(AREA_PAGES) == set(Area)  # a page per tab
    for name, title in PAGES:
        text = (folder / name).read_text(encoding="utf-8")
        assert text.startswith("# "), name
        assert len(text) > 300, name
        for link in re.findall(r"\]\(([^)]+)\)", text):
            assert (folder / link).is_file(), f"{name} links to a missing {link}"
        if name in AREA_PAGES.values():
            assert text.splitlines()[0] == f"# {title}"


def test_f1_opens_the_page_of_the_tab_in_front(qtbot: Any, populated_store: SqlStore) -> None:
    window = active_window(qtbot, populated_store)
    assert window.user_guide_action in window.ui.menuHelp.actions()
    assert window.user_guide_action.shortcut() == QKeySequence(Qt.Key.Key_F1)
    for area in window.tab_pages:
        window.select_area(area)
        wait_idle(qtbot, window)
        window.activateWindow()  # back from the guide to the window, as a user clicks it
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
        qtbot.keyClick(window.ui.tabs.currentWidget(), Qt.Key.Key_F1)
        guide = window.help_window
        assert guide is not None and guide.isVisible()
        assert guide.current == AREA_PAGES[area]
        heading = guide.browser.toPlainText().splitlines()[0]
        assert heading == dict(PAGES)[AREA_PAGES[area]]
        assert guide.pages.currentItem().text() == heading
    guide = window.help_window
    assert guide is not None
    guide.pages.setCurrentRow(0)
    assert guide.current == "index.md" and "user guide" in guide.browser.toPlainText()
    guide._follow(QUrl("plans.md"))  # a link in the overview
    assert guide.current == "plans.md" and guide.pages.currentRow() == 3


def test_the_bundle_carries_the_guide() -> None:
    spec = importlib.util.spec_from_file_location(
        "bundle_contents", ROOT / "packaging" / "bundle_contents.py"
    )
    assert spec is not None and spec.loader is not None
    bc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bc)
    datas = bc.datas()
    for name, _title in PAGES:
        assert (str(ROOT / "resources" / "help" / name), "resources/help") in datas
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"share/billing-desktop/resources/help" = ["resources/help/*.md"]' in pyproject
    assert '"share/billing-desktop/resources/help/es" = ["resources/help/es/*.md"]' in pyproject


def test_ctrl_comma_opens_preferences_in_the_app_menu_role(
    qtbot: Any, populated_store: SqlStore, clean_settings: QSettings, app_theme: QApplication
) -> None:
    window = active_window(qtbot, populated_store)
    action = window.preferences_action
    assert isinstance(action, QAction)
    assert action.menuRole() == QAction.MenuRole.PreferencesRole
    assert action in window.ui.menuFile.actions()
    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    dialog = window.findChild(PreferencesDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.theme_combo.setCurrentIndex(theme.CHOICES.index(theme.DARK))
    assert theme.is_dark() and clean_settings.value(theme.THEME_KEY) == theme.DARK
    dialog.reject()


def test_the_default_store_is_remembered_and_used_at_start(
    qtbot: Any,
    populated_store: SqlStore,
    clean_settings: QSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = open_window(qtbot, populated_store, "ada")
    dialog = window.open_preferences()
    assert "backups" in dialog.backups_label.text().lower()
    chosen = str(tmp_path / "team.db")
    dialog.store_edit.setText(chosen)
    dialog.accept()
    assert default_store(clean_settings) == chosen
    opened: list[str | None] = []
    monkeypatch.delenv("BILLING_DESKTOP_STORE", raising=False)
    monkeypatch.setattr(ui_app, "open_at_start", lambda location: opened.append(location))
    assert ui_app.run_gui(None, None) == 2  # nothing opened (the stub returns None)
    assert opened == [chosen]
    assert ui_app.run_gui("other.db", None) == 2  # --store wins
    assert opened[-1] == "other.db"
    clean_settings.setValue(DEFAULT_STORE_KEY, "")
    assert default_store(clean_settings) is None


def test_sign_in_from_preferences_opens_connect(
    qtbot: Any, populated_store: SqlStore, clean_settings: QSettings
) -> None:
    window = open_window(qtbot, populated_store, "ada")
    asked: list[bool] = []
    window.choose_server = lambda: asked.append(True)  # type: ignore[method-assign]
    dialog = window.open_preferences()
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    assert asked == [True] and not dialog.isVisible()
