"""The Billing Units tab: drag and drop (model and view level), refusal of held numbers, keys,
undo/redo that restores the store, the report, and who may do what (PRODUCT §6, §9)."""

from __future__ import annotations

import csv
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import QMimeData, QModelIndex, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.access import Area
from billing_desktop.services import overview
from billing_desktop.ui.context import TabContext
from billing_desktop.ui.main_window import MainWindow
from billing_desktop.ui.models.members import MIME_TYPE, MemberListModel, Panel, Side
from billing_desktop.ui.tabs.billing_units import READ_ONLY, BillingUnitsTab
from billing_desktop.ui.tasks import TaskRunner
from tests.gui.conftest import RecordingStore
from tests.integration.units_workspace import fill


@pytest.fixture
def units_store(store: SqlStore) -> SqlStore:
    with store() as uow:
        fill(uow)
        uow.commit()
    return store


def stored(store: SqlStore) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """What the store holds (never what the view shows): unit -> (users, numbers)."""
    with store() as uow:
        return {u.name: (u.user_ids, u.numbers) for u in uow.units.all()}


def wait(qtbot: Any, tab: BillingUnitsTab) -> None:
    qtbot.waitUntil(lambda: not tab.busy and not tab.context.runner.busy, timeout=10_000)


def open_tab(qtbot: Any, store: Any, user_id: str | None = None) -> BillingUnitsTab:
    with getattr(store, "inner", store)() as uow:  # set-up, as the main window reads it
        workspace = overview.workspace(uow, user_id)
    runner = TaskRunner()
    tab = BillingUnitsTab(TabContext(store, workspace, runner))
    runner.setParent(tab)
    qtbot.addWidget(tab)
    tab.resize(1200, 760)
    tab.show()
    tab.ensure_loaded()
    wait(qtbot, tab)
    return tab


@pytest.fixture
def tab(qtbot: Any, units_store: SqlStore) -> Iterator[BillingUnitsTab]:
    opened = open_tab(qtbot, units_store)
    yield opened
    wait(qtbot, opened)


def show_unit(qtbot: Any, tab: BillingUnitsTab, name: str) -> None:
    unit = next(u for u in tab.model.rows if u.name == name)
    tab.select_unit(unit.id)
    wait(qtbot, tab)
    assert tab.editor.members is not None and tab.editor.members.unit.name == name


def drag(model: MemberListModel, *keys: str) -> QMimeData:
    return model.mimeData([model.index(model.row_of(k)) for k in keys])


# -- the table and the models ------------------------------------------------------------------


def test_the_table_lists_units_with_counts_and_this_months_totals(
    tab: BillingUnitsTab, qtmodeltester: Any
) -> None:
    model = tab.model
    assert [model.data(model.index(r, 0)) for r in range(model.rowCount())] == ["Sales", "Support"]
    assert [model.data(model.index(0, c)) for c in (1, 2)] == ["2", "1"]
    assert model.data(model.index(0, 3)).startswith("$")
    assert model.headerData(3, Qt.Orientation.Horizontal) == "Month total"
    assert tab.editor.title.text() == "Members of Sales"  # the first unit is shown
    qtmodeltester.check(model)


def test_every_model_of_the_tab_passes_the_model_tester(
    qtbot: Any, tab: BillingUnitsTab, qtmodeltester: Any
) -> None:
    editor = tab.editor
    for panel in (editor.people, editor.numbers):
        for model in (panel.available, panel.assigned):
            assert model.rowCount() > 0
            qtmodeltester.check(model)
            model.set_filter("zzz-nothing")
            qtmodeltester.check(model)
            model.set_filter("")
    tab.details.setCurrentWidget(tab.report)
    wait(qtbot, tab)
    assert tab.report.model.rowCount() == 3
    qtmodeltester.check(tab.report.model)


