"""Light and dark themes: the OS's colour scheme by default, or the user's choice (View ▸ Theme).

The app draws with the Fusion style, so the palette is ours in both themes: the light one is
Fusion's own, the dark one below. The few colours that carry meaning (negative amounts in red,
paid in green, tags, the free-units bars, the charts' paper, ink and grid) are *themed colours*:
one QColor object per meaning, created with a light and a dark value, that every view keeps a
reference to and that this module sets in place when the theme changes, so a switch repaints
them without rebuilding any view. Each pair reads at least 4.5:1 (text) or 3:1 (bars) against
the table's background of its theme (checked by the tests).

The choice is remembered in QSettings under ``view/theme``: "system", "light" or "dark".
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtGui import QActionGroup, QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from billing_desktop.ui.i18n import tr

SYSTEM = "system"
LIGHT = "light"
DARK = "dark"
CHOICES = (SYSTEM, LIGHT, DARK)
CHOICE_TITLES = {SYSTEM: tr("&System"), LIGHT: tr("&Light"), DARK: tr("&Dark")}
THEME_KEY = "view/theme"

# The dark palette (Fusion): grey-blue surfaces, light text, a blue highlight.
DARK_PALETTE: dict[QPalette.ColorRole, str] = {
    QPalette.ColorRole.Window: "#202329",
    QPalette.ColorRole.WindowText: "#e5e7eb",
    QPalette.ColorRole.Base: "#17191d",
    QPalette.ColorRole.AlternateBase: "#1f2227",
    QPalette.ColorRole.ToolTipBase: "#2b2f36",
    QPalette.ColorRole.ToolTipText: "#f3f4f6",
    QPalette.ColorRole.PlaceholderText: "#9ca3af",
    QPalette.ColorRole.Text: "#e5e7eb",
    QPalette.ColorRole.Button: "#2b2f36",
    QPalette.ColorRole.ButtonText: "#e5e7eb",
    QPalette.ColorRole.BrightText: "#ffffff",
    QPalette.ColorRole.Light: "#3a3f47",
    QPalette.ColorRole.Midlight: "#31353c",
    QPalette.ColorRole.Mid: "#4b5260",
    QPalette.ColorRole.Dark: "#111317",
    QPalette.ColorRole.Shadow: "#000000",
    QPalette.ColorRole.Highlight: "#2563eb",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#93c5fd",
    QPalette.ColorRole.LinkVisited: "#c4b5fd",
}
DARK_DISABLED: dict[QPalette.ColorRole, str] = {
    QPalette.ColorRole.WindowText: "#7b828e",
    QPalette.ColorRole.Text: "#7b828e",
    QPalette.ColorRole.ButtonText: "#7b828e",
}

_themed: list[tuple[QColor, QColor, QColor]] = []  # (shared colour, light, dark)
_state: dict[str, Any] = {"dark": False, "choice": SYSTEM, "following": False}


def themed(light: str, dark: str) -> QColor:
    """A colour with a light and a dark value; the object returned is set in place when the
    theme changes (keep it, do not copy it)."""
    shared = QColor(dark if _state["dark"] else light)
    _themed.append((shared, QColor(light), QColor(dark)))
    return shared


# Colours with a meaning, shared by the views (see the module's docstring).
NEGATIVE = themed("#c01c28", "#ff8a8a")  # amounts owed, "to be invoiced", suspended
POSITIVE = themed("#1e7b34", "#6ee7a0")  # paid
TAG = themed("#1d4ed8", "#9cc3ff")  # the Contact center services tag
MUTED = themed("#4b5563", "#b4bac4")  # captions, notes, field names
HELD = themed("#6b7280", "#a3a9b4")  # a number another unit holds
BAR_TRACK = themed("#e5e7eb", "#3a3f47")  # free units: the empty track
BAR_PLENTY = themed("#2563eb", "#5b9bff")  # free units: plenty left
BAR_LOW = themed("#d97706", "#f5b342")  # free units: under 20 % left
CARD_BORDER = themed("#d1d5db", "#3f4550")
BANNER_BACKGROUND = themed("#eef2ff", "#1e2a4a")
BANNER_BORDER = themed("#c7d2fe", "#3b4f86")
BANNER_TEXT = themed("#1e3a8a", "#c7d2fe")
CHART_BACKGROUND = themed("#ffffff", "#17191d")
CHART_INK = themed("#374151", "#d1d5db")
CHART_GRID = themed("#e5e7eb", "#3a3f47")


def paper(alpha: int) -> QColor:
    """The charts' background, ``alpha`` opaque (legends and read-outs over the plot)."""
    colour = QColor(CHART_BACKGROUND)
    colour.setAlpha(alpha)
    return colour


class ThemeNotifier(QObject):
    """Signals: changed(bool): the theme was applied (True: dark)."""

    changed = Signal(bool)


_notifier: list[ThemeNotifier] = []


def notifier() -> ThemeNotifier:
    if not _notifier:
        _notifier.append(ThemeNotifier())
    return _notifier[0]


def is_dark() -> bool:
    return bool(_state["dark"])


