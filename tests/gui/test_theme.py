"""Dark mode: the OS scheme or View ▸ Theme; red/green figures, bars, charts readable in both."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.access import Area
from billing_desktop.ui import theme
from billing_desktop.ui.delegates.free_units_bar import LEFT_LOW, LEFT_PLENTY, TRACK
from billing_desktop.ui.models.table import NEGATIVE
from billing_desktop.ui.tabs.invoices import PAID
from billing_desktop.ui.tabs.usage import BALANCE, TAG_COLOUR, UsageTab
from tests.gui.test_main_window import open_window, wait_idle


def base(app: QApplication) -> QColor:
    return app.palette().color(QPalette.ColorRole.Base)


@pytest.mark.parametrize("choice", [theme.LIGHT, theme.DARK])
def test_meaningful_colours_read_well_in_both_themes(app_theme: QApplication, choice: str) -> None:
    dark = theme.apply_theme(app_theme, choice)
    assert dark == (choice == theme.DARK)
    background = base(app_theme)
    assert (background.lightness() < 60) == dark
    for text in (NEGATIVE, PAID, TAG_COLOUR, theme.MUTED, theme.HELD):
        assert theme.contrast(text, background) >= 4.5, (choice, text.name())
    window = app_theme.palette().color(QPalette.ColorRole.Window)
    assert theme.contrast(theme.MUTED, window) >= 4.5
    assert theme.contrast(theme.BANNER_TEXT, theme.BANNER_BACKGROUND) >= 4.5
    for bar in (LEFT_PLENTY, LEFT_LOW):  # the free-units bar against its track and the cell
        assert theme.contrast(bar, background) >= 3, (choice, bar.name())
        assert theme.contrast(bar, TRACK) >= 2.5, (choice, bar.name())
    assert theme.contrast(theme.CHART_INK, theme.CHART_BACKGROUND) >= 7
    assert background == theme.CHART_BACKGROUND or not dark


def test_negative_red_is_the_same_object_set_in_place(app_theme: QApplication) -> None:
    kept = NEGATIVE
    theme.apply_theme(app_theme, theme.DARK)
    dark_red = QColor(kept)
    theme.apply_theme(app_theme, theme.LIGHT)
    assert kept is NEGATIVE and dark_red != QColor(NEGATIVE)
    assert QColor(NEGATIVE) == QColor(192, 28, 40)  # the light red of PRODUCT §4.4


def test_system_follows_the_os(app_theme: QApplication, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(theme, "system_is_dark", lambda: False)
    assert theme.apply_theme(app_theme, theme.SYSTEM) is False
    monkeypatch.setattr(theme, "system_is_dark", lambda: True)
    theme._system_changed(Qt.ColorScheme.Dark)  # the OS switched
    assert theme.is_dark() and base(app_theme).lightness() < 60
    theme.apply_theme(app_theme, theme.LIGHT)  # an override ignores the OS
    theme._system_changed(Qt.ColorScheme.Dark)
    assert not theme.is_dark()


def test_view_theme_menu_applies_and_remembers(
    qtbot: Any, app_theme: QApplication, populated_store: SqlStore, clean_settings: QSettings
) -> None:
    window = open_window(qtbot, populated_store, "ada")
    menu = window.theme_menu
    assert menu.menuAction() in window.ui.menuView.actions()
    actions = {a.data(): a for a in menu.actions()}
    assert list(actions) == [theme.SYSTEM, theme.LIGHT, theme.DARK]
    assert actions[theme.SYSTEM].isChecked()
    actions[theme.DARK].trigger()
    assert theme.is_dark() and clean_settings.value(theme.THEME_KEY) == theme.DARK
    again = theme.theme_menu(window, clean_settings)
    assert [a.isChecked() for a in again.actions()] == [False, False, True]
    actions[theme.LIGHT].trigger()
    assert not theme.is_dark() and clean_settings.value(theme.THEME_KEY) == theme.LIGHT


def test_the_usage_tab_in_dark(
    qtbot: Any, app_theme: QApplication, acme: SqlStore, tmp_path: Any
) -> None:
    theme.apply_theme(app_theme, theme.DARK)
    window = open_window(qtbot, acme)
    window.resize(1200, 760)
    tab = window.select_area(Area.USAGE)
    assert isinstance(tab, UsageTab)
    wait_idle(qtbot, window)
    image = window.grab().toImage()
    corner = image.pixelColor(image.width() // 2, image.height() - 60)  # the table's body
    assert corner.lightness() < 60
    card = tab.account_card
    assert theme.MUTED.name() in card.styleSheet() and "#6b7280" not in card.styleSheet()
    negative = [r for r, p in enumerate(tab.model.rows) if p.balance < 0]
    assert negative, "the workspace needs a negative balance"
    colour = tab.model.index(negative[0], BALANCE).data(Qt.ItemDataRole.ForegroundRole)
    colour = colour.color() if hasattr(colour, "color") else colour
    assert theme.contrast(QColor(colour), base(app_theme)) >= 4.5
    theme.apply_theme(app_theme, theme.LIGHT)  # switching back restyles what is open
    assert "#6b7280" not in card.styleSheet() and theme.MUTED.name() in card.styleSheet()
    image = window.grab().toImage()
    assert image.pixelColor(image.width() // 2, image.height() - 60).lightness() > 200


def test_charts_take_the_theme(qtbot: Any, app_theme: QApplication) -> None:
    from billing_desktop.ui.charts.timeline import TimelineChart

    theme.apply_theme(app_theme, theme.DARK)
    chart = TimelineChart(UTC)
    qtbot.addWidget(chart)
    assert chart.view.backgroundBrush().color() == theme.CHART_BACKGROUND
    theme.apply_theme(app_theme, theme.LIGHT)
    assert chart.view.backgroundBrush().color() == QColor("#ffffff")