def test_the_lists_show_teams_users_and_held_numbers(tab: BillingUnitsTab) -> None:
    people = tab.editor.people
    assert people.available.item_at(0).text == "Team Support (2 members)"  # cy still to add
    assert "Di Nobody (di)" in [i.text for i in people.available.shown]
    assert [i.key for i in people.assigned.shown] == ["ada", "bo"]
    numbers = tab.editor.numbers.available
    held = numbers.item_at(numbers.row_of("+15550101"))
    assert held.holder == "Support" and "(in Support)" in held.text
    index = numbers.index(numbers.row_of("+15550101"))
    assert numbers.data(index, Qt.ItemDataRole.ForegroundRole) is not None
    assert "Support" in numbers.data(index, Qt.ItemDataRole.ToolTipRole)


# -- drag and drop, model level ----------------------------------------------------------------


def test_dropping_users_on_the_assigned_list_assigns_them_in_the_store(
    qtbot: Any, tab: BillingUnitsTab, units_store: SqlStore
) -> None:
    people = tab.editor.people
    mime = drag(people.available, "di", "sam")
    assert people.assigned.canDropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, QModelIndex())
    assert not people.available.canDropMimeData(  # not back onto its own list
        mime, Qt.DropAction.MoveAction, -1, -1, QModelIndex()
    )
    assert not tab.editor.numbers.assigned.canDropMimeData(  # nor onto the numbers
        mime, Qt.DropAction.MoveAction, -1, -1, QModelIndex()
    )
    assert people.assigned.dropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, QModelIndex())
    wait(qtbot, tab)
    assert stored(units_store)["Sales"][0] == ("ada", "bo", "di", "sam")
    assert people.assigned.keys == ["ada", "bo", "di", "sam"]  # re-read from the store
    assert tab.model.data(tab.model.index(0, 1)) == "4"


def test_dragging_back_to_the_available_list_unassigns(
    qtbot: Any, tab: BillingUnitsTab, units_store: SqlStore
) -> None:
    numbers = tab.editor.numbers
    mime = drag(numbers.assigned, "+15550100")
    assert numbers.available.dropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    wait(qtbot, tab)
    assert stored(units_store)["Sales"][1] == ()
    assert "+15550100" in numbers.available.keys


def test_dropping_a_team_assigns_its_members(
    qtbot: Any, tab: BillingUnitsTab, units_store: SqlStore
) -> None:
    people = tab.editor.people
    assert people.assigned.dropMimeData(
        drag(people.available, "Support"), Qt.DropAction.MoveAction, -1, -1, QModelIndex()
    )
    wait(qtbot, tab)
    assert stored(units_store)["Sales"][0] == ("ada", "bo", "cy")
    assert "Support" not in people.available.keys  # every member is in now


def test_a_held_number_is_refused_naming_its_unit_and_can_be_moved_explicitly(
    qtbot: Any, tab: BillingUnitsTab, units_store: SqlStore
) -> None:
    numbers = tab.editor.numbers
    before = stored(units_store)
    with qtbot.waitSignal(numbers.assigned.refused) as refused:
        accepted = numbers.assigned.dropMimeData(
            drag(numbers.available, "+15550101"), Qt.DropAction.MoveAction, -1, -1, QModelIndex()
        )
    assert not accepted
    assert [i.holder for i in refused.args[0]] == ["Support"]
    wait(qtbot, tab)
    assert stored(units_store) == before  # nothing changed
    assert tab.message_bar.text.startswith("+15550101 is already in unit 'Support'")
    assert tab.message_bar.action_button.text() == "Move it to Sales"

    tab.message_bar.action_button.click()  # "move it here", the explicit action
    wait(qtbot, tab)
    assert stored(units_store)["Sales"][1] == ("+15550100", "+15550101")
    assert stored(units_store)["Support"][1] == ()
    assert tab.undo_stack.undoText() == "Move 1 number from Support to Sales"

    tab.undo()
    wait(qtbot, tab)
    assert stored(units_store) == before  # back in Support


