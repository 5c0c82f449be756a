"""Accessibility: every control of every tab has a name and a keyboard path; colour is never the
only signal of a negative figure."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDateTimeEdit, QTabWidget, QWidget

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.access import Area
from billing_desktop.ui.main_window import MainWindow
from billing_desktop.ui.models.table import NEGATIVE_DESCRIPTION
from billing_desktop.ui.tabs.usage import BALANCE, UsageTab
from tests.gui.accessibility import interactive_controls, unnamed_controls
from tests.gui.test_main_window import open_window, wait_idle

ACCESSIBLE_DESCRIPTION = Qt.ItemDataRole.AccessibleDescriptionRole


def every_view(qtbot: Any, window: MainWindow) -> Iterator[tuple[str, QWidget]]:
    """Each tab, and each section of a tab that has sections, shown and loaded in turn."""
    for area, page in window.tab_pages.items():
        window.select_area(area)
        wait_idle(qtbot, window)
        yield area.value, page
        for sections in page.findChildren(QTabWidget):
            for index in range(sections.count()):
                sections.setCurrentIndex(index)
                wait_idle(qtbot, window)
                qtbot.wait(20)
                yield f"{area.value} ▸ {sections.tabText(index).replace('&', '')}", page


def test_every_control_of_every_tab_has_a_name(qtbot: Any, populated_store: SqlStore) -> None:
    window = open_window(qtbot, populated_store, "ada")
    window.resize(1280, 800)
    unnamed = {}
    seen = 0
    for where, page in every_view(qtbot, window):
        seen += len(interactive_controls(page))
        missing = [c for c in unnamed_controls(page) if not c.startswith("QHeaderView")]
        if missing:
            unnamed[where] = missing
    assert seen > 100  # the walk reached the controls
    assert unnamed == {}


def tab_through(qtbot: Any, page: QWidget) -> list[QWidget]:
    """Press Tab from the page's first control until focus comes back; the widgets visited."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    reachable = [
        w
        for w in interactive_controls(page)
        if w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus
    ]
    if not reachable:  # a message instead of the view (no data): nothing to reach
        return []
    first = reachable[0]
    first.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: app.focusWidget() is first, timeout=2_000)
    visited: list[QWidget] = [first]
    for _ in range(200):
        current = app.focusWidget()
        assert current is not None
        qtbot.keyClick(current, Qt.Key.Key_Tab)
        after = app.focusWidget()
        if isinstance(current, QDateTimeEdit):  # Tab walks its sections, then leaves
            for _ in range(current.sectionCount()):
                if after is not current:
                    break
                qtbot.keyClick(current, Qt.Key.Key_Tab)
                after = app.focusWidget()
        assert after is not None and after is not current, f"Tab is stuck on {current}"
        if after is first:
            return visited
        visited.append(after)
    raise AssertionError("Tab never came back to the first control")


def test_tab_reaches_every_control_of_every_tab(qtbot: Any, populated_store: SqlStore) -> None:
    window = open_window(qtbot, populated_store, "ada")
    window.resize(1280, 800)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    unreachable = {}
    total = 0
    for where, page in every_view(qtbot, window):
        visited = tab_through(qtbot, page)
        total += len(visited)
        owners = set()
        for widget in visited:
            while widget is not None:
                owners.add(id(widget))
                widget = widget.parentWidget()
        missed = [
            f"{type(w).__name__} {w.objectName()}"
            for w in interactive_controls(page)
            if w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus and id(w) not in owners
        ]
        if missed:
            unreachable[where] = missed
    assert total > 60  # the keyboard went through the controls
    assert unreachable == {}


def test_negative_figures_say_so_without_colour(qtbot: Any, acme: SqlStore) -> None:
    window = open_window(qtbot, acme)
    tab = window.select_area(Area.USAGE)
    assert isinstance(tab, UsageTab)
    wait_idle(qtbot, window)
    rows = list(tab.model.rows)
    negative = [r for r, p in enumerate(rows) if p.balance < 0]
    positive = [r for r, p in enumerate(rows) if p.balance >= 0]
    assert negative and positive
    for row in negative:
        index = tab.model.index(row, BALANCE)
        assert index.data().startswith("-")  # the minus sign, not only red
        assert index.data(ACCESSIBLE_DESCRIPTION) == NEGATIVE_DESCRIPTION
    for row in positive:
        assert tab.model.index(row, BALANCE).data(ACCESSIBLE_DESCRIPTION) is None
    card = tab.account_card
    card.set_value("-$5.00", True, "To be invoiced on 2026-12-01")
    assert card.value.accessibleDescription() == "Negative balance: To be invoiced on 2026-12-01"
    assert card.value.accessibleName() == f"Account summary, {card.caption.text()}"
    card.set_value("$5.00", False, "Credit available")
    assert "Negative" not in card.value.accessibleDescription()


def test_the_new_windows_name_their_controls(qtbot: Any, acme: SqlStore) -> None:
    """Preferences, the user guide and Manage credits: no unnamed control either."""
    window = open_window(qtbot, acme)
    tab = window.select_area(Area.USAGE)
    assert isinstance(tab, UsageTab)
    wait_idle(qtbot, window)
    credits = tab.open_manage_credits()
    assert credits is not None
    preferences = window.open_preferences()
    guide = window.open_help(Area.USAGE)
    for dialog in (credits, preferences, guide):
        qtbot.waitExposed(dialog)
        assert len(interactive_controls(dialog)) >= 3
        assert unnamed_controls(dialog) == [], dialog.objectName()
        dialog.close()