def current_choice() -> str:
    return str(_state["choice"])


def saved_choice(settings: QSettings) -> str:
    value = str(settings.value(THEME_KEY, SYSTEM) or SYSTEM)
    return value if value in CHOICES else SYSTEM


def system_is_dark() -> bool:
    """The OS's colour scheme (Qt ≥ 6.5); unknown counts as light."""
    hints = QGuiApplication.styleHints()
    return hints is not None and hints.colorScheme() == Qt.ColorScheme.Dark


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in DARK_PALETTE.items():
        palette.setColor(role, QColor(colour))
    for role, colour in DARK_DISABLED.items():
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(colour))
    return palette


def stylesheet_for(dark: bool) -> str:
    from billing_desktop.ui.resources import stylesheet

    return stylesheet("dark.qss" if dark else "light.qss")


def apply_theme(app: QApplication, choice: str) -> bool:
    """Use ``choice`` ("system", "light" or "dark") now; returns True when the result is dark.

    "system" follows the OS, now and whenever its colour scheme changes."""
    if choice not in CHOICES:
        choice = SYSTEM
    hints = app.styleHints()
    if not _state["following"] and hints is not None:
        hints.colorSchemeChanged.connect(_system_changed)
        _state["following"] = True
    dark = choice == DARK or (choice == SYSTEM and system_is_dark())
    _state["choice"] = choice
    _state["dark"] = dark
    app.setPalette(dark_palette() if dark else app.style().standardPalette())
    app.setStyleSheet(stylesheet_for(dark))
    for shared, light_colour, dark_colour in _themed:
        shared.setRgba((dark_colour if dark else light_colour).rgba())
    _restyle_charts(app)
    for widget in app.allWidgets():
        widget.update()
    notifier().changed.emit(dark)
    return dark


def _system_changed(_scheme: Qt.ColorScheme) -> None:
    app = QApplication.instance()
    if isinstance(app, QApplication) and _state["choice"] == SYSTEM:
        apply_theme(app, SYSTEM)


def _restyle_charts(app: QApplication) -> None:
    """pyqtgraph draws with colours given at construction: give every chart the new ones."""
    import sys

    pg = sys.modules.get("pyqtgraph")
    if pg is None:  # no chart was ever built
        return
    for widget in app.allWidgets():
        if not isinstance(widget, pg.GraphicsView):
            continue
        widget.setBackground(CHART_BACKGROUND)
        for item in widget.scene().items():
            if isinstance(item, pg.AxisItem):
                item.setPen(pg.mkPen(CHART_GRID))
                item.setTextPen(pg.mkPen(CHART_INK))
            elif isinstance(item, pg.LegendItem):
                item.setLabelTextColor(CHART_INK)
                item.setBrush(pg.mkBrush(paper(230)))


def contrast(foreground: QColor, background: QColor) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""

    def luminance(colour: QColor) -> float:
        def channel(value: float) -> float:
            return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

        return (
            0.2126 * channel(colour.redF())
            + 0.7152 * channel(colour.greenF())
            + 0.0722 * channel(colour.blueF())
        )

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def theme_menu(parent: QWidget, settings: QSettings) -> QMenu:
    """View ▸ Theme: System, Light or Dark, one checked; a choice applies at once and is
    remembered."""
    menu = QMenu(tr("&Theme"), parent)
    menu.setObjectName("themeMenu")
    group = QActionGroup(menu)
    group.setExclusive(True)
    chosen = saved_choice(settings)
    for choice in CHOICES:
        action = menu.addAction(CHOICE_TITLES[choice])
        action.setObjectName(f"theme_{choice}")
        action.setCheckable(True)
        action.setChecked(choice == chosen)
        action.setData(choice)
        group.addAction(action)
    group.triggered.connect(lambda action: choose(str(action.data()), settings))

    def show_current() -> None:
        for action in group.actions():
            action.setChecked(action.data() == current_choice())

    menu.aboutToShow.connect(show_current)
    return menu


def choose(choice: str, settings: QSettings) -> bool:
    """Apply ``choice`` and remember it; returns True when the result is dark."""
    settings.setValue(THEME_KEY, choice)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return apply_theme(app, choice)


def follow(widget: QWidget, sheet: Callable[[], str]) -> None:
    """Give ``widget`` the style sheet ``sheet()`` makes from themed colours, now and after
    every theme change (the connection ends with the widget)."""
    widget.setStyleSheet(sheet())

    def update(_dark: bool) -> None:
        if shiboken6.isValid(widget):
            widget.setStyleSheet(sheet())

    def forget() -> None:
        source = _notifier[0] if _notifier else None
        if source is not None and shiboken6.isValid(source):  # not at the process's end
            with contextlib.suppress(RuntimeError, TypeError):
                source.changed.disconnect(update)

    notifier().changed.connect(update)
    widget.destroyed.connect(forget)


def restyle(widget: QWidget) -> None:
    """Re-read a widget's own style sheet (its palette() colours) after a theme change."""
    sheet = widget.styleSheet()
    widget.setStyleSheet("")
    widget.setStyleSheet(sheet)