def test_a_mixed_drop_assigns_the_free_numbers_and_refuses_the_held_one(
    qtbot: Any, tab: BillingUnitsTab, units_store: SqlStore
) -> None:
    numbers = tab.editor.numbers
    assert numbers.assigned.dropMimeData(
        drag(numbers.available, "+15550101", "+15550102"),
        Qt.DropAction.MoveAction,
        -1,
        -1,
        QModelIndex(),
    )
    wait(qtbot, tab)
    assert stored(units_store)["Sales"][1] == ("+15550100", "+15550102")
    assert stored(units_store)["Support"][1] == ("+15550101",)
    assert "'Support'" in tab.message_bar.text


def test_the_move_here_button_moves_selected_held_numbers(
    qtbot: Any, tab: BillingUnitsTab, units_store: SqlStore
) -> None:
    editor = tab.editor
    assert not editor.move_button.isEnabled()
    editor.select(Panel.NUMBERS, Side.AVAILABLE, ["+15550101"])
    assert editor.move_button.isEnabled()
    qtbot.mouseClick(editor.move_button, Qt.MouseButton.LeftButton)
    wait(qtbot, tab)
    assert stored(units_store)["Sales"][1] == ("+15550100", "+15550101")


def test_a_drop_from_elsewhere_is_ignored(qtbot: Any, tab: BillingUnitsTab) -> None:
    foreign = QMimeData()
    foreign.setText("di")
    assigned = tab.editor.people.assigned
    assert not assigned.canDropMimeData(foreign, Qt.DropAction.MoveAction, -1, -1, QModelIndex())
    assert not assigned.dropMimeData(foreign, Qt.DropAction.MoveAction, -1, -1, QModelIndex())
    garbage = QMimeData()
    garbage.setData(MIME_TYPE, b"not json")
    assert not assigned.dropMimeData(garbage, Qt.DropAction.MoveAction, -1, -1, QModelIndex())


# -- drag and drop, view level -----------------------------------------------------------------


def send_drop(view: Any, mime: QMimeData) -> QDropEvent:
    """Drag ``mime`` into ``view``'s viewport and drop it there, as a user's mouse would."""
    viewport = view.viewport()
    point = QPointF(viewport.width() / 2, viewport.height() - 5)  # below the last row
    actions = Qt.DropAction.MoveAction | Qt.DropAction.CopyAction
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(point, actions, mime, buttons, keys)
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted(), "the view refused the drag"
    move = QDragMoveEvent(point, actions, mime, buttons, keys)
    QApplication.sendEvent(viewport, move)
    assert move.isAccepted()
    drop = QDropEvent(point, actions, mime, buttons, keys)
    QApplication.sendEvent(viewport, drop)
    return drop


def test_dropping_on_the_assigned_view_assigns_in_the_store(
    qtbot: Any, tab: BillingUnitsTab, units_store: SqlStore
) -> None:
    people = tab.editor.people
    drop = send_drop(people.assigned_view, drag(people.available, "cy", "di"))
    assert drop.isAccepted()
    wait(qtbot, tab)
    assert stored(units_store)["Sales"][0] == ("ada", "bo", "cy", "di")


def test_dropping_on_the_available_view_unassigns_in_the_store(
    qtbot: Any, tab: BillingUnitsTab, units_store: SqlStore
) -> None:
    numbers = tab.editor.numbers
    send_drop(numbers.available_view, drag(numbers.assigned, "+15550100"))
    wait(qtbot, tab)
    assert stored(units_store)["Sales"][1] == ()


def test_dropping_a_held_number_on_the_view_is_refused(
    qtbot: Any, tab: BillingUnitsTab, units_store: SqlStore
) -> None:
    numbers = tab.editor.numbers
    before = stored(units_store)
    drop = send_drop(numbers.assigned_view, drag(numbers.available, "+15550101"))
    assert not drop.isAccepted()
    wait(qtbot, tab)
    assert stored(units_store) == before
    assert "+15550101 is already in unit 'Support'" in tab.message_bar.text


def test_a_view_refuses_a_drag_of_the_wrong_kind(tab: BillingUnitsTab) -> None:
    """Numbers dragged over the users list: the move is ignored (the cursor says no)."""
    numbers_mime = drag(tab.editor.numbers.available, "+15550102")
    viewport = tab.editor.people.assigned_view.viewport()
    point = QPointF(10, 10)
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QApplication.sendEvent(
        viewport, QDragEnterEvent(point, Qt.DropAction.MoveAction, numbers_mime, buttons, keys)
    )
    move = QDragMoveEvent(point, Qt.DropAction.MoveAction, numbers_mime, buttons, keys)
    QApplication.sendEvent(viewport, move)
    assert not move.isAccepted()


# -- keyboard, buttons, filters --------------------------------------------------------------


def test_enter_assigns_and_delete_removes_the_selection(
    qtbot: Any, tab: BillingUnitsTab, units_store: SqlStore
) -> None:
    editor = tab.editor
    editor.select(Panel.PEOPLE, Side.AVAILABLE, ["cy", "di"])  # multi-select
    view = editor.people.available_view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Return)
    wait(qtbot, tab)
    assert stored(units_store)["Sales"][0] == ("ada", "bo", "cy", "di")

    assigned = editor.people.assigned_view
    assigned.setFocus()
    qtbot.keyClick(assigned, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # select all
    assert len(assigned.selected_rows()) == 4
    qtbot.keyClick(assigned, Qt.Key.Key_Delete)
    wait(qtbot, tab)
    assert stored(units_store)["Sales"][0] == ()


def test_the_buttons_move_the_selection(
    qtbot: Any, tab: BillingUnitsTab, units_store: SqlStore
) -> None:
    numbers = tab.editor.numbers
    assert not numbers.assign_button.isEnabled()  # nothing selected yet
    tab.editor.select(Panel.NUMBERS, Side.AVAILABLE, ["+15550102"])
    qtbot.mouseClick(numbers.assign_button, Qt.MouseButton.LeftButton)
    wait(qtbot, tab)
    assert stored(units_store)["Sales"][1] == ("+15550100", "+15550102")
    tab.editor.select(Panel.NUMBERS, Side.ASSIGNED, ["+15550100"])
    qtbot.mouseClick(numbers.remove_button, Qt.MouseButton.LeftButton)
    wait(qtbot, tab)
    assert stored(units_store)["Sales"][1] == ("+15550102",)


def test_enter_on_a_held_number_is_refused_with_the_message(
    qtbot: Any, tab: BillingUnitsTab, units_store: SqlStore
) -> None:
    before = stored(units_store)
    tab.editor.select(Panel.NUMBERS, Side.AVAILABLE, ["+15550101"])
    qtbot.keyClick(tab.editor.numbers.available_view, Qt.Key.Key_Enter)
    wait(qtbot, tab)
    assert stored(units_store) == before
    assert "already in unit 'Support'" in tab.message_bar.text


def test_the_filter_boxes_narrow_each_list(qtbot: Any, tab: BillingUnitsTab) -> None:
    people = tab.editor.people
    qtbot.keyClicks(people.available_filter, "vera")
    assert [i.key for i in people.available.shown] == ["vera"]
    tab.activateWindow()
    qtbot.waitUntil(tab.isActiveWindow, timeout=5_000)
    people.available_filter.setFocus()
    qtbot.keyClick(people.available_filter, Qt.Key.Key_Down)  # down goes to the list
    assert people.available_view.hasFocus()
    assert people.available_view.selected_rows() == [0]
    people.available_filter.clear()
    assert len(people.available.shown) == len(people.available.items)
    qtbot.keyClicks(people.assigned_filter, "both")
    assert [i.key for i in people.assigned.shown] == ["bo"]


# -- undo and redo restore the store -----------------------------------------------------------


def test_undo_and_redo_of_an_assignment_restore_the_store(
    qtbot: Any, tab: BillingUnitsTab, units_store: SqlStore
) -> None:
    before = stored(units_store)
    people = tab.editor.people
    people.assigned.dropMimeData(
        drag(people.available, "Support"), Qt.DropAction.MoveAction, -1, -1, QModelIndex()
    )
    wait(qtbot, tab)
    after = stored(units_store)
    assert after["Sales"][0] == ("ada", "bo", "cy")
    assert tab.undo_action.isEnabled() and tab.undo_stack.undoText() == "Assign 1 user to Sales"

    tab.activateWindow()
    qtbot.waitUntil(tab.isActiveWindow, timeout=5_000)
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait(qtbot, tab)
    assert stored(units_store) == before
    assert people.assigned.keys == ["ada", "bo"]
    assert tab.redo_action.isEnabled()

    shift_ctrl = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(people.assigned_view, Qt.Key.Key_Z, shift_ctrl)  # anywhere in the tab
    wait(qtbot, tab)
    assert stored(units_store) == after
    assert tab.undo_action.shortcut().toString() == "Ctrl+Z"
    assert [k.toString() for k in tab.redo_action.shortcuts()] == ["Ctrl+Shift+Z", "Ctrl+Y"]


def test_add_rename_and_delete_are_undone_in_the_store(
    qtbot: Any, tab: BillingUnitsTab, units_store: SqlStore
) -> None:
    original = stored(units_store)
    tab.add_unit(" Marketing ")
    wait(qtbot, tab)
    assert "Marketing" in stored(units_store)
    assert tab.editor.title.text() == "Members of Marketing"  # the new unit is shown
    marketing = next(u.id for u in tab.model.rows if u.name == "Marketing")
    tab.rename_unit(marketing, "Outreach")
    wait(qtbot, tab)
    sales = next(u.id for u in tab.model.rows if u.name == "Sales")
    tab.delete_unit(sales)
    wait(qtbot, tab)
    assert sorted(stored(units_store)) == ["Outreach", "Support"]

    tab.undo()  # the delete: Sales is back with its members and number
    wait(qtbot, tab)
    assert stored(units_store)["Sales"] == original["Sales"]
    tab.undo()  # the rename
    wait(qtbot, tab)
    assert sorted(stored(units_store)) == ["Marketing", "Sales", "Support"]
    tab.undo()  # the add
    wait(qtbot, tab)
    assert stored(units_store) == original
    assert not tab.undo_action.isEnabled()

    for _ in range(3):
        tab.redo()
        wait(qtbot, tab)
    assert sorted(stored(units_store)) == ["Outreach", "Support"]


def test_an_undo_the_store_refuses_says_why_and_clears_the_history(
    qtbot: Any, tab: BillingUnitsTab, units_store: SqlStore
) -> None:
    sales = next(u.id for u in tab.model.rows if u.name == "Sales")
    tab.delete_unit(sales)
    wait(qtbot, tab)
    with units_store() as uow:  # meanwhile, elsewhere: Sales's number goes to Support
        support = next(u for u in uow.units.all() if u.name == "Support")
        uow.units.set_members(support.id, support.user_ids, [*support.numbers, "+15550100"])
        uow.commit()
    tab.undo()
    wait(qtbot, tab)
    assert "+15550100 is already in unit 'Support'" in tab.message_bar.text
    assert "undo history was cleared" in tab.message_bar.text
    assert tab.undo_stack.count() == 0
    assert "Sales" not in stored(units_store)


# -- dialogs ---------------------------------------------------------------------------------


def test_add_checks_the_name_as_it_is_typed(
    qtbot: Any, tab: BillingUnitsTab, units_store: SqlStore
) -> None:
    tab.add_action.trigger()
    dialog = tab.name_dialog
    assert dialog is not None
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    dialog.edit.setText(" sales ")
    assert not ok.isEnabled() and "already a billing unit named 'Sales'" in dialog.problem.text()
    dialog.edit.setText("  Field team ")
    assert ok.isEnabled() and dialog.problem.text() == ""
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    wait(qtbot, tab)
    assert "Field team" in stored(units_store)


def test_rename_through_the_dialog(qtbot: Any, tab: BillingUnitsTab, units_store: SqlStore) -> None:
    tab.rename_action.trigger()
    dialog = tab.name_dialog
    assert dialog is not None and dialog.edit.text() == "Sales"
    dialog.edit.setText("Sales & Marketing")
    dialog.accept()
    wait(qtbot, tab)
    assert sorted(stored(units_store)) == ["Sales & Marketing", "Support"]


def test_delete_asks_naming_what_becomes_unassigned(
    qtbot: Any, tab: BillingUnitsTab, units_store: SqlStore
) -> None:
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_Delete)  # Delete on the units table
    qtbot.waitUntil(lambda: tab.confirm_box is not None, timeout=10_000)
    box = tab.confirm_box
    assert box is not None
    assert "Delete the billing unit 'Sales'?" in box.text()
    assert "1 phone number will become unassigned: +15550100" in box.text()
    assert "1 user will be in no billing unit: Ada Admin" in box.text()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    box.button(QMessageBox.StandardButton.Cancel).click()
    wait(qtbot, tab)
    assert "Sales" in stored(units_store)

    tab.delete_action.trigger()
    qtbot.waitUntil(lambda: tab.confirm_box is not None, timeout=10_000)
    tab.confirm_box.button(QMessageBox.StandardButton.Yes).click()
    wait(qtbot, tab)
    assert sorted(stored(units_store)) == ["Support"]
    assert tab.editor.title.text() == "Members of Support"


# -- the report ------------------------------------------------------------------------------


def test_the_report_shows_rows_adding_up_a_chart_and_exports(
    qtbot: Any, tab: BillingUnitsTab, tmp_path: Path
) -> None:
    report = tab.report
    tab.details.setCurrentWidget(report)
    wait(qtbot, tab)
    october = next(
        i
        for i in range(report.month_combo.count())
        if "October 2026" in report.month_combo.itemText(i)
    )
    report.month_combo.setCurrentIndex(october)
    wait(qtbot, tab)
    assert report.report is not None and str(report.report.month) == "2026-10"
    model = report.model
    assert [model.data(model.index(r, 0)) for r in range(3)] == ["Sales", "Support", "Unassigned"]
    assert [model.data(model.index(r, 3)) for r in range(3)] == ["$35.31", "$98.88", "$66.50"]
    assert report.total_label.text().startswith("Total $200.69")
    assert report.chart.labels == ["Sales", "Support", "Unassigned"]
    assert "Total: $98.88" in report.chart.describe(1)

    report.export_csv(tmp_path / "units.csv")
    with (tmp_path / "units.csv").open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines[0] == ["month", "currency", "billing_unit", "usage", "recurring", "total"]
    assert lines[-1] == ["2026-10", "USD", "Total", "2.21", "198.48", "200.69"]
    report.export_csv(tmp_path / "units.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "units.xlsx")["Billing units"]
    total = [c.value for c in sheet[sheet.max_row]]
    assert total == ["2026-10", "USD", "Total", 2.21, 198.48, 200.69]
    assert sheet.cell(sheet.max_row, 6).number_format == '#,##0.00 "USD"'

    report.save_chart(tmp_path / "chart.png")
    image = QImage(str(tmp_path / "chart.png"))
    assert not image.isNull() and image.width() > 100


# -- permissions and threads -----------------------------------------------------------------


def test_a_view_only_user_sees_everything_read_only(
    qtbot: Any, units_store: SqlStore, tmp_path: Path
) -> None:
    tab = open_tab(qtbot, units_store, "vera")  # View billing unit
    assert not tab.editable
    for action in (tab.add_action, tab.rename_action, tab.delete_action, tab.undo_action):
        assert not action.isEnabled() and action.toolTip() == READ_ONLY
    button = tab.findChild(object, "addUnitButton")
    assert button is not None and not button.isEnabled()
    people = tab.editor.people
    assert people.available.keys  # the members are shown
    for view in (people.available_view, people.assigned_view):
        assert not view.dragEnabled() and not view.acceptDrops()
    assert not people.assign_button.isEnabled() and people.assign_button.toolTip() == READ_ONLY
    tab.editor.select(Panel.PEOPLE, Side.AVAILABLE, ["di"])
    assert not people.assign_button.isEnabled()
    mime = drag(people.available, "di")
    assert not (people.available.flags(people.available.index(0)) & Qt.ItemFlag.ItemIsDragEnabled)
    assert not people.assigned.dropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, QModelIndex())
    before = stored(units_store)
    qtbot.keyClick(people.available_view, Qt.Key.Key_Return)
    tab.add_unit("Sneaky")  # even when called directly, the service refuses
    wait(qtbot, tab)
    assert stored(units_store) == before
    assert "needs the right to edit Billing Units" in tab.last_error
    tab.details.setCurrentWidget(tab.report)
    wait(qtbot, tab)
    assert tab.report.model.rowCount() == 3  # the report is there to see


@pytest.mark.parametrize(
    ("user", "sees", "edits"),
    [
        ("ada", True, True),
        ("sam", True, True),
        ("ed", True, True),
        ("vera", True, False),
        ("shay", False, False),
    ],
)
def test_who_gets_the_tab(
    qtbot: Any, units_store: SqlStore, user: str, sees: bool, edits: bool
) -> None:
    window = MainWindow(units_store, user, remember=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(
        lambda: not window.runner.busy and window.current_page_name != "loading", timeout=10_000
    )
    assert (Area.BILLING_UNITS in window.tab_pages) is sees
    if sees:
        page = window.select_area(Area.BILLING_UNITS)
        assert isinstance(page, BillingUnitsTab)
        qtbot.waitUntil(lambda: not page.busy and not window.runner.busy, timeout=10_000)
        assert page.editable is edits
        assert page.editor.people.available_view.dragEnabled() is edits


def test_the_store_is_only_used_off_the_gui_thread(qtbot: Any, units_store: SqlStore) -> None:
    recording = RecordingStore(units_store)
    tab = open_tab(qtbot, recording)
    people = tab.editor.people
    people.assigned.dropMimeData(
        drag(people.available, "di"), Qt.DropAction.MoveAction, -1, -1, QModelIndex()
    )
    wait(qtbot, tab)
    tab.undo()
    wait(qtbot, tab)
    tab.details.setCurrentWidget(tab.report)
    wait(qtbot, tab)
    assert len(recording.threads) >= 6
    assert threading.main_thread() not in recording.threads


def test_an_empty_workspace_explains_and_offers_add(qtbot: Any, store: SqlStore) -> None:
    with store() as uow:
        uow.account.save(
            m.Account(
                "Bare", "USD", "UTC", m.PlanTier.PRO, m.PaymentMethod.INVOICE, m.CommitScope.NONE
            )
        )
        uow.users.add_many([m.User("ada", "Ada", "a@x", m.Role.ADMIN)])
        uow.commit()
    tab = open_tab(qtbot, store)
    assert not tab.showing_table
    assert tab.empty_label.text().startswith("No billing units yet")
    assert "Add a billing unit" in tab.editor.title.text()
    assert tab.add_action.isEnabled() and not tab.rename_action.isEnabled()
    tab.add_unit("First")
    wait(qtbot, tab)
    assert tab.showing_table and tab.editor.title.text() == "Members of First"


def test_a_screenshot_of_the_editor_mid_assignment(
    qtbot: Any, tab: BillingUnitsTab, tmp_path: Path
) -> None:
    editor = tab.editor
    editor.people.available_filter.setText("o")
    editor.select(Panel.PEOPLE, Side.AVAILABLE, ["di", "sam"])
    numbers = editor.numbers
    numbers.assigned.dropMimeData(
        drag(numbers.available, "+15550101"), Qt.DropAction.MoveAction, -1, -1, QModelIndex()
    )
    wait(qtbot, tab)
    path = tmp_path / "unit-editor.png"
    assert tab.grab().save(str(path))
    image = QImage(str(path))
    assert image.width() == tab.width() and image.height() == tab.height()
